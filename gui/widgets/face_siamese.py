"""Painted diagrams of the One-shot tab: a Siamese network over two real samples, and a softmax output layer."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.i18n import _

__all__ = ["SiameseDiagram", "SoftmaxDiagram", "POSITIVE_COLOUR", "NEGATIVE_COLOUR"]

POSITIVE_COLOUR = QColor(40, 110, 220)
NEGATIVE_COLOUR = QColor(210, 80, 50)
_NEW_COLOUR = QColor(200, 60, 40)


def _arrow(painter: QPainter, a: QPointF, b: QPointF) -> None:
    """A line from ``a`` to ``b`` with a small head at ``b``."""
    painter.drawLine(a, b)
    v = b - a
    length = max((v.x() ** 2 + v.y() ** 2) ** 0.5, 1e-6)
    ux, uy = v.x() / length, v.y() / length
    head = QPainterPath(b)
    head.lineTo(b - QPointF(8 * ux - 4 * uy, 8 * uy + 4 * ux))
    head.lineTo(b - QPointF(8 * ux + 4 * uy, 8 * uy - 4 * ux))
    head.closeSubpath()
    painter.fillPath(head, painter.pen().color())


class SiameseDiagram(QWidget):
    """x1 and x2 → ONE network f, drawn once, with shared weights → two 128-D codes as bar strips.

    ``set_pair(chips, codes, names)``: chips are (150, 150, 3) uint8 pixmaps' sources, codes (128,) each.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.pixmaps: list[QPixmap | None] = [None, None]
        self.codes: list[np.ndarray | None] = [None, None]
        self.names = ["", ""]
        self.setMinimumHeight(230)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(760, 280)

    def set_pair(self, pixmaps: Sequence[QPixmap | None], codes: Sequence[np.ndarray | None], names: Sequence[str]) -> None:
        """Show two samples: their chips, their descriptors (128,) and their names."""
        self.pixmaps = list(pixmaps)
        self.codes = [None if c is None else np.asarray(c, np.float64).ravel() for c in codes]
        self.names = list(names)
        self.update()

    def clear(self) -> None:
        self.set_pair([None, None], [None, None], ["", ""])

    def _strip(self, painter: QPainter, rect: QRectF, code: np.ndarray, scale: float, text: QColor) -> None:
        """One bar per dimension: up for positive, down for negative, on a common scale."""
        painter.setPen(QPen(text, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        mid = rect.center().y()
        painter.drawLine(QPointF(rect.left(), mid), QPointF(rect.right(), mid))
        n = len(code)
        w = rect.width() / max(n, 1)
        half = rect.height() / 2 - 2
        for i, v in enumerate(code):
            h = half * float(v) / scale
            bar = QRectF(rect.left() + i * w, mid - max(h, 0.0), max(w - 0.5, 0.6), abs(h))
            painter.fillRect(bar, POSITIVE_COLOUR if v >= 0 else NEGATIVE_COLOUR)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        fm = painter.fontMetrics()
        line = fm.height()
        W, H = self.width(), self.height()
        margin = 8
        # each row: a name line above a square chip
        s = int(max(40, min(130, (H - 2 * margin) / 2 - line - 8)))
        rows_y = [margin + line, H - margin - s]
        chip_x = margin
        box_w = max(120, fm.horizontalAdvance(_("shared weights")) + 24)
        box_x = chip_x + s + 50
        strip_x = box_x + box_w + 50
        strip_w = max(128, W - strip_x - margin)
        box = QRectF(box_x, rows_y[0], box_w, rows_y[1] + s - rows_y[0])

        # the one network: drawn once, both inputs go through it
        painter.setPen(QPen(text, 2))
        painter.setBrush(QColor(POSITIVE_COLOUR.red(), POSITIVE_COLOUR.green(), POSITIVE_COLOUR.blue(), 40))
        painter.drawRoundedRect(box, 10, 10)
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QRectF(box.left(), box.center().y() - 2 * line, box.width(), line * 1.2), Qt.AlignmentFlag.AlignCenter, _("ConvNet f"))
        painter.setFont(self.font())
        painter.drawText(QRectF(box.left(), box.center().y() - 0.6 * line, box.width(), line * 1.2), Qt.AlignmentFlag.AlignCenter, _("shared weights"))
        painter.drawText(QRectF(box.left(), box.center().y() + 0.8 * line, box.width(), line * 1.2), Qt.AlignmentFlag.AlignCenter, _("(one network)"))

        codes = [c for c in self.codes if c is not None]
        scale = max((float(np.abs(c).max()) for c in codes), default=1.0) or 1.0
        for k, y in enumerate(rows_y):
            chip = QRectF(chip_x, y, s, s)
            label = "x{k}".format(k=k + 1) + (f" · {self.names[k]}" if self.names[k] else "")
            painter.setPen(text)
            painter.drawText(QRectF(chip_x, y - line - 2, strip_x - chip_x - 10, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             fm.elidedText(label, Qt.TextElideMode.ElideRight, int(box_x - chip_x + 40)))
            pix = self.pixmaps[k]
            if pix is not None and not pix.isNull():
                painter.drawPixmap(chip.toRect(), pix)
            else:
                painter.setPen(QPen(text, 1, Qt.PenStyle.DashLine))
                painter.drawRect(chip)
            cy = y + s / 2
            painter.setPen(QPen(text, 2))
            _arrow(painter, QPointF(chip.right() + 4, cy), QPointF(box.left() - 2, cy))
            _arrow(painter, QPointF(box.right() + 2, cy), QPointF(strip_x - 4, cy))
            strip = QRectF(strip_x, cy - s * 0.3, strip_w, s * 0.6)
            painter.setPen(text)
            painter.drawText(QRectF(strip_x, strip.top() - line - 2, strip_w, line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             _("f(x{k}): {n} numbers").format(k=k + 1, n=128 if self.codes[k] is None else len(self.codes[k])))
            if self.codes[k] is not None:
                self._strip(painter, strip, self.codes[k], scale, text)
        painter.end()


class SoftmaxDiagram(QWidget):
    """A 128-D input → K softmax outputs (one per enrolled person), and the output a new person would need."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.names: list[str] = []
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(320, 160)

    def set_people(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        fm = painter.fontMetrics()
        W, H = self.width(), self.height()
        shown = self.names[:6]
        more = len(self.names) - len(shown)
        rows = len(shown) + (1 if more else 0) + 1  # + the new person's output
        step = min(fm.height() + 6, (H - 16) / max(rows, 1))
        r = max(3.0, min(7.0, step / 2 - 1))
        top = (H - step * rows) / 2 + step / 2
        in_x, out_x = 24, max(90.0, W * 0.32)
        # the 128-D input: a column of a few dots standing for 128
        painter.setPen(text)
        painter.drawText(QRectF(0, 2, out_x, fm.height()), Qt.AlignmentFlag.AlignLeft, _("f(x): 128"))
        inputs = [H * (0.25 + 0.5 * i / 5) for i in range(6)]
        outputs = [top + i * step for i in range(rows)]
        for oy_i, oy in enumerate(outputs):
            new = oy_i == rows - 1
            pen = QPen(_NEW_COLOUR if new else text, 1, Qt.PenStyle.DashLine if new else Qt.PenStyle.SolidLine)
            c = pen.color()
            c.setAlpha(90 if not new else 160)
            pen.setColor(c)
            painter.setPen(pen)
            for iy in inputs:
                painter.drawLine(QPointF(in_x, iy), QPointF(out_x - r, oy))
        painter.setPen(QPen(text, 1))
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        for iy in inputs:
            painter.drawEllipse(QPointF(in_x, iy), 4, 4)
        for i, oy in enumerate(outputs):
            new = i == rows - 1
            if new:
                painter.setPen(QPen(_NEW_COLOUR, 2, Qt.PenStyle.DashLine))
                label = _("+1 (a new person)")
            elif more and i == len(shown):
                painter.setPen(QPen(text, 1))
                label = _("… {n} more").format(n=more)
            else:
                painter.setPen(QPen(text, 1))
                label = shown[i]
            painter.drawEllipse(QPointF(out_x, oy), r, r)
            painter.setPen(_NEW_COLOUR if new else text)
            painter.drawText(QRectF(out_x + r + 6, oy - fm.height() / 2, W - out_x - r - 8, fm.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             fm.elidedText(label, Qt.TextElideMode.ElideRight, int(W - out_x - r - 10)))
        painter.end()
