"""The faces database's everyday queries: people, samples, chips, the gallery matchers read, settings."""

from __future__ import annotations

import sqlite3
from typing import Sequence

import numpy as np

from ...i18n import _
from ..records import (
    DEFAULT_MODEL_ID,
    EMBEDDING_DIM,
    GalleryData,
    NewSample,
    Person,
    Sample,
    clean_name,
    decode_chip,
    embedding_problem,
    encode_chip,
    name_problem,
)
from ..records import now_utc as _now
from .connection import DatabaseFile
from .errors import REPAIR, FaceDatabaseError
from .schema import digest as _digest

__all__ = ["GalleryQueries"]


class GalleryQueries(DatabaseFile):
    """People, samples and settings of an open database (see :class:`~engine.face.db.FaceDatabase`)."""

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
        """Raise, counting every unreadable sample, when this one cannot be used."""
        problem = name_problem(name) or embedding_problem(blob)
        if problem is not None:
            raise self._unreadable_error(_("sample {id}: {problem}").format(id=sample_id, problem=problem))

    def _unreadable_error(self, first: str) -> FaceDatabaseError:
        """The one-line error for a gallery with unreadable samples: how many, the first one, the way out."""
        n = len(self.unreadable_samples())
        return FaceDatabaseError(
            self.path,
            _("The face database {path} is damaged: {n} of {total} samples are unreadable (first: {first}). {repair} "
              "The file has been left untouched.").format(
                path=self.path, n=max(n, 1), total=self.sample_count(), first=first, repair=_(REPAIR)),
        )

    def unreadable_samples(self) -> list[int]:
        """Ids of samples that cannot be matched, in order.

        A sample is unreadable when its descriptor is not 128 finite float32
        values, its person is missing, or it names no embedding model (a file
        damaged or edited by hand). Such samples are counted, never skipped.
        """
        rows = self._read(
            "SELECT s.id, s.embedding, p.id IS NULL, typeof(s.model_id) = 'text' AND s.model_id != ''"
            " FROM samples s LEFT JOIN people p ON p.id = s.person_id ORDER BY s.id"
        )
        size = EMBEDDING_DIM * 4
        bad: list[int] = []
        whole_ids: list[int] = []
        whole: list[bytes] = []
        for sid, blob, orphan, has_model in rows:
            if orphan or not has_model or not isinstance(blob, bytes) or len(blob) != size:
                bad.append(int(sid))
            else:
                whole_ids.append(int(sid))
                whole.append(blob)
        if whole:
            finite = np.isfinite(np.frombuffer(b"".join(whole), dtype="<f4").reshape(len(whole), EMBEDDING_DIM)).all(axis=1)
            bad += [sid for sid, ok in zip(whole_ids, finite) if not ok]
        return sorted(bad)

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
        unnamed = self._read("SELECT id FROM samples WHERE typeof(model_id) != 'text' OR model_id = '' ORDER BY id LIMIT 1")
        if unnamed:  # left out of every model's gallery: count them rather than answer as if they were not there
            raise self._unreadable_error(_("sample {id}: it names no embedding model").format(id=unnamed[0][0]))
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


def _opt(value: float | None) -> float | None:
    return None if value is None else float(value)

