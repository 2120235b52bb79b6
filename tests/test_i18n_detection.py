"""The Detection and Grid detector panels in Chinese, in states the walker does not reach; a live switch keeps their state."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from engine.i18n import set_language
from engine.detect.sources import open_source
from engine.detect.sources import SourceError
from engine.yolo.sandbox import encode_objects
from i18n_walk import chinese_left, english_left


def test_live_switch_keeps_the_detection_state_and_the_stepped_sandbox(window, qtbot):
    window.switch_to("detection")
    panel = window.panel("detection")
    combo = panel.detector_combo
    index = combo.findData("haar_cat_face")
    combo.setCurrentIndex(index)
    panel.score_slider.setValue(42)
    panel.iou_slider.setValue(35)
    panel.tabs.setCurrentWidget(panel.sandbox)
    sb = panel.sandbox
    sb.model.load_course_preset()
    sb.model.add_box((200, 10, 260, 40), p_c=0.95)
    sb.model.step(2)
    before = ([b.box for b in sb.model.boxes], sb.model.stage, sb.model.kept_so_far())
    window.set_language("zh_CN")
    QApplication.processEvents()
    assert combo.currentData() == "haar_cat_face" and combo.currentText().startswith("Haar 级联")
    assert panel.model.score == pytest.approx(0.42) and panel.model.iou == pytest.approx(0.35)
    assert panel.score_slider.value() == 42 and panel.iou_slider.value() == 35
    assert ([b.box for b in sb.model.boxes], sb.model.stage, sb.model.kept_so_far()) == before
    assert "第 1 步" in sb.step_text.text() and "交并比" in sb.step_text.text()
    assert "保留" in sb.box_list.item(before[2][0]).text()
    assert sb.source_combo.currentData() == "course" and sb.source_combo.currentText() == "空白画布上的课程示例框"
    assert sb.source_combo.itemText(sb.source_combo.findData("blank")) == "空白画布"
    left = english_left(panel)
    assert not left, "\n".join(left)
    window.set_language("en")
    QApplication.processEvents()
    assert "Step 1" in sb.step_text.text() and not chinese_left(panel)
    assert combo.currentData() == "haar_cat_face"


def test_engine_messages_in_chinese():
    set_language("zh_CN")
    try:
        with pytest.raises(SourceError, match="文件或文件夹不存在"):
            open_source("/no/such/clip.mp4")
        with pytest.raises(ValueError, match="请使用 1 或 2 个锚框"):
            encode_objects([], grid=3, anchors=3)
    finally:
        set_language("en")


def test_grid_sandbox_and_sizes_survive_a_switch_and_follow_it(window, qtbot):
    panel = window.panel("grid_detector")
    panel.model.sliding_input = "16"
    with qtbot.waitSignal(panel.model.comparisonChanged, timeout=60000):
        window.switch_to("grid_detector")
    qtbot.waitUntil(lambda: bool(panel.sizes_model.runs) and not panel.sizes_model.busy, timeout=60000)  # the first run
    sb = panel.sandbox
    sb.grid_spin.setValue(7)
    sb.model.add_object((100, 100, 140, 200), label=0)
    sb.model.set_hover_pixel(120, 150)
    panel.size_spins[2].setValue(0)
    panel.run_sizes()
    qtbot.waitUntil(lambda: not panel.sizes_model.busy, timeout=60000)
    panel.tabs.setCurrentWidget(sb)
    window.set_language("zh_CN")
    QApplication.processEvents()
    assert sb.model.grid == 7 and len(sb.model.objects) == 1 and sb.model.hover == (3, 2)
    assert "输出形状" in sb.shape_label.text() and "7×7×16" in sb.shape_label.text()
    assert "行人" in sb.assign_label.text()
    assert len(panel.sizes_model.runs) == 2 and "ms" in panel.sizes_table.item(0, 3).text()
    assert "每种尺寸" in panel.sizes_label.text()
    assert "→" in panel.input_combo.currentText() and "16×16" in panel.input_combo.currentText()
    left = english_left(panel)
    assert not left, "\n".join(left)
    window.set_language("en")
    QApplication.processEvents()
    assert "Output volume" in sb.shape_label.text() and not chinese_left(panel)


def test_shape_notation_setting_rerenders_the_grid_detector_shapes(window, qtbot):
    panel = window.panel("grid_detector")
    panel.model.sliding_input = "28"
    with qtbot.waitSignal(panel.model.comparisonChanged, timeout=60000):
        window.switch_to("grid_detector")
    qtbot.waitUntil(lambda: not panel.sizes_model.busy, timeout=60000)
    assert "8×8×4 (H×W×C)" in panel.comparison_label.text() and "8×8×4 (H×W×C)" in panel.input_combo.currentText()
    try:
        window.set_shape_order("chw")
        assert "4×8×8 (C×H×W)" in panel.comparison_label.text()
        assert "4×8×8 (C×H×W)" in panel.input_combo.currentText()
        assert "16×3×3 (C×H×W)" in panel.sandbox.shape_label.text()
    finally:
        window.set_shape_order("hwc")
    assert "3×3×16 (H×W×C)" in panel.sandbox.shape_label.text()
