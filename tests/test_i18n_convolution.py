"""The Convolution lab switched to Chinese and back while it holds a state; engine messages in Chinese."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication

from engine import conv
from i18n_walk import chinese_left, english_left, open_every_tab


def test_live_switch_keeps_the_lab_state(window):
    window.switch_to("convolution")
    p = window.panel("convolution")
    p.n_spin.setValue(7)
    p.model.set_input_preset("random integers")
    p.input_editor.item(2, 3).setText("42")
    p.kernel_preset_combo.setCurrentIndex(p.kernel_preset_combo.findData("sobel x"))
    p.kernel_preset_combo.activated.emit(p.kernel_preset_combo.currentIndex())
    p.padding_spin.setValue(1)
    p.relu_check.setChecked(True)
    p.bias_all_spin.setValue(-3)
    p.scrub.setValue(11)
    before = (p.model.input.copy(), p.model.weights.copy(), p.model.bias.copy())
    window.set_language("zh_CN")
    m = p.model
    np.testing.assert_array_equal(m.input, before[0])
    np.testing.assert_array_equal(m.weights, before[1])
    np.testing.assert_array_equal(m.bias, before[2])
    assert (m.n, m.padding, m.relu, m.step) == (7, 1, True, 11)
    assert p.n_spin.value() == 7 and p.padding_spin.value() == 1 and p.scrub.value() == 11 and p.view.step() == 11
    assert p.relu_check.isChecked() and p.bias_all_spin.value() == -3
    assert p.kernel_preset_combo.currentData() == "sobel x" and p.kernel_preset_combo.currentText() == "Sobel x"
    assert p.input_editor.item(2, 3).text() == "42"
    assert "输出 7×7×1（H×W×C）" in p.formula.text()
    assert conv.step_caption(m.anim, m.step).startswith("输出 1[1, 4]：z = ")
    assert p.view.layout_now().find("output", 0).label == "输出 1（ReLU 后）"
    window.set_language("en")
    assert m.step == 11 and p.view.layout_now().find("output", 0).label == "output 1 after ReLU"
    assert "output 7×7×1 (H×W×C)" in p.formula.text()


def test_engine_messages_and_new_states_appear_in_chinese(window):
    window.set_language("zh_CN")
    window.switch_to("convolution")
    p = window.panel("convolution")
    p.n_spin.setValue(4)
    p.kernel_spin.setValue(6)  # a kernel larger than the input: the engine says why there is no output
    assert "没有输出：卷积核跨越 6 格" in p.message.text() and not p.message.isHidden()
    assert "没有输出" in p.formula.text() and not p.play_button.isEnabled()
    p.kernel_spin.setValue(4)
    p.n_spin.setValue(3)
    p.mode_combo.setCurrentIndex(p.mode_combo.findData("reflect"))
    p.padding_spin.setValue(3)
    assert "反射填充要求 p < n" in p.message.text()
    # the states only reachable by clicking: pooling only, 32 channels with 1×1, arithmetic only, the shift tab
    p.mode_combo.setCurrentIndex(p.mode_combo.findData("zeros"))
    p.padding_spin.setValue(0)
    p.pool_example_button.click()
    assert "直接对输入" in p.formula.text()
    p.pool_only_check.setChecked(False)
    p.channels_spin.setValue(32)
    p.kernel_spin.setValue(1)
    assert "1×1 卷积 = 每个像素上的全连接层" in p.pointwise.text()
    open_every_tab(p, QApplication.processEvents)
    left = english_left(p)
    assert not left, "English left in the Chinese interface:\n" + "\n".join(left)
    p.n_spin.setValue(227)
    assert "不绘制网格" in p.formula.text()
    window.set_language("en")
    open_every_tab(p, QApplication.processEvents)
    left = chinese_left(p)
    assert not left, "Chinese left in the English interface:\n" + "\n".join(left)


def test_exported_frames_draw_chinese_captions_with_real_glyphs():
    """A GIF/MP4 frame in Chinese uses a font that has the characters (distinct glyphs, not one missing-glyph box)."""
    from engine.conv.render import _font_for
    from engine.i18n import set_language

    font = _font_for("输出 1", 16)
    glyph = lambda ch: (font.getmask(ch).size, bytes(font.getmask(ch)))  # noqa: E731
    assert glyph("输") != glyph("出") != glyph("卷")
    set_language("zh_CN")
    try:
        x = np.arange(36, dtype=float).reshape(1, 6, 6)
        anim = conv.Animation(conv.trace(x, np.ones((1, 1, 3, 3)), relu=True), conv.pool_trace(np.ones((1, 4, 4)), "max", 2, 2))
        assert conv.step_caption(anim, 0).startswith("输出 1[0, 0]：z = ")
        frame = conv.render_frame(anim, 0)
        assert frame.ndim == 3 and frame.shape[2] == 3
    finally:
        set_language("en")


def test_photo_tab_explains_in_chinese_why_32_channels_cannot_filter_a_photo(window, qtbot):
    window.set_language("zh_CN")
    window.switch_to("convolution")
    p = window.panel("convolution")
    p.channels_spin.setValue(32)
    p.tabs.setCurrentIndex(3)  # Real image: loads the sample and filters it
    qtbot.waitUntil(lambda: "用于照片的过滤器需要 1 个（灰度）或 3 个（RGB）通道，而不是 32" in p.photo_info.text(), timeout=20000)
    qtbot.waitUntil(lambda: p._photo_job is None and not p._photo_timer.isActive(), timeout=20000)


def test_the_lab_fits_1024x700_in_chinese_with_32_channels(window, qtbot):
    window.set_language("zh_CN")
    window.switch_to("convolution")
    p = window.panel("convolution")
    p.model.set_input_preset("random integers")
    p.channels_spin.setValue(32)
    p.kernel_spin.setValue(1)
    p.tabs.setCurrentIndex(1)
    window.resize(1024, 700)
    for _i in range(5):
        QApplication.processEvents()
    assert window.minimumSizeHint().width() <= 1024 and window.width() <= 1024
    # the 6×6 input grid fits its half of the edit tab without a horizontal scroll bar
    qtbot.waitUntil(lambda: p.input_editor.horizontalScrollBar().maximum() == 0, timeout=3000)
