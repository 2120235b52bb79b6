"""Checkers for face recognition shown in the Faces panel (the siamese distance).

The other face and style examples have their own views; their checkers live in ``views``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...i18n import _
from ..examples import Example
from .registry import Needs, register

__all__: list[str] = []


def _unit(d: float, dim: int = 128) -> tuple[np.ndarray, np.ndarray]:
    a = np.zeros(dim)
    b = np.zeros(dim)
    b[0] = d
    return a, b


@register("siamese-squared-distance")
def _siamese(ex: Example) -> dict[str, Any]:
    from ...face import match

    d = match.face_distance(*_unit(ex.state["distance"]))
    out: dict[str, Any] = {"distance": d}
    need = _("needs a squared-distance conversion in engine.face.match")
    show = getattr(match, "to_display_distance", None)
    threshold_in = getattr(match, "threshold_in", None)
    out["squared"] = Needs(need) if show is None else show(d, "squared")
    out["threshold_squared"] = Needs(need) if threshold_in is None else threshold_in(ex.state["threshold"], "squared")
    return out
