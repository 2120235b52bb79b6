"""A face database with an unknown schema version, unreadable sample rows, or a path that is not a
regular file: every ``faces`` command answers in one line, counts what it cannot read, and never
calls a damaged gallery empty (issue 18, part 3)."""

from __future__ import annotations

import os
import sqlite3  # only to damage files by hand
import threading
from pathlib import Path

import numpy as np
import pytest

from engine.face.db import DEFAULT_MODEL_ID, FaceDatabase, FaceDatabaseError
from tests.test_face_db_guard import _cli, _db, _FakePipeline, _one_line_error

ACTIONS = [["list"], ["identify", "a.png"], ["verify", "a.png", "a.png"], ["enroll", "Eve", "a.png"],
           ["remove", "Person 0"], ["export", "copy.db"], ["import", "other.db"], ["calibrate"], ["reembed"]]


@pytest.fixture
def cli(tmp_path, image_file, monkeypatch, capsys):
    """Runs ``faces ARGS`` with a stand-in for the face models; photo names are resolved in tmp_path."""
    image_file("a.png")
    _db(tmp_path / "other.db", people=1, per_person=1)
    monkeypatch.setattr("engine.commands.faces._pipeline", lambda args: _Pipeline({"a.png": "7"}))

    def run(db: Path, action: list[str]) -> tuple[int, str, str]:
        args = [str(tmp_path / a) if a.endswith((".png", ".db")) else a for a in action]
        return _cli(capsys, "--db", db, *args)

    return run


class _Pipeline(_FakePipeline):
    def embed_chips(self, chips: np.ndarray) -> np.ndarray:
        return np.stack([np.full(128, 0.01 * (i + 1), np.float32) for i in range(len(chips))]) if len(chips) else np.zeros((0, 128), np.float32)


def _sql(path: Path, *statements: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(path)
    for s in statements:
        conn.execute(s, params) if "?" in s else conn.execute(s)
    conn.commit()
    conn.close()


# -- unknown schema versions ---------------------------------------------------------


@pytest.mark.parametrize("version", [-5, -1, 3, 2**31 - 1])
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a[0])
def test_an_unknown_schema_version_is_one_line_in_every_command(tmp_path, cli, version, action):
    path = _db(tmp_path / "faces.db", people=1, per_person=2)
    _sql(path, f"PRAGMA user_version = {version}")
    before = path.read_bytes()
    rc, _, err = cli(path, action)
    line = _one_line_error(err)
    assert rc == 1 and str(path) in line and str(version) in line and "schema" in line
    assert path.read_bytes() == before
    assert not (tmp_path / "copy.db").exists()


# -- unreadable samples ------------------------------------------------------------------------

DAMAGE = {
    "short descriptor": ("UPDATE samples SET embedding = x'00' WHERE id = 2", ()),
    "NaN descriptor": ("UPDATE samples SET embedding = ? WHERE id = 2", (np.full(128, np.nan, "<f4").tobytes(),)),
    "descriptor as text": ("UPDATE samples SET embedding = 'hello' WHERE id = 2", ()),
    "no such person": ("UPDATE samples SET person_id = x'01' WHERE id = 2", ()),
    "no embedding model": ("UPDATE samples SET model_id = '' WHERE id = 2", ()),
}


def _damaged(tmp_path: Path, kind: str, every: bool = False) -> Path:
    path = _db(tmp_path / "faces.db", people=2, per_person=2)  # samples 1, 2 (Person 0) and 3, 4 (Person 1)
    sql, params = DAMAGE[kind]
    _sql(path, sql.replace("WHERE id = 2", "") if every else sql, params=params)
    return path


@pytest.mark.parametrize("kind", DAMAGE)
def test_unreadable_samples_are_counted_not_skipped(tmp_path, kind):
    path = _damaged(tmp_path, kind)
    with FaceDatabase(path) as db:
        assert db.unreadable_samples() == [2]
        assert db.sample_count() == 4
        with pytest.raises(FaceDatabaseError) as err:
            db.gallery()
    text = str(err.value)
    assert "1 of 4 samples are unreadable" in text and "sample 2" in text and "reembed" in text and "export" in text


@pytest.mark.parametrize("kind", DAMAGE)
def test_list_never_shows_a_damaged_gallery_as_whole_or_empty(tmp_path, cli, kind):
    path = _damaged(tmp_path, kind, every=True)
    rc, out, err = cli(path, ["list"])
    line = _one_line_error(err)
    assert rc == 1 and "4 of 4 samples" in line and "unreadable" in line and "reembed" in line and "export" in line
    assert "2 people" in out  # the people are still listed


@pytest.mark.parametrize("kind", DAMAGE)
def test_identify_says_damaged_not_nobody_enrolled(tmp_path, cli, kind):
    path = _damaged(tmp_path, kind, every=True)
    before = path.read_bytes()
    rc, out, err = cli(path, ["identify", "a.png"])
    line = _one_line_error(err)
    assert rc == 1 and "nobody is enrolled" not in err + out and "4 of 4 samples are unreadable" in line
    assert path.read_bytes() == before


def test_enroll_into_a_damaged_gallery_says_so(tmp_path, cli):
    path = _damaged(tmp_path, "short descriptor")
    rc, out, err = cli(path, ["enroll", "Eve", "a.png"])
    assert rc == 0 and "Traceback" not in err
    assert "1 of 5 samples" in err.strip().splitlines()[-1] and "unreadable" in err


@pytest.mark.parametrize("kind", ["short descriptor", "NaN descriptor", "descriptor as text", "no embedding model"])
def test_reembed_repairs_unreadable_descriptors_from_their_chips(tmp_path, cli, kind):
    path = _damaged(tmp_path, kind)
    rc, out, err = cli(path, ["reembed"])
    assert rc == 0 and "1 sample(s)" in out
    with FaceDatabase(path) as db:
        assert db.unreadable_samples() == []
        assert db.gallery().embeddings.shape == (4, 128)
    rc, out, err = cli(path, ["list"])
    assert rc == 0 and err == "" and "2 people, 4 samples" in out


# -- not a regular file ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a[0])
def test_a_fifo_as_db_is_refused_without_waiting(tmp_path, cli, action):
    fifo = tmp_path / "faces.db"
    os.mkfifo(fifo)
    done: list = []
    worker = threading.Thread(target=lambda: done.append(cli(fifo, action)), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # unblock the reader so the test run can end, then fail
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(5)
        pytest.fail("opening a FIFO as the face database blocked")
    rc, _, err = done[0]
    line = _one_line_error(err)
    assert rc == 1 and str(fifo) in line and "not a regular file" in line


def test_a_link_to_a_device_is_refused(tmp_path):
    link = tmp_path / "zero.db"
    link.symlink_to("/dev/zero")
    with pytest.raises(FaceDatabaseError, match="not a regular file"):
        FaceDatabase(link)


def test_a_link_to_a_real_database_still_opens(tmp_path):
    path = _db(tmp_path / "faces.db", people=1, per_person=1)
    (tmp_path / "link.db").symlink_to(path)
    with FaceDatabase(tmp_path / "link.db") as db:
        assert db.sample_count() == 1 and db.gallery(DEFAULT_MODEL_ID).embeddings.shape == (1, 128)
