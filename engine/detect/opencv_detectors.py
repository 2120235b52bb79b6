"""Detectors that work offline with no download: OpenCV's HOG people detector and Haar cascades.

HOG: ``detectMultiScale`` with ``groupThreshold=0`` gives every window the
linear SVM accepted, with its margin (weight); those are the raw candidates.
Scores are the margins squashed into 0..1 by ``1 - exp(-margin)`` (monotonic;
margin 0.7 -> 0.5). Kept = our NMS on those candidates.

Haar: ``detectMultiScale3`` with ``minNeighbors=0`` returns every window the
cascade accepted, with its level weight. Scores are those weights squashed into
0..1 by a logistic (``1 / (1 + exp(-weight))``). Kept = our NMS (not OpenCV's
``groupRectangles``), so the IoU slider acts on Haar exactly as on the networks.
A window accepted at one scale overlaps its neighbours heavily, so many raw
boxes collapse into one kept box.
"""

from __future__ import annotations

import os
import time

import cv2
import numpy as np
import torch

from ..i18n import N_, _, join_list
from .registry import register_detector
from .types import Candidates, Detector, DetectorError

__all__ = ["HogPeopleDetector", "HaarDetector", "HAAR_CASCADES"]

#: registry name -> (cascade file in cv2.data.haarcascades, class name, title, min size in px)
HAAR_CASCADES: dict[str, tuple[str, str, str, int]] = {
    "haar_face": ("haarcascade_frontalface_default.xml", "face", N_("Haar cascade: frontal face (offline)"), 24),
    "haar_upper_body": ("haarcascade_upperbody.xml", "upper body", N_("Haar cascade: upper body (offline)"), 30),
    "haar_full_body": ("haarcascade_fullbody.xml", "person", N_("Haar cascade: full body (offline)"), 30),
    "haar_cat_face": ("haarcascade_frontalcatface.xml", "cat face", N_("Haar cascade: cat face (offline)"), 24),
}

#: longest image side the OpenCV detectors work at (bigger frames are shrunk; boxes map back)
WORK_SIZE = 480


def _shrink(image: np.ndarray, longest: int) -> tuple[np.ndarray, float]:
    h, w = image.shape[:2]
    scale = min(1.0, longest / max(h, w))
    if scale < 1.0:
        image = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return image, scale


def _to_candidates(rects: np.ndarray, scores: np.ndarray, scale: float, timings: dict[str, float]) -> Candidates:
    rects = np.asarray(rects, dtype=np.float32).reshape(-1, 4)
    boxes = np.concatenate([rects[:, :2], rects[:, :2] + rects[:, 2:]], axis=1) / scale
    t = torch.from_numpy(boxes.astype(np.float32))
    s = torch.from_numpy(np.asarray(scores, dtype=np.float32).reshape(-1))
    return Candidates(t, s, torch.zeros(len(t), dtype=torch.int64), timings)


class HogPeopleDetector(Detector):
    """OpenCV's HOG + linear SVM pedestrian detector (Dalal and Triggs), 64x128 windows."""

    default_score = 0.3
    default_iou = 0.3

    def __init__(self, device: torch.device | str = "cpu", work_size: int = WORK_SIZE):
        self.name = "hog_people"
        self.class_names = ["person"]
        self.device = torch.device("cpu")
        self.work_size = work_size
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def candidates(self, image: np.ndarray, score_threshold: float) -> Candidates:
        t0 = time.perf_counter()
        small, scale = _shrink(image, self.work_size)
        gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        t1 = time.perf_counter()
        rects, weights = self._hog.detectMultiScale(gray, hitThreshold=0.0, winStride=(8, 8), padding=(8, 8), scale=1.05, groupThreshold=0)
        t2 = time.perf_counter()
        margins = np.asarray(weights, dtype=np.float32).reshape(-1)
        scores = 1.0 - np.exp(-np.maximum(margins, 0.0))
        keep = scores > score_threshold
        rects = np.asarray(rects).reshape(-1, 4)[keep]
        return _to_candidates(rects, scores[keep], scale, {"preprocess_ms": (t1 - t0) * 1e3, "model_ms": (t2 - t1) * 1e3})


class HaarDetector(Detector):
    """A Viola-Jones Haar cascade shipped with OpenCV (see :data:`HAAR_CASCADES`)."""

    default_score = 0.95
    default_iou = 0.3  # nested windows over one face overlap by less than 0.5

    def __init__(self, name: str, device: torch.device | str = "cpu", work_size: int = WORK_SIZE):
        if name not in HAAR_CASCADES:
            raise DetectorError(_("{name!r} is not a Haar cascade; known: {known}").format(name=name, known=join_list(HAAR_CASCADES)))
        filename, cls_name, _title, min_size = HAAR_CASCADES[name]
        path = os.path.join(cv2.data.haarcascades, filename)
        cascade = cv2.CascadeClassifier(path)
        if cascade.empty():
            raise DetectorError(_("OpenCV's cascade file {path} could not be loaded").format(path=path))
        self.name = name
        self.class_names = [cls_name]
        self.device = torch.device("cpu")
        self.work_size = work_size
        self.min_size = min_size
        self._cascade = cascade

    def candidates(self, image: np.ndarray, score_threshold: float) -> Candidates:
        t0 = time.perf_counter()
        small, scale = _shrink(image, self.work_size)
        gray = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
        t1 = time.perf_counter()
        rects, _levels, weights = self._cascade.detectMultiScale3(
            gray, scaleFactor=1.1, minNeighbors=0, minSize=(self.min_size, self.min_size), outputRejectLevels=True
        )
        t2 = time.perf_counter()
        w = np.asarray(weights, dtype=np.float32).reshape(-1)
        scores = 1.0 / (1.0 + np.exp(-w))
        keep = scores > score_threshold
        rects = np.asarray(rects).reshape(-1, 4)[keep]
        return _to_candidates(rects, scores[keep], scale, {"preprocess_ms": (t1 - t0) * 1e3, "model_ms": (t2 - t1) * 1e3})


def _haar_factory(name: str):
    def build(weights: str = "installed", device: torch.device | str = "cpu") -> HaarDetector:
        return HaarDetector(name, device=device)

    return build


register_detector(
    "hog_people", lambda weights="installed", device="cpu": HogPeopleDetector(device=device),
    title=N_("HOG people detector (offline)"), group="opencv",
)
for _name, (_file, _cls, _title, _min) in HAAR_CASCADES.items():
    register_detector(_name, _haar_factory(_name), title=_title, group="opencv")
