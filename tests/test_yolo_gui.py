"""The Grid detector panel: click an output cell, start and cancel training, hover a grid cell."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engine.yolo.sliding import window_of
from engine.yolo.train import TrainConfig, default_checkpoint_path


@pytest.fixture
def panel(qtbot, make_window):
    win = make_window(settings=None)
    p = win.panel("grid_detector")
    p.model.sliding_input = "28"
    with qtbot.waitSignal(p.model.comparisonChanged, timeout=60000):
        win.switch_to("grid_detector")
    yield p
    p.model.cancel_training()
    qtbot.waitUntil(lambda: not win.jobs.active(), timeout=60000)


def test_clicking_an_output_cell_highlights_its_window(panel, qtbot):
    m = panel.model
    assert m.comparison.convolutional.shape == (8, 8, 4)
    assert m.comparison.max_diff < 1e-5
    assert "8×8×4 (H×W×C)" in panel.comparison_label.text() and "Speed ratio" in panel.comparison_label.text()
    rect = panel.output_map.cell_rect(5, 3)
    qtbot.mouseClick(panel.output_map, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert m.selected_window == (5, 3)
    box = panel.sliding_input_view.boxes[0].box
    k = panel.sliding_input_view._shape[0] // 28
    assert tuple(v / k for v in box) == window_of(5, 3)
    assert "Cell (5, 3) sees pixels x 6..19, y 10..23" in panel.window_label.text()


def test_start_and_cancel_training(panel, qtbot):
    m = panel.model
    panel.tabs.setCurrentIndex(1)
    config = TrainConfig(minutes=30, train_scenes=40, val_scenes=10, max_steps=100000, batch_size=4)
    m.start_training(config)
    assert not panel.start_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: m.curves is not None and len(m.curves.step) >= 2, timeout=60000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not m.training, timeout=60000)
    assert panel.start_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert panel.loss_plot.point_count() >= 2
    assert "Cancelled" in panel.train_status.text()
    assert not default_checkpoint_path().exists()


def test_hovering_a_grid_cell_shows_its_y_vectors(panel, qtbot):
    m = panel.model
    panel.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: m.scene is not None, timeout=30000)
    a = m.encoded.assignments[0]
    view = panel.scene_view
    qtbot.mouseMove(view, view.cell_center(a.row, a.col).toPoint())
    qtbot.waitUntil(lambda: m.hover == (a.row, a.col), timeout=5000)
    html = panel.cell_text.toPlainText()
    assert f"Cell ({a.row}, {a.col})" in html and "target a0" in html
    assert "cell (%d, %d), anchor %d" % (a.row, a.col, a.anchor) in panel.assign_text.toPlainText()
    assert "No trained model yet" in panel.inspect_header.text()


def test_train_header_counts_steps_while_training(panel, qtbot):
    m = panel.model
    panel.tabs.setCurrentIndex(1)
    m.start_training(TrainConfig(minutes=30, train_scenes=40, val_scenes=10, max_steps=100000, batch_size=4))
    assert panel.map_label.text().startswith("Training…")
    qtbot.waitUntil(lambda: m.curves is not None and len(m.curves.step) >= 2, timeout=60000)
    header = panel.map_label.text()
    import re

    # 30 minutes end this run long before 100000 steps: the total is estimated from the budget used so far
    assert re.fullmatch(rf"Training… step {m.curves.step[-1]}(/100000| of about \d+)", header), header
    assert "No grid detector" not in header
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not m.training, timeout=60000)
    assert not panel.map_label.text().startswith("Training…")


def test_panel_fits_a_1024_wide_window(panel, qtbot):
    win = panel.window()
    win.resize(1024, 640)
    qtbot.waitUntil(lambda: win.height() == 640, timeout=5000)
    assert panel.minimumSizeHint().width() <= 1024 - 200
    assert win.width() == 1024


def test_y_vector_numbers_are_never_broken_across_lines(panel, qtbot):
    win = panel.window()
    win.resize(1024, 640)
    m = panel.model
    panel.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: m.scene is not None and m.hover[0] >= 0, timeout=30000)
    panel._show_hover()
    qtbot.wait(50)
    doc = panel.cell_text.document()
    doc.setTextWidth(panel.cell_text.viewport().width())
    numbers = 0
    block = doc.begin()
    while block.isValid():
        text = block.text().strip()
        if text.replace(".", "", 1).replace("-", "", 1).isdigit():
            numbers += 1
            assert block.layout().lineCount() == 1, f"{text!r} is wrapped"
        block = block.next()
    assert numbers >= 9 * m.spec.num_anchors
