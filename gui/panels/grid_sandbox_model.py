"""State of the grid sandbox: hand-placed objects on an S×S grid with one or two editable anchor shapes."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.yolo.sandbox import ANCHOR_SHAPES, SANDBOX_CLASSES, SandboxEncoding, encode_objects

__all__ = ["GridSandboxModel", "SANDBOX_SIDE"]

#: the square picture objects are placed on (pixels)
SANDBOX_SIDE = 300


class GridSandboxModel(QObject):
    """grid S (1–19), ``anchor_shapes`` (width, height in cell units; the first ``num_anchors`` are used),
    ``objects`` [(class index, xyxy pixels)], ``current_class`` for the next box, ``hover`` cell,
    ``encoding`` (:class:`engine.yolo.sandbox.SandboxEncoding`, or None with ``error`` set).
    ``changed`` fires after every edit; ``hoverChanged`` when the cell under the mouse changes.
    """

    changed = Signal()
    hoverChanged = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.grid = 3
        self.num_anchors = 2
        self.anchor_shapes: list[tuple[float, float]] = [ANCHOR_SHAPES["tall"], ANCHOR_SHAPES["wide"]]
        self.objects: list[tuple[int, tuple[float, float, float, float]]] = []
        self.current_class = 0
        self.hover: tuple[int, int] | None = None
        self.image = self._blank()
        self.encoding: SandboxEncoding | None = None
        self.error = ""
        self._encode()

    @staticmethod
    def _blank() -> np.ndarray:
        return np.full((SANDBOX_SIDE, SANDBOX_SIDE, 3), 240, np.uint8)

    def _encode(self) -> None:
        try:
            self.encoding = encode_objects(self.objects, self.grid, self.anchor_shapes[: self.num_anchors], SANDBOX_SIDE)
            self.error = ""
        except ValueError as exc:  # bad settings: one line, the objects stay
            self.encoding, self.error = None, str(exc)
        self.changed.emit()

    def set_photo(self, image: np.ndarray | None) -> None:
        """A picture to place objects on (resized to the square sandbox), or None for a blank one."""
        if image is None:
            self.image = self._blank()
        else:
            from PIL import Image

            self.image = np.asarray(Image.fromarray(image).resize((SANDBOX_SIDE, SANDBOX_SIDE)))
        self.changed.emit()

    def set_grid(self, s: int) -> None:
        self.grid = int(s)
        self.hover = None
        self._encode()

    def set_num_anchors(self, n: int) -> None:
        self.num_anchors = int(n)
        self._encode()

    def set_anchor_shape(self, index: int, width: float, height: float) -> None:
        self.anchor_shapes[index] = (float(width), float(height))
        self._encode()

    def set_class(self, label: int) -> None:
        self.current_class = int(label)

    def add_object(self, box, label: int | None = None) -> None:
        """Place an object (xyxy pixels) of ``label`` (default: the current class)."""
        self.objects.append((self.current_class if label is None else int(label), tuple(float(v) for v in box)))
        self._encode()

    def remove_last(self) -> None:
        if self.objects:
            self.objects.pop()
            self._encode()

    def clear(self) -> None:
        self.objects = []
        self._encode()

    def apply_example(self, state: dict) -> None:
        """A course example on a blank picture: grid ``grid``; ``anchors`` a count (the tall and wide shapes)
        or (width, height) shapes in cell units; objects from ``box``/``label`` or ``boxes``/``labels`` in
        pixels of an ``input_size`` square picture, scaled onto the sandbox's (the y vector does not change)."""
        scale = SANDBOX_SIDE / float(state.get("input_size", SANDBOX_SIDE))
        boxes = state["boxes"] if "boxes" in state else [state["box"]]
        labels = state["labels"] if "labels" in state else [state["label"]]
        anchors = state.get("anchors", 1)
        defaults = [ANCHOR_SHAPES["tall"], ANCHOR_SHAPES["wide"]]
        if isinstance(anchors, int):
            self.anchor_shapes, self.num_anchors = defaults, anchors
        else:
            shapes = [(float(w), float(h)) for w, h in anchors]
            self.anchor_shapes, self.num_anchors = shapes + defaults[len(shapes):], len(shapes)
        self.grid = int(state["grid"])
        self.objects = [(int(label), tuple(float(v) * scale for v in box)) for box, label in zip(boxes, labels)]
        self.image, self.hover = self._blank(), None
        self._encode()

    def set_hover_pixel(self, x: float, y: float) -> None:
        """The mouse at image pixel (x, y) (negative: outside); updates the hovered cell."""
        cell = None
        if x >= 0 and y >= 0:
            side = SANDBOX_SIDE / self.grid
            cell = (min(self.grid - 1, int(y // side)), min(self.grid - 1, int(x // side)))
        if cell is not None and cell != self.hover:  # leaving the picture keeps the last cell shown
            self.hover = cell
            self.hoverChanged.emit()

    def shown_cell(self) -> tuple[int, int] | None:
        """The hovered cell, else the first cell holding an object."""
        if self.hover is not None:
            return self.hover
        if self.encoding is not None and self.encoding.assignments:
            a = self.encoding.assignments[0]
            return (a.row, a.col)
        return None

    @property
    def class_names(self) -> tuple[str, ...]:
        return SANDBOX_CLASSES
