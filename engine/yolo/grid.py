"""The YOLO grid: target vectors per cell and anchor, and decoding them back to boxes.

The network sees a square image of ``spec.input_size`` pixels cut into an
S x S grid of cells, each ``cell = input_size / S`` pixels wide. Every cell
has B anchors; each (cell, anchor) slot holds a vector

    y = [p_c, b_x, b_y, b_h, b_w, c_1, ..., c_K]

p_c: 1 when an object is assigned to the slot, else 0 (then the rest is 0).
b_x, b_y: the object's midpoint inside its cell, 0..1 from the cell's top-left.
b_h, b_w: the object's height and width in cell units (may exceed 1).
c_k: one-hot class (targets) or class probabilities (predictions).

Each object goes to the cell holding its midpoint and to the anchor whose shape
has the highest IoU with its own. When two objects claim the same slot, the
later one wins and the earlier is reported as overwritten.

The network's raw output has the same layout with unbounded numbers
``[t_o, t_x, t_y, t_h, t_w, logits...]``; :func:`activate` turns it into y
form (sigmoid for p_c/b_x/b_y, ``anchor * exp(t)`` for sizes, softmax for classes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .anchors import shape_iou

__all__ = [
    "GridSpec",
    "Assignment",
    "Encoded",
    "encode_targets",
    "activate",
    "decode_grid",
    "cell_of",
]


@dataclass(frozen=True)
class GridSpec:
    """Geometry of the grid.

    grid: S (cells per side). input_size: the network's square input in pixels.
    anchors: (B, 2) anchor (width, height) in cell units.
    class_names: the K classes.
    """

    grid: int
    input_size: int
    anchors: tuple[tuple[float, float], ...]
    class_names: tuple[str, ...]

    @property
    def num_anchors(self) -> int:
        return len(self.anchors)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def cell(self) -> float:
        """Cell size in input pixels."""
        return self.input_size / self.grid

    @property
    def vector_size(self) -> int:
        """Length of y: 5 + K."""
        return 5 + self.num_classes

    def anchor_array(self) -> np.ndarray:
        """(B, 2) anchors (width, height) in cell units."""
        return np.asarray(self.anchors, np.float64).reshape(-1, 2)

    def to_dict(self) -> dict:
        return {
            "grid": self.grid,
            "input_size": self.input_size,
            "anchors": [list(map(float, a)) for a in self.anchors],
            "class_names": list(self.class_names),
        }

    @staticmethod
    def from_dict(d: dict) -> "GridSpec":
        return GridSpec(
            int(d["grid"]),
            int(d["input_size"]),
            tuple(tuple(float(v) for v in a) for a in d["anchors"]),
            tuple(str(c) for c in d["class_names"]),
        )


@dataclass(frozen=True)
class Assignment:
    """Where one ground-truth box went.

    index: the box's index in the input. row, col: its cell. anchor: chosen anchor.
    anchor_ious: (B,) IoU of the box's shape with each anchor.
    overwritten: True when a later box took the same slot.
    """

    index: int
    row: int
    col: int
    anchor: int
    anchor_ious: tuple[float, ...]
    overwritten: bool = False


@dataclass
class Encoded:
    """Targets for one image: ``y`` (S, S, B, 5+K) float32 and the assignments."""

    y: np.ndarray
    assignments: list[Assignment] = field(default_factory=list)


def cell_of(x: float, y: float, spec: GridSpec) -> tuple[int, int]:
    """(row, col) of the cell holding input pixel (x, y), clipped to the grid."""
    s = spec.grid
    col = int(np.clip(np.floor(x / spec.cell), 0, s - 1))
    row = int(np.clip(np.floor(y / spec.cell), 0, s - 1))
    return row, col


def encode_targets(boxes: np.ndarray, labels: np.ndarray, spec: GridSpec) -> Encoded:
    """Build the target tensor for boxes given in input pixels.

    boxes: (N, 4) xyxy in input pixels (0..input_size); labels: (N,) int.
    Returns y (S, S, B, 5+K) float32 and one :class:`Assignment` per box.
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    labels = np.asarray(labels, np.int64).reshape(-1)
    s, b, k = spec.grid, spec.num_anchors, spec.num_classes
    y = np.zeros((s, s, b, 5 + k), np.float32)
    cell = spec.cell
    anchors = spec.anchor_array()
    owner: dict[tuple[int, int, int], int] = {}
    out: list[Assignment] = []
    for i, (box, label) in enumerate(zip(boxes, labels)):
        w, h = (box[2] - box[0]) / cell, (box[3] - box[1]) / cell
        if w <= 0 or h <= 0:
            continue
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        row, col = cell_of(cx, cy, spec)
        ious = shape_iou(np.array([[w, h]]), anchors)[0]
        a = int(np.argmax(ious))
        vec = y[row, col, a]
        vec[:] = 0
        vec[0] = 1.0
        vec[1] = cx / cell - col
        vec[2] = cy / cell - row
        vec[3] = h
        vec[4] = w
        vec[5 + int(label)] = 1.0
        if (row, col, a) in owner:
            prev = owner[(row, col, a)]
            out[prev] = Assignment(**{**out[prev].__dict__, "overwritten": True})
        owner[(row, col, a)] = len(out)
        out.append(Assignment(i, row, col, a, tuple(float(v) for v in ious)))
    return Encoded(y, out)


def activate(raw: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """Raw network output to y form.

    raw: (..., S, S, B, 5+K) ``[t_o, t_x, t_y, t_h, t_w, logits]``;
    anchors: (B, 2) (width, height) in cell units.
    Returns the same shape with ``[p_c, b_x, b_y, b_h, b_w, class probabilities]``.
    """
    anchors = anchors.to(raw)
    p = torch.sigmoid(raw[..., 0:1])
    xy = torch.sigmoid(raw[..., 1:3])
    h = anchors[:, 1].unsqueeze(-1) * torch.exp(raw[..., 3:4].clamp(max=6.0))
    w = anchors[:, 0].unsqueeze(-1) * torch.exp(raw[..., 4:5].clamp(max=6.0))
    cls = torch.softmax(raw[..., 5:], dim=-1)
    return torch.cat([p, xy, h, w, cls], dim=-1)


def decode_grid(
    y: torch.Tensor | np.ndarray, spec: GridSpec, score_threshold: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every slot of y (S, S, B, 5+K) as a box, best class first.

    Returns (boxes (M, 4) xyxy in input pixels, scores (M,) = p_c * class
    probability, labels (M,), slots (M, 3) row/col/anchor) for the slots whose
    score exceeds ``score_threshold`` (all slots with score > 0 when 0).
    """
    y = torch.as_tensor(y, dtype=torch.float32)
    s = y.shape[0]
    cell = spec.cell
    rows = torch.arange(s, dtype=torch.float32).view(s, 1, 1)
    cols = torch.arange(s, dtype=torch.float32).view(1, s, 1)
    cx = (cols + y[..., 1]) * cell
    cy = (rows + y[..., 2]) * cell
    h = y[..., 3] * cell
    w = y[..., 4] * cell
    boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=-1)
    cls_prob, labels = y[..., 5:].max(dim=-1)
    scores = y[..., 0] * cls_prob
    keep = scores > score_threshold
    slots = keep.nonzero()
    return boxes[keep], scores[keep], labels[keep], slots
