"""Detect -> landmarks -> align -> describe, in one call."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.device import get_device
from engine.face.align import align_face
from engine.face.landmarks import ShapePredictor
from engine.face.mmod import FaceBox, MMODFaceDetector
from engine.face.resnet import Embedder

__all__ = ["Face", "FaceAnalyzer", "face_distance"]


@dataclass
class Face:
    """One analysed face: ``box`` xyxy in original pixels, detector ``score``, ``landmarks``
    float (5,2) x,y pixels, aligned ``chip`` uint8 (150,150,3) and ``descriptor`` float32 (128,)."""

    box: tuple[float, float, float, float]
    score: float
    landmarks: np.ndarray
    chip: np.ndarray
    descriptor: np.ndarray


def face_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances between descriptors a (128,) or (N,128) and b (M,128) -> (N,M)."""
    a, b = np.atleast_2d(a).astype(np.float32), np.atleast_2d(b).astype(np.float32)
    return np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)


class FaceAnalyzer:
    """All three dlib models on one device. ``analyze(image)`` -> list of :class:`Face`."""

    def __init__(self, device: torch.device | str | None = None):
        self.device = torch.device(device) if device is not None else get_device()
        self.detector = MMODFaceDetector(self.device)
        self.predictor = ShapePredictor()
        self.embedder = Embedder(self.device)

    def detect(self, image: np.ndarray, threshold: float = 0.0, upsample: int = 0) -> list[FaceBox]:
        """Face boxes in ``image`` (H,W,3) uint8 RGB, best first (see :meth:`MMODFaceDetector.detect`)."""
        return self.detector.detect(image, threshold, upsample)

    def analyze(self, image: np.ndarray, threshold: float = 0.0, upsample: int = 0,
                boxes: list[FaceBox] | None = None) -> list[Face]:
        """Detect (unless ``boxes`` are given), landmark, align and describe every face."""
        found = self.detect(image, threshold, upsample) if boxes is None else boxes
        if not found:
            return []
        marks = [self.predictor.predict(image, f.box) for f in found]
        # dlib keeps landmarks as whole pixels before aligning; doing the same gives its chips
        chips = np.stack([align_face(image, np.floor(m + 0.5)) for m in marks])
        desc = self.embedder.embed_chips(chips)
        return [Face(f.box, f.score, m, c, d) for f, m, c, d in zip(found, marks, chips, desc)]
