"""The Course panel, its example bar and the Welcome panel in Chinese, in states the walker does not reach."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from engine.course import make_exercise
from i18n_walk import chinese_left, english_left


def test_checked_exercise_and_example_bar_in_chinese(window, monkeypatch):
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
    panel.show_example("one-by-one-28x28x192")  # shown whole in the Worked examples panel: nothing missing
    QApplication.processEvents()
    bar = window.example_bar
    assert window.current_panel().panel_id == "course_views" and not bar.note_label.isVisible()
    left = english_left(bar)
    assert not left, "\n".join(left)
    # a lab panel without the capability an example needs: the bar says so, in Chinese
    from gui.panels import course_examples

    monkeypatch.setitem(course_examples._NEEDS, "colour-shift-manual",
                        (lambda: False, *course_examples._NEEDS["colour-shift-manual"][1:]))
    panel.show_example("colour-shift-manual")
    QApplication.processEvents()
    assert bar.note_label.isVisible() and "色彩转换偏移量" in bar.note_label.text()
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
