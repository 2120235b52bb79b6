"""The face enrollment database (SQLite): people, their samples, and settings.

This package is the only place in ConvStudio that talks to SQLite; this module is
its public face (import everything from ``engine.face.db``). One file holds:

* ``people``: a unique name (case-insensitive), free-text notes, creation time;
* ``samples``: the 128-D descriptor (float32 little-endian blob), the id of the
  embedding model that produced it, where it came from (``source``), the face
  box (xyxy, original image pixels), quality (face size in pixels, sharpness
  as the variance of the Laplacian) and creation time;
* ``chips``: each sample's aligned 150x150 chip as JPEG (thumbnails, and
  re-embedding when the embedding model changes) -- kept apart from
  ``samples`` so loading the gallery never reads image bytes;
* ``settings``: small key/value pairs (e.g. the calibrated threshold).

Safety: the file is created with permissions 0600 (biometric data), runs in
WAL mode with foreign keys and ``secure_delete`` on, and every write is one
``BEGIN IMMEDIATE`` transaction, so another process (the GUI and the CLI at
once) waits up to the busy timeout instead of failing, and a process killed
mid-enrollment loses nothing it had committed. A damaged file is never
replaced: opening it (a ``quick_check`` of the tables answers come from) or
reading a damaged row raises :class:`FaceDatabaseError` naming the file and
the way out. A file its owner made read-only (mode bits) is opened with
``mode=ro`` and never written; a full disk rolls the transaction back and
raises :class:`FaceDatabaseFull`. The schema is versioned with ``PRAGMA user_version``; older
files are migrated in place on open, inside a transaction.

Export writes one self-contained database file of the same format
(``VACUUM INTO``, 0600); import reads such a file (any schema version) and
merges it by person name, skipping samples already present.

Inside the package: :mod:`.schema` (versions and migrations), :mod:`.errors`,
:mod:`.connection` (opening, checks, transactions), :mod:`.gallery` (people,
samples, settings) and :mod:`.transfer` (export, import, re-embedding).
"""

from __future__ import annotations

from ..records import (
    DEFAULT_MODEL_ID,
    EMBEDDING_DIM,
    GalleryData,
    ImportReport,
    NewSample,
    Person,
    Sample,
    decode_chip,
    encode_chip,
)
from .errors import REPAIR, FaceDatabaseError, FaceDatabaseFull, FaceDatabaseLocked, FaceDatabaseReadOnly, default_db_path
from .schema import SCHEMA_VERSION
from .transfer import Transfers

__all__ = [
    "SCHEMA_VERSION",
    "DEFAULT_MODEL_ID",
    "EMBEDDING_DIM",
    "FaceDatabaseError",
    "FaceDatabaseLocked",
    "FaceDatabaseReadOnly",
    "FaceDatabaseFull",
    "Person",
    "Sample",
    "NewSample",
    "GalleryData",
    "ImportReport",
    "FaceDatabase",
    "default_db_path",
    "REPAIR",
    "encode_chip",
    "decode_chip",
]


class FaceDatabase(Transfers):
    """An open enrollment database. Thread-safe (one connection behind a lock).

    ``path`` defaults to :func:`default_db_path`. ``timeout`` is the busy
    timeout in seconds: how long a write waits for another program's write.
    Raises :class:`FaceDatabaseError` when the file is not a usable faces
    database (corrupt, another program's file, or from a newer ConvStudio).
    """
