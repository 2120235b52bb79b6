"""Compute-device choice: CUDA when present, else Apple MPS, else CPU.

The user's preference (``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``)
is set once with :func:`set_preference` (the CLI's ``--device``, the app's
settings) and read everywhere through :func:`get_device`.

torch is imported by the functions that need it, not with this module: the window imports it
before torch has loaded (:func:`get_preference` needs no torch).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Iterator

from .i18n import _

if TYPE_CHECKING:
    import torch

__all__ = [
    "resolve_device",
    "set_preference",
    "get_preference",
    "get_device",
    "device_label",
    "autocast",
    "tf32_matmul",
    "available_devices",
]

_preference = "auto"


def resolve_device(preference: str | None = "auto") -> torch.device:
    """Turn a preference string into an available :class:`torch.device`.

    ``"auto"`` (or ``None``) picks CUDA, then MPS, then CPU. An explicit device
    that is not available raises ``ValueError`` with the reason.
    """
    import torch

    pref = (preference or "auto").strip().lower()
    if pref == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(pref)
    except RuntimeError:
        raise ValueError(_("unknown device {device}; use auto, cpu, cuda, cuda:N or mps").format(device=repr(preference))) from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(_("CUDA was asked for but no CUDA device is available"))
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(_("{device}: only {n} CUDA device(s) present").format(
                device=repr(preference), n=torch.cuda.device_count()))
    elif device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(_("MPS was asked for but is not available on this machine"))
    elif device.type != "cpu":
        raise ValueError(_("unsupported device {device}").format(device=repr(preference)))
    return device


def set_preference(preference: str | None) -> torch.device:
    """Set the process-wide device preference; returns the resolved device."""
    global _preference
    device = resolve_device(preference)
    _preference = (preference or "auto").lower()
    return device


def get_preference() -> str:
    """The current preference string (``"auto"`` unless set)."""
    return _preference


def get_device() -> torch.device:
    """The device engine work should run on, by the current preference."""
    try:
        return resolve_device(_preference)
    except ValueError:
        return resolve_device("auto")


def device_label(device: torch.device | str | None = None) -> str:
    """Human-readable name: the CUDA card's name, ``"Apple GPU (MPS)"`` or ``"CPU"``."""
    import torch

    device = torch.device(device) if device is not None else get_device()
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"CUDA: {torch.cuda.get_device_name(index)}"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    from .i18n import _

    threads = torch.get_num_threads()
    return _("CPU (1 thread)") if threads == 1 else _("CPU ({n} threads)").format(n=threads)


def available_devices() -> list[str]:
    """Device strings usable on this machine, ``"auto"`` first."""
    import torch

    names = ["auto", "cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        names.append("mps")
    return names


@contextlib.contextmanager
def autocast(device: torch.device, enabled: bool = True) -> Iterator[None]:
    """Mixed precision (float16) on CUDA where safe; a no-op elsewhere.

    Convolutions and matrix products run in half precision; reductions and
    losses stay in float32 (torch's autocast op lists decide).
    """
    import torch

    if enabled and device.type == "cuda":
        with torch.autocast("cuda", dtype=torch.float16):
            yield
    else:
        yield


@contextlib.contextmanager
def tf32_matmul(device: torch.device) -> Iterator[None]:
    """Let float32 matrix products on CUDA use TensorFloat-32 tensor cores inside the block.

    For products of half-precision activations (autocast) this loses nothing:
    every float16 value is exact in TF32, and the sums stay float32. Without
    it such a product runs on the GPU's general cores at a fraction of the
    speed. The previous setting comes back on exit; a no-op off CUDA.
    """
    import torch

    if device.type != "cuda":
        yield
        return
    matmul = torch.backends.cuda.matmul
    if hasattr(matmul, "fp32_precision"):
        before = matmul.fp32_precision
        matmul.fp32_precision = "tf32"
        try:
            yield
        finally:
            matmul.fp32_precision = before
    else:  # older torch
        before = matmul.allow_tf32
        matmul.allow_tf32 = True
        try:
            yield
        finally:
            matmul.allow_tf32 = before
