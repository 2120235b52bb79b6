"""What every checker module shares: the registry, the :class:`Needs` signal and small helpers.

A checker is a function ``Example -> {expected key: computed value}`` that rebuilds the
panel's inputs from ``example.state`` and runs the engine function the panel calls.
Register it with the example ids it computes::

    from .registry import register

    @register("edge-6x6", "edge-6x6-mirrored")
    def _edge(ex): ...

Any module placed in :mod:`engine.course.checks` is imported by the package, so a new
part of the course (or a new view) only needs a new file there.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...i18n import _
from ..examples import Example

__all__ = ["Needs", "Checker", "COMPUTE", "register", "plain", "hwc", "engine_attr", "zoo_summary", "many_channels"]

#: A compute function: example → the computed value of each expected key.
Checker = Callable[[Example], dict[str, Any]]

#: example id → its compute function (filled by the checker modules as they are imported).
COMPUTE: dict[str, Checker] = {}


class Needs(Exception):
    """The engine lacks a capability the example needs (the message says which)."""


def register(*example_ids: str) -> Callable[[Checker], Checker]:
    """Decorator: ``fn`` computes the examples ``example_ids``. An id registered twice is an error."""

    def deco(fn: Checker) -> Checker:
        for eid in example_ids:
            other = COMPUTE.get(eid)
            if other is not None and other is not fn:
                raise ValueError(f"example {eid!r} already has a checker: {other.__module__}.{other.__name__}")
            COMPUTE[eid] = fn
        return fn

    return deco


def plain(value: Any) -> Any:
    """Numpy/torch values as plain Python (ints stay ints) for display and JSON."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return int(round(f)) if abs(f - round(f)) < 1e-9 and abs(f) < 2**53 else round(f, 9)
    return value


def hwc(shape_chw: Any) -> list[int]:
    """A (C, H, W) shape in the note's H×W×C order; other ranks unchanged."""
    s = [int(v) for v in shape_chw]
    return [s[1], s[2], s[0]] if len(s) == 3 else s


def engine_attr(module: Any, name: str, need: str) -> Any:
    """``module.name``, or :class:`Needs` with ``need`` when the engine does not have it."""
    found = getattr(module, name, None)
    if found is None:
        raise Needs(need)
    return found


def zoo_summary(name: str, input_hwc: list[int] | None = None):
    """The architectures panel's summary of a zoo model (optionally on an H×W×C input)."""
    from ...arch import summary, zoo

    if name not in zoo.MODELS:
        raise Needs(_("needs the architecture '{name}' in engine.arch.zoo").format(name=name))
    shape = None if input_hwc is None else (input_hwc[2], input_hwc[0], input_hwc[1])
    return summary.summarize_zoo(name, shape)


def many_channels(n: int, channels: int):
    """A random n×n input with ``channels`` channels from the lab's presets (or :class:`Needs`)."""
    from ... import conv

    try:
        return conv.input_preset("random integers", n, channels=channels, rng=np.random.default_rng(0))
    except ValueError:
        raise Needs(_("needs input channels up to {c} in engine.conv (the lab allows 1 or 3)").format(c=channels)) from None

