"""Draws an :class:`engine.arch.diagram.Diagram`: blocks, flow edges, skip arcs, Inception branches.

Click a block to emit ``rowClicked(name)``; :meth:`ArchDiagramView.select_row` highlights the block
of a table row and scrolls to it. Ctrl+wheel zooms.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsView, QStyleOptionGraphicsItem, QWidget

from engine.arch.diagram import BLOCK_W, Block, Diagram, Frame
from engine.i18n import _

__all__ = ["ArchDiagramView", "BlockItem", "KIND_COLOURS"]

#: fill, border per block kind
KIND_COLOURS: dict[str, tuple[str, str]] = {
    "conv": ("#dce8fb", "#3f73c4"),
    "pool": ("#dcf2e0", "#3a9150"),
    "linear": ("#fde6cc", "#cf7a22"),
    "act": ("#eeeeee", "#8a8a8a"),
    "norm": ("#eeeeee", "#8a8a8a"),
    "other": ("#f1ecf8", "#7a5fb0"),
    "input": ("#f4f4f4", "#555555"),
    "add": ("#fff1bf", "#b58d12"),
    "concat": ("#fff1bf", "#b58d12"),
}
_FRAME_COLOURS = {"residual": "#7a5fb0", "inception": "#3a9150", "group": "#9a9a9a", "training": "#c0504d"}
_EDGE_COLOURS = {"flow": "#6b6b6b", "skip": "#7a5fb0", "projection": "#7a5fb0", "aux": "#c0504d"}


def _is_dark(widget: QWidget | None) -> bool:
    """True when the view's background is dark (the dark theme)."""
    return widget is not None and widget.palette().color(QPalette.ColorRole.Base).lightness() < 128


def _outside_text(widget: QWidget | None) -> QColor:
    """Colour for text drawn on the scene background rather than inside a block."""
    return QColor("#d8d8d8") if _is_dark(widget) else QColor("#333333")


class BlockItem(QGraphicsItem):
    """One block: a rounded box with its label and output shape (or a small + / concat node)."""

    def __init__(self, block: Block):
        super().__init__()
        self.block = block
        self.selected_row = False
        self.setPos(block.x, block.y)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tooltip())
        self.setZValue(2)

    def tooltip(self) -> str:
        """The block's label, output shape, table rows and whether it runs only while training."""
        block = self.block
        lines = [block.label if not block.sublabel else _("{label}\noutput {shape}").format(label=block.label, shape=block.sublabel)]
        if block.rows:
            lines.append(", ".join(block.rows))
        if block.training_only:
            lines.append(_("(used only while training)"))
        return "\n".join(lines)

    def boundingRect(self) -> QRectF:
        return QRectF(-3, -3, self.block.w + 6, self.block.h + 6)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        b = self.block
        fill, border = KIND_COLOURS.get(b.kind, KIND_COLOURS["other"])
        rect = QRectF(0, 0, b.w, b.h)
        pen = QPen(QColor(border), 1.4)
        if b.training_only:
            pen.setStyle(Qt.PenStyle.DashLine)
        if self.selected_row:
            pen = QPen(QColor("#1f6fe0"), 3.0)
        painter.setPen(pen)
        painter.setBrush(QBrush(QColor(fill)))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if b.kind == "add":
            painter.drawEllipse(rect)
            painter.setPen(QPen(QColor("#5a4500"), 1.6))
            painter.drawLine(QPointF(b.w / 2, 5), QPointF(b.w / 2, b.h - 5))
            painter.drawLine(QPointF(5, b.h / 2), QPointF(b.w - 5, b.h / 2))
            painter.setPen(_outside_text(widget))
            font = QFont(painter.font())
            font.setPointSizeF(7.5)
            painter.setFont(font)
            painter.drawText(QRectF(b.w + 4, -13, 160, 13), Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft, b.sublabel)
            return
        painter.drawRoundedRect(rect, 6, 6)
        painter.setPen(QColor("#1d1d1d"))
        font = QFont(painter.font())
        if b.kind == "concat":
            font.setPointSizeF(7.5)
            painter.setFont(font)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, _("concatenate → {shape}").format(shape=b.sublabel))
            return
        font.setPointSizeF(8.5)
        font.setBold(True)
        painter.setFont(font)
        fm = QFontMetrics(font)
        painter.drawText(QRectF(8, 3, b.w - 16, b.h / 2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(b.label, Qt.TextElideMode.ElideRight, int(b.w - 16)))
        font.setBold(False)
        font.setPointSizeF(8.0)
        painter.setFont(font)
        painter.setPen(QColor("#404040"))
        painter.drawText(QRectF(8, b.h / 2, b.w - 16, b.h / 2 - 3), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         b.sublabel)


class _FrameItem(QGraphicsItem):
    def __init__(self, frame: Frame):
        super().__init__()
        self.frame = frame
        self.setPos(frame.x, frame.y)
        self.setZValue(0)

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, self.frame.w + 4, self.frame.h + 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        f = self.frame
        colour = QColor(_FRAME_COLOURS.get(f.kind, "#9a9a9a"))
        pen = QPen(colour, 1.0)
        if f.kind == "training":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(pen)
        fill = QColor(colour)
        fill.setAlpha(14)
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(0, 0, f.w, f.h), 8, 8)
        font = QFont(painter.font())
        font.setPointSizeF(7.5)
        painter.setFont(font)
        painter.setPen(colour.lighter(160) if _is_dark(widget) else colour.darker(130))
        fm = QFontMetrics(font)
        painter.drawText(QRectF(8, 2, f.w - 16, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(f.label, Qt.TextElideMode.ElideRight, int(f.w - 16)))


def _arrow_path(start: QPointF, end: QPointF, c1: QPointF, c2: QPointF) -> QPainterPath:
    path = QPainterPath(start)
    path.cubicTo(c1, c2, end)
    return path


class ArchDiagramView(QGraphicsView):
    """Shows a diagram; ``rowClicked(name)`` when a block is clicked."""

    rowClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.diagram: Diagram | None = None
        self.block_items: list[BlockItem] = []
        self.selected_row = ""
        self._placeholder = ""
        self._user_zoomed = False

    # -- content --

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.viewport().update()

    def set_diagram(self, diagram: Diagram | None) -> None:
        scene = self.scene()
        scene.clear()
        self.block_items = []
        self.diagram = diagram
        self.selected_row = ""
        if diagram is None:
            self.resetTransform()
            self.viewport().update()
            return
        for frame in diagram.frames:
            scene.addItem(_FrameItem(frame))
        for block in diagram.blocks:
            item = BlockItem(block)
            scene.addItem(item)
            self.block_items.append(item)
        for edge in diagram.edges:
            self._add_edge(diagram.blocks[edge.src], diagram.blocks[edge.dst], edge.kind)
        scene.setSceneRect(QRectF(-16, -10, diagram.width + 32, diagram.height + 30))
        self.fit_width()

    def fit_width(self) -> None:
        """Scale so the diagram's width fits the view (never enlarge; at least 40%)."""
        if self.diagram is None:
            return
        self.resetTransform()
        self._user_zoomed = False
        avail = max(self.viewport().width() - self.verticalScrollBar().sizeHint().width() - 6, 100)
        scale = min(1.0, max(0.5, avail / (self.diagram.width + 32)))
        self.scale(scale, scale)
        spine = self.diagram.blocks[0].cx if self.diagram.blocks else self.diagram.width / 2
        self.centerOn(spine, 0)
        self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.diagram is not None and not self._user_zoomed:
            keep = self.verticalScrollBar().value()
            self.fit_width()
            self.verticalScrollBar().setValue(keep)

    def _add_edge(self, a: Block, b: Block, kind: str) -> None:
        colour = QColor(_EDGE_COLOURS.get(kind, "#6b6b6b"))
        pen = QPen(colour, 1.3 if kind == "flow" else 1.8)
        if kind == "aux":
            pen.setStyle(Qt.PenStyle.DashLine)
        if kind == "skip":
            # leave the flow just under the feeding block, run down the left margin, enter the + node
            y0 = a.bottom + 6
            x_out = b.cx - BLOCK_W / 2 - 6
            end = QPointF(b.x, b.y + b.h / 2)
            r = 8.0
            path = QPainterPath(QPointF(a.cx, a.bottom))
            path.lineTo(a.cx, y0)
            path.lineTo(x_out + r, y0)
            path.quadTo(x_out, y0, x_out, y0 + r)
            path.lineTo(x_out, end.y() - r)
            path.quadTo(x_out, end.y(), x_out + r, end.y())
            path.lineTo(end)
        elif kind == "projection" and b.kind == "add":
            start = QPointF(a.cx, a.bottom)
            end = QPointF(b.x + b.w, b.y + b.h / 2)
            path = _arrow_path(start, end, QPointF(start.x(), end.y()), QPointF(start.x(), end.y()))
        elif kind == "aux":
            start = QPointF(a.x + a.w, a.y + a.h / 2)
            end = QPointF(b.cx, b.y)
            path = _arrow_path(start, end, QPointF(end.x(), start.y()), QPointF(end.x(), start.y()))
        else:
            start = QPointF(a.cx, a.bottom)
            end = QPointF(b.cx, b.y)
            mid = (start.y() + end.y()) / 2
            path = _arrow_path(start, end, QPointF(start.x(), mid), QPointF(end.x(), mid))
        item = QGraphicsPathItem(path)
        item.setPen(pen)
        item.setZValue(1)
        self.scene().addItem(item)
        # arrow head along the last tangent
        tangent = path.angleAtPercent(1.0)
        head = QPainterPath()
        ang = math.radians(tangent)
        dx, dy = math.cos(ang), -math.sin(ang)
        px, py = -dy, dx
        tip = end
        size = 6.0
        poly = QPolygonF([tip, QPointF(tip.x() - dx * size + px * size * 0.5, tip.y() - dy * size + py * size * 0.5),
                          QPointF(tip.x() - dx * size - px * size * 0.5, tip.y() - dy * size - py * size * 0.5)])
        head.addPolygon(poly)
        head_item = QGraphicsPathItem(head)
        head_item.setPen(QPen(colour, 1))
        head_item.setBrush(colour)
        head_item.setZValue(1)
        self.scene().addItem(head_item)

    # -- selection --

    def item_for_row(self, name: str) -> BlockItem | None:
        if self.diagram is None or not name:
            return None
        block = self.diagram.block_for_row(name)
        return self.block_items[block.id] if block is not None else None

    def select_row(self, name: str) -> None:
        """Highlight the block showing row ``name`` and scroll to it."""
        self.selected_row = name
        target = self.item_for_row(name)
        for item in self.block_items:
            flag = item is target
            if item.selected_row != flag:
                item.selected_row = flag
                item.update()
        if target is not None:
            self.ensureVisible(target, 40, 60)

    def selected_block(self) -> Block | None:
        return next((i.block for i in self.block_items if i.selected_row), None)

    def click_block(self, block_id: int) -> None:
        """Act as if block ``block_id`` was clicked."""
        block = self.block_items[block_id].block
        name = block.row
        if block.kind in ("add", "concat") or not name:
            name = block.row
        self.rowClicked.emit(name)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        item = self.itemAt(event.position().toPoint())
        while item is not None and not isinstance(item, BlockItem):
            item = item.parentItem()
        if isinstance(item, BlockItem) and event.button() == Qt.MouseButton.LeftButton:
            self.click_block(item.block.id)
        super().mousePressEvent(event)

    def wheelEvent(self, event) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
            self.scale(factor, factor)
            self._user_zoomed = True
            event.accept()
            return
        super().wheelEvent(event)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        if self.diagram is None:
            painter.save()
            painter.resetTransform()
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            painter.restore()
