"""The Convolution panel driven through its widgets (pytest-qt)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from engine import conv
from engine.io import ImageLoadError, save_image
from gui.panels.convolution import ConvolutionPanel


@pytest.fixture
def panel(make_panel):
    yield make_panel(ConvolutionPanel, (1100, 740), wait_exposed=True)


def _out_rows(p: ConvolutionPanel) -> int:
    lay = p.view.layout_now()
    return lay.find("output", 0).rows


def test_geometry_widgets_update_formula_and_output_grid(panel):
    p = panel
    assert p.model.n == 6 and _out_rows(p) == 4
    assert "⌊(6 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = ⌊3/1⌋ + 1 = <b>4</b>" in p.formula.text()
    p.padding_spin.setValue(2)
    assert "⌊(6 + 2·2 − 1·(3−1) − 1)/1⌋ + 1" in p.formula.text() and "<b>8</b>" in p.formula.text()
    assert _out_rows(p) == 8 == conv.output_size(6, 3, 2)
    p.stride_spin.setValue(3)
    assert "/3⌋ + 1 = <b>3</b>" in p.formula.text()
    assert _out_rows(p) == 3
    p.dilation_spin.setValue(2)
    expected = conv.output_size(6, 3, 2, 3, 2)
    assert "2·(3−1)" in p.formula.text() and f"<b>{expected}</b>" in p.formula.text()
    assert _out_rows(p) == expected
    assert p.model.anim.conv.output.shape[-1] == expected
    # the pooling line follows the conv output
    p.stride_spin.setValue(1)
    p.pool_combo.setCurrentText("max")
    pooled = conv.output_size(conv.output_size(6, 3, 2, 1, 2), 2, 0, 2)
    assert "max pool 2×2, stride 2" in p.formula.text() and f"<b>{pooled}</b>" in p.formula.text()
    assert p.view.layout_now().find("pooled", 0).rows == pooled


def test_invalid_setting_shows_message_and_disables_play(panel, qtbot):
    p = panel
    p.n_spin.setValue(4)
    p.dilation_spin.setValue(3)  # the dilated 3×3 kernel spans 7 cells > 4
    assert not p.message.isHidden()
    assert "dilated kernel spans 7 cells" in p.message.text()
    assert "no output" in p.formula.text()
    for w in (p.play_button, p.forward_button, p.back_button, p.scrub, p.export_button):
        assert not w.isEnabled()
    qtbot.mouseClick(p.play_button, Qt.MouseButton.LeftButton)
    assert not p.model.playing and p.model.anim is None
    p.view.repaint()  # drawing the message must not fail
    p.padding_spin.setValue(2)  # 4 + 2·2 = 8 ≥ 7: an output again
    assert p.message.isHidden() and p.play_button.isEnabled()
    assert _out_rows(p) == conv.output_size(4, 3, 2, 1, 3)


def test_reflect_padding_too_large_is_explained(panel):
    p = panel
    p.n_spin.setValue(3)
    p.mode_combo.setCurrentText("reflect")
    p.padding_spin.setValue(3)
    assert "reflect padding needs p < n" in p.message.text() and not p.play_button.isEnabled()


def test_step_forward_and_back_move_the_window(panel, qtbot):
    p = panel
    first = p.view.highlighted_window()
    assert first == [(r, c) for r in range(3) for c in range(3)]
    qtbot.mouseClick(p.forward_button, Qt.MouseButton.LeftButton)
    assert p.model.step == 1 and p.view.step() == 1
    assert p.view.highlighted_window() == [(r, c) for r in range(3) for c in range(1, 4)]
    assert p.step_label.text() == "2 / 16" and p.scrub.value() == 1
    p.scrub.setValue(5)  # scrub: row 1, col 1
    assert p.view.highlighted_window()[0] == (1, 1)
    qtbot.mouseClick(p.back_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(p.back_button, Qt.MouseButton.LeftButton)
    assert p.model.step == 3 and p.view.highlighted_window()[0] == (0, 3)


def test_play_advances_and_pause_stops(panel, qtbot):
    p = panel
    p.speed_spin.setValue(120)
    qtbot.mouseClick(p.play_button, Qt.MouseButton.LeftButton)
    assert p.model.playing and "Pause" in p.play_button.text()
    qtbot.waitUntil(lambda: p.model.step >= 3, timeout=5000)
    qtbot.mouseClick(p.play_button, Qt.MouseButton.LeftButton)
    assert not p.model.playing and "Play" in p.play_button.text()
    stopped = p.model.step
    qtbot.wait(60)
    assert p.model.step == stopped


def test_same_padding_and_even_kernel_explanation(panel, qtbot):
    p = panel
    p.kernel_spin.setValue(5)
    qtbot.mouseClick(p.same_button, Qt.MouseButton.LeftButton)
    assert p.padding_spin.value() == 2 and _out_rows(p) == 6
    p.kernel_spin.setValue(4)
    qtbot.mouseClick(p.same_button, Qt.MouseButton.LeftButton)
    assert "even kernel has no centre cell" in p.message.text() and not p.message.isHidden()
    qtbot.mouseClick(p.valid_button, Qt.MouseButton.LeftButton)
    assert p.padding_spin.value() == 0 and _out_rows(p) == 3


def test_editing_a_cell_and_kernel_recomputes(panel):
    p = panel
    before = p.model.anim.conv.output.clone()
    item = p.input_editor.item(0, 3)
    item.setText("7")
    assert p.model.input[0, 0, 3] == 7
    assert not np.allclose(p.model.anim.conv.output.numpy(), before.numpy())
    item.setText("not a number")  # refused: the cell keeps its value
    assert p.input_editor.item(0, 3).text() == "7" and p.model.input[0, 0, 3] == 7
    p.kernel_editor.item(1, 1).setText("2")
    assert p.model.weights[0, 0, 1, 1] == 2 and p.model.presets[0] == "custom"
    x = p.model.input
    expected = conv.trace(x, p.model.weights, p.model.bias).output
    np.testing.assert_allclose(p.model.anim.conv.output.numpy(), expected.numpy())


def test_channels_filters_and_red_edge_example(panel, qtbot):
    p = panel
    p.channels_spin.setValue(3)
    p.filters_spin.setValue(3)
    assert p.model.anim.conv.output.shape[0] == 3 and p.model.weights.shape == (3, 3, 3, 3)
    assert sum(g.kind == "input" for g in p.view.layout_now().grids) == 3
    assert sum(g.kind == "output" for g in p.view.layout_now().grids) == 3
    qtbot.mouseClick(p.red_button, Qt.MouseButton.LeftButton)
    w = p.model.weights
    assert w.shape == (1, 3, 3, 3) and not w[0, 1:].any()
    np.testing.assert_array_equal(w[0, 0], conv.kernel_preset("vertical edge"))
    assert p.stacks._w.shape == (1, 3, 3, 3)


def test_coverage_and_parameter_views(panel):
    p = panel
    p.padding_spin.setValue(1)
    np.testing.assert_array_equal(p.heatmap.values(), conv.coverage(6, 3, 1))
    cmp = conv.compare_params(6, 1, 3, 1, 1)
    assert f"<b>{cmp.conv_total:,}</b>" in p.params_label.text() and f"<b>{cmp.dense_total:,}</b>" in p.params_label.text()


def test_copy_pytorch_code_runs_and_matches(panel):
    p = panel
    p.model.set_input_preset("random integers")
    p.padding_spin.setValue(1)
    p.pool_combo.setCurrentText("avg")
    code = p.copy_code()
    assert QApplication.clipboard().text() == code
    env: dict = {}
    exec(compile(code, "<clipboard>", "exec"), env)  # noqa: S102 - the panel's own output
    np.testing.assert_allclose(env["y"][0].detach().numpy(), p.model.anim.pool.output.numpy(), atol=1e-4)


def test_export_gif_from_the_panel(panel, qtbot, tmp_path):
    import imageio.v3 as iio

    p = panel
    p.n_spin.setValue(4)
    path = tmp_path / "anim.gif"
    handle = p.export_to(path)
    qtbot.waitUntil(lambda: handle.finished, timeout=20000)
    frames = iio.imread(path, index=None)
    assert frames.shape[0] == p.model.total_steps == 4


def test_real_image_tab_shows_feature_maps(panel, qtbot, tmp_path):
    p = panel
    rgb = np.random.default_rng(0).integers(0, 256, size=(48, 64, 3), dtype=np.uint8)
    photo = tmp_path / "photo.png"
    save_image(photo, rgb)
    p.filters_spin.setValue(2)
    p.pool_combo.setCurrentText("max")
    p.open_image(photo)
    assert p.tabs.currentIndex() == 3
    qtbot.waitUntil(lambda: p._last_maps is not None and p._photo_job is None, timeout=20000)
    fm = p._last_maps
    assert fm.maps.shape == (2, 46, 62) and fm.pooled.shape == (2, 23, 31)
    assert len(p.maps_view.images) == 2 and len(p.maps_view.pooled_images) == 2
    assert "photo.png: 64×48" in p.photo_info.text()
    shot = tmp_path / "real.png"
    assert p.grab().save(str(shot)) and shot.stat().st_size > 1000
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(ImageLoadError):
        p.open_image(bad)


def test_random_settings_never_crash(panel):
    """Any mix of settings either animates (output shape as PyTorch's) or explains why not."""
    import torch

    p = panel
    rng = np.random.default_rng(11)
    for _ in range(25):
        p.n_spin.setValue(int(rng.integers(3, 13)))
        p.channels_spin.setValue(int(rng.choice([1, 3, 5])))
        p.filters_spin.setValue(int(rng.integers(1, 5)))
        p.kernel_spin.setValue(int(rng.integers(1, 8)))
        p.padding_spin.setValue(int(rng.integers(0, 6)))
        p.mode_combo.setCurrentIndex(int(rng.integers(0, 4)))
        p.stride_spin.setValue(int(rng.integers(1, 6)))
        p.dilation_spin.setValue(int(rng.integers(1, 5)))
        p.pool_combo.setCurrentIndex(int(rng.integers(0, 4)))
        p.pool_size_spin.setValue(int(rng.integers(1, 5)))
        p.scrub.setValue(int(rng.integers(0, 1000)))
        m = p.model
        if m.anim is None:
            assert m.error and not p.play_button.isEnabled() and not p.message.isHidden()
        else:
            conv_layer = torch.nn.Conv2d(m.channels, m.filters, m.f, m.stride, m.padding, m.dilation, padding_mode=m.padding_mode)
            with torch.no_grad():
                conv_layer.weight.copy_(torch.tensor(m.weights))
                conv_layer.bias.copy_(torch.tensor(m.bias))
                ref = conv_layer(torch.tensor(m.input, dtype=torch.float32)[None])[0]
            torch.testing.assert_close(m.anim.conv.output, ref, atol=1e-4, rtol=1e-4)
            assert p.view.step() == m.step < m.total_steps
        assert not p.view.grab().isNull()


@pytest.mark.parametrize("f, size", [(5, (780, 560)), (7, (760, 520)), (7, (600, 420))])
def test_largest_setting_fits_the_view_without_clipping(f, size):
    from gui.widgets.conv_animation import fit_layout

    x = np.random.default_rng(0).random((3, 32, 32))
    w = np.stack([conv.filter_preset("vertical edge", f, 3)] * 4)
    t = conv.trace(x, w, None, 1, f // 2)
    anim = conv.Animation(t, conv.pool_trace(t.output, "max", 2, 2))
    lay = fit_layout(anim, *size)
    assert lay.width <= size[0] and lay.height <= size[1]


def test_copy_code_is_off_without_output_and_confirms_when_copied(panel, qtbot):
    p = panel
    shown: list[str] = []
    p.ctx.show_message = lambda text, ms=5000: shown.append(text)
    QApplication.clipboard().setText("before")
    p.n_spin.setValue(4)
    p.dilation_spin.setValue(3)  # no output
    assert not p.code_button.isEnabled()
    assert p.copy_code() == "" and QApplication.clipboard().text() == "before" and shown == []
    p.padding_spin.setValue(2)  # an output again
    assert p.code_button.isEnabled()
    qtbot.mouseClick(p.code_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == p.model.code()
    assert len(shown) == 1 and shown[0].startswith("Copied")


def test_sample_box_says_a_file_is_in_use(panel, qtbot, tmp_path):
    p = panel
    photo = tmp_path / "mine.png"
    save_image(photo, np.zeros((20, 30, 3), np.uint8))
    p.open_image(photo)
    assert p.sample_combo.currentText() != "chelsea" and "mine.png" in p.sample_combo.currentText()
    assert p.model.photo_name == "mine.png"
    # back to a sample, then to the file again: each choice is what the box shows
    p.sample_combo.setCurrentText("coffee")
    p.sample_combo.activated.emit(p.sample_combo.currentIndex())
    assert p.model.photo_name == "coffee"
    p.sample_combo.setCurrentIndex(p.sample_combo.count() - 1)
    p.sample_combo.activated.emit(p.sample_combo.count() - 1)
    assert p.model.photo_name == "mine.png" and p.model.photo.shape == (20, 30, 3)
    p.open_image(photo)  # a second file replaces the entry instead of adding one
    assert sum("mine.png" in p.sample_combo.itemText(i) for i in range(p.sample_combo.count())) == 1
    qtbot.waitUntil(lambda: not p._photo_timer.isActive() and p._photo_job is None, timeout=20000)


def test_coverage_expressions_do_not_break(panel):
    from gui.panels.convolution import coverage_caption

    p = panel
    p.channels_spin.setValue(3)
    p.padding_spin.setValue(1)
    html = p.params_label.text()
    # each formula is one no-wrap piece without breakable spaces
    assert "(3·3·3&nbsp;+&nbsp;1)·1" in html and "white-space:nowrap" in html
    assert "6×6×3" in html and "(3·3·3 + 1)" not in html
    caption = coverage_caption(p.model)
    assert "n=6,\u00a0f=3,\u00a0p=1" in caption and "from\u00a0" in caption
    assert p.heatmap.caption == caption
