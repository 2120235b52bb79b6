"""A grid of small images with captions; click a tile to select it."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from engine.i18n import in_current_language

from ..qimage import rgb_to_qimage

__all__ = ["TileGrid", "apply_colormap"]

# Anchor colours of a perceptually ordered dark-blue -> green -> yellow ramp (viridis-like).
_ANCHORS = np.array(
    [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
     [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]],
    dtype=np.float32,
)
_LUT = np.stack(
    [np.interp(np.linspace(0, len(_ANCHORS) - 1, 256), np.arange(len(_ANCHORS)), _ANCHORS[:, c]) for c in range(3)],
    axis=1,
).round().astype(np.uint8)


def apply_colormap(grey: np.ndarray) -> np.ndarray:
    """(H, W) uint8 -> (H, W, 3) uint8 through the dark-blue-to-yellow colour ramp."""
    return _LUT[grey]


class TileGrid(QWidget):
    """Lays out tiles (RGB or grey uint8 arrays) in a square-ish grid that fills the widget.

    ``tileClicked(key)`` gives the key passed with the tile. Pixels are drawn
    without smoothing so small maps stay crisp.
    """

    tileClicked = Signal(int)

    def __init__(self, placeholder: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._tiles: list[tuple[int, QImage, str]] = []
        self._selected: int | None = None
        self.placeholder = placeholder
        self.caption_height = 14
        self.setMinimumSize(200, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_tiles(self, tiles: list[tuple[int, np.ndarray, str]]) -> None:
        """Show ``[(key, image, caption)]``; images are (H, W) or (H, W, 3) uint8."""
        self._tiles = [(key, rgb_to_qimage(img), caption) for key, img, caption in tiles]
        self.update()

    def tile_count(self) -> int:
        return len(self._tiles)

    def keys(self) -> list[int]:
        return [k for k, _, _ in self._tiles]

    def set_selected(self, key: int | None) -> None:
        self._selected = key
        self.update()

    def _layout(self) -> tuple[int, int, float, float]:
        """(columns, rows, cell width, cell height) for the current size."""
        n = len(self._tiles)
        if not n:
            return 0, 0, 0.0, 0.0
        w, h = max(1, self.width()), max(1, self.height())
        best = (1, n, 0.0)
        for cols in range(1, n + 1):
            rows = math.ceil(n / cols)
            side = min(w / cols, h / rows - self.caption_height)
            if side > best[2]:
                best = (cols, rows, side)
        cols, rows, _ = best
        return cols, rows, w / cols, h / rows

    def tile_rect(self, index: int) -> QRectF:
        """The image rectangle of the tile at position ``index`` (widget coordinates)."""
        cols, rows, cw, ch = self._layout()
        if not cols:
            return QRectF()
        r, c = divmod(index, cols)
        side = max(1.0, min(cw, ch - self.caption_height) - 4)
        _, img, _ = self._tiles[index]
        scale = min(side / img.width(), side / img.height())
        dw, dh = img.width() * scale, img.height() * scale
        return QRectF(c * cw + (cw - dw) / 2, r * ch + 2 + (ch - self.caption_height - 4 - dh) / 2, dw, dh)

    #: smallest caption size in points; below it captions are elided (the whole caption is the tile's tooltip)
    MIN_CAPTION_POINTS = 6.5

    def caption_font(self, base: QFont, cw: float, ch: float) -> QFont:
        """The caption font for cells of ``cw`` × ``ch`` px: up to 8.5 pt, smaller until the widest caption fits its cell."""
        font = QFont(base)
        size = max(self.MIN_CAPTION_POINTS, min(8.5, ch / 9))
        font.setPointSizeF(size)
        widest = max((caption for _k, _i, caption in self._tiles), key=len, default="")
        while size > self.MIN_CAPTION_POINTS and QFontMetricsF(font).horizontalAdvance(widest) > cw - 4:
            size = max(self.MIN_CAPTION_POINTS, size - 0.5)
            font.setPointSizeF(size)
        return font

    def captions_fit(self) -> bool:
        """Whether every caption is drawn whole, apart from its neighbours, at the current size."""
        cols, _rows, cw, ch = self._layout()
        if not cols:
            return True
        metrics = QFontMetricsF(self.caption_font(self.font(), cw, ch))
        return all(metrics.horizontalAdvance(caption) <= cw - 4 for _k, _i, caption in self._tiles)

    def event(self, event) -> bool:  # the whole caption on hover, where a narrow cell had to elide it
        if event.type() == QEvent.Type.ToolTip:
            cols, _rows, cw, ch = self._layout()
            if cols:
                c, r = int(event.pos().x() // cw), int(event.pos().y() // ch)
                index = r * cols + c
                if 0 <= c < cols and 0 <= index < len(self._tiles) and self._tiles[index][2]:
                    QToolTip.showText(event.globalPos(), self._tiles[index][2], self)
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)

    def sizeHint(self) -> QSize:
        return QSize(560, 480)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        cols, rows, cw, ch = self._layout()
        if cols:
            c = int(event.position().x() // cw)
            r = int(event.position().y() // ch)
            index = r * cols + c
            if 0 <= c < cols and 0 <= index < len(self._tiles):
                self.tileClicked.emit(self._tiles[index][0])
        super().mousePressEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if not self._tiles:
            painter.setPen(QColor(128, 128, 128))
            painter.drawText(self.rect().adjusted(12, 12, -12, -12), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, in_current_language(self.placeholder))
            return
        cols, rows, cw, ch = self._layout()
        painter.setFont(self.caption_font(painter.font(), cw, ch))
        text_colour = self.palette().color(QPalette.ColorRole.Text)
        for i, (key, img, caption) in enumerate(self._tiles):
            rect = self.tile_rect(i)
            painter.drawImage(rect, img)
            if key == self._selected:
                painter.setPen(QPen(QColor(230, 60, 40), 2))
                painter.drawRect(rect.adjusted(-1, -1, 1, 1))
            if caption:
                r, c = divmod(i, cols)
                painter.setPen(text_colour)
                cell = QRectF(c * cw + 2, rect.bottom() + 1, cw - 4, self.caption_height)
                shown = painter.fontMetrics().elidedText(caption, Qt.TextElideMode.ElideRight, int(cell.width()))
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, shown)
