"""Export and import of a whole faces database, and re-embedding its samples with another model.

Export writes one self-contained database file of the same format
(``VACUUM INTO``, 0600); import reads such a file (any schema version) and
merges it by person name, skipping samples already present.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from ...i18n import _
from ...jobs import Job, Progress
from ..records import EMBEDDING_DIM, KNOWN_MODEL_IDS, ImportReport, checked_import_rows, decode_chip
from .errors import WAY_OUT, FaceDatabaseError
from .gallery import GalleryQueries
from .schema import digest as _digest

__all__ = ["Transfers"]


class Transfers(GalleryQueries):
    """Export, import and re-embedding of an open database (see :class:`~engine.face.db.FaceDatabase`)."""

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
                with type(self)(copy, timeout=self.timeout) as other:
                    people = other._read("SELECT id, name, notes, created FROM people ORDER BY id")
                    rows = other._read(
                        "SELECT s.person_id, s.embedding, s.model_id, s.source, s.x0, s.y0, s.x1, s.y1, s.size, s.sharpness, s.digest, s.created, c.jpeg, s.id"
                        " FROM samples s JOIN chips c ON c.sample_id = s.id ORDER BY s.id"
                    )
            except FaceDatabaseError as exc:  # speak of the file the user chose, not the working copy
                detail = str(exc).replace(_(WAY_OUT), "").strip().rstrip(".").replace(str(copy), str(source))
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
        Samples whose descriptor is unreadable (see :meth:`unreadable_samples`)
        are re-computed too: this is the repair for a damaged gallery. Each
        batch is committed on its own, so cancelling keeps the work done and
        running it again continues where it stopped. Returns the number of
        samples re-embedded.
        """
        # samples of another model, and those whose descriptor is unreadable (repaired from their chips)
        todo = sorted({r[0] for r in self._read("SELECT id FROM samples WHERE model_id != ?", (model_id,))} | set(self.unreadable_samples()))
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


def _unlink(path: Path | None) -> None:
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
