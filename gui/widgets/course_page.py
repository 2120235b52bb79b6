"""A course section as a designed page: heading, idea, formulas, example cards and errata boxes.

The page is HTML for a QTextBrowser; its colours come from the widget's palette, so it
follows the light and dark themes. Links: ``show:ID`` (Show me), ``term:EN`` (glossary).
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from engine import i18n
from engine.course.typeset import course_html, formula_html
from engine.i18n import _

__all__ = ["CoursePage", "page_html", "link_terms"]


def _mix(a: QColor, b: QColor, t: float) -> str:
    """``a`` blended towards ``b`` by ``t`` (0..1), as #rrggbb."""
    return QColor(int(a.red() + (b.red() - a.red()) * t), int(a.green() + (b.green() - a.green()) * t),
                  int(a.blue() + (b.blue() - a.blue()) * t)).name()


def _css(pal: QPalette) -> str:
    base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
    accent = pal.color(QPalette.ColorRole.Highlight)
    dark = base.lightness() < 128
    muted = _mix(text, base, 0.4)
    card = _mix(base, text, 0.05)
    formula_bg = _mix(base, accent, 0.12)
    err_bg = _mix(base, QColor(230, 140, 0), 0.16)
    err_edge = "#e0a030" if dark else "#c77800"
    link = pal.color(QPalette.ColorRole.Link).name()
    return f"""
body {{ color: {text.name()}; background: {base.name()}; }}
h1 {{ font-size: 20pt; font-weight: bold; margin: 0 0 2px 0; }}
p.sub {{ color: {muted}; font-size: 11pt; margin: 0 0 12px 0; }}
p.idea {{ font-size: 12pt; line-height: 140%; margin: 6px 0 10px 0; }}
h2 {{ font-size: 13pt; font-weight: bold; margin: 16px 0 6px 0; color: {accent.name()}; }}
table.formula {{ background: {formula_bg}; margin: 4px 0 4px 0; }}
td.formula {{ font-size: 14pt; font-family: 'DejaVu Sans', 'Noto Sans', sans-serif; padding: 8px 14px; }}
table.card {{ background: {card}; margin: 4px 0 6px 0; }}
td.card {{ padding: 8px 12px; font-size: 11pt; }}
span.id {{ color: {muted}; font-size: 9pt; }}
a {{ color: {link}; text-decoration: none; }}
a.button {{ font-weight: bold; }}
table.erratum {{ background: {err_bg}; margin: 4px 0 8px 0; }}
td.erratum {{ padding: 8px 12px; font-size: 11pt; border-left: 4px solid {err_edge}; }}
span.errtitle {{ color: {err_edge}; font-weight: bold; }}
span.note {{ color: {err_edge}; font-size: 10pt; }}
"""


def _terms() -> list[tuple[str, str]]:
    """(form as it appears in text, English entry) for every glossary form, longest first."""
    from engine.course.glossary import GLOSSARY

    forms: list[tuple[str, str]] = []
    chinese = i18n.language() == "zh_CN"
    for e in GLOSSARY:
        source = e.zh if chinese else e.en
        for part in re.split(r"[,;/]", source):
            part = re.sub(r"\s*\(.*?\)\s*", " ", part).strip()
            if len(part) >= 2:
                forms.append((part, e.en))
    return sorted(forms, key=lambda f: -len(f[0]))


def link_terms(text: str) -> str:
    """``text`` as rich text (formulas typeset), with the first mention of each glossary term linked to ``term:EN``."""
    escaped = formula_html(text)
    used: set[str] = set()
    slots: list[str] = []
    for form, en in _terms():
        if en in used:
            continue
        pattern = re.escape(html.escape(form))
        if form.isascii():
            pattern = r"(?<![\w-])(?<!<)(?<!</)" + pattern + r"(?![\w>-])"  # whole words, never a tag's name
        m = re.search(pattern, escaped, flags=re.IGNORECASE)
        if m is None:
            continue
        used.add(en)
        slots.append(f'<a href="term:{html.escape(en, quote=True)}">{m.group(0)}</a>')
        escaped = escaped[:m.start()] + f"\x00{len(slots) - 1}\x00" + escaped[m.end():]
    return re.sub("\x00(\\d+)\x00", lambda m: slots[int(m.group(1))], escaped)


def _table(cls: str, inner: str) -> str:
    return f'<table class="{cls}" width="100%" cellspacing="0" cellpadding="0"><tr><td class="{cls}">{inner}</td></tr></table>'


def page_html(view: dict[str, Any], pal: QPalette, solved: int = 0, notes: dict[str, str] | None = None) -> str:
    """The HTML of one section (``view`` from :func:`engine.course.section_view`).

    ``notes``: example id → a sentence about what the panel cannot show yet.
    """
    from engine.course.sections import PARTS

    notes = notes or {}
    chinese = i18n.language() == "zh_CN"
    zh, en = view["title_zh"], view["title_en"]
    from engine.course import section

    note_title = section(view["id"]).title_zh  # the note's own title (may be the English term)
    # Chinese: the Chinese title alone; English: the note's Chinese title beside the English one
    title, sub_title = (zh, "") if chinese else (en, zh)
    part = next((p for p in PARTS if p.id == view["part"]), None)
    part_title = (part.shown_zh if chinese else _(part.title_en)) if part else ""
    bits = [html.escape(part_title)]
    if sub_title and sub_title != title:
        bits.append(html.escape(sub_title))
    # the note's heading, where it is not just this title (with its English in brackets)
    if view.get("note_heading") and not view["note_heading"].startswith(note_title):
        bits.append(html.escape(_("in the note under “{heading}”").format(heading=view["note_heading"])))
    if solved:
        bits.append("✓ " + html.escape(_("exercise solved")))
    out = [f"<style>{_css(pal)}</style>", f"<h1>{html.escape(title)}</h1>",
           f'<p class="sub">{" · ".join(bits)}</p>', f'<p class="idea">{link_terms(view["idea"])}</p>']
    heading_formulas, heading_examples, heading_errata = _("Formulas"), _("Worked examples"), _("Errata")
    show_me, says, right, see_it = _("Show me"), _("The note says:"), _("What is right:"), _("see it")
    if view["formulas"]:
        out.append(f"<h2>{html.escape(heading_formulas)}</h2>")
        out.extend(_table("formula", formula_html(f)) for f in view["formulas"])
    if view["examples"]:
        out.append(f"<h2>{html.escape(heading_examples)}</h2>")
        for ex in view["examples"]:
            inner = (f'<b>{course_html(ex["description"], shapes=True)}</b> &nbsp;<span class="id">{html.escape(ex["id"])}</span><br>'
                     f'<a class="button" href="show:{html.escape(ex["id"])}">▶ {html.escape(show_me)}</a>')
            if notes.get(ex["id"]):
                inner += f'<br><span class="note">{course_html(notes[ex["id"]], shapes=True)}</span>'
            out.append(_table("card", inner))
    if view["errata"]:
        out.append(f"<h2>{html.escape(heading_errata)}</h2>")
        for er in view["errata"]:
            inner = (f'<span class="errtitle">⚠ {html.escape(says)}</span> {formula_html(er["says"])}<br>'
                     f'<b>{html.escape(right)}</b> {formula_html(er["correct"])}')
            if er["example"]:
                inner += f' &nbsp;<a href="show:{html.escape(er["example"])}">{html.escape(see_it)} ▶</a>'
            out.append(_table("erratum", inner))
    return "".join(out)


class CoursePage(QTextBrowser):
    """Shows a section's page; ``showRequested(example_id)`` and ``termRequested(english_term)`` from its links."""

    showRequested = Signal(str)
    termRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("coursePage")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDocumentMargin(18)
        self.anchorClicked.connect(self._clicked)

    def _clicked(self, url: QUrl) -> None:
        text = url.toString()
        kind, _sep, value = text.partition(":")
        value = QUrl.fromPercentEncoding(value.encode())
        if kind == "show":
            self.showRequested.emit(value)
        elif kind == "term":
            self.termRequested.emit(value)

    def links(self) -> list[str]:
        """Every link target on the page (tests and screenshots read them)."""
        return re.findall(r'href="([^"]+)"', self.toHtml())
