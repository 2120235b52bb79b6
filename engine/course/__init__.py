"""Course mode: the course note's sections, pages, worked examples, exercises, errata and glossary (Qt-free).

    from engine.course import SECTIONS, page, examples_for, make_exercise, check_all
    ex = make_exercise("stride", seed=3)
    ex.check("3").ok
"""

from .check import CheckRow, check_all, run_example
from .errata import ERRATA, Erratum, errata_for
from .examples import EXAMPLES, PANELS, Example, example, examples_for
from .exercises import Exercise, Verdict, make_exercise
from .glossary import GLOSSARY, GlossaryEntry, search_glossary
from .pages import PAGES, Page, page
from .view import display_title, outline, section_view
from .sections import PARTS, SECTIONS, Part, Section, UnknownSection, section, section_ids, sections_of

__all__ = [
    "CheckRow", "check_all", "run_example",
    "ERRATA", "Erratum", "errata_for",
    "EXAMPLES", "PANELS", "Example", "example", "examples_for",
    "Exercise", "Verdict", "make_exercise",
    "GLOSSARY", "GlossaryEntry", "search_glossary",
    "PAGES", "Page", "page",
    "display_title", "outline", "section_view",
    "PARTS", "SECTIONS", "Part", "Section", "UnknownSection", "section", "section_ids", "sections_of",
]
