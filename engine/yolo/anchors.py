"""Anchor shapes: IoU between box shapes and k-means with a 1 - IoU distance.

A *shape* is a (width, height) pair; two shapes are compared as if both boxes
shared the same centre, so only their sizes matter. This is how YOLOv2 picks
its anchor boxes: k-means over the training boxes' shapes, where the distance
between a box and a centroid is ``1 - IoU`` rather than Euclidean, so large
and small boxes count alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["shape_iou", "kmeans_anchors", "AnchorFit"]


def shape_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of centre-aligned shapes.

    a: (N, 2) widths and heights; b: (M, 2). Returns (N, M) float64.
    """
    a = np.asarray(a, np.float64).reshape(-1, 2)
    b = np.asarray(b, np.float64).reshape(-1, 2)
    inter = np.minimum(a[:, None, 0], b[None, :, 0]) * np.minimum(a[:, None, 1], b[None, :, 1])
    union = (a[:, 0] * a[:, 1])[:, None] + (b[:, 0] * b[:, 1])[None, :] - inter
    return inter / np.maximum(union, 1e-12)


@dataclass(frozen=True)
class AnchorFit:
    """Result of :func:`kmeans_anchors`.

    anchors: (k, 2) (width, height), sorted by area.
    assignment: (N,) index of the nearest anchor for each input shape.
    mean_iou: average IoU between each shape and its nearest anchor.
    iterations: k-means iterations run.
    """

    anchors: np.ndarray
    assignment: np.ndarray
    mean_iou: float
    iterations: int


def kmeans_anchors(shapes: np.ndarray, k: int, seed: int = 0, max_iter: int = 100) -> AnchorFit:
    """Cluster (width, height) shapes into ``k`` anchors with distance ``1 - IoU``.

    Centroids start at k distinct shapes chosen at random (seeded); each
    iteration assigns every shape to the centroid of highest IoU and moves each
    centroid to the median of its members (empty clusters keep their centroid).
    Stops when the assignment no longer changes. Raises ``ValueError`` when
    there are fewer distinct shapes than ``k``.
    """
    shapes = np.asarray(shapes, np.float64).reshape(-1, 2)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    distinct = np.unique(shapes, axis=0)
    if len(distinct) < k:
        raise ValueError(f"need at least {k} distinct box shapes for {k} anchors, got {len(distinct)}")
    if (shapes <= 0).any():
        raise ValueError("box widths and heights must be positive")
    rng = np.random.default_rng(seed)
    centroids = distinct[rng.choice(len(distinct), size=k, replace=False)].copy()
    assignment = np.full(len(shapes), -1)
    iterations = 0
    for iterations in range(1, max_iter + 1):
        new = np.argmax(shape_iou(shapes, centroids), axis=1)
        if np.array_equal(new, assignment):
            break
        assignment = new
        for j in range(k):
            members = shapes[assignment == j]
            if len(members):
                centroids[j] = np.median(members, axis=0)
    order = np.argsort(centroids[:, 0] * centroids[:, 1])
    centroids = centroids[order]
    iou = shape_iou(shapes, centroids)
    assignment = np.argmax(iou, axis=1)
    return AnchorFit(centroids, assignment, float(iou.max(axis=1).mean()), iterations)
