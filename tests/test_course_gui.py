"""The Course panel: Show me puts each panel in the example's state, exercises, progress, deep links, languages."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision
from PySide6.QtCore import QSettings, QUrl
from PySide6.QtWidgets import QApplication

from engine.course import example, make_exercise


def _settings(path) -> QSettings:
    s = QSettings(str(path / "settings.ini"), QSettings.Format.IniFormat)
    s.setValue("faces/db", str(path / "faces.db"))
    return s


def course(win):
    win.switch_to("course")
    return win.panel("course")


def click_show_me(win, example_id: str) -> None:
    """Click the example's Show me link on its section's page."""
    panel = course(win)
    panel.select_section(example(example_id).section)
    assert f"show:{example_id}" in panel.page.links()
    panel.page.anchorClicked.emit(QUrl(f"show:{example_id}"))
    QApplication.processEvents()


def test_course_is_first_after_welcome(window):
    assert window.panel_ids()[:2] == ["welcome", "course"]


def test_show_me_edge_puts_the_lab_in_the_example_state(window):
    window.panel("convolution").model.set_n(9)  # somewhere else first
    click_show_me(window, "edge-6x6")
    assert window.current_panel().panel_id == "convolution"
    m = window.panel_model("convolution")
    assert (m.n, m.f, m.padding, m.stride, m.channels, m.filters) == (6, 3, 0, 1, 1, 1)
    want = np.array(example("edge-6x6").expected["output"], float)
    np.testing.assert_array_equal(np.asarray(m.anim.conv.output[0]), want)
    view = window.panel("convolution").view  # what is drawn
    np.testing.assert_array_equal(np.asarray(view.anim.conv.output[0]), want)
    assert view.step() == m.total_steps - 1  # the whole output is written
    bar = window.example_bar
    assert bar.isVisible() and "0 30 30 0" in bar.look_label.text()
    assert not bar.note_label.isVisible()


def test_reset_example_restores_the_state(window):
    click_show_me(window, "edge-6x6")
    m = window.panel_model("convolution")
    m.set_padding(2)
    m.set_kernel_preset("sharpen")
    window.example_bar.reset_button.click()
    QApplication.processEvents()
    assert m.padding == 0
    np.testing.assert_array_equal(np.asarray(m.anim.conv.output[0]), np.array(example("edge-6x6").expected["output"], float))


def no_note(win) -> bool:
    """The example bar is up and says nothing is missing."""
    bar = win.example_bar
    return bar.isVisible() and not bar.note_label.isVisible() and "needs" not in bar.note_label.text()


#: Examples whose capability exists: none of them may carry a "needs" note.
SHOWN_FOR_REAL = ("relu-step", "pool-max-4x4", "pool-avg-4x4", "one-by-one-6x6x32", "translation-shift-2",
                  "alexnet-224-vs-227", "alexnet-paper-shapes", "nin-imagenet-gap", "inception-v1-paper",
                  "activation-sizes-lenet-like", "siamese-squared-distance", "colour-shift-manual",
                  "y-vector-8", "yolo-grid-3x3", "anchors-3x3x16", "nms-five-boxes")


def test_examples_with_their_capability_have_no_missing_note():
    from gui.panels.course_examples import missing

    assert [e for e in SHOWN_FOR_REAL if missing(e)] == []
    # every worked example is shown whole now: not one carries a "needs" note
    from engine.course.examples import EXAMPLES

    assert [e.id for e in EXAMPLES if missing(e.id)] == []


def test_show_me_relu_step_sets_bias_and_relu(window):
    click_show_me(window, "relu-step")
    panel, m = window.panel("convolution"), window.panel_model("convolution")
    assert panel.relu_check.isChecked() and panel.bias_all_spin.value() == 5
    assert m.relu and m.bias.tolist() == [5.0] and m.f == 3 and m.presets == ["vertical edge"]
    want = example("relu-step").expected
    for anim in (m.anim, panel.view.anim):  # the model's trace and the one drawn
        assert anim.conv.pre_activation[0, 0].tolist() == want["pre_activation_row"]
        assert anim.conv.output[0].tolist() == [want["activation_row"]] * 4
    np.testing.assert_array_equal(m.anim.out_values()[0, 0], want["activation_row"])
    assert panel.tabs.currentIndex() == 0 and no_note(window)


@pytest.mark.parametrize("example_id,kind", [("pool-max-4x4", "max"), ("pool-avg-4x4", "avg")])
def test_show_me_pooling_pools_the_input_itself(window, example_id, kind):
    window.panel("convolution").model.set_kernel_size(5)  # somewhere else first
    click_show_me(window, example_id)
    panel, m = window.panel("convolution"), window.panel_model("convolution")
    assert m.pool_only and m.pool_kind == kind and (m.pool_size, m.pool_stride) == (2, 2)
    assert panel.pool_only_check.isChecked() and panel.pool_combo.currentData() == kind
    assert not panel.kernel_spin.isEnabled()  # no convolution, so no identity kernel in between
    np.testing.assert_array_equal(m.input, np.array([example(example_id).state["input"]], float))
    want = example(example_id).expected["output"]
    assert m.anim.pool.output[0].tolist() == want and panel.view.anim.pool.output[0].tolist() == want
    assert "Pooling only" in panel.formula.text() and "2×2×1 (H×W×C)" in panel.formula.text()
    assert no_note(window)


def test_show_me_one_by_one_uses_32_channels_and_random_1x1_weights(window):
    click_show_me(window, "one-by-one-6x6x32")
    panel, m = window.panel("convolution"), window.panel_model("convolution")
    assert (panel.channels_spin.value(), panel.kernel_spin.value(), panel.filters_spin.value()) == (32, 1, 4)
    assert m.input.shape == (32, 6, 6) and m.weights.shape == (4, 32, 1, 1) and m.weights.any()
    want = example("one-by-one-6x6x32").expected
    assert m.weights[0].size == want["weights_per_filter"]
    h, w, c = want["output_hwc"]
    assert tuple(m.anim.conv.output.shape) == (c, h, w)
    assert f"{h}×{w}×{c} (H×W×C)" in panel.formula.text()
    assert no_note(window)


def test_show_me_translation_opens_the_tab_with_shift_2(window):
    from engine.conv.shift import shift_image
    from engine.course.checks.basics import _measured_shift

    click_show_me(window, "translation-shift-2")
    panel, m = window.panel("convolution"), window.panel_model("convolution")
    assert panel.tabs.currentIndex() == 4 and panel.shift_slider.value() == 2 and m.shift == 2
    assert m.pool_kind == "max" and (m.pool_size, m.pool_stride) == (2, 2) and m.presets == ["vertical edge"]
    d = panel.shift_view.demo
    assert d.shift == (0, 2)
    want = example("translation-shift-2").expected
    assert _measured_shift(d.feature, d.shifted_feature, shift_image) == want["feature_map_shift"]
    assert _measured_shift(d.pooled, d.shifted_pooled, shift_image) == want["pooled_shift"]
    assert "moved by 2 pixel(s)" in panel.shift_info.text()
    assert no_note(window)
    click_show_me(window, "edge-6x6")  # another example brings the animation back
    assert panel.tabs.currentIndex() == 0


def test_show_me_alexnet_227_uses_an_11x11_kernel_at_stride_4(window):
    click_show_me(window, "alexnet-224-vs-227")
    panel, m = window.panel("convolution"), window.panel_model("convolution")
    assert (panel.n_spin.value(), panel.kernel_spin.value(), panel.stride_spin.value()) == (227, 11, 4)
    assert (m.n, m.f, m.stride, m.padding) == (227, 11, 4, 0)
    want = example("alexnet-224-vs-227").expected
    assert f"<b>{want['out_227']}</b>" in panel.formula.text()
    assert no_note(window)
    panel.n_spin.setValue(224)
    assert f"<b>{want['out_224']}</b>" in panel.formula.text()


def _row_texts(table, name: str) -> list[str]:
    r = table.names.index(name)
    return [table.item(r, c).text() for c in range(table.columnCount())]


@pytest.mark.parametrize("example_id,row", [
    ("alexnet-paper-shapes", "features.0"), ("nin-imagenet-gap", "block4.4"),
    ("inception-v1-paper", "inception3a.branch3.1.0"), ("activation-sizes-lenet-like", "conv1"),
])
def test_show_me_paper_models_select_the_layer(window, qtbot, example_id, row):
    window.panel("architectures").choose("vgg16")  # somewhere else first
    click_show_me(window, example_id)
    panel = window.panel("architectures")
    model_name = example(example_id).state["model"].split()[0]
    qtbot.waitUntil(lambda: panel.model.summary is not None and panel.model.selected == row, timeout=60000)
    assert panel.model.source == model_name and panel.chooser.currentData() == model_name
    assert panel.table.selected_name() == row
    s, want = panel.model.summary, example(example_id).expected
    texts = _row_texts(panel.table, row)
    if example_id == "alexnet-paper-shapes":
        assert "55×55×96" in texts  # conv1, in the course's H×W×C
        spatial = [list(r.output_shape[1:]) + [r.output_shape[0]] for r in s.leaves() if r.type in ("Conv2d", "MaxPool2d")]
        assert spatial == want["shapes_hwc"]
        assert [r.output_shape[0] for r in s.leaves() if r.type == "Linear"] == want["dense"]
    elif example_id == "nin-imagenet-gap":
        h, w, c = want["last_conv_hwc"]
        assert f"{h}×{w}×{c}" in texts and "1×1" in texts[-1]
        gap = _row_texts(panel.table, "gap")
        assert gap[1] == "AdaptiveAvgPool2d" and gap[4] == str(want["gap_params"])
        assert s.output_shape == (want["classes"],)
    elif example_id == "inception-v1-paper":
        assert "5×5" in texts[-1]
        fives = [n for n in panel.table.names if n.endswith("branch3.1.0")]
        assert len(fives) == want["conv5x5_count"] and all("5×5" in _row_texts(panel.table, n)[-1] for n in fives)
    else:
        sizes = [_row_texts(panel.table, n)[3] for n in ("conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "fc3")]
        assert sizes == [f"{v:,}" for v in want["activation_sizes"]]
    assert no_note(window)


def test_show_me_siamese_switches_to_squared_distances_on_the_one_shot_tab(window):
    click_show_me(window, "siamese-squared-distance")
    panel, m = window.panel("faces"), window.panel_model("faces")
    want = example("siamese-squared-distance").expected
    assert m.squared and panel.distance_combo.currentData() is True
    assert panel.threshold_spin.value() == pytest.approx(want["threshold_squared"])
    assert m.shown_threshold() == pytest.approx(want["threshold_squared"])
    assert m.shown(want["distance"]) == pytest.approx(want["squared"])
    assert panel.tabs.currentWidget() is panel.oneshot
    assert window.settings.value("faces/distance", "euclidean") != "squared"  # a course example is not a preference
    assert no_note(window)


@pytest.mark.parametrize("example_id,total", [("lenet5-params", 61_706), ("vgg16-params", 138_357_544)])
def test_show_me_architectures(window, qtbot, example_id, total):
    click_show_me(window, example_id)
    panel = window.panel("architectures")
    qtbot.waitUntil(lambda: panel.model.summary is not None, timeout=60000)
    assert panel.model.source == example(example_id).state["model"]
    assert panel.chooser.currentData() == panel.model.source
    assert panel.model.summary.total_params == total
    table = panel.table
    totals = " ".join(table.item(table.totals_row(), c).text() for c in range(table.columnCount()) if table.item(table.totals_row(), c))
    assert f"{total:,}" in totals


def test_show_me_iou(window):
    click_show_me(window, "iou-two-boxes")
    panel = window.panel("detection")
    assert panel.tabs.currentWidget() is panel.iou_widget.parentWidget()
    assert panel.iou_widget.value() == pytest.approx(example("iou-two-boxes").expected["iou"])


def test_show_me_nms_opens_the_sandbox_with_the_five_boxes(window):
    from gui.panels.course_examples import look_text, missing

    ex = example("nms-five-boxes")
    s, want = ex.state, ex.expected["kept_scores"]
    panel = window.panel("detection")
    panel.sandbox.model.clear()  # somewhere else first
    click_show_me(window, "nms-five-boxes")
    sandbox, m = panel.sandbox, panel.sandbox.model
    assert panel.tabs.currentWidget() is sandbox
    # the example's boxes and p_c, thresholds in the model and in the spin boxes
    assert [list(b.box) for b in m.boxes] == s["boxes"] and [b.p_c for b in m.boxes] == s["scores"]
    assert m.pc_threshold == sandbox.pc_threshold_spin.value() == s["score_threshold"]
    assert m.iou_threshold == sandbox.iou_threshold_spin.value() == s["iou_threshold"]
    assert sandbox.box_list.count() == 5 and [b.box for b in sandbox.canvas.boxes] == [b.box for b in m.boxes]
    # run to the end: the kept scores are the course's, and torchvision keeps the same boxes
    assert m.finished
    kept = m.kept_so_far()
    assert [m.boxes[i].p_c for i in kept] == pytest.approx(want)
    alive = [i for i, pc in enumerate(s["scores"]) if pc > s["score_threshold"]]
    tv = torchvision.ops.nms(torch.tensor(s["boxes"], dtype=torch.float32)[alive],
                             torch.tensor(s["scores"], dtype=torch.float32)[alive], s["iou_threshold"]).tolist()
    assert kept == [alive[i] for i in tv]
    listed = [i for i in range(5) if "(kept)" in sandbox.box_list.item(i).text()]
    assert listed == [i for i, b in enumerate(sandbox.canvas.boxes) if b.colour == (46, 170, 80)] == sorted(kept)
    assert ", ".join(f"#{i} ({s['scores'][i]:.2f})" for i in kept) in sandbox.step_text.text()
    assert all(f"{v:g}" in look_text("nms-five-boxes") for v in want)
    assert missing("nms-five-boxes") == "" and no_note(window)
    # Back steps through it again
    sandbox.back_button.click()
    assert m.kept_so_far() == kept[:1]


@pytest.mark.parametrize("example_id", ["y-vector-8", "yolo-grid-3x3", "anchors-3x3x16"])
def test_show_me_grid_examples_open_the_grid_sandbox(window, example_id):
    from engine.yolo.sandbox import encode_objects
    from gui.panels.course_examples import look_text, missing
    from gui.panels.grid_sandbox_model import SANDBOX_SIDE

    ex = example(example_id)
    s, want = ex.state, ex.expected
    panel = window.panel("grid_detector")
    sandbox, m = panel.sandbox, panel.sandbox.model
    sandbox.grid_spin.setValue(7)  # somewhere else first
    m.add_object((5, 5, 40, 60), 2)
    click_show_me(window, example_id)
    assert panel.tabs.currentWidget() is sandbox
    # grid, classes and anchors: model and widgets
    assert m.grid == sandbox.grid_spin.value() == s["grid"]
    assert len(m.class_names) == sandbox.class_combo.count() == s["classes"]
    anchors = s.get("anchors", 1)
    n = anchors if isinstance(anchors, int) else len(anchors)
    assert m.num_anchors == sandbox.anchor_count.value() == n
    if not isinstance(anchors, int):
        shown = [(ws.value(), hs.value()) for ws, hs in sandbox.anchor_spins[:n]]
        assert shown == m.anchor_shapes[:n] == [tuple(a) for a in anchors]
    # the objects, scaled from the example's picture onto the sandbox's
    scale = SANDBOX_SIDE / s["input_size"]
    boxes, labels = s.get("boxes", [s.get("box")]), s.get("labels", [s.get("label")])
    placed = [(label, tuple(v * scale for v in box)) for box, label in zip(boxes, labels)]
    assert m.objects == placed and [b.box for b in sandbox.canvas.boxes] == [box for _label, box in placed]
    # the numbers: the sandbox's encoding equals the engine's on the example's own picture
    enc = m.encoding
    own = encode_objects(list(zip(labels, boxes)), s["grid"], m.anchor_shapes[:n], s["input_size"])
    np.testing.assert_allclose(enc.y, own.y, atol=1e-6)
    row, col = m.shown_cell()
    shown_y = sandbox.cell_values()
    np.testing.assert_allclose(shown_y, enc.cell(row, col), atol=0.005)
    assert f"({row}, {col})" in sandbox.cell_label.text()
    if "y" in want:
        assert enc.output_shape[2] == len(shown_y) == want["length"]
        assert shown_y == pytest.approx(want["y"], abs=0.005)
    if "output_hwc" in want:
        assert list(enc.output_shape) == want["output_hwc"]
        assert "×".join(map(str, want["output_hwc"])) in sandbox.shape_label.text()
        assert "×".join(map(str, want["output_hwc"])) in look_text(example_id)
    if "cell" in want:
        assert [row, col] == want["cell"] and [enc.assignments[0].row, enc.assignments[0].col] == want["cell"]
        assert shown_y[0] == 1.0 and shown_y[5 + labels[0]] == 1.0
    if "anchor_of_each" in want:
        assert [a.anchor for a in enc.assignments] == want["anchor_of_each"]
        kept = len(enc.assignments) == 2 and not any(a.overwritten for a in enc.assignments)
        assert kept == want["both_kept"] and enc.shared_cells() == [(row, col)]
        assert shown_y[0] == shown_y[8] == 1.0 and "overwritten" not in sandbox.assign_label.text()
    assert missing(example_id) == "" and no_note(window)


def test_show_me_without_the_capability_says_so(window, monkeypatch):
    # every example is shown whole today; a lab panel that loses a capability (the augmentation panel's
    # hand-set colour offsets) must say so on the example bar and on the course page
    from gui.panels import course_examples

    example_id, panel_id, needs = "colour-shift-manual", "augmentation", "colour offsets set by hand"
    monkeypatch.setitem(course_examples._NEEDS, example_id, (lambda: False, *course_examples._NEEDS[example_id][1:]))
    click_show_me(window, example_id)
    assert window.current_panel().panel_id == panel_id
    assert window.example_bar.note_label.isVisible() and needs in window.example_bar.note_label.text()
    panel = course(window)
    assert needs in panel.page.toPlainText()  # the page says it too


def test_exercise_right_and_wrong(window):
    panel = course(window)
    panel.select_section("stride")
    ex = make_exercise("stride", 0)
    panel.exercise.answer.setText("999")
    panel.exercise.check_button.click()
    assert panel.exercise.verdict.text().startswith("✗")
    assert panel.exercise.solution.isVisible() and ex.solution in panel.exercise.solution.text()
    assert panel.model.solved("stride") == 0
    panel.exercise.answer.setText(ex.answer_text)
    panel.exercise.check_button.click()
    assert panel.exercise.verdict.text().startswith("✓")
    assert panel.model.solved("stride") == 1
    assert panel._items["stride"].text(1) == "✓"
    panel.exercise.new_button.click()
    assert panel.exercise.prompt.text() == make_exercise("stride", 1).prompt
    assert not panel.exercise.verdict.isVisible() and panel.exercise.answer.text() == ""


def test_progress_and_section_survive_a_restart(make_window):
    first = make_window()
    panel = course(first)
    panel.select_section("iou")
    panel.exercise.answer.setText(make_exercise("iou", 0).answer_text)
    panel.exercise.check()
    first.close()
    second = make_window()
    again = course(second)
    assert again.model.section_id == "iou"
    assert again.model.solved("iou") == 1 and again._items["iou"].text(1) == "✓"
    welcome = second.panel("welcome")
    welcome.refresh()
    assert welcome.part_bars["detection"].value() == 1
    assert "Intersection over union" in welcome.continue_label.text()
    again.model.reset_progress()
    assert again.model.solved("iou") == 0 and again._items["iou"].text(1) == ""


def test_welcome_continue_opens_the_last_section(window):
    window.settings.setValue("course/section", "nms")
    welcome = window.panel("welcome")
    welcome.refresh()
    welcome.continue_button.click()
    assert window.current_panel().panel_id == "course"
    assert window.panel("course").model.section_id == "nms"


def test_glossary_term_link_opens_the_filtered_glossary(window):
    panel = course(window)
    panel.select_section("stride")
    links = [link for link in panel.page.links() if link.startswith("term:")]
    assert "term:stride" in links
    panel.page.anchorClicked.emit(QUrl("term:stride"))
    assert panel.tabs.currentWidget() is panel.glossary
    rows = panel.glossary.rows()
    assert rows and rows[0] == ("stride", "步长 / 步幅")


def test_open_command_starts_at_the_example(qtbot, tmp_path):
    from gui.open_example import open_window

    win = open_window("edge-6x6", settings=_settings(tmp_path))
    qtbot.addWidget(win)
    try:
        assert win.current_panel().panel_id == "convolution"
        m = win.panel_model("convolution")
        np.testing.assert_array_equal(np.asarray(m.anim.conv.output[0]), np.array(example("edge-6x6").expected["output"], float))
        assert win.example_bar.example_id == "edge-6x6"
    finally:
        win.close()


def test_open_unknown_example_exits_2_with_one_line(capsys):
    from gui.main import main

    assert main(["open", "no-such-example"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no-such-example" in err and "convstudio course" in err


def test_language_switch_keeps_section_answer_and_example(window):
    panel = course(window)
    panel.select_section("pooling")
    panel.exercise.answer.setText("[1, 2]")
    panel.exercise.answer.textEdited.emit("[1, 2]")
    prompt_en = panel.exercise.prompt.text()
    assert panel.show_example("edge-6x6")  # an example from another section is on screen
    window.set_language("zh_CN")
    QApplication.processEvents()
    assert panel.model.section_id == "pooling"
    assert panel.exercise.answer.text() == "[1, 2]"
    assert panel.exercise.prompt.text() != prompt_en  # re-rendered in Chinese
    assert "池化" in panel.page.toPlainText()
    assert "0 30 30 0" in window.example_bar.look_label.text() and window.example_bar.look_label.text() != \
        "Look at the 4×4 output: every row is 0 30 30 0."
    m = window.panel_model("convolution")
    np.testing.assert_array_equal(np.asarray(m.anim.conv.output[0]), np.array(example("edge-6x6").expected["output"], float))
    window.set_language("en")
    assert panel.exercise.prompt.text() == prompt_en and panel.exercise.answer.text() == "[1, 2]"


def test_open_example_dialog_filters_by_id_and_description(qtbot):
    from gui.widgets.course_example_dialog import ExampleDialog

    dialog = ExampleDialog()
    qtbot.addWidget(dialog)
    dialog.search.setText("non-max")
    assert dialog.selected_id() == "nms-five-boxes"
    dialog.search.setText("gram")
    assert dialog.selected_id() == "gram-2-channels"
    dialog.search.setText("no such thing at all")
    assert dialog.selected_id() == ""


def test_page_follows_a_live_theme_switch(window):
    import re

    from PySide6.QtGui import QColor

    panel = course(window)
    window.set_theme("light")
    QApplication.processEvents()

    def card_lightness() -> list[int]:
        colours = re.findall(r'bgcolor="(#[0-9a-fA-F]{6})"', panel.page.toHtml())
        assert colours
        return [QColor(c).lightness() for c in colours]

    assert min(card_lightness()) > 180
    window.set_theme("dark")
    QApplication.processEvents()
    assert max(card_lightness()) < 90


def test_show_me_conv_sliding_runs_the_16x16_input(window, qtbot):
    click_show_me(window, "conv-sliding-16x16")
    panel = window.panel("grid_detector")
    model = window.panel_model("grid_detector")
    assert model.sliding_input == "16"
    qtbot.waitUntil(lambda: model.comparison is not None and model.sliding_image is not None
                    and model.sliding_image.shape[0] == 16 and not model.sliding_busy, timeout=60000)
    assert panel.input_combo.currentData() == "16"
    c = model.comparison
    want = example("conv-sliding-16x16").expected["output_hwc"]
    assert list(np.asarray(c.convolutional).shape) == want
    assert np.allclose(c.cropped, c.convolutional, atol=1e-5)
