"""Object detection: one interface over torchvision's COCO detectors, OpenCV's
HOG and Haar detectors and models trained in the app; NMS you can watch; video
sources and a latest-frame-wins pipeline.

    from engine.detect import create_detector
    det = create_detector("haar_face")                  # offline
    d = det.detect(rgb, score_threshold=0.5, iou_threshold=0.5)
    d.boxes, d.scores, d.labels      # kept after NMS, xyxy in image pixels
    d.raw_boxes, d.raw_scores        # candidates before NMS
"""

from __future__ import annotations

from .nms import HandNms, NmsStep, NmsTrace, iou, nms_by_hand, nms_trace, select
from .registry import (
    DETECTOR_MODULES,
    DETECTORS,
    WEIGHTS_CHOICES,
    DetectorSpec,
    create_detector,
    detector_choices,
    detector_specs,
    get_spec,
    register_detector,
)
from .types import TIMING_KEYS, Candidates, Detections, Detector, DetectorError, check_image

__all__ = [
    "Detections",
    "Candidates",
    "Detector",
    "DetectorError",
    "TIMING_KEYS",
    "check_image",
    "DETECTORS",
    "DETECTOR_MODULES",
    "detector_choices",
    "DetectorSpec",
    "WEIGHTS_CHOICES",
    "register_detector",
    "create_detector",
    "detector_specs",
    "get_spec",
    "nms_trace",
    "nms_by_hand",
    "HandNms",
    "NmsStep",
    "NmsTrace",
    "iou",
    "select",
]
