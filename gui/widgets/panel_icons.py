"""Small drawn pictures of each panel for the Welcome panel's cards (cheap: a few painter calls, no panel built)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap

__all__ = ["panel_icon"]

_ACCENT = QColor(53, 132, 228)
_WARM = QColor(230, 120, 40)
_GREEN = QColor(46, 157, 74)


def _grid(p: QPainter, x: float, y: float, n: int, cell: float, colour: QColor) -> None:
    p.setPen(QPen(colour, 1.2))
    for i in range(n + 1):
        p.drawLine(QPointF(x, y + i * cell), QPointF(x + n * cell, y + i * cell))
        p.drawLine(QPointF(x + i * cell, y), QPointF(x + i * cell, y + n * cell))


def panel_icon(panel_id: str, size: int = 64, fg: QColor | None = None) -> QPixmap:
    """A ``size``×``size`` picture standing for the panel ``panel_id`` (a neutral square for unknown ids)."""
    fg = fg or QColor(110, 110, 110)
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 64.0, size / 64.0)
    if panel_id == "convolution":
        _grid(p, 6, 6, 5, 10, fg)
        p.fillRect(QRectF(6, 6, 30, 30), QColor(53, 132, 228, 90))
        p.setPen(QPen(_ACCENT, 2.5))
        p.drawRect(QRectF(6, 6, 30, 30))
        p.fillRect(QRectF(46, 46, 12, 12), _WARM)
    elif panel_id == "architectures":
        for i, (h, c) in enumerate(((44, 6), (34, 10), (24, 14), (14, 18), (8, 22))):
            p.fillRect(QRectF(4 + i * 12, 32 - h / 2, 8, h), QColor(53, 132, 228, 80 + 35 * i))
    elif panel_id == "feature_maps":
        for i in range(3):
            for j in range(3):
                shade = 60 + ((i * 3 + j) * 37) % 180
                p.fillRect(QRectF(6 + j * 18, 6 + i * 18, 15, 15), QColor(shade, shade, 255 - shade // 2))
    elif panel_id == "augmentation":
        p.setBrush(QColor(53, 132, 228, 160))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawPolygon([QPointF(6, 54), QPointF(28, 54), QPointF(28, 12)])
        p.setBrush(QColor(230, 120, 40, 160))
        p.drawPolygon([QPointF(58, 54), QPointF(36, 54), QPointF(36, 12)])
        p.setPen(QPen(fg, 1.5, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(32, 6), QPointF(32, 60))
    elif panel_id == "detection":
        p.setPen(QPen(_ACCENT, 3))
        p.drawRect(QRectF(6, 10, 34, 30))
        p.setPen(QPen(_WARM, 3))
        p.drawRect(QRectF(22, 24, 36, 32))
        p.fillRect(QRectF(22, 24, 18, 16), QColor(230, 120, 40, 90))
    elif panel_id == "grid_detector":
        _grid(p, 6, 6, 3, 17.3, fg)
        p.setPen(QPen(_GREEN, 3))
        p.drawRect(QRectF(20, 16, 30, 24))
        p.setBrush(_GREEN)
        p.drawEllipse(QPointF(35, 28), 3, 3)
    elif panel_id == "style_transfer":
        colours = (QColor(230, 57, 70), QColor(241, 196, 15), QColor(53, 132, 228), QColor(46, 157, 74))
        for i, c in enumerate(colours):
            p.setPen(QPen(c, 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawArc(QRectF(8 + i * 3, 8 + i * 5, 48 - i * 6, 48 - i * 10), 30 * 16, 200 * 16)
    elif panel_id == "faces":
        p.setPen(QPen(fg, 3))
        p.drawEllipse(QRectF(14, 8, 36, 44))
        p.setBrush(fg)
        p.drawEllipse(QPointF(26, 26), 3, 3)
        p.drawEllipse(QPointF(38, 26), 3, 3)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawArc(QRectF(24, 30, 16, 12), 200 * 16, 140 * 16)
        p.setPen(QPen(_GREEN, 3))
        p.drawRect(QRectF(8, 4, 48, 54))
    elif panel_id == "models":
        p.setPen(QPen(_ACCENT, 5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(32, 8), QPointF(32, 40))
        p.drawLine(QPointF(20, 28), QPointF(32, 40))
        p.drawLine(QPointF(44, 28), QPointF(32, 40))
        p.setPen(QPen(fg, 4))
        p.drawLine(QPointF(10, 52), QPointF(54, 52))
    elif panel_id == "course":
        p.setPen(QPen(fg, 2.5))
        p.drawLine(QPointF(32, 14), QPointF(32, 54))
        p.drawPolyline([QPointF(32, 14), QPointF(8, 10), QPointF(8, 50), QPointF(32, 54), QPointF(56, 50), QPointF(56, 10), QPointF(32, 14)])
        p.setPen(QPen(_ACCENT, 2))
        for y in (20, 28, 36):
            p.drawLine(QPointF(13, y), QPointF(27, y + 2))
            p.drawLine(QPointF(37, y + 2), QPointF(51, y))
    else:
        p.setPen(QPen(fg, 3))
        p.drawRoundedRect(QRectF(8, 8, 48, 48), 8, 8)
    p.end()
    return pm
