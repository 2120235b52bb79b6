"""Course mode: sections, pages, worked examples recomputed by the engine, exercises, errata, glossary, progress, CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine import cli
from engine.course import (
    EXAMPLES, PAGES, PANELS, SECTIONS, check_all, example, examples_for, make_exercise,
    outline, page, run_example, search_glossary, section, section_view,
)
from engine.course.check import COMPUTE
from engine.course.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
#: the course map beside the checkout (../shared) or under $CONVSTUDIO_SHARED when set
_SHARED = Path(os.environ["CONVSTUDIO_SHARED"]) if os.environ.get("CONVSTUDIO_SHARED") else ROOT.parent / "shared"
MAP = _SHARED / "course" / "MAP.md"

def _main(argv: list[str]) -> int:
    return cli.run(cli.build_parser().parse_args(argv))


# -- structure ---------------------------------------------------------------------------------

def test_every_section_has_a_page_an_example_and_an_exercise():
    assert len(SECTIONS) == 30
    assert [s.part for s in SECTIONS] == sorted((s.part for s in SECTIONS), key=["basics", "deep", "detection", "faces-style"].index)
    for s in SECTIONS:
        pg = page(s.id)
        assert pg.idea and len(pg.idea) > 60, s.id
        assert not any("\\" in f or "$" in f for f in pg.formulas), s.id  # readable Unicode, not LaTeX
        assert examples_for(s.id), s.id
        ex = make_exercise(s.id, 0)
        assert ex.prompt and ex.solution, s.id
    assert set(PAGES) == {s.id for s in SECTIONS}


def test_section_view_and_outline_give_a_panel_everything_it_shows():
    v = section_view("pooling")
    assert v["title_zh"] == "池化层" and "o = ⌊(n − f)/s⌋ + 1" in v["formulas"]
    assert [e["id"] for e in v["examples"]] == ["pool-max-4x4", "pool-avg-4x4", "pool-global-7x7x1000"]
    assert v["examples"][0]["panel"] == "convolution" and v["examples"][0]["state"]["pool_on_input"]
    assert section_view("triplet")["errata"][0]["example"] == "triplet-loss"
    assert sum(len(p["sections"]) for p in outline()) == len(SECTIONS)
    with pytest.raises(KeyError):
        section_view("nope")


def test_examples_have_unique_ids_known_panels_and_a_compute_function():
    ids = [e.id for e in EXAMPLES]
    assert len(ids) == len(set(ids))
    for e in EXAMPLES:
        assert e.panel in PANELS, e.id
        section(e.section)
        assert e.expected and e.description, e.id
        assert e.id in COMPUTE, e.id
    for must in ("edge-6x6", "pool-max-4x4", "alexnet-paper-shapes", "nms-five-boxes", "yolo-grid-3x3", "siamese-squared-distance"):
        example(must)


def test_average_pooling_uses_the_max_pooling_grid():
    grid = example("pool-max-4x4").state["input"]
    avg = example("pool-avg-4x4")
    assert avg.state["input"] == grid
    x = torch.tensor(grid, dtype=torch.float32)[None, None]
    assert avg.expected["output"] == F.avg_pool2d(x, 2).squeeze().tolist() == [[3.75, 1.25], [3.75, 2.0]]
    assert [r.computed for r in run_example(avg)] == [[[3.75, 1.25], [3.75, 2]]]


def test_every_section_points_at_a_heading_of_the_note():
    note = MAP.parent / "000_67c8cfb51b07e2f0.txt"
    if not note.exists():
        pytest.skip("course note not present")
    headings = {line.lstrip("#").strip() for line in note.read_text("utf-8").splitlines() if line.startswith("#")}
    for s in SECTIONS:
        assert s.note_heading in headings, s.id


def test_map_sections_with_worked_examples_have_examples():
    if not MAP.exists():
        pytest.skip("course map not present")
    rows = []
    for line in MAP.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 4 and cells[0] not in ("section", "---"):
            rows.append(cells)
    assert len(rows) == 30
    by_map = {s.map_title: s for s in SECTIONS}
    for name, _ideas, worked, _now in rows:
        assert name in by_map, name
        if worked not in ("—", "-", ""):
            assert examples_for(by_map[name].id), name


# -- worked examples ------------------------------------------------------------------------

def test_check_all_recomputes_every_number_and_all_agree():
    rows = check_all()
    assert len(rows) == sum(len(e.expected) for e in EXAMPLES)  # nothing skipped
    failing = [(r.example, r.name, r.expected, r.computed, r.reason) for r in rows if not r.ok]
    assert failing == []
    assert all(r.computed is not None for r in rows)


@pytest.mark.parametrize("module, name, eid, keys", [
    ("engine.face.match", "threshold_in", "siamese-squared-distance", {"threshold_squared"}),
    ("engine.augment", "colour_shift", "colour-shift-manual", {"pixel_after"}),
    ("engine.conv", "shift_demo", "translation-shift-2", {"feature_map_shift", "pooled_shift"}),
    ("engine.yolo.sliding", "sliding_sizes", "sliding-windows-three-sizes", {"windows"}),
    ("engine.detect.nms", "nms_by_hand", "nms-five-boxes", {"kept_scores"}),
])
def test_a_missing_engine_capability_is_reported_as_needed(monkeypatch, module, name, eid, keys):
    import importlib

    monkeypatch.delattr(importlib.import_module(module), name)
    rows = {r.name: r for r in run_example(example(eid))}
    for key, row in rows.items():
        if key in keys:
            assert not row.ok and row.computed is None and row.reason.startswith("needs"), (key, row)
        else:
            assert row.ok, (key, row)


def test_a_missing_relu_step_or_activation_column_is_reported_as_needed(monkeypatch):
    from engine import conv
    from engine.arch import summary

    plain_trace = conv.trace
    monkeypatch.setattr(conv, "trace", lambda x, weight, bias=None, stride=1, padding=0: plain_trace(x, weight, bias, stride, padding))
    assert all(not r.ok and r.reason.startswith("needs") for r in run_example(example("relu-step")))
    monkeypatch.delattr(summary.LayerRow, "activations")
    row, = run_example(example("activation-sizes-lenet-like"))
    assert not row.ok and row.reason.startswith("needs")


def test_checks_compute_rather_than_read_the_expected_numbers():
    for eid, key, wrong in (("edge-6x6", "output", [[0, 31, 30, 0]] * 4), ("pool-max-4x4", "output", [[9, 2], [6, 4]]),
                            ("vgg16-params", "params", 138_357_545), ("nms-five-boxes", "kept_scores", [0.9, 0.7]),
                            ("triplet-loss", "loss", 0.1)):
        ex = example(eid)
        bad = dataclasses.replace(ex, expected={**ex.expected, key: wrong})
        row = next(r for r in run_example(bad) if r.name == key)
        assert not row.ok and row.computed is not None


def test_example_numbers_agree_with_torch():
    pool = example("pool-avg-4x4")
    x = torch.tensor(pool.state["input"], dtype=torch.float32)[None, None]
    assert F.avg_pool2d(x, 2).squeeze().tolist() == pool.expected["output"]
    edge = example("edge-6x6")
    img = torch.zeros(1, 1, 6, 6)
    img[..., :3] = 10
    k = torch.tensor([[1.0, 0, -1]] * 3)[None, None]
    assert F.conv2d(img, k).squeeze().tolist() == edge.expected["output"]


# -- exercises --------------------------------------------------------------------------------

def _wrong(ex):
    if ex.kind == "number":
        return float(ex.answer) + max(1.0, abs(float(ex.answer)) * 0.1)
    if ex.kind == "shape":
        return list(ex.answer[:-1]) + [ex.answer[-1] + 1]
    if ex.kind == "numbers":
        return [ex.answer[0] + 1] + list(ex.answer[1:])
    if ex.kind == "yesno":
        return "no" if ex.answer else "yes"
    return "nobody"


@pytest.mark.parametrize("sid", [s.id for s in SECTIONS])
def test_exercises_accept_the_answer_and_reject_a_wrong_one(sid):
    prompts = set()
    for seed in range(5):
        ex = make_exercise(sid, seed)
        prompts.add(ex.prompt)
        assert make_exercise(sid, seed).prompt == ex.prompt  # a seed is reproducible
        good = ex.check(ex.answer_text)
        assert good.ok, (sid, seed, ex.answer_text, good.message)
        assert ex.check(ex.answer).ok
        assert good.solution == ex.solution
        bad = ex.check(_wrong(ex))
        assert not bad.ok and bad.solution
        assert not ex.check("").ok
    assert len(prompts) >= 2, sid


def test_answer_formats():
    ex = make_exercise("volumes", 1)
    h, w, c = ex.answer
    for text in (f"{h}x{w}x{c}", f"{h}×{w}×{c}", f"({h}, {w}, {c})", f"[{h},{w},{c}]", f"{h} * {w} * {c}"):
        assert ex.check(text).ok, text
    assert not ex.check("banana").ok and "shape" in ex.check("banana").message
    big = make_exercise("computer-vision", 0)
    assert big.check(f"{int(big.answer):,}").ok and big.check(str(int(big.answer))).ok
    pool = make_exercise("pooling", 2)
    a = pool.answer
    assert pool.check(f"[[{a[0]}, {a[1]}], [{a[2]}, {a[3]}]]").ok and pool.check(f"{a[0]} {a[1]}; {a[2]} {a[3]}").ok
    face = make_exercise("face-recognition", 0)
    assert face.check("是" if face.answer else "否").ok


@pytest.mark.parametrize("seed", range(6))
def test_size_and_pool_exercises_agree_with_torch(seed):
    ex = make_exercise("stride", seed)
    n, f, p, s = map(int, re.search(r"Input (\d+)×\d+, kernel (\d+)×\d+, padding (\d+), stride (\d+)", ex.prompt).groups())
    assert F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), padding=p, stride=s).shape[-1] == ex.answer
    pool = make_exercise("pooling", seed)
    grid = torch.tensor(json.loads(re.search(r"(\[\[.*\]\])", pool.prompt).group(1)), dtype=torch.float32)[None, None]
    fn = F.max_pool2d if "max pooling" in pool.prompt else F.avg_pool2d
    assert fn(grid, 2).flatten().tolist() == pytest.approx(pool.answer)


def test_iou_exercise_agrees_with_torchvision():
    from torchvision.ops import box_iou

    for seed in range(5):
        ex = make_exercise("iou", seed)
        a, b = (list(map(float, m)) for m in re.findall(r"\((\d+), (\d+), (\d+), (\d+)\)", ex.prompt)[-2:])
        assert float(box_iou(torch.tensor([a]), torch.tensor([b]))[0, 0]) == pytest.approx(ex.answer, abs=1e-6)


# -- glossary, progress, CLI, translations ---------------------------------------------------------

def test_glossary_search_in_both_languages():
    assert len(search_glossary("")) == 36
    assert search_glossary("stride")[0].zh.startswith("步长")
    assert search_glossary("步长")[0].en == "stride"
    assert {e.en for e in search_glossary("池化")} == {"pooling, max pooling, average pooling", "global average pooling"}
    assert search_glossary("IOU")[0].zh == "交并比"
    assert search_glossary("nothing like this") == []


def test_progress_survives_reloading_and_resets(convstudio_home):
    p = Progress()
    p.record("stride", 3, True)
    p.record("stride", 3, True)
    p.record("stride", 4, False)
    p.record("iou", 1, True)
    again = Progress()
    assert again.path.parent == convstudio_home / "config"
    assert again.solved("stride") == 1 and again.attempts("stride") == 3 and again.sections_done() == ["iou", "stride"]
    again.reset("iou")
    assert Progress().solved("iou") == 0 and Progress().solved("stride") == 1
    again.reset()
    assert Progress().to_dict() == {} and again.path.exists()
    again.path.write_text("{not json", "utf-8")
    assert Progress().solved("stride") == 0  # a damaged file reads as no progress
    assert not list(again.path.parent.glob("*.tmp"))


def test_cli_list_show_and_glossary(capsys):
    assert _main(["course", "list", "--json"]) == 0
    raw = capsys.readouterr().out
    assert "卷积神经网络基础" in raw  # Chinese stays readable, not \u escapes
    parts = json.loads(raw)
    assert [len(p["sections"]) for p in parts] == [8, 8, 7, 7]
    assert _main(["course", "show", "stride"]) == 0
    out = capsys.readouterr().out
    assert "卷积步长" in out and "⌊(n + 2p − f)/s⌋ + 1" in out and "stride-6x6-valid" in out
    assert _main(["course", "show", "no-such-section"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown section" in err
    assert _main(["course", "glossary", "锚框", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["en"] == "anchor box"


def test_cli_check_exit_codes(capsys, monkeypatch):
    from engine.face import match

    assert _main(["course", "check", "edge-6x6", "pool-max-4x4", "nms-five-boxes"]) == 0
    out = capsys.readouterr().out
    assert "ok   pool-max-4x4 output: expected [[9, 2], [6, 3]], computed [[9, 2], [6, 3]]" in out
    assert "4 of 4 numbers agree with the course." in out and "FAIL" not in out
    assert _main(["course", "check", "relu-step", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and [r["computed"] for r in doc["rows"]] == [[5, -25, -25, 5], [5, 0, 0, 5]]
    monkeypatch.delattr(match, "threshold_in")
    assert _main(["course", "check", "siamese-squared-distance"]) == 1
    out = capsys.readouterr().out
    assert "FAIL siamese-squared-distance threshold_squared" in out and "needs a squared-distance" in out
    assert _main(["course", "check", "nope"]) == 2


def test_cli_exercise_prints_the_solution_and_records_answers(capsys):
    assert _main(["course", "exercise", "stride", "--seed", "7", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ex = make_exercise("stride", 7)
    assert doc["answer"] == ex.answer and doc["solution"] == ex.solution
    assert _main(["course", "exercise", "stride", "--seed", "7", "--answer", str(ex.answer)]) == 0
    assert "Correct." in capsys.readouterr().out
    assert _main(["course", "exercise", "stride", "--seed", "8", "--answer", "-1"]) == 1
    prog = Progress()
    assert prog.solved("stride") == 1 and prog.attempts("stride") == 2
    capsys.readouterr()
    assert _main(["course", "exercise", "pooling"]) == 0
    seed = int(re.search(r"seed (\d+)", capsys.readouterr().out).group(1))
    assert _main(["course", "exercise", "pooling", "--seed", str(seed), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answer"] == make_exercise("pooling", seed).answer


def test_course_texts_are_translated_into_chinese(capsys):
    from engine import i18n
    from engine.i18n import catalog

    assert catalog.check("zh_CN", [ROOT / "engine" / "course", ROOT / "engine" / "commands" / "course.py"]) == []
    try:
        i18n.set_language("zh_CN")
        assert _main(["course", "show", "stride"]) == 0
        out = capsys.readouterr().out
        assert "步长" in out and "The stride s is" not in out
        assert section_view("iou")["title_en"] == "交并比" and "两个框" in section_view("iou")["idea"]
        ex = make_exercise("iou", 0)
        assert re.search(r"[\u4e00-\u9fff]", ex.prompt) and ex.check(ex.answer_text).ok
    finally:
        i18n.set_language("en")
