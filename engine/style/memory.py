"""Memory estimate and guard for the optimisation, so it refuses instead of running out of memory.

The estimate counts, at the largest scale: the backbone's activations kept
for the backward pass and their gradients (up to the deepest layer used),
the image, its gradient and the optimiser's state (L-BFGS keeps
``history_size`` pairs of image-sized vectors), the style Gram matrices and
the backbone's weights, plus a fixed allowance for the framework.
Available memory is ``MemAvailable`` from ``/proc/meminfo`` on CPU (or the
free physical pages where that file does not exist) and
``torch.cuda.mem_get_info`` on CUDA.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from ..i18n import _
from .backbones import VGG19_BLOCKS

__all__ = [
    "MemoryRefused",
    "MemoryEstimate",
    "estimate_bytes",
    "available_bytes",
    "check_memory",
    "largest_fitting_size",
    "format_bytes",
]

_VGG_WIDTHS = (64, 128, 256, 512, 512)
_FRAMEWORK_BYTES = 350 * 2**20  # interpreter, torch's allocator slack, the source images
_SAFETY = 0.85  # use at most this share of what is free


class MemoryRefused(RuntimeError):
    """The requested size will not fit on the device. ``suggested_size`` fits (0 when nothing does)."""

    def __init__(self, size: int, needed: int, available: int, suggested_size: int, device: str):
        self.size = size
        self.needed = needed
        self.available = available
        self.suggested_size = suggested_size
        self.device = device
        fields = dict(size=size, needed=format_bytes(needed), free=format_bytes(available), device=device, fits=suggested_size)
        if suggested_size:
            text = _("{size} px needs about {needed} but only {free} is free on {device}. {fits} px fits: choose that size or smaller.")
        else:
            text = _("{size} px needs about {needed} but only {free} is free on {device}. Even the smallest size does not fit.")
        super().__init__(text.format(**fields))


@dataclass
class MemoryEstimate:
    """An estimate for one run: bytes needed at the largest scale, bytes free, and whether it fits."""

    size: int
    needed: int
    available: int
    device: str

    @property
    def fits(self) -> bool:
        return self.needed <= self.available * _SAFETY

    def describe(self) -> str:
        text = (_("{size} px: about {needed} of {free} free on {device} (fits)") if self.fits
                else _("{size} px: about {needed} of {free} free on {device} (does NOT fit)"))
        return text.format(size=self.size, needed=format_bytes(self.needed), free=format_bytes(self.available), device=self.device)


def format_bytes(n: float) -> str:
    """1536 -> '1.5 KB'; binary units."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def _deepest_block(layers: list[str]) -> tuple[int, int]:
    block, index = 1, 1
    for name in layers:
        b, i = (int(v) for v in name[4:].split("_"))
        if (b, i) > (block, index):
            block, index = b, i
    return block, index


def estimate_bytes(height: int, width: int, layers: list[str], backbone: str = "vgg19", optimizer: str = "lbfgs",
                   history_size: int = 100, mixed_precision: bool = False, widths: tuple[int, ...] | None = None) -> int:
    """Bytes one optimisation at (height, width) needs (see the module doc).

    ``layers``: every layer whose activation is used (content and style).
    """
    widths = widths or (_VGG_WIDTHS if backbone == "vgg19" else (32, 64, 128, 192, 256))
    last_block, last_index = _deepest_block(layers)
    act_bytes = 2 if mixed_precision else 4
    activations = 0
    weights = 0
    in_ch = 3
    h, w = height, width
    for b, (n, c) in enumerate(zip(VGG19_BLOCKS, widths), start=1):
        if b > last_block:
            break
        if b > 1:
            h, w = h // 2, w // 2
            activations += in_ch * h * w  # pooled map
        for i in range(1, n + 1):
            if (b, i) > (last_block, last_index):
                break
            # conv output and ReLU output are both kept for backward
            activations += 2 * c * h * w
            weights += c * in_ch * 9 + c
            in_ch = c
    # forward tensors kept for backward plus the gradients alive during the backward pass;
    # calibrated on a 1024×1024 VGG-19 run on CPU (peak RSS 3.6 GB, see the README)
    graph = int(activations * act_bytes * 1.25)
    pixels = 3 * height * width * 4
    # L-BFGS: the ring of m (s, y) pairs plus the point, gradient, new gradient, direction, s and y
    history = (2 * history_size + 6) * pixels if optimizer == "lbfgs" else 4 * pixels
    grams = sum(c * c for c in widths) * 4
    return int(graph + history + grams + weights * 4 + _FRAMEWORK_BYTES)


def available_bytes(device: torch.device | str) -> int:
    """Free memory on ``device`` in bytes (CUDA: free device memory; CPU: available RAM)."""
    device = torch.device(device)
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30  # unknown platform: assume a modest machine


def largest_fitting_size(height: int, width: int, layers: list[str], available: int, step: int = 64, **kwargs) -> int:
    """The largest long side (a multiple of ``step``, at most max(height, width)) that fits in ``available``; 0 if none."""
    long_side = max(height, width)
    size = (long_side // step) * step
    while size >= step:
        scale = size / long_side
        if estimate_bytes(max(1, round(height * scale)), max(1, round(width * scale)), layers, **kwargs) <= available * _SAFETY:
            return size
        size -= step
    return 0


def check_memory(height: int, width: int, layers: list[str], device: torch.device | str, available: int | None = None, **kwargs) -> MemoryEstimate:
    """Estimate and compare with free memory; raises :class:`MemoryRefused` (with a size that fits) when it will not fit."""
    device = torch.device(device)
    free = available_bytes(device) if available is None else int(available)
    est = MemoryEstimate(max(height, width), estimate_bytes(height, width, layers, **kwargs), free, str(device))
    if not est.fits:
        suggested = largest_fitting_size(height, width, layers, free, **kwargs)
        raise MemoryRefused(est.size, est.needed, free, suggested, str(device))
    return est
