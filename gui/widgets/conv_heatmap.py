"""A heat map of a small integer matrix (how often each input pixel is used), numbers in the cells."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.i18n import _

__all__ = ["ConvHeatmap", "heat_colours"]

_LOW = np.array([255, 255, 255], dtype=np.float64)
_HIGH = np.array([84, 39, 143], dtype=np.float64)


def heat_colours(values: np.ndarray, vmax: float) -> np.ndarray:
    """White (0) to purple (vmax): (..., 3) uint8."""
    t = np.clip(np.asarray(values, dtype=np.float64) / max(vmax, 1e-9), 0, 1)[..., None]
    return (_LOW * (1 - t) + _HIGH * t).round().astype(np.uint8)


class ConvHeatmap(QWidget):
    """Draws a (rows, cols) matrix as coloured cells with a caption; numbers when cells are big enough."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._values: np.ndarray | None = None
        self.caption = ""
        self.empty = ""
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_values(self, values: np.ndarray | None, caption: str = "", empty: str = "") -> None:
        """Show ``values`` under ``caption``; without values, ``empty`` (default: there is no output)."""
        self._values = None if values is None else np.asarray(values)
        self.caption = caption
        self.empty = empty
        self.update()

    def values(self) -> np.ndarray | None:
        return None if self._values is None else self._values.copy()

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        p.setPen(pal.color(QPalette.ColorRole.Text))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
        cap_h = max(38, p.fontMetrics().boundingRect(0, 0, max(self.width() - 16, 10), 1000, int(flags), self.caption).height() + 4)
        p.drawText(QRectF(8, 2, self.width() - 16, cap_h), flags, self.caption)
        if self._values is None or self._values.size == 0:
            p.drawText(self.rect().adjusted(10, 0, -10, 0), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty or _("No output with these settings"))
            p.end()
            return
        rows, cols = self._values.shape
        cell = min((self.width() - 16) / cols, (self.height() - cap_h - 12) / rows)
        x0 = (self.width() - cell * cols) / 2
        y0 = cap_h + 6
        vmax = float(self._values.max())
        colours = heat_colours(self._values, vmax)
        font = QFont(p.font())
        font.setPixelSize(max(7, min(16, int(cell * 0.42))))
        p.setFont(font)
        for r in range(rows):
            for c in range(cols):
                rgb = colours[r, c]
                rect = QRectF(x0 + c * cell, y0 + r * cell, cell, cell)
                p.fillRect(rect, QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
                if cell >= 5:
                    p.setPen(QColor(200, 200, 200))
                    p.drawRect(rect)
                if cell >= 15:
                    light = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140
                    p.setPen(QColor(20, 20, 20) if light else QColor(255, 255, 255))
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(int(self._values[r, c])))
        p.end()
