"""An editable grid of numbers, each cell coloured by its value."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from engine.conv import fmt, value_colours

__all__ = ["ConvGridEditor"]


class ConvGridEditor(QTableWidget):
    """Shows a (rows, cols) matrix; editing a cell emits ``cellEdited(row, col, value)``.

    Text that is not a number is refused (the cell goes back to its value).
    """

    cellEdited = Signal(int, int, float)

    def __init__(self, max_cell: int = 40, parent: QWidget | None = None):
        super().__init__(parent)
        self.max_cell = max_cell
        self._values = np.zeros((0, 0))
        self._vmax: float | None = None
        self._filling = False
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.AnyKeyPressed)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setMinimumSectionSize(8)
            header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.itemChanged.connect(self._on_item_changed)

    def values(self) -> np.ndarray:
        return self._values.copy()

    def set_values(self, values: np.ndarray, vmax: float | None = None) -> None:
        """Show ``values`` (rows, cols), coloured on a ±vmax scale (default: largest |value|)."""
        values = np.asarray(values, dtype=np.float64)
        self._values = values.copy()
        self._vmax = vmax
        rows, cols = values.shape
        vmax = float(vmax if vmax is not None else max(np.abs(values).max(initial=0.0), 1e-9))
        colours = value_colours(values, vmax)
        self._filling = True
        try:
            self.setRowCount(rows)
            self.setColumnCount(cols)
            self.setHorizontalHeaderLabels([str(c) for c in range(cols)])
            self.setVerticalHeaderLabels([str(r) for r in range(rows)])
            avail = min(self.viewport().width() or 400, self.viewport().height() or 400)
            cell = int(max(18, min(self.max_cell, (avail - 4) / max(rows, cols, 1))))
            font = QFont(self.font())
            font.setPixelSize(max(8, min(13, int(cell * 0.42))))
            for r in range(rows):
                self.setRowHeight(r, cell)
                for c in range(cols):
                    item = self.item(r, c)
                    if item is None:
                        item = QTableWidgetItem()
                        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                        self.setItem(r, c, item)
                    item.setText(fmt(values[r, c]).replace("−", "-"))
                    item.setFont(font)
                    rgb = colours[r, c]
                    item.setBackground(QBrush(QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))))
                    light = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140
                    item.setForeground(QBrush(QColor(20, 20, 20) if light else QColor(255, 255, 255)))
            labels = [fmt(v) for v in values.ravel()] or ["0"]
            widest = max(QFontMetrics(font).horizontalAdvance(t) for t in labels) + 8
            for c in range(cols):
                self.setColumnWidth(c, max(cell, widest))
        finally:
            self._filling = False

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._values.size and not self._filling:  # cells follow the space the grid is given
            self.set_values(self._values, self._vmax)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        r, c = item.row(), item.column()
        try:
            value = float(item.text().replace("−", "-").replace(",", "."))
            if not np.isfinite(value):
                raise ValueError
        except ValueError:
            self._filling = True
            item.setText(fmt(self._values[r, c]).replace("−", "-"))
            self._filling = False
            return
        self._values[r, c] = value
        self.cellEdited.emit(r, c, value)
