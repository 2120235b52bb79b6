"""The note's errors, each flagged on the page of the section where the note makes it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.course import ERRATA, SECTIONS, errata_for, example, run_example, section_view

ROOT = Path(__file__).resolve().parents[1]
_CANDIDATES = [ROOT.parent / "shared" / "course"]
if os.environ.get("CONVSTUDIO_SHARED"):
    _CANDIDATES.insert(0, Path(os.environ["CONVSTUDIO_SHARED"]) / "course")
NOTE = next((d / "000_67c8cfb51b07e2f0.txt" for d in _CANDIDATES if (d / "000_67c8cfb51b07e2f0.txt").exists()), None)

#: where a section's material starts when several sections share one heading of the note
_STARTS = {
    "volumes": "## 三维卷积", "one-layer": "标准的卷积网络", "pooling": "## 池化层", "why-convolutions": "有几点要注意",
    "lenet5": "首先看看**LeNet-5**", "alexnet": "**AlexNet**首先用", "vgg16": "这节课要讲的第三个",
    "nin": "前几节介绍的LeNet", "localisation": "# 目标检测",
}


def _section_texts(note: str) -> dict[str, str]:
    """Each section's stretch of the note, from its start to the next section's start."""
    starts = []
    for s in SECTIONS:
        marker = _STARTS.get(s.id, "## " + s.note_heading)
        at = note.find(marker, starts[-1][1] + 1 if starts else 0)
        assert at >= 0, (s.id, marker)
        starts.append((s.id, at))
    ends = [at for _sid, at in starts[1:]] + [len(note)]
    return {sid: note[at:end] for (sid, at), end in zip(starts, ends)}


def test_each_erratum_sits_on_the_section_whose_text_contains_it():
    if NOTE is None:
        pytest.skip("course note not present")
    texts = _section_texts(NOTE.read_text("utf-8"))
    for e in ERRATA:
        assert e.quotes, e
        for q in e.quotes:
            assert q in texts[e.section], (e.section, q, [sid for sid, t in texts.items() if q in t])


def test_errata_are_complete_and_point_at_examples_of_their_own_section():
    assert len(ERRATA) >= 29
    for e in ERRATA:
        assert e.says and e.correct and e.says != e.correct
        if e.example_id:
            assert example(e.example_id).section == e.section, e
    flagged = {(e.section, q) for e in ERRATA for q in e.quotes}
    for sid, quote in [("stride", "每次往左滑动一列"), ("one-by-one", "用这36个数字乘以这个输入层上1×1切片"),
                       ("one-by-one", "对这32个不同的位置都应用一个全连接层"), ("augmentation", "这就使得图片偏黄一点"),
                       ("resnet", "h%28x_l%29+%3D+W%27_lx"), ("padding", "如果你用3×3的图像对这个8×8的图像卷积"),
                       ("padding", "用个像素填充边缘"), ("lenet5", "我们还可以在这里再加一个节点用来预测结果"),
                       ("one-by-one", "输出结果是6×6过滤器数量"), ("siamese", "两幅图片的编码之差的范数")]:
        assert (sid, quote) in flagged, (sid, quote)
    assert "cyan" in errata_for("augmentation")[0].correct
    assert any("W′_l·x_l" in e.correct for e in errata_for("resnet"))


def test_typos_and_names_sit_on_their_own_pages():
    where = {q: e.section for e in ERRATA for q in e.quotes}
    assert where["softmadx"] == "inception" and where["Verfication"] == "face-recognition"
    assert where["**Postive**"] == "triplet" and where["并交比函数"] == "iou" and where["其他**loU**值很高的矩形"] == "nms"
    assert where["林敏、陈强和杨学成"] == "one-by-one"
    assert not any("Yan" in e.correct for e in errata_for("nin"))
    typo_sections = {e.section for e in ERRATA if e.typo}
    assert len(typo_sections) >= 8


def test_average_pooling_has_no_erratum_and_shows_3_75_as_a_worked_number():
    assert not any("3.75" in e.correct or "[4, 2]" in e.says for e in ERRATA)
    assert all(e.example_id != "pool-avg-4x4" for e in ERRATA)
    row, = run_example(example("pool-avg-4x4"))
    assert row.ok and row.computed == [[3.75, 1.25], [3.75, 2]]
    assert [e["example"] for e in section_view("pooling")["errata"]] == ["pool-max-4x4"]


def test_errata_read_in_chinese():
    from engine import i18n

    try:
        i18n.set_language("zh_CN")
        for sid in ("stride", "one-by-one", "augmentation", "siamese"):
            for er in section_view(sid)["errata"]:
                assert any("\u4e00" <= ch <= "\u9fff" for ch in er["says"] + er["correct"]), (sid, er)
    finally:
        i18n.set_language("en")
