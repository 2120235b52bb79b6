"""An image view that draws face boxes, names, distances and confidence bars over a photo or frame."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from engine.face.match import UNKNOWN, Identification, distance_formula, to_display_distance
from engine.i18n import N_, _

N_("Unknown")  # the name engine.face.match gives a face nobody matches; shown translated
from engine.face.pipeline import Face, face_at

from .image_view import ImageView

__all__ = ["FaceOverlayView", "KNOWN_COLOUR", "UNKNOWN_COLOUR", "PLAIN_COLOUR"]

KNOWN_COLOUR = QColor(40, 180, 80)
UNKNOWN_COLOUR = QColor(230, 80, 50)
PLAIN_COLOUR = QColor(50, 140, 230)


class FaceOverlayView(ImageView):
    """Shows an image with its faces. ``faceClicked(index)`` when the user clicks inside a face box.

    Hovering a recognised face shows its top-3 candidates as a tooltip. Distances are drawn as
    ‖f(x1) − f(x2)‖, or squared when ``squared`` is set (:meth:`set_squared`).
    """

    faceClicked = Signal(int)

    def __init__(self, placeholder: str = "", parent: QWidget | None = None):
        super().__init__(placeholder, parent)
        self.faces: list[Face] = []
        self.identities: list[Identification] | None = None
        self.fps: float | None = None
        self.banner = ""
        self.highlight: int | None = None
        self.squared = False
        self.setMouseTracking(True)
        self.clicked.connect(self._on_click)

    def set_result(
        self,
        image: np.ndarray | None,
        faces: Sequence[Face] = (),
        identities: Sequence[Identification] | None = None,
        fps: float | None = None,
        banner: str = "",
    ) -> None:
        """Show ``image`` with ``faces`` (and their identities, when recognising)."""
        self.faces = list(faces)
        self.identities = list(identities) if identities is not None else None
        self.fps = fps
        self.banner = banner
        self.highlight = None
        self.set_image(image)

    def set_squared(self, squared: bool) -> None:
        """Draw distances squared (the course's d) or not."""
        self.squared = bool(squared)
        self.update()

    def _on_click(self, x: float, y: float) -> None:
        index = face_at(self.faces, x, y)
        if index is not None:
            self.highlight = index
            self.update()
            self.faceClicked.emit(index)

    def tooltip_for(self, index: int) -> str:
        """The hover text of face ``index``: its top candidates with distances."""
        if self.identities is None or index >= len(self.identities):
            f = self.faces[index]
            return _("face {index}: {size:.0f} px, sharpness {sharpness:.0f}").format(index=index + 1, size=f.quality.size, sharpness=f.quality.sharpness)
        ident = self.identities[index]
        line = _("{rank}. {name}  d = {distance:.3f}  confidence {confidence:.2f}")
        lines = [line.format(rank=k + 1, name=c.name, distance=to_display_distance(c.distance, self.squared), confidence=c.confidence)
                 for k, c in enumerate(ident.top)]
        head = _("Nearest enrolled people, d = {formula}:").format(formula=distance_formula(self.squared))
        return "\n".join([head] + lines) if lines else _("Nobody is enrolled")

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pt = self.widget_to_image(event.position())
        index = face_at(self.faces, *pt) if pt is not None else None
        if index is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_for(index), self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def _to_widget(self, rect: QRectF, x: float, y: float) -> QPointF:
        h, w = self._shape
        return QPointF(rect.x() + x * rect.width() / w, rect.y() + y * rect.height() / h)

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self.has_image():
            return
        rect = self.image_rect()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        fm = painter.fontMetrics()
        for i, f in enumerate(self.faces):
            ident = self.identities[i] if self.identities is not None and i < len(self.identities) else None
            colour = PLAIN_COLOUR if ident is None else (KNOWN_COLOUR if ident.known else UNKNOWN_COLOUR)
            p0 = self._to_widget(rect, float(f.box[0]), float(f.box[1]))
            p1 = self._to_widget(rect, float(f.box[2]), float(f.box[3]))
            box = QRectF(p0, p1)
            painter.setPen(QPen(colour, 4 if i == self.highlight else 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(box)
            if f.landmarks is not None:
                painter.setPen(QPen(QColor(255, 220, 0), 2))
                for x, y in np.asarray(f.landmarks).reshape(-1, 2):
                    painter.drawEllipse(self._to_widget(rect, float(x), float(y)), 1.5, 1.5)
            if ident is not None:
                name = _(ident.name) if ident.name == UNKNOWN else ident.name
                shown = to_display_distance(ident.distance, self.squared) if np.isfinite(ident.distance) else None
                text = f"{name}  d = {shown:.2f}" if shown is not None else name
            else:
                text = f"{i + 1}" if len(self.faces) > 1 else ""
            if text:
                tw, th = fm.horizontalAdvance(text) + 8, fm.height() + 2
                label = QRectF(box.left(), max(rect.top(), box.top() - th), tw, th)
                painter.fillRect(label, colour)
                painter.setPen(QColor(255, 255, 255))
                painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)
            if ident is not None:
                bar = QRectF(box.left(), box.bottom() + 3, box.width(), 6)
                painter.fillRect(bar, QColor(0, 0, 0, 110))
                painter.fillRect(QRectF(bar.left(), bar.top(), bar.width() * max(0.0, min(1.0, ident.confidence)), bar.height()), colour)
        overlay = []
        if self.fps is not None:
            overlay.append(f"{self.fps:.1f} FPS")
        if self.banner:
            overlay.append(self.banner)
        if overlay:
            text = "   ".join(overlay)
            tw, th = fm.horizontalAdvance(text) + 12, fm.height() + 6
            r = QRectF(rect.left() + 6, rect.top() + 6, min(tw, rect.width() - 12), th)
            painter.fillRect(r, QColor(0, 0, 0, 150))
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
