"""An image with a YOLO grid drawn over it: cells, boxes, assignments, hover."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget
from engine.i18n import N_

from .image_view import ImageView

__all__ = ["OverlayBox", "GridOverlayView", "CLASS_COLOURS"]

#: One colour per class index (cycled).
CLASS_COLOURS = (QColor(230, 57, 70), QColor(29, 132, 230), QColor(46, 170, 80), QColor(245, 160, 20), QColor(150, 80, 200))


@dataclass(frozen=True)
class OverlayBox:
    """A box to draw: xyxy in image pixels, class index, caption, dashed (ground truth) or solid."""

    box: tuple[float, float, float, float]
    label: int
    text: str = ""
    dashed: bool = False
    dot: tuple[float, float] | None = None


class GridOverlayView(ImageView):
    """Shows an image with an S x S grid over a square region of it.

    ``hoveredCell(row, col)`` follows the mouse (-1, -1 outside);
    ``cellClicked(row, col)`` on click. ``highlight`` marks one cell.
    """

    hoveredCell = Signal(int, int)
    cellClicked = Signal(int, int)

    def __init__(self, placeholder: str = N_("No scene"), parent: QWidget | None = None):
        super().__init__(placeholder, parent)
        self.setMouseTracking(True)
        self.grid = 0
        self.grid_size = 0.0  # image pixels covered by the grid (square from the top-left)
        self.boxes: list[OverlayBox] = []
        self.highlight: tuple[int, int] | None = None
        self.marked_cells: list[tuple[int, int]] = []
        self._hover = (-1, -1)

    def set_grid(self, grid: int, grid_size: float) -> None:
        self.grid, self.grid_size = int(grid), float(grid_size)
        self.update()

    def set_boxes(self, boxes: list[OverlayBox]) -> None:
        self.boxes = list(boxes)
        self.update()

    def set_highlight(self, cell: tuple[int, int] | None, marked: list[tuple[int, int]] | None = None) -> None:
        self.highlight = cell
        if marked is not None:
            self.marked_cells = list(marked)
        self.update()

    def cell_at(self, x: float, y: float) -> tuple[int, int]:
        """Grid cell under image pixel (x, y); (-1, -1) outside the grid."""
        if not self.grid or x < 0 or y < 0 or x >= self.grid_size or y >= self.grid_size:
            return -1, -1
        cell = self.grid_size / self.grid
        return int(y // cell), int(x // cell)

    def cell_center(self, row: int, col: int) -> QPointF:
        """Widget coordinates of a cell's centre."""
        cell = self.grid_size / max(self.grid, 1)
        return self._to_widget((col + 0.5) * cell, (row + 0.5) * cell)

    def _to_widget(self, x: float, y: float) -> QPointF:
        rect = self.image_rect()
        h, w = self._shape
        return QPointF(rect.x() + x * rect.width() / max(w, 1), rect.y() + y * rect.height() / max(h, 1))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pt = self.widget_to_image(event.position())
        cell = self.cell_at(*pt) if pt else (-1, -1)
        if cell != self._hover:
            self._hover = cell
            self.hoveredCell.emit(*cell)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        pt = self.widget_to_image(event.position())
        if pt is not None:
            cell = self.cell_at(*pt)
            if cell[0] >= 0:
                self.cellClicked.emit(*cell)
        super().mousePressEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self.has_image():
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.grid:
            cell = self.grid_size / self.grid
            p.setPen(QPen(QColor(255, 255, 255, 150), 1))
            for i in range(self.grid + 1):
                p.drawLine(self._to_widget(i * cell, 0), self._to_widget(i * cell, self.grid_size))
                p.drawLine(self._to_widget(0, i * cell), self._to_widget(self.grid_size, i * cell))
            for r, c in self.marked_cells:
                p.fillRect(QRectF(self._to_widget(c * cell, r * cell), self._to_widget((c + 1) * cell, (r + 1) * cell)), QColor(255, 255, 0, 45))
            if self.highlight is not None and self.highlight[0] >= 0:
                r, c = self.highlight
                rect = QRectF(self._to_widget(c * cell, r * cell), self._to_widget((c + 1) * cell, (r + 1) * cell))
                p.fillRect(rect, QColor(255, 255, 255, 70))
                p.setPen(QPen(QColor(255, 230, 0), 2.5))
                p.drawRect(rect)
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() * 0.85))
        p.setFont(font)
        for b in self.boxes:
            colour = CLASS_COLOURS[b.label % len(CLASS_COLOURS)]
            pen = QPen(colour, 1.6 if b.dashed else 2.4)
            if b.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            rect = QRectF(self._to_widget(b.box[0], b.box[1]), self._to_widget(b.box[2], b.box[3]))
            p.drawRect(rect)
            if b.dot is not None:
                p.setBrush(colour)
                p.drawEllipse(self._to_widget(*b.dot), 3.5, 3.5)
                p.setBrush(Qt.BrushStyle.NoBrush)
            if b.text:
                metrics = p.fontMetrics()
                tw, th = metrics.horizontalAdvance(b.text) + 6, metrics.height()
                top = rect.top() - th if rect.top() - th >= self.image_rect().top() else rect.bottom()
                label_rect = QRectF(rect.left(), top, tw, th)
                p.fillRect(label_rect, QColor(colour.red(), colour.green(), colour.blue(), 200))
                p.setPen(QColor(255, 255, 255))
                p.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, b.text)
        p.end()
