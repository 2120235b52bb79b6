"""What every worked-example view is built from: a page with an intro above its controls, spin boxes that
talk to the panel's model, an error line, and a bar chart with a label and a value on each bar.

A view subclasses :class:`ExampleView`, adds its rows to ``self.page`` below ``self.intro``, calls
:meth:`ExampleView.finish`, and draws the model's result in its ``draw(result)``. Captions of controls are
``N_`` texts placed with :mod:`gui.widgets.form` (re-translated with the window on a language switch);
the sentences with numbers are written again by ``draw()`` each time the view renders.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QGroupBox, QHBoxLayout, QLabel, QLayout, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from .course_views_common import rich_label
from .form import inline, number_box, spin_box

__all__ = ["ExampleView", "LabelledBars", "count_box", "decimal_box", "set_quietly", "styled", "caption_row", "row_of", "group",
           "side_by_side"]


def count_box(minimum: int, maximum: int) -> QSpinBox:
    """A whole-number box with thousands separators that reports a value once it is typed in full."""
    box = spin_box(minimum, maximum)
    box.setGroupSeparatorShown(True)
    box.setKeyboardTracking(False)
    return box


def decimal_box(minimum: float, maximum: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    """A decimal box that reports a value once it is typed in full."""
    box = number_box(minimum, maximum, step=step, decimals=decimals)
    box.setKeyboardTracking(False)
    return box


def set_quietly(box: QAbstractSpinBox, value: float) -> None:
    """Show ``value`` in ``box`` without telling the model (the value came from the model)."""
    box.blockSignals(True)
    box.setValue(int(value) if isinstance(box, QSpinBox) else float(value))
    box.blockSignals(False)


def styled(label: QLabel, style: str) -> QLabel:
    """``label`` with a style sheet (a formula's larger type, an operator sign). Returns ``label``."""
    label.setStyleSheet(style)
    return label


def row_of(*items: QWidget | int) -> QHBoxLayout:
    """A row of widgets (an int: that many pixels of space between them), then a stretch."""
    row = QHBoxLayout()
    for item in items:
        if isinstance(item, int):
            row.addSpacing(item)
        else:
            row.addWidget(item)
    row.addStretch(1)
    return row


def caption_row(*pairs: tuple[str, QWidget], after: tuple[QWidget, ...] = ()) -> QHBoxLayout:
    """A row of ``(N_ caption, box)`` pairs, then the widgets ``after`` (buttons), then a stretch."""
    row = QHBoxLayout()
    for text, box in pairs:
        inline(row, text, box)
    for w in after:
        row.addWidget(w)
    row.addStretch(1)
    return row


def group(*widgets: QWidget, stretch: bool = True) -> QGroupBox:
    """A group box (its title set by the view) holding ``widgets`` in a column, a stretch below them."""
    box = QGroupBox()
    column = QVBoxLayout(box)
    for w in widgets:
        column.addWidget(w)
    if stretch:
        column.addStretch(1)
    return box


def side_by_side(*boxes: QWidget) -> QHBoxLayout:
    """A row of ``boxes`` sharing its width equally."""
    row = QHBoxLayout()
    for box in boxes:
        row.addWidget(box, 1)
    return row


class ExampleView(QWidget):
    """A worked-example view bound to the Worked examples panel's model (``self.model``).

    ``self.page`` is the view's column of rows, ``self.intro`` its first row (a rich-text label).
    :meth:`render` (at the start, on each new result, on a language or notation switch) shows the
    error line if the view has one, and calls the view's :meth:`draw` when there is a result.
    """

    view_id = ""
    error: QLabel | None = None

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.page = QVBoxLayout(self)
        self.intro = self.add(rich_label())

    def add(self, item: QWidget | QLayout, stretch: int = 0) -> QWidget | QLayout:
        """Append a widget or a layout to the page. Returns ``item``."""
        if isinstance(item, QLayout):
            self.page.addLayout(item, stretch)
        else:
            self.page.addWidget(item, stretch)
        return item

    def add_error(self) -> QLabel:
        """An error line (red, hidden while the inputs are valid), kept as ``self.error``."""
        self.error = self.add(styled(QLabel(), "color: #b00020;"))
        return self.error

    def show_error(self) -> None:
        """Show the model's error for this view, or hide the error line."""
        errors = self.model.errors
        self.error.setText(errors.get(self.view_id, ""))
        self.error.setVisible(self.view_id in errors)

    def bind(self, box: QAbstractSpinBox, key: str) -> None:
        """A change in ``box`` sets the view's parameter ``key``."""
        box.valueChanged.connect(lambda value: self.model.set_params(self.view_id, **{key: value}))

    def finish(self, stretch: bool = True) -> None:
        """End the page (with a stretch below the rows), follow the model's results and draw them once."""
        if stretch:
            self.page.addStretch(1)
        self.model.resultChanged.connect(lambda view: view == self.view_id and self.render())
        self.render()

    def result(self):
        """This view's result from the model, or None (inputs not valid yet)."""
        return self.model.results.get(self.view_id)

    def render(self) -> None:
        """Draw the model's numbers in the current language and shape notation."""
        if self.error is not None:
            self.show_error()
        r = self.result()
        if r is not None:
            self.draw(r)

    def draw(self, result) -> None:
        """Fill the view's texts and pictures from ``result`` (each view's own)."""
        raise NotImplementedError


class LabelledBars(QWidget):
    """Horizontal bars, one a row: its label right-aligned on the left, its value written after it.

    ``rows`` are tuples starting with the label and the value. A subclass says each bar's length
    (:meth:`lengths`), colour (:meth:`colour`) and value text (:meth:`value_text`), and its spacing:
    ``ROW`` (a row's height), ``BAR_TOP`` (bar inset above and below), ``GAP`` (between rows, above the first, between bar and value),
    ``LABEL_PAD`` (beside the widest label), ``RIGHT`` (kept free right of the longest bar),
    ``VALUE_WIDTH``, and ``HINT`` (width, extra height) for the size hint.
    """

    ROW, BAR_TOP, GAP, LABEL_PAD, RIGHT, VALUE_WIDTH, HINT = 18, 2, 4, 4, 60, 60, (260, 8)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[tuple] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[tuple]) -> None:
        self.rows = rows
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        width, extra = self.HINT
        return QSize(width, extra + (self.ROW + self.GAP) * max(1, len(self.rows)))

    def lengths(self, avail: float) -> list[float]:
        """Each bar's length in pixels when the longest may take ``avail``."""
        raise NotImplementedError

    def colour(self, i: int) -> QColor:
        raise NotImplementedError

    def value_text(self, i: int) -> str:
        raise NotImplementedError

    def paintEvent(self, event) -> None:  # noqa: N802
        if not self.rows:
            return
        p = QPainter(self)
        pal = self.palette()
        text_w = max(self.fontMetrics().horizontalAdvance(r[0]) for r in self.rows) + self.LABEL_PAD
        bar_x = text_w + 4
        lengths = self.lengths(max(10, self.width() - bar_x - self.RIGHT))
        for i, (row, length) in enumerate(zip(self.rows, lengths)):
            y = self.GAP + i * (self.ROW + self.GAP)
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(QRectF(0, y, text_w, self.ROW), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, row[0])
            p.fillRect(QRectF(bar_x, y + self.BAR_TOP, length, self.ROW - 2 * self.BAR_TOP), self.colour(i))
            p.drawText(QRectF(bar_x + length + self.GAP, y, self.VALUE_WIDTH, self.ROW),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.value_text(i))
        p.end()
