"""Opening a faces database file safely, and its transactions.

:class:`DatabaseFile` checks the file before SQLite touches it (a folder, an
unreadable file, a read-only one), checks the schema and migrates it, runs
SQLite's ``quick_check``, and turns every SQLite failure into a one-line
:class:`~.errors.FaceDatabaseError`. The queries (:mod:`.gallery`) and
export/import (:mod:`.transfer`) build on it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import threading
from pathlib import Path
from typing import Iterator, Sequence

from ...i18n import _
from .errors import WAY_OUT, FaceDatabaseError, FaceDatabaseFull, FaceDatabaseLocked, FaceDatabaseReadOnly, default_db_path
from .schema import APP_ID, MIGRATIONS, SCHEMA_VERSION

__all__ = ["DatabaseFile"]


class DatabaseFile:
    """An open faces database file: one SQLite connection behind a lock (thread-safe).

    ``path`` defaults to :func:`~.errors.default_db_path`. ``timeout`` is the busy
    timeout in seconds: how long a write waits for another program's write.
    Raises :class:`~.errors.FaceDatabaseError` when the file is not a usable faces
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
            _("The face database {path} {what}{detail}. {way_out}").format(path=self.path, what=what, detail=detail, way_out=_(WAY_OUT)),
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
                if not stat.S_ISREG(mode):  # a FIFO would block the open below, a device would be read forever
                    raise FaceDatabaseError(
                        path,
                        _("{path} is not a regular file (a pipe, device or socket); choose a database file, e.g. {example}.").format(
                            path=path, example=path.parent / "faces.db"),
                    )
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
        if app_id not in (0, APP_ID):
            raise self._error(_("belongs to another application"))
        if version < 0:
            raise self._error(_("has an unknown schema version {version} (ConvStudio writes 1 to {supported}): another program changed it, "
                                "or it is damaged").format(version=version, supported=SCHEMA_VERSION))
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
                    MIGRATIONS[version](conn)
                    version += 1
                    conn.execute(f"PRAGMA user_version = {version}")
                conn.execute(f"PRAGMA application_id = {APP_ID}")
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

    def __enter__(self) -> "DatabaseFile":
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
    def transaction(self) -> Iterator["DatabaseFile"]:
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

