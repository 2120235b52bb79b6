"""Faces: detection, alignment, 128-D descriptors, an enrollment database and matching.

Names are imported lazily so ``import engine.face`` stays cheap:
``FacePipeline``, ``Face`` (:mod:`.pipeline`), ``FaceDatabase`` (:mod:`.db`),
``Gallery`` (:mod:`.match`) and ``Embedder`` (:mod:`.resnet`).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Embedder", "FacePipeline", "Face", "FaceDatabase", "FaceDatabaseError", "Gallery"]

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
