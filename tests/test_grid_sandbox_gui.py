"""The grid sandbox of the Grid detector panel: hand-placed objects fill the cells' y vectors."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from engine.shapes import display_order, set_display_order
from engine.yolo.sandbox import encode_objects
from gui.widgets.yolo_sandbox import GridSandbox


@pytest.fixture
def sandbox(qtbot):
    w = GridSandbox()
    qtbot.addWidget(w)
    w.resize(1000, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def _drag(qtbot, canvas, box):
    """Drag on the canvas from image pixel (x1, y1) to (x2, y2)."""
    rect = canvas.image_rect()
    h, w = canvas.image_size()
    a = QPoint(round(rect.x() + box[0] * rect.width() / w), round(rect.y() + box[1] * rect.height() / h))
    b = QPoint(round(rect.x() + box[2] * rect.width() / w), round(rect.y() + box[3] * rect.height() / h))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(canvas, b)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=b)


def test_pedestrian_and_car_in_one_cell_go_to_the_two_anchors(qtbot, sandbox):
    m = sandbox.model
    sandbox.grid_spin.setValue(3)
    sandbox.anchor_count.setValue(2)
    sandbox.class_combo.setCurrentIndex(0)  # pedestrian: tall, midpoint in the centre cell
    _drag(qtbot, sandbox.canvas, (130, 105, 170, 195))
    sandbox.class_combo.setCurrentIndex(1)  # car: wide, midpoint in the same cell
    _drag(qtbot, sandbox.canvas, (100, 130, 200, 170))
    assert [label for label, _box in m.objects] == [0, 1]
    enc = m.encoding
    assert enc.shared_cells() == [(1, 1)]
    expected = encode_objects(m.objects, 3, 2, 300)
    np.testing.assert_allclose(enc.cell(1, 1), expected.cell(1, 1))
    v = expected.cell(1, 1)
    assert v.shape == (16,) and v[0] == 1 and v[8] == 1  # both anchors hold an object
    assert v[5:8].tolist() == [1, 0, 0] and v[13:16].tolist() == [0, 1, 0]  # pedestrian in anchor 1, car in anchor 2
    # the hovered cell's table shows the same 16 numbers, and the shape line says S×S×16
    rect = sandbox.canvas.image_rect()
    qtbot.mouseMove(sandbox.canvas, QPoint(int(rect.center().x()), int(rect.center().y())))
    assert m.hover == (1, 1) and sandbox.canvas.highlight == (1, 1)
    np.testing.assert_allclose(sandbox.cell_values(), np.round(v, 2), atol=1e-6)
    assert "3×3×16" in sandbox.shape_label.text()


def test_grid_and_anchor_count_change_the_shape_in_the_chosen_notation(qtbot, sandbox):
    before = display_order()
    try:
        sandbox.grid_spin.setValue(19)
        sandbox.anchor_count.setValue(1)
        assert "19×19×8 (H×W×C)" in sandbox.shape_label.text()
        set_display_order("chw")
        sandbox.refresh()
        assert "8×19×19 (C×H×W)" in sandbox.shape_label.text()
    finally:
        set_display_order(before)


def test_editing_an_anchor_shape_reassigns(qtbot, sandbox):
    m = sandbox.model
    m.add_object((100, 130, 200, 170), label=1)  # a wide car goes to the wide anchor
    assert m.encoding.assignments[0].anchor == 1
    sandbox.anchor_spins[0][0].setValue(1.2)  # the first anchor becomes the widest
    sandbox.anchor_spins[0][1].setValue(0.4)
    assert m.encoding.assignments[0].anchor == 0
