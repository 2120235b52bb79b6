"""The exercise card of a course section: prompt, answer field, Check, verdict, worked solution, New numbers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from engine.course.typeset import formula_html
from engine.i18n import _

__all__ = ["CourseExerciseCard"]

_OK, _WRONG = "#2e9d4a", "#d0342c"


class CourseExerciseCard(QFrame):
    """Bound to a :class:`gui.panels.course_model.CourseModel`: shows its exercise, checks answers through it."""

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.setObjectName("courseExercise")
        self.setStyleSheet(
            "QFrame#courseExercise { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }"
            " QFrame#courseExercise QLabel { background: transparent; }")
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.prompt = QLabel()
        self.prompt.setObjectName("coursePrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.RichText)  # formulas with real subscripts and superscripts
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.prompt.setStyleSheet("font-size: 11pt;")
        self.answer = QLineEdit()
        self.answer.setObjectName("courseAnswer")
        self.check_button = QPushButton()
        self.check_button.setDefault(True)
        self.new_button = QPushButton()
        self.verdict = QLabel()
        self.verdict.setObjectName("courseVerdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.solution = QLabel()
        self.solution.setObjectName("courseSolution")
        self.solution.setWordWrap(True)
        self.solution.setTextFormat(Qt.TextFormat.RichText)
        self.solution.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.answer, 1)
        row.addWidget(self.check_button)
        row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.prompt)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        layout.addWidget(self.solution)
        self.answer.textEdited.connect(self.model.set_answer)
        self.answer.returnPressed.connect(self.check)
        self.check_button.clicked.connect(self.check)
        self.new_button.clicked.connect(self.model.new_numbers)
        self.model.exerciseChanged.connect(self.refresh)
        self.retranslate()

    def check(self) -> None:
        self.model.check(self.answer.text())

    def refresh(self) -> None:
        """Show the model's exercise, typed answer and verdict (composed in the current language)."""
        ex = self.model.exercise()
        self.prompt.setText(formula_html(ex.prompt))
        if self.answer.text() != self.model.answer:
            self.answer.setText(self.model.answer)
        verdict = self.model.verdict()
        if verdict is None:
            self.verdict.clear()
            self.verdict.hide()
            self.solution.clear()
            self.solution.hide()
            return
        colour = _OK if verdict.ok else _WRONG
        mark = "✓" if verdict.ok else "✗"
        self.verdict.setStyleSheet(f"color: {colour}; font-weight: bold; font-size: 12pt;")
        self.verdict.setText(f"{mark} {formula_html(verdict.message)}")
        self.verdict.show()
        self.solution.setText(formula_html(_("Worked solution: {solution}")).format(solution=formula_html(verdict.solution)))
        self.solution.show()

    def retranslate(self) -> None:
        self.title.setText(_("Exercise"))
        self.answer.setPlaceholderText(_("Your answer, e.g. 4×4×2, 0.25 or [9, 2, 6, 3]"))
        self.check_button.setText(_("Check"))
        self.new_button.setText(_("New numbers"))
        self.new_button.setToolTip(_("The same exercise with fresh numbers"))
        self.refresh()
