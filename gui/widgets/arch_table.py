"""The layer table: name (indented by depth), type, output shape, parameters, MACs, receptive field,
details, and a bold totals row. ``rowClicked(name)`` when the user selects a layer."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from engine.arch.summary import ModelSummary, format_shape

__all__ = ["ArchLayerTable", "COLUMNS"]

COLUMNS = ("Layer", "Type", "Output", "Parameters", "MACs", "RF", "Details")
_NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class ArchLayerTable(QTableWidget):
    rowClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        tips = {2: "Output shape C×H×W (batch excluded)", 4: "Multiply-accumulates for one input",
                5: "Receptive field: input pixels that reach one output value", 6: "Kernel, stride, padding"}
        for c, tip in tips.items():
            self.horizontalHeaderItem(c).setToolTip(tip)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.summary: ModelSummary | None = None
        self.names: list[str] = []
        self.itemSelectionChanged.connect(self._selection_changed)

    def set_summary(self, summary: ModelSummary | None, leaves_only: bool = False) -> None:
        """Fill the table (``leaves_only`` hides containers); the last row holds the totals."""
        with QSignalBlocker(self):
            self.clearContents()
            self.summary = summary
            rows = [] if summary is None else [r for r in summary.rows if r.is_leaf or not leaves_only]
            self.names = [r.name for r in rows]
            training_names = {r.name for r in rows if r.training_only}
            self.setRowCount(len(rows) + (1 if summary is not None else 0))
            grey = QBrush(QColor(140, 140, 140))
            training = QBrush(QColor(192, 80, 77))
            for i, r in enumerate(rows):
                if leaves_only or r.depth == 0:
                    shown = r.name
                else:  # a tree: the name relative to its parent, indented
                    shown = "   " * (r.depth - 1) + "└ " + r.name[len(r.parent) + 1 :]
                values = (
                    shown + ("  (training only)" if r.training_only and r.parent not in training_names else ""),
                    r.type,
                    format_shape(r.output_shape) or "–",
                    f"{r.params:,}",
                    f"{r.macs:,}",
                    r.rf_text or "–",
                    r.details,
                )
                for c, text in enumerate(values):
                    item = QTableWidgetItem(text)
                    item.setData(_NAME_ROLE, r.name)
                    if c == 0:
                        item.setToolTip(r.name)
                    if c >= 3 and c <= 5:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if r.training_only:
                        item.setForeground(training)
                    elif not r.is_leaf and c >= 3 and c <= 4:
                        item.setForeground(grey)  # containers repeat their children's sums
                    self.setItem(i, c, item)
            if summary is not None:
                bold = QFont(self.font())
                bold.setBold(True)
                total = (
                    "Total",
                    summary.root_type,
                    format_shape(summary.output_shape),
                    f"{summary.total_params:,}",
                    f"{summary.total_macs:,}",
                    "",
                    (f"{summary.inference_params:,} params without training-only layers"
                     if summary.inference_params != summary.total_params else ""),
                )
                for c, text in enumerate(total):
                    item = QTableWidgetItem(text)
                    item.setFont(bold)
                    item.setData(_NAME_ROLE, "")
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    if c >= 3 and c <= 5:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(len(rows), c, item)
            self.resizeColumnsToContents()
            self.setColumnWidth(0, min(self.columnWidth(0), 200))
            self.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def totals_row(self) -> int:
        return self.rowCount() - 1

    def select_name(self, name: str) -> None:
        """Select the row of ``name`` (``""`` clears) without emitting ``rowClicked``."""
        with QSignalBlocker(self):
            self.clearSelection()
            if name in self.names:
                r = self.names.index(name)
                self.selectRow(r)
                self.scrollToItem(self.item(r, 0), QAbstractItemView.ScrollHint.EnsureVisible)

    def selected_name(self) -> str:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return ""
        item = self.item(rows[0].row(), 0)
        return item.data(_NAME_ROLE) or "" if item else ""

    def _selection_changed(self) -> None:
        name = self.selected_name()
        if name:
            self.rowClicked.emit(name)
