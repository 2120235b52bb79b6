"""dlib's pretrained face models (detector, 5-point landmarks, 128-D descriptor) in PyTorch,
an enrollment database and matching.

Heavier names are imported lazily so ``import engine.face`` stays cheap:
``Embedder`` (:mod:`.resnet`), ``FacePipeline``, ``Face`` (:mod:`.pipeline`),
``FaceDatabase``, ``FaceDatabaseError`` (:mod:`.db`), ``Gallery`` (:mod:`.match`).
"""

from __future__ import annotations

import importlib
from typing import Any

from engine.face.files import FaceModelFiles, FaceModelsMissing, models_dir, models_files

__all__ = [
    "FaceModelFiles",
    "FaceModelsMissing",
    "models_dir",
    "models_files",
    "Embedder",
    "FacePipeline",
    "Face",
    "FaceDatabase",
    "FaceDatabaseError",
    "Gallery",
]

_LAZY = {
    "Embedder": ".resnet",
    "FacePipeline": ".pipeline",
    "Face": ".pipeline",
    "FaceDatabase": ".db",
    "FaceDatabaseError": ".db",
    "Gallery": ".match",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine.face' has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
