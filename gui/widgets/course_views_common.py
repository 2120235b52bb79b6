"""Small pieces shared by the worked-example views: number formatting, a grid of numbers, rich-text labels."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen, QStaticText
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

__all__ = ["num", "NumberGrid", "rich_label", "diverging", "shape"]


def num(value: float, digits: int = 4) -> str:
    """An integer with thousands separators (3,000,000), a float with at most ``digits`` decimals, no trailing zeros."""
    v = float(value)
    if abs(v - round(v)) < 1e-9 and abs(v) < 1e15:
        text = f"{int(round(v)):,}"
    else:
        text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "−" + text[1:] if text.startswith("-") else text  # a real minus sign


def shape(hwc: Sequence[int], label: bool = True) -> str:
    """An H×W×C shape in the app's shape notation (View ▸ Shape notation), labelled with its order."""
    from engine.shapes import format_shape

    return format_shape(tuple(hwc), source="hwc", label=label)


def rich_label(text: str = "", selectable: bool = True) -> QLabel:
    """A word-wrapped rich-text label (sub/superscripts with <sub>/<sup>)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def diverging(v: float, top: float) -> QColor:
    """Blue for negative, white for 0, red for positive, by ``v / top``."""
    t = 0.0 if top <= 0 else max(-1.0, min(1.0, v / top))
    if t >= 0:
        return QColor(255, int(255 * (1 - t * 0.75)), int(255 * (1 - t * 0.8)))
    t = -t
    return QColor(int(255 * (1 - t * 0.8)), int(255 * (1 - t * 0.6)), 255)


class NumberGrid(QWidget):
    """A small matrix drawn as cells with its numbers, a title above (rich text: <sub>, <sup>).

    ``values()`` gives back the numbers drawn; ``texts()`` the cell texts as shown.
    """

    def __init__(self, title: str = "", cell: int = 40, parent: QWidget | None = None):
        super().__init__(parent)
        self._title = title
        self._values = np.zeros((0, 0))
        self._cell = cell
        self._heat = True
        self._highlight: set[tuple[int, int]] = set()
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_title(self, title: str) -> None:
        self._title = title
        self.updateGeometry()
        self.update()

    def title(self) -> str:
        return self._title

    def set_values(self, values: Sequence[Sequence[float]], heat: bool = True, highlight: Sequence[tuple[int, int]] = ()) -> None:
        self._values = np.asarray(values, dtype=np.float64).reshape(len(values), -1) if len(values) else np.zeros((0, 0))
        self._heat = heat
        self._highlight = {tuple(h) for h in highlight}
        self.updateGeometry()
        self.update()

    def values(self) -> list[list[float]]:
        return self._values.tolist()

    def texts(self) -> list[list[str]]:
        return [[num(v) for v in row] for row in self._values]

    def _title_text(self) -> QStaticText:
        t = QStaticText(self._title)
        t.setTextFormat(Qt.TextFormat.RichText)
        t.prepare(font=self.font())
        return t

    def _title_height(self) -> int:
        return int(self._title_text().size().height()) + 4 if self._title else 0

    def sizeHint(self) -> QSize:  # noqa: N802
        rows, cols = self._values.shape if self._values.size else (1, 1)
        width = max(cols * self._cell + 2, int(self._title_text().size().width()) + 4)
        return QSize(width, rows * self._cell + 2 + self._title_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = self.palette()
        top = self._title_height()
        if self._title:
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawStaticText(0, 0, self._title_text())
        if not self._values.size:
            return
        vmax = float(np.abs(self._values).max()) or 1.0
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * (0.95 if self._cell >= 36 else 0.8)))
        p.setFont(font)
        c = self._cell
        for (r, k), v in np.ndenumerate(self._values):
            rect = QRectF(1 + k * c, top + 1 + r * c, c, c)
            fill = diverging(v, vmax) if self._heat else pal.color(QPalette.ColorRole.Base)
            p.fillRect(rect, fill)
            bold = (r, k) in self._highlight
            p.setPen(QPen(QColor("#d07000") if bold else QColor("#888888"), 2.5 if bold else 1))
            p.drawRect(rect)
            p.setPen(QColor("#111111") if self._heat else pal.color(QPalette.ColorRole.Text))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, num(v, 3))
        p.end()
