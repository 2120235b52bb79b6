"""The grid sandbox: place objects by hand on an S×S grid and watch each cell's y vector fill, anchor by anchor."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _, join_list
from engine.shapes import format_shape

from ..panels.grid_sandbox_model import GridSandboxModel
from .box_canvas import BoxCanvas, CanvasBox
from .form import Form, number_box

__all__ = ["GridSandbox"]

_CLASS_COLOURS = ((230, 57, 70), (29, 132, 230), (46, 170, 80))
_ANCHOR_NAMES = (N_("Anchor 1 (tall)"), N_("Anchor 2 (wide)"))
_FIELDS = ("p_c", "b_x", "b_y", "b_h", "b_w", "c1", "c2", "c3")


class GridSandbox(QWidget):
    """Canvas with the grid on the left; settings, the output shape and the hovered cell's y on the right."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = GridSandboxModel(self)
        m = self.model
        h = QHBoxLayout(self)
        left = QVBoxLayout()
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Next box:")))
        self.class_combo = QComboBox()
        for k, name in enumerate(m.class_names):
            self.class_combo.addItem(_(name), k)
        bar.addWidget(self.class_combo)
        self.photo_combo = QComboBox()
        self.photo_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.photo_combo.setMinimumContentsLength(8)
        self.photo_combo.addItem(_("Blank canvas"), "")
        self.photo_combo.addItem(_("Sample photo: astronaut"), "astronaut")
        self.photo_combo.addItem(_("Sample photo: coffee"), "coffee")
        bar.addWidget(self.photo_combo, 1)
        left.addLayout(bar)
        bar = QHBoxLayout()
        self.undo_button = QPushButton(_("Remove last"))
        self.clear_button = QPushButton(_("Remove all"))
        bar.addWidget(self.undo_button)
        bar.addWidget(self.clear_button)
        bar.addStretch(1)
        left.addLayout(bar)
        self.canvas = BoxCanvas()
        self.canvas.setMinimumSize(220, 220)
        left.addWidget(self.canvas, 1)
        hint = QLabel(_("Drag to place an object of the chosen class. Each object goes to the cell holding its midpoint "
                        "and to the anchor whose shape has the highest IoU with its own."))
        hint.setWordWrap(True)
        left.addWidget(hint)
        h.addLayout(left, 1)

        side = QWidget()
        right = QVBoxLayout(side)
        right.setContentsMargins(0, 0, 0, 0)
        settings = QGroupBox(_("Grid and anchor boxes"))
        f = Form(settings)
        self.grid_spin = f.spin(N_("Grid S"), 1, 19, m.grid)
        self.anchor_count = f.spin(N_("Number of anchor boxes"), 1, 2, m.num_anchors)
        self.anchor_spins: list[tuple[QDoubleSpinBox, QDoubleSpinBox]] = []
        for k, (w, ht) in enumerate(m.anchor_shapes):
            ws, hs = number_box(0.05, 19.0, w, step=0.1), number_box(0.05, 19.0, ht, step=0.1)
            row = QHBoxLayout()
            row.addWidget(QLabel(_("width")))
            row.addWidget(ws)
            row.addWidget(QLabel(_("height")))
            row.addWidget(hs)
            f.add(_ANCHOR_NAMES[k], row)
            self.anchor_spins.append((ws, hs))
        right.addWidget(settings)
        self.shape_label = QLabel()
        self.shape_label.setWordWrap(True)
        right.addWidget(self.shape_label)
        self.cell_label = QLabel()
        self.cell_label.setWordWrap(True)
        right.addWidget(self.cell_label)
        self.vector_table = QTableWidget(0, len(_FIELDS))
        self.vector_table.setHorizontalHeaderLabels(list(_FIELDS))
        self.vector_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.vector_table.setWordWrap(False)  # a number is never broken across lines
        self.vector_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.vector_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right.addWidget(self.vector_table)
        self.assign_label = QLabel()
        self.assign_label.setWordWrap(True)
        self.assign_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.assign_label, 1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(390)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        h.addWidget(scroll, 1)

        self.class_combo.currentIndexChanged.connect(lambda i: m.set_class(self.class_combo.itemData(i)))
        self.photo_combo.currentIndexChanged.connect(self._photo_chosen)
        self.undo_button.clicked.connect(m.remove_last)
        self.clear_button.clicked.connect(m.clear)
        self.grid_spin.valueChanged.connect(m.set_grid)
        self.anchor_count.valueChanged.connect(m.set_num_anchors)
        for k, (ws, hs) in enumerate(self.anchor_spins):
            ws.valueChanged.connect(lambda _v, k=k: self._anchor_edited(k))
            hs.valueChanged.connect(lambda _v, k=k: self._anchor_edited(k))
        self.canvas.boxDrawn.connect(lambda *box: m.add_object(box))
        self.canvas.hovered.connect(m.set_hover_pixel)
        m.changed.connect(self.refresh)
        m.hoverChanged.connect(self.refresh_cell)
        self.refresh()

    def _anchor_edited(self, k: int) -> None:
        ws, hs = self.anchor_spins[k]
        self.model.set_anchor_shape(k, ws.value(), hs.value())

    def _photo_chosen(self, index: int) -> None:
        key = self.photo_combo.itemData(index)
        if not key:
            self.model.set_photo(None)
        else:
            from engine.samples import sample_image

            self.model.set_photo(sample_image(key))

    # -- model → view --

    def refresh(self) -> None:
        """Re-render from the model (also on a language or shape-notation switch)."""
        m = self.model
        for w, v in ((self.grid_spin, m.grid), (self.anchor_count, m.num_anchors)):
            with QSignalBlocker(w):
                w.setValue(v)
        for k, (ws, hs) in enumerate(self.anchor_spins):
            for spin, value in zip((ws, hs), m.anchor_shapes[k]):
                with QSignalBlocker(spin):
                    spin.setValue(value)
                spin.setEnabled(k < m.num_anchors)
        names = [_(n) for n in m.class_names]
        self.canvas.set_image(m.image)
        self.canvas.set_boxes([CanvasBox(box, _CLASS_COLOURS[label], names[label]) for label, box in m.objects])
        enc = m.encoding
        if enc is None:
            self.shape_label.setText("<span style='color:#c0392b'>{}</span>".format(m.error))
            self.assign_label.setText("")
            self.refresh_cell()
            return
        self.shape_label.setText(_("Output volume: {shape} ({n} numbers per cell: 8 per anchor box)").format(
            shape="<b>" + format_shape(enc.output_shape, source="hwc") + "</b>", n=enc.output_shape[2]))
        rows = []
        for a in enc.assignments:
            label, _box = m.objects[a.index]
            ious = join_list(f"{v:.2f}" for v in a.anchor_ious)
            text = _("{cls} → cell ({row}, {col}), anchor {anchor} (shape IoU with the anchors: {ious})").format(
                cls=names[label], row=a.row, col=a.col, anchor=a.anchor + 1, ious=ious)
            if a.overwritten:
                text += " " + _("(overwritten: a later object took the same cell and anchor)")
            rows.append(text)
        self.assign_label.setText("<br>".join(rows) if rows else _("No objects yet: drag on the picture to place one."))
        self.refresh_cell()

    def refresh_cell(self) -> None:
        """Highlight the hovered cell and show its y vector, one row per anchor box."""
        m = self.model
        enc = m.encoding
        cell = m.shown_cell()
        marked = sorted({(a.row, a.col) for a in enc.assignments}) if enc is not None else []
        self.canvas.set_grid(m.grid, cell, marked)
        if enc is None or cell is None:
            self.cell_label.setText(_("Hover a cell to see its y vector."))
            self.vector_table.setRowCount(0)
            return
        r, c = cell
        b = enc.y.shape[2]
        self.cell_label.setText(_("Cell ({row}, {col}): y has {n} numbers, [p_c, b_x, b_y, b_h, b_w, c1, c2, c3] per anchor box.").format(
            row=r, col=c, n=8 * b))
        self.vector_table.setRowCount(b)
        self.vector_table.setVerticalHeaderLabels([_("Anchor {k}").format(k=k + 1) for k in range(b)])
        for k in range(b):
            for j, v in enumerate(enc.y[r, c, k]):
                item = QTableWidgetItem(f"{float(v):.2f}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.vector_table.setItem(k, j, item)
        t = self.vector_table
        t.resizeRowsToContents()
        # exactly the rows: no empty space below, no vertical scrolling
        t.setFixedHeight(t.horizontalHeader().height() + sum(t.rowHeight(k) for k in range(b)) + 2 * t.frameWidth()
                         + (t.horizontalScrollBar().sizeHint().height() if t.horizontalScrollBar().isVisible() else 0))

    def cell_values(self) -> list[float]:
        """The numbers the table shows for the current cell, anchor after anchor (as displayed, 2 decimals)."""
        t = self.vector_table
        return [float(t.item(k, j).text()) for k in range(t.rowCount()) for j in range(t.columnCount())]

