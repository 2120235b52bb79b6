"""Face database records without SQLite: their types (Person, Sample, NewSample, GalleryData,
ImportReport), the chip codec, and the rules every record obeys (person names, descriptors,
model ids, thresholds). ``engine.face.db`` re-exports the types and stores them.

The same rules apply to what ``enroll`` writes, to every row ``import`` reads
from another file and to what the database hands back, so a tampered or
damaged file is refused with a sentence instead of failing later (a
descriptor of the wrong length breaks matching; a NaN one breaks calibration).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence

import numpy as np

from ..i18n import _

__all__ = [
    "Person",
    "Sample",
    "NewSample",
    "GalleryData",
    "ImportReport",
    "encode_chip",
    "decode_chip",
    "checked_import_rows",
    "now_utc",
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


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def encode_chip(chip: np.ndarray, quality: int = 92) -> bytes:
    """An (H, W, 3) uint8 chip as JPEG bytes."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(chip, dtype=np.uint8)).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def decode_chip(data: bytes) -> np.ndarray:
    """JPEG bytes back to an (H, W, 3) uint8 array."""
    from ..io import decode_image

    return decode_image(data, label="stored face chip")


@dataclass(frozen=True)
class Person:
    """An enrolled person; ``samples`` is their number of samples."""

    id: int
    name: str
    notes: str
    created: str
    samples: int = 0


@dataclass(frozen=True)
class Sample:
    """One enrolled sample (without its chip; see :meth:`FaceDatabase.chip`).

    embedding: float32 (128,); box: float (4,) xyxy in the source image's pixels or None.
    """

    id: int
    person_id: int
    person: str
    embedding: np.ndarray
    model_id: str
    source: str
    box: tuple[float, float, float, float] | None
    size: float | None
    sharpness: float | None
    created: str


@dataclass
class NewSample:
    """A sample to store: descriptor float32 (128,), aligned chip uint8 (150, 150, 3)."""

    embedding: np.ndarray
    chip: np.ndarray | bytes
    model_id: str = DEFAULT_MODEL_ID
    source: str = ""
    box: Sequence[float] | None = None
    size: float | None = None
    sharpness: float | None = None


@dataclass
class GalleryData:
    """Every sample of one embedding model, ready for matching.

    embeddings: float32 (N, 128); sample_ids, person_index: int64 (N,) where
    ``person_index`` indexes ``person_ids``/``names`` (P people with samples).
    """

    embeddings: np.ndarray
    sample_ids: np.ndarray
    person_index: np.ndarray
    person_ids: np.ndarray
    names: list[str]
    model_id: str


@dataclass
class ImportReport:
    """What :meth:`FaceDatabase.import_file` did."""

    people_added: int = 0
    people_merged: int = 0
    samples_added: int = 0
    samples_skipped: int = 0


def _number_or_none(value: object) -> bool:
    return value is None or (isinstance(value, (int, float)) and np.isfinite(value))


def checked_import_rows(people: list[tuple], rows: list[tuple], known_models: set[str]) -> tuple[list[tuple], list[tuple]]:
    """The people and sample rows read from an import file, checked one by one and tidied.

    people: (id, name, notes, created); rows: (person_id, embedding, model_id, source,
    x0, y0, x1, y1, size, sharpness, digest, created, jpeg, sample id). Raises
    ``ValueError`` naming the first bad row (``sample 12 (person Ann): ...``).
    """

    def refuse(problem: str) -> ValueError:
        return ValueError(problem)

    clean_people, names = [], {}
    for pid, name, notes, created in people:
        problem = name_problem(name)
        if problem is not None:
            raise refuse(_("person {id}: {problem}").format(id=pid, problem=problem))
        if notes is not None and not isinstance(notes, str):
            raise refuse(_("person {id} ({name}): the notes are not text").format(id=pid, name=clean_name(name)))
        names[pid] = clean_name(name)
        clean_people.append((pid, names[pid], notes or "", created if isinstance(created, str) else now_utc()))
    clean_rows = []
    for r in rows:
        pid, blob, model, src, x0, y0, x1, y1, size, sharp, _digest_col, created, jpeg, sid = r
        who = names.get(pid)
        where = _("sample {id} (person {name})").format(id=sid, name=who if who is not None else pid)
        problem = (
            (_("it belongs to no person") if who is None else None)
            or embedding_problem(blob)
            or (_("unknown embedding model {model}").format(model=model if isinstance(model, str) else "NULL") if model not in known_models else None)
            or (_("its face chip is missing") if not isinstance(jpeg, bytes) or not jpeg else None)
            or (_("its box or quality values are not numbers") if not all(_number_or_none(v) for v in (x0, y0, x1, y1, size, sharp)) else None)
        )
        if problem is not None:
            raise refuse(_("{where}: {problem}").format(where=where, problem=problem))
        clean_rows.append((pid, bytes(blob), model, src if isinstance(src, str) else "", x0, y0, x1, y1, size, sharp, None,
                           created if isinstance(created, str) else now_utc(), jpeg))
    return clean_people, clean_rows
