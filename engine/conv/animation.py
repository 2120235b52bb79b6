"""The animation of a convolution (then its pooling): ordered steps, colours and frame geometry.

Both the app's animation widget and the GIF/MP4 exporter draw from the same
:class:`FrameLayout`, so what is exported is what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..i18n import _
from .pool import PoolStep, PoolTrace
from .trace import ConvStep, ConvTrace

__all__ = ["Animation", "GridBox", "FrameLayout", "SHOWN_CHANNELS", "frame_layout", "shown_channels", "value_colours", "text_colour", "fmt"]

_POS = np.array([214, 96, 77], dtype=np.float64)
_NEG = np.array([67, 147, 195], dtype=np.float64)
_WHITE = np.array([255, 255, 255], dtype=np.float64)


def value_colours(values: np.ndarray, vmax: float) -> np.ndarray:
    """Diverging colours for ``values`` (any shape) → (..., 3) uint8: blue below 0, white at 0, red above, saturating at ±vmax."""
    t = np.clip(np.asarray(values, dtype=np.float64) / (vmax if vmax > 0 else 1.0), -1.0, 1.0)[..., None]
    a = np.abs(t)
    rgb = np.where(t >= 0, _WHITE * (1 - a) + _POS * a, _WHITE * (1 - a) + _NEG * a)
    return rgb.round().astype(np.uint8)


def text_colour(rgb: np.ndarray) -> tuple[int, int, int]:
    """Black or white, whichever reads better on ``rgb`` (3,)."""
    r, g, b = (float(v) for v in rgb[:3])
    return (20, 20, 20) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else (255, 255, 255)


def fmt(v: float) -> str:
    """A short label for a cell value: integers as is, others with up to 2 decimals (3 significant)."""
    if not np.isfinite(v):
        return "−∞" if v < 0 else "∞"
    if abs(v - round(v)) < 1e-9:
        s = str(int(round(v)))
    elif abs(v) >= 100:
        s = f"{v:.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    else:
        s = f"{v:.2f}".rstrip("0").rstrip(".")
    return s.replace("-", "−")


@dataclass
class Animation:
    """The steps of a convolution followed by those of its pooling (if any).

    Step k < len(conv.steps) writes conv output k (filter-major, row-major);
    later steps write pooled values.
    """

    conv: ConvTrace
    pool: PoolTrace | None = None
    #: Pooling straight on the input: ``conv`` is then the identity (its output is the input)
    #: and only the pooling windows are steps.
    pool_only: bool = False

    @property
    def _conv_len(self) -> int:
        return 0 if self.pool_only else len(self.conv.steps)

    def __len__(self) -> int:
        return self._conv_len + (len(self.pool.steps) if self.pool is not None else 0)

    def step(self, k: int) -> ConvStep | PoolStep:
        """Step ``k`` (0 ≤ k < len)."""
        n = self._conv_len
        return self.conv.steps[k] if k < n else self.pool.steps[k - n]  # type: ignore[union-attr]

    def conv_filled(self, k: int) -> int:
        """How many conv outputs are written once step ``k`` is shown (all of them when pooling only)."""
        return len(self.conv.steps) if self.pool_only else min(k + 1, len(self.conv.steps))

    def pool_filled(self, k: int) -> int:
        """How many pooled outputs are written once step ``k`` is shown."""
        return max(0, k + 1 - self._conv_len) if self.pool is not None else 0

    def out_values(self) -> np.ndarray:
        """(C_out, H_out, W_out) values written to the output: after ReLU when the layer has one."""
        return self.conv.output.numpy().astype(np.float64)

    def vmax(self) -> float:
        """The colour scale's limit shared by inputs and kernels (largest |value|)."""
        return float(max(np.abs(self.conv.padded).max(initial=0.0), 1e-9))

    def out_vmax(self) -> float:
        """The colour scale's limit of outputs and pooled values."""
        return float(max(np.abs(self.conv.totals).max(initial=0.0), 1e-9))


@dataclass(frozen=True)
class GridBox:
    """A grid of cells drawn at (x, y): ``kind`` input/kernel/products/output/pooled, ``index`` its channel or filter."""

    kind: str
    index: int
    x: float
    y: float
    rows: int
    cols: int
    cell: float
    label: str

    @property
    def width(self) -> float:
        return self.cols * self.cell

    @property
    def height(self) -> float:
        return self.rows * self.cell

    def cell_rect(self, r: int, c: int) -> tuple[float, float, float, float]:
        """(x, y, w, h) of cell (r, c)."""
        return (self.x + c * self.cell, self.y + r * self.cell, self.cell, self.cell)


@dataclass
class FrameLayout:
    """Where everything goes in a frame of ``width`` × ``height`` pixels.

    grids: every grid box; sums: (x, y) of each channel's "Σ = …" text;
    title: (x, y) of the step's caption line; label_h: height of a label line.
    """

    width: float
    height: float
    cell: float
    kcell: float
    label_h: float
    title: tuple[float, float]
    grids: list[GridBox] = field(default_factory=list)
    sums: list[tuple[float, float]] = field(default_factory=list)
    #: The input channel of each entry of ``sums`` (beyond :data:`SHOWN_CHANNELS` only some are drawn).
    sum_channels: list[int] = field(default_factory=list)

    def find(self, kind: str, index: int = 0) -> GridBox | None:
        return next((g for g in self.grids if g.kind == kind and g.index == index), None)


_CHANNEL_NAMES = {1: ("",), 3: ("R", "G", "B")}
#: Up to this many input channels are drawn one row each; beyond, the first two and the last
#: are drawn and a line says how many are folded in between (a 6×6×32 input stays readable).
SHOWN_CHANNELS = 4


def shown_channels(c_in: int) -> list[int]:
    """The input channels a frame draws: all up to :data:`SHOWN_CHANNELS`, else the first two and the last."""
    return list(range(c_in)) if c_in <= SHOWN_CHANNELS else [0, 1, c_in - 1]


def frame_layout(
    anim: Animation,
    cell: float,
    kcell: float | None = None,
    label_h: float = 18.0,
    margin: float = 10.0,
    gap: float = 14.0,
    sum_w: float = 96.0,
    out_cols: int = 1,
    pool_below: bool = False,
) -> FrameLayout:
    """Lay out a frame: input channels (padded) with the current filter's kernels and products
    beside them, then the output maps (one per filter), then the pooled maps.

    cell: pixel size of input/output/pooled cells; kcell: of kernel/product cells (default max(cell, 34)).
    out_cols: output maps per row (1 or 2); pool_below: pooled maps under the outputs instead of beside them.
    """
    t = anim.conv
    kcell = max(cell, 34.0) if kcell is None else kcell
    c_in, c_out, f = t.in_channels, t.out_channels, t.kernel_size
    hp, wp = t.padded.shape[1:]
    ho, wo = t.out_size
    title_y = margin
    top = margin + label_h + 6
    names = _CHANNEL_NAMES.get(c_in, tuple(str(i + 1) for i in range(c_in)))
    lay = FrameLayout(0, 0, cell, kcell, label_h, (margin, title_y))
    x_in = margin
    x_k = x_in + max(wp * cell, 8 * label_h) + gap
    k_w = f * kcell if f > 2 else max(f * kcell, 3.2 * label_h)  # a 1×1 kernel still leaves room for its label
    x_p = x_k + k_w + gap
    x_sum = x_p + k_w + 6
    x_out = x_sum + sum_w + gap
    y = top
    row_h = max(hp * cell, f * kcell)
    shown = [] if anim.pool_only else shown_channels(c_in)
    for i, ch in enumerate(shown):
        if i == 2 and ch != 2:  # the folded channels between the second and the last
            lay.grids.append(GridBox("more", ch, x_in, y + label_h, 0, 0, cell,
                                     _("⋮ channels 3–{last} folded: every channel adds its Σ").format(last=c_in - 1)))
            y += 2 * label_h
        pad = _("input {name} (p={p}, {mode})").format(name=names[ch], p=t.padding, mode=t.padding_mode) if t.padding else _("input {name}").format(name=names[ch])
        lay.grids.append(GridBox("input", ch, x_in, y + label_h, hp, wp, cell, pad.replace("  ", " ").strip()))
        ky = y + label_h + (row_h - f * kcell) / 2 if hp * cell > f * kcell else y + label_h
        lay.grids.append(GridBox("kernel", ch, x_k, ky, f, f, kcell, _("kernel {name}").format(name=names[ch]).strip()))
        lay.grids.append(GridBox("products", ch, x_p, ky, f, f, kcell, _("products")))
        lay.sums.append((x_sum, ky + f * kcell / 2))
        lay.sum_channels.append(ch)
        y += label_h + row_h + gap
    left_bottom = y
    if anim.pool_only:
        x_out = margin

    def place(kind: str, rows: int, cols: int, c: float, x0: float, y0: float, label) -> tuple[float, float]:
        """Grids of ``kind`` for every filter, ``out_cols`` per row; returns their right and bottom edges."""
        w = max(cols * c, 6 * label_h)
        ncols = max(1, min(out_cols, c_out))
        right, bottom = x0, y0
        for k in range(c_out):
            gx = x0 + (k % ncols) * (w + gap)
            gy = y0 + (k // ncols) * (label_h + rows * c + gap)
            lay.grids.append(GridBox(kind, k, gx, gy + label_h, rows, cols, c, label(k)))
            right, bottom = max(right, gx + w), max(bottom, gy + label_h + rows * c + gap)
        return right, bottom

    if anim.pool_only:
        out_label = (lambda k: _("input {name}").format(name=names[k]).strip()) if c_out == c_in else (lambda k: _("input {name}").format(name=k + 1))
    elif t.relu:
        out_label = lambda k: _("output {k} after ReLU").format(k=k + 1)  # noqa: E731
    else:
        out_label = lambda k: _("output {k}").format(k=k + 1)  # noqa: E731
    right, bottom = place("output", ho, wo, cell, x_out, top, out_label)
    if anim.pool is not None:
        pr, pc = anim.pool.out_size
        pool_label = {"max": _("max pool {k}"), "avg": _("avg pool {k}"), "global": _("global pool {k}")}[anim.pool.kind]
        if pool_below:
            r2, bottom = place("pooled", pr, pc, cell, x_out, bottom, lambda k: pool_label.format(k=k + 1))
        else:
            r2, b2 = place("pooled", pr, pc, cell, right + gap, top, lambda k: pool_label.format(k=k + 1))
            bottom = max(bottom, b2)
        right = max(right, r2)
    bottom = max(left_bottom, bottom)
    lay.width = right + margin
    lay.height = bottom - gap + margin + 4
    return lay
