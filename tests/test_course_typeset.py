"""Formulas look like formulas: the course's markup as rich text, and shapes that follow the notation switch."""

from __future__ import annotations

import re

import pytest

from engine.course import SECTIONS, errata_for, page
from engine.course.typeset import course_html, formula_html, shapes_in_text


@pytest.mark.parametrize("text, want", [
    ("G_kk' = Σ_i Σ_j a_ijk·a_ijk'",
     "G<sub>kk′</sub> = Σ<sub>i</sub> Σ<sub>j</sub> a<sub>ijk</sub>·a<sub>ijk′</sub>"),
    ("J_style^[l]", "J<sub>style</sub><sup>[l]</sup>"),
    ("n^[l]", "n<sup>[l]</sup>"),
    ("J_content = ½‖a_C − a_G‖²", "J<sub>content</sub> = ½‖a<sub>C</sub> − a<sub>G</sub>‖²"),
    ("f^n = max(w^n·f^(n−1) + b^n, 0)", "f<sup>n</sup> = max(w<sup>n</sup>·f<sup>(n−1)</sup> + b<sup>n</sup>, 0)"),
    ("G^[l](S)_kk'", "G<sup>[l]</sup>(S)<sub>kk′</sub>"),
    ("x_{i,j}", "x<sub>i,j</sub>"),
    ("1/2 of 3/4", "<sup>1</sup>⁄<sub>2</sub> of <sup>3</sup>⁄<sub>4</sub>"),
    ("0.5/2 and ⌊(n + 2p − f)/s⌋", "0.5/2 and ⌊(n + 2p − f)/s⌋"),
    ("a<b & c_1", "a&lt;b &amp; c<sub>1</sub>"),
    ("_x, a _ b, 6×6×3", "_x, a _ b, 6×6×3"),
])
def test_formula_html(text, want):
    assert formula_html(text) == want


def test_every_formula_and_erratum_of_the_course_is_typeset():
    raw = re.compile(r"[A-Za-z\u0370-\u03ff)\]]_[A-Za-z0-9{\[(]|[A-Za-z)\]]\^[A-Za-z0-9\[(]")
    texts = []
    for s in SECTIONS:
        pg = page(s.id)
        texts += list(pg.formulas) + [pg.idea]
        texts += [t for e in errata_for(s.id) for t in (e.says, e.correct)]
    assert any("_" in t for t in texts)
    for t in texts:
        out = formula_html(t)
        assert not raw.search(re.sub(r"<[^>]+>", "", out)), (t, out)
    style = formula_html(page("style-cost").formulas[0])
    assert "<sub>kk′</sub>" in style and "_kk" not in style


def test_shapes_follow_the_notation_and_say_their_order():
    assert shapes_in_text("28×28×192 → 28×28×32 by 5×5", "hwc") == "28×28×192 (H×W×C) → 28×28×32 (H×W×C) by 5×5"
    assert shapes_in_text("28×28×192 → 28×28×32 by 5×5", "chw") == "192×28×28 (C×H×W) → 32×28×28 (C×H×W) by 5×5"
    assert shapes_in_text("a 16×16×3 (H×W×C) input", "chw") == "a 16×16×3 (H×W×C) input"  # it already says its order
    assert course_html("7×7×1000 → 1×1×1000, J_style", "chw", shapes=True) == \
        "1000×7×7 (C×H×W) → 1000×1×1 (C×H×W), J<sub>style</sub>"
