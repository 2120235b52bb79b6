"""The face enrollment database (SQLite): people, their samples, and settings.

This is the only module in ConvStudio that talks to SQLite. One file holds:

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
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import sqlite3
import stat
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from ..i18n import N_, _
from ..jobs import Job, Progress
from ..paths import data_dir
from .records import (
    DEFAULT_MODEL_ID,
    EMBEDDING_DIM,
    KNOWN_MODEL_IDS,
    GalleryData,
    ImportReport,
    NewSample,
    Person,
    Sample,
    checked_import_rows,
    clean_name,
    decode_chip,
    embedding_problem,
    encode_chip,
    name_problem,
)
from .records import now_utc as _now

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
    "encode_chip",
    "decode_chip",
]

#: Current schema version (``PRAGMA user_version``).
SCHEMA_VERSION = 2
_APP_ID = 0x43534643  # "CSFC": marks the file as a ConvStudio faces database


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


def _digest(embedding_blob: bytes) -> str:
    return hashlib.sha1(embedding_blob).hexdigest()


def _parse_box(text: str | None) -> tuple[float | None, ...]:
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
        x0, y0, x1, y1 = _parse_box(box)
        size = min(x1 - x0, y1 - y0) if x0 is not None else None
        conn.execute(
            "INSERT INTO samples_v2 (id, person_id, embedding, model_id, source, x0, y0, x1, y1, size, sharpness, digest, created)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,NULL,?,?)",
            (sid, pid, emb, DEFAULT_MODEL_ID, source or "", x0, y0, x1, y1, size, _digest(emb), created),
        )
        conn.execute("INSERT INTO chips (sample_id, jpeg) VALUES (?, ?)", (sid, chip))
    for stmt in _V1_TO_V2[3:]:
        conn.execute(stmt)


def _create_v1(conn: sqlite3.Connection) -> None:
    for stmt in _V1:
        conn.execute(stmt)


#: migrations[v] brings a database from version v to v + 1.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _create_v1, 1: _migrate_v1_to_v2}


# -- the database --------------------------------------------------------------

_WAY_OUT = N_(
    "Open a backup copy with 'Open database…' (or --db PATH), or start a new database under another name. "
    "The file has been left untouched."
)


class FaceDatabase:
    """An open enrollment database. Thread-safe (one connection behind a lock).

    ``path`` defaults to :func:`default_db_path`. ``timeout`` is the busy
    timeout in seconds: how long a write waits for another program's write.
    Raises :class:`FaceDatabaseError` when the file is not a usable faces
    database (corrupt, another program's file, or from a newer ConvStudio).
    """

    def __init__(self, path: str | os.PathLike | None = None, timeout: float = 5.0, read_only: bool | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        self.timeout = float(timeout)
        #: True when the file is opened read-only: asked for, or its owner removed the write permission.
        self.read_only = bool(read_only)
        self._lock = threading.RLock()
        self._local_changes = 0
        self._conn: sqlite3.Connection | None = None
        self._open()

    # -- errors ---------------------------------------------------------------

    def _error(self, what: str, exc: BaseException | None = None) -> FaceDatabaseError:
        """``what``: a translated clause saying what is wrong with the file."""
        detail = f" ({exc})" if exc is not None else ""
        return FaceDatabaseError(
            self.path,
            _("The face database {path} {what}{detail}. {way_out}").format(path=self.path, what=what, detail=detail, way_out=_(_WAY_OUT)),
        )

    def _read_only_error(self) -> FaceDatabaseReadOnly:
        return FaceDatabaseReadOnly(
            self.path,
            _("The face database {path} is read-only (its file permissions say so); nothing was changed. "
              "Make it writable (chmod u+w) to change it, or use another database.").format(path=self.path),
        )

    def _no_space(self, where: Path | None = None) -> FaceDatabaseFull:
        folder = (where or self.path).resolve().parent
        return FaceDatabaseFull(
            self.path,
            _("No space left on {folder}; the face database {path} was not changed. Free some space and try again.").format(
                folder=folder, path=self.path
            ),
        )

    def _sqlite_error(self, exc: sqlite3.Error, reading: bool = False) -> FaceDatabaseError:
        """The one-line error for a failed SQLite call (busy, full, read-only, damaged)."""
        name = str(getattr(exc, "sqlite_errorname", "") or "")
        text = str(exc).lower()
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
            return self._locked(exc)
        if name == "SQLITE_FULL" or "disk is full" in text:
            return self._no_space()
        if name.startswith("SQLITE_READONLY") or "readonly" in text:
            return self._read_only_error()
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
            return self._error(_("is damaged"), exc)
        if isinstance(exc, sqlite3.OperationalError):
            return self._error(_("cannot be read") if reading else _("cannot be written"), exc)
        return self._error(_("is damaged"), exc)

    def _damaged(self, problem: str) -> FaceDatabaseError:
        return self._error(_("is damaged: {problem}").format(problem=problem))

    # -- opening ------------------------------------------------------------

    def _prepare_file(self) -> bool:
        """Create the file (private) when missing; returns whether it must be opened read-only."""
        path = self.path
        try:
            if path.is_dir():
                raise FaceDatabaseError(path, _("{path} is a folder; choose a database file (e.g. {example}).").format(path=path, example=path / "faces.db"))
            if path.exists():
                mode = path.stat().st_mode
                with open(path, "rb") as f:  # unreadable files fail here, with the reason
                    f.read(1)
                # the owner's choice, read from the mode bits (os.access says "writable" to root)
                return self.read_only or not mode & stat.S_IWUSR or not os.access(path, os.W_OK)
            if self.read_only:
                raise FaceDatabaseError(path, _("The face database {path} does not exist.").format(path=path))
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise self._no_space() from None
            raise FaceDatabaseError(
                path,
                _("Cannot open the face database {path}: {reason}. Check the permissions of the file and of its folder {folder}, "
                  "or choose another database (--db PATH).").format(path=path, reason=exc.strerror or exc, folder=path.parent),
            ) from None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)  # created private before SQLite writes to it
            os.close(fd)
            return False
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise self._no_space() from None
            raise FaceDatabaseError(
                path, _("Cannot create the face database {path}: {reason}. Choose a folder you can write to.").format(path=path, reason=exc.strerror or exc)
            ) from None

    def _open(self) -> None:
        path = self.path
        self.read_only = self._prepare_file()
        try:
            if self.read_only:
                # Nothing writes a file its owner made read-only, so unless a journal from before is
                # pending, SQLite may treat it as immutable: no -wal/-shm files are created beside it.
                wal = Path(str(path) + "-wal")
                pending = wal.exists() and wal.stat().st_size > 0
                uri = path.resolve().as_uri() + ("?mode=ro" if pending else "?mode=ro&immutable=1")
                conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(str(path), timeout=self.timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise self._error(_("cannot be opened"), exc) from None
        self._conn = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
            version = self._check()  # read-only: a file that is not ours is left byte for byte
            if not self.read_only:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise self._error(_("could not switch to WAL mode (got {mode})").format(mode=mode))
            if version < SCHEMA_VERSION:
                if self.read_only:
                    raise FaceDatabaseReadOnly(
                        path,
                        _("The face database {path} was written by an older ConvStudio and must be upgraded, but it is read-only. "
                          "Make it writable (chmod u+w) once to upgrade it.").format(path=path),
                    )
                self._migrate()
            self._quick_check()
        except FaceDatabaseError:
            self.close()
            raise
        except sqlite3.OperationalError as exc:
            self.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise self._locked(exc) from None
            if "disk is full" in str(exc):
                raise self._no_space() from None
            raise self._error(_("cannot be read: it is damaged or not a ConvStudio faces database"), exc) from None
        except sqlite3.DatabaseError as exc:
            self.close()
            raise self._error(_("is damaged or is not a ConvStudio faces database"), exc) from None
        if self.read_only:
            return
        for suffix in ("", "-wal", "-shm"):
            side = Path(str(path) + suffix)
            if side.exists():
                try:
                    os.chmod(side, 0o600)
                except OSError:
                    pass

    def _quick_check(self) -> None:
        """SQLite's ``quick_check`` of the tables every answer reads (people, samples, settings).

        The chips table (most of the file) is left out: at 100,000 samples this
        costs ~0.1 s where the whole file takes several times that; a damaged
        chip page is reported when it is read.
        """
        for table in ("people", "samples", "settings"):
            rows = self.conn.execute(f"PRAGMA quick_check({table})").fetchall()
            if [r[0] for r in rows] != ["ok"]:
                raise self._damaged("; ".join(" ".join(str(r[0]).split()) for r in rows[:3]))

    def _check(self) -> int:
        conn = self._conn
        assert conn is not None
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version == 0 and tables:
            raise self._error(_("holds other data (tables: {tables}) and is not a faces database").format(tables=", ".join(sorted(tables))))
        if app_id not in (0, _APP_ID):
            raise self._error(_("belongs to another application"))
        if version > SCHEMA_VERSION:
            raise FaceDatabaseError(
                self.path,
                _("The face database {path} was written by a newer ConvStudio (schema {version}, this one reads "
                  "up to {supported}). Update ConvStudio, or open another database.").format(path=self.path, version=version, supported=SCHEMA_VERSION),
            )
        return int(version)

    def _migrate(self) -> None:
        conn = self.conn
        # Table rebuilds follow SQLite's recipe: foreign keys off (only possible
        # outside a transaction), rebuild and rename inside one, check, back on.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self._write():
                version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
                while version < SCHEMA_VERSION:
                    _MIGRATIONS[version](conn)
                    version += 1
                    conn.execute(f"PRAGMA user_version = {version}")
                conn.execute(f"PRAGMA application_id = {_APP_ID}")
        finally:
            conn.execute("PRAGMA foreign_keys = ON")
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise self._error(_("has {n} samples without a person after migration").format(n=len(problems)))

    def _locked(self, exc: BaseException | None = None) -> FaceDatabaseLocked:
        return FaceDatabaseLocked(
            self.path,
            _("The face database {path} is busy: another ConvStudio window or command has been writing to it "
              "for more than {seconds:g} s. Try again when it has finished.").format(path=self.path, seconds=self.timeout),
        )

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> "FaceDatabase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise FaceDatabaseError(self.path, _("The face database {path} is closed.").format(path=self.path))
        return self._conn

    # -- transactions -------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``); rolled back on any error or interruption.

        SQLite failures become one-line :class:`FaceDatabaseError` s: busy, disk
        full (:class:`FaceDatabaseFull`), read-only (:class:`FaceDatabaseReadOnly`), damaged.
        """
        with self._lock:
            conn = self.conn
            if self.read_only:
                raise self._read_only_error()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._sqlite_error(exc) from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:  # KeyboardInterrupt too: the transaction never half-applies
                self._rollback(conn)
                if isinstance(exc, sqlite3.Error):
                    raise self._sqlite_error(exc) from None
                raise
            self._local_changes += 1

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        # SQLite may already have rolled back by itself (e.g. after SQLITE_FULL)
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    @contextlib.contextmanager
    def transaction(self) -> Iterator["FaceDatabase"]:
        """Group several writes into one transaction (all or nothing). Holds the write lock meanwhile."""
        with self._write():
            self._tx_owner = threading.get_ident()
            try:
                yield self
            finally:
                self._tx_owner = None

    _tx_owner: int | None = None

    @contextlib.contextmanager
    def _maybe_write(self) -> Iterator[sqlite3.Connection]:
        if self._tx_owner == threading.get_ident():
            with self._lock:
                yield self.conn
        else:
            with self._write() as conn:
                yield conn

    def _read(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._sqlite_error(exc, reading=True) from None

    def revision(self) -> tuple[int, int]:
        """Changes whenever anyone (this or another connection/process) commits a change.

        Cheap; matchers compare it to decide whether their cached gallery is stale.
        """
        with self._lock:
            other = self.conn.execute("PRAGMA data_version").fetchone()[0]
            return (int(other), self._local_changes)

    # -- people -------------------------------------------------------------

    def _person_row(self, conn: sqlite3.Connection, name: str) -> tuple | None:
        return conn.execute("SELECT id, name, notes, created FROM people WHERE name = ?", (name,)).fetchone()

    def add_person(self, name: str, notes: str = "") -> Person:
        """Create a person, or return the existing one with that name (names are case-insensitive)."""
        with self._maybe_write() as conn:
            row = self._ensure_person(conn, name, notes)
        return Person(*row)

    def _ensure_person(self, conn: sqlite3.Connection, name: str, notes: str = "") -> tuple:
        name = clean_name(name)
        row = self._person_row(conn, name)
        if row is None:
            created = _now()
            cur = conn.execute("INSERT INTO people (name, notes, created) VALUES (?, ?, ?)", (name, notes, created))
            row = (cur.lastrowid, name, notes, created)
        elif notes and not row[2]:
            conn.execute("UPDATE people SET notes = ? WHERE id = ?", (notes, row[0]))
            row = (row[0], row[1], notes, row[3])
        return row

    def set_notes(self, name: str, notes: str) -> None:
        """Replace a person's notes. Raises ``KeyError`` for an unknown name."""
        with self._maybe_write() as conn:
            if conn.execute("UPDATE people SET notes = ? WHERE name = ?", (notes, name)).rowcount == 0:
                raise KeyError(_("no enrolled person named {name!r}").format(name=name))

    def person(self, name: str) -> Person | None:
        """The person with that name (case-insensitive), or None."""
        rows = self._read(
            "SELECT p.id, p.name, p.notes, p.created, (SELECT COUNT(*) FROM samples s WHERE s.person_id = p.id)"
            " FROM people p WHERE p.name = ?",
            (name,),
        )
        return self._person(rows[0]) if rows else None

    def _person(self, row: tuple) -> Person:
        """A people row, checked: a NULL or invalid name means the file was damaged or tampered with."""
        pid, name, notes, created, count = row
        problem = name_problem(name)
        if problem is not None:
            raise self._damaged(_("person {id}: {problem}").format(id=pid, problem=problem))
        return Person(int(pid), name, notes if isinstance(notes, str) else "", created if isinstance(created, str) else "", int(count or 0))

    def people(self) -> list[Person]:
        """Everyone enrolled, by name, with sample counts."""
        rows = self._read(
            "SELECT p.id, p.name, p.notes, p.created, COUNT(s.id) FROM people p"
            " LEFT JOIN samples s ON s.person_id = p.id GROUP BY p.id ORDER BY p.name COLLATE NOCASE"
        )
        return [self._person(r) for r in rows]

    def remove_person(self, name: str) -> int:
        """Delete a person and (cascade) all their samples and chips. Returns the number of samples removed.

        Raises ``KeyError`` for an unknown name.
        """
        with self._maybe_write() as conn:
            row = self._person_row(conn, name)
            if row is None:
                raise KeyError(_("no enrolled person named {name!r}").format(name=name))
            n = conn.execute("SELECT COUNT(*) FROM samples WHERE person_id = ?", (row[0],)).fetchone()[0]
            conn.execute("DELETE FROM people WHERE id = ?", (row[0],))
        return int(n)

    # -- samples ------------------------------------------------------------

    def add_sample(self, person: str, sample: NewSample) -> int:
        """Store one sample for ``person`` (created when new). Returns the sample id. Committed on return."""
        return self.add_samples(person, [sample])[0]

    def add_samples(self, person: str, samples: Sequence[NewSample]) -> list[int]:
        """Store several samples for one person in a single transaction."""
        ids: list[int] = []
        with self._maybe_write() as conn:
            pid = self._ensure_person(conn, person)[0]
            now = _now()
            for s in samples:
                emb = np.ascontiguousarray(s.embedding, dtype="<f4").reshape(-1)
                if emb.shape[0] != EMBEDDING_DIM or not np.all(np.isfinite(emb)):
                    raise ValueError(_("a face descriptor must be {n} finite numbers, got shape {shape}").format(n=EMBEDDING_DIM, shape=np.shape(s.embedding)))
                blob = emb.tobytes()
                jpeg = s.chip if isinstance(s.chip, (bytes, bytearray)) else encode_chip(s.chip)
                box = tuple(float(v) for v in s.box) if s.box is not None else (None, None, None, None)
                cur = conn.execute(
                    "INSERT INTO samples (person_id, embedding, model_id, source, x0, y0, x1, y1, size, sharpness, digest, created)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (pid, blob, s.model_id, s.source, *box, _opt(s.size), _opt(s.sharpness), _digest(blob), now),
                )
                conn.execute("INSERT INTO chips (sample_id, jpeg) VALUES (?, ?)", (cur.lastrowid, bytes(jpeg)))
                ids.append(int(cur.lastrowid))
        return ids

    def remove_sample(self, sample_id: int) -> None:
        """Delete one sample (and its chip). Raises ``KeyError`` if it does not exist."""
        with self._maybe_write() as conn:
            if conn.execute("DELETE FROM samples WHERE id = ?", (int(sample_id),)).rowcount == 0:
                raise KeyError(_("no sample {id}").format(id=sample_id))

    def samples(self, person: str | None = None) -> list[Sample]:
        """Samples (all, or one person's), oldest first."""
        sql = (
            "SELECT s.id, s.person_id, p.name, s.embedding, s.model_id, s.source, s.x0, s.y0, s.x1, s.y1, s.size, s.sharpness, s.created"
            " FROM samples s JOIN people p ON p.id = s.person_id"
        )
        params: tuple = ()
        if person is not None:
            sql += " WHERE p.name = ?"
            params = (person,)
        rows = self._read(sql + " ORDER BY s.id", params)
        out = []
        for sid, pid, name, emb, model, source, x0, y0, x1, y1, size, sharp, created in rows:
            self._check_sample(sid, name, emb)
            box = (x0, y0, x1, y1) if x0 is not None else None
            out.append(Sample(sid, pid, name, np.frombuffer(emb, dtype="<f4").astype(np.float32), model, source, box, size, sharp, created))
        return out

    def _check_sample(self, sample_id: int, name: object, blob: object) -> None:
        problem = name_problem(name) or embedding_problem(blob)
        if problem is not None:
            raise self._damaged(_("sample {id}: {problem}").format(id=sample_id, problem=problem))

    def sample_count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM samples")[0][0])

    def chip(self, sample_id: int) -> np.ndarray:
        """A sample's aligned chip, (150, 150, 3) uint8. Raises ``KeyError`` if missing."""
        rows = self._read("SELECT jpeg FROM chips WHERE sample_id = ?", (int(sample_id),))
        if not rows:
            raise KeyError(_("no chip for sample {id}").format(id=sample_id))
        return decode_chip(rows[0][0])

    def first_chip(self, person: str) -> np.ndarray | None:
        """The chip of a person's first sample (their thumbnail), or None."""
        rows = self._read(
            "SELECT c.jpeg FROM chips c JOIN samples s ON s.id = c.sample_id JOIN people p ON p.id = s.person_id"
            " WHERE p.name = ? ORDER BY s.id LIMIT 1",
            (person,),
        )
        return decode_chip(rows[0][0]) if rows else None

    def first_sample_ids(self) -> dict[str, int]:
        """{person name: id of their first sample} for everyone with samples (one query; thumbnails)."""
        rows = self._read("SELECT p.name, MIN(s.id) FROM people p JOIN samples s ON s.person_id = p.id GROUP BY p.id")
        return {name: int(sid) for name, sid in rows}

    def model_ids(self) -> dict[str, int]:
        """Embedding model ids present, with their sample counts."""
        return {m: int(n) for m, n in self._read("SELECT model_id, COUNT(*) FROM samples GROUP BY model_id")}

    def gallery(self, model_id: str = DEFAULT_MODEL_ID) -> GalleryData:
        """All samples of ``model_id`` as arrays (see :class:`GalleryData`)."""
        # a plain table scan (NOT INDEXED): nearly every row matches, and index lookups would hop around the file
        rows = self._read("SELECT id, person_id, embedding FROM samples NOT INDEXED WHERE model_id = ?", (model_id,))
        people = dict(self._read("SELECT id, name FROM people"))
        n = len(rows)
        # never answer from a damaged file: every descriptor whole and finite, every sample with a named person
        size = EMBEDDING_DIM * 4
        for sid, pid, blob in rows:
            if not isinstance(blob, bytes) or len(blob) != size or pid not in people:
                self._check_sample(sid, people.get(pid), blob)
        for pid, name in people.items():
            problem = name_problem(name)
            if problem is not None:
                raise self._damaged(_("person {id}: {problem}").format(id=pid, problem=problem))
        if n == 0:
            return GalleryData(np.zeros((0, EMBEDDING_DIM), np.float32), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), [], model_id)
        sample_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
        pids = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
        emb = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(n, EMBEDDING_DIM).astype(np.float32)
        finite = np.isfinite(emb).all(axis=1)
        if not finite.all():
            self._check_sample(int(sample_ids[np.argmin(finite)]), "-", rows[int(np.argmin(finite))][2])
        person_ids, person_index = np.unique(pids, return_inverse=True)
        names = [people[int(p)] for p in person_ids]
        return GalleryData(emb, sample_ids, person_index.astype(np.int64), person_ids, names, model_id)

    # -- settings -----------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        rows = self._read("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_setting(self, key: str, value: str) -> None:
        with self._maybe_write() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, str(value)))

    # -- maintenance --------------------------------------------------------

    def integrity_check(self) -> str:
        """SQLite's ``quick_check`` result: ``"ok"`` or the first problems found."""
        rows = self._read("PRAGMA quick_check")
        return "; ".join(str(r[0]) for r in rows[:5])

    def export(self, target: str | os.PathLike) -> Path:
        """Write the whole database to one self-contained file (same format, permissions 0600).

        Refuses to overwrite an existing file. The copy is written to a private
        temporary file in the target's folder and renamed only when complete, so
        a full disk or an interruption leaves no partial export behind.
        """
        target = Path(target)
        exists = _("{target} already exists; choose a new file name for the export.").format(target=target)
        if target.exists():
            raise FaceDatabaseError(target, exists)
        tmp: Path | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # created empty and private first (VACUUM INTO accepts an empty file), so the copy is never readable by others
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            os.close(fd)
            tmp = Path(name)
            os.chmod(tmp, 0o600)
            with self._lock:
                self.conn.execute("VACUUM INTO ?", (str(tmp),))
            try:
                os.link(tmp, target)  # never replaces a file that appeared meanwhile
            except FileExistsError:
                raise FaceDatabaseError(target, exists) from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                # a file system without hard links
                if target.exists():
                    raise FaceDatabaseError(target, exists) from None
                os.replace(tmp, target)
        except FaceDatabaseError:
            _unlink(tmp)
            raise
        except sqlite3.Error as exc:
            _unlink(tmp)
            if "disk is full" in str(exc) or getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
                raise self._no_space(target) from None
            raise FaceDatabaseError(target, _("Cannot write {target}: {reason}.").format(target=target, reason=exc)) from None
        except OSError as exc:
            _unlink(tmp)
            if exc.errno == errno.ENOSPC:
                raise self._no_space(target) from None
            raise FaceDatabaseError(target, _("Cannot write {target}: {reason}.").format(target=target, reason=exc.strerror or exc)) from None
        except BaseException:
            _unlink(tmp)
            raise
        _unlink(tmp)
        return target

    def import_file(self, source: str | os.PathLike) -> ImportReport:
        """Merge an exported database into this one, by person name, in one transaction.

        Samples already present (same descriptor bytes for the same person) are
        skipped, so importing the same file twice adds nothing. The source file
        is not modified (it is read from a private temporary copy, which is
        also where an older schema is migrated). Every row is checked first
        (names as ``enroll`` wants them, 128 finite float32 values, a known
        embedding model): one bad row refuses the whole file, naming the row.
        """
        source = Path(source)
        try:
            is_file = source.is_file()
        except OSError as exc:  # e.g. a folder that may not be read
            raise FaceDatabaseError(source, _("Cannot read {source}: {reason}.").format(source=source, reason=exc.strerror or exc)) from None
        if not is_file:
            raise FaceDatabaseError(source, _("{source} does not exist or is not a file.").format(source=source))
        if source.resolve() == self.path.resolve():
            raise FaceDatabaseError(source, _("A database cannot be imported into itself."))
        if self.read_only:
            raise self._read_only_error()
        report = ImportReport()
        with tempfile.TemporaryDirectory(prefix="convstudio-faces-") as tmp:
            copy = Path(tmp) / "import.db"
            try:
                shutil.copyfile(source, copy)
                os.chmod(copy, 0o600)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise self._no_space(copy) from None
                raise FaceDatabaseError(source, _("Cannot read {source}: {reason}.").format(source=source, reason=exc.strerror or exc)) from None
            try:
                with FaceDatabase(copy, timeout=self.timeout) as other:
                    people = other._read("SELECT id, name, notes, created FROM people ORDER BY id")
                    rows = other._read(
                        "SELECT s.person_id, s.embedding, s.model_id, s.source, s.x0, s.y0, s.x1, s.y1, s.size, s.sharpness, s.digest, s.created, c.jpeg, s.id"
                        " FROM samples s JOIN chips c ON c.sample_id = s.id ORDER BY s.id"
                    )
            except FaceDatabaseError as exc:  # speak of the file the user chose, not the working copy
                detail = str(exc).replace(_(_WAY_OUT), "").strip().rstrip(".").replace(str(copy), str(source))
                raise FaceDatabaseError(
                    source,
                    _("{detail}. Only a faces database (or a file made with Export) can be imported; "
                      "{source} has been left untouched and nothing was imported.").format(detail=detail, source=source),
                ) from None
            known_models = set(KNOWN_MODEL_IDS) | set(self.model_ids())
            try:
                people, rows = checked_import_rows(people, rows, known_models)
            except ValueError as exc:
                raise FaceDatabaseError(
                    source, _("{source} cannot be imported: {problem}. Nothing was imported.").format(source=source, problem=exc)
                ) from None
            by_person: dict[int, list[tuple]] = {}
            for r in rows:
                by_person.setdefault(r[0], []).append(r)
            with self._maybe_write() as conn:
                for pid0, name, notes, created in people:
                    existing = self._person_row(conn, name)
                    if existing is None:
                        cur = conn.execute("INSERT INTO people (name, notes, created) VALUES (?,?,?)", (name, notes, created))
                        pid = cur.lastrowid
                        report.people_added += 1
                    else:
                        pid = existing[0]
                        report.people_merged += 1
                        if notes and not existing[2]:
                            conn.execute("UPDATE people SET notes = ? WHERE id = ?", (notes, pid))
                    for row in by_person.get(pid0, []):
                        digest = _digest(row[1])  # recomputed: the file's own digest column is not trusted
                        dup = conn.execute("SELECT 1 FROM samples WHERE person_id = ? AND digest = ? AND model_id = ?", (pid, digest, row[2])).fetchone()
                        if dup:
                            report.samples_skipped += 1
                            continue
                        cur = conn.execute(
                            "INSERT INTO samples (person_id, embedding, model_id, source, x0, y0, x1, y1, size, sharpness, digest, created)"
                            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                            (pid, *row[1:10], digest, row[11]),
                        )
                        conn.execute("INSERT INTO chips (sample_id, jpeg) VALUES (?, ?)", (cur.lastrowid, row[12]))
                        report.samples_added += 1
        return report

    def reembed(self, embed_chips: Callable[[np.ndarray], np.ndarray], model_id: str, batch_size: int = 32) -> Job[int]:
        """A job re-computing every sample not made by ``model_id`` from its stored chip.

        ``embed_chips`` maps uint8 (B, 150, 150, 3) chips to float32 (B, 128).
        Each batch is committed on its own, so cancelling keeps the work done
        and running it again continues where it stopped. Returns the number of
        samples re-embedded.
        """
        todo = [r[0] for r in self._read("SELECT id FROM samples WHERE model_id != ? ORDER BY id", (model_id,))]
        done = 0
        yield Progress(0.0 if todo else 1.0, _("{n} samples to re-embed with {model}").format(n=len(todo), model=model_id))
        for start in range(0, len(todo), batch_size):
            ids = todo[start : start + batch_size]
            marks = ",".join("?" * len(ids))
            rows = self._read(f"SELECT sample_id, jpeg FROM chips WHERE sample_id IN ({marks})", ids)
            chips = np.stack([decode_chip(j) for _sid, j in rows]) if rows else np.zeros((0, 150, 150, 3), np.uint8)
            emb = np.asarray(embed_chips(chips), dtype="<f4") if len(rows) else np.zeros((0, EMBEDDING_DIM), "<f4")
            with self._write() as conn:
                for (sid, _jpeg), e in zip(rows, emb):
                    blob = np.ascontiguousarray(e, dtype="<f4").tobytes()
                    conn.execute("UPDATE samples SET embedding = ?, model_id = ?, digest = ? WHERE id = ?", (blob, model_id, _digest(blob), sid))
            done += len(rows)
            yield Progress(done / len(todo), _("re-embedded {done}/{total} samples").format(done=done, total=len(todo)))
        return done


def _opt(value: float | None) -> float | None:
    return None if value is None else float(value)


def _unlink(path: Path | None) -> None:
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
