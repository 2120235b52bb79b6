"""Faces: dlib's pretrained face models in PyTorch (MMOD CNN detector, 5-point landmarks,
alignment and the 128-D descriptor ResNet; same person when distance < 0.6), the
detect → align → describe pipeline, an enrollment database and matching.

The database, matching and pipeline names are imported lazily (``FacePipeline``,
``FaceDatabase``, ``FaceDatabaseError``, ``Gallery``).
"""

from __future__ import annotations

import importlib
from typing import Any

from engine.face.align import ChipDetails, align_face, extract_chip, face_chip_details
from engine.face.dlib_format import DlibFormatError
from engine.face.files import FaceModelFiles, FaceModelsMissing, models_dir, models_files
from engine.face.landmarks import LANDMARK_NAMES, ShapePredictor
from engine.face.mmod import FaceBox, MMODFaceDetector
from engine.face.pipeline import Face, FaceAnalyzer, FacePipeline, face_distance
from engine.face.resnet import CHIP_SIZE, DESCRIPTOR_DIM, SAME_PERSON_DISTANCE, Embedder, FaceDescriptorNet

__all__ = [
    "FaceModelFiles", "FaceModelsMissing", "models_dir", "models_files", "DlibFormatError",
    "MMODFaceDetector", "FaceBox", "ShapePredictor", "LANDMARK_NAMES",
    "ChipDetails", "face_chip_details", "extract_chip", "align_face",
    "Embedder", "FaceDescriptorNet", "CHIP_SIZE", "DESCRIPTOR_DIM", "SAME_PERSON_DISTANCE",
    "Face", "FaceAnalyzer", "FacePipeline", "face_distance",
    "FaceDatabase", "FaceDatabaseError", "Gallery",
]

_LAZY = {"FaceDatabase": ".db", "FaceDatabaseError": ".db", "Gallery": ".match"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine.face' has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
