"""What the app stores for itself survives damage: kept aside, told once, salvaged, reads bounded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine import stored
from engine.course.progress import MAX_BYTES, Progress, parse_progress, progress_path
from tests.cli_process import run_cli


@pytest.fixture
def notices():
    """Collect the notices sent while the test runs."""
    got: list[str] = []
    stored.set_notice_handler(got.append)
    yield got
    stored.set_notice_handler(None)


def _good_progress() -> bytes:
    p = Progress()
    p.record("stride", 3, True)
    p.record("stride", 4, True)
    p.record("padding", 1, True)
    p.record("padding", 2, False)
    return p.path.read_bytes()


def _aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".damaged-*"))


# -- the shared helper -----------------------------------------------------------------------------

def test_read_stored_bounds_size_and_kind(tmp_path):
    f = tmp_path / "a.json"
    assert stored.read_stored(f, 10) is None  # absent: nothing to read, nothing wrong
    f.write_bytes(b"x" * 10)
    assert stored.read_stored(f, 10) == b"x" * 10
    f.write_bytes(b"x" * 11)
    with pytest.raises(stored.DamagedFile, match="larger than"):
        stored.read_stored(f, 10)
    with pytest.raises(stored.DamagedFile, match="not a regular file"):
        stored.read_stored(tmp_path, 10)
    link = tmp_path / "zero"
    link.symlink_to("/dev/zero")
    with pytest.raises(stored.DamagedFile, match="not a regular file"):
        stored.read_stored(link, 1 << 20)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(stored.DamagedFile, match="not a regular file"):  # returns at once: no writer is waited for
        stored.read_stored(fifo, 10)
    stored.check_stored(f, 11)
    with pytest.raises(stored.DamagedFile):
        stored.check_stored(fifo, 10)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(stored.DamagedFile, match="link to nothing"):
        stored.read_stored(dangling, 10)


def test_keep_aside_never_overwrites_an_earlier_copy(tmp_path, notices):
    f = tmp_path / "s.json"
    names = []
    for k in range(3):
        f.write_text(str(k))
        names.append(stored.keep_aside(f, "broken", "the thing"))
    assert not f.exists() and len(set(names)) == 3
    assert [n.read_text() for n in names] == ["0", "1", "2"]
    assert len(notices) == 3 and all("\n" not in n and "the thing" in n and "broken" in n for n in notices)


def test_notices_queue_until_a_handler_takes_them():
    stored.set_notice_handler(None)
    stored.take_notices()
    stored.notify("one")
    stored.notify("two")
    got: list[str] = []
    assert stored.set_notice_handler(got.append) == ["one", "two"]
    stored.notify("three")
    stored.set_notice_handler(None)
    assert got == ["three"] and stored.take_notices() == []


# -- course progress -------------------------------------------------------------------------------

def test_trailing_nul_keeps_every_earlier_answer(notices):
    good = _good_progress()
    path = progress_path()
    path.write_bytes(good + b"\0")
    Progress().record("stride", 5, True)  # what `course exercise stride --seed 5 --answer …` does
    p = Progress()
    assert p.solved("stride") == 3 and p.solved("padding") == 1 and p.attempts("padding") == 2
    aside = _aside(path)
    assert len(aside) == 1 and aside[0].read_bytes() == good + b"\0"  # the damaged file, byte for byte
    assert len(notices) == 1 and aside[0].name in notices[0] and "\n" not in notices[0]


@pytest.mark.parametrize("sections, kept", [
    ({"stride": {"attempts": [1], "correct_seeds": [3, 4], "last": 1.0}}, {"stride": 2}),
    ({"stride": {"attempts": 1e400, "correct_seeds": [3], "last": 1e400}}, {"stride": 1}),
    ({"stride": {"attempts": 2, "correct_seeds": 5}, "padding": {"attempts": 1, "correct_seeds": [7]}}, {"padding": 1}),
    ({"stride": {"attempts": 2, "correct_seeds": [1, "2", True, -4, 1e400, 2**70]}, "x": 7, "../..": {}}, {"stride": 1}),
    ({"stride": {"attempts": -3, "correct_seeds": [1, 2]}}, {"stride": 2}),
])
def test_wrong_types_keep_the_valid_entries(notices, sections, kept):
    path = progress_path()
    path.write_text(json.dumps({"version": 1, "sections": sections}).replace("Infinity", "1e400"), "utf-8")
    p = Progress()
    for sid, n in kept.items():
        assert p.solved(sid) == n
        assert p.attempts(sid) >= n
    assert p.sections_done() == sorted(kept)
    assert len(notices) == 1 and len(_aside(path)) == 1
    # what was salvaged is saved again, and reads back clean
    data, bad = parse_progress(path.read_bytes())
    assert not bad and {s: len(e["correct_seeds"]) for s, e in data.items() if e["correct_seeds"]} == kept
    Progress()
    assert len(notices) == 1  # told once


@pytest.mark.parametrize("blob", [b"[" * 200_000, b"{" * 200_000, b"\xff\xfe garbage", b"", b"null", b"[1, 2]",
                                  b'{"version": 99, "sections": {}}', b'{"sections": "stride"}'])
def test_unusable_files_start_afresh_without_a_traceback(notices, blob):
    path = progress_path()
    path.write_bytes(blob)
    p = Progress()
    assert p.to_dict() == {}
    assert [x.read_bytes() for x in _aside(path)] == [blob] and len(notices) == 1
    p.record("stride", 1, True)
    assert Progress().solved("stride") == 1


def test_oversized_progress_is_kept_aside_unread(notices):
    path = progress_path()
    path.write_bytes(b" " * (MAX_BYTES + 1))
    assert Progress().to_dict() == {}
    assert "larger than" in notices[0] and len(_aside(path)) == 1


def test_a_file_that_cannot_be_kept_aside_is_never_written_over(notices, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "course_progress.json"
    path.write_bytes(b"{broken")
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running with a permission override (root)")
        p = Progress(path)
        p.record("stride", 1, True)
        assert path.read_bytes() == b"{broken" and "left as it is" in notices[0]
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_cli_course_commands_survive_a_fifo_or_dev_zero(convstudio_home, kind):
    path = convstudio_home / "config" / "course_progress.json"
    path.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    r = run_cli("course", "exercise", "stride", "--seed", "3", "--answer", "0", timeout=60)
    assert "Traceback" not in r.stderr and r.returncode in (0, 1)
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "kept as course_progress.json.damaged-" in lines[0]
    assert path.is_file() and not path.is_symlink()
    assert json.loads(path.read_text())["sections"]["stride"]["attempts"] == 1
    r = run_cli("course", "progress", "--json", timeout=60)
    assert r.returncode == 0 and r.stderr == ""  # told once


def test_cli_nul_damage_is_told_in_one_line_and_answers_kept(convstudio_home):
    good = _good_progress()
    progress_path().write_bytes(good + b"\0")
    r = run_cli("course", "exercise", "stride", "--seed", "3", "--answer", "0", timeout=60)
    assert "Traceback" not in r.stderr
    assert [x for x in r.stderr.splitlines() if x.strip()][0].startswith("convstudio: the course progress file")
    assert Progress().solved("stride") == 2 and Progress().solved("padding") == 1


# -- the weights manifest --------------------------------------------------------------------------

def test_damaged_manifest_keeps_valid_records(notices):
    from engine import weights

    path = weights.weights_dir() / "manifest.json"
    good = {"file": "resnet18.pth", "sha256": "a" * 64, "origin": "import", "size": 10, "mtime": 1.5}
    path.write_text(json.dumps({"resnet18": good, "vgg16": {**good, "size": [1]}, "nope": good,
                                "alexnet": {**good, "mtime": 1e400}}).replace("Infinity", "1e400"))
    assert weights._read_manifest() == {"resnet18": good}
    assert len(notices) == 1 and len(_aside(path)) == 1
    assert json.loads(path.read_text()) == {"resnet18": good} and weights._read_manifest() == {"resnet18": good}
    assert len(notices) == 1


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "nested", "nul"])
def test_unusable_manifest_never_stops_a_status_check(notices, kind):
    from engine import weights

    path = weights.weights_dir() / "manifest.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "nested":
        path.write_text("[" * 200_000)
    else:
        path.write_bytes(b"{}\0")
    assert weights.status("resnet18") == weights.STATUS_MISSING
    assert weights._read_manifest() == {}
    assert len(notices) == 1 and len(_aside(path)) == 1


# -- the settings file -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "huge"])
def test_settings_that_are_not_a_small_regular_file_are_kept_aside(qapp, notices, convstudio_home, kind):
    from gui.context import SETTINGS_MAX_BYTES, make_settings

    path = convstudio_home / "config" / "settings.ini"
    path.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"[General]\n" + b"x" * SETTINGS_MAX_BYTES)
    settings = make_settings()
    settings.setValue("theme", "dark")
    settings.sync()
    assert path.is_file() and "theme=dark" in path.read_text()
    assert len(notices) == 1 and len(_aside(path)) == 1


def test_malformed_settings_keep_their_readable_keys(qapp, notices, convstudio_home):
    from gui.context import make_settings

    path = convstudio_home / "config" / "settings.ini"
    path.parent.mkdir(parents=True)
    blob = b"[General]\ntheme=dark\nlast_panel=course\n[[[[\n=\n"
    path.write_bytes(blob)
    settings = make_settings()
    assert settings.value("theme") == "dark" and settings.value("last_panel") == "course"
    assert [x.read_bytes() for x in _aside(path)] == [blob] and len(notices) == 1
    make_settings()
    assert len(notices) == 1


GARBAGE_SETTINGS = (b"[General]\nlanguage=@Variant(garbage)\ntheme=\\0\\0\nlast_panel=@ByteArray(\\xff)\n"
                    b"device=cuda:999999999999999999999\nshape_order=1e400\nrecent_files=@Variant(\\0\\0\\0\\x7f)\n"
                    b"geometry=@ByteArray(zzzz)\n[faces]\ndb=/dev/null\\0x\ndetector=[1]\ndistance=\\xff\n"
                    b"[architectures]\nmodel=@Invalid()\n[course]\nsection=[[[[\n")


def test_window_shows_every_panel_whatever_the_settings_hold(qtbot, tmp_path, convstudio_home):
    from PySide6.QtCore import QSettings

    from gui.window import MainWindow

    ini = tmp_path / "settings.ini"
    ini.write_bytes(GARBAGE_SETTINGS)
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    win._quiet_dialogs = True
    qtbot.addWidget(win)
    win.show()
    for pid in win.panel_ids():
        win.switch_to(pid)
        qtbot.wait(1)
    assert win.theme == "light" and win.recent_files() == []
    faces = win.panel_model("faces")
    assert faces.detector == "mmod" and "\0" not in str(faces.db_path)
    win.close()


def test_window_shows_a_notice_in_its_status_bar(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from gui.window import MainWindow

    stored.set_notice_handler(None)
    stored.notify("the course progress file was damaged")
    win = MainWindow(panel_classes=[], settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    assert win.statusBar().currentMessage() == "The course progress file was damaged"
    stored.notify("second line")
    qtbot.waitUntil(lambda: win.statusBar().currentMessage() == "Second line")
    win.close()
    stored.set_notice_handler(None)


# -- a damaged translation catalogue ---------------------------------------------------------------

@pytest.mark.parametrize("blob", [b"", b"garbage" * 100, b"\xde\x12\x04\x95" + b"\0" * 10])
def test_a_damaged_catalogue_falls_back_to_english(tmp_path, monkeypatch, notices, blob):
    from engine import i18n

    mo = tmp_path / "zh_CN" / "LC_MESSAGES" / "convstudio.mo"
    mo.parent.mkdir(parents=True)
    mo.write_bytes(blob)
    monkeypatch.setattr(i18n, "catalogue_dir", lambda: tmp_path)
    i18n.reload_catalogues()
    try:
        assert i18n.set_language("zh_CN") == "zh_CN"
        assert i18n._("Start") == "Start" and i18n.translate_to("Stop", "zh_CN") == "Stop"
        assert len(notices) == 1 and "English" in notices[0] and "\n" not in notices[0]
    finally:
        i18n.set_language("en")
        monkeypatch.undo()
        i18n.reload_catalogues()


def test_cli_with_a_damaged_catalogue_speaks_english(tmp_path):
    import shutil
    import subprocess
    import sys

    from tests.cli_process import ROOT, _cap, _env

    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "engine", tree / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "gui", tree / "gui", ignore=shutil.ignore_patterns("__pycache__"))
    (tree / "engine" / "i18n" / "zh_CN" / "LC_MESSAGES" / "convstudio.mo").write_bytes(b"truncated")
    r = subprocess.run([sys.executable, "-m", "gui.main", "course", "exercise", "stride", "--seed", "1"], cwd=tree,
                       env={**_env(), "CONVSTUDIO_LANG": "zh_CN", "PYTHONPATH": str(tree)}, capture_output=True,
                       text=True, timeout=120, preexec_fn=_cap)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-1500:]
    assert "Exercise stride, seed 1" in r.stdout
    assert [x for x in r.stderr.splitlines() if x.strip()] == [
        "convstudio: the 简体中文 translation cannot be read (Bad magic number); the texts are shown in English"]


# -- the landmark model's cache --------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "garbage", "wrong shapes"])
def test_damaged_landmark_cache_is_kept_aside_and_rebuilt(notices, kind):
    import numpy as np
    import torch

    from engine.face import landmarks
    from engine.face.dlib_format import read_shape_predictor
    from engine.face.files import models_files
    from engine.files import save_torch

    src = models_files().landmarks5
    cache = landmarks._cache_file(src)
    cache.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(cache)
    elif kind == "dev-zero":
        cache.symlink_to("/dev/zero")
    elif kind == "garbage":
        cache.write_bytes(os.urandom(4096))
    else:
        good = landmarks._to_tensors(read_shape_predictor(src))
        good["0.idx1"] = torch.full_like(good["0.idx1"], 10**6)  # feature indices far past the features
        save_torch(good, cache)
    data = landmarks.load_shape_predictor(src)
    ref = read_shape_predictor(src)
    assert np.array_equal(data.initial_shape, ref.initial_shape) and len(data.forests) == len(ref.forests)
    assert len(notices) == 1 and "landmark" in notices[0] and len(_aside(cache)) == 1
    assert cache.is_file() and not cache.is_symlink()  # rebuilt
    again = landmarks.load_shape_predictor(src)
    assert np.array_equal(again.forests[0].idx1, ref.forests[0].idx1) and len(notices) == 1


# -- metadata inside trained checkpoints -----------------------------------------------------------

BAD_META = {"map50": [1], "map50_95": 1e400, "minutes": "long", "threads": True, "steps": -4, "val_scenes": 10,
            "curves": {"step": [1, 2], "objectness": [1.0], "box": [], "cls": [], "total": []},
            "per_class_ap50": {"a": "x"}, "evil": object.__name__}


def test_grid_checkpoint_meta_is_checked_field_by_field(tmp_path):
    from engine.yolo.detector import TRAINED_TITLE, trained_title
    from engine.yolo.grid import GridSpec
    from engine.yolo.model import GridNet
    from engine.yolo.predict import load_grid_model, save_checkpoint

    spec = GridSpec(7, 112, ((1.0, 1.0),), ("a",))
    path = save_checkpoint(tmp_path / "g.pt", GridNet(1, 1, 4), spec, BAD_META)
    assert load_grid_model(path).meta == {"val_scenes": 10}
    assert trained_title(path) == TRAINED_TITLE  # no mAP to show, and no exception
    good = {**BAD_META, "map50": 0.5, "map50_95": 0.25}
    path = save_checkpoint(tmp_path / "h.pt", GridNet(1, 1, 4), spec, good)
    assert trained_title(path) == f"{TRAINED_TITLE}, mAP@0.5 0.50"


def test_digits_meta_is_checked_field_by_field(tmp_path):
    from engine.train.digits import build_lenet5, load_trained_lenet, save_trained

    meta = {"accuracy": [1], "confusion": 5, "seconds": 1e400, "epochs": 3, "trained_at": "today"}
    path = save_trained(build_lenet5(), meta, tmp_path / "d.pt")
    _model, got = load_trained_lenet(path)
    assert got == {"epochs": 3, "trained_at": "today"}
