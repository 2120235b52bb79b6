"""The course's grid and anchor-box examples with hand-placed objects.

Objects (pedestrian, car, motorcycle) are placed on an image by hand; :func:`encode_objects`
builds the target y for any grid S (3, 7, 13, 19, …) with one or two editable anchor shapes:
y has 8 numbers per cell and anchor, ``[p_c, b_x, b_y, b_h, b_w, c_1, c_2, c_3]``, so a cell
holds 8 numbers with one anchor and 16 with two (output S×S×16, or S×S×2×8). Each object goes
to the cell holding its midpoint and to the anchor whose shape has the highest IoU with its own,
so a pedestrian (tall) and a car (wide) with midpoints in one cell are both kept.

    r = encode_objects([("pedestrian", (40, 10, 60, 90)), ("car", (20, 40, 80, 70))], grid=3)
    r.cell_vectors.shape   # (3, 3, 16)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..i18n import N_, _
from .grid import Assignment, GridSpec, encode_targets

__all__ = ["SANDBOX_CLASSES", "ANCHOR_SHAPES", "SandboxObject", "SandboxEncoding", "encode_objects"]

#: The course's three classes, in y's order (c_1, c_2, c_3).
SANDBOX_CLASSES: tuple[str, ...] = (N_("pedestrian"), N_("car"), N_("motorcycle"))
#: The two anchor shapes of the course, (width, height) in cell units: a tall box and a wide box.
ANCHOR_SHAPES: dict[str, tuple[float, float]] = {"tall": (0.5, 1.0), "wide": (1.0, 0.5)}


@dataclass(frozen=True)
class SandboxObject:
    """One hand-placed object: its class index (into :data:`SANDBOX_CLASSES`) and xyxy box in image pixels."""

    label: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class SandboxEncoding:
    """The target of one image.

    y: (S, S, B, 8) float32, one 8-vector per cell and anchor. cell_vectors: (S, S, 8·B), what the
    course writes as S×S×16 for two anchors. assignments: where each object went (cell, anchor,
    anchor IoUs, whether a later object took the same slot). spec: the grid geometry used.
    """

    y: np.ndarray
    assignments: list[Assignment]
    spec: GridSpec
    objects: tuple[SandboxObject, ...]

    @property
    def cell_vectors(self) -> np.ndarray:
        """(S, S, 8·B): each cell's anchors' vectors one after another (S×S×16 with two anchors)."""
        s, _s, b, k = self.y.shape
        return self.y.reshape(s, s, b * k)

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """(S, S, 8·B) in the course's H×W×C order."""
        return tuple(self.cell_vectors.shape)  # type: ignore[return-value]

    def cell(self, row: int, col: int) -> np.ndarray:
        """The 8·B numbers of cell (row, col)."""
        return self.cell_vectors[row, col]

    def shared_cells(self) -> list[tuple[int, int]]:
        """Cells that hold the midpoints of two or more objects."""
        seen: dict[tuple[int, int], int] = {}
        for a in self.assignments:
            seen[(a.row, a.col)] = seen.get((a.row, a.col), 0) + 1
        return [c for c, n in seen.items() if n > 1]


def _label(v: int | str) -> int:
    if isinstance(v, str):
        if v not in SANDBOX_CLASSES:
            raise ValueError(_("unknown class '{name}'; choose pedestrian, car or motorcycle").format(name=v))
        return SANDBOX_CLASSES.index(v)
    if not 0 <= int(v) < len(SANDBOX_CLASSES):
        raise ValueError(_("class index must be 0, 1 or 2, not {v}").format(v=v))
    return int(v)


def encode_objects(
    objects: Sequence[tuple[int | str, Sequence[float]]],
    grid: int = 3,
    anchors: Sequence[tuple[float, float]] | int = 2,
    image_size: int = 300,
) -> SandboxEncoding:
    """Encode hand-placed objects into y for an S×S grid with 1 or 2 anchors.

    objects: ``(class, (x1, y1, x2, y2))`` with class a name or index of :data:`SANDBOX_CLASSES`,
    boxes in pixels of a square ``image_size`` image. grid: S ≥ 1. anchors: 1 (the tall shape),
    2 (tall and wide), or the (width, height) shapes in cell units (1 or 2 of them, positive).
    b_x, b_y are the midpoint within its cell (0..1); b_h, b_w the size in cell units.
    Raises ``ValueError`` with the reason for bad settings.
    """
    if isinstance(grid, bool) or int(grid) < 1:
        raise ValueError(_("the grid needs at least 1 cell per side, not {s}").format(s=grid))
    if isinstance(anchors, int):
        if anchors not in (1, 2):
            raise ValueError(_("use 1 or 2 anchor boxes, not {n}").format(n=anchors))
        shapes = [ANCHOR_SHAPES["tall"], ANCHOR_SHAPES["wide"]][:anchors]
    else:
        shapes = [(float(w), float(h)) for w, h in anchors]
        if not 1 <= len(shapes) <= 2 or any(w <= 0 or h <= 0 for w, h in shapes):
            raise ValueError(_("give 1 or 2 anchor shapes with positive width and height"))
    objs = tuple(SandboxObject(_label(c), tuple(float(v) for v in box)) for c, box in objects)  # type: ignore[arg-type]
    for o in objs:
        x1, y1, x2, y2 = o.box
        if x2 <= x1 or y2 <= y1:
            raise ValueError(_("a box needs x2 > x1 and y2 > y1, got {box}").format(box=o.box))
    spec = GridSpec(int(grid), int(image_size), tuple(shapes), SANDBOX_CLASSES)
    boxes = np.array([o.box for o in objs], dtype=np.float64).reshape(-1, 4)
    labels = np.array([o.label for o in objs], dtype=np.int64)
    enc = encode_targets(boxes, labels, spec)
    return SandboxEncoding(enc.y, enc.assignments, spec, objs)
