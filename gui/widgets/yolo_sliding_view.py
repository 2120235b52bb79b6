"""The output map of a sliding-window classifier: one clickable square per window."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget
from engine.i18n import _

__all__ = ["OutputMapView", "SLIDING_COLOURS"]

#: background, circle, square, triangle
SLIDING_COLOURS = (QColor(150, 150, 150), QColor(230, 57, 70), QColor(29, 132, 230), QColor(46, 170, 80))


class OutputMapView(QWidget):
    """Paints a (rows, cols, classes) probability map; each cell is coloured by
    its most likely class, brighter when more certain. ``cellClicked(row, col)``."""

    cellClicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._probs: np.ndarray | None = None
        self.selected: tuple[int, int] | None = None
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(320, 320)

    def set_map(self, probs: np.ndarray | None) -> None:
        self._probs = probs
        self.update()

    def set_selected(self, cell: tuple[int, int] | None) -> None:
        self.selected = cell
        self.update()

    def _geometry(self) -> tuple[float, float, float]:
        rows, cols = self._probs.shape[:2]
        side = min(self.width() / cols, self.height() / rows)
        x0 = (self.width() - side * cols) / 2
        y0 = (self.height() - side * rows) / 2
        return side, x0, y0

    def cell_rect(self, row: int, col: int) -> QRectF:
        side, x0, y0 = self._geometry()
        return QRectF(x0 + col * side, y0 + row * side, side, side)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self._probs is not None:
            side, x0, y0 = self._geometry()
            rows, cols = self._probs.shape[:2]
            col = int((event.position().x() - x0) // side)
            row = int((event.position().y() - y0) // side)
            if 0 <= row < rows and 0 <= col < cols:
                self.cellClicked.emit(row, col)
        super().mousePressEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self._probs is None:
            p.setPen(QColor(128, 128, 128))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("No output yet"))
            return
        rows, cols = self._probs.shape[:2]
        side, _x0, _y0 = self._geometry()
        best = self._probs.argmax(-1)
        conf = self._probs.max(-1)
        for r in range(rows):
            for c in range(cols):
                base = SLIDING_COLOURS[int(best[r, c]) % len(SLIDING_COLOURS)]
                a = 0.25 + 0.75 * float(conf[r, c])
                colour = QColor(int(255 - (255 - base.red()) * a), int(255 - (255 - base.green()) * a), int(255 - (255 - base.blue()) * a))
                p.fillRect(self.cell_rect(r, c), colour)
        if side >= 6:
            p.setPen(QPen(QColor(255, 255, 255), 1))
            for r in range(rows):
                for c in range(cols):
                    p.drawRect(self.cell_rect(r, c))
        if self.selected is not None:
            p.setPen(QPen(QColor(255, 200, 0), 3))
            p.drawRect(self.cell_rect(*self.selected))
        p.end()
