"""What a course screen shows, ready to display: the outline and one section, in the current language.

The CLI (``convstudio course``) and the GUI's Course panel both read these, so
the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from ..i18n import _

__all__ = ["display_title", "outline", "section_view"]


def display_title(title_zh: str, title_en: str) -> str:
    """"中文 — English"; in Chinese, or when the translated English title is the same, the Chinese title alone."""
    from ..i18n import language

    shown = _(title_en)
    return title_zh if language() == "zh_CN" or shown == title_zh else f"{title_zh} — {shown}"


def outline() -> list[dict[str, Any]]:
    """The four parts with their sections (ids, both titles, example ids, number of errata)."""
    from .errata import errata_for
    from .examples import examples_for
    from .sections import PARTS, sections_of

    return [{"part": p.id, "title_zh": p.shown_zh, "title_en": _(p.title_en), "sections": [
        {"id": s.id, "title_zh": s.shown_zh, "title_en": _(s.title_en), "note_heading": s.note_heading,
         "examples": [e.id for e in examples_for(s.id)], "errata": len(errata_for(s.id))}
        for s in sections_of(p.id)]} for p in PARTS]


def section_view(section_id: str) -> dict[str, Any]:
    """One section's page: titles, idea, formulas, examples (panel, state, expected) and errata, translated.

    Raises :class:`~engine.course.sections.UnknownSection`.
    """
    from .errata import errata_for
    from .examples import examples_for
    from .pages import page
    from .sections import section

    s = section(section_id)
    pg = page(s.id)
    return {
        "id": s.id, "part": s.part, "title_zh": s.shown_zh, "title_en": _(s.title_en), "note_heading": s.note_heading,
        "idea": _(pg.idea), "formulas": list(pg.formulas),
        "examples": [{"id": e.id, "panel": e.panel, "description": _(e.description), "state": e.state,
                      "expected": e.expected} for e in examples_for(s.id)],
        "errata": [{"says": _(e.says), "correct": _(e.correct), "example": e.example_id} for e in errata_for(s.id)],
    }
