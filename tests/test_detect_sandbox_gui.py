"""The NMS sandbox of the Detection panel: hand-drawn boxes, the course's five boxes, stepping."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision
from PySide6.QtCore import QPoint, Qt

from engine.detect.nms import nms_by_hand
from gui.widgets.detect_sandbox import NmsSandbox


@pytest.fixture
def sandbox(qtbot):
    w = NmsSandbox()
    qtbot.addWidget(w)
    w.resize(1000, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_course_preset_steps_to_the_kept_09_and_08(qtbot, sandbox):
    m = sandbox.model
    qtbot.mouseClick(sandbox.preset_button, Qt.MouseButton.LeftButton)
    assert len(m.boxes) == 5 and sandbox.box_list.count() == 5
    clicks = 0
    while sandbox.step_button.isEnabled():
        qtbot.mouseClick(sandbox.step_button, Qt.MouseButton.LeftButton)
        clicks += 1
    assert clicks == 3  # discard, then two keepers
    boxes = np.array([b.box for b in m.boxes])
    pcs = [b.p_c for b in m.boxes]
    engine = nms_by_hand(boxes, pcs, [b.classes for b in m.boxes], 0.6, 0.5)
    alive = [i for i in range(5) if i not in engine.discarded]
    tv = torchvision.ops.nms(torch.tensor(boxes, dtype=torch.float32)[alive],
                             torch.tensor(engine.scores, dtype=torch.float32)[alive], 0.5).tolist()
    assert m.kept_so_far() == engine.kept == [alive[i] for i in tv] == [0, 3]
    assert [pcs[i] for i in m.kept_so_far()] == [0.9, 0.8]
    # the widgets say the same: green (kept) boxes on the canvas, "kept" in the list, the final line
    kept_on_canvas = [i for i, b in enumerate(sandbox.canvas.boxes) if b.colour == (46, 170, 80)]
    assert kept_on_canvas == [0, 3]
    assert [i for i in range(5) if "(kept)" in sandbox.box_list.item(i).text()] == [0, 3]
    assert "#0 (0.90), #3 (0.80)" in sandbox.step_text.text()
    assert "IoU" in sandbox.step_text.text()
    # back one step: the second car's keeper is in play again
    qtbot.mouseClick(sandbox.back_button, Qt.MouseButton.LeftButton)
    assert m.kept_so_far() == [0]


def test_draw_select_edit_delete_a_box(qtbot, sandbox):
    m = sandbox.model
    canvas = sandbox.canvas
    rect = canvas.image_rect()
    a = QPoint(int(rect.x() + rect.width() * 0.1), int(rect.y() + rect.height() * 0.2))
    b = QPoint(int(rect.x() + rect.width() * 0.5), int(rect.y() + rect.height() * 0.8))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(canvas, b)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=b)
    assert len(m.boxes) == 1 and m.selected == 0
    x1, y1, x2, y2 = m.boxes[0].box
    h, w = m.image.shape[:2]
    assert x1 == pytest.approx(0.1 * w, abs=2) and x2 == pytest.approx(0.5 * w, abs=2)
    assert y1 == pytest.approx(0.2 * h, abs=2) and y2 == pytest.approx(0.8 * h, abs=2)
    sandbox.pc_spin.setValue(0.5)
    sandbox.class_spins[0].setValue(0.9)
    sandbox.class_spins[1].setValue(0.2)  # pedestrian now the best class: score 0.5 × 0.9
    assert m.result.scores[0] == pytest.approx(0.45) and m.result.classes[0] == 0
    # a p_c of 0.5 ≤ 0.6: discarded at the first step
    qtbot.mouseClick(sandbox.step_button, Qt.MouseButton.LeftButton)
    assert m.state_of(0) == "discarded"
    qtbot.mouseClick(sandbox.delete_button, Qt.MouseButton.LeftButton)
    assert m.boxes == [] and sandbox.box_list.count() == 0


def test_a_bad_image_file_gets_one_line_and_keeps_the_boxes(qtbot, sandbox, tmp_path):
    sandbox.model.load_course_preset()
    bad = tmp_path / "not.png"
    bad.write_bytes(b"nope")
    assert not sandbox.open_image(bad)
    assert len(sandbox.model.boxes) == 5 and "\n" not in sandbox.step_text.text()
