"""The convolution animation: padded input, window, kernels, products, sums and the output filling up."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.conv import Animation, FrameLayout, GridBox, PoolStep, fmt, frame_layout, step_caption, value_colours

from engine.i18n import _

from ..qimage import rgb_to_qimage

__all__ = ["ConvAnimationView", "fit_layout"]

_HIGHLIGHT = QColor(255, 176, 0)
_PAD = np.array([150, 150, 150], dtype=np.float64)


def fit_layout(anim: Animation, width: float, height: float) -> FrameLayout:
    """The frame layout with the largest cells that fits width × height (the smallest one if none fits).

    Kernel and product cells stay 34–46 px so their numbers are readable; when
    even the smallest grid cells leave no room for that (many channels, large
    kernels, a small window) the kernel cells shrink too rather than being cut off.
    """
    best: FrameLayout | None = None
    for kmin in (34.0, 28.0, 22.0, 16.0, 12.0, 8.0, 5.0, 3.0):
        best = _fit_cells(anim, width, height, kmin)
        if best.width <= width and best.height <= height:
            break
    return best  # type: ignore[return-value]


def _fit_cells(anim: Animation, width: float, height: float, kmin: float) -> FrameLayout:
    """The best-fitting layout with kernel cells of at least ``kmin`` px."""
    arrangements = [(1, False), (2, False), (1, True), (2, True)] if anim.conv.out_channels > 1 or anim.pool is not None else [(1, False)]
    best: FrameLayout | None = None
    for out_cols, pool_below in arrangements:
        lo, hi = 2.0, 60.0
        for _round in range(14):  # bisection on the cell size
            mid = (lo + hi) / 2
            lay = frame_layout(anim, mid, kcell=float(min(max(mid, kmin), 46)), out_cols=out_cols, pool_below=pool_below)
            if lay.width <= width and lay.height <= height:
                lo = mid
            else:
                hi = mid
        lay = frame_layout(anim, float(int(lo)) if lo >= 8 else lo, kcell=float(min(max(lo, kmin), 46)), out_cols=out_cols, pool_below=pool_below)
        if best is None or _better(lay, best, width, height):
            best = lay
    return best  # type: ignore[return-value]


def _better(a: FrameLayout, b: FrameLayout, width: float, height: float) -> bool:
    """Whether layout ``a`` beats ``b``: one that fits beats one that does not; then larger cells win."""
    fits_a = a.width <= width and a.height <= height
    fits_b = b.width <= width and b.height <= height
    if fits_a != fits_b:
        return fits_a
    return a.cell > b.cell


class ConvAnimationView(QWidget):
    """Draws step :meth:`step` of an :class:`~engine.conv.Animation`.

    Colour images of every grid are made once per animation; a frame only
    blits them, outlines the window and writes the numbers that fit.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.anim: Animation | None = None
        self._step = 0
        self._layout: FrameLayout | None = None
        self._layout_size = QSize()
        self._images: dict[tuple[str, int], QImage] = {}
        self._colours: dict[tuple[str, int], np.ndarray] = {}
        self.message = ""
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # -- data --

    def set_animation(self, anim: Animation | None, message: str = "") -> None:
        """Show ``anim`` (or ``message`` when None). Colour images are built here, once."""
        self.anim = anim
        self.message = message
        self._layout = None
        self._images.clear()
        self._colours.clear()
        if anim is not None:
            t = anim.conv
            vmax, ovmax = anim.vmax(), anim.out_vmax()
            hp, wp = t.padded.shape[1:]
            pad = np.zeros((hp, wp), dtype=bool)
            p = t.padding
            pad[:p, :] = pad[hp - p :, :] = pad[:, :p] = pad[:, wp - p :] = True
            for ch in range(t.in_channels):
                rgb = value_colours(t.padded[ch], vmax).astype(np.float64)
                rgb[pad] = rgb[pad] * 0.45 + _PAD * 0.55
                self._colours[("input", ch)] = rgb.astype(np.uint8)
            ho, wo = t.out_size
            out = anim.out_values()
            for k in range(t.out_channels):
                self._colours[("output", k)] = value_colours(out[k], ovmax)
            if anim.pool is not None:
                pr, pc = anim.pool.out_size
                pooled = anim.pool.results.reshape(-1, pr, pc)
                for k in range(pooled.shape[0]):
                    self._colours[("pooled", k)] = value_colours(pooled[k], ovmax)
            self._images = {key: rgb_to_qimage(np.ascontiguousarray(rgb)) for key, rgb in self._colours.items()}
        self._step = min(self._step, max(0, len(anim) - 1)) if anim is not None else 0
        self.update()

    def set_step(self, k: int) -> None:
        self._step = int(k)
        self.update()

    def step(self) -> int:
        return self._step

    def highlighted_window(self) -> list[tuple[int, int]]:
        """Padded-frame (row, col) cells under the current window (conv steps), or the pooled window's cells of the output."""
        if self.anim is None:
            return []
        s = self.anim.step(self._step)
        return [(r, c) for r in s.rows for c in s.cols]

    def layout_now(self) -> FrameLayout | None:
        """The layout for the current size (cached)."""
        if self.anim is None:
            return None
        if self._layout is None or self._layout_size != self.size():
            self._layout = fit_layout(self.anim, self.width(), self.height())
            self._layout_size = self.size()
        return self._layout

    def sizeHint(self) -> QSize:
        return QSize(760, 520)

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._layout = None
        super().resizeEvent(event)

    # -- drawing --

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        try:
            self.paint(painter)
        finally:
            painter.end()

    def paint(self, painter: QPainter) -> None:
        """Draw the current frame with ``painter`` (also used to render offscreen)."""
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        ink = pal.color(QPalette.ColorRole.Text)
        if self.anim is None:
            painter.setPen(QColor(200, 60, 50))
            f = painter.font()
            f.setPointSizeF(f.pointSizeF() * 1.1)
            painter.setFont(f)
            painter.drawText(self.rect().adjusted(30, 30, -30, -30), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message or _("Nothing to show"))
            return
        lay = self.layout_now()
        anim, k = self.anim, min(self._step, len(self.anim) - 1)
        t = anim.conv
        step = anim.step(k)
        is_pool = isinstance(step, PoolStep)
        cstep = t.steps[len(t.steps) - 1] if is_pool else step
        ox = max(0.0, (self.width() - lay.width) / 2)
        oy = min(max(0.0, (self.height() - lay.height) / 3), 24.0)
        painter.save()
        painter.translate(ox, oy)
        label_font = QFont(painter.font())
        label_font.setPixelSize(int(lay.label_h * 0.72))
        ho, wo = t.out_size
        for box in lay.grids:
            painter.setFont(label_font)
            painter.setPen(ink)
            painter.drawText(QRectF(box.x, box.y - lay.label_h, max(box.width, 160 if box.kind != "more" else lay.width), lay.label_h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, box.label)
            if box.kind == "input":
                self._blit(painter, box, self._images[("input", box.index)], box.rows * box.cols)
                self._grid_lines(painter, box)
                self._hatch_padding(painter, box, t.padding)
                if box.cell >= 17:
                    self._numbers(painter, box, t.padded[box.index], self._colours[("input", box.index)])
                if not is_pool:
                    self._window(painter, box, cstep.rows, cstep.cols)
            elif box.kind in ("kernel", "products"):
                vals = t.weight[cstep.out_channel, box.index] if box.kind == "kernel" else cstep.products[box.index]
                lim = np.abs(t.weight).max() if box.kind == "kernel" else np.abs(cstep.products).max()
                cols = value_colours(vals, float(max(lim, 1e-9)))
                for r in range(box.rows):
                    for c in range(box.cols):
                        x, y, w, h = box.cell_rect(r, c)
                        painter.fillRect(QRectF(x, y, w, h), QColor(*(int(v) for v in cols[r, c])))
                self._grid_lines(painter, box)
                self._numbers(painter, box, vals, cols)
                if is_pool:  # the kernels rest while the pooling runs
                    veil = QColor(pal.color(QPalette.ColorRole.Base))
                    veil.setAlpha(170)
                    painter.fillRect(QRectF(box.x, box.y, box.width, box.height), veil)
            elif box.kind == "output":
                filled = int(min(max(anim.conv_filled(k) - box.index * ho * wo, 0), ho * wo))
                painter.fillRect(QRectF(box.x, box.y, box.width, box.height), QColor(244, 244, 244))
                self._blit(painter, box, self._images[("output", box.index)], filled)
                self._grid_lines(painter, box)
                if box.cell >= 17:
                    self._numbers(painter, box, anim.out_values()[box.index], self._colours[("output", box.index)], filled)
                if is_pool and box.index == step.channel:
                    p = anim.pool.padding  # type: ignore[union-attr]
                    self._window(painter, box, tuple(r - p for r in step.rows), tuple(c - p for c in step.cols))
                elif not is_pool and box.index == step.out_channel:
                    self._window(painter, box, (step.row,), (step.col,), thick=True)
            elif box.kind == "pooled":
                pr, pc = anim.pool.out_size  # type: ignore[union-attr]
                filled = int(min(max(anim.pool_filled(k) - box.index * pr * pc, 0), pr * pc))
                painter.fillRect(QRectF(box.x, box.y, box.width, box.height), QColor(244, 244, 244))
                self._blit(painter, box, self._images[("pooled", box.index)], filled)
                self._grid_lines(painter, box)
                if box.cell >= 17:
                    self._numbers(painter, box, anim.pool.results.reshape(-1, pr, pc)[box.index], self._colours[("pooled", box.index)], filled)  # type: ignore[union-attr]
                if is_pool and box.index == step.channel:
                    self._window(painter, box, (step.row,), (step.col,), thick=True)
        painter.setFont(label_font)
        painter.setPen(ink)
        if not is_pool:
            for ch, (sx, sy) in zip(lay.sum_channels, lay.sums):
                painter.drawText(QPointF(sx, sy + lay.label_h * 0.25), f"Σ = {fmt(float(cstep.channel_sums[ch]))}")
        title = QFont(label_font)
        title.setPixelSize(int(lay.label_h * 0.85))
        title.setBold(True)
        text = _("Step {k}/{n}:  {caption}").format(k=k + 1, n=len(anim), caption=step_caption(anim, k))
        room = self.width() - ox - lay.title[0] - 4
        while title.pixelSize() > 9 and QFontMetrics(title).horizontalAdvance(text) > room:  # long captions shrink, never cut
            title.setPixelSize(title.pixelSize() - 1)
        painter.setFont(title)
        painter.drawText(QRectF(lay.title[0], lay.title[1], max(room, 100), lay.label_h + 4), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()

    def _blit(self, painter: QPainter, box: GridBox, image: QImage, filled: int) -> None:
        """Draw the first ``filled`` cells (row-major) of ``image`` scaled into ``box``."""
        if filled <= 0:
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        full, rem = divmod(filled, box.cols)
        if full:
            painter.drawImage(QRectF(box.x, box.y, box.width, full * box.cell), image, QRectF(0, 0, box.cols, full))
        if rem and full < box.rows:
            painter.drawImage(QRectF(box.x, box.y + full * box.cell, rem * box.cell, box.cell), image, QRectF(0, full, rem, 1))

    def _grid_lines(self, painter: QPainter, box: GridBox) -> None:
        if box.cell < 5:
            painter.setPen(QPen(QColor(160, 160, 160), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(box.x, box.y, box.width, box.height))
            return
        painter.setPen(QPen(QColor(175, 175, 175), 1))
        lines = [QPointF(v, w) for i in range(box.cols + 1) for v, w in ((box.x + i * box.cell, box.y), (box.x + i * box.cell, box.y + box.height))]
        lines += [QPointF(v, w) for i in range(box.rows + 1) for v, w in ((box.x, box.y + i * box.cell), (box.x + box.width, box.y + i * box.cell))]
        painter.drawLines(lines)

    def _hatch_padding(self, painter: QPainter, box: GridBox, p: int) -> None:
        if p <= 0:
            return
        brush = QBrush(QColor(90, 90, 90, 120), Qt.BrushStyle.BDiagPattern)
        c = box.cell
        inner = QRectF(box.x + p * c, box.y + p * c, box.width - 2 * p * c, box.height - 2 * p * c)
        for r in (
            QRectF(box.x, box.y, box.width, p * c),
            QRectF(box.x, inner.bottom(), box.width, p * c),
            QRectF(box.x, inner.top(), p * c, inner.height()),
            QRectF(inner.right(), inner.top(), p * c, inner.height()),
        ):
            painter.fillRect(r, brush)
        painter.setPen(QPen(QColor(60, 60, 60), 1, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(inner)

    def _numbers(self, painter: QPainter, box: GridBox, values: np.ndarray, colours: np.ndarray, filled: int | None = None) -> None:
        font = QFont(painter.font())
        base = max(7, int(box.cell * 0.4))
        for r in range(box.rows):
            for c in range(box.cols):
                if filled is not None and r * box.cols + c >= filled:
                    return
                label = fmt(float(values[r, c]))
                size = int(min(base, 0.95 * box.cell / (0.6 * max(len(label), 1))))
                if size < 7:
                    continue
                font.setPixelSize(size)
                painter.setFont(font)
                rgb = colours[r, c]
                light = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140
                painter.setPen(QColor(20, 20, 20) if light else QColor(255, 255, 255))
                x, y, w, h = box.cell_rect(r, c)
                painter.drawText(QRectF(x, y, w, h), Qt.AlignmentFlag.AlignCenter, label)

    def _window(self, painter: QPainter, box: GridBox, rows: tuple[int, ...], cols: tuple[int, ...], thick: bool = False) -> None:
        rows = tuple(r for r in rows if 0 <= r < box.rows)
        cols = tuple(c for c in cols if 0 <= c < box.cols)
        if not rows or not cols:
            return
        painter.setBrush(Qt.BrushStyle.NoBrush)
        width = 3 if thick or box.cell >= 12 else 2
        painter.setPen(QPen(_HIGHLIGHT, width))
        if len(rows) > 1 or len(cols) > 1:
            for r in rows:
                for c in cols:
                    x, y, w, h = box.cell_rect(r, c)
                    painter.drawRect(QRectF(x + 1, y + 1, w - 2, h - 2))
            painter.setPen(QPen(QColor(30, 30, 30), 1))
            x0, y0, _w0, _h0 = box.cell_rect(rows[0], cols[0])
            x1, y1, w, h = box.cell_rect(rows[-1], cols[-1])
            painter.drawRect(QRectF(x0 - 1, y0 - 1, x1 + w - x0 + 2, y1 + h - y0 + 2))
        else:
            x, y, w, h = box.cell_rect(rows[0], cols[0])
            painter.drawRect(QRectF(x - 1, y - 1, w + 2, h + 2))
