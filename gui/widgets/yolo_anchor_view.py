"""Anchor shapes drawn to scale around one grid cell."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget
from engine.i18n import _

__all__ = ["AnchorView"]

_COLOURS = (QColor(230, 57, 70), QColor(29, 132, 230), QColor(46, 170, 80), QColor(245, 160, 20), QColor(150, 80, 200))


class AnchorView(QWidget):
    """Draws anchors ((width, height) in cell units) centred on a cell, with the grid around it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.anchors: list[tuple[float, float]] = []
        self.setMinimumSize(160, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(220, 180)

    def set_anchors(self, anchors) -> None:
        self.anchors = [(float(w), float(h)) for w, h in anchors]
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        text = self.palette().color(QPalette.ColorRole.Text)
        if not self.anchors:
            p.setPen(QColor(128, 128, 128))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("No anchors yet"))
            return
        span = max(max(max(w, h) for w, h in self.anchors), 1.0) + 0.6
        legend_h = 18 * len(self.anchors)
        side = min(self.width(), self.height() - legend_h - 6) / span
        centre = QPointF(self.width() / 2, (self.height() - legend_h) / 2)
        p.setPen(QPen(QColor(160, 160, 160, 120), 1))
        n = int(span // 2) + 1
        for i in range(-n, n + 1):
            x = centre.x() + (i + 0.5) * side
            y = centre.y() + (i + 0.5) * side
            p.drawLine(QPointF(x, 0), QPointF(x, self.height() - legend_h))
            p.drawLine(QPointF(0, y), QPointF(self.width(), y))
        p.fillRect(QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side), QColor(255, 230, 0, 70))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for k, (w, h) in enumerate(self.anchors):
            colour = _COLOURS[k % len(_COLOURS)]
            p.setPen(QPen(colour, 2))
            p.drawRect(QRectF(centre.x() - w * side / 2, centre.y() - h * side / 2, w * side, h * side))
            p.setPen(text)
            y = self.height() - legend_h + 14 + 18 * k
            p.fillRect(QRectF(6, y - 10, 10, 10), colour)
            p.drawText(QPointF(22, y), _("anchor {k}: {w:.2f}×{h:.2f} cells (w×h)").format(k=k, w=w, h=h))
        p.end()
