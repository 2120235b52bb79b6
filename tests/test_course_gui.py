"""The Course panel: Show me puts each panel in the example's state, exercises, progress, deep links, languages."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QUrl
from PySide6.QtWidgets import QApplication

from engine.course import example, make_exercise
from gui.panels import load_panel_classes
from gui.window import MainWindow


def _settings(path) -> QSettings:
    s = QSettings(str(path / "settings.ini"), QSettings.Format.IniFormat)
    s.setValue("faces/db", str(path / "faces.db"))
    return s


@pytest.fixture
def make_window(qtbot, tmp_path):
    made = []

    def make():
        win = MainWindow(panel_classes=load_panel_classes(strict=True), settings=_settings(tmp_path))
        win._quiet_dialogs = True
        qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        made.append(win)
        return win

    yield make
    for win in made:
        win.close()


@pytest.fixture
def window(make_window):
    return make_window()


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


def test_show_me_pooling_on_the_input_says_what_is_missing(window):
    click_show_me(window, "pool-max-4x4")
    m = window.panel_model("convolution")
    assert m.pool_kind == "max" and m.f == 1 and np.allclose(m.weights, 1)  # the identity detour
    np.testing.assert_array_equal(np.asarray(m.anim.pool.output[0]), np.array(example("pool-max-4x4").expected["output"], float))
    assert window.example_bar.note_label.isVisible()
    assert "pooling straight on the input" in window.example_bar.note_label.text()


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


def test_show_me_nms(window):
    click_show_me(window, "nms-five-boxes")
    panel = window.panel("detection")
    assert panel.tabs.currentWidget() is panel.nms_view.parentWidget()
    assert window.panel_model("detection").iou == 0.5
    view = panel.nms_view
    kept = sorted((float(view.scores[i]) for i in view.trace.kept), reverse=True)
    assert kept == pytest.approx(example("nms-five-boxes").expected["kept_scores"])


@pytest.mark.parametrize("example_id,panel_id,needs", [
    ("triplet-loss", "faces", "hand-chosen encodings"),
    ("gram-2-channels", "style_transfer", "activations chosen by hand"),
])
def test_show_me_without_the_capability_says_so(window, example_id, panel_id, needs):
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
