"""State of the NMS sandbox: hand-drawn boxes with p_c and class scores, and how far NMS has stepped."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.detect.nms import HandNms, nms_by_hand

__all__ = ["HandBox", "NmsSandboxModel", "COURSE_FIVE_BOXES"]

#: The note's example (two cars): p_c 0.9, 0.6, 0.7 on one, 0.8, 0.7 on the other; xyxy on a blank 360×160 canvas.
COURSE_FIVE_BOXES: tuple[tuple[tuple[float, float, float, float], float], ...] = (
    ((30, 50, 130, 100), 0.9),
    ((34, 52, 132, 104), 0.6),
    ((28, 46, 126, 98), 0.7),
    ((220, 70, 320, 120), 0.8),
    ((224, 74, 326, 126), 0.7),
)
_CANVAS = (160, 360)


@dataclass
class HandBox:
    """One box a learner drew: xyxy in image pixels, p_c, and the class scores c1..c3."""

    box: tuple[float, float, float, float]
    p_c: float = 0.9
    classes: list[float] = field(default_factory=lambda: [0.0, 1.0, 0.0])


class NmsSandboxModel(QObject):
    """Boxes, thresholds and the NMS stage shown.

    stage 0: the boxes as drawn; stage 1: low p_c discarded; stage 1 + k: after the k-th keeper.
    ``result`` is :func:`engine.detect.nms.nms_by_hand` on the current boxes (recomputed on each edit).
    ``changed`` fires after every edit.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.image: np.ndarray = np.full((*_CANVAS, 3), 245, np.uint8)
        self.image_name = "blank"
        self.boxes: list[HandBox] = []
        self.selected = -1
        self.pc_threshold = 0.6
        self.iou_threshold = 0.5
        self.stage = 0
        self.result: HandNms = nms_by_hand(np.zeros((0, 4)), [], None)

    # -- editing --

    def _recompute(self, keep_stage: bool = False) -> None:
        boxes = np.array([b.box for b in self.boxes], dtype=np.float64).reshape(-1, 4)
        self.result = nms_by_hand(boxes, [b.p_c for b in self.boxes],
                                  [b.classes for b in self.boxes] if self.boxes else None,
                                  self.pc_threshold, self.iou_threshold)
        self.stage = min(self.stage, self.last_stage) if keep_stage else 0
        self.changed.emit()

    def set_image(self, image: np.ndarray, name: str) -> None:
        """A new picture to draw on; boxes outside it are dropped."""
        self.image, self.image_name = image, name
        h, w = image.shape[:2]
        self.boxes = [b for b in self.boxes if b.box[2] <= w and b.box[3] <= h]
        self.selected = -1
        self._recompute()

    def add_box(self, box, p_c: float = 0.9, classes=None) -> int:
        """Add a box (xyxy pixels); it becomes the selected one. Returns its index."""
        self.boxes.append(HandBox(tuple(float(v) for v in box), float(p_c), list(classes or [0.0, 1.0, 0.0])))
        self.selected = len(self.boxes) - 1
        self._recompute()
        return self.selected

    def select(self, index: int) -> None:
        self.selected = index if 0 <= index < len(self.boxes) else -1
        self.changed.emit()

    def delete_selected(self) -> None:
        if 0 <= self.selected < len(self.boxes):
            del self.boxes[self.selected]
            self.selected = min(self.selected, len(self.boxes) - 1)
            self._recompute()

    def clear(self) -> None:
        self.boxes, self.selected = [], -1
        self._recompute()

    def set_p_c(self, value: float) -> None:
        if 0 <= self.selected < len(self.boxes):
            self.boxes[self.selected].p_c = float(value)
            self._recompute()

    def set_class_score(self, k: int, value: float) -> None:
        if 0 <= self.selected < len(self.boxes):
            self.boxes[self.selected].classes[k] = float(value)
            self._recompute()

    def set_thresholds(self, pc: float | None = None, iou: float | None = None) -> None:
        if pc is not None:
            self.pc_threshold = float(pc)
        if iou is not None:
            self.iou_threshold = float(iou)
        self._recompute()

    def load_course_preset(self) -> None:
        """The note's five boxes on a blank canvas, thresholds 0.6 and 0.5, all class car."""
        self.load_boxes([box for box, _pc in COURSE_FIVE_BOXES], [pc for _box, pc in COURSE_FIVE_BOXES], 0.6, 0.5)

    def load_boxes(self, boxes, p_cs, pc_threshold: float, iou_threshold: float, name: str = "course") -> None:
        """Boxes (xyxy pixels) with their p_c, all class car, on a blank canvas large enough to hold them.

        ``name`` is the canvas's :attr:`image_name` ("course": the course's boxes, as the source menu says)."""
        boxes = [tuple(float(v) for v in box) for box in boxes]
        h = max([_CANVAS[0]] + [int(np.ceil(b[3])) + 10 for b in boxes])
        w = max([_CANVAS[1]] + [int(np.ceil(b[2])) + 10 for b in boxes])
        self.image, self.image_name = np.full((h, w, 3), 245, np.uint8), name
        self.boxes = [HandBox(box, float(pc), [0.0, 1.0, 0.0]) for box, pc in zip(boxes, p_cs)]
        self.selected = -1
        self.pc_threshold, self.iou_threshold = float(pc_threshold), float(iou_threshold)
        self._recompute()

    # -- stepping --

    @property
    def last_stage(self) -> int:
        return 1 + len(self.result.steps)

    def step(self, delta: int = 1) -> None:
        self.stage = max(0, min(self.last_stage, self.stage + delta))
        self.changed.emit()

    def run_to_end(self) -> None:
        self.stage = self.last_stage
        self.changed.emit()

    def state_of(self, index: int) -> str:
        """What box ``index`` is at the current stage: 'live', 'discarded', 'kept' or 'suppressed'."""
        r = self.result
        if self.stage >= 1 and index in r.discarded:
            return "discarded"
        for st in r.steps[: max(0, self.stage - 1)]:
            if st.keeper == index:
                return "kept"
            if index in st.suppressed:
                return "suppressed"
        return "live"

    def kept_so_far(self) -> list[int]:
        """The keepers of the steps taken so far, best first."""
        return [st.keeper for st in self.result.steps[: max(0, self.stage - 1)]]

    @property
    def finished(self) -> bool:
        return self.stage >= self.last_stage
