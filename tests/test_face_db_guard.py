"""The face database and the ``faces`` command under abuse: damaged and tampered files,
read-only and unreadable databases, a full disk, bad thresholds, photos without a face and
Ctrl+C. Each failure must end in one line naming the file and the way out, never a traceback,
and must leave the database as it was."""

from __future__ import annotations

import errno
import os
import sqlite3  # only to build damaged and tampered files by hand
import stat
from pathlib import Path

import numpy as np
import pytest

from engine.face.db import gallery as db_gallery
from engine.face.db import transfer as db_transfer
from engine.face.db import (
    DEFAULT_MODEL_ID,
    FaceDatabase,
    FaceDatabaseError,
    FaceDatabaseFull,
    FaceDatabaseReadOnly,
    NewSample,
    encode_chip,
)
from engine.face.pipeline import Face, FaceQuality, NoFaceFound


def _chip(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (150, 150, 3), dtype=np.uint8)


def _sample(seed: int) -> NewSample:
    rng = np.random.default_rng(seed)
    return NewSample(rng.normal(0, 0.1, 128).astype(np.float32), _chip(seed), source=f"p{seed}.jpg", box=(1, 2, 101, 102), size=100, sharpness=50.0)


def _db(path: Path, people: int = 3, per_person: int = 4) -> Path:
    with FaceDatabase(path) as db:
        for p in range(people):
            db.add_samples(f"Person {p}", [_sample(p * 100 + k) for k in range(per_person)])
    return path


def _cli(capsys, *args) -> tuple[int, str, str]:
    from gui.main import main

    capsys.readouterr()
    rc = main(["faces", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


# -- damaged and tampered files -------------------------------------------------


def _smash_page_of(path: Path, index: str) -> None:
    """Overwrite the b-tree page header of ``index``'s root page (structural damage a table scan never sees)."""
    conn = sqlite3.connect(path)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()
    (page,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page
    data[start : start + 12] = b"\x00" * 12
    path.write_bytes(bytes(data))


def test_a_damaged_page_is_reported_on_open_and_the_file_is_left_alone(tmp_path, capsys):
    path = _db(tmp_path / "faces.db")
    _smash_page_of(path, "samples_person")
    before = path.read_bytes()
    with pytest.raises(FaceDatabaseError) as err:
        FaceDatabase(path)
    text = str(err.value)
    assert str(path) in text and "damaged" in text and "backup" in text and "new database" in text
    for action in (["identify", tmp_path / "x.png"], ["enroll", "Ann", tmp_path / "x.png"], ["list"]):
        rc, _, err_text = _cli(capsys, "--db", path, *action)
        assert rc == 1 and str(path) in _one_line_error(err_text) and "backup" in err_text
    assert path.read_bytes() == before


def test_damage_met_while_writing_or_reading_chips_is_one_error_not_a_traceback(tmp_path):
    """The chips (most of the file) are not checked on open; damage there surfaces on use, as FaceDatabaseError."""
    path = _db(tmp_path / "faces.db", people=1, per_person=3)
    _smash_page_of(path, "chips")
    with FaceDatabase(path) as db:
        with pytest.raises(FaceDatabaseError, match="damaged") as err:
            db.add_sample("Person 0", _sample(77))
        assert str(path) in str(err.value) and "backup" in str(err.value)
        with pytest.raises(FaceDatabaseError, match="damaged"):
            db.chip(db.samples()[0].id)
        assert db.sample_count() == 3  # the failed write was rolled back


def _tampered(path: Path, people: list[tuple], samples: list[tuple]) -> Path:
    """A file with our header and tables but no NOT NULL rules (as a hand-edited export could be).

    people: (id, name); samples: (person_id, embedding bytes, model id).
    """
    conn = sqlite3.connect(path)
    conn.executescript(
        """CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, notes TEXT, created TEXT);
        CREATE TABLE samples (id INTEGER PRIMARY KEY, person_id INTEGER, embedding BLOB, model_id TEXT, source TEXT,
            x0 REAL, y0 REAL, x1 REAL, y1 REAL, size REAL, sharpness REAL, digest TEXT, created TEXT);
        CREATE TABLE chips (sample_id INTEGER PRIMARY KEY, jpeg BLOB);
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE INDEX samples_person ON samples(person_id);"""
    )
    conn.executemany("INSERT INTO people (id, name, notes, created) VALUES (?, ?, '', '2026-01-01')", people)
    jpeg = encode_chip(_chip(0))
    for pid, blob, model in samples:
        cur = conn.execute(
            "INSERT INTO samples (person_id, embedding, model_id, source, digest, created) VALUES (?, ?, ?, 'x.jpg', 'd', '2026-01-01')",
            (pid, blob, model),
        )
        conn.execute("INSERT INTO chips (sample_id, jpeg) VALUES (?, ?)", (cur.lastrowid, jpeg))
    conn.execute("PRAGMA user_version = 2")
    conn.execute(f"PRAGMA application_id = {0x43534643}")
    conn.commit()
    conn.close()
    return path


GOOD = np.full(128, 0.05, "<f4").tobytes()


def test_null_names_are_damage_not_a_crash(tmp_path, capsys):
    path = _tampered(tmp_path / "tampered.db", [(1, None), (2, "Bob")], [(1, GOOD, DEFAULT_MODEL_ID), (2, GOOD, DEFAULT_MODEL_ID)])
    rc, _, err = _cli(capsys, "--db", path, "list")
    line = _one_line_error(err)
    assert rc == 1 and str(path) in line and "person 1" in line and "name" in line
    with FaceDatabase(path) as db, pytest.raises(FaceDatabaseError, match="person 1"):
        db.gallery()


@pytest.mark.parametrize(
    "people, samples, named",
    [
        ([(1, None)], [(1, GOOD, DEFAULT_MODEL_ID)], "person 1"),
        ([(1, "   ")], [(1, GOOD, DEFAULT_MODEL_ID)], "person 1"),
        ([(7, "x" * 50_000)], [(7, GOOD, DEFAULT_MODEL_ID)], "200 characters"),
        ([(1, "Ann")], [(1, np.zeros(129, "<f4").tobytes(), DEFAULT_MODEL_ID)], "sample 1 (person Ann)"),
        ([(1, "Ann")], [(1, GOOD, DEFAULT_MODEL_ID), (1, np.full(128, np.nan, "<f4").tobytes(), DEFAULT_MODEL_ID)], "sample 2 (person Ann)"),
        ([(1, "Ann")], [(1, GOOD, "someone_elses_model")], "unknown embedding model someone_elses_model"),
        ([(1, "Ann")], [(1, None, DEFAULT_MODEL_ID)], "descriptor is missing"),
    ],
)
def test_import_checks_every_row_and_refuses_the_whole_file(tmp_path, people, samples, named):
    target = _db(tmp_path / "faces.db", people=1, per_person=2)
    bad = _tampered(tmp_path / "bad.db", people, samples)
    bad_bytes = bad.read_bytes()
    with FaceDatabase(target) as db:
        before = [(s.person, s.embedding.tobytes()) for s in db.samples()]
        with pytest.raises(FaceDatabaseError) as err:
            db.import_file(bad)
        assert str(bad) in str(err.value) and named in str(err.value) and "Nothing was imported" in str(err.value)
        assert [(s.person, s.embedding.tobytes()) for s in db.samples()] == before
        assert [p.name for p in db.people()] == ["Person 0"]
    assert bad.read_bytes() == bad_bytes


def test_a_nan_descriptor_in_the_database_never_reaches_matching(tmp_path):
    path = _tampered(tmp_path / "nan.db", [(1, "Ann")], [(1, GOOD, DEFAULT_MODEL_ID), (1, np.full(128, np.nan, "<f4").tobytes(), DEFAULT_MODEL_ID)])
    with FaceDatabase(path) as db, pytest.raises(FaceDatabaseError, match="sample 2.*not finite"):
        db.gallery()


# -- read-only and unreadable ---------------------------------------------------------


def test_a_read_only_database_is_read_never_written(tmp_path, capsys):
    path = _db(tmp_path / "faces.db")
    os.chmod(path, 0o400)
    before = path.read_bytes()
    with FaceDatabase(path) as db:
        assert db.read_only
        assert [p.samples for p in db.people()] == [4, 4, 4]
        assert db.gallery().embeddings.shape == (12, 128)
        with pytest.raises(FaceDatabaseReadOnly, match="read-only"):
            db.add_sample("Eve", _sample(9))
        with pytest.raises(FaceDatabaseReadOnly):
            db.set_setting("threshold", "0.5")
    rc, out, _ = _cli(capsys, "--db", path, "list")
    assert rc == 0 and "3 people, 12 samples" in out
    rc, out, _ = _cli(capsys, "--db", path, "export", tmp_path / "copy.db")
    assert rc == 0 and (tmp_path / "copy.db").is_file()
    for action in (["remove", "Person 0"], ["import", tmp_path / "copy.db"], ["calibrate", "--apply"], ["enroll", "Eve", tmp_path / "x.png"]):
        rc, _, err = _cli(capsys, "--db", path, *action)
        line = _one_line_error(err)
        assert rc == 1 and "read-only" in line and str(path) in line
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o400  # the owner's choice stands
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("faces.db")) == ["faces.db"]  # no -wal/-shm left


def test_a_database_in_a_folder_that_cannot_be_read_is_one_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "locked" / "faces.db"
    real_stat = Path.stat

    def stat_denied(self, *a, **kw):  # what a folder without read/search permission does to a non-root user
        if self == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_stat(self, *a, **kw)

    monkeypatch.setattr(Path, "stat", stat_denied)
    with pytest.raises(FaceDatabaseError) as err:
        FaceDatabase(path)
    assert str(path) in str(err.value) and "Permission denied" in str(err.value)
    rc, _, err_text = _cli(capsys, "--db", path, "list")
    assert rc == 1 and "Permission denied" in _one_line_error(err_text)


# -- a full disk --------------------------------------------------------------------


def test_sqlite_running_out_of_room_rolls_back_and_says_where(tmp_path):
    path = _db(tmp_path / "faces.db", people=1, per_person=1)
    with FaceDatabase(path) as db:
        (pages,) = db.conn.execute("PRAGMA page_count").fetchone()
        db.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own limit: the next new page fails with SQLITE_FULL
        with pytest.raises(FaceDatabaseFull) as err:
            db.add_samples("Bob", [_sample(k) for k in range(20)])
        assert f"No space left on {tmp_path.resolve()}" in str(err.value)
        assert [p.name for p in db.people()] == ["Person 0"] and db.sample_count() == 1
        assert db.integrity_check() == "ok"
        db.conn.execute("PRAGMA max_page_count = 1073741823")
        db.add_samples("Bob", [_sample(1)])
        assert db.sample_count() == 2


class _FullDisk:
    """A connection whose statements matching ``prefix`` fail as SQLite does on a full disk (after writing ``partial``)."""

    def __init__(self, conn, prefix: str, partial: Path | None = None):
        self._conn, self._prefix, self._partial = conn, prefix, partial

    def execute(self, sql, *args):
        if sql.lstrip().upper().startswith(self._prefix):
            if self._prefix == "VACUUM INTO":
                Path(args[0][0]).write_bytes(b"SQLite format 3\x00 half a copy")
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.fixture
def full_disk(monkeypatch):
    """Every FaceDatabase opened from now on fails statements starting with the given prefix."""
    state = {}
    real_open = FaceDatabase._open

    def open_then_fill(self):
        real_open(self)
        if "prefix" in state:
            self._conn = _FullDisk(self._conn, state["prefix"])

    monkeypatch.setattr(FaceDatabase, "_open", open_then_fill)
    return state


def test_export_on_a_full_disk_leaves_no_partial_file(tmp_path, full_disk, capsys):
    path = _db(tmp_path / "faces.db", people=1, per_person=2)
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    full_disk["prefix"] = "VACUUM INTO"
    rc, out, err = _cli(capsys, "--db", path, "export", out_dir / "backup.db")
    line = _one_line_error(err)
    assert rc == 1 and f"No space left on {out_dir.resolve()}" in line
    assert list(out_dir.iterdir()) == []
    with FaceDatabase(path) as db, pytest.raises(FaceDatabaseFull):
        db.export(out_dir / "again.db")
    assert list(out_dir.iterdir()) == []


def test_export_with_enospc_from_the_file_system(tmp_path, monkeypatch):
    path = _db(tmp_path / "faces.db", people=1, per_person=1)

    def no_room(*a, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(db_transfer.os, "link", no_room)
    with FaceDatabase(path) as db, pytest.raises(FaceDatabaseFull, match="No space left on"):
        db.export(tmp_path / "out" / "backup.db")
    assert list((tmp_path / "out").iterdir()) == []


# -- the command line: enroll, thresholds, Ctrl+C ------------------------------------------


class _FakePipeline:
    """Stands in for the face models: ``plan`` says per photo name what happens (a face, no face, Ctrl+C)."""

    model_id = DEFAULT_MODEL_ID

    def __init__(self, plan: dict[str, str]):
        self.plan = plan

    def _face(self, seed: int) -> Face:
        s = _sample(seed)
        return Face(np.array([1, 2, 101, 102], np.float32), 1.0, np.zeros((5, 2), np.float32), _chip(seed), s.embedding, FaceQuality(100, 50))

    def enrollment_face(self, image, label="the image", pick=None, min_size=48):
        what = self.plan[label]
        if what == "none":
            raise NoFaceFound(label)
        if what == "interrupt":
            raise KeyboardInterrupt
        return self._face(int(what))

    def analyze(self, image):
        if self.plan.get("analyze") == "interrupt":
            raise KeyboardInterrupt
        return [self._face(0)]


@pytest.fixture
def photos(image_file, monkeypatch):
    for n in ["a.png", "b.png", "c.png", "coffee.png"]:
        image_file(n)  # flat grey: the stand-in pipeline decides what each photo holds
    plan: dict[str, str] = {}
    monkeypatch.setattr("engine.commands.faces._pipeline", lambda args: _FakePipeline(plan))
    return plan


def test_enroll_without_a_face_fails_naming_the_photo(tmp_path, photos, capsys):
    photos.update({"coffee.png": "none"})
    rc, out, err = _cli(capsys, "--db", tmp_path / "f.db", "enroll", "Nobody", tmp_path / "coffee.png")
    assert rc == 1
    last = err.strip().splitlines()[-1]
    assert "nothing was enrolled" in last and "coffee.png: No face found in coffee.png" in last and "Traceback" not in err
    with FaceDatabase(tmp_path / "f.db") as db:
        assert db.people() == []


def test_ctrl_c_during_enroll_keeps_what_was_committed(tmp_path, photos, capsys):
    photos.update({"a.png": "1", "b.png": "2", "c.png": "interrupt"})
    rc, _, err = _cli(capsys, "--db", tmp_path / "f.db", "enroll", "Ann", *(tmp_path / n for n in ("a.png", "b.png", "c.png")))
    assert rc == 130 and "Traceback" not in err and "stopped (Ctrl+C)" in err.strip().splitlines()[-1]
    with FaceDatabase(tmp_path / "f.db") as db:
        assert [s.source for s in db.samples("Ann")] == [str(tmp_path / "a.png"), str(tmp_path / "b.png")]
        assert db.integrity_check() == "ok"


def test_ctrl_c_inside_a_write_rolls_it_back(tmp_path, photos, capsys, monkeypatch):
    photos.update({"a.png": "1", "b.png": "2"})
    calls = []
    real = db_gallery.encode_chip

    def interrupted_on_second(chip, quality=92):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(chip, quality)

    monkeypatch.setattr(db_gallery, "encode_chip", interrupted_on_second)
    rc, _, err = _cli(capsys, "--db", tmp_path / "f.db", "enroll", "Ann", tmp_path / "a.png", tmp_path / "b.png")
    assert rc == 130 and "Traceback" not in err
    with FaceDatabase(tmp_path / "f.db") as db:
        assert db.sample_count() == 1 and db.integrity_check() == "ok"
        db.add_sample("Ann", _sample(5))  # the write lock was released
        assert db.sample_count() == 2


def test_ctrl_c_during_identify_is_one_line(tmp_path, photos, capsys):
    photos.update({"analyze": "interrupt"})
    rc, out, err = _cli(capsys, "--db", tmp_path / "f.db", "identify", tmp_path / "a.png")
    assert rc == 130 and _one_line_error(err.replace("convstudio: nobody is enrolled yet; every face will be Unknown\n", "")).endswith("stopped (Ctrl+C).")


@pytest.mark.parametrize("args", [["--threshold", "nan", "list"], ["--threshold", "0", "list"], ["--threshold", "inf", "list"],
                                  ["calibrate", "--far", "0"], ["calibrate", "--far", "1"], ["calibrate", "--far", "nan"]])
def test_thresholds_must_be_finite_and_in_range(tmp_path, capsys, args):
    from gui.main import main

    with pytest.raises(SystemExit) as exit_:
        main(["faces", "--db", str(tmp_path / "f.db"), *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert ("threshold must be a finite distance" in err) or ("strictly between 0 and 1" in err)


def test_a_stored_nan_threshold_is_ignored(tmp_path):
    from engine.commands.faces import threshold_of

    with FaceDatabase(tmp_path / "f.db") as db:
        db.set_setting("threshold", "nan")
        assert threshold_of(db) == 0.6
        db.set_setting("threshold", "0.42")
        assert threshold_of(db) == pytest.approx(0.42)


def test_enroll_on_a_full_disk_is_one_line_and_changes_nothing(tmp_path, photos, full_disk, capsys):
    path = _db(tmp_path / "faces.db", people=1, per_person=1)
    photos.update({"a.png": "1"})
    full_disk["prefix"] = "INSERT INTO CHIPS"
    rc, out, err = _cli(capsys, "--db", path, "enroll", "Ann", tmp_path / "a.png")
    line = _one_line_error(err)
    assert rc == 1 and f"No space left on {tmp_path.resolve()}" in line and str(path) in line
    full_disk.clear()
    with FaceDatabase(path) as db:
        assert [p.name for p in db.people()] == ["Person 0"] and db.sample_count() == 1  # Ann's row was rolled back too
        assert db.integrity_check() == "ok"


@pytest.mark.parametrize("action", [["list"], ["export", "out.db"]])
def test_reading_a_missing_database_creates_nothing(tmp_path, capsys, action):
    """`list` or `export` with a --db that does not exist says so in one line and leaves no empty file behind."""
    path = tmp_path / "typo" / "faces.db"
    args = [a if a != "out.db" else str(tmp_path / "out.db") for a in action]
    rc, _, err = _cli(capsys, "--db", path, *args)
    assert rc == 1 and "no face database" in _one_line_error(err) and str(path) in err
    assert not path.exists() and not path.parent.exists() and not (tmp_path / "out.db").exists()
