"""Anchor boxes of a detector drawn at one cell of one feature level."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget
from engine.i18n import N_, in_current_language

from ..qimage import rgb_to_qimage

__all__ = ["AnchorView"]

_COLOURS = [QColor(230, 57, 70), QColor(42, 157, 143), QColor(255, 183, 3), QColor(58, 134, 255), QColor(131, 56, 236), QColor(251, 86, 7), QColor(0, 180, 216), QColor(255, 0, 110), QColor(106, 153, 78)]


class AnchorView(QWidget):
    """An image with one feature level's grid and the anchors of a chosen cell.

    ``levels`` is what :meth:`engine.detect.Detector.anchor_sets` returns. Click
    a cell to choose it; ``cellChanged(level, row, col)``.
    """

    cellChanged = Signal(int, int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.image = None
        self._qimage = None
        self.levels: list[dict] = []
        self.level = 0
        self.cell = (0, 0)
        self.message = N_("Anchors appear here")
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, image: np.ndarray, levels: list[dict] | None, message: str = "") -> None:
        self.image, self._qimage = image, rgb_to_qimage(image)
        self.levels = levels or []
        self.message = message
        self.level = min(self.level, max(0, len(self.levels) - 1))
        if self.levels:
            rows, cols = self.levels[self.level]["grid"]
            self.cell = (rows // 2, cols // 2)
        self.update()

    def set_level(self, level: int) -> None:
        if not self.levels:
            return
        self.level = max(0, min(level, len(self.levels) - 1))
        rows, cols = self.levels[self.level]["grid"]
        self.cell = (rows // 2, cols // 2)
        self.update()
        self.cellChanged.emit(self.level, *self.cell)

    def set_cell(self, row: int, col: int) -> None:
        if not self.levels:
            return
        rows, cols = self.levels[self.level]["grid"]
        self.cell = (max(0, min(row, rows - 1)), max(0, min(col, cols - 1)))
        self.update()
        self.cellChanged.emit(self.level, *self.cell)

    def cell_anchors(self) -> np.ndarray:
        """(A, 4) xyxy anchors of the chosen cell in image pixels."""
        if not self.levels:
            return np.zeros((0, 4), np.float32)
        lv = self.levels[self.level]
        rows, cols = lv["grid"]
        a = lv["per_cell"]
        start = (self.cell[0] * cols + self.cell[1]) * a
        return lv["boxes"][start : start + a]

    def _geometry(self) -> tuple[QRectF, float]:
        h, w = self.image.shape[:2]
        # leave room around the image: anchors reach past its edges
        s = min(self.width() / (w * 1.3), self.height() / (h * 1.3))
        return QRectF((self.width() - w * s) / 2, (self.height() - h * s) / 2, w * s, h * s), s

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self.image is None or not self.levels:
            return
        origin, s = self._geometry()
        x, y = (event.position().x() - origin.x()) / s, (event.position().y() - origin.y()) / s
        sy, sx = self.levels[self.level]["stride"]
        if 0 <= x < self.image.shape[1] and 0 <= y < self.image.shape[0]:
            self.set_cell(int(y // sy), int(x // sx))

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if self.image is None:
            p.setPen(QColor(128, 128, 128))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, in_current_language(self.message))
            return
        origin, s = self._geometry()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(origin, self._qimage)
        if not self.levels:
            p.fillRect(origin, QColor(0, 0, 0, 120))
            p.setPen(QColor(255, 255, 255))
            p.drawText(origin.adjusted(20, 20, -20, -20), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, in_current_language(self.message))
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        lv = self.levels[self.level]
        rows, cols = lv["grid"]
        sy, sx = lv["stride"]
        p.setPen(QPen(QColor(255, 255, 255, 90), 1))
        if rows <= 80 and cols <= 80:
            for r in range(1, rows):
                y = origin.y() + r * sy * s
                p.drawLine(QPointF(origin.left(), y), QPointF(origin.right(), y))
            for c in range(1, cols):
                x = origin.x() + c * sx * s
                p.drawLine(QPointF(x, origin.top()), QPointF(x, origin.bottom()))
        r0, c0 = self.cell
        cell = QRectF(origin.x() + c0 * sx * s, origin.y() + r0 * sy * s, sx * s, sy * s)
        p.fillRect(cell, QColor(255, 255, 0, 120))
        for i, (x1, y1, x2, y2) in enumerate(self.cell_anchors()):
            p.setPen(QPen(_COLOURS[i % len(_COLOURS)], 2))
            p.drawRect(QRectF(origin.x() + x1 * s, origin.y() + y1 * s, (x2 - x1) * s, (y2 - y1) * s))
        p.setPen(QPen(QColor(255, 255, 0), 2))
        p.drawRect(cell)
