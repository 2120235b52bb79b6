"""Every worked example opened with "Show me": after another example of the same panel (left-over state),
the example's panel, tab and numbers are read back from the widgets.

``CHECKS`` has one entry per example; a new example without one fails ``test_every_example_has_a_show_me_check``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication

from engine.course import EXAMPLES, example
from engine.shapes import format_shape


def show_me(win, example_id: str) -> None:
    """Click the example's Show me link on its section's page."""
    panel = win.panel("course")
    win.switch_to("course")
    panel.select_section(example(example_id).section)
    assert f"show:{example_id}" in panel.page.links()
    panel.page.anchorClicked.emit(QUrl(f"show:{example_id}"))
    QApplication.processEvents()


def hwc(h: int, w: int, c: int) -> str:
    return format_shape((c, h, w))


# -- Convolution lab ---------------------------------------------------------------------------

def _conv(win):
    return win.panel("convolution"), win.panel_model("convolution")


def _plain(label) -> str:
    """A label's rich text with its no-break spaces as plain spaces."""
    return label.text().replace("&nbsp;", " ").replace("\u00a0", " ")


def _out(m) -> np.ndarray:
    return np.asarray(m.anim.conv.output)


def check_edge(win, qtbot, ex):
    p, m = _conv(win)
    assert p.tabs.currentIndex() == 0 and p.n_spin.value() == 6 and p.kernel_preset_combo.currentData() == "vertical edge"
    assert _out(m)[0].tolist() == ex.expected["output"]
    assert hwc(4, 4, 1) in p.formula.text()


def check_padding(win, qtbot, ex):
    p, m = _conv(win)
    assert p.padding_spin.value() == 1 and _out(m).shape[1:] == (6, 6)
    assert f"<b>{ex.expected['padded_out']}</b>" in p.formula.text()


def check_stride(win, qtbot, ex):
    p, m = _conv(win)
    assert p.stride_spin.value() == 2 and p.n_spin.value() == ex.state["n"]
    assert f"<b>{ex.expected['output']}</b>" in p.formula.text() and _out(m).shape[1] == ex.expected["output"]


def check_volume(win, qtbot, ex):
    p, m = _conv(win)
    assert p.channels_spin.value() == 3 and p.filters_spin.value() == 2
    assert hwc(*ex.expected["two_filters_hwc"]) in p.formula.text()


def check_red(win, qtbot, ex):
    p, m = _conv(win)
    assert p.kernel_preset_combo.currentData() == "red vertical edge"  # the Preset box names it
    assert m.weights[0, 1].sum() == ex.expected["green_kernel_sum"] and m.weights[0, 2].sum() == ex.expected["blue_kernel_sum"]
    assert _out(m)[0, 0].tolist() == ex.expected["output_row"]


def check_relu(win, qtbot, ex):
    p, m = _conv(win)
    assert p.relu_check.isChecked() and p.bias_all_spin.value() == 5
    assert _out(m)[0, 0].tolist() == ex.expected["activation_row"]


def check_pool(win, qtbot, ex):
    p, m = _conv(win)
    assert p.pool_only_check.isChecked() and p.pool_combo.currentData() == ex.state["pool"]
    assert np.allclose(m.anim.pool.output[0], ex.expected["output"])


def check_global(win, qtbot, ex):
    p, m = _conv(win)
    h, w, c = ex.state["input_hwc"]
    assert p.pool_only_check.isChecked() and p.pool_combo.currentData() == "global"  # no convolution first
    assert p.tabs.currentIndex() == 0 and p.n_spin.value() == h
    shown = p.channels_spin.value()
    assert 1 < shown <= 4  # a compact view: a few channels, each kept
    pooled = np.asarray(m.anim.pool.output)
    assert pooled.shape == (shown, 1, 1) and np.allclose(pooled[:, 0, 0], m.input.mean(axis=(1, 2)))
    text = p.formula.text()
    assert hwc(h, w, c) in text and hwc(*ex.expected["output_hwc"]) in text
    assert hwc(1, 1, shown) in text


def check_sharing(win, qtbot, ex):
    p, m = _conv(win)
    assert p.tabs.currentIndex() == 2
    text = _plain(p.params_label)
    assert f"<b>{ex.expected['conv_params']}</b>" in text and f"<b>{ex.expected['dense_params']}</b>" in text


def check_shift(win, qtbot, ex):
    p, m = _conv(win)
    assert p.tabs.currentIndex() == 4 and p.shift_slider.value() == ex.state["shift_px"]


def check_alexnet_227(win, qtbot, ex):
    p, m = _conv(win)
    assert (p.n_spin.value(), p.kernel_spin.value(), p.stride_spin.value()) == (227, 11, 4)
    assert f"<b>{ex.expected['out_227']}</b>" in p.formula.text()


def check_one_by_one(win, qtbot, ex):
    p, m = _conv(win)
    assert p.kernel_spin.value() == 1 and p.channels_spin.value() == min(ex.state["channels"], 32)
    if ex.id == "one-by-one-6x6x32":
        assert hwc(*ex.expected["output_hwc"]) in p.formula.text()


# -- Architectures --------------------------------------------------------------------------------

def _arch_ready(win, qtbot, name: str):
    p = win.panel("architectures")
    qtbot.waitUntil(lambda: p.model.summary is not None and p.model.source == name and not p.model.busy
                    if hasattr(p.model, "busy") else p.model.summary is not None and p.model.source == name, timeout=90000)
    assert p.chooser.currentData() == name
    return p


def check_arch_model(win, qtbot, ex):
    name = ex.state["model"].split()[0]
    p = _arch_ready(win, qtbot, name)
    assert p.tabs.currentIndex() == 0  # the block diagram, not the calculator an earlier example opened
    if "params" in ex.expected:
        table = p.table
        totals = [table.item(table.totals_row(), c) for c in range(table.columnCount())]
        assert f"{ex.expected['params']:,}" in " ".join(t.text() for t in totals if t is not None)


def check_bottleneck(win, qtbot, ex):
    from gui.panels.architectures_model import CALCULATOR_MODEL

    p = _arch_ready(win, qtbot, CALCULATOR_MODEL)  # not the model an earlier example left in the table
    assert p.tabs.currentWidget() is p.calculator_page
    calc = p.calculator
    assert calc.preset.currentData() == ex.state["calculator"]
    cost = calc.cost
    for key, value in ex.expected.items():
        if key in ("params_direct", "params_reduced", "macs_direct", "macs_reduced"):
            assert getattr(cost, key) == value


# -- Augmentation -------------------------------------------------------------------------------

def check_augmentation(win, qtbot, ex):
    p = win.panel("augmentation")
    c = p.model.config
    code = p.code_view.toPlainText()
    if ex.id == "mirror-flip":  # mirroring only, always
        assert c.mirror and c.mirror_p == ex.state["mirror_p"] and not c.hand_shift
        assert "HorizontalFlip" in code and "ColourShift" not in code
    else:  # the hand-dialled shift only, with the example's offsets; the mirror opened before is off
        assert c.hand_shift and not c.mirror and tuple(c.hand_offsets) == tuple(ex.state["colour_offsets"])
        r, g, b = ex.state["colour_offsets"]
        assert f"ColourShift(r={r:.1f}, g={g:.1f}, b={b:.1f})" in code and "HorizontalFlip" not in code


# -- Grid detector -------------------------------------------------------------------------------

def check_grid_sandbox(win, qtbot, ex):
    p = win.panel("grid_detector")
    assert p.tabs.currentWidget() is p.sandbox
    assert p.sandbox.model.grid == ex.state["grid"] and p.sandbox.grid_spin.value() == ex.state["grid"]
    assert hwc(*ex.expected.get("output_hwc", [1, 1, ex.expected.get("length", 8)])) in p.sandbox.shape_label.text()


def check_sliding(win, qtbot, ex):
    p, m = win.panel("grid_detector"), win.panel_model("grid_detector")
    assert p.tabs.currentIndex() == 0  # Sliding windows, not the tab an earlier example opened
    side = ex.state.get("image") or ex.state["input_hwc"][0]
    qtbot.waitUntil(lambda: m.comparison is not None and m.sliding_image is not None and m.sliding_image.shape[0] == side
                    and not m.sliding_busy, timeout=90000)
    o = (side - 14) // 2 + 1
    assert hwc(o, o, 4) in p.comparison_label.text() and hwc(side, side, 3) in p.comparison_label.text()
    if "windows" in ex.expected and isinstance(ex.expected["windows"], int):
        assert o * o == ex.expected["windows"]
    # the several-sizes pane slides the example's window(s) over the example's image, nothing left from before
    sizes = p.sizes_model
    windows = ex.state.get("windows") or [ex.state["window"]]
    qtbot.waitUntil(lambda: not sizes.busy and [r.size for r in sizes.runs] == windows
                    and sizes.image is not None and sizes.image.shape[0] == side, timeout=90000)
    crops = [p.sizes_table.item(k, 2).text() for k in range(p.sizes_table.rowCount())]
    want = ex.expected["windows"] if isinstance(ex.expected.get("windows"), list) else [o * o]
    assert crops == [str(v) for v in want]


# -- Detection -------------------------------------------------------------------------------------

def check_iou(win, qtbot, ex):
    p = win.panel("detection")
    w = p.iou_widget
    assert p.tabs.currentWidget() is w.parentWidget()
    assert w.value() == pytest.approx(ex.expected["iou"])
    assert w.show_self and w.self_value() == pytest.approx(ex.expected["iou_self"])
    cw, ch = w.CANVAS
    assert all(0 <= b[0] < b[2] <= cw and 0 <= b[1] < b[3] <= ch for b in w.boxes)  # both boxes inside the canvas
    image = w.grab().toImage()
    assert not image.isNull()


def check_nms(win, qtbot, ex):
    p = win.panel("detection")
    sb = p.sandbox
    assert p.tabs.currentWidget() is sb and sb.source_combo.currentData() == "course"
    assert "Blank" not in sb.source_combo.currentText()
    kept = [i for i in range(sb.box_list.count()) if "(kept)" in sb.box_list.item(i).text()]
    assert [ex.state["scores"][i] for i in kept] == ex.expected["kept_scores"]
    z = [b.z for b in sb.canvas.boxes]
    assert all(z[i] > z[j] for i in kept for j in range(len(z)) if j not in kept)  # kept boxes are drawn on top
    # the example's thresholds are the sandbox's; the live detector keeps the user's
    assert (sb.model.pc_threshold, sb.model.iou_threshold) == (ex.state["score_threshold"], ex.state["iou_threshold"])


# -- Faces and style transfer ------------------------------------------------------------------------

def check_siamese(win, qtbot, ex):
    p = win.panel("faces")
    assert p.tabs.currentWidget() is p.oneshot
    label = p.oneshot.example_label
    assert label.isVisible() or not win.isVisible()
    text = label.text()
    for key in ("distance", "squared", "threshold_squared"):
        assert f"{ex.expected[key]:.2f}" in text
    assert f"{ex.state['threshold']:.2f}" in text


def _view_text(view) -> str:
    """Every label's text in a Worked examples view, without tags or entities."""
    from PySide6.QtWidgets import QLabel

    return " ".join(re.sub(r"<[^>]+>", "", w.text()).replace("&nbsp;", " ").replace("\u00a0", " ") for w in view.findChildren(QLabel))


def check_course_view(win, qtbot, ex):
    """The example's own view of the Worked examples panel, with its numbers on screen
    (each view's numbers are read back in detail by tests/test_course_views_gui.py)."""
    view = win.panel("course_views").current_view()
    assert view.view_id == ex.state["view"] and view.isVisible()
    text = _view_text(view)
    for value in ex.expected.values():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        # whole numbers as the views write them (40.0 → "40", 6176 → "6,176")
        shown = f"{int(value):,}" if float(value).is_integer() and abs(value) >= 10 else f"{value:g}"
        assert shown in text, (ex.id, shown)


CHECKS = {
    "fc-input-1000": check_course_view, "edge-6x6": check_edge, "edge-6x6-mirrored": check_edge, "padding-6x6": check_padding,
    "stride-7x7": check_stride, "stride-6x6-valid": check_stride, "volume-6x6x3": check_volume,
    "red-vertical-edge": check_red, "layer-params-280": check_course_view, "relu-step": check_relu,
    "pool-max-4x4": check_pool, "pool-avg-4x4": check_pool, "pool-global-7x7x1000": check_global,
    "sharing-6x6-3x3": check_sharing, "translation-shift-2": check_shift, "alexnet-224-vs-227": check_alexnet_227,
    "one-by-one-6x6x32": check_one_by_one, "one-by-one-28x28x192": check_course_view,
    "activation-sizes-lenet-like": check_arch_model, "lenet5-params": check_arch_model,
    "alexnet-paper-shapes": check_arch_model, "vgg16-params": check_arch_model, "nin-imagenet-gap": check_arch_model,
    "resnet50-projections": check_arch_model, "inception-v1-paper": check_arch_model,
    "resnet-plain-vs-residual": check_course_view,
    "inception-bottleneck-params": check_bottleneck, "inception-bottleneck-macs": check_bottleneck,
    "mirror-flip": check_augmentation, "colour-shift-manual": check_augmentation,
    "y-vector-8": check_grid_sandbox, "yolo-grid-3x3": check_grid_sandbox, "anchors-3x3x16": check_grid_sandbox,
    "sliding-window-count": check_sliding, "sliding-windows-three-sizes": check_sliding, "conv-sliding-16x16": check_sliding,
    "iou-two-boxes": check_iou, "nms-five-boxes": check_nms,
    "verify-threshold": check_course_view, "one-shot-new-person": check_course_view, "siamese-squared-distance": check_siamese,
    "triplet-loss": check_course_view,
    "style-total-cost": check_course_view, "content-cost-2x2": check_course_view, "gram-2-channels": check_course_view,
}

#: The example opened first, to leave its state behind: for each example, another of the same panel.
_BEFORE = {
    "convolution": ("one-by-one-6x6x32", "pool-global-7x7x1000"),
    "architectures": ("inception-bottleneck-params", "lenet5-params"),
    "grid_detector": ("y-vector-8", "conv-sliding-16x16"),
    "detection": ("nms-five-boxes", "iou-two-boxes"),
    "faces": ("siamese-squared-distance", "verify-threshold"),
    "augmentation": ("mirror-flip", "colour-shift-manual"),
    "course_views": ("triplet-loss", "gram-2-channels"),
}


def _before(ex) -> str | None:
    choices = _BEFORE.get(ex.panel, ())
    return next((c for c in choices if c != ex.id), None)


def test_every_example_has_a_show_me_check():
    assert sorted(CHECKS) == sorted(e.id for e in EXAMPLES)


@pytest.mark.parametrize("example_id", [e.id for e in EXAMPLES])
def test_show_me(window, qtbot, example_id):
    ex = example(example_id)
    before = _before(ex)
    if before is not None:
        show_me(window, before)
    show_me(window, example_id)
    assert window.current_panel().panel_id == ex.panel
    assert window.example_bar.example_id == example_id and window.example_bar.isVisible()
    CHECKS[example_id](window, qtbot, ex)


def test_back_to_the_course_clears_the_status_line(window):
    show_me(window, "edge-6x6")
    assert window.statusBar().currentMessage()
    window.example_bar.back_button.click()
    assert window.current_panel().panel_id == "course" and window.statusBar().currentMessage() == ""
    show_me(window, "edge-6x6")
    window.example_bar.close_button.click()
    assert window.example_bar.isHidden() and window.statusBar().currentMessage() == ""


def test_screenshots_render_an_example_after_show_me(qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from gui.screenshots import render_panels

    results = render_panels(tmp_path, (1024, 700), examples=["iou-two-boxes", "no-such-example"])
    assert results["example-iou-two-boxes"] == "ok" and "unknown example" in results["example-no-such-example"]
    assert set(results) == {"example-iou-two-boxes", "example-no-such-example"}  # only the examples, not every panel
    image = QImage(str(tmp_path / "example-iou-two-boxes.png"))
    assert (image.width(), image.height()) == (1024, 700)


def test_the_nms_example_leaves_the_live_detectors_thresholds_alone(window, qtbot):
    window.switch_to("detection")
    panel = window.panel("detection")
    panel.score_slider.setValue(42)
    panel.iou_slider.setValue(35)
    show_me(window, "nms-five-boxes")
    assert (panel.model.score, panel.model.iou) == (pytest.approx(0.42), pytest.approx(0.35))
    assert (panel.score_slider.value(), panel.iou_slider.value()) == (42, 35)
