"""nms_trace and iou against torchvision.ops."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torchvision.ops import batched_nms, box_iou, nms

from engine.detect import iou, nms_trace, select


def _random_boxes(gen: torch.Generator, n: int, degenerate: float = 0.15) -> torch.Tensor:
    xy = torch.rand(n, 2, generator=gen) * 100
    wh = torch.rand(n, 2, generator=gen) * 40
    flat = torch.rand(n, generator=gen) < degenerate
    wh[flat, torch.randint(0, 2, (int(flat.sum()),), generator=gen)] = 0.0  # zero width or height
    return torch.cat([xy, xy + wh], dim=1)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_kept_equals_torchvision_with_ties_and_degenerate_boxes(seed, threshold):
    gen = torch.Generator().manual_seed(seed)
    for n in (0, 1, 2, 17, 80):
        boxes = _random_boxes(gen, n)
        if n > 3:
            boxes[1] = boxes[0]  # exact duplicate
            boxes[2] = torch.tensor([5.0, 5.0, 5.0, 5.0])  # a point
        scores = torch.randint(0, 4, (n,), generator=gen).float() / 4  # many exact ties
        trace = nms_trace(boxes, scores, threshold)
        assert trace.kept == nms(boxes, scores, threshold).tolist()


def test_steps_record_keepers_suppressed_and_ious():
    gen = torch.Generator().manual_seed(7)
    boxes = _random_boxes(gen, 40, degenerate=0.0)
    scores = torch.rand(40, generator=gen)
    trace = nms_trace(boxes, scores, 0.4)
    ref = box_iou(boxes, boxes)
    assert [s.keeper for s in trace.steps] == trace.kept
    seen = set()
    for step in trace.steps:
        assert step.keeper not in seen
        seen.add(step.keeper)
        for j, value in zip(step.candidates, step.ious):
            assert value == pytest.approx(float(ref[step.keeper, j]), abs=1e-6)
            assert scores[j] <= scores[step.keeper]
        assert step.suppressed == [j for j, v in zip(step.candidates, step.ious) if v > 0.4]
        seen.update(step.suppressed)
    assert seen == set(range(40))  # every box is kept or suppressed exactly once


def test_iou_single_and_matrix():
    assert iou([0, 0, 10, 10], [5, 0, 15, 10]) == pytest.approx(50 / 150)
    assert iou([0, 0, 10, 10], [20, 20, 30, 30]) == 0.0
    assert iou([3, 3, 3, 3], [3, 3, 3, 3]) == 0.0  # degenerate: defined as 0, not NaN
    a = np.array([[0, 0, 4, 4], [1, 1, 3, 3]], np.float32)
    b = np.array([[0, 0, 2, 2], [2, 2, 6, 6], [0, 0, 4, 4]], np.float32)
    np.testing.assert_allclose(iou(a, b), box_iou(torch.from_numpy(a), torch.from_numpy(b)).numpy(), rtol=1e-6)


def test_select_class_aware_and_agnostic():
    gen = torch.Generator().manual_seed(3)
    boxes = _random_boxes(gen, 60, degenerate=0.0)
    scores = torch.rand(60, generator=gen)
    labels = torch.randint(0, 3, (60,), generator=gen)
    assert select(boxes, scores, labels, 0.5).tolist() == batched_nms(boxes, scores, labels, 0.5).tolist()
    assert select(boxes, scores, labels, 0.5, class_agnostic=True).tolist() == nms(boxes, scores, 0.5).tolist()
    assert select(boxes, scores, labels, 0.5, max_detections=4).tolist() == batched_nms(boxes, scores, labels, 0.5)[:4].tolist()
    assert len(select(boxes, scores, labels, 0.5, class_agnostic=True)) <= len(select(boxes, scores, labels, 0.5))
