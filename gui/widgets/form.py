"""One way to build a panel's form: labelled spin boxes with units and tooltips, and threshold rows.

Labels and tooltips are English source texts marked with ``N_`` (so the catalogue
finds them); they are shown through ``_()``, and a language switch re-translates
them with the rest of the window (:func:`gui.i18n.retranslate_tree`). A tooltip
with ``{fields}`` goes through :func:`gui.i18n.set_tooltip`, so it is re-rendered
with its values. Units (``" px"``, ``" %"``) are the same in every language and
are not translated. Example::

    from engine.i18n import N_
    from gui.widgets.form import Form, spin_box

    form = Form(group_box)                                 # a QFormLayout on the group box
    self.size_spin = form.spin(N_("Output size"), 32, 4096, step=64, unit=" px",
                               tooltip=N_("Long side of the output."))
    self.iou_spin = form.threshold(N_("Suppress IoU ≥"), 0.5)
    self.width_spin = form.number(N_("Width"), 0.05, 19.0, 1.0, step=0.1)
    form.add(N_("Preserve colours"), self.preserve_combo)  # any widget or layout
    form.wide(note_label)                                  # a row across both columns
    epochs = spin_box(1, 50, 8)                            # a box alone, for a row of your own
    inline(button_row, N_("Epochs"), epochs)               # "Epochs [8]" inside a QHBoxLayout

Each function builds exactly what a hand-written ``QSpinBox``/``QDoubleSpinBox`` with the
same settings would be: range, step, decimals, unit, prefix, value, tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QDoubleSpinBox, QFormLayout, QGridLayout, QLabel, QLayout, QSlider, QSpinBox, QWidget

from engine.i18n import _

from ..i18n import set_tooltip

__all__ = ["Form", "spin_box", "number_box", "threshold_box", "inline", "blend_slider"]


def _setup(box: QSpinBox | QDoubleSpinBox, minimum, maximum, value, step, unit: str, tooltip: str, fields: dict):
    box.setRange(minimum, maximum)
    if step != 1:
        box.setSingleStep(step)
    if unit:
        box.setSuffix(unit)
    if value is not None:
        box.setValue(value)
    if tooltip and fields:
        set_tooltip(box, tooltip, **fields)  # re-rendered with its values on a language switch
    elif tooltip:
        box.setToolTip(_(tooltip))
    return box


def spin_box(minimum: int, maximum: int, value: int | None = None, *, step: int = 1, unit: str = "", prefix: str = "",
             tooltip: str = "", **fields) -> QSpinBox:
    """A whole-number spin box from ``minimum`` to ``maximum``; ``unit`` is its suffix (e.g. ``" px"``).

    ``value`` None leaves the box at ``minimum`` (for a view that fills it from its model).
    ``tooltip`` is an ``N_`` text, formatted with ``fields`` when given.
    """
    box = QSpinBox()
    if prefix:
        box.setPrefix(prefix)
    return _setup(box, minimum, maximum, value, step, unit, tooltip, fields)


def number_box(minimum: float, maximum: float, value: float | None = None, *, step: float = 0.1, decimals: int = 2,
               unit: str = "", tooltip: str = "", **fields) -> QDoubleSpinBox:
    """A decimal spin box from ``minimum`` to ``maximum`` with ``decimals`` digits (see :func:`spin_box`)."""
    box = QDoubleSpinBox()
    box.setDecimals(decimals)
    return _setup(box, minimum, maximum, value, step, unit, tooltip, fields)


def blend_slider(grid: QGridLayout, left: str, right: str, value: int | None = None, wrap: bool = False) -> tuple[QSlider, QLabel]:
    """A 0–100 slider between two end labels (``N_`` texts) on row 0 of ``grid``, its readout label across row 1.

    For a mix of two things (photo ↔ painting, original ↔ stylised). Returns ``(slider, readout)``;
    the view writes the readout's text.
    """
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 100)
    if value is not None:
        slider.setValue(value)
    readout = QLabel("")
    readout.setWordWrap(wrap)
    grid.addWidget(QLabel(_(left)), 0, 0)
    grid.addWidget(slider, 0, 1)
    grid.addWidget(QLabel(_(right)), 0, 2)
    grid.addWidget(readout, 1, 0, 1, 3)
    return slider, readout


def inline(row: QBoxLayout, label: str, field: QWidget) -> QWidget:
    """Add ``label`` (an ``N_`` text, shown translated) and ``field`` side by side to ``row``; returns ``field``.

    For a box in a row of buttons (``Epochs [8] [Train] [Cancel]``) rather than a form.
    """
    row.addWidget(QLabel(_(label)))
    row.addWidget(field)
    return field


def threshold_box(value: float, *, step: float = 0.05, tooltip: str = "", **fields) -> QDoubleSpinBox:
    """A threshold between 0 and 1 (a score, a probability, an IoU), in steps of ``step``, two decimals."""
    return number_box(0.0, 1.0, value, step=step, decimals=2, tooltip=tooltip, **fields)


class Form:
    """Rows of labelled controls in a :class:`QFormLayout` (``self.layout``); see the module's example.

    ``parent``: the widget the layout is set on (a group box, a page), or None for a layout that
    is added to another one. A label is an ``N_`` text (shown translated), a text that is not in
    the catalogue (``"p_c"``, shown as it is), or a widget such as a :class:`QLabel` the view
    re-renders itself.
    """

    def __init__(self, parent: QWidget | None = None):
        self.layout = QFormLayout(parent) if parent is not None else QFormLayout()

    def add(self, label: str | QWidget, field: QWidget | QLayout) -> QWidget | QLayout:
        """A row: ``label`` beside ``field``. Returns ``field``."""
        self.layout.addRow(_(label) if isinstance(label, str) else label, field)
        return field

    def wide(self, item: QWidget | QLayout) -> QWidget | QLayout:
        """A row across both columns (a note, a grid, a row of buttons). Returns ``item``."""
        self.layout.addRow(item)
        return item

    def spin(self, label: str | QWidget, minimum: int, maximum: int, value: int | None = None, **options) -> QSpinBox:
        """A row with a :func:`spin_box` (same options). Returns the box."""
        box = spin_box(minimum, maximum, value, **options)
        self.add(label, box)
        return box

    def number(self, label: str | QWidget, minimum: float, maximum: float, value: float | None = None,
               **options) -> QDoubleSpinBox:
        """A row with a :func:`number_box` (same options). Returns the box."""
        box = number_box(minimum, maximum, value, **options)
        self.add(label, box)
        return box

    def threshold(self, label: str | QWidget, value: float, **options) -> QDoubleSpinBox:
        """A threshold row (:func:`threshold_box`). Returns the box."""
        box = threshold_box(value, **options)
        self.add(label, box)
        return box

    def note(self, text: str = "", style: str = "") -> QLabel:
        """A word-wrapped label across both columns (``text`` an ``N_`` text, or empty to fill later)."""
        label = QLabel(_(text) if text else "")
        label.setWordWrap(True)
        if style:
            label.setStyleSheet(style)
        self.layout.addRow(label)
        return label
