"""The Grid detector's sliding-window tab with two or three window sizes: crops and time per size, in a worker."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engine.yolo.sliding import window_grid


@pytest.fixture
def panel(qtbot, make_window):
    win = make_window(settings=None)
    p = win.panel("grid_detector")
    p.model.sliding_input = "28"
    with qtbot.waitSignal(p.model.comparisonChanged, timeout=60000):
        win.switch_to("grid_detector")
    qtbot.waitUntil(lambda: bool(p.sizes_model.runs) and not p.sizes_model.busy, timeout=60000)  # the first run starts by itself
    yield p
    p.sizes_model.cancel()
    qtbot.waitUntil(lambda: not win.jobs.active(), timeout=60000)


def test_two_sizes_give_a_typed_result_each_and_draw_the_selected_windows(panel, qtbot):
    sm = panel.sizes_model
    for spin, value in zip(panel.size_spins, (14, 21, 0)):
        spin.setValue(value)
    panel.sizes_stride_spin.setValue(3)
    qtbot.mouseClick(panel.sizes_run_button, Qt.MouseButton.LeftButton)
    assert sm.busy and panel.sizes_cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not sm.busy, timeout=60000)
    h, w = panel.model.sliding_image.shape[:2]
    assert [(r.size, r.stride) for r in sm.runs] == [(14, 3), (21, 3)]
    assert [(r.rows, r.cols) for r in sm.runs] == [window_grid(h, w, 14, 3), window_grid(h, w, 21, 3)]
    assert all(r.seconds > 0 for r in sm.runs)
    assert panel.sizes_table.rowCount() == 2
    assert panel.sizes_table.item(0, 2).text() == str(sm.runs[0].crops)
    assert panel.sizes_table.item(0, 2).toolTip().startswith(f"{sm.runs[0].rows}×{sm.runs[0].cols}")
    assert "ms" in panel.sizes_table.item(1, 3).text()
    assert len(panel.sizes_canvas.boxes) == sm.runs[0].crops
    panel.sizes_table.selectRow(1)
    assert sm.selected == 1 and len(panel.sizes_canvas.boxes) == sm.runs[1].crops
    assert panel.sizes_canvas.boxes[0].box == (0.0, 0.0, 21.0, 21.0)


def test_cancel_stops_between_sizes(panel, qtbot):
    sm = panel.sizes_model
    panel.model.sliding_image = None
    panel.model.sliding_input = "scene"  # 64×64: thousands of crops per size at stride 1
    for spin, value in zip(panel.size_spins, (3, 4, 5)):
        spin.setValue(value)
    panel.sizes_stride_spin.setValue(1)
    qtbot.mouseClick(panel.sizes_run_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.sizes_cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not sm.busy, timeout=60000)
    assert sm.cancelled and len(sm.runs) < 3
    assert "Cancelled" in panel.sizes_label.text() and panel.sizes_run_button.isEnabled()
