"""The convstudio command line: info, models, screenshots."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from PIL import Image

from engine import weights
from gui.main import main

ROOT = Path(__file__).resolve().parents[1]


def test_info_json(capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["torch"] == torch.__version__
    assert info["device"] == "cpu" or info["cuda_available"]
    assert Path(info["weights_dir"]).is_dir()


def test_models_list_json(capsys):
    assert main(["models", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = {r["name"] for r in rows}
    assert "ssdlite320_mobilenet_v3_large" in names
    assert all(r["status"] == "missing" for r in rows)


def test_models_import_and_verify(capsys, tmp_path, monkeypatch):
    def build():
        return nn.Linear(2, 2)

    entry = weights.WeightsEntry("lin2", "test", "linear", build, "https://example.invalid/lin2-abcdef12.pth", 0.01, "abcdef12", "t", "t")
    monkeypatch.setitem(weights.REGISTRY, "lin2", entry)
    f = tmp_path / "w.pth"
    torch.save(build().state_dict(), f)
    assert main(["models", "import", "lin2", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "imported"
    assert main(["models", "verify", "lin2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"lin2": "imported"}
    assert main(["models", "import", "nope", str(f)]) == 1


def test_bad_device_is_reported(capsys):
    assert main(["--device", "tpu", "info"]) == 2
    assert "device" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert main(["--device", "cuda", "info"]) == 2
        assert "no CUDA device" in capsys.readouterr().err


def test_screenshots_writes_a_nonblank_png_per_panel(tmp_path):
    out = tmp_path / "shots"
    proc = subprocess.run(
        [sys.executable, "-m", "gui.main", "screenshots", str(out), "--size", "1024x700", "--only", "welcome", "models", "--theme", "dark"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from gui.context import make_settings

    assert make_settings().value("theme") is None, "screenshots must not change the user's settings"
    for panel_id in ("welcome", "models"):
        img = np.asarray(Image.open(out / f"{panel_id}.png").convert("RGB"))
        assert img.shape[:2] == (700, 1024)
        assert img.std() > 5, f"{panel_id}.png looks blank"


def test_screenshots_leave_the_users_face_database_alone(tmp_path):
    from engine.face.db import default_db_path

    proc = subprocess.run(
        [sys.executable, "-m", "gui.main", "screenshots", str(tmp_path / "shots"), "--only", "faces"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "shots" / "faces.png").is_file()
    assert not default_db_path().exists(), "screenshots created a face database in the user's data folder"


def test_models_import_of_an_unknown_name_reads_plainly(capsys, tmp_path):
    f = tmp_path / "w.pth"
    torch.save({"w": torch.zeros(1)}, f)
    assert main(["models", "import", "nope", str(f)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("convstudio: unknown weights 'nope'; known: ")


def test_screenshots_name_an_unknown_panel(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "gui.main", "screenshots", str(tmp_path / "shots"), "--only", "welcome", "nosuch"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 1
    assert "nosuch" in proc.stdout and "unknown panel" in proc.stdout and "grid_detector" in proc.stdout
    assert (tmp_path / "shots" / "welcome.png").exists()


def test_json_output_keeps_non_ascii_text_readable(capsys):
    """--json writes names like 王小明 as UTF-8, not \\u escapes, and stays valid JSON."""
    import json as _json

    from engine.cli import print_json

    print_json({"name": "王小明", "shape": "55×55×96"})
    out = capsys.readouterr().out
    assert "王小明" in out and "\\u" not in out
    assert _json.loads(out) == {"name": "王小明", "shape": "55×55×96"}


def test_faces_list_json_prints_chinese_names(tmp_path, capsys):
    from engine.face.db import FaceDatabase
    from gui.main import main

    db_path = tmp_path / "people.db"
    with FaceDatabase(db_path) as db:
        db.add_person("王小明")
    assert main(["faces", "--db", str(db_path), "list", "--json"]) == 0
    out = capsys.readouterr().out
    assert "王小明" in out


def _main_no_escape(argv) -> int:
    """``main(argv)``; a KeyboardInterrupt that escapes the command line fails the test instead of stopping pytest."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        raise AssertionError(f"KeyboardInterrupt escaped from convstudio {' '.join(argv)}") from None


def _ctrl_c_at_progress(monkeypatch, when) -> None:
    """Every command's progress callback raises KeyboardInterrupt at the first report ``when(progress)`` accepts."""
    import engine.cli

    def printer(enabled: bool = True):
        def show(progress) -> None:
            if when(progress):
                raise KeyboardInterrupt

        return show

    monkeypatch.setattr(engine.cli, "progress_printer", printer)


def _assert_stopped(code: int, err: str) -> None:
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "stopped" in err.strip().splitlines()[-1]


def test_ctrl_c_stops_jobs_with_one_line_and_keeps_what_matters(tmp_path, capsys, monkeypatch):
    from engine.io import save_image
    from engine.samples import sample_image
    from engine.style import TransformerNet, save_transformer

    # conv export: stopped mid-way, no half-written animation is left
    _ctrl_c_at_progress(monkeypatch, lambda p: p.fraction is not None and p.fraction > 0.3)
    gif = tmp_path / "conv.gif"
    _assert_stopped(_main_no_escape(["conv", "export", str(gif)]), capsys.readouterr().err)
    assert not gif.exists()

    # arch train-digits
    _ctrl_c_at_progress(monkeypatch, lambda p: True)
    _assert_stopped(_main_no_escape(["arch", "train-digits", "--epochs", "1"]), capsys.readouterr().err)

    # stylize: the best image so far is written to -o
    out = tmp_path / "cat.png"
    _ctrl_c_at_progress(monkeypatch, lambda p: p.partial is not None and p.partial.step >= 3)
    code = _main_no_escape(["stylize", "sample:chelsea", "sample:mosaic", "-o", str(out), "--size", "48", "--steps", "50",
                            "--report-every", "1", "--backbone", "random", "--single-scale"])
    err = capsys.readouterr().err
    _assert_stopped(code, err)
    assert str(out) in err
    with Image.open(out) as png:
        assert png.size == (48, 32) and int(png.text["convstudio:stopped-at-step"]) >= 3

    # style train: the checkpoint is kept and the same command resumes from it
    photos = tmp_path / "photos"
    photos.mkdir()
    save_image(photos / "a.png", sample_image("astronaut")[::8, ::8])
    train = ["style", "train", "sample:mosaic", "--images", str(photos), "-o", str(tmp_path / "m.pth"), "--steps", "30",
             "--batch-size", "1", "--size", "32", "--backbone", "random", "--checkpoint-every", "0"]
    _ctrl_c_at_progress(monkeypatch, lambda p: p.partial is not None)  # the first loss report, at step 10
    code = _main_no_escape(train)
    _assert_stopped(code, capsys.readouterr().err)
    ckpt = tmp_path / "m.pth.ckpt"
    assert torch.load(ckpt, weights_only=False)["step"] == 10 and not (tmp_path / "m.pth").exists()

    # style apply on a folder
    model = save_transformer(TransformerNet(), tmp_path / "net.pth")
    _ctrl_c_at_progress(monkeypatch, lambda p: True)
    _assert_stopped(_main_no_escape(["style", "apply", str(model), str(photos), "-o", str(tmp_path / "styled")]), capsys.readouterr().err)


def test_ctrl_c_in_faces_enroll_and_identify(tmp_path, capsys, monkeypatch):
    import engine.face.enroll
    import engine.face.live
    from engine.io import save_image
    from engine.samples import sample_image

    photo = tmp_path / "a.png"
    save_image(photo, sample_image("astronaut")[::4, ::4])

    def interrupted_job(*args, **kwargs):
        yield from ()
        raise KeyboardInterrupt

    def interrupted_call(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.face.enroll, "enroll_images", interrupted_job)
    monkeypatch.setattr(engine.face.live, "recognize_image", interrupted_call)
    db = str(tmp_path / "faces.db")
    _assert_stopped(_main_no_escape(["faces", "--db", db, "--detector", "haar", "enroll", "Eileen", str(photo)]), capsys.readouterr().err)
    _assert_stopped(_main_no_escape(["faces", "--db", db, "--detector", "haar", "identify", str(photo)]), capsys.readouterr().err)


def test_a_real_sigint_ends_training_with_one_line(tmp_path):
    import signal
    import time

    from cli_process import start_cli

    err_path = tmp_path / "err.txt"
    with open(err_path, "w") as err:
        proc = start_cli("arch", "train-digits", "--epochs", "500", stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 180
            while "[" not in err_path.read_text() and time.monotonic() < deadline:  # the progress bar has started
                time.sleep(0.2)
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    text = err_path.read_text()
    # 130, or ended by SIGINT itself (which a shell also reports as 130): Python does that at exit when an
    # interrupted import inside a library left its "unhandled Ctrl+C" flag set
    assert code in (130, -signal.SIGINT), text[-2000:]
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert text.strip().splitlines()[-1] == "convstudio: stopped (Ctrl+C)"


def test_info_prints_the_config_folder(capsys):
    from engine.paths import config_dir

    assert main(["info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["config_dir"] == str(config_dir())
    assert main(["info"]) == 0
    assert any(line.startswith("settings folder ") and line.split()[-1] == str(config_dir())
               for line in capsys.readouterr().out.splitlines())


def test_yolo_refuses_grids_and_scene_counts_beyond_a_machine_in_one_line():
    from cli_process import run_cli

    for args, words in ((["train", "--grid", "10000"], "--grid must be at most 40"),
                        (["train", "--scenes", "1000000000"], "GiB of memory; at most"),
                        (["train", "--anchors", "1000"], "--anchors must be at most 9")):
        proc = run_cli("yolo", *args, "--steps", "1", timeout=120)  # unbounded: a 381 GiB array, or scenes until memory is gone
        assert proc.returncode == 2, proc.stderr[-1000:]
        err = proc.stderr.strip()
        assert len(err.splitlines()) == 1 and words in err, err


def test_expected_failures_are_logged_as_one_warning_line(caplog):
    import logging

    from engine.detect.sources import CameraError
    from engine.logs import log_failure
    from engine.weights import WeightsError
    from gui.jobs import JobThread

    log = logging.getLogger("convstudio.test")
    with caplog.at_level(logging.INFO):
        for exc in (CameraError("Camera 0 could not be opened"), WeightsError("Download of x failed: no network connection"),
                    ConnectionRefusedError("refused")):
            caplog.clear()
            log_failure(log, "job failed", exc, "Traceback (most recent call last):\n  ...")
            (record,) = caplog.records
            assert record.levelname == "WARNING" and record.exc_info is None
            assert "\n" not in record.getMessage() and str(exc) in record.getMessage()
        caplog.clear()
        log_failure(log, "job failed", ZeroDivisionError("bug"), "Traceback (most recent call last):\n  boom")
        assert caplog.records[0].levelname == "ERROR" and "boom" in caplog.records[0].getMessage()

        def camera_job():
            yield from ()
            raise CameraError("Camera 0 could not be opened: it is not connected")

        caplog.clear()
        JobThread(camera_job()).run()  # the GUI's job runner, in this thread
        levels = [r.levelname for r in caplog.records]
        assert "ERROR" not in levels and levels.count("WARNING") == 1
        assert all("Traceback" not in r.getMessage() for r in caplog.records)


def test_conv_output_into_a_closed_pipe_ends_quietly():
    from cli_process import start_cli

    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line, like `| true`
    proc = start_cli("conv", "presets", stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 141 and err.decode().strip() == "", err.decode()


def test_a_bad_argument_is_one_line_not_the_whole_usage(capsys):
    for argv, prog, words in ((["conv", "size", "nan"], "conv size", "invalid int value: 'nan'"),
                              (["faces", "--detector", "x", "list"], "faces", "invalid choice: 'x'"),
                              (["stylize", "a", "b"], "stylize", "-o/--output")):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and words in lines[0], err
        assert lines[0].startswith("convstudio: ")  # one error style for every command
        assert lines[0].endswith(f"(see convstudio {prog} --help)")
