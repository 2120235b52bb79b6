"""An image on which boxes are drawn by hand: drag to create, click to select, hover reports pixels."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from .image_view import ImageView

__all__ = ["CanvasBox", "BoxCanvas"]


@dataclass
class CanvasBox:
    """One box to paint: xyxy in image pixels, an RGB colour, a label, a line style."""

    box: tuple[float, float, float, float]
    colour: tuple[int, int, int] = (230, 57, 70)
    label: str = ""
    width: float = 2.0
    dashed: bool = False
    faded: bool = False
    #: drawing order: boxes and labels of a higher ``z`` are painted over lower ones, and their labels placed first
    z: int = 0


class BoxCanvas(ImageView):
    """Shows an image with boxes (xyxy, image pixels) and an optional S×S grid.

    Signals: ``boxDrawn(x1, y1, x2, y2)`` after a drag (image pixels, clipped to the image);
    ``boxClicked(index)`` when a click lands in a box (-1: none; the smallest box under the
    mouse wins); ``hovered(x, y)`` in image pixels (-1, -1 outside).
    Boxes are painted in order of :attr:`CanvasBox.z`; a label moves to a free corner of its box
    rather than cover the label of a box with a higher ``z``.
    """

    boxDrawn = Signal(float, float, float, float)
    boxClicked = Signal(int)
    hovered = Signal(float, float)

    #: drags shorter than this (screen pixels) are clicks
    MIN_DRAG = 5

    def __init__(self, placeholder: str = "", parent=None):
        super().__init__(placeholder, parent)
        self.boxes: list[CanvasBox] = []
        self.selected = -1
        self.grid = 0
        self.highlight: tuple[int, int] | None = None
        self.marked: list[tuple[int, int]] = []
        self._press: QPointF | None = None
        self._drag: QPointF | None = None
        self.setMouseTracking(True)

    def set_boxes(self, boxes: list[CanvasBox], selected: int = -1) -> None:
        self.boxes = list(boxes)
        self.selected = selected
        self.update()

    def set_grid(self, s: int, highlight: tuple[int, int] | None = None, marked: list[tuple[int, int]] | None = None) -> None:
        self.grid = int(s)
        self.highlight = highlight
        self.marked = list(marked or [])
        self.update()

    def image_size(self) -> tuple[int, int]:
        """(H, W) of the image shown."""
        return self._shape

    def _to_widget(self, x: float, y: float) -> QPointF:
        r = self.image_rect()
        h, w = self._shape
        return QPointF(r.x() + x * r.width() / w, r.y() + y * r.height() / h)

    def _clamped(self, pos: QPointF) -> tuple[float, float]:
        r = self.image_rect()
        h, w = self._shape
        x = min(max(pos.x(), r.left()), r.right())
        y = min(max(pos.y(), r.top()), r.bottom())
        return (x - r.x()) * w / r.width(), (y - r.y()) * h / r.height()

    def box_at(self, x: float, y: float) -> int:
        """Index of the smallest box containing image point (x, y), or -1."""
        hits = [(abs((b.box[2] - b.box[0]) * (b.box[3] - b.box[1])), i) for i, b in enumerate(self.boxes)
                if b.box[0] <= x <= b.box[2] and b.box[1] <= y <= b.box[3]]
        return min(hits)[1] if hits else -1

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self.has_image() and event.button() == Qt.MouseButton.LeftButton and self.image_rect().contains(event.position()):
            self._press = event.position()
            self._drag = None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._press is not None:
            self._drag = event.position()
            self.update()
        pt = self.widget_to_image(event.position())
        self.hovered.emit(*(pt if pt is not None else (-1.0, -1.0)))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._press is None:
            return
        start, end = self._press, event.position()
        self._press = self._drag = None
        self.update()
        if (end - start).manhattanLength() < self.MIN_DRAG:
            x, y = self._clamped(start)
            self.boxClicked.emit(self.box_at(x, y))
            return
        (ax, ay), (bx, by) = self._clamped(start), self._clamped(end)
        x1, x2 = sorted((ax, bx))
        y1, y2 = sorted((ay, by))
        if x2 - x1 >= 1 and y2 - y1 >= 1:
            self.boxDrawn.emit(round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1))

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.hovered.emit(-1.0, -1.0)
        super().leaveEvent(event)

    @staticmethod
    def _colour(b: CanvasBox) -> QColor:
        colour = QColor(*b.colour)
        if b.faded:
            colour.setAlpha(110)
        return colour

    def _place_labels(self, fm, rect: QRectF, order: list[int]) -> dict[int, QRectF]:
        """Where each label goes: above the box's top-left corner, else the first corner free of the labels
        of boxes with a higher z (placed first); the usual place when every corner is taken."""
        placed: dict[int, QRectF] = {}
        for i in reversed(order):
            b = self.boxes[i]
            if not b.label:
                continue
            tl, br = self._to_widget(b.box[0], b.box[1]), self._to_widget(b.box[2], b.box[3])
            w, h = fm.horizontalAdvance(b.label) + 6, fm.height() + 2
            spots = [QRectF(tl.x(), tl.y() - h, w, h), QRectF(tl.x(), tl.y(), w, h),
                     QRectF(br.x() - w, br.y() - h, w, h), QRectF(tl.x(), br.y(), w, h), QRectF(br.x() - w, tl.y() - h, w, h)]
            spots = [r.translated(0, h) if r.top() < rect.top() else r for r in spots]
            free = [r for r in spots if not any(r.intersects(other) for other in placed.values())]
            placed[i] = free[0] if free else spots[0]
        return placed

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self.has_image():
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = self.image_rect()
        if self.grid > 0:
            side_w, side_h = rect.width() / self.grid, rect.height() / self.grid
            for r, c in self.marked:
                p.fillRect(QRectF(rect.x() + c * side_w, rect.y() + r * side_h, side_w, side_h), QColor(255, 200, 0, 50))
            if self.highlight is not None:
                r, c = self.highlight
                p.fillRect(QRectF(rect.x() + c * side_w, rect.y() + r * side_h, side_w, side_h), QColor(29, 132, 230, 70))
            p.setPen(QPen(QColor(255, 255, 255, 200), 1))
            for k in range(1, self.grid):
                p.drawLine(QPointF(rect.x() + k * side_w, rect.top()), QPointF(rect.x() + k * side_w, rect.bottom()))
                p.drawLine(QPointF(rect.left(), rect.y() + k * side_h), QPointF(rect.right(), rect.y() + k * side_h))
        font = QFont(p.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        p.setFont(font)
        order = sorted(range(len(self.boxes)), key=lambda i: self.boxes[i].z)  # stable: equal z keeps list order
        labels = self._place_labels(p.fontMetrics(), rect, order)
        for i in order:
            b = self.boxes[i]
            colour = self._colour(b)
            pen = QPen(colour, b.width + (2 if i == self.selected else 0))
            if b.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawRect(QRectF(self._to_widget(b.box[0], b.box[1]), self._to_widget(b.box[2], b.box[3])))
        for i in order:
            if i in labels:
                p.fillRect(labels[i], self._colour(self.boxes[i]))
                p.setPen(QColor(255, 255, 255))
                p.drawText(labels[i], Qt.AlignmentFlag.AlignCenter, self.boxes[i].label)
        if self._press is not None and self._drag is not None:
            p.setPen(QPen(QColor(255, 200, 0), 2, Qt.PenStyle.DashLine))
            p.drawRect(QRectF(self._press, self._drag).normalized())
        p.end()
