"""The course's texts as rich text: formulas with real subscripts and superscripts, shapes in the chosen order.

The course writes formulas in plain Unicode with a light markup: ``_`` starts a subscript and
``^`` a superscript (a run of letters, digits and primes, or a bracketed group), ``a/b`` with
whole numbers is a fraction. :func:`formula_html` turns that into HTML that Qt's rich text
shows (``<sub>``, ``<sup>``); everything else is escaped::

    formula_html("G_kk' = Σ_i Σ_j a_ijk·a_ijk'")
    # "G<sub>kk′</sub> = Σ<sub>i</sub> Σ<sub>j</sub> a<sub>ijk</sub>·a<sub>ijk′</sub>"
    formula_html("J_style^[l]")         # "J<sub>style</sub><sup>[l]</sup>"

:func:`shapes_in_text` rewrites the H×W×C volumes of a text (6×6×3) in the app's shape order
and says which order it is.
"""

from __future__ import annotations

import html
import re

from ..shapes import display_order, order_label, reorder

__all__ = ["formula_html", "shapes_in_text", "course_html"]

# what may carry a subscript or superscript: a letter (Latin or Greek), a digit, a closing bracket or a norm bar
_BASE = r"[A-Za-z0-9\u0370-\u03ff\)\]‖|′']"
_RUN = r"[A-Za-z0-9\u0370-\u03ff'′]+"
_GROUP = {"[": "]", "(": ")", "{": "}"}
_FRACTION = re.compile(r"(?<![\w/.])(\d+)/(\d+)(?![\w/.])")


def _group_end(text: str, start: int) -> int:
    """Index just past the bracket group opening at ``start`` (nested brackets of the same kind), or -1."""
    open_, close = text[start], _GROUP[text[start]]
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def _script(text: str, i: int) -> tuple[str, int] | None:
    """The script that starts at ``text[i]`` (just after ``_`` or ``^``) and the index after it."""
    if i >= len(text):
        return None
    if text[i] in _GROUP:
        end = _group_end(text, i)
        if end < 0:
            return None
        body = text[i + 1:end - 1] if text[i] == "{" else text[i:end]
        return body, end
    m = re.match(_RUN, text[i:])
    if m is None:
        m = re.match(r"[-+−]?\d+", text[i:])
    if m is None:
        return None
    return m.group(0), i + m.end()


def formula_html(text: str) -> str:
    """``text`` as rich-text HTML: ``x_ij`` → x<sub>ij</sub>, ``n^[l]`` → n<sup>[l]</sup>, ``1/2`` → a fraction."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "_^" and i > 0 and re.match(_BASE, text[i - 1]):
            found = _script(text, i + 1)
            if found is not None:
                body, i = found
                tag = "sub" if ch == "_" else "sup"
                out.append(f"<{tag}>{formula_html(body).replace(chr(39), '′')}</{tag}>")
                continue
        out.append(html.escape(ch, quote=False))
        i += 1
    joined = "".join(out)
    return _FRACTION.sub(lambda m: f"<sup>{m.group(1)}</sup>⁄<sub>{m.group(2)}</sub>", joined)


_VOLUME = re.compile(r"(?<![\d×.·])(\d+)×(\d+)×(\d+)(?![\d×])")


def shapes_in_text(text: str, order: str | None = None) -> str:
    """Every H×W×C volume ``a×b×c`` of a course text in ``order`` (the app's by default), followed by its order."""
    if "(H×W×C)" in text or "(C×H×W)" in text:
        return text  # the text already says which order its shapes are in
    order = order or display_order()
    label = order_label(order)

    def swap(m: re.Match) -> str:
        h, w, c = (int(g) for g in m.groups()[:3])
        shape = reorder((c, h, w), order, "chw")
        return "×".join(str(v) for v in shape) + f" ({label})"

    return _VOLUME.sub(swap, text)


def course_html(text: str, order: str | None = None, shapes: bool = False) -> str:
    """A course text as rich text: its formulas typeset and, with ``shapes``, its volumes in the chosen order."""
    return formula_html(shapes_in_text(text, order) if shapes else text)
