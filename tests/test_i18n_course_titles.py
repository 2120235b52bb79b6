"""Course titles in Chinese: the tree and the page header are Chinese alone, the English term on hover."""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import QApplication

from engine.course import PARTS, SECTIONS, outline, section_view
from engine.course.view import display_title
from gui.widgets.course_outline import SECOND_LINE

#: Names of networks the note itself writes in Latin letters (they have no Chinese name).
PROPER_NAMES = {"LeNet", "AlexNet", "VGG", "NiN", "Inception", "Siamese"}
_LATIN = re.compile(r"[A-Za-z]+")


def latin_words(text: str) -> list[str]:
    """Latin-letter words in ``text`` that are not the networks' proper names."""
    return [w for w in _LATIN.findall(text) if w not in PROPER_NAMES]


def _header(page_html: str) -> tuple[str, str]:
    """(h1 text, sub line text) of a course page."""
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page_html, re.S).group(1)
    sub = re.search(r'<p class="sub">(.*?)</p>', page_html, re.S).group(1)
    strip = lambda t: html.unescape(re.sub(r"<[^>]+>", "", t))  # noqa: E731
    return strip(h1), strip(sub)


def test_every_title_in_the_tree_and_page_header_is_chinese(window):
    window.set_language("zh_CN")
    window.switch_to("course")
    panel = window.panel("course")
    for titled in [*PARTS, *SECTIONS]:
        item = panel._parts.get(titled.id) or panel._items[titled.id]
        assert not latin_words(item.text(0)), (titled.id, item.text(0))
        assert not item.data(0, SECOND_LINE), (titled.id, item.data(0, SECOND_LINE))
        assert titled.title_en in item.toolTip(0)  # the English term, on hover only
    for s in SECTIONS:
        panel.select_section(s.id)
        QApplication.processEvents()
        from gui.widgets.course_page import page_html

        title, sub = _header(page_html(section_view(s.id), panel.page.palette()))
        assert not latin_words(title), (s.id, title)
        assert not latin_words(sub.split("“")[0]), (s.id, sub)  # a quoted note heading may be the note's English
        assert not latin_words(panel.section_title()), (s.id, panel.section_title())
    # the five the note titles in English show the catalogue's Chinese
    shown = {s.id: panel._items[s.id].text(0) for s in SECTIONS}
    assert shown["padding"] == "填充" and shown["anchors"] == "锚框" and shown["triplet"] == "三元组损失"
    assert shown["bbox-prediction"] == "边界框预测" and shown["one-shot"] == "一次学习"


def test_english_titles_keep_the_notes_chinese_beside(window):
    window.switch_to("course")
    item = window.panel("course")._items["padding"]
    assert item.text(0) == "Padding" and item.data(0, SECOND_LINE) == "填充"


def test_course_command_titles_are_chinese_in_chinese():
    from engine import i18n

    i18n.set_language("zh_CN")
    for part in outline():
        assert not latin_words(display_title(part["title_zh"], part["title_en"]))
        for s in part["sections"]:
            assert not latin_words(display_title(s["title_zh"], s["title_en"])), s["id"]
