"""The costs of neural style transfer (Gatys et al. 2016).

Shapes: an activation ``a`` is (N, C, H, W); N is 1 in the optimisation loop.
All losses are computed in float32 (also under CUDA mixed precision).

* Gram matrix: G = A·Aᵀ with A the activation reshaped to (C, H·W); shape (N, C, C).
* Content cost at one layer: ½‖a(C) − a(G)‖² (sum of squares).
* Style cost at one layer: ‖G(S) − G(G)‖² / (2·n_H·n_W·n_C)², where the
  sizes are those of the generated image's activation; the style cost is the
  weighted sum over layers.
* Total variation: Σ (x[i+1,j] − x[i,j])² + (x[i,j+1] − x[i,j])² over pixels and channels.
* J = α·content + β·style + γ·TV.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F

__all__ = [
    "gram_matrix",
    "content_loss",
    "style_layer_loss",
    "style_loss",
    "tv_loss",
    "LossTerms",
    "total_loss",
]


def _at_least_float32(x: torch.Tensor) -> torch.Tensor:
    return x if x.dtype == torch.float64 else x.float()


class _GramProduct(torch.autograd.Function):
    """G = M·Mᵀ for M (N, C, K), or Mᵀ·M for M (N, K, C) (``channels_last``), in float32.

    Its backward is the one product dM = (dG + dGᵀ)·M (or M·(dG + dGᵀ)):
    autograd's generic bmm backward would make two products of that size and
    add them.
    """

    @staticmethod
    @torch.amp.custom_fwd(device_type="cuda", cast_inputs=torch.float32)
    def forward(ctx, m: torch.Tensor, channels_last: bool) -> torch.Tensor:
        m = _at_least_float32(m)
        ctx.save_for_backward(m)
        ctx.channels_last = channels_last
        return torch.bmm(m.transpose(1, 2), m) if channels_last else torch.bmm(m, m.transpose(1, 2))

    @staticmethod
    @torch.amp.custom_bwd(device_type="cuda")
    def backward(ctx, grad_gram: torch.Tensor):
        (m,) = ctx.saved_tensors
        sym = grad_gram + grad_gram.transpose(1, 2)
        return (torch.bmm(m, sym) if ctx.channels_last else torch.bmm(sym, m)), None


def gram_matrix(a: torch.Tensor) -> torch.Tensor:
    """Unnormalised Gram matrix of an (N, C, H, W) activation: (N, C, C), float32 (float64 for float64 input).

    Always a float32 product, also under CUDA mixed precision: half precision
    would overflow on large images, and bfloat16 measurably slowed convergence.
    """
    n, c, h, w = a.shape
    if not a.is_contiguous() and a.is_contiguous(memory_format=torch.channels_last):
        # channels-last (CUDA): read it as (N, H·W, C) without a copy, so the
        # gradient comes back in the same layout as the convolutions' own
        return _GramProduct.apply(_at_least_float32(a.permute(0, 2, 3, 1).reshape(n, h * w, c)), True)
    return _GramProduct.apply(_at_least_float32(a).reshape(n, c, h * w), False)


def content_loss(a_content: torch.Tensor, a_generated: torch.Tensor) -> torch.Tensor:
    """½‖a(C) − a(G)‖² over all elements (a scalar)."""
    return F.mse_loss(a_generated.float(), a_content.float(), reduction="sum") * 0.5


def _style_norm(a: torch.Tensor) -> float:
    _, c, h, w = a.shape
    return float(2 * h * w * c) ** 2


def style_layer_loss(gram_style: torch.Tensor, a_generated: torch.Tensor) -> torch.Tensor:
    """‖G(S) − G(a_generated)‖² / (2·n_H·n_W·n_C)² for one layer (a scalar).

    ``gram_style`` is (N, C, C) (precomputed once); ``a_generated`` is (N, C, H, W).
    """
    return F.mse_loss(gram_matrix(a_generated), gram_style.float(), reduction="sum") / _style_norm(a_generated)


def style_loss(style_grams: dict[str, torch.Tensor], generated: dict[str, torch.Tensor], layer_weights: dict[str, float]) -> torch.Tensor:
    """Σ_l w_l · style_layer_loss(G_l(S), a_l(G)) over the layers in ``layer_weights``."""
    total = None
    for layer, weight in layer_weights.items():
        if weight == 0:
            continue
        a = generated[layer]
        # the weight and the normalisation folded into one factor: one kernel fewer per layer
        term = F.mse_loss(gram_matrix(a), style_grams[layer].float(), reduction="sum") * (weight / _style_norm(a))
        total = term if total is None else total + term
    if total is None:
        return next(iter(generated.values())).new_zeros((), dtype=torch.float32)
    return total


def tv_loss(x: torch.Tensor) -> torch.Tensor:
    """Total variation of an (N, C, H, W) image: Σ Δ_y² + Σ Δ_x² (a scalar)."""
    x = x.float()
    dy = F.mse_loss(x[:, :, 1:, :], x[:, :, :-1, :], reduction="sum")
    dx = F.mse_loss(x[:, :, :, 1:], x[:, :, :, :-1], reduction="sum")
    return dy + dx


@dataclass
class LossTerms:
    """The weighted terms of J and their sum (Python floats, for logging)."""

    content: float
    style: float
    tv: float
    total: float


def total_loss(content: torch.Tensor, style: torch.Tensor, tv: torch.Tensor, alpha: float, beta: float, gamma: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """J = α·content + β·style + γ·TV. Returns (J, α·content, β·style, γ·TV)."""
    c, s, t = alpha * content, beta * style, gamma * tv
    return c + s + t, c, s, t
