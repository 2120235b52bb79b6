"""The bar above the panels while a worked example is shown: which example, what to look at, Reset."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from engine.course.typeset import course_html
from engine.i18n import _

__all__ = ["CourseExampleBar"]


class CourseExampleBar(QFrame):
    """Names the example on screen (``example_id``), what to look at and what the panel lacks.

    ``resetRequested(example_id)``: put the panel back into the example's state;
    ``backRequested()``: return to the Course panel. The texts are composed from
    the example id, so :meth:`retranslate` re-renders them in a new language.
    """

    resetRequested = Signal(str)
    backRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("courseExampleBar")
        self.example_id = ""
        self.panel_id = ""
        self.setStyleSheet(
            "QFrame#courseExampleBar { background: palette(alternate-base); border-bottom: 2px solid palette(highlight); }")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.RichText)
        self.title_label.setWordWrap(True)
        self.look_label = QLabel()
        self.look_label.setObjectName("courseLook")
        self.look_label.setWordWrap(True)
        self.look_label.setTextFormat(Qt.TextFormat.RichText)
        self.note_label = QLabel()
        self.note_label.setObjectName("courseNote")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #b36b00;")
        for w in (self.title_label, self.look_label, self.note_label):
            texts.addWidget(w)
        row.addLayout(texts, 1)
        self.reset_button = QPushButton(_("Reset example"))
        self.reset_button.setToolTip(_("Put the panel back into the example's state"))
        self.back_button = QPushButton(_("Back to the course"))
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        for w in (self.reset_button, self.back_button, self.close_button):
            row.addWidget(w, 0, Qt.AlignmentFlag.AlignTop)
        self.reset_button.clicked.connect(lambda: self.resetRequested.emit(self.example_id))
        self.back_button.clicked.connect(self.backRequested.emit)
        self.close_button.clicked.connect(lambda: self.set_example(""))
        self.hide()

    def set_example(self, example_id: str) -> None:
        """Show the bar for ``example_id`` ("" hides it)."""
        self.example_id = example_id
        if not example_id:
            self.panel_id = ""
            self.hide()
            return
        from engine.course import example

        self.panel_id = example(example_id).panel
        self.retranslate()
        self.show()

    def retranslate(self) -> None:
        """Compose the texts again in the current language."""
        if not self.example_id:
            return
        from engine.course import example

        from ..panels.course_examples import look_text, missing

        ex = example(self.example_id)
        # descriptions and what to look at: formulas typeset, volumes in the chosen shape order (and saying it)
        self.title_label.setText("<b>" + html.escape(_("Worked example:")) + "</b> " + course_html(_(ex.description), shapes=True))
        look = look_text(ex.id)
        self.look_label.setText(course_html(look, shapes=True))
        self.look_label.setVisible(bool(look))
        note = missing(ex.id)
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))
        self.reset_button.setText(_("Reset example"))
        self.reset_button.setToolTip(_("Put the panel back into the example's state"))
        self.back_button.setText(_("Back to the course"))
        self.close_button.setToolTip(_("Hide this bar"))
