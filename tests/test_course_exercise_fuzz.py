"""Exercise fuzz: every section's exercises over many seeds; the right answer passes in every accepted notation,
and the typical wrong answers (computed here, independently of the generators) never do."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from engine.course import SECTIONS, make_exercise
from engine.course.exercises import MISTAKES

SEEDS = range(200)
_FULL = str.maketrans("0123456789,.()[]*x", "０１２３４５６７８９，．（）［］＊ｘ")


def _full_width(text: str) -> str:
    return text.translate(_FULL)


def _real(ex, v: float, places: int | None = None) -> str:
    return f"{v:.{ex.decimals if places is None else places}f}"


def _right_notations(ex) -> list:
    """The right answer written in each notation the checker must accept."""
    a = ex.answer
    if ex.kind == "number" and ex.decimals is None:
        n = int(a)
        assert n == a, (ex.section, a)  # counts are whole numbers
        out = [n, str(n), f"{n:,}", f"{n:_}", _full_width(f"{n:,}"), _full_width(str(n))]
        if abs(n) >= 1000:
            out.append(f"{n:,}".replace(",", " "))
        return out
    if ex.kind == "number":
        return [a, _real(ex, a), _real(ex, a, ex.decimals + 2), _full_width(_real(ex, a))]
    if ex.kind == "shape":
        h, w, c = a
        out = [a, f"{h}x{w}x{c}", f"{h}×{w}×{c}", f"{h}*{w}*{c}", f"({h}, {w}, {c})", f"[{h},{w},{c}]",
               _full_width(f"({h},{w},{c})"), _full_width(f"{h}*{w}*{c}"), f"{h}×{w}×{c} (H×W×C)"]
        out += [f"{h}×{w}×{p}×{c // p}" for p in range(2, c) if c % p == 0][:2]  # the depth as a product: 3×3×2×8
        return out
    if ex.kind == "numbers":
        text = [_real(ex, v) if ex.decimals is not None else str(int(v)) for v in a]
        return [a, "[" + ", ".join(text) + "]", " ".join(text), _full_width("[" + ",".join(text) + "]")]
    if ex.kind == "yesno":
        return [a, "yes" if a else "no", "是" if a else "否"]
    return [ex.answer_text, str(a).upper()]


def _prompt_ints(ex) -> set[int]:
    return {int(t) for t in re.findall(r"(?<![\d.])\d+(?![\d.])", ex.prompt.replace(",", ""))} - {0}


def _wrong_answers(ex) -> list:
    """Typical mistakes, derived from the answer and the prompt's numbers, never from the generator."""
    a = ex.answer
    out: list = []
    if ex.kind == "number" and ex.decimals is None:
        n = int(a)
        out += [n + 1, n - 1, n + 2, n - 2]  # off by one (or two)
        out += [n - k for k in _prompt_ints(ex)] + [n + k for k in _prompt_ints(ex)]  # a bias per filter/unit forgotten or added
        out += [round(n * 1.0009), round(n * 0.9991), n * 2, n // 2 if n % 2 == 0 else n * 3]  # inside the old 0.1 % band
        out += [f"{n + 1:,}", f"{n - 1:,}"]
        return [w for w in out if (w if isinstance(w, int) else int(w.replace(",", ""))) != n]
    if ex.kind == "number":
        unit = 10.0 ** -ex.decimals
        out += [a + unit, a - unit, a * 2, a / 2, math.sqrt(abs(a)), a * a, -a]  # unsquared / squared twice / no ½…
        return [_real(ex, w, 6) for w in out if abs(w - a) > 1e-9]
    if ex.kind == "shape":
        h, w, c = a
        out += [list(p) for p in itertools.permutations(a)]  # H/W swapped, C×H×W order
        out += [[h + 1, w + 1, c], [h - 1, w - 1, c], [h, w, c + 1], [h, w, c - 1]]
        if c != 1:
            out.append([h, w])
        return ["×".join(map(str, s)) for s in out if s != list(a)]
    if ex.kind == "numbers":
        unit = 1.0 if ex.decimals is None else 10.0 ** -ex.decimals
        seqs = [list(reversed(a)), a[:-1], a + [a[-1]]]
        seqs += [[v + (unit if i == k else 0) for i, v in enumerate(a)] for k in range(len(a))]
        if len(a) == 4:
            seqs.append([a[0], a[2], a[1], a[3]])  # column by column
        return [s for s in seqs if len(s) != len(a) or any(abs(x - y) > 1e-9 for x, y in zip(s, a))]
    if ex.kind == "yesno":
        return [not a, "no" if a else "yes", "否" if a else "是"]
    names = re.findall(r"([A-Z][a-z]+): \d", ex.prompt) + ["unknown"]
    return [n for n in names if n.casefold() != str(a).casefold()]


@pytest.mark.parametrize("sid", [s.id for s in SECTIONS])
def test_right_answers_pass_and_typical_wrong_ones_never_do(sid):
    wrong_tried = 0
    for seed in SEEDS:
        ex = make_exercise(sid, seed)
        for right in _right_notations(ex):
            v = ex.check(right)
            assert v.ok, (sid, seed, right, v.message)
        for wrong in _wrong_answers(ex):
            v = ex.check(wrong)
            assert not v.ok, (sid, seed, ex.answer, wrong)
            wrong_tried += 1
        for m in ex.mistakes:  # the generator's own list: rejected, and named
            v = ex.check(m.value)
            assert not v.ok and v.mistake == m.key and MISTAKES[m.key] in v.message, (sid, seed, m, v.message)
        if ex.decimals is not None:
            assert "decimal place" in ex.prompt, (sid, ex.prompt)
    assert wrong_tried >= len(SEEDS), sid


def _iou(a, b) -> float:
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _course_nms(boxes, scores, pc=0.6, thr=0.5) -> list[int]:
    """The course's rule, written out: drop p_c ≤ 0.6; keep the best; suppress IoU ≥ 0.5; repeat."""
    alive = sorted((i for i, s in enumerate(scores) if s > pc), key=lambda i: (-scores[i], i))
    kept = []
    while alive:
        best = alive.pop(0)
        kept.append(best)
        alive = [j for j in alive if _iou(boxes[best], boxes[j]) < thr]
    return kept


def test_nms_suppresses_at_exactly_iou_one_half_everywhere():
    from engine.course import page
    from engine.detect.nms import nms_by_hand

    a, b = [100, 20, 150, 80], [100, 40, 150, 100]  # 50×40 shared by two 50×60 boxes: IoU exactly 0.5
    assert _iou(a, b) == 0.5
    r = nms_by_hand([a, b], [0.9, 0.8], pc_threshold=0.6, iou_threshold=0.5)
    assert r.kept == [0] and r.steps[0].suppressed == [1]
    assert nms_by_hand([a, b], [0.9, 0.8], iou_threshold=0.5 + 1e-6).kept == [0, 1]
    assert nms_by_hand([a, b], [0.9, 0.6]).discarded == [1]  # p_c exactly 0.6 is dropped
    assert "IoU ≥ 0.5 → ✗" in page("nms").formulas and "0.5 or more" in page("nms").idea
    exact = 0
    for seed in SEEDS:
        ex = make_exercise("nms", seed)
        found = re.findall(r"\((\d+), (\d+), (\d+), (\d+)\) score (\d+(?:\.\d+)?)", ex.prompt)
        boxes = [[int(v) for v in f[:4]] for f in found]
        scores = [float(f[4]) for f in found]
        assert "0.5 or more" in ex.prompt
        assert ex.answer == sorted(i + 1 for i in _course_nms(boxes, scores)), seed
        exact += any(_iou(p, q) == 0.5 for p, q in itertools.combinations(boxes, 2))
    assert exact >= 20  # the tie at 0.5 is exercised, not just allowed


def test_verdicts_name_the_mistake_in_both_languages():
    from engine import i18n

    ex = next(e for e in (make_exercise("one-layer", s) for s in SEEDS) if e.answer > 1000)
    k, f, c = map(int, re.search(r"(\d+) filters of (\d+)×\d+×(\d+)", ex.prompt).groups())
    assert ex.answer == (f * f * c + 1) * k
    v = ex.check(f"{f * f * c * k:,}")
    assert not v.ok and v.mistake == "no_bias" and "without the biases" in v.message
    assert ex.check(str(ex.answer + 1)).mistake == "off_by_one"
    try:
        i18n.set_language("zh_CN")
        zh = make_exercise("one-layer", ex.seed)
        v = zh.check(_full_width(f"{f * f * c * k:,}"))
        assert not v.ok and "偏置" in v.message and "without" not in v.message
        assert zh.check(_full_width(f"{zh.answer:,}")).ok
    finally:
        i18n.set_language("en")


def test_the_nms_sandbox_suppresses_at_exactly_one_half(qtbot):
    from gui.widgets.detect_sandbox import NmsSandbox

    w = NmsSandbox()
    qtbot.addWidget(w)
    m = w.model
    m.load_boxes([[100, 20, 150, 80], [100, 40, 150, 100], [300, 20, 350, 80]], [0.9, 0.8, 0.6], 0.6, 0.5)
    m.run_to_end()
    assert [m.state_of(i) for i in range(3)] == ["kept", "suppressed", "discarded"]
    assert "IoU ≥ 0.5" in w.stage_text() and "#1 0.50" in w.stage_text()


def test_a_real_answer_must_have_the_asked_places_and_shapes_say_their_mistake():
    ex = next(e for e in (make_exercise("iou", s) for s in SEEDS) if round(e.answer, 1) != round(e.answer, 2))
    coarse = ex.check(f"{ex.answer:.1f}")
    assert not coarse.ok and coarse.mistake == "precision" and "2 decimal places" in coarse.message
    assert ex.check(f"{ex.answer:.2f}").ok and ex.check(f"{ex.answer:.5f}").ok
    vol = next(e for e in (make_exercise("conv-sliding", s) for s in SEEDS) if e.answer[0] != e.answer[1])
    h, w, c = vol.answer
    assert vol.check(f"{c}×{h}×{w}").mistake == "chw_order" and "C×H×W" in vol.check(f"{c}×{h}×{w}").message
    assert vol.check(f"{w}×{h}×{c}").mistake == "hw_swapped"
    assert vol.check(f"（{h}，{w}，{c}）").ok and vol.check(f"{h}＊{w}＊2×2").ok
