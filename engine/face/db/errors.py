"""The faces database's errors: each carries the file's path and a one-line message saying what to do."""

from __future__ import annotations

import os
from pathlib import Path

from ...i18n import N_
from ...paths import data_dir

__all__ = ["FaceDatabaseError", "FaceDatabaseLocked", "FaceDatabaseReadOnly", "FaceDatabaseFull", "WAY_OUT", "REPAIR", "default_db_path"]


class FaceDatabaseError(RuntimeError):
    """The face database cannot be used. ``path`` names the file; the message says what to do."""

    def __init__(self, path: str | os.PathLike, message: str):
        self.path = str(path)
        super().__init__(message)


class FaceDatabaseLocked(FaceDatabaseError):
    """Another program held the database for longer than the busy timeout."""


class FaceDatabaseReadOnly(FaceDatabaseError):
    """A change was asked of a database opened read-only (its owner made the file read-only)."""


class FaceDatabaseFull(FaceDatabaseError):
    """The disk (or SQLite's size limit) ran out of room; nothing was changed."""


def default_db_path() -> Path:
    """``engine.paths.data_dir()/faces.db``."""
    return data_dir() / "faces.db"


WAY_OUT = N_(
    "Open a backup copy with 'Open database…' (or --db PATH), or start a new database under another name. "
    "The file has been left untouched."
)

REPAIR = N_(
    "Re-embed them from their stored face chips (convstudio faces reembed), "
    "or first save a copy of the file as it is (convstudio faces export FILE)."
)
