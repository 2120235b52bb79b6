"""Step-by-step pooling that agrees with ``F.max_pool2d`` / ``F.avg_pool2d``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .arith import POOL_KINDS, PoolSpec, check_pool
from .trace import LazySteps, as_tensor

__all__ = ["POOL_KINDS", "PoolSpec", "PoolStep", "PoolTrace", "pool_trace", "check_pool"]

@dataclass(frozen=True)
class PoolStep:
    """One pooled value.

    channel, row, col: the output cell written. rows, cols: padded-frame indices
    of the window (for ``global``: every row/column). values: (kh, kw) window
    (−inf for max-pool padding, 0 for average padding). result: the pooled
    value. argmax: (row, col) padded-frame cell of the maximum (max pooling only).
    """

    index: int
    channel: int
    row: int
    col: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    values: np.ndarray
    result: float
    argmax: tuple[int, int] | None


class _PoolSteps(LazySteps):
    """The steps of a pooling trace."""

    def __len__(self) -> int:
        return self._t.values.shape[0] * self._t.values.shape[1]

    def _step(self, i: int) -> PoolStep:
        t = self._t
        ho, wo = t.out_size
        ch, pos = divmod(i, ho * wo)
        r, c = divmod(pos, wo)
        kh, kw = t.window
        rows = tuple(r * t.stride + a for a in range(kh))
        cols = tuple(c * t.stride + b for b in range(kw))
        vals = t.values[ch, pos]
        argmax = None
        if t.kind == "max":
            a, b = divmod(int(np.argmax(vals)), kw)
            argmax = (rows[a], cols[b])
        return PoolStep(i, ch, r, c, rows, cols, vals, float(t.results[ch, pos]), argmax)


@dataclass
class PoolTrace:
    """A traced pooling.

    output: (C, H_out, W_out) float32, equal to ``F.max_pool2d`` / ``F.avg_pool2d``
    (``count_include_pad=True``) / ``F.adaptive_avg_pool2d(x, 1)`` for global.
    values: (C, L, kh, kw) windows; results: (C, L) pooled values.
    """

    output: torch.Tensor
    kind: str
    window: tuple[int, int]
    stride: int
    padding: int
    in_size: tuple[int, int]
    out_size: tuple[int, int]
    values: np.ndarray
    results: np.ndarray

    @property
    def steps(self) -> Sequence[PoolStep]:
        """Every pooled value in order: channel 0 row by row, then channel 1, …"""
        return _PoolSteps(self)


def pool_trace(x: object, kind: str, size: int = 2, stride: int | None = None, padding: int = 0) -> PoolTrace:
    """Pool ``x`` (C, H, W), or a single (H, W) grid, and record every window.

    Pooling needs no convolution first: ``pool_trace([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3],
    [5, 6, 1, 2]], "max", 2, 2).output`` is ``[[[9, 2], [6, 3]]]`` (a 2-D input gives C = 1).
    kind: ``max``, ``avg`` or ``global`` (global average: size/stride/padding ignored).
    stride defaults to ``size``. Raises ``ValueError`` like :func:`check_pool`.
    """
    if np.ndim(x) == 2:
        x = as_tensor(x, "input x (H, W)", 2).unsqueeze(0)
    xt = as_tensor(x, "input x (C, H, W)", 3)
    c, h, w = (int(v) for v in xt.shape)
    stride = size if stride is None else stride
    ho, wo = check_pool(kind, size, stride, padding, h, w)
    if kind == "global":
        kh, kw, stride, padding = h, w, 1, 0
    else:
        kh = kw = int(size)
    fill = float("-inf") if kind == "max" else 0.0
    padded = F.pad(xt.unsqueeze(0), (padding,) * 4, value=fill) if padding else xt.unsqueeze(0)
    cols = F.unfold(padded.reshape(c, 1, h + 2 * padding, w + 2 * padding), kernel_size=(kh, kw), stride=stride)  # (C, kh·kw, L)
    values = cols.permute(0, 2, 1).reshape(c, -1, kh, kw)
    if kind == "max":
        results = values.amax(dim=(-1, -2))
    else:
        results = values.sum(dim=(-1, -2)) / (kh * kw)
    return PoolTrace(
        output=results.reshape(c, ho, wo).to(torch.float32),
        kind=kind,
        window=(kh, kw),
        stride=int(stride),
        padding=int(padding),
        in_size=(h, w),
        out_size=(ho, wo),
        values=values.numpy(),
        results=results.numpy(),
    )
