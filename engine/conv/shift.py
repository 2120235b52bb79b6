"""Translation invariance, measured: shift the input, compare feature maps and pooled maps.

A convolution is translation *equivariant*: move the input k pixels and the feature map
moves k pixels too (away from the border). Max pooling then makes the result nearly
*invariant* to small shifts: most pooled values stay where they were.

    d = shift_demo(image, kernel, shift_px=1, pool=("max", 2, 2))
    d.feature_shift_error       # 0.0: the feature map moved by exactly the shift
    d.pooled_unchanged_fraction # e.g. 0.75: pooled values that did not change
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..i18n import _
from .pool import PoolSpec, pool_trace
from .trace import as_tensor, trace

__all__ = ["ShiftDemo", "shift_demo", "shift_image"]


@dataclass(frozen=True)
class ShiftDemo:
    """Everything the translation demo shows (arrays are (C, H, W) float32 tensors).

    image / shifted: the input and the input moved by ``shift`` = (rows down, columns right),
    zeros filling the uncovered border. feature / shifted_feature: the convolution (valid,
    stride 1) of each. pooled / shifted_pooled: the pooling of each feature map.
    feature_shift_error: largest |shifted_feature − feature moved by the shift| over the cells
    that do not read the filled border (0 means the map moved by exactly the shift).
    feature_unchanged_fraction / pooled_unchanged_fraction: share of values equal at the same
    position in both maps (pooling raises it: it absorbs small shifts).
    """

    image: torch.Tensor
    shifted: torch.Tensor
    feature: torch.Tensor
    shifted_feature: torch.Tensor
    pooled: torch.Tensor
    shifted_pooled: torch.Tensor
    shift: tuple[int, int]
    pool: PoolSpec
    feature_shift_error: float
    feature_unchanged_fraction: float
    pooled_unchanged_fraction: float


def shift_image(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """``x`` (…, H, W) moved ``dy`` rows down and ``dx`` columns right (negative: up/left), zero-filled."""
    out = torch.zeros_like(x)
    h, w = x.shape[-2], x.shape[-1]
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src_r = slice(max(0, -dy), h - max(0, dy))
    dst_r = slice(max(0, dy), h - max(0, -dy))
    src_c = slice(max(0, -dx), w - max(0, dx))
    dst_c = slice(max(0, dx), w - max(0, -dx))
    out[..., dst_r, dst_c] = x[..., src_r, src_c]
    return out


def _as_weight(kernel: object, c_in: int) -> torch.Tensor:
    k = kernel.detach().to("cpu", torch.float64) if isinstance(kernel, torch.Tensor) else torch.as_tensor(np.asarray(kernel, dtype=np.float64))
    if k.ndim == 2:  # one kernel, used on every input channel
        k = k.expand(c_in, *k.shape)
    if k.ndim == 3:
        k = k.unsqueeze(0)
    if k.ndim != 4:
        raise ValueError(_("the kernel must be (f, f), (C_in, f, f) or (C_out, C_in, f, f), got shape {s}").format(s=tuple(k.shape)))
    return k.contiguous()


def _as_pool(pool: object) -> PoolSpec:
    if isinstance(pool, PoolSpec):
        return pool
    if isinstance(pool, str):
        return PoolSpec(pool, 2, 2, 0)
    kind, size, *rest = pool  # type: ignore[misc]
    return PoolSpec(kind, int(size), int(rest[0]) if rest else int(size), 0)


def _unchanged(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.isclose(a, b, rtol=1e-5, atol=1e-6).float().mean()) if a.numel() else 1.0


def shift_demo(image: object, kernel: object, shift_px: int | tuple[int, int] = 1, pool: object = ("max", 2, 2)) -> ShiftDemo:
    """Convolve and pool ``image`` and a copy shifted by ``shift_px``, and measure what moved.

    image: (H, W) or (C, H, W). kernel: (f, f) (applied to every channel), (C_in, f, f) or
    (C_out, C_in, f, f). shift_px: columns to the right, or (rows down, columns right).
    pool: a :class:`PoolSpec`, ``"max"``/``"avg"`` (2×2, stride 2) or ``(kind, size[, stride])``.
    The maps equal ``F.conv2d`` and ``F.max_pool2d`` / ``F.avg_pool2d``. Raises ``ValueError``
    for shapes that do not fit.
    """
    x = as_tensor(image, "image (H, W)", 2).unsqueeze(0) if np.ndim(image) == 2 else as_tensor(image, "image (C, H, W)", 3)
    dy, dx = (0, int(shift_px)) if np.ndim(shift_px) == 0 else (int(shift_px[0]), int(shift_px[1]))  # type: ignore[index]
    spec = _as_pool(pool)
    w = _as_weight(kernel, int(x.shape[0]))
    moved = shift_image(x, dy, dx)
    feat = trace(x, w).output
    feat_s = trace(moved, w).output
    pooled = pool_trace(feat, spec.kind, spec.size, spec.stride, spec.padding).output
    pooled_s = pool_trace(feat_s, spec.kind, spec.size, spec.stride, spec.padding).output
    # cells of the shifted map whose window lies inside the moved content (never the filled border)
    expected = shift_image(feat, dy, dx)
    h, wd = feat.shape[-2:]
    rows = slice(max(0, dy), h + min(0, dy))
    cols = slice(max(0, dx), wd + min(0, dx))
    diff = (feat_s - expected)[..., rows, cols]
    return ShiftDemo(
        image=x.to(torch.float32), shifted=moved.to(torch.float32), feature=feat, shifted_feature=feat_s,
        pooled=pooled, shifted_pooled=pooled_s, shift=(dy, dx), pool=spec,
        feature_shift_error=float(diff.abs().max()) if diff.numel() else 0.0,
        feature_unchanged_fraction=_unchanged(feat, feat_s),
        pooled_unchanged_fraction=_unchanged(pooled, pooled_s),
    )
