"""Mean average precision for detections, written out step by step.

For each class, detections from all images are sorted by score (highest
first). Each one is matched to the unmatched ground-truth box of the same
class and image with which it has the highest IoU; it is a true positive when
that IoU is at least the threshold, otherwise (or when every such box is
already taken) a false positive -- so a duplicate detection of an already
found object counts against precision. Average precision is the area under the
precision-recall curve after making precision monotonically non-increasing
(all-point interpolation, as in PASCAL VOC 2010+). mAP averages AP over the
classes that have ground truth; mAP@[.5:.95] further averages over IoU
thresholds 0.50, 0.55, ..., 0.95 (the COCO convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch
from torchvision.ops import box_iou

__all__ = ["ImageDetections", "MapResult", "average_precision", "evaluate_map", "COCO_THRESHOLDS"]

#: IoU thresholds of mAP@[.5:.95].
COCO_THRESHOLDS: tuple[float, ...] = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))


@dataclass(frozen=True)
class ImageDetections:
    """Boxes of one image: boxes (N, 4) xyxy, labels (N,), scores (N,) (1 for ground truth)."""

    boxes: np.ndarray
    labels: np.ndarray
    scores: np.ndarray | None = None


@dataclass(frozen=True)
class MapResult:
    """map50: mAP at IoU 0.5. map50_95: mean over :data:`COCO_THRESHOLDS`.
    per_class50: AP@0.5 per class index (classes with ground truth only).
    """

    map50: float
    map50_95: float
    per_class50: dict[int, float] = field(default_factory=dict)
    num_images: int = 0
    num_objects: int = 0


def average_precision(tp: np.ndarray, scores: np.ndarray, num_gt: int) -> float:
    """AP from per-detection true-positive flags (any order) and scores.

    tp: (D,) bool; scores: (D,); num_gt: ground-truth count of the class.
    Returns 0 when ``num_gt`` is 0.
    """
    if num_gt == 0:
        return 0.0
    order = np.argsort(-np.asarray(scores, np.float64), kind="stable")
    tp = np.asarray(tp, bool)[order]
    ctp = np.cumsum(tp)
    cfp = np.cumsum(~tp)
    recall = ctp / num_gt
    precision = ctp / np.maximum(ctp + cfp, 1)
    r = np.concatenate([[0.0], recall, [recall[-1] if len(recall) else 0.0]])
    p = np.concatenate([[0.0], precision, [0.0]])
    for i in range(len(p) - 2, -1, -1):
        p[i] = max(p[i], p[i + 1])
    steps = np.flatnonzero(r[1:] != r[:-1])
    return float(np.sum((r[steps + 1] - r[steps]) * p[steps + 1]))


def _match(preds: Sequence[ImageDetections], gts: Sequence[ImageDetections], cls: int, thresholds: Sequence[float]):
    """True-positive flags (D, T) and scores (D,) of class ``cls`` for each threshold."""
    entries = []  # (score, image index, det index)
    for i, p in enumerate(preds):
        for j in np.flatnonzero(np.asarray(p.labels) == cls):
            entries.append((float(p.scores[j]), i, int(j)))
    entries.sort(key=lambda e: -e[0])
    num_gt = sum(int((np.asarray(g.labels) == cls).sum()) for g in gts)
    tp = np.zeros((len(entries), len(thresholds)), bool)
    ious_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    taken = {}
    for d, (_score, i, j) in enumerate(entries):
        if i not in ious_cache:
            g = gts[i]
            gidx = np.flatnonzero(np.asarray(g.labels) == cls)
            pidx = np.flatnonzero(np.asarray(preds[i].labels) == cls)
            if len(gidx) and len(pidx):
                full = box_iou(torch.as_tensor(preds[i].boxes, dtype=torch.float64), torch.as_tensor(g.boxes, dtype=torch.float64)).numpy()
            else:
                full = np.zeros((len(preds[i].boxes), len(g.boxes)))
            ious_cache[i] = (full, gidx)
            taken[i] = np.zeros((len(thresholds), len(g.boxes)), bool)
        full, gidx = ious_cache[i]
        if not len(gidx):
            continue
        row = full[j, gidx]
        for t, thr in enumerate(thresholds):
            free = ~taken[i][t, gidx]
            cand = np.where(free, row, -1.0)
            best = int(np.argmax(cand))
            if cand[best] >= thr - 1e-12:
                tp[d, t] = True
                taken[i][t, gidx[best]] = True
    scores = np.array([e[0] for e in entries], np.float64)
    return tp, scores, num_gt


def evaluate_map(
    preds: Sequence[ImageDetections],
    gts: Sequence[ImageDetections],
    thresholds: Sequence[float] = COCO_THRESHOLDS,
) -> MapResult:
    """mAP@0.5 and mAP over ``thresholds`` for per-image predictions and ground truth.

    ``preds[i]`` and ``gts[i]`` describe the same image. Raises ``ValueError``
    when the lists differ in length or a prediction has no scores.
    """
    if len(preds) != len(gts):
        raise ValueError(f"{len(preds)} predictions for {len(gts)} images")
    if any(p.scores is None for p in preds):
        raise ValueError("predictions need scores")
    thresholds = list(thresholds)
    if 0.5 not in thresholds:
        thresholds = [0.5] + thresholds
    classes = sorted({int(c) for g in gts for c in np.asarray(g.labels).reshape(-1)})
    per_thr = np.zeros((len(classes), len(thresholds)))
    per_class50 = {}
    for ci, cls in enumerate(classes):
        tp, scores, num_gt = _match(preds, gts, cls, thresholds)
        for t in range(len(thresholds)):
            per_thr[ci, t] = average_precision(tp[:, t], scores, num_gt)
        per_class50[cls] = float(per_thr[ci, thresholds.index(0.5)])
    if not classes:
        return MapResult(0.0, 0.0, {}, len(gts), 0)
    i50 = thresholds.index(0.5)
    coco = [t for t, thr in enumerate(thresholds) if thr in COCO_THRESHOLDS] or list(range(len(thresholds)))
    return MapResult(
        map50=float(per_thr[:, i50].mean()),
        map50_95=float(per_thr[:, coco].mean()),
        per_class50=per_class50,
        num_images=len(gts),
        num_objects=int(sum(len(np.asarray(g.labels).reshape(-1)) for g in gts)),
    )
