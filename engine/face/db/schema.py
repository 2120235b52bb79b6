"""The faces database's schema: its version, the tables of each version, and the migrations between them.

``MIGRATIONS[v]`` brings a file from version ``v`` to ``v + 1``; opening a
file (:mod:`.connection`) runs the missing ones inside one transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Callable

from ..records import DEFAULT_MODEL_ID

__all__ = ["SCHEMA_VERSION", "APP_ID", "MIGRATIONS", "digest", "parse_box"]

#: Current schema version (``PRAGMA user_version``).
SCHEMA_VERSION = 2
APP_ID = 0x43534643  # "CSFC": marks the file as a ConvStudio faces database

# -- schema ------------------------------------------------------------------

_V1 = [
    """CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        notes TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL)""",
    """CREATE TABLE samples (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        embedding BLOB NOT NULL,
        chip BLOB NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        box TEXT,
        created TEXT NOT NULL)""",
]

# v2: the embedding model id per sample (re-embedding), quality, the box as
# numbers, chips in their own table (fast gallery scans), settings.
_V1_TO_V2 = [
    """CREATE TABLE samples_v2 (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        embedding BLOB NOT NULL,
        model_id TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        x0 REAL, y0 REAL, x1 REAL, y1 REAL,
        size REAL,
        sharpness REAL,
        digest TEXT NOT NULL,
        created TEXT NOT NULL)""",
    """CREATE TABLE chips (
        sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
        jpeg BLOB NOT NULL)""",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # filled by _migrate_v1_rows (Python: box parsing and digests)
    "DROP TABLE samples",
    "ALTER TABLE samples_v2 RENAME TO samples",
    "CREATE INDEX samples_person ON samples(person_id)",
    "CREATE INDEX samples_model ON samples(model_id)",
    "CREATE INDEX samples_digest ON samples(digest)",
]


def digest(embedding_blob: bytes) -> str:
    """The SHA-1 of a descriptor blob (finds a sample already present)."""
    return hashlib.sha1(embedding_blob).hexdigest()


def parse_box(text: str | None) -> tuple[float | None, ...]:
    """A version-1 box text ``"x0,y0,x1,y1"`` as four numbers (four Nones when absent or unreadable)."""
    if not text:
        return (None, None, None, None)
    try:
        values = [float(v) for v in text.replace(";", ",").split(",")]
    except ValueError:
        return (None, None, None, None)
    return tuple(values) if len(values) == 4 else (None, None, None, None)


def _migrate_v1_to_v2(conn: sqlite3.Connection) -> None:
    conn.execute(_V1_TO_V2[0])
    conn.execute(_V1_TO_V2[1])
    conn.execute(_V1_TO_V2[2])
    rows = conn.execute("SELECT id, person_id, embedding, chip, source, box, created FROM samples ORDER BY id").fetchall()
    for sid, pid, emb, chip, source, box, created in rows:
        x0, y0, x1, y1 = parse_box(box)
        size = min(x1 - x0, y1 - y0) if x0 is not None else None
        conn.execute(
            "INSERT INTO samples_v2 (id, person_id, embedding, model_id, source, x0, y0, x1, y1, size, sharpness, digest, created)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,NULL,?,?)",
            (sid, pid, emb, DEFAULT_MODEL_ID, source or "", x0, y0, x1, y1, size, digest(emb), created),
        )
        conn.execute("INSERT INTO chips (sample_id, jpeg) VALUES (?, ?)", (sid, chip))
    for stmt in _V1_TO_V2[3:]:
        conn.execute(stmt)


def _create_v1(conn: sqlite3.Connection) -> None:
    for stmt in _V1:
        conn.execute(stmt)


#: migrations[v] brings a database from version v to v + 1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _create_v1, 1: _migrate_v1_to_v2}
