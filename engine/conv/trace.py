"""Step-by-step convolution that agrees with ``torch.nn.functional.conv2d``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import torch
import torch.nn.functional as F

from ..i18n import _
from .arith import check_padding_mode, output_size, same_padding

__all__ = ["ConvStep", "ConvTrace", "trace", "pad_input", "source_index", "resolve_padding", "as_tensor"]

_TORCH_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def as_tensor(a: object, name: str, ndim: int) -> torch.Tensor:
    """``a`` (numpy array, tensor or nested list) as a float64 CPU tensor with ``ndim`` dimensions."""
    t = a.detach() if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a, dtype=np.float64))
    t = t.to("cpu", torch.float64)
    if t.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(t.shape)}")
    return t


def resolve_padding(padding: int | str, f: int, d: int) -> int:
    """``padding`` as a number: an int as is, ``"valid"`` → 0, ``"same"`` → d(f−1)/2.

    Raises ``ValueError`` for 'same' when d(f−1) is odd (see :func:`same_padding`).
    """
    if isinstance(padding, str):
        if padding == "valid":
            return 0
        if padding == "same":
            return same_padding(f, d)
        raise ValueError(_("padding must be a number, 'valid' or 'same', not {value}").format(value=repr(padding)))
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"padding must be a whole number ≥ 0, not {padding!r}")
    return int(padding)


def source_index(n: int, p: int, mode: str) -> np.ndarray:
    """For each of the n+2p padded positions along an axis, the input index it shows (−1: a zero).

    (n + 2p,) int64. ``mode`` is a padding mode of :data:`PADDING_MODES`.
    """
    check_padding_mode(mode, n, p)
    idx = np.arange(n, dtype=np.int64)
    if mode == "zeros":
        return np.pad(idx, p, mode="constant", constant_values=-1)
    return np.pad(idx, p, mode=_NUMPY_MODES[mode])


def pad_input(x: torch.Tensor, p: int, mode: str = "zeros") -> torch.Tensor:
    """Pad (C, H, W) or (N, C, H, W) by ``p`` on every side with a padding mode → same rank, H+2p × W+2p."""
    h, w = x.shape[-2:]
    check_padding_mode(mode, min(h, w), p)
    if p == 0:
        return x
    batched = x if x.ndim == 4 else x.unsqueeze(0)
    out = F.pad(batched, (p, p, p, p), mode=_TORCH_MODES[mode])
    return out if x.ndim == 4 else out.squeeze(0)


@dataclass(frozen=True)
class ConvStep:
    """One output value of a convolution and how it was made.

    index: position in :attr:`ConvTrace.steps` (filter-major, then row-major).
    out_channel, row, col: the output cell written.
    rows, cols: the f padded-frame row/column indices the window reads (dilation applied).
    in_rows, in_cols: the same in the unpadded frame (values < 0 or ≥ n fall in the padding).
    window: (C_in, f, f) input values under the window (padding included).
    products: (C_in, f, f) weight × input, element-wise.
    channel_sums: (C_in,) sum of the products of each input channel.
    bias: the filter's bias; total: ``channel_sums.sum() + bias`` (before any activation).
    relu: whether the layer applies ReLU; activated: ``max(total, 0)`` with ReLU, else ``total``
    (the value written to the output either way).
    """

    index: int
    out_channel: int
    row: int
    col: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    in_rows: tuple[int, ...]
    in_cols: tuple[int, ...]
    window: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray
    bias: float
    total: float
    relu: bool = False
    activated: float = 0.0


class LazySteps(Sequence):
    """Steps of a trace built on demand from its arrays (cheap to hold thousands).

    Subclasses give ``__len__`` and ``_step(i)`` for ``0 <= i < len``; this
    class adds negative indices, slices and the range check.
    """

    def __init__(self, tr):
        self._t = tr

    def _step(self, i: int):
        raise NotImplementedError

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._step(k) for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"step {i} out of range 0..{n - 1}")
        return self._step(i)


class _ConvSteps(LazySteps):
    """The steps of a convolution trace."""

    def __len__(self) -> int:
        c_out = self._t.weight.shape[0]
        return c_out * self._t.out_size[0] * self._t.out_size[1]

    @overload
    def __getitem__(self, i: int) -> ConvStep: ...
    @overload
    def __getitem__(self, i: slice) -> list[ConvStep]: ...

    def __getitem__(self, i):
        return super().__getitem__(i)

    def _step(self, i: int) -> ConvStep:
        t = self._t
        ho, wo = t.out_size
        k, pos = divmod(i, ho * wo)
        r, c = divmod(pos, wo)
        f, d, s, p = t.kernel_size, t.dilation, t.stride, t.padding
        rows = tuple(r * s + a * d for a in range(f))
        cols = tuple(c * s + b * d for b in range(f))
        return ConvStep(
            index=i,
            out_channel=k,
            row=r,
            col=c,
            rows=rows,
            cols=cols,
            in_rows=tuple(v - p for v in rows),
            in_cols=tuple(v - p for v in cols),
            window=t.windows[pos],
            products=t.products[k, pos],
            channel_sums=t.channel_sums[k, pos],
            bias=float(t.bias[k]),
            total=float(t.totals[k, pos]),
            relu=t.relu,
            activated=max(float(t.totals[k, pos]), 0.0) if t.relu else float(t.totals[k, pos]),
        )


@dataclass
class ConvTrace:
    """A traced convolution: one layer of a CNN (convolution + bias, then ReLU when ``relu``).

    output: (C_out, H_out, W_out) float32, equal to ``F.conv2d`` with the same padding mode,
    followed by ``F.relu`` when ``relu`` is set. pre_activation: the same before ReLU (conv + bias).
    padded: (C_in, H+2p, W+2p) float64 input after padding.
    weight: (C_out, C_in, f, f) float64; bias: (C_out,) float64.
    windows: (L, C_in, f, f) input under each window, L = H_out·W_out (row-major).
    products: (C_out, L, C_in, f, f); channel_sums: (C_out, L, C_in); totals: (C_out, L).
    row_source / col_source: (H+2p,) / (W+2p,) input index shown by each padded row/column, −1 for a zero.
    """

    output: torch.Tensor
    padded: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    stride: int
    padding: int
    dilation: int
    padding_mode: str
    in_size: tuple[int, int]
    out_size: tuple[int, int]
    windows: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray
    totals: np.ndarray
    row_source: np.ndarray
    col_source: np.ndarray
    relu: bool = False
    pre_activation: torch.Tensor | None = None

    @property
    def kernel_size(self) -> int:
        return int(self.weight.shape[-1])

    @property
    def in_channels(self) -> int:
        return int(self.weight.shape[1])

    @property
    def out_channels(self) -> int:
        return int(self.weight.shape[0])

    @property
    def steps(self) -> Sequence[ConvStep]:
        """Every output value in order: filter 0 row by row, then filter 1, …"""
        return _ConvSteps(self)

    def is_padding(self, row: int, col: int) -> bool:
        """True when padded-frame cell (row, col) lies outside the original input."""
        p = self.padding
        h, w = self.in_size
        return not (p <= row < p + h and p <= col < p + w)


def trace(
    x: object,
    weight: object,
    bias: object | None = None,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    relu: bool = False,
) -> ConvTrace:
    """Convolve ``x`` (C_in, H, W) with ``weight`` (C_out, C_in, f, f) and record every step.

    bias: (C_out,) or None. padding: p ≥ 0, ``"valid"`` or ``"same"`` (stride 1
    keeps the size; odd d(f−1) raises). padding_mode: zeros, reflect,
    replicate or circular. The output equals ``torch.nn.Conv2d`` with the same
    settings to float32 precision (products are summed in float64).
    relu: apply ReLU after the bias (one layer of a CNN); each step then shows
    ``total`` (conv + bias) and ``activated`` (after ReLU), and ``output`` is the activated map.
    Raises ``ValueError`` with the reason for shapes that do not match or
    settings with no output.
    """
    xt = as_tensor(x, "input x (C_in, H, W)", 3)
    wt = as_tensor(weight, "weight (C_out, C_in, f, f)", 4)
    c_out, c_in, fh, fw = wt.shape
    if fh != fw:
        raise ValueError(f"kernels must be square, got {fh}×{fw}")
    if xt.shape[0] != c_in:
        raise ValueError(f"the input has {xt.shape[0]} channel(s) but each filter has {c_in}")
    if c_out < 1 or c_in < 1:
        raise ValueError("weight needs at least one filter and one channel")
    bt = torch.zeros(c_out, dtype=torch.float64) if bias is None else as_tensor(bias, "bias (C_out,)", 1)
    if bt.shape[0] != c_out:
        raise ValueError(f"bias has {bt.shape[0]} values for {c_out} filter(s)")
    f = int(fh)
    if isinstance(dilation, bool) or not isinstance(dilation, (int, np.integer)) or dilation < 1:
        raise ValueError(f"dilation must be a whole number ≥ 1, not {dilation!r}")
    p = resolve_padding(padding, f, int(dilation))
    h, w = int(xt.shape[1]), int(xt.shape[2])
    ho = output_size(h, f, p, stride, dilation)
    wo = output_size(w, f, p, stride, dilation)
    row_source = source_index(h, p, padding_mode)
    col_source = source_index(w, p, padding_mode)
    padded = pad_input(xt, p, padding_mode)
    cols = F.unfold(padded.unsqueeze(0), kernel_size=f, dilation=dilation, stride=stride)  # (1, C_in·f·f, L)
    windows = cols[0].T.reshape(-1, c_in, f, f)  # (L, C_in, f, f)
    products = wt.unsqueeze(1) * windows.unsqueeze(0)  # (C_out, L, C_in, f, f)
    channel_sums = products.sum(dim=(-1, -2))
    totals = channel_sums.sum(dim=-1) + bt.unsqueeze(1)
    pre = totals.reshape(c_out, ho, wo).to(torch.float32)
    return ConvTrace(
        output=torch.relu(pre) if relu else pre,
        padded=padded.numpy(),
        weight=wt.numpy(),
        bias=bt.numpy(),
        stride=int(stride),
        padding=p,
        dilation=int(dilation),
        padding_mode=padding_mode,
        in_size=(h, w),
        out_size=(ho, wo),
        windows=windows.numpy(),
        products=products.numpy(),
        channel_sums=channel_sums.numpy(),
        totals=totals.numpy(),
        row_source=row_source,
        col_source=col_source,
        relu=bool(relu),
        pre_activation=pre,
    )
