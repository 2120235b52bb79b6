"""mAP on hand-worked cases: perfect, shifted, missed, duplicate and mislabelled detections."""

from __future__ import annotations

import numpy as np
import pytest

from engine.yolo.metrics import COCO_THRESHOLDS, ImageDetections, average_precision, evaluate_map


def gt(boxes, labels):
    return ImageDetections(np.array(boxes, np.float32).reshape(-1, 4), np.array(labels, np.int64))


def det(boxes, labels, scores):
    return ImageDetections(np.array(boxes, np.float32).reshape(-1, 4), np.array(labels, np.int64), np.array(scores, np.float32))


def test_perfect_detections_score_one():
    g = [gt([[0, 0, 10, 10], [20, 20, 40, 30]], [0, 1]), gt([[5, 5, 15, 25]], [0])]
    p = [det([[0, 0, 10, 10], [20, 20, 40, 30]], [0, 1], [0.9, 0.8]), det([[5, 5, 15, 25]], [0], [0.7])]
    r = evaluate_map(p, g)
    assert r.map50 == pytest.approx(1.0) and r.map50_95 == pytest.approx(1.0)
    assert r.per_class50 == {0: pytest.approx(1.0), 1: pytest.approx(1.0)}
    assert r.num_objects == 3


def test_shifted_box_counts_only_at_low_thresholds():
    # ground truth [0, 0, 10, 10]; prediction shifted by 2 px -> IoU = 80 / 120 = 0.667
    g = [gt([[0, 0, 10, 10]], [0])]
    p = [det([[2, 0, 12, 10]], [0], [0.9])]
    r = evaluate_map(p, g)
    assert r.map50 == pytest.approx(1.0)
    # matched at 0.50, 0.55, 0.60, 0.65 (IoU 0.667); missed from 0.70 up: 4 of 10
    assert r.map50_95 == pytest.approx(0.4)


def test_missed_object_halves_recall():
    # two objects, one found: precision 1 up to recall 0.5 -> AP 0.5
    g = [gt([[0, 0, 10, 10], [50, 50, 60, 60]], [0, 0])]
    p = [det([[0, 0, 10, 10]], [0], [0.9])]
    assert evaluate_map(p, g).map50 == pytest.approx(0.5)


def test_duplicate_detection_is_a_false_positive():
    g = [gt([[0, 0, 10, 10], [50, 50, 60, 60]], [0, 0])]
    # scores: 0.9 TP (obj 1), 0.8 duplicate of obj 1 (FP), 0.7 TP (obj 2)
    # precision/recall: (1, .5), (.5, .5), (.667, 1) -> interpolated AP = .5*1 + .5*.667
    p = [det([[0, 0, 10, 10], [0, 0, 10, 11], [50, 50, 60, 60]], [0, 0, 0], [0.9, 0.8, 0.7])]
    assert evaluate_map(p, g).map50 == pytest.approx(0.5 + 0.5 * 2 / 3)
    # the duplicate ranked last does not hurt: all objects are found before it
    p2 = [det([[0, 0, 10, 10], [0, 0, 10, 11], [50, 50, 60, 60]], [0, 0, 0], [0.9, 0.6, 0.7])]
    assert evaluate_map(p2, g).map50 == pytest.approx(1.0)


def test_wrong_class_and_false_alarm_ranked_first():
    g = [gt([[0, 0, 10, 10]], [0])]
    # a confident false alarm elsewhere, then the right box: precision 1/2 at recall 1
    p = [det([[30, 30, 40, 40], [0, 0, 10, 10]], [0, 0], [0.95, 0.5])]
    assert evaluate_map(p, g).map50 == pytest.approx(0.5)
    # right place, wrong class: class 0 has no true positive
    p = [det([[0, 0, 10, 10]], [1], [0.9])]
    assert evaluate_map(p, g).map50 == pytest.approx(0.0)


def test_average_precision_is_monotone_interpolated():
    # TP, FP, TP with 2 ground truths: raw precision 1, .5, .667 -> interpolated 1 then .667
    assert average_precision(np.array([True, False, True]), np.array([3.0, 2.0, 1.0]), 2) == pytest.approx(0.5 + 0.5 * 2 / 3)
    assert average_precision(np.array([], bool), np.array([]), 3) == 0.0
    assert average_precision(np.array([True]), np.array([1.0]), 0) == 0.0


def test_thresholds_and_errors():
    assert COCO_THRESHOLDS[0] == 0.5 and COCO_THRESHOLDS[-1] == 0.95 and len(COCO_THRESHOLDS) == 10
    with pytest.raises(ValueError):
        evaluate_map([], [gt([[0, 0, 1, 1]], [0])])
    with pytest.raises(ValueError):
        evaluate_map([gt([[0, 0, 1, 1]], [0])], [gt([[0, 0, 1, 1]], [0])])
