"""Rules every stored face record obeys: person names, descriptors, model ids, thresholds.

The same rules apply to what ``enroll`` writes, to every row ``import`` reads
from another file and to what the database hands back, so a tampered or
damaged file is refused with a sentence instead of failing later (a
descriptor of the wrong length breaks matching; a NaN one breaks calibration).
"""

from __future__ import annotations

import math

import numpy as np

from ..i18n import _

__all__ = [
    "EMBEDDING_DIM",
    "DEFAULT_MODEL_ID",
    "KNOWN_MODEL_IDS",
    "MAX_NAME_LENGTH",
    "clean_name",
    "name_problem",
    "embedding_problem",
    "threshold_problem",
    "far_problem",
]

#: Length of a face descriptor.
EMBEDDING_DIM = 128
#: Id of dlib's ResNet descriptor model, the default embedding model.
DEFAULT_MODEL_ID = "dlib_face_recognition_resnet_model_v1"
#: Embedding models this version of ConvStudio produces.
KNOWN_MODEL_IDS = (DEFAULT_MODEL_ID,)
#: Longest accepted person name, in characters.
MAX_NAME_LENGTH = 200


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a person's name, or None when it can (after collapsing white space)."""
    if not isinstance(name, str):
        return _("a person needs a name (found {value})").format(value="NULL" if name is None else type(name).__name__)
    cleaned = " ".join(name.split())
    if not cleaned:
        return _("a person needs a name")
    if len(cleaned) > MAX_NAME_LENGTH:
        return _("a name is limited to {n} characters (this one has {m})").format(n=MAX_NAME_LENGTH, m=len(cleaned))
    return None


def clean_name(name: object) -> str:
    """``name`` with white space collapsed; raises ``ValueError`` (with the reason) when it is not a valid name."""
    problem = name_problem(name)
    if problem is not None:
        raise ValueError(problem)
    return " ".join(str(name).split())


def embedding_problem(blob: object) -> str | None:
    """Why a stored descriptor (float32 little-endian bytes) is unusable, or None."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        return _("its descriptor is missing")
    if len(blob) != EMBEDDING_DIM * 4:
        return _("its descriptor has {n} bytes instead of {m} ({d} float32 values)").format(n=len(blob), m=EMBEDDING_DIM * 4, d=EMBEDDING_DIM)
    if not np.all(np.isfinite(np.frombuffer(blob, dtype="<f4"))):
        return _("its descriptor holds values that are not finite numbers (NaN or infinity)")
    return None


def threshold_problem(value: float) -> str | None:
    """Why ``value`` cannot be a decision distance (it must be finite and > 0), or None."""
    if not math.isfinite(value) or value <= 0:
        return _("a threshold must be a finite distance greater than 0, got {value}").format(value=value)
    return None


def far_problem(value: float) -> str | None:
    """Why ``value`` cannot be a target false-accept rate (strictly between 0 and 1), or None."""
    if not math.isfinite(value) or not 0 < value < 1:
        return _("a false-accept rate must lie strictly between 0 and 1 (e.g. 0.001), got {value}").format(value=value)
    return None
