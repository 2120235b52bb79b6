"""``convstudio detect`` on a generated video; snapshot, MP4 and JSON-lines outputs read back."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from engine.cli import build_parser, run
from engine.detect import create_detector
from engine.detect.annotate import annotate
from engine.detect.outputs import JsonlExporter, VideoRecorder, save_snapshot
from engine.samples import sample_image


def _write_clip(path, frames: int = 6) -> None:
    face = sample_image("astronaut")[::2, ::2]  # 256 x 256, the face near the top
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (320, 240))
    assert writer.isOpened()
    for i in range(frames):
        canvas = np.full((240, 320, 3), 90, np.uint8)
        canvas[:, 4 * i : 4 * i + 256][:240] = face[:240, : 320 - 4 * i][:, :256]
        writer.write(cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR))
    writer.release()


def _cli(argv, capsys):
    args = build_parser().parse_args(argv)
    code = run(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json_lines_on_a_generated_video(tmp_path, capsys):
    clip = tmp_path / "clip.mp4"
    _write_clip(clip)
    export, video = tmp_path / "dets.jsonl", tmp_path / "annotated.mp4"
    code, out, err = _cli(
        ["detect", str(clip), "--model", "haar_face", "--score", "0.5", "--iou", "0.3", "--json",
         "--export", str(export), "--save-video", str(video)], capsys)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [rec["frame"] for rec in lines] == list(range(6))  # every frame of a file, in order
    for rec in lines:
        assert set(rec["timings"]) >= {"preprocess_ms", "model_ms", "nms_ms"}
        assert len(rec["raw"]) >= len(rec["kept"])
        assert rec["weights"] == "trained"
    assert sum(len(rec["kept"]) for rec in lines) >= 5  # the face is found in (nearly) every frame
    first = lines[0]["kept"][0]
    assert first["class"] == "face" and len(first["box"]) == 4
    exported = [json.loads(line) for line in export.read_text().splitlines()]
    assert [e["kept"] for e in exported] == [rec["kept"] for rec in lines]
    cap = cv2.VideoCapture(str(video))
    n = 0
    while cap.read()[0]:
        n += 1
    assert n == 6


def test_cli_random_weights_says_so(tmp_path, capsys):
    image = tmp_path / "a.png"
    cv2.imwrite(str(image), cv2.cvtColor(sample_image("coffee")[::2, ::2], cv2.COLOR_RGB2BGR))
    code, out, err = _cli(["detect", str(image), "--model", "ssdlite320_mobilenet_v3_large", "--weights", "random", "--json"], capsys)
    assert code == 0, err
    assert "RANDOM weights" in err
    rec = json.loads(out.splitlines()[0])
    assert rec["weights"] == "random" and rec["detector"] == "ssdlite320_mobilenet_v3_large"


def test_cli_clear_errors(tmp_path, capsys):
    code, _out, err = _cli(["detect", "demo", "--model", "ssdlite320_mobilenet_v3_large"], capsys)
    assert code == 1 and "models download ssdlite320_mobilenet_v3_large" in err
    code, _out, err = _cli(["detect", str(tmp_path / "nothing.mp4"), "--model", "haar_face"], capsys)
    assert code == 2 and "no such file" in err
    code, _out, err = _cli(["detect", "demo", "--model", "no_such_model"], capsys)
    assert code == 2 and "unknown detector" in err


def test_annotate_snapshot_and_recorder_round_trip(tmp_path):
    from PIL import Image

    img = sample_image("astronaut")
    det = create_detector("haar_face").detect(img, 0.5, 0.3)
    drawn = annotate(img, det, show_raw=True)
    assert drawn.shape == img.shape and drawn is not img
    x1, y1, x2, y2 = (int(v) for v in det.boxes[0])
    assert not np.array_equal(drawn[y1 : y2 + 1, x1], img[y1 : y2 + 1, x1])  # the box's left edge is drawn
    np.testing.assert_array_equal(img, sample_image("astronaut"))  # input untouched
    path = save_snapshot(tmp_path / "snap.png", drawn, det)
    with Image.open(path) as im:
        meta = json.loads(im.text["detections"])
        assert np.array_equal(np.asarray(im.convert("RGB")), drawn)
    assert len(meta["kept"]) == len(det)
    with VideoRecorder(tmp_path / "v.mp4", fps=5) as rec:
        for _ in range(3):
            rec.write(drawn)
    cap = cv2.VideoCapture(str(tmp_path / "v.mp4"))
    ok, frame = cap.read()
    assert ok and frame.shape == (512, 512, 3)
    with JsonlExporter(tmp_path / "d.jsonl") as ex:
        ex.write(7, det, source="astronaut")
    rec = json.loads((tmp_path / "d.jsonl").read_text())
    assert rec["frame"] == 7 and rec["source"] == "astronaut" and len(rec["raw"]) == det.num_raw


def test_open_source_errors(tmp_path):
    from engine.detect.sources import FolderSource, SourceError, open_source

    with pytest.raises(SourceError, match="cam:N"):
        open_source("cam:x")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="holds no images"):
        open_source(str(tmp_path / "empty")).open()
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"{i}.png"), np.full((8, 8, 3), i, np.uint8))
    (folder / "broken.png").write_bytes(b"not a png")
    src = open_source(str(folder))
    assert isinstance(src, FolderSource)
    src.open()
    got = [src.read() for _ in range(4)]
    assert [int(g[0, 0, 0]) for g in got[:3]] == [0, 1, 2] and got[3] is None
    assert len(src.skipped) == 1


@pytest.mark.parametrize("argv, words", [
    (["--score", "2"], "between 0 and 1"), (["--iou", "-0.1"], "between 0 and 1"),
    (["--max-det", "0"], "at least 1"), (["--frames", "0"], "at least 1"), (["--score", "x"], "a number"),
])
def test_cli_rejects_out_of_range_options(argv, words, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["detect", "demo", "--model", "haar_face", *argv])
    assert exc.value.code == 2 and words in capsys.readouterr().err


def test_cli_class_filter_errors_list_the_classes(tmp_path, capsys):
    image = tmp_path / "a.png"
    cv2.imwrite(str(image), np.zeros((40, 40, 3), np.uint8))
    for wrong in ("dog", "5"):
        code, _out, err = _cli(["detect", str(image), "--model", "haar_face", "--classes", wrong], capsys)
        assert code == 2 and repr(wrong) in err and "face" in err.split("classes:")[-1]
    code, out, err = _cli(["detect", str(image), "--model", "haar_face", "--classes", "0", "--json"], capsys)
    assert code == 0, err


def test_cli_reports_skipped_files_of_a_folder(tmp_path, capsys):
    folder = tmp_path / "imgs"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.zeros((40, 40, 3), np.uint8))
    (folder / "b.png").write_bytes(b"not a png")
    code, out, err = _cli(["detect", str(folder), "--model", "haar_face", "--json"], capsys)
    assert code == 0 and len(out.splitlines()) == 1
    assert "b.png" in err and "skipped" in err


def test_cli_says_a_camera_failure_once_and_goes_on_when_it_returns(monkeypatch, capsys):
    import engine.detect.sources as sources

    class BusyThenFine(sources.Source):
        live, name, fps = True, "Camera 7", 50.0

        def __init__(self):
            self.opens = 0

        def open(self):
            self.opens += 1
            if self.opens == 1:
                raise sources.CameraError("Camera 7 could not be opened: it is not connected, or another program is using it.")

        def read(self):
            return np.zeros((32, 32, 3), np.uint8)

    monkeypatch.setattr(sources, "open_source", lambda *a, **k: BusyThenFine())
    code, out, err = _cli(["detect", "cam:7", "--model", "haar_face", "--frames", "2"], capsys)
    assert code == 0 and len(out.splitlines()) == 2
    assert err.count("could not be opened") == 1  # not once per status tick while it retries


def test_a_looping_folder_with_an_unreadable_file_keeps_playing(tmp_path):
    from engine.detect.sources import FolderSource, SourceError

    for i in range(3):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((8, 8, 3), i, np.uint8))
    (tmp_path / "x.png").write_bytes(b"not a png")
    src = FolderSource(tmp_path, loop=True)
    src.open()
    got = [src.read() for _ in range(30)]  # ten passes over the three good images
    assert all(g is not None for g in got)
    assert [int(g[0, 0, 0]) for g in got[:6]] == [0, 1, 2, 0, 1, 2]
    assert len(src.skipped) == 1 and "x.png" in src.skipped[0]  # named once, not once per pass
    (tmp_path / "0.png").write_bytes(b"broken too")
    (tmp_path / "1.png").unlink()
    (tmp_path / "2.png").write_bytes(b"")
    src.open()
    assert src.read() is None  # nothing readable: the stream ends instead of spinning
    with pytest.raises(SourceError):
        FolderSource(tmp_path / "missing").open()


def test_cli_unwritable_outputs_give_a_message_not_a_traceback(tmp_path, capsys):
    image = tmp_path / "a.png"
    cv2.imwrite(str(image), np.zeros((40, 40, 3), np.uint8))
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    code, _out, err = _cli(["detect", str(image), "--model", "haar_face", "--export", str(blocker / "d.jsonl")], capsys)
    assert code == 2 and "d.jsonl" in err and "cannot write" in err
    code, _out, err = _cli(["detect", str(image), "--model", "haar_face", "--save-video", str(blocker / "v.mp4")], capsys)
    assert code == 1 and "v.mp4" in err and "cannot write" in err


def _no_camera() -> bool:
    import glob

    from engine.detect.sources import list_cameras

    return not glob.glob("/dev/video*") and not list_cameras(max_index=2)


def test_a_camera_that_cannot_be_opened_is_an_error_not_a_wait():
    from cli_process import run_cli

    if not _no_camera():
        pytest.skip("this machine has a camera")
    for spec in (["cam:0", "--frames", "1"], ["cam:-1"]):
        proc = run_cli("detect", *spec, "--model", "haar_face", timeout=90)  # waiting forever fails on the timeout
        assert proc.returncode == 1, proc.stderr
        err = proc.stderr.strip()
        assert len(err.splitlines()) == 1 and "could not be opened" in err and "--retry" in err, err


def test_sigterm_during_save_video_leaves_a_playable_recording(tmp_path):
    import signal
    import time

    from cli_process import start_cli

    video, out_path, err_path = tmp_path / "rec.mp4", tmp_path / "out.txt", tmp_path / "err.txt"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = start_cli("detect", "demo", "--model", "haar_face", "--save-video", str(video), stdout=out, stderr=err)
        try:
            deadline = time.monotonic() + 180
            while len(out_path.read_text().splitlines()) < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    err_text = err_path.read_text()
    assert code == 0, err_text[-2000:]
    assert "Traceback" not in err_text
    assert "runs until Ctrl+C" in err_text.splitlines()[0]  # the demo says up front that it does not end by itself
    cap = cv2.VideoCapture(str(video))
    frames = 0
    while cap.read()[0]:
        frames += 1
    cap.release()
    assert frames >= 3


def test_a_closed_pipe_ends_detect_quietly():
    import subprocess

    from cli_process import start_cli

    proc = start_cli("detect", "demo", "--model", "haar_face", "--json", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = proc.stdout.readline()  # like `| head -1`: one line, then the reader goes away
        proc.stdout.close()
        code = proc.wait(timeout=90)
        err = proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert json.loads(first)["detector"] == "haar_face"
    assert code == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err


def test_detect_help_says_the_demo_runs_until_ctrl_c(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["detect", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "demo scene run until Ctrl+C" in text and "--retry" in text
