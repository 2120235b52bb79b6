"""At 1024×700, in English and in Chinese, no text in any panel or tab is cut, elided, run together
or pushed out of its parent, and no table needs a horizontal scroll bar."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QPushButton, QTabWidget, QWidget

from layout_check import clipped_texts


def _problems_in_every_tab(window, qtbot) -> list[str]:
    found: list[str] = []
    for panel_id in window.panel_ids():
        window.switch_to(panel_id)
        panel = window.panel(panel_id)
        qtbot.waitUntil(panel.screenshot_ready, timeout=60000)
        qtbot.wait(50)
        found += [f"{panel_id}: {p}" for p in clipped_texts(window)]
        for tabs in panel.findChildren(QTabWidget):
            if not tabs.isVisible():
                continue
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                qtbot.wait(50)
                found += [f"{panel_id} ▸ {tabs.tabText(i)}: {p}" for p in clipped_texts(window)]
    return sorted(set(found))


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_no_text_is_clipped_at_1024x700(window, qtbot, lang):
    window.set_language(lang)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1024, 700), timeout=5000)
    problems = _problems_in_every_tab(window, qtbot)
    assert not problems, "\n".join(problems)


def test_the_checker_finds_a_cut_button_and_a_cut_label(qtbot):
    """The layout check itself: a button and a label too narrow for their text are reported, roomy ones are not."""
    box = QWidget()
    qtbot.addWidget(box)
    narrow, roomy = QPushButton("Same convolution", box), QPushButton("OK", box)
    label = QLabel("a label much longer than its width", box)
    narrow.setGeometry(0, 0, 40, 30)
    roomy.setGeometry(0, 40, 120, 30)
    label.setGeometry(0, 80, 60, 20)
    box.resize(200, 120)
    box.show()
    qtbot.waitExposed(box)
    problems = clipped_texts(box)
    assert any("Same convolution" in p for p in problems)
    assert any("a label much longer" in p for p in problems)
    assert not any("'OK'" in p for p in problems)
