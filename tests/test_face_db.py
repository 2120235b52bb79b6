"""The face enrollment database: round trips, schema migration, cascade, export/import,
concurrency, a killed writer, corrupt and locked files."""

from __future__ import annotations

import os
import sqlite3  # only to build an old-format (v1) file by hand, as an older release wrote it
import stat
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from engine.face.db import (
    DEFAULT_MODEL_ID,
    SCHEMA_VERSION,
    FaceDatabase,
    FaceDatabaseError,
    FaceDatabaseLocked,
    NewSample,
    decode_chip,
    default_db_path,
    encode_chip,
)
from engine.jobs import run_job

ROOT = Path(__file__).resolve().parents[1]


def _chip(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 255, 150, dtype=np.float32)
    img = np.stack([np.add.outer(base, base) / 2] * 3, axis=2) + rng.normal(0, 8, (150, 150, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def _sample(seed: int, **kw) -> NewSample:
    rng = np.random.default_rng(seed)
    return NewSample(rng.normal(0, 0.1, 128).astype(np.float32), _chip(seed), source=f"photo{seed}.jpg", box=(10, 20, 110, 140), size=100, sharpness=55.5, **kw)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_default_path_settings_and_permissions(convstudio_home):
    with FaceDatabase() as db:
        assert db.path == default_db_path()
        assert str(db.path).startswith(str(convstudio_home))
        db.add_sample("Ann", _sample(1))
        assert _mode(db.path) == 0o600
        wal = Path(str(db.path) + "-wal")
        assert wal.exists() and _mode(wal) == 0o600
        conn = db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_round_trip(tmp_path):
    path = tmp_path / "faces.db"
    with FaceDatabase(path) as db:
        db.add_person("Ann Lee", notes="colleague")
        ids = db.add_samples("Ann Lee", [_sample(1), _sample(2)])
        db.add_sample("bob", _sample(3, model_id="other-model"))
        db.set_setting("threshold", "0.55")
    with FaceDatabase(path) as db:  # reopened: everything came back
        people = db.people()
        assert [(p.name, p.notes, p.samples) for p in people] == [("Ann Lee", "colleague", 2), ("bob", "", 1)]
        assert db.person("ann lee").name == "Ann Lee"  # case-insensitive names
        samples = db.samples("Ann Lee")
        assert [s.id for s in samples] == ids
        np.testing.assert_array_equal(samples[0].embedding, _sample(1).embedding)
        assert samples[0].box == (10.0, 20.0, 110.0, 140.0) and samples[0].size == 100 and samples[0].sharpness == 55.5
        assert samples[0].model_id == DEFAULT_MODEL_ID and samples[0].source == "photo1.jpg"
        chip = db.chip(ids[0])
        assert chip.shape == (150, 150, 3) and chip.dtype == np.uint8
        assert np.abs(chip.astype(int) - _chip(1).astype(int)).mean() < 6  # JPEG, close to the original
        g = db.gallery()
        assert g.embeddings.shape == (2, 128) and g.names == ["Ann Lee"]
        np.testing.assert_array_equal(g.embeddings[1], _sample(2).embedding)
        assert db.model_ids() == {DEFAULT_MODEL_ID: 2, "other-model": 1}
        assert db.get_setting("threshold") == "0.55" and db.get_setting("missing", "x") == "x"


def test_bad_input_is_refused_and_nothing_half_written(tmp_path):
    with FaceDatabase(tmp_path / "f.db") as db:
        with pytest.raises(ValueError, match="128"):
            db.add_samples("Ann", [_sample(1), NewSample(np.zeros(12, np.float32), _chip(0))])
        assert db.people() == [] and db.sample_count() == 0  # the whole transaction rolled back
        with pytest.raises(ValueError, match="name"):
            db.add_person("   ")
        with pytest.raises(KeyError):
            db.remove_person("nobody")


def test_delete_cascades(tmp_path):
    with FaceDatabase(tmp_path / "f.db") as db:
        db.add_samples("Ann", [_sample(1), _sample(2)])
        db.add_sample("Bob", _sample(3))
        assert db.remove_person("ann") == 2
        assert [p.name for p in db.people()] == ["Bob"]
        assert db.sample_count() == 1
        assert db.conn.execute("SELECT COUNT(*) FROM chips").fetchone()[0] == 1
        sid = db.samples("Bob")[0].id
        db.remove_sample(sid)
        assert db.conn.execute("SELECT COUNT(*) FROM chips").fetchone()[0] == 0


def _make_v1(path: Path) -> None:
    """A database as schema version 1 wrote it: chips inside samples, box as text, no model id."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                             notes TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);
        CREATE TABLE samples (id INTEGER PRIMARY KEY,
                              person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
                              embedding BLOB NOT NULL, chip BLOB NOT NULL, source TEXT NOT NULL DEFAULT '',
                              box TEXT, created TEXT NOT NULL);
        PRAGMA user_version = 1;
        """
    )
    conn.execute("INSERT INTO people VALUES (1, 'Old Timer', 'from v1', '2020-01-01T00:00:00+00:00')")
    conn.execute("INSERT INTO people VALUES (2, 'Second', '', '2020-01-02T00:00:00+00:00')")
    for sid, pid, seed, box in ((1, 1, 1, "10,20,110,140"), (2, 1, 2, None), (3, 2, 3, "0,0,50,60")):
        emb = _sample(seed).embedding.astype("<f4").tobytes()
        conn.execute(
            "INSERT INTO samples VALUES (?,?,?,?,?,?,?)", (sid, pid, emb, encode_chip(_chip(seed)), f"v1-{sid}.jpg", box, "2020-01-03T00:00:00+00:00")
        )
    conn.commit()
    conn.close()


def test_migration_from_v1(tmp_path):
    path = tmp_path / "old.db"
    _make_v1(path)
    with FaceDatabase(path) as db:
        assert db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [(p.name, p.notes, p.samples) for p in db.people()] == [("Old Timer", "from v1", 2), ("Second", "", 1)]
        s = db.samples("Old Timer")
        assert [x.source for x in s] == ["v1-1.jpg", "v1-2.jpg"]
        assert s[0].box == (10.0, 20.0, 110.0, 140.0) and s[0].size == 100.0
        assert s[1].box is None
        assert {x.model_id for x in s} == {DEFAULT_MODEL_ID}
        np.testing.assert_array_equal(s[0].embedding, _sample(1).embedding)
        assert db.chip(3).shape == (150, 150, 3)
        assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        db.remove_person("Old Timer")  # the cascade works on the migrated schema
        assert db.conn.execute("SELECT COUNT(*) FROM chips").fetchone()[0] == 1
        assert db.integrity_check() == "ok"


def test_newer_or_foreign_files_are_refused_untouched(tmp_path):
    newer = tmp_path / "newer.db"
    with FaceDatabase(newer) as db:
        db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(FaceDatabaseError, match="newer ConvStudio"):
        FaceDatabase(newer)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(FaceDatabaseError, match="not a faces database") as err:
        FaceDatabase(other)
    assert str(other) in str(err.value)
    assert other.read_bytes() == before


def test_corrupt_file_is_reported_never_replaced(tmp_path):
    path = tmp_path / "faces.db"
    junk = b"this is not a database " * 400
    path.write_bytes(junk)
    with pytest.raises(FaceDatabaseError) as err:
        FaceDatabase(path)
    text = str(err.value)
    assert str(path) in text and "backup" in text and "new database" in text
    assert err.value.path == str(path)
    assert path.read_bytes() == junk  # left exactly as it was


def test_damaged_pages_raise_face_database_error(tmp_path):
    path = tmp_path / "faces.db"
    with FaceDatabase(path) as db:
        db.add_samples("Ann", [_sample(i) for i in range(40)])
    data = bytearray(path.read_bytes())
    assert len(data) > 4 * 4096
    data[4096:] = b"\xff" * (len(data) - 4096)  # keep the header, smash every other page
    path.write_bytes(bytes(data))
    with pytest.raises(FaceDatabaseError) as err:
        db = FaceDatabase(path)
        db.gallery()
        db.people()
    assert str(path) in str(err.value)


def test_locked_database_gives_a_clear_message(tmp_path):
    path = tmp_path / "faces.db"
    holder = FaceDatabase(path)
    waiter = FaceDatabase(path, timeout=0.2)
    try:
        with holder.transaction():
            holder.add_person("Ann")
            with pytest.raises(FaceDatabaseLocked) as err:
                waiter.add_person("Bob")
            assert "busy" in str(err.value) and str(path) in str(err.value)
            assert [p.name for p in waiter.people()] == []  # readers still work (WAL), see only committed data
        waiter.add_person("Bob")  # once the other writer commits, writing works
        assert [p.name for p in waiter.people()] == ["Ann", "Bob"]
    finally:
        holder.close()
        waiter.close()


def test_transaction_is_all_or_nothing(tmp_path):
    with FaceDatabase(tmp_path / "f.db") as db:
        with pytest.raises(RuntimeError):
            with db.transaction():
                db.add_sample("Ann", _sample(1))
                db.add_sample("Bob", _sample(2))
                raise RuntimeError("stop")
        assert db.people() == []


def test_concurrent_writers_threads_and_process(tmp_path):
    path = tmp_path / "faces.db"
    FaceDatabase(path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), "Proc", "25"], cwd=ROOT, stdout=subprocess.PIPE, text=True, env=_env()
    )
    dbs = [FaceDatabase(path, timeout=30) for _ in range(2)]
    errors = []

    def write(db, name):
        try:
            for i in range(25):
                db.add_sample(name, _sample(i))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(db, f"T{k}")) for k, db in enumerate(dbs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert child.wait(timeout=60) == 0
    assert errors == []
    with FaceDatabase(path) as db:
        assert {p.name: p.samples for p in db.people()} == {"Proc": 25, "T0": 25, "T1": 25}
    for db in dbs:
        db.close()


def test_gallery_revision_sees_other_connections(tmp_path):
    path = tmp_path / "f.db"
    a, b = FaceDatabase(path), FaceDatabase(path)
    r0 = a.revision()
    b.add_sample("Ann", _sample(1))
    assert a.revision() != r0
    r1 = a.revision()
    a.add_sample("Ann", _sample(2))
    assert a.revision() != r1
    a.close()
    b.close()


_WRITER = r"""
import sys, numpy as np
from engine.face.db import FaceDatabase, NewSample
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
chip = np.full((150, 150, 3), 128, np.uint8)
with FaceDatabase(path, timeout=30) as db:
    for i in range(n):
        emb = np.random.default_rng(1000 + i).normal(0, 0.1, 128).astype(np.float32)
        db.add_sample(name, NewSample(emb, chip, source=f"frame{i}"))
        print(i + 1, flush=True)
"""


def _env() -> dict:
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_killed_writer_loses_nothing_committed(tmp_path):
    path = tmp_path / "faces.db"
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), "Crash", "100000"], cwd=ROOT, stdout=subprocess.PIPE, text=True, env=_env())
    committed = 0
    try:
        while committed < 30:
            line = child.stdout.readline()
            assert line, "the writer stopped early"
            committed = int(line)
    finally:
        child.kill()  # SIGKILL: no cleanup, no checkpoint
        child.wait(timeout=30)
    assert child.returncode == -9
    with FaceDatabase(path) as db:
        n = db.samples("Crash")
        assert len(n) >= committed  # every reported commit survived (maybe one more, committed before the print)
        assert [s.source for s in n] == [f"frame{i}" for i in range(len(n))]
        assert db.integrity_check() == "ok"
        assert db.gallery().embeddings.shape == (len(n), 128)


def test_export_import_merge(tmp_path):
    a = FaceDatabase(tmp_path / "a.db")
    a.add_samples("Ann", [_sample(1), _sample(2)])
    a.add_person("Carl", notes="from A")
    a.add_sample("Carl", _sample(5))
    out = a.export(tmp_path / "export.db")
    assert _mode(out) == 0o600
    with pytest.raises(FaceDatabaseError, match="already exists"):
        a.export(out)
    b = FaceDatabase(tmp_path / "b.db")
    b.add_sample("ann", _sample(1))  # same sample already there (same person, other case)
    b.add_sample("Dora", _sample(9))
    report = b.import_file(out)
    assert (report.people_added, report.people_merged, report.samples_added, report.samples_skipped) == (1, 1, 2, 1)
    assert {p.name: p.samples for p in b.people()} == {"ann": 2, "Carl": 1, "Dora": 1}
    assert b.person("Carl").notes == "from A"
    again = b.import_file(out)
    assert again.samples_added == 0 and again.samples_skipped == 3
    assert b.chip(b.samples("Carl")[0].id).shape == (150, 150, 3)
    # an old-format export is migrated on the way in, the file itself untouched
    old = tmp_path / "old.db"
    _make_v1(old)
    before = old.read_bytes()
    assert b.import_file(old).people_added == 2
    assert old.read_bytes() == before
    with pytest.raises(FaceDatabaseError):
        b.import_file(tmp_path / "missing.db")
    a.close()
    b.close()


def test_reembed_from_stored_chips(tmp_path):
    with FaceDatabase(tmp_path / "f.db") as db:
        db.add_samples("Ann", [_sample(i) for i in range(5)])
        db.add_sample("Bob", _sample(7, model_id="already-new"))

        def embed(chips: np.ndarray) -> np.ndarray:
            assert chips.shape[1:] == (150, 150, 3) and chips.dtype == np.uint8
            flat = chips.reshape(len(chips), -1).astype(np.float32)
            return flat[:, :128] / 255.0

        outcome = run_job(db.reembed(embed, "already-new", batch_size=2))
        assert outcome.result == 5
        assert db.model_ids() == {"already-new": 6}
        for s in db.samples("Ann"):
            expected = db.chip(s.id).reshape(-1)[:128].astype(np.float32) / 255.0
            np.testing.assert_allclose(s.embedding, expected)
        assert run_job(db.reembed(embed, "already-new")).result == 0


def test_chip_codec_round_trip():
    chip = _chip(4)
    back = decode_chip(encode_chip(chip))
    assert back.shape == chip.shape and np.abs(back.astype(int) - chip.astype(int)).mean() < 6


def test_importing_a_file_that_is_not_an_export_names_that_file(tmp_path):
    """The message names the file the user chose (not a private working copy) and leaves it untouched."""
    db = FaceDatabase(tmp_path / "faces.db")
    db.add_sample("Ann", _sample(1))
    bad = tmp_path / "holiday.jpg"
    bad.write_bytes(b"\xff\xd8 not a database " * 50)
    before = bad.read_bytes()
    with pytest.raises(FaceDatabaseError) as err:
        db.import_file(bad)
    text = str(err.value)
    assert err.value.path == str(bad)
    assert str(bad) in text and "import.db" not in text
    assert "export" in text.lower()  # says what an importable file is
    assert bad.read_bytes() == before
    assert {p.name: p.samples for p in db.people()} == {"Ann": 1}  # nothing merged, nothing lost
    db.close()


def test_export_is_private_from_its_first_byte(tmp_path, monkeypatch):
    """The export is created 0600 before any data is written, not tightened afterwards."""
    db = FaceDatabase(tmp_path / "faces.db")
    db.add_sample("Ann", _sample(1))
    old = os.umask(0o022)
    try:
        monkeypatch.setattr("engine.face.db.transfer.os.chmod", lambda *a, **k: None)  # no later repair
        out = db.export(tmp_path / "export.db")
    finally:
        os.umask(old)
    assert _mode(out) == 0o600
    monkeypatch.undo()
    with FaceDatabase(out) as copy:
        assert {p.name: p.samples for p in copy.people()} == {"Ann": 1}
    db.close()


def test_a_database_that_cannot_be_created_is_a_clear_error(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where a folder would have to be")
    target = blocker / "faces.db"
    with pytest.raises(FaceDatabaseError) as err:
        FaceDatabase(target)
    assert err.value.path == str(target) and "Cannot create" in str(err.value)
    assert blocker.read_text() == "a file where a folder would have to be"
