"""Convolution arithmetic: output size, 'same' padding, coverage, parameter counts, pooling sizes.

Plain numbers only (no torch), so ``convstudio conv size`` starts at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..i18n import _, join_list

__all__ = [
    "PADDING_MODES",
    "output_size",
    "check_padding_mode",
    "same_padding",
    "coverage",
    "coverage_line",
    "coverage_extremes",
    "ParamComparison",
    "conv_params",
    "compare_params",
    "resolve_padding",
    "POOL_KINDS",
    "PoolSpec",
    "check_pool",
]

#: Padding modes understood by :func:`engine.conv.trace` (as in ``torch.nn.Conv2d``).
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return int(value)


def output_size(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Output length of a convolution along one axis: ``⌊(n + 2p − d(f−1) − 1)/s⌋ + 1``.

    n: input size, f: kernel size, p: padding on each side, s: stride, d: dilation.
    Raises ``ValueError`` with a readable reason when an argument is out of
    range or the dilated kernel does not fit inside the padded input.
    """
    n = _check_int("input size n", n, 1)
    f = _check_int("kernel size f", f, 1)
    p = _check_int("padding p", p, 0)
    s = _check_int("stride s", s, 1)
    d = _check_int("dilation d", d, 1)
    span = d * (f - 1) + 1
    if span > n + 2 * p:
        text = (_("no output: the dilated kernel spans {span} cells (d(f−1)+1 = {d}·{f1}+1) but the padded input has only n+2p = {size}")
                if d > 1 else _("no output: the kernel spans {span} cells (d(f−1)+1 = {d}·{f1}+1) but the padded input has only n+2p = {size}"))
        raise ValueError(text.format(span=span, d=d, f1=f - 1, size=n + 2 * p))
    return (n + 2 * p - span) // s + 1


def check_padding_mode(mode: str, n: int, p: int) -> None:
    """Raise ``ValueError`` when padding ``p`` cannot be made with ``mode`` on a size-``n`` input.

    reflect mirrors without repeating the edge, so it needs p < n; circular
    wraps around, so it needs p ≤ n; zeros and replicate accept any p.
    """
    if mode not in PADDING_MODES:
        raise ValueError(_("unknown padding mode {mode}; choose one of {names}").format(mode=repr(mode), names=join_list(PADDING_MODES)))
    if mode == "reflect" and p >= n:
        raise ValueError(_("reflect padding needs p < n (it mirrors the input without repeating the edge): p={p}, n={n}").format(p=p, n=n))
    if mode == "circular" and p > n:
        raise ValueError(_("circular padding needs p ≤ n (it wraps the input around once): p={p}, n={n}").format(p=p, n=n))


def same_padding(f: int, d: int = 1) -> int:
    """The symmetric padding that keeps the size at stride 1: ``p = d(f−1)/2``.

    Raises ``ValueError`` explaining why when ``d(f−1)`` is odd (an even kernel
    without dilation): the window has no centre cell, so 'same' would need one
    more padding row/column on one side than the other, which a single
    symmetric ``p`` cannot express.
    """
    f = _check_int("kernel size f", f, 1)
    d = _check_int("dilation d", d, 1)
    total = d * (f - 1)
    if total % 2:
        raise ValueError(_(
            "'same' is impossible with symmetric padding for f={f}, d={d}: the output keeps the size only if "
            "2p = d(f−1) = {total}, which is odd. An even kernel has no centre cell, so one side would need "
            "{low} and the other {high} (PyTorch's padding='same' pads the extra one on the "
            "right and bottom). Use an odd kernel size, or choose p yourself."
        ).format(f=f, d=d, total=total, low=total // 2, high=total // 2 + 1))
    return total // 2


def coverage(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> np.ndarray:
    """How many convolution windows use each input pixel: an (n, n) int64 array.

    Without padding the corners are used once and the centre up to f² times;
    padding lets the windows reach the edges as often as the middle. A pixel
    counts when a window reads it at its own position (copies of it that
    reflect/replicate/circular padding places in the border are not counted).
    Raises ``ValueError`` like :func:`output_size`.
    """
    line = coverage_line(n, f, p, s, d)
    return np.outer(line, line)


def coverage_line(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> np.ndarray:
    """Windows per input row (or column): an (n,) int64 array; :func:`coverage` is its outer product.

    Its min² and max² are the coverage map's extremes without building the n×n map.
    """
    o = output_size(n, f, p, s, d)
    line = np.zeros(n, dtype=np.int64)
    for k in range(o):
        for t in range(f):
            i = k * s + t * d - p
            if 0 <= i < n:
                line[i] += 1
    return line


def coverage_extremes(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> tuple[int, int]:
    """(fewest, most) windows using one input pixel along an axis: min and max of :func:`coverage_line`.

    Integer arithmetic only, in O(f²) steps whatever n, p, s and d are, so huge
    sizes answer at once. Window k tap t reads pixel ``k·s + t·d − p``: for each tap t
    the pixels read form an arithmetic progression of step s, so the pixels of one
    residue class mod s see a piecewise-constant count whose pieces start at the
    progressions' ends. Raises ``ValueError`` like :func:`output_size`.
    """
    o = output_size(n, f, p, s, d)
    f, p, s, d = int(f), int(p), int(s), int(d)
    starts = [t * d - p for t in range(f)]  # pixel read by window 0 through tap t
    by_class: dict[int, list[int]] = {}
    for a in starts:
        by_class.setdefault(a % s, []).append(a)
    lo, hi = None, 0
    for r, firsts in by_class.items():
        spans = [(a, a + (o - 1) * s) for a in firsts]
        cuts = sorted({0, n, *(a for a, _ in spans if 0 < a < n), *(b + 1 for _, b in spans if 0 < b + 1 < n)})
        for left, right in zip(cuts, cuts[1:]):
            i = left + (r - left) % s  # first pixel of this class in [left, right)
            if i < right:
                count = sum(a <= i <= b for a, b in spans)
                lo = count if lo is None else min(lo, count)
                hi = max(hi, count)
    # pixels of a class no tap lands on are never read
    classes_present = n if n < s else s
    hit_classes = sum(1 for r in by_class if n >= s or r < n)
    if classes_present > hit_classes:
        lo = 0
    return (0 if lo is None else lo), hi


def conv_params(f: int, c_in: int, c_out: int, bias: bool = True) -> int:
    """Learnable parameters of a conv layer: ``(f·f·c_in + 1)·c_out`` (no ``+1`` without bias)."""
    return (f * f * c_in + (1 if bias else 0)) * c_out


@dataclass(frozen=True)
class ParamComparison:
    """A conv layer beside the fully connected layer mapping the same input to the same output size.

    in_shape / out_shape: (C, H, W).
    """

    in_shape: tuple[int, int, int]
    out_shape: tuple[int, int, int]
    conv_weights: int
    conv_biases: int
    dense_weights: int
    dense_biases: int

    @property
    def conv_total(self) -> int:
        return self.conv_weights + self.conv_biases

    @property
    def dense_total(self) -> int:
        return self.dense_weights + self.dense_biases

    @property
    def ratio(self) -> float:
        """How many times more parameters the fully connected layer needs."""
        return self.dense_total / self.conv_total


def compare_params(n: int, c_in: int, f: int, c_out: int, p: int = 0, s: int = 1, d: int = 1, bias: bool = True) -> ParamComparison:
    """Compare an n×n×c_in → o×o×c_out conv layer with the equivalent dense layer.

    For 32×32×3 → 28×28×6 with 5×5 filters: 456 conv parameters against
    14,450,688 dense weights plus 4,704 biases.
    """
    o = output_size(n, f, p, s, d)
    inputs = c_in * n * n
    outputs = c_out * o * o
    return ParamComparison(
        in_shape=(c_in, n, n),
        out_shape=(c_out, o, o),
        conv_weights=f * f * c_in * c_out,
        conv_biases=c_out if bias else 0,
        dense_weights=inputs * outputs,
        dense_biases=outputs if bias else 0,
    )


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
        raise ValueError(_("padding must be a whole number ≥ 0, not {value}").format(value=repr(padding)))
    return int(padding)


#: ``max`` and ``avg`` windows (size, stride, padding); ``global`` averages each whole map.
POOL_KINDS = ("max", "avg", "global")


@dataclass(frozen=True)
class PoolSpec:
    """A pooling layer: kind (max, avg, global), window size, stride, padding."""

    kind: str = "max"
    size: int = 2
    stride: int = 2
    padding: int = 0


def check_pool(kind: str, size: int, stride: int, padding: int, h: int, w: int) -> tuple[int, int]:
    """Validate a pooling of an h×w map; returns the output size (rows, cols).

    Raises ``ValueError`` with the reason: unknown kind, padding more than half
    the window (PyTorch's rule), or a window that does not fit.
    """
    if kind not in POOL_KINDS:
        raise ValueError(f"unknown pooling {kind!r}; choose one of {', '.join(POOL_KINDS)}")
    if kind == "global":
        return 1, 1
    for name, v, low in (("pool size", size, 1), ("pool stride", stride, 1), ("pool padding", padding, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{name} must be a whole number ≥ {low}, not {v!r}")
    if 2 * padding > size:
        raise ValueError(_("pool padding must be at most half the window: padding {padding}, size {size}").format(padding=padding, size=size))
    try:
        return output_size(h, size, padding, stride), output_size(w, size, padding, stride)
    except ValueError as exc:
        raise ValueError(_("pooling has no output: a {size}×{size} window does not fit a {h}×{w} map with padding {padding}").format(
            size=size, h=h, w=w, padding=padding)) from exc
