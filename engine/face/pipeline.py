"""From a photo to face descriptors: detect → 5 landmarks → aligned chip → 128-D descriptor.

``FacePipeline(detector="mmod"|"haar").analyze(image)`` returns one
:class:`Face` per detected face. The detector is dlib's CNN (MMOD) face
detector ported to PyTorch, or OpenCV's Haar frontal-face cascade (faster on
a CPU, frontal faces only); either way the landmarks come from dlib's 5-point
shape predictor and the descriptors from dlib's ResNet, all chips of one
image embedded in a single batch.

Enrollment wants exactly one usable face: :meth:`FacePipeline.enrollment_face`
raises :class:`NoFaceFound`, :class:`SeveralFaces` (with the faces, so the
user can pick one) or :class:`FaceTooSmall` with a message to show.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from ..device import get_device
from ..io import load_image
from ..i18n import _

__all__ = [
    "DETECTORS",
    "MIN_FACE_SIZE",
    "MAX_DETECT_SIDE",
    "detection_copy",
    "FaceQuality",
    "Face",
    "FaceError",
    "NoFaceFound",
    "SeveralFaces",
    "FaceTooSmall",
    "FaceModelsUnavailable",
    "HaarDetector",
    "FacePipeline",
    "sharpness",
    "face_at",
    "face_distance",
    "FaceAnalyzer",
]

#: Detector names accepted by :class:`FacePipeline`.
DETECTORS = ("mmod", "haar")
#: Smallest face (shorter box side, pixels) accepted for enrollment by default.
MIN_FACE_SIZE = 48
#: Longest side, in pixels, of the image a detector works on (after its own upsampling).
#: Larger photos are searched on a downscaled copy (boxes mapped back to original pixels;
#: landmarks and chips come from the original), so memory stays bounded whatever the photo's size.
MAX_DETECT_SIDE = 2000


@dataclass(frozen=True)
class FaceQuality:
    """size: the shorter side of the face box in image pixels; sharpness: variance of the Laplacian of the chip."""

    size: float
    sharpness: float


@dataclass
class Face:
    """One detected face.

    box: float32 (4,) xyxy in original image pixels; score: detector confidence;
    landmarks: float32 (5, 2) x, y in image pixels; chip: uint8 (150, 150, 3)
    aligned RGB; descriptor: float32 (128,) (dlib's scale, not normalised).
    """

    box: np.ndarray
    score: float
    landmarks: np.ndarray
    chip: np.ndarray
    descriptor: np.ndarray
    quality: FaceQuality


def _label(label: str | None) -> str:
    """The photo's name for a message, or "the image" in the current language."""
    return label if label else _("the image")


class FaceError(ValueError):
    """A photo cannot be used for enrollment; the message says why."""


class NoFaceFound(FaceError):
    def __init__(self, label: str | None = None):
        super().__init__(
            _("No face found in {image}. Use a photo where the face is frontal, well lit, not covered and at least "
              "80 pixels across (the CNN detector misses smaller faces; the Haar detector finds them down to about 20).").format(
                image=_label(label))
        )


class SeveralFaces(FaceError):
    """More than one face: ``faces`` holds them so the user can choose."""

    def __init__(self, faces: list[Face], label: str | None = None):
        self.faces = faces
        super().__init__(_("{n} faces found in {image}: choose the one to enroll.").format(n=len(faces), image=_label(label)))


class FaceTooSmall(FaceError):
    def __init__(self, size: float, minimum: float, label: str | None = None):
        self.size = size
        super().__init__(
            _("The face in {image} is only {size:.0f} pixels across; at least {minimum:.0f} are needed. "
              "Use a larger or closer photo.").format(image=_label(label), size=size, minimum=minimum)
        )


class FaceModelsUnavailable(RuntimeError):
    """dlib's face models could not be loaded (the message says which and why)."""


def sharpness(chip: np.ndarray) -> float:
    """Variance of the Laplacian of the grayscale image: higher is sharper (blur drives it towards 0)."""
    import cv2

    gray = cv2.cvtColor(np.ascontiguousarray(chip), cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def face_at(faces: Sequence[Face], x: float, y: float) -> int | None:
    """Index of the face whose box contains (x, y) (the smallest such box), or None."""
    hits = [
        (float((f.box[2] - f.box[0]) * (f.box[3] - f.box[1])), i)
        for i, f in enumerate(faces)
        if f.box[0] <= x <= f.box[2] and f.box[1] <= y <= f.box[3]
    ]
    return min(hits)[1] if hits else None


class HaarDetector:
    """OpenCV's frontal-face Haar cascade. ``detect(rgb)`` → (boxes float32 (K, 4) xyxy, scores float32 (K,)).

    Large images are searched at most ``max_side`` pixels wide (boxes are
    mapped back to original pixels); the score is the cascade's final-stage
    weight (higher is more face-like).
    """

    def __init__(self, max_side: int = 1024, min_neighbors: int = 5, scale_factor: float = 1.1):
        import cv2

        path = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
        self._cascade = cv2.CascadeClassifier(path)
        if self._cascade.empty():
            raise FaceModelsUnavailable(_("OpenCV's face cascade could not be loaded from {path}").format(path=path))
        self.max_side = max_side
        self.min_neighbors = min_neighbors
        self.scale_factor = scale_factor
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        import cv2

        h, w = image.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        gray = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
        if scale < 1.0:
            gray = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        gray = cv2.equalizeHist(gray)
        with self._lock:
            rects, _, weights = self._cascade.detectMultiScale3(
                gray, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors, minSize=(20, 20), outputRejectLevels=True
            )
        if len(rects) == 0:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
        r = np.asarray(rects, dtype=np.float32) / scale
        boxes = np.stack([r[:, 0], r[:, 1], r[:, 0] + r[:, 2], r[:, 1] + r[:, 3]], axis=1)
        scores = np.asarray(weights, dtype=np.float32).reshape(-1)
        order = np.argsort(-scores)
        return boxes[order], scores[order]


class FacePipeline:
    """Detect, align and describe faces.

    detector: ``"mmod"`` (dlib's CNN detector, default) or ``"haar"`` (OpenCV).
    device: where the CNNs run (default: the app's device preference).
    upsample: MMOD only -- double the image this many times before detecting
    (finds faces down to ~40 px with 1, ~20 px with 2; slower).
    Models load on first use; failures raise :class:`FaceModelsUnavailable`.
    """

    def __init__(self, detector: str = "mmod", device: torch.device | str | None = None, upsample: int = 0):
        if detector not in DETECTORS:
            raise ValueError(_("unknown face detector {detector}; choose one of {choices}").format(
                detector=repr(detector), choices=", ".join(DETECTORS)))
        self.detector_name = detector
        self.upsample = int(upsample)
        self.device = torch.device(device) if device is not None else get_device()
        self._detector = None
        self._predictor = None
        self._embedder = None
        self._lock = threading.RLock()

    # -- components (loaded lazily) ----------------------------------------

    @property
    def model_id(self) -> str:
        """Id of the embedding model, stored with every enrolled sample."""
        from .db import DEFAULT_MODEL_ID

        return str(getattr(self.embedder, "model_id", DEFAULT_MODEL_ID))

    @property
    def detector(self):
        with self._lock:
            if self._detector is None:
                self._detector = HaarDetector() if self.detector_name == "haar" else _load("mmod", self.device)
            return self._detector

    @property
    def predictor(self):
        with self._lock:
            if self._predictor is None:
                self._predictor = _load("landmarks", self.device)
            return self._predictor

    @property
    def embedder(self):
        with self._lock:
            if self._embedder is None:
                self._embedder = _load("resnet", self.device)
            return self._embedder

    # -- stages ---------------------------------------------------------------

    def detect(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Face boxes float32 (K, 4) xyxy in image pixels and scores (K,), best first.

        The detector sees at most :data:`MAX_DETECT_SIDE` pixels on the long side
        (counting MMOD's upsampling); larger photos are searched downscaled.
        """
        image = _check_image(image)
        small, scale = detection_copy(image, self.upsample if self.detector_name == "mmod" else 0)
        boxes, scores = _detect(self.detector, small, self.upsample)
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        if scale != 1.0:
            boxes = boxes / np.float32(scale)
        return boxes, np.asarray(scores, np.float32).reshape(-1)

    def embed_chips(self, chips: np.ndarray) -> np.ndarray:
        """uint8 (N, 150, 150, 3) aligned chips → float32 (N, 128) descriptors (one batch)."""
        chips = np.asarray(chips, dtype=np.uint8)
        if chips.shape[0] == 0:
            return np.zeros((0, 128), np.float32)
        return np.asarray(self.embedder.embed_chips(chips), dtype=np.float32)

    def describe(self, image: np.ndarray, boxes: np.ndarray, scores: np.ndarray | None = None) -> list[Face]:
        """Landmarks, chips and (batched) descriptors for given boxes (K, 4)."""
        image = _check_image(image)
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        if scores is None:
            scores = np.ones(len(boxes), np.float32)
        if len(boxes) == 0:
            return []
        landmarks = [np.asarray(_landmarks(self.predictor, image, b), np.float32).reshape(5, 2) for b in boxes]
        # dlib keeps landmarks as whole pixels when it aligns; doing the same reproduces its chips
        chips = np.stack([np.asarray(_align(image, np.floor(lm + 0.5)), np.uint8) for lm in landmarks])
        descriptors = self.embed_chips(chips)
        faces = []
        for b, s, lm, chip, desc in zip(boxes, scores, landmarks, chips, descriptors):
            size = float(min(b[2] - b[0], b[3] - b[1]))
            faces.append(Face(b.copy(), float(s), lm, chip, desc.astype(np.float32), FaceQuality(size, sharpness(chip))))
        return faces

    def analyze(self, image: np.ndarray) -> list[Face]:
        """Every face in an (H, W, 3) uint8 RGB image, best detection first."""
        boxes, scores = self.detect(image)
        return self.describe(image, boxes, scores)

    def analyze_file(self, path: str | os.PathLike) -> list[Face]:
        """:meth:`analyze` on an image file (raises :class:`engine.io.ImageLoadError` for unreadable files)."""
        return self.analyze(load_image(path))

    def enrollment_face(
        self,
        image: np.ndarray,
        label: str | None = None,
        pick: tuple[float, float] | int | None = None,
        min_size: float = MIN_FACE_SIZE,
    ) -> Face:
        """The one face to enroll from a photo.

        ``pick`` chooses among several faces: an index, or an (x, y) point in
        image pixels inside the wanted face's box. Raises :class:`NoFaceFound`,
        :class:`SeveralFaces` (no or an unmatched pick) or :class:`FaceTooSmall`.
        """
        image = _check_image(image)
        boxes, scores = self.detect(image)
        if len(boxes) == 0:
            raise NoFaceFound(label)
        if len(boxes) > 1:
            index = pick if isinstance(pick, (int, np.integer)) else None
            if isinstance(pick, tuple):
                index = face_at([Face(b, 0, None, None, None, None) for b in boxes], *pick)  # type: ignore[arg-type]
            if index is None or not 0 <= index < len(boxes):
                raise SeveralFaces(self.describe(image, boxes, scores), label)
            boxes, scores = boxes[index : index + 1], scores[index : index + 1]
        size = float(min(boxes[0][2] - boxes[0][0], boxes[0][3] - boxes[0][1]))
        if size < min_size:
            raise FaceTooSmall(size, min_size, label)
        return self.describe(image, boxes, scores)[0]


def detection_copy(image: np.ndarray, upsample: int = 0, max_side: int = MAX_DETECT_SIDE) -> tuple[np.ndarray, float]:
    """``image`` shrunk (area interpolation) so its long side times 2**upsample is at most ``max_side``.

    Returns (copy, scale) with scale <= 1 (the image itself and 1.0 when small enough):
    a box found in the copy is ``box / scale`` in the original's pixels.
    """
    import cv2

    h, w = image.shape[:2]
    scale = min(1.0, max_side / (max(h, w) * 2 ** int(upsample)))
    if scale >= 1.0:
        return image, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    # the scale actually applied, per axis rounding aside
    return small, size[0] / w


def _check_image(image: np.ndarray) -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise ValueError(_("expected an (H, W, 3) uint8 RGB image, got {shape} {dtype}").format(shape=arr.shape, dtype=arr.dtype))
    return np.ascontiguousarray(arr)


# -- the ported dlib models ----------------------------------------------------


def _load(part: str, device: torch.device):
    """Load one of the ported dlib models ("mmod", "landmarks", "resnet")."""
    try:
        if part == "resnet":
            from .resnet import Embedder

            return Embedder(device=device)
        if part == "mmod":
            from .mmod import MMODFaceDetector

            return MMODFaceDetector(device=device)
        from .landmarks import ShapePredictor

        return ShapePredictor()
    except ImportError as exc:
        raise FaceModelsUnavailable(_("dlib's face models are not available in this build ({reason}).").format(reason=exc)) from None
    except Exception as exc:  # missing or unreadable model file, etc.
        raise FaceModelsUnavailable(_("dlib's {part} model could not be loaded: {reason}").format(part=part, reason=exc)) from exc


def _detect(detector, image: np.ndarray, upsample: int = 0) -> tuple[np.ndarray, np.ndarray]:
    out = detector.detect(image) if isinstance(detector, HaarDetector) else detector.detect(image, 0.0, upsample)
    if isinstance(out, tuple):
        return out
    boxes = np.asarray([d.box for d in out], np.float32).reshape(-1, 4)
    scores = np.asarray([d.score for d in out], np.float32)
    return boxes, scores


def _landmarks(predictor, image: np.ndarray, box: np.ndarray) -> np.ndarray:
    return predictor.predict(image, tuple(float(v) for v in box))


def _align(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    from .align import align_face

    return align_face(image, landmarks)


def face_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances between descriptors a (128,) or (N, 128) and b (128,) or (M, 128) → (N, M)."""
    a, b = np.atleast_2d(a).astype(np.float32), np.atleast_2d(b).astype(np.float32)
    return np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)


class FaceAnalyzer(FacePipeline):
    """The MMOD pipeline with dlib's detector options per call.

    ``analyze(image, threshold=0.0, upsample=0, boxes=None)``: ``threshold`` is
    dlib's ``adjust_threshold`` (lower finds more, less certain faces),
    ``upsample`` doubles the image that many times first (smaller faces);
    ``boxes`` (objects with ``.box`` and ``.score``) skip detection.
    """

    def __init__(self, device: torch.device | str | None = None):
        super().__init__("mmod", device)

    def detect_boxes(self, image: np.ndarray, threshold: float = 0.0, upsample: int = 0) -> list:
        """MMOD detections (``FaceBox`` with ``.box``, ``.score``), best first."""
        return self.detector.detect(_check_image(image), threshold, upsample)

    def analyze(self, image: np.ndarray, threshold: float = 0.0, upsample: int = 0, boxes: Sequence | None = None) -> list[Face]:  # type: ignore[override]
        image = _check_image(image)
        found = self.detect_boxes(image, threshold, upsample) if boxes is None else list(boxes)
        if not found:
            return []
        return self.describe(image, np.asarray([f.box for f in found], np.float32), np.asarray([f.score for f in found], np.float32))
