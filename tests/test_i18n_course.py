"""The Course panel, its example bar and the Welcome panel in Chinese, in states the walker does not reach."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from engine.course import make_exercise
from i18n_walk import chinese_left, english_left


def test_checked_exercise_and_example_bar_in_chinese(window):
    window.set_language("zh_CN")
    window.switch_to("course")
    panel = window.panel("course")
    panel.select_section("padding")
    panel.exercise.answer.setText("abc")  # not a number: the engine's message, in Chinese
    panel.exercise.check()
    assert panel.exercise.verdict.isVisible()
    left = english_left(panel)
    assert not left, "\n".join(left)
    panel.exercise.answer.setText(make_exercise("padding", 0).answer_text)
    panel.exercise.check()
    assert panel.exercise.verdict.text().startswith("✓")
    assert not english_left(panel)
    panel.show_example("one-by-one-28x28x192")  # an example with a note about what is missing
    QApplication.processEvents()
    bar = window.example_bar
    assert bar.note_label.isVisible()
    left = english_left(bar)
    assert not left, "\n".join(left)
    window.set_language("en")
    assert not chinese_left(bar)
    assert not chinese_left(window.panel("welcome"))


def test_welcome_continue_line_in_chinese(window):
    window.settings.setValue("course/section", "iou")
    window.set_language("zh_CN")
    welcome = window.panel("welcome")
    welcome.refresh()
    assert "交并比" in welcome.continue_label.text()
    assert not english_left(welcome)
