"""Anchors, target encoding/decoding and assignment of objects to cells and anchors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.yolo.anchors import kmeans_anchors, shape_iou
from engine.yolo.grid import GridSpec, activate, cell_of, decode_grid, encode_targets

CLASSES = ("circle", "square", "triangle", "car")


def spec(anchors=((1.0, 1.0), (3.0, 1.5))):
    return GridSpec(grid=7, input_size=112, anchors=anchors, class_names=CLASSES)


def test_shape_iou_known_values():
    iou = shape_iou(np.array([[2.0, 2.0]]), np.array([[2.0, 2.0], [1.0, 1.0], [4.0, 1.0]]))
    # same shape 1; 1x1 inside 2x2 -> 1/4; 4x1 vs 2x2: inter 2x1=2, union 4+4-2=6
    assert np.allclose(iou, [[1.0, 0.25, 2 / 6]])


def test_kmeans_recovers_clusters_and_beats_one_anchor():
    rng = np.random.default_rng(0)
    square = np.array([1.0, 1.0]) * rng.uniform(0.9, 1.1, (200, 1))
    wide = np.array([4.0, 1.5]) * rng.uniform(0.9, 1.1, (200, 1))
    shapes = np.concatenate([square, wide])
    fit = kmeans_anchors(shapes, 2, seed=1)
    assert np.allclose(fit.anchors[0], [1.0, 1.0], atol=0.1)
    assert np.allclose(fit.anchors[1], [4.0, 1.5], atol=0.3)
    assert (fit.assignment[:200] == 0).all() and (fit.assignment[200:] == 1).all()
    assert fit.mean_iou > kmeans_anchors(shapes, 1, seed=1).mean_iou + 0.2
    with pytest.raises(ValueError):
        kmeans_anchors(np.ones((5, 2)), 2)


def test_object_goes_to_midpoint_cell_and_best_anchor():
    s = spec()
    # wide box centred at (40, 20): cell (row 1, col 2); shape 3 x 1.5 cells -> anchor 1
    boxes = np.array([[40 - 24, 20 - 12, 40 + 24, 20 + 12], [100, 100, 110, 110]], np.float32)
    enc = encode_targets(boxes, np.array([3, 0]), s)
    a0, a1 = enc.assignments
    assert (a0.row, a0.col, a0.anchor) == (1, 2, 1)
    assert (a1.row, a1.col, a1.anchor) == cell_of(105, 105, s) + (0,)
    # the chosen anchor is the one of highest shape IoU
    for a, box in zip(enc.assignments, boxes):
        wh = np.array([[box[2] - box[0], box[3] - box[1]]]) / s.cell
        assert a.anchor == int(np.argmax(shape_iou(wh, s.anchor_array())[0]))
        assert np.allclose(a.anchor_ious, shape_iou(wh, s.anchor_array())[0])
    y = enc.y[1, 2, 1]
    assert y[0] == 1 and np.allclose(y[1:5], [40 / 16 - 2, 20 / 16 - 1, 24 / 16, 48 / 16])
    assert y[5:].tolist() == [0, 0, 0, 1]
    assert enc.y[..., 0].sum() == 2


def test_slot_collision_marks_the_earlier_object_overwritten():
    s = spec()
    boxes = np.array([[2, 2, 14, 14], [4, 4, 15, 15]], np.float32)
    enc = encode_targets(boxes, np.array([0, 1]), s)
    assert enc.assignments[0].overwritten and not enc.assignments[1].overwritten
    assert enc.y[0, 0, 0, 5:].tolist() == [0, 1, 0, 0]


def test_encode_decode_round_trip():
    s = spec()
    rng = np.random.default_rng(3)
    # boxes in distinct cells so no slot collides
    centres = [(8 + 16 * c, 8 + 16 * r) for r, c in [(0, 1), (2, 5), (4, 3), (6, 0), (3, 6)]]
    boxes = []
    for cx, cy in centres:
        w, h = rng.uniform(8, 60), rng.uniform(8, 40)
        cx, cy = cx + rng.uniform(-7, 7), cy + rng.uniform(-7, 7)
        boxes.append([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
    boxes = np.array(boxes, np.float32)
    labels = rng.integers(0, 4, len(boxes))
    enc = encode_targets(boxes, labels, s)
    out_boxes, scores, out_labels, slots = decode_grid(enc.y, s, 0.5)
    order = np.lexsort((slots[:, 1].numpy(), slots[:, 0].numpy()))
    expected = sorted(range(len(boxes)), key=lambda i: (enc.assignments[i].row, enc.assignments[i].col))
    assert np.allclose(out_boxes.numpy()[order], boxes[expected], atol=1e-4)
    assert out_labels.numpy()[order].tolist() == labels[expected].tolist()
    assert torch.allclose(scores, torch.ones_like(scores))


def test_activate_layout():
    s = spec()
    anchors = torch.tensor(s.anchors)
    raw = torch.zeros(7, 7, 2, 9)
    raw[..., 5] = 2.0
    y = activate(raw, anchors)
    assert torch.allclose(y[..., 0], torch.full((7, 7, 2), 0.5))
    assert torch.allclose(y[..., 1:3], torch.full((7, 7, 2, 2), 0.5))
    assert torch.allclose(y[0, 0, :, 3], anchors[:, 1]) and torch.allclose(y[0, 0, :, 4], anchors[:, 0])
    assert torch.allclose(y[..., 5:].sum(-1), torch.ones(7, 7, 2))
    # decoded slot (row 3, col 4, anchor 1): centre of the cell, anchor size
    boxes, scores, labels, slots = decode_grid(y, s)
    i = int(((slots == torch.tensor([3, 4, 1])).all(1)).nonzero()[0])
    cx, cy, w, h = 4.5 * 16, 3.5 * 16, 3.0 * 16, 1.5 * 16
    assert torch.allclose(boxes[i], torch.tensor([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]))
    assert int(labels[i]) == 0
