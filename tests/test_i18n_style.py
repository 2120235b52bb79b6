"""The Style transfer panel in Chinese, in states the walker does not reach: a finished run, a memory refusal."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from engine.i18n import set_language
from engine.style import MemoryRefused, check_memory
from i18n_walk import chinese_left, english_left, has_chinese


@pytest.fixture
def window(make_window):
    win = make_window(faces_db=False)
    yield win
    win.jobs.wait_all(10000)
    win.set_language("en")
    win.close()


def test_live_switch_keeps_images_strength_and_the_finished_result(window, qtbot, tmp_path):
    import torch

    from engine.style import TransformerNet, save_transformer

    window.switch_to("style_transfer")
    panel = window.panel("style_transfer")
    torch.manual_seed(0)
    assert panel.load_network(str(save_transformer(TransformerNet(), tmp_path / "net.pth")))
    assert panel.fast_status.text() == "Loaded net.pth."
    panel.content_slot.sampleChosen.emit("coffee")
    panel.style_slot.sampleChosen.emit("hubble")
    panel.backbone_combo.setCurrentIndex(panel.backbone_combo.findData("random"))
    panel.strength_slider.setValue(70)
    panel.size_spin.setValue(48)
    panel.steps_spin.setValue(2)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.model.running and panel.model.result is not None, timeout=60000)
    result, best = panel.model.result, panel.model.best.copy()
    rec = result.losses[-1]
    assert "Done in" in panel.status_label.text()

    window.set_language("zh_CN")
    QApplication.processEvents()
    assert (panel.model.content_name, panel.model.style_name) == ("coffee", "hubble")
    assert panel.content_slot.combo.currentData() == "coffee" and panel.style_slot.combo.currentData() == "hubble"
    assert panel.content_slot.combo.currentText() == "咖啡" and panel.style_slot.combo.currentText() == "哈勃深空"
    assert panel.strength_slider.value() == 70 and panel.model.params.style_strength == pytest.approx(0.7)
    assert panel.model.result is result and (panel.model.best == best).all() and panel.output_view.has_image()
    status = panel.status_label.text()
    assert status.startswith("完成") and f"未加权的代价：J_content = {rec.content_cost:.4g}" in status
    assert f"β·J_style = {rec.weighted_style:.4g}" in status
    assert panel.save_button.text() == "保存 PNG…" and panel.save_button.isEnabled()
    assert panel.fast_status.text() == "已载入 net.pth。" and panel.fast.network_name == "net.pth"
    left = english_left(panel)
    assert not left, "\n".join(left)

    window.set_language("en")
    QApplication.processEvents()
    assert panel.status_label.text().startswith("Done in") and panel.model.result is result
    assert not chinese_left(panel)


def test_memory_refusal_is_said_in_chinese(window, qtbot, monkeypatch):
    set_language("zh_CN")
    try:
        with pytest.raises(MemoryRefused) as refused:
            check_memory(100_000, 100_000, ["conv1_1", "conv5_1"], "cpu", available=2**30)
    finally:
        set_language("en")
    assert "可用" in str(refused.value) and "needs about" not in str(refused.value)

    window.set_language("zh_CN")
    window.switch_to("style_transfer")
    panel = window.panel("style_transfer")
    monkeypatch.setattr("engine.style.memory.available_bytes", lambda device: 2**30)  # a machine with 1 GB free
    panel.size_spin.setValue(4096)
    assert "放不下" in panel.memory_label.text()
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert not panel.model.running
    assert panel.status_label.text().startswith("未开始：") and has_chinese(panel.use_size_button.text())
    left = english_left(panel)
    assert not left, "\n".join(left)
    window.set_language("en")  # the refusal is re-said in English, with its numbers
    assert panel.status_label.text().startswith("Not started: 4096 px needs about")
    assert "px instead" in panel.use_size_button.text()
    assert not chinese_left(panel)
