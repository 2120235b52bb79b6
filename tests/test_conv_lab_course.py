"""The course's examples in the Convolution lab, driven through its widgets and checked against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from engine import conv, shapes
from gui.panels.convolution import ConvolutionPanel
from gui.panels.convolution_model import POOL_4X4

MIRRORED_EDGE = np.array([[0, 0, 0, 10, 10, 10]] * 6, dtype=np.float64)


@pytest.fixture
def panel(make_panel):
    yield make_panel(ConvolutionPanel, (1100, 740), wait_exposed=True)
    shapes.set_display_order(shapes.DEFAULT_ORDER)


def test_relu_step_shows_pre_activation_then_relu_and_code_has_both(panel, qtbot):
    p = panel
    p.model.set_input_values(MIRRORED_EDGE)
    p.bias_all_spin.setValue(5)
    qtbot.mouseClick(p.relu_check, Qt.MouseButton.LeftButton)
    assert p.model.relu and p.model.bias.tolist() == [5.0]
    x = torch.tensor(MIRRORED_EDGE, dtype=torch.float32)[None, None]
    w = torch.tensor(p.model.weights, dtype=torch.float32)
    pre = F.conv2d(x, w, torch.tensor([5.0]))
    torch.testing.assert_close(p.model.anim.conv.pre_activation, pre[0])
    torch.testing.assert_close(p.model.anim.conv.output, F.relu(pre)[0])
    assert p.model.anim.conv.output[0, 0].tolist() == [5, 0, 0, 5]
    # the output grid shows the ReLU'd values, the caption both
    np.testing.assert_array_equal(p.model.anim.out_values()[0, 0], [5, 0, 0, 5])
    p.scrub.setValue(1)
    caption = conv.step_caption(p.model.anim, p.model.step)
    assert "z = " in caption and "= −25 → ReLU(z) = 0" in caption and "bias 5" in caption
    assert "after ReLU" in p.view.layout_now().find("output", 0).label
    code = p.copy_code()
    assert "F.relu" in code and "conv.bias.copy_(bias)" in code
    env: dict = {}
    exec(compile(code, "<clipboard>", "exec"), env)  # noqa: S102 - the panel's own output
    torch.testing.assert_close(env["y"][0], F.relu(pre)[0])


def test_32_channels_with_a_1x1_kernel_is_a_fully_connected_layer_per_pixel(panel):
    p = panel
    p.model.set_input_preset("random integers")
    p.channels_spin.setValue(32)
    p.kernel_spin.setValue(1)
    p.kernel_preset_combo.setCurrentIndex(p.kernel_preset_combo.findData("random weights"))
    p.kernel_preset_combo.activated.emit(p.kernel_preset_combo.currentIndex())
    m = p.model
    assert m.input.shape == (32, 6, 6) and m.weights.shape == (1, 32, 1, 1) and m.weights.any()
    lay = p.view.layout_now()
    assert sum(g.kind == "input" for g in lay.grids) == 3 and any(g.kind == "more" for g in lay.grids)
    assert lay.width <= p.view.width() and lay.height <= p.view.height()
    ref = F.conv2d(torch.tensor(m.input)[None], torch.tensor(m.weights), torch.tensor(m.bias))[0]
    torch.testing.assert_close(m.anim.conv.output.double(), ref, atol=1e-4, rtol=1e-5)
    p.scrub.setValue(7)  # pixel (1, 1)
    assert not p.pointwise_scroll.isHidden()
    html = p.pointwise.text()
    assert "32 inputs → 1 output(s), 33 parameters" in html and "pixel (1, 1)" in html
    dot = float(torch.dot(torch.tensor(m.input[:, 1, 1]), torch.tensor(m.weights[0, :, 0, 0])))
    assert f"= output {conv.fmt(dot)}" in html
    p.kernel_spin.setValue(3)
    assert p.pointwise_scroll.isHidden()


def test_kernel_11_stride_4_arithmetic_above_the_grid(panel):
    p = panel
    assert p.kernel_spin.maximum() == conv.MAX_KERNEL == 11 and p.stride_spin.maximum() == conv.MAX_STRIDE
    p.kernel_spin.setValue(11)
    p.stride_spin.setValue(4)
    p.n_spin.setValue(227)
    text = p.formula.text()
    assert "⌊(227 + 2·0 − 1·(11−1) − 1)/4⌋ + 1 = ⌊216/4⌋ + 1 = <b>55</b>" in text
    assert "55×55×1 (H×W×C)" in text and "not drawn" in text
    assert p.model.anim is None and p.message.isHidden() and not p.play_button.isEnabled()
    assert "not drawn" in p.view.message and "not drawn" in p.heatmap.empty
    p.n_spin.setValue(224)
    assert "<b>54</b>" in p.formula.text()
    p.n_spin.setValue(23)  # back on the grid: traced as PyTorch does
    assert p.model.anim.conv.output.shape == F.conv2d(torch.zeros(1, 1, 23, 23), torch.zeros(1, 1, 11, 11), stride=4).shape[1:]


def test_pooling_example_is_one_click_and_steps_through_the_windows(panel, qtbot):
    p = panel
    qtbot.mouseClick(p.pool_example_button, Qt.MouseButton.LeftButton)
    m = p.model
    x = torch.tensor(POOL_4X4, dtype=torch.float32)[None, None]
    assert m.pool_only and p.pool_only_check.isChecked() and not p.kernel_spin.isEnabled()
    torch.testing.assert_close(m.anim.pool.output, F.max_pool2d(x, 2, 2)[0])
    assert m.anim.pool.output[0].tolist() == [[9, 2], [6, 3]] and m.total_steps == 4
    assert p.view.highlighted_window() == [(r, c) for r in range(2) for c in range(2)]
    qtbot.mouseClick(p.forward_button, Qt.MouseButton.LeftButton)
    assert p.view.highlighted_window() == [(r, c) for r in range(2) for c in range(2, 4)]
    assert "max of the window = 2" in conv.step_caption(m.anim, m.step)
    assert "Pooling only" in p.formula.text() and "2×2×1 (H×W×C)" in p.formula.text()
    p.pool_combo.setCurrentIndex(p.pool_combo.findData("avg"))
    torch.testing.assert_close(m.anim.pool.output, F.avg_pool2d(x, 2, 2)[0])
    assert m.anim.pool.output[0].tolist() == [[3.75, 1.25], [3.75, 2]]
    env: dict = {}
    exec(compile(p.copy_code(), "<clipboard>", "exec"), env)  # noqa: S102 - the panel's own output
    torch.testing.assert_close(env["y"], F.avg_pool2d(x, 2, 2))
    p.pool_only_check.setChecked(False)  # the convolution is back
    assert m.anim.conv.output.shape == (1, 2, 2) and m.total_steps == 4 + 1


def test_translation_tab_shifts_the_input_and_measures_invariance(panel, qtbot):
    p = panel
    p.model.set_input_preset("random integers")
    p.tabs.setCurrentIndex(4)
    p.shift_slider.setValue(2)
    d = p.shift_view.demo
    x = torch.tensor(p.model.input, dtype=torch.float32)[None]
    moved = torch.zeros_like(x)
    moved[..., 2:] = x[..., :-2]
    w = torch.tensor(p.model.weights[:1], dtype=torch.float32)
    torch.testing.assert_close(d.shifted[None], moved)
    torch.testing.assert_close(d.shifted_feature[None], F.conv2d(moved, w), atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(d.shifted_pooled[None], F.max_pool2d(F.conv2d(moved, w), 2, 2), atol=1e-4, rtol=1e-5)
    titles = [t for t, _v in p.shift_view.grids()]
    assert titles[3] == "input shifted by 2" and len(titles) == 6
    info = p.shift_info.text()
    assert "moved by 2 pixel(s)" in info and f"pooled map {d.pooled_unchanged_fraction:.0%}" in info
    assert not p.shift_view.grab().isNull()


def test_shapes_follow_the_notation_and_code_keeps_pytorch_order(panel):
    p = panel
    p.filters_spin.setValue(2)
    assert "output 4×4×2 (H×W×C)" in p.formula.text()
    shapes.set_display_order("chw")
    p.retranslate()
    assert "output 2×4×4 (C×H×W)" in p.formula.text() and "1×6×6&nbsp;(C×H×W)" in p.params_label.text()
    assert "# (2, 1, 3, 3)" in p.model.code()
    shapes.set_display_order("hwc")
    p.retranslate()
    assert "output 4×4×2 (H×W×C)" in p.formula.text() and "6×6×1&nbsp;(H×W×C)" in p.params_label.text()


def test_model_setters_hold_every_course_state(qtbot):
    from gui.panels.convolution_model import ConvLabModel

    m = ConvLabModel()
    m.set_input_values(MIRRORED_EDGE)
    m.set_kernel_preset("vertical edge")
    m.set_bias(None, 5)
    m.set_relu(True)
    assert m.anim.conv.pre_activation[0, 0].tolist() == [5, -25, -25, 5] and m.anim.conv.output[0, 0].tolist() == [5, 0, 0, 5]
    m.set_input_preset("random integers")
    m.set_channels(32)
    m.set_kernel_size(1)
    m.set_filter_count(4)
    assert m.anim.conv.output.shape == (4, 6, 6) and m.weights.shape[1] == 32
    m.set_n(227)
    m.set_kernel_size(11)
    m.set_stride(4)
    m.set_channels(3)
    assert m.anim is None and not m.error and m.params().out_shape == (4, 55, 55)
    m.use_pool_example("avg")
    assert m.pool_only and m.anim.pool.output[0].tolist() == [[3.75, 1.25], [3.75, 2]]
    with pytest.raises(ValueError):
        m.set_input_values(np.zeros((3, 4)))
    QApplication.processEvents()
