"""The detector interface: what every detector returns and how it is called.

A detector turns one RGB frame into a :class:`Detections` record holding both
the *raw* candidate boxes (after the score threshold, before non-max
suppression) and the *kept* boxes (after NMS). Implementations only supply
:meth:`Detector.candidates`; the shared :meth:`Detector.detect` applies the
class filter, NMS (``torchvision.ops.batched_nms``) and the detection cap, so
every detector behaves the same under the panel's sliders.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import torch
from ..i18n import _

__all__ = ["Detections", "Candidates", "Detector", "DetectorError", "TIMING_KEYS"]

#: Keys of :attr:`Detections.timings` (milliseconds).
TIMING_KEYS = ("preprocess_ms", "model_ms", "nms_ms")


class DetectorError(RuntimeError):
    """A detector could not be built or run (bad name, bad weights file, bad input)."""


def _f32(a: Any, cols: int | None = None) -> np.ndarray:
    arr = a.detach().float().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a, dtype=np.float32)
    arr = arr.astype(np.float32, copy=False)
    if cols is not None:
        arr = arr.reshape(-1, cols)
    return arr


def _i64(a: Any) -> np.ndarray:
    arr = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    return arr.astype(np.int64, copy=False).reshape(-1)


@dataclass
class Candidates:
    """A detector's raw output for one image, before NMS.

    boxes: (M, 4) float32 xyxy in original image pixels.
    scores: (M,) float32 in [0, 1] (HOG's SVM margins are squashed into that range).
    labels: (M,) int64 indices into the detector's ``class_names``.
    timings: at least ``preprocess_ms`` and ``model_ms``.
    nms_boxes: optional (M, 4) boxes NMS should compare instead of ``boxes``
    (torchvision models run NMS at the network's input scale; IoU does not
    change under scaling, but using the same numbers keeps results bit-identical).
    """

    boxes: torch.Tensor
    scores: torch.Tensor
    labels: torch.Tensor
    timings: dict[str, float] = field(default_factory=dict)
    nms_boxes: torch.Tensor | None = None


@dataclass
class Detections:
    """Boxes found in one image, before and after non-max suppression.

    boxes: (N, 4) float32 xyxy in original image pixels, kept after NMS, best first.
    scores: (N,) float32.  labels: (N,) int64 indices into ``class_names``.
    raw_boxes / raw_scores / raw_labels: (M, ...) the candidates before NMS
    (after the score threshold and class filter), in the detector's order.
    kept_indices: (N,) int64 positions of the kept boxes in the raw arrays.
    class_names: index -> name for ``labels``.
    image_size: (height, width) of the image the boxes refer to.
    timings: ``preprocess_ms``, ``model_ms``, ``nms_ms`` (and any extra a detector adds).
    detector: the detector's registry name.  random_weights: True when the
    model was built with random weights (pipeline tests only: boxes are meaningless).
    """

    boxes: np.ndarray
    scores: np.ndarray
    labels: np.ndarray
    class_names: Sequence[str]
    raw_boxes: np.ndarray
    raw_scores: np.ndarray
    raw_labels: np.ndarray
    kept_indices: np.ndarray
    image_size: tuple[int, int]
    timings: dict[str, float] = field(default_factory=dict)
    detector: str = ""
    random_weights: bool = False

    def __len__(self) -> int:
        return int(self.boxes.shape[0])

    @property
    def num_raw(self) -> int:
        return int(self.raw_boxes.shape[0])

    def label_name(self, label: int) -> str:
        """The class name of ``label`` (``"class N"`` when out of range)."""
        return self.class_names[label] if 0 <= label < len(self.class_names) else f"class {label}"

    @classmethod
    def empty(cls, image_size: tuple[int, int], class_names: Sequence[str] = (), detector: str = "") -> "Detections":
        """A record with no boxes."""
        z4, z = np.zeros((0, 4), np.float32), np.zeros((0,), np.float32)
        zi = np.zeros((0,), np.int64)
        return cls(z4, z, zi, list(class_names), z4.copy(), z.copy(), zi.copy(), zi.copy(), tuple(image_size), {k: 0.0 for k in TIMING_KEYS}, detector)

    def to_dict(self, include_raw: bool = True) -> dict[str, Any]:
        """A JSON-ready dict (lists of floats, rounded to 0.01 px / 1e-4 score)."""
        def box_list(boxes, scores, labels):
            return [
                {"box": [round(float(v), 2) for v in b], "score": round(float(s), 4), "label": int(l), "class": self.label_name(int(l))}
                for b, s, l in zip(boxes, scores, labels)
            ]

        out: dict[str, Any] = {
            "detector": self.detector,
            "weights": "random" if self.random_weights else "trained",
            "image_size": list(self.image_size),
            "kept": box_list(self.boxes, self.scores, self.labels),
            "timings": {k: round(float(v), 3) for k, v in self.timings.items()},
        }
        if include_raw:
            out["raw"] = box_list(self.raw_boxes, self.raw_scores, self.raw_labels)
        return out


class Detector(ABC):
    """Base class of every detector.

    Subclasses set ``name``, ``class_names``, ``device`` and ``random_weights``
    and implement :meth:`candidates`. ``anchor_sets`` is optional (the anchors view).
    """

    name: str = ""
    class_names: list[str] = []
    device: torch.device = torch.device("cpu")
    random_weights: bool = False
    #: score and NMS IoU thresholds used by default in the panel and CLI
    default_score: float = 0.5
    default_iou: float = 0.5

    @abstractmethod
    def candidates(self, image: np.ndarray, score_threshold: float) -> Candidates:
        """Raw candidates for ``image`` ((H, W, 3) uint8 RGB): every box whose score
        exceeds ``score_threshold`` (and survives the model's own per-class top-k), before NMS."""

    def detect(
        self,
        image: np.ndarray,
        score_threshold: float = 0.5,
        iou_threshold: float = 0.5,
        class_agnostic: bool = False,
        classes: Sequence[int] | None = None,
        max_detections: int = 100,
    ) -> Detections:
        """Detect objects in ``image`` ((H, W, 3) uint8 RGB).

        Candidates above ``score_threshold`` whose label is in ``classes`` (all
        when ``None``) go through NMS at ``iou_threshold`` -- per class, or over
        all classes together when ``class_agnostic`` -- and the best
        ``max_detections`` are kept.
        """
        from .nms import select

        check_image(image)
        cand = self.candidates(image, float(score_threshold))
        boxes, scores, labels = cand.boxes, cand.scores, cand.labels
        nms_boxes = cand.nms_boxes if cand.nms_boxes is not None else boxes
        if classes is not None:
            wanted = torch.as_tensor(list(classes), dtype=torch.int64, device=labels.device)
            mask = torch.isin(labels, wanted)
            boxes, scores, labels, nms_boxes = boxes[mask], scores[mask], labels[mask], nms_boxes[mask]
        t0 = time.perf_counter()
        keep = select(nms_boxes, scores, labels, iou_threshold, class_agnostic, max_detections)
        keep_np = _i64(keep)
        raw_b, raw_s, raw_l = _f32(boxes, 4), _f32(scores), _i64(labels)
        nms_ms = (time.perf_counter() - t0) * 1000.0
        timings = {"preprocess_ms": 0.0, "model_ms": 0.0, **cand.timings, "nms_ms": nms_ms}
        return Detections(
            boxes=raw_b[keep_np], scores=raw_s[keep_np], labels=raw_l[keep_np], class_names=self.class_names,
            raw_boxes=raw_b, raw_scores=raw_s, raw_labels=raw_l, kept_indices=keep_np,
            image_size=(int(image.shape[0]), int(image.shape[1])), timings=timings,
            detector=self.name, random_weights=bool(self.random_weights),
        )

    def anchor_sets(self, image_size: tuple[int, int]) -> list[dict[str, Any]] | None:
        """Anchors the model would use on an image of ``image_size`` (H, W): one dict per
        feature level with ``stride`` (y, x), ``grid`` (rows, cols) and ``boxes``
        ((rows*cols*A, 4) xyxy in image pixels, cell-major). ``None`` when the detector has none."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} on {self.device}{' (random weights)' if self.random_weights else ''}>"


def check_image(image: Any) -> None:
    """Raise :class:`DetectorError` unless ``image`` is an (H, W, 3) uint8 array."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", type(image).__name__)
        raise DetectorError(_("expected an (H, W, 3) uint8 RGB image, got shape {shape} dtype {dtype}").format(shape=shape, dtype=dtype))
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise DetectorError(_("the image is empty"))
