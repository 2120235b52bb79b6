"""The layer table: name (indented by depth), type, output shape, activation size, parameters, MACs,
receptive field, details, and a bold totals row. ``rowClicked(name)`` when the user selects a layer.

Shapes follow View ▸ Shape notation (:func:`engine.shapes.display_order`); :meth:`ArchLayerTable.retranslate`
re-renders headers and cells after a notation or language change."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from engine.arch.summary import ModelSummary
from engine.i18n import N_, _
from engine.shapes import display_order, format_shape, order_label

__all__ = ["ArchLayerTable", "COLUMNS", "ACTIVATIONS_COLUMN"]

#: Column titles (the Output one gets the shape order in use: "Output (H×W×C)").
COLUMNS = (N_("Layer"), N_("Type"), N_("Output ({order})"), N_("Activations"), N_("Parameters"), N_("MACs"),
           N_("RF"), N_("Details"))
ACTIVATIONS_COLUMN = 3
_NUMERIC = (3, 4, 5, 6)
_TIPS = {
    2: N_("Output shape of one image, {order} (batch excluded); View ▸ Shape notation changes the order"),
    3: N_("Activation size: the number of values this layer outputs for one image (H·W·C). It shrinks layer "
          "by layer towards the output, e.g. 6,000 → 1,600 → 84 in a LeNet-like network"),
    5: N_("Multiply-accumulates for one input"),
    6: N_("Receptive field: input pixels that reach one output value"),
    7: N_("Kernel, stride, padding"),
}
_NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class ArchLayerTable(QTableWidget):
    rowClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self._set_headers()
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
        self.leaves_only = False
        self.names: list[str] = []
        self.itemSelectionChanged.connect(self._selection_changed)

    def _set_headers(self) -> None:
        order = order_label(display_order())
        self.setHorizontalHeaderLabels([_(c).format(order=order) for c in COLUMNS])
        for c, tip in _TIPS.items():
            self.horizontalHeaderItem(c).setToolTip(_(tip).format(order=order))

    def retranslate(self) -> None:
        """Re-render headers and cells in the current language and shape notation, keeping the selection."""
        name = self.selected_name()
        self._set_headers()
        self.set_summary(self.summary, self.leaves_only)
        if name:
            self.select_name(name)

    def set_summary(self, summary: ModelSummary | None, leaves_only: bool = False) -> None:
        """Fill the table (``leaves_only`` hides containers); the last row holds the totals."""
        with QSignalBlocker(self):
            self.clearContents()
            self.summary = summary
            self.leaves_only = leaves_only
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
                top_training = r.training_only and r.parent not in training_names
                values = (
                    _("{name}  (training only)").format(name=shown) if top_training else shown,
                    r.type,
                    format_shape(r.output_shape, label=False) or "–",  # the header says the order
                    f"{r.activations:,}" if r.activations is not None else "–",
                    f"{r.params:,}",
                    f"{r.macs:,}",
                    r.rf_text or "–",
                    r.details,
                )
                for c, text in enumerate(values):
                    item = QTableWidgetItem(text)
                    item.setData(_NAME_ROLE, r.name)
                    if c == 0:
                        item.setToolTip(_("{name}: used only while training; the inference forward skips it")
                                        .format(name=r.name) if r.training_only else r.name)
                    if c in _NUMERIC:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if r.training_only:
                        item.setForeground(training)
                    elif not r.is_leaf and c in (4, 5):
                        item.setForeground(grey)  # containers repeat their children's sums
                    self.setItem(i, c, item)
            if summary is not None:
                bold = QFont(self.font())
                bold.setBold(True)
                total = (
                    _("Total"),
                    summary.root_type,
                    format_shape(summary.output_shape, label=False),
                    "",
                    f"{summary.total_params:,}",
                    f"{summary.total_macs:,}",
                    "",
                    (_("{n:,} parameters without training-only layers").format(n=summary.inference_params)
                     if summary.inference_params != summary.total_params else ""),
                )
                for c, text in enumerate(total):
                    item = QTableWidgetItem(text)
                    item.setFont(bold)
                    item.setData(_NAME_ROLE, "")
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    if c in _NUMERIC:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(len(rows), c, item)
            self.resizeColumnsToContents()
            self.setColumnWidth(0, min(self.columnWidth(0), 200))
            self.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def natural_width(self) -> int:
        """Pixels the table needs to show every column whole, without a horizontal scroll bar."""
        header = self.horizontalHeader()
        columns = sum(max(self.sizeHintForColumn(c), header.sectionSizeHint(c)) if c else min(max(self.sizeHintForColumn(c), header.sectionSizeHint(c)), 200)
                      for c in range(self.columnCount()))
        return columns + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth() + 2

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
