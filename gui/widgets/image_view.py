"""A widget that shows a numpy RGB image scaled to fit, keeping its aspect ratio."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.i18n import N_, in_current_language

from ..qimage import rgb_to_qimage

__all__ = ["ImageView"]


class ImageView(QWidget):
    """Displays an (H, W, 3) uint8 image; emits ``clicked(x, y)`` in image pixels.

    ``placeholder`` text is shown when no image is set.
    """

    clicked = Signal(float, float)

    def __init__(self, placeholder: str = N_("No image"), parent: QWidget | None = None):
        super().__init__(parent)
        self._image: QImage | None = None
        self._shape: tuple[int, int] = (0, 0)
        self.placeholder = placeholder
        self.setMinimumSize(120, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, rgb: np.ndarray | None) -> None:
        """Show ``rgb`` (or clear with ``None``)."""
        if rgb is None:
            self._image = None
            self._shape = (0, 0)
        else:
            self._image = rgb_to_qimage(rgb)
            self._shape = (rgb.shape[0], rgb.shape[1])
        self.update()

    def has_image(self) -> bool:
        return self._image is not None

    def image_rect(self) -> QRectF:
        """Where the image is drawn inside the widget."""
        h, w = self._shape
        if not h or not w:
            return QRectF()
        scale = min(self.width() / w, self.height() / h)
        dw, dh = w * scale, h * scale
        return QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)

    def widget_to_image(self, pos: QPointF) -> tuple[float, float] | None:
        """Widget coordinates to image pixel coordinates (None outside the image)."""
        rect = self.image_rect()
        if rect.isEmpty() or not rect.contains(pos):
            return None
        h, w = self._shape
        return ((pos.x() - rect.x()) * w / rect.width(), (pos.y() - rect.y()) * h / rect.height())

    def sizeHint(self) -> QSize:
        return QSize(480, 360)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        pt = self.widget_to_image(event.position())
        if pt is not None:
            self.clicked.emit(*pt)
        super().mousePressEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self._image is None:
            painter.setPen(QColor(128, 128, 128))
            # wrapped, with a margin: error messages shown here can be long
            painter.drawText(self.rect().adjusted(12, 12, -12, -12), int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), in_current_language(self.placeholder))
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(self.image_rect(), self._image)
