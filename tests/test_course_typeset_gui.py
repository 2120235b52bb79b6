"""The course's formulas in the GUI: real subscripts and superscripts on pages, banners and exercises."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextCharFormat
from PySide6.QtWidgets import QApplication

from engine.course import example, make_exercise


def _course(window, section_id: str):
    window.switch_to("course")
    panel = window.panel("course")
    panel.select_section(section_id)
    QApplication.processEvents()
    return panel


def _scripts(document) -> dict[str, list[str]]:
    """The text of the page's fragments drawn as subscripts and as superscripts."""
    found: dict[str, list[str]] = {"sub": [], "sup": []}
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            align = frag.charFormat().verticalAlignment()
            if align == QTextCharFormat.VerticalAlignment.AlignSubScript:
                found["sub"].append(frag.text())
            elif align == QTextCharFormat.VerticalAlignment.AlignSuperScript:
                found["sup"].append(frag.text())
            it += 1
        block = block.next()
    return found


def test_style_cost_page_shows_real_subscripts_and_superscripts(window):
    panel = _course(window, "style-cost")
    html = panel.page.toHtml()
    plain = panel.page.toPlainText()
    assert "_kk'" not in plain and "^[l]" not in plain and "_kk" not in html
    scripts = _scripts(panel.page.document())
    assert "kk′" in scripts["sub"] and "[l]" in scripts["sup"], scripts
    assert "vertical-align:sub" in html and "vertical-align:super" in html


def test_exercise_prompt_and_banner_are_rich_text(window):
    panel = _course(window, "localisation")
    ex = make_exercise("localisation", 0)
    assert "p_c" in ex.prompt
    shown = panel.exercise.prompt.text()
    assert "p<sub>c</sub>" in shown and "b<sub>x</sub>" in shown and "p_c" not in shown
    panel.exercise.answer.setText("[0, 0, 0, 0, 0, 0, 0, 0]")
    panel.exercise.check_button.click()
    assert "p_c" not in panel.exercise.solution.text()

    panel = _course(window, "one-by-one")
    panel.page.anchorClicked.emit(QUrl("show:one-by-one-28x28x192"))
    QApplication.processEvents()
    bar = window.example_bar
    assert "28×28×192 (H×W×C)" in bar.title_label.text()
    window.set_shape_order("chw")
    assert "192×28×28 (C×H×W)" in bar.title_label.text() and "32×28×28 (C×H×W)" in bar.title_label.text()
    assert example("one-by-one-28x28x192").description in ("Shrinking 28×28×192 to 28×28×32 with 1×1 filters",)
    _course(window, "one-by-one")
    assert "192×28×28 (C×H×W)" in window.panel("course").page.toPlainText()
