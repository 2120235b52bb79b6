"""Chinese wording: retired terms, full-width marks, sample names, and texts that follow a live language switch."""

from __future__ import annotations

import glob
import re
from pathlib import Path

from PySide6.QtWidgets import QApplication

from engine import i18n
from engine.i18n import _, join_list, punctuation

ROOT = Path(__file__).resolve().parents[1]

#: Terms the Chinese catalogue no longer uses, and what replaced them.
RETIRED = {
    "过滤照片": "用卷积核处理照片", "实验室": "卷积面板", "投影捷径": "投影跳跃连接", "色彩偏移": "色彩转换",
    "演示给我看": "看演示", "体积": "输出形状",
}


def _msgstrs() -> list[tuple[str, str]]:
    from babel.messages.pofile import read_po

    out = []
    for po in sorted(glob.glob(str(ROOT / "engine/i18n/zh_CN/*.po"))):
        with open(po, "rb") as fh:
            out += [(m.id, m.string) for m in read_po(fh) if m.id and isinstance(m.string, str)]
    return out


def test_the_catalogue_avoids_retired_terms():
    bad = [f"{msgid!r}: {text}" for msgid, text in _msgstrs() for old in RETIRED if old in text]
    assert not bad, "\n".join(bad)
    # "one {name}" names the object as a target: 一个目标（汽车）, not 一个汽车
    assert not [t for _id, t in _msgstrs() if re.search(r"一个\{name\}", t)]


def test_chosen_terms_are_used():
    i18n.set_language("zh_CN")
    assert _("Show me") == "看演示"
    assert _("Filter photo") == "用卷积核处理照片"
    assert "输出形状" in _("Output volume: {shape} ({n} numbers per cell: 8 per anchor box)")


def test_lists_and_marks_follow_the_language():
    assert join_list(["Ana 0.43", "Ben 0.91"]) == "Ana 0.43, Ben 0.91"
    assert punctuation(":") == ": "
    i18n.set_language("zh_CN")
    assert join_list(["Ana 0.43", "Ben 0.91"]) == "Ana 0.43、Ben 0.91"
    assert [punctuation(m) for m in ",;:()"] == ["，", "；", "：", "（", "）"]
    from engine.shapes import format_shape

    assert format_shape((3, 32, 32), "hwc") == "32×32×3（H×W×C）"


def test_glossary_chinese_uses_full_width_marks(capsys):
    from engine.course.glossary import GLOSSARY, lookup

    for entry in GLOSSARY:
        assert not re.search(r"[,;()]", entry.zh_text), entry.zh_text
    assert lookup("triplet loss").zh_text == "三元组损失；Anchor、Positive、Negative"
    assert lookup("padding").zh_text == "填充（Padding）"
    i18n.set_language("zh_CN")
    from engine.cli import build_parser, run

    assert run(build_parser().parse_args(["course", "glossary", "filter"])) == 0
    out = capsys.readouterr().out
    assert "（笔记" in out and "(" not in out


def test_engine_progress_is_translated():
    from engine.train.digits import train_digits

    i18n.set_language("zh_CN")
    first = next(iter(train_digits(epochs=1)))
    assert first.message == "正在准备手写数字…"


def test_sample_photos_have_chinese_names(window):
    window.set_language("zh_CN")
    window.switch_to("convolution")
    panel = window.panel("convolution")
    combo = panel.sample_combo
    names = [combo.itemText(i) for i in range(combo.count())]
    assert "宇航员" in names and "小猫" in names and "astronaut" not in names
    combo.setCurrentIndex(combo.findData("coffee"))
    combo.activated.emit(combo.currentIndex())
    QApplication.processEvents()
    assert combo.currentText() == "咖啡" and panel.model.photo is not None
    window.set_language("en")
    assert [combo.itemText(i) for i in range(5)] == ["astronaut", "chelsea", "coffee", "rocket", "camera"]


def test_sidebar_says_models_after_a_switch_back_to_english(window):
    window.set_language("zh_CN")
    window.set_language("en")
    texts = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert texts == [cls.title for cls in window.panel_classes]
    assert "Models" in texts and "Model" not in texts


def test_job_status_follows_a_live_switch(window):
    from gui.jobs import JobHandle

    job = JobHandle(label=_("Style transfer"), thread=None)  # started in English
    job.message = _("Filtering the photo")
    window.jobs.current = lambda: job
    window.jobs.active = lambda: [job]
    window._update_job_status()
    assert window.job_label.text() == "Style transfer: Filtering the photo"
    window.set_language("zh_CN")
    text = window.job_label.text()
    assert text == f"{_('Style transfer')}：正在用卷积核处理照片" and "Style" not in text


def test_widget_texts_survive_a_round_trip_through_chinese(window):
    """Texts whose Chinese used to be shared (下一步 ▶, 示例, 过滤器) come back as the same English."""
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel

    for panel_id in ("convolution", "detection"):
        window.switch_to(panel_id)

    def texts():
        out = []
        for panel_id in ("convolution", "detection"):
            root = window.panel(panel_id)
            out += [w.text() for w in root.findChildren(QAbstractButton) + root.findChildren(QLabel)]
            out += [g.title() for g in root.findChildren(QGroupBox)]
        return out

    before = texts()
    assert "Step ▶" in before and "Forward ▶" in before and "Sample" in before and "Filters" in before
    window.set_language("zh_CN")
    window.set_language("en")
    after = texts()
    changed = [(a, b) for a, b in zip(before, after) if a != b and a in ("Step ▶", "Forward ▶", "Sample", "Filter", "Filters")]
    assert not changed, changed
