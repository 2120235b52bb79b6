"""IoU playground: drag two boxes and watch intersection over union."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.detect import iou
from engine.i18n import _

__all__ = ["IouPlayground"]

_COLOURS = (QColor(230, 57, 70), QColor(42, 120, 200))
_HANDLE = 10.0


class IouPlayground(QWidget):
    """Two boxes A and B on a 400×300 canvas (scaled to the widget).

    Drag inside a box to move it, drag its bottom-right corner to resize it.
    The intersection is shaded, the union outlined; the IoU is shown live on a
    0..1 bar with the usual 0.5 "match" convention marked. ``iouChanged(float)``.
    """

    iouChanged = Signal(float)
    CANVAS = (400.0, 300.0)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.boxes = [[60.0, 60.0, 220.0, 200.0], [140.0, 110.0, 320.0, 250.0]]
        self.unit = 1.0  # canvas pixels per unit of the numbers shown (a course example's boxes are drawn scaled up)
        self.show_self = False  # also state IoU(A, A) = 1 (the course example compares a box with itself)
        self._drag: tuple[int, str, QPointF, list[float]] | None = None
        self.setMinimumSize(320, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def value(self) -> float:
        """The current IoU of the two boxes."""
        return float(iou(self.boxes[0], self.boxes[1]))

    def self_value(self) -> float:
        """IoU of box A with itself (1 for any box): the second half of the course's example."""
        return float(iou(self.boxes[0], self.boxes[0]))

    def set_boxes(self, a, b, unit: float = 1.0, show_self: bool = False) -> None:
        """Boxes A and B, xyxy in canvas pixels; ``unit``: pixels per unit of the areas the formula shows;
        ``show_self``: also show A compared with itself."""
        self.boxes = [list(map(float, a)), list(map(float, b))]
        self.unit = float(unit)
        self.show_self = bool(show_self)
        self.update()
        self.iouChanged.emit(self.value())

    # -- geometry --

    def _frame(self) -> tuple[QRectF, float]:
        cw, ch = self.CANVAS
        area_h = self.height() - (95 if self.show_self else 70)  # room below for the bar (and the line on A with itself)
        scale = max(0.1, min((self.width() - 20) / cw, area_h / ch))
        x0 = (self.width() - cw * scale) / 2
        return QRectF(x0, 10, cw * scale, ch * scale), scale

    def _to_widget(self, box) -> QRectF:
        frame, s = self._frame()
        return QRectF(frame.x() + box[0] * s, frame.y() + box[1] * s, (box[2] - box[0]) * s, (box[3] - box[1]) * s)

    def _to_canvas(self, pos: QPointF) -> QPointF:
        frame, s = self._frame()
        return QPointF((pos.x() - frame.x()) / s, (pos.y() - frame.y()) / s)

    def _hit(self, pos: QPointF) -> tuple[int, str] | None:
        for i in (1, 0):
            r = self._to_widget(self.boxes[i])
            if (pos - r.bottomRight()).manhattanLength() <= _HANDLE * 1.5:
                return i, "resize"
        for i in (1, 0):
            if self._to_widget(self.boxes[i]).contains(pos):
                return i, "move"
        return None

    # -- mouse --

    def mousePressEvent(self, event) -> None:  # noqa: N802
        hit = self._hit(event.position())
        if hit is not None:
            self._drag = (hit[0], hit[1], self._to_canvas(event.position()), list(self.boxes[hit[0]]))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._drag is None:
            hit = self._hit(event.position())
            cursor = Qt.CursorShape.ArrowCursor if hit is None else (Qt.CursorShape.SizeFDiagCursor if hit[1] == "resize" else Qt.CursorShape.SizeAllCursor)
            self.setCursor(cursor)
            return
        i, mode, start, orig = self._drag
        p = self._to_canvas(event.position())
        dx, dy = p.x() - start.x(), p.y() - start.y()
        cw, ch = self.CANVAS
        if mode == "move":
            w, h = orig[2] - orig[0], orig[3] - orig[1]
            x1 = min(max(orig[0] + dx, 0.0), cw - w)
            y1 = min(max(orig[1] + dy, 0.0), ch - h)
            self.boxes[i] = [x1, y1, x1 + w, y1 + h]
        else:
            self.boxes[i] = [orig[0], orig[1], min(max(orig[2] + dx, orig[0] + 4), cw), min(max(orig[3] + dy, orig[1] + 4), ch)]
        self.update()
        self.iouChanged.emit(self.value())

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self._drag = None

    # -- drawing --

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        frame, _s = self._frame()
        p.fillRect(frame, pal.base())
        p.setPen(QPen(pal.mid().color(), 1))
        p.drawRect(frame)
        ra, rb = self._to_widget(self.boxes[0]), self._to_widget(self.boxes[1])
        union = QPainterPath()
        union.addRect(ra)
        other = QPainterPath()
        other.addRect(rb)
        union = union.united(other)
        p.fillPath(union, QBrush(QColor(255, 200, 0, 45)))
        p.setPen(QPen(QColor(200, 150, 0), 2, Qt.PenStyle.DashLine))
        p.drawPath(union)
        inter = ra.intersected(rb)
        if not inter.isEmpty():
            p.fillRect(inter, QBrush(QColor(120, 60, 200, 110)))
        for i, r in enumerate((ra, rb)):
            p.setPen(QPen(_COLOURS[i], 3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(r)
            p.fillRect(QRectF(r.right() - _HANDLE / 2, r.bottom() - _HANDLE / 2, _HANDLE, _HANDLE), _COLOURS[i])
            p.drawText(r.adjusted(6, 4, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, "AB"[i])
        # the IoU bar with the 0.5 convention
        value = self.value()
        bar = QRectF(frame.left(), frame.bottom() + 30, frame.width(), 14)
        p.setPen(QPen(pal.mid().color(), 1))
        p.setBrush(pal.alternateBase())
        p.drawRect(bar)
        fill = QRectF(bar.left(), bar.top(), bar.width() * value, bar.height())
        p.fillRect(fill, QColor(40, 160, 70) if value >= 0.5 else QColor(200, 120, 40))
        x5 = bar.left() + bar.width() * 0.5
        p.setPen(QPen(pal.text().color(), 2))
        p.drawLine(QPointF(x5, bar.top() - 5), QPointF(x5, bar.bottom() + 5))
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        area_a = (self.boxes[0][2] - self.boxes[0][0]) * (self.boxes[0][3] - self.boxes[0][1])
        area_b = (self.boxes[1][2] - self.boxes[1][0]) * (self.boxes[1][3] - self.boxes[1][1])
        ix = max(0.0, min(self.boxes[0][2], self.boxes[1][2]) - max(self.boxes[0][0], self.boxes[1][0]))
        iy = max(0.0, min(self.boxes[0][3], self.boxes[1][3]) - max(self.boxes[0][1], self.boxes[1][1]))
        inter_area = ix * iy
        verdict = _("≥ 0.5: counts as the same object") if value >= 0.5 else _("< 0.5: different objects")
        u2 = self.unit * self.unit

        def area(v: float) -> str:
            return f"{v / u2:.0f}" if abs(v / u2 - round(v / u2)) < 1e-6 or u2 == 1 else f"{v / u2:.2f}"

        text = _("IoU = intersection / union = {inter} / {union} = {value:.3f}").format(
            inter=area(inter_area), union=area(area_a + area_b - inter_area), value=value) + "   " + verdict
        p.drawText(QRectF(bar.left(), bar.top() - 24, bar.width(), 20), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        p.setFont(self.font())
        p.drawText(QRectF(x5 - 30, bar.bottom() + 4, 60, 16), Qt.AlignmentFlag.AlignHCenter, "0.5")
        if self.show_self:
            same = _("A box with itself: IoU(A, A) = {a} / {a} = {value:.3f}").format(a=area(area_a), value=self.self_value())
            p.drawText(QRectF(bar.left(), bar.bottom() + 22, bar.width(), 20), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, same)
