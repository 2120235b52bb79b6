"""Translation invariance side by side: input, shifted input, both feature maps, both pooled maps."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.conv import ShiftDemo, fmt, value_colours
from engine.conv.animation import text_colour
from engine.i18n import N_, _

__all__ = ["ShiftView", "SHIFT_PANES"]

#: The six grids, column by column: (title, attribute of ShiftDemo).
SHIFT_PANES = (
    (N_("input"), "image"),
    (N_("feature map"), "feature"),
    (N_("pooled map"), "pooled"),
    (N_("input shifted by {k}"), "shifted"),
    (N_("feature map of the shifted input"), "shifted_feature"),
    (N_("pooled map of the shifted input"), "shifted_pooled"),
)


class ShiftView(QWidget):
    """Draws a :class:`ShiftDemo` as a 2×3 table of grids (numbers when the cells are big enough)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.demo: ShiftDemo | None = None
        self.message = ""
        self.setMinimumSize(360, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_demo(self, demo: ShiftDemo | None, message: str = "") -> None:
        self.demo = demo
        self.message = message
        self.update()

    def grids(self) -> list[tuple[str, np.ndarray]]:
        """(title, 2-D values) of every pane, first channel / first filter, in drawing order."""
        d = self.demo
        if d is None:
            return []
        k = abs(d.shift[1]) or abs(d.shift[0])
        return [(_(title).format(k=k), getattr(d, attr)[0].numpy()) for title, attr in SHIFT_PANES]

    def sizeHint(self) -> QSize:
        return QSize(760, 480)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        ink = pal.color(QPalette.ColorRole.Text)
        grids = self.grids()
        if not grids:
            p.setPen(QColor(200, 60, 50))
            p.drawText(self.rect().adjusted(20, 20, -20, -20), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
            p.end()
            return
        cols, rows, label_h, gap = 3, 2, 20.0, 14.0
        pane_w = (self.width() - gap * (cols + 1)) / cols
        pane_h = (self.height() - gap * (rows + 1)) / rows - label_h
        font = QFont(p.font())
        for i, (title, values) in enumerate(grids):
            row, col = divmod(i, cols)
            x0 = gap + col * (pane_w + gap)
            y0 = gap + row * (pane_h + label_h + gap)
            font.setPixelSize(13)
            font.setBold(True)
            p.setFont(font)
            p.setPen(ink)
            h, w = values.shape
            text = f"{title}  {h}×{w}"
            while font.pixelSize() > 9 and QFontMetrics(font).horizontalAdvance(text) > pane_w:  # shrink, never cut
                font.setPixelSize(font.pixelSize() - 1)
                p.setFont(font)
            p.drawText(QRectF(x0, y0, pane_w, label_h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            cell = max(2.0, min(pane_w / max(w, 1), pane_h / max(h, 1), 44.0))
            vmax = float(max(np.abs(values).max(initial=0.0), 1e-9))
            colours = value_colours(values, vmax)
            font.setBold(False)
            for r in range(h):
                for c in range(w):
                    rgb = colours[r, c]
                    rect = QRectF(x0 + c * cell, y0 + label_h + r * cell, cell, cell)
                    p.fillRect(rect, QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
                    if cell >= 6:
                        p.setPen(QColor(190, 190, 190))
                        p.drawRect(rect)
                    label = fmt(float(values[r, c]))
                    size = int(min(cell * 0.42, 0.92 * cell / (0.62 * len(label))))
                    if size >= 7:
                        font.setPixelSize(size)
                        p.setFont(font)
                        p.setPen(QColor(*text_colour(rgb)))
                        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
        p.end()
