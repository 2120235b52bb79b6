"""Worked examples of the style-transfer costs, computed with the Style transfer panel's own torch functions.

- :func:`total_cost`: J(G) = α·J_content + β·J_style (:func:`engine.style.losses.total_loss`);
- :func:`content_cost`: ½‖a(C) − a(G)‖² of two small activations (:func:`engine.style.losses.content_loss`),
  with the differences and their squares;
- :func:`gram_style`: the Gram matrices of two small activations (:func:`engine.style.losses.gram_matrix`) and
  the layer's style cost (:func:`engine.style.losses.style_layer_loss`), with the normalisation (2·n_H·n_W·n_C)².

Activations are given as one row of H·W values per channel (channel k, then positions in reading order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from ..i18n import _
from ..style.losses import content_loss, gram_matrix, style_layer_loss, total_loss

__all__ = ["TotalCost", "ContentCost", "GramStyle", "total_cost", "content_cost", "gram_style"]


@dataclass(frozen=True)
class TotalCost:
    """α, β, the two costs, the weighted terms α·J_content and β·J_style and their sum J."""

    alpha: float
    beta: float
    content: float
    style: float
    weighted_content: float
    weighted_style: float
    total: float


def total_cost(alpha: float, beta: float, content: float, style: float) -> TotalCost:
    """J(G) = α·J_content + β·J_style by the panel's ``total_loss`` (no total-variation term)."""
    j, c, s, _t = total_loss(torch.tensor(float(content), dtype=torch.float64), torch.tensor(float(style), dtype=torch.float64),
                             torch.tensor(0.0, dtype=torch.float64), float(alpha), float(beta), 0.0)
    return TotalCost(float(alpha), float(beta), float(content), float(style), float(c), float(s), float(j))


def _grid(values: Sequence[Sequence[float]], what: str) -> torch.Tensor:
    a = torch.tensor(np.asarray(values, dtype=np.float64))
    if a.ndim != 2 or a.numel() == 0:
        raise ValueError(_("{what} must be a non-empty grid of numbers").format(what=what))
    return a


@dataclass(frozen=True)
class ContentCost:
    """a(C), a(G), their difference, its squares, the sum of squares and J_content = ½·sum (2-D lists)."""

    a_c: list[list[float]]
    a_g: list[list[float]]
    difference: list[list[float]]
    squares: list[list[float]]
    sum_squares: float
    cost: float


def content_cost(a_c: Sequence[Sequence[float]], a_g: Sequence[Sequence[float]]) -> ContentCost:
    """½‖a(C) − a(G)‖² of two H×W activations (one channel), by the panel's ``content_loss``."""
    c, g = _grid(a_c, "a(C)"), _grid(a_g, "a(G)")
    if c.shape != g.shape:
        raise ValueError(_("a(C) and a(G) must have the same shape"))
    diff = c - g
    sq = diff * diff
    cost = content_loss(c[None, None], g[None, None])
    return ContentCost(c.tolist(), g.tolist(), diff.tolist(), sq.tolist(), float(sq.sum()), float(cost))


@dataclass(frozen=True)
class GramStyle:
    """Gram matrices G(S) and G(G) (C×C), their difference, Σ of its squares, the norm (2·n_H·n_W·n_C)² and J_style.

    ``a_s`` and ``a_g`` are the activations as (C, H, W) nested lists.
    """

    hw: tuple[int, int]
    channels: int
    a_s: list
    a_g: list
    gram_s: list[list[float]]
    gram_g: list[list[float]]
    difference: list[list[float]]
    sum_squares: float
    norm: float
    cost: float


def gram_style(a_s: Sequence[Sequence[float]], a_g: Sequence[Sequence[float]], hw: Sequence[int]) -> GramStyle:
    """G_kk' = Σ_i Σ_j a_ijk·a_ijk' for the style and generated activations, and J_style of the layer."""
    h, w = (int(v) for v in hw)
    s, g = _grid(a_s, "a(S)"), _grid(a_g, "a(G)")
    if s.shape != g.shape or s.shape[1] != h * w:
        raise ValueError(_("each channel needs {n} values (H×W = {h}×{w})").format(n=h * w, h=h, w=w))
    s4, g4 = s.view(1, -1, h, w), g.view(1, -1, h, w)
    gs, gg = gram_matrix(s4)[0], gram_matrix(g4)[0]
    cost = style_layer_loss(gs[None], g4)
    c = s4.shape[1]
    diff = gs - gg
    return GramStyle((h, w), int(c), s4[0].tolist(), g4[0].tolist(), gs.tolist(), gg.tolist(), diff.tolist(),
                     float((diff * diff).sum()), float((2 * h * w * c) ** 2), float(cost))
