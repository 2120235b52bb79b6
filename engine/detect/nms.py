"""Non-max suppression, step by step, and IoU.

:func:`select` is the hot path (``torchvision.ops.batched_nms``).
:func:`nms_trace` replays the same greedy algorithm one keeper at a time so a
user can watch it; its kept indices equal ``torchvision.ops.nms``'s, including
ties (equal scores keep the lower index first) and degenerate boxes (zero
area: IoU 0 with everything, so never suppressed and never suppressing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torchvision.ops import batched_nms, box_iou, nms

__all__ = ["NmsStep", "NmsTrace", "nms_trace", "iou", "select"]


def _as_tensor(a, cols: int | None = None) -> torch.Tensor:
    t = a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a, dtype=np.float32))
    t = t.float()
    return t.reshape(-1, cols) if cols else t.reshape(-1)


def iou(a, b) -> np.ndarray | float:
    """IoU of xyxy boxes. Two single boxes (4,) give a float; (N, 4) and (M, 4) give (N, M).

    Boxes with zero or negative area have IoU 0 with everything.
    """
    single = np.ndim(a) == 1 and np.ndim(b) == 1
    ta, tb = _as_tensor(a, 4), _as_tensor(b, 4)
    out = torch.nan_to_num(box_iou(ta, tb), nan=0.0).clamp_(min=0.0)
    # torchvision's IoU of a degenerate box with itself is 0/0: define it as 0.
    return float(out[0, 0]) if single else out.numpy()


@dataclass
class NmsStep:
    """One greedy step: ``keeper`` (index into the input) is kept; ``candidates``
    are the boxes still in play after it, with their ``ious`` with the keeper;
    ``suppressed`` are those whose IoU exceeded the threshold (removed now)."""

    keeper: int
    candidates: list[int]
    ious: list[float]
    suppressed: list[int]


@dataclass
class NmsTrace:
    """The whole run: ``kept`` (indices, best first, same as ``torchvision.ops.nms``) and ``steps``."""

    kept: list[int]
    steps: list[NmsStep]
    iou_threshold: float


def nms_trace(boxes, scores, iou_threshold: float) -> NmsTrace:
    """Greedy NMS with every step recorded.

    boxes: (N, 4) xyxy; scores: (N,). Visits boxes by descending score (ties:
    lower index first, like torchvision), keeps the best remaining one and
    suppresses every remaining box whose IoU with it is strictly greater than
    ``iou_threshold``.
    """
    tb, ts = _as_tensor(boxes, 4), _as_tensor(scores)
    n = int(tb.shape[0])
    if n == 0:
        return NmsTrace([], [], float(iou_threshold))
    # stable descending sort: equal scores keep index order, as torchvision's kernels do
    order = torch.sort(ts, descending=True, stable=True).indices.tolist()
    ious = box_iou(tb, tb)  # (N, N); NaN for a degenerate box with itself
    ious = torch.nan_to_num(ious, nan=0.0).numpy()
    alive = np.ones(n, dtype=bool)
    kept: list[int] = []
    steps: list[NmsStep] = []
    for i in order:
        if not alive[i]:
            continue
        kept.append(i)
        alive[i] = False
        rest = [j for j in order if alive[j]]
        values = [float(ious[i, j]) for j in rest]
        gone = [j for j, v in zip(rest, values) if v > iou_threshold]
        for j in gone:
            alive[j] = False
        steps.append(NmsStep(i, rest, values, gone))
    return NmsTrace(kept, steps, float(iou_threshold))


def select(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    labels: torch.Tensor,
    iou_threshold: float,
    class_agnostic: bool = False,
    max_detections: int | None = None,
) -> torch.Tensor:
    """Indices of the boxes kept by NMS, best first (the hot path).

    Per-class NMS (``batched_nms``) unless ``class_agnostic``; then the first
    ``max_detections``. boxes (M, 4), scores (M,), labels (M,) -> (N,) int64.
    """
    if boxes.numel() == 0:
        return torch.zeros((0,), dtype=torch.int64, device=boxes.device)
    boxes, scores = boxes.float(), scores.float()
    if class_agnostic:
        keep = nms(boxes, scores, float(iou_threshold))
    else:
        keep = batched_nms(boxes, scores, labels, float(iou_threshold))
    if max_detections is not None and max_detections >= 0:
        keep = keep[: int(max_detections)]
    return keep
