"""Newest-frame-wins under a slow detector, camera failure and recovery, every-frame files."""

from __future__ import annotations

import threading
import time

import numpy as np
import torch

from engine.detect import Candidates, Detector
from engine.detect.pipeline import DetectionPipeline, DetectSettings, detection_job
from engine.detect.reader import LatestFrameReader
from engine.detect.sources import CameraError, ImageSource, Source
from engine.jobs import CancelToken, run_job


class CountingSource(Source):
    """A live source that produces frames at ``fps``, each stamped with its number in pixel (0, 0)."""

    live = True

    def __init__(self, fps: float = 200.0):
        self.name = "counter"
        self.fps = fps
        self.n = 0
        self.closed = 0
        self._next = 0.0

    def open(self):
        self._next = time.monotonic()

    def read(self):
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next += 1.0 / self.fps
        img = np.zeros((32, 48, 3), np.uint8)
        img[0, 0, 0], img[0, 0, 1] = self.n % 256, self.n // 256
        self.n += 1
        return img

    def close(self):
        self.closed += 1


class SlowDetector(Detector):
    """Finds one box per frame after sleeping ``delay`` seconds."""

    def __init__(self, delay: float):
        self.name = "slow"
        self.class_names = ["thing"]
        self.delay = delay
        self.seen: list[int] = []

    def candidates(self, image, score_threshold):
        self.seen.append(int(image[0, 0, 0]) + 256 * int(image[0, 0, 1]))
        time.sleep(self.delay)
        boxes = torch.tensor([[1.0, 1.0, 20.0, 20.0], [2.0, 2.0, 21.0, 21.0]])
        return Candidates(boxes, torch.tensor([0.9, 0.8]), torch.zeros(2, dtype=torch.int64), {"model_ms": self.delay * 1e3})


def test_newest_frame_wins_and_latency_stays_bounded():
    source, det = CountingSource(fps=200.0), SlowDetector(0.05)
    pipe = DetectionPipeline(source, det, DetectSettings(score_threshold=0.5, iou_threshold=0.5))
    results = list(pipe.run(max_frames=25))
    assert len(results) == 25 and all(r.error is None for r in results)
    # each processed frame is (nearly) the newest produced: big jumps in frame number, never backwards
    gaps = np.diff(det.seen)
    assert (gaps > 0).all() and np.median(gaps) >= 5
    dropped = results[-1].stats.dropped
    assert dropped >= 0.6 * (det.seen[-1] - len(det.seen))
    # latency does not grow: the last frames are as fresh as the first ones
    lat = [r.stats.latency_ms for r in results]
    assert max(lat[-5:]) < 4 * 50 + 100
    assert np.mean(lat[-5:]) < np.mean(lat[:5]) + 60
    assert results[-1].detections.num_raw == 2 and len(results[-1].detections) == 1  # NMS ran
    assert source.closed >= 1  # the reader released the source


class FlakyCamera(Source):
    """Fails to open twice (busy), delivers 5 frames, is unplugged (read fails twice), then comes back."""

    live = True

    def __init__(self):
        self.name = "flaky"
        self.events: list[str] = []
        self.opens = 0
        self.frames = 0
        self.fps = 100.0

    def open(self):
        self.opens += 1
        if self.opens <= 2 or self.opens == 4:
            self.events.append("open-fail")
            raise CameraError("Camera 0 could not be opened: it is not connected, or another program is using it.")
        self.events.append("open")

    def read(self):
        time.sleep(0.01)
        self.frames += 1
        if self.frames == 6:
            self.events.append("unplugged")
            raise CameraError("Camera 0 stopped delivering frames (unplugged or taken by another program).")
        return np.full((16, 16, 3), self.frames % 250, np.uint8)


def test_camera_failure_is_reported_and_the_pipeline_recovers():
    cam = FlakyCamera()
    pipe = DetectionPipeline(cam, SlowDetector(0.0), retry_interval=0.05)
    errors, frames = [], 0
    saw_error_after_frames = False
    for result in pipe.run(status_interval=0.02):
        if result.error:
            errors.append(result.error)
            saw_error_after_frames = saw_error_after_frames or frames > 0
        else:
            frames += 1
            if saw_error_after_frames and frames >= 8:
                break
    assert any("could not be opened" in e for e in errors)
    assert any("stopped delivering" in e or "could not be opened" in e for e in errors)
    assert saw_error_after_frames and frames >= 8
    assert "unplugged" in cam.events and cam.events.count("open") >= 2


def test_reader_reports_error_without_blocking():
    class Missing(Source):
        live = True
        name = "missing"

        def open(self):
            raise CameraError("Camera 3 could not be opened")

        def read(self):
            raise AssertionError("never read")

    reader = LatestFrameReader(Missing(), retry_interval=0.05).start()
    t0 = time.monotonic()
    assert reader.get(timeout=0.3) is None
    assert time.monotonic() - t0 < 1.0
    assert reader.error == "Camera 3 could not be opened"
    reader.stop()


def test_every_frame_mode_processes_all_frames_without_drops():
    frames = [np.full((20, 20, 3), i, np.uint8) for i in range(12)]

    class Clip(Source):
        name = "clip"
        live = False

        def open(self):
            self.i = 0

        def read(self):
            if self.i >= len(frames):
                return None
            self.i += 1
            return frames[self.i - 1]

    det = SlowDetector(0.01)
    det.seen = []
    results = list(DetectionPipeline(Clip(), det, every_frame=True).run())
    assert [int(r.frame[0, 0, 0]) for r in results] == list(range(12))
    assert results[-1].stats.dropped == 0


def test_pipeline_as_job_can_be_cancelled_and_settings_change_on_next_frame():
    source = ImageSource(image=np.zeros((24, 24, 3), np.uint8), repeat=None, name="still")
    det = SlowDetector(0.0)
    pipe = DetectionPipeline(source, det, DetectSettings(iou_threshold=0.5))
    cancel = CancelToken()
    kept: list[int] = []

    def on_progress(p):
        kept.append(len(p.partial.detections))
        if len(kept) == 3:
            pipe.settings = pipe.settings.with_(iou_threshold=0.95)  # the two boxes overlap at IoU 0.81
        if len(kept) == 8:
            cancel.cancel()

    outcome = run_job(detection_job(pipe), on_progress, cancel)
    assert outcome.cancelled
    assert kept[:3] == [1, 1, 1] and kept[-1] == 2
    assert threading.active_count() < 20


def test_list_cameras_probes_in_parallel_names_them_and_survives_a_hung_driver(monkeypatch):
    import cv2

    import engine.detect.sources as sources

    class FakeCapture:
        def __init__(self, index, backend=None):
            self.index = index
            if index == 3:
                time.sleep(3.0)  # a driver that hangs on open

        def isOpened(self):  # noqa: N802
            return self.index in (0, 2, 3)

        def get(self, prop):
            return {cv2.CAP_PROP_FRAME_WIDTH: 640.0, cv2.CAP_PROP_FRAME_HEIGHT: 480.0}.get(prop, 0.0)

        def release(self):
            pass

    monkeypatch.setattr(sources.sys, "platform", "linux")
    monkeypatch.setattr(sources.cv2, "VideoCapture", FakeCapture)
    monkeypatch.setattr(sources.os.path, "exists", lambda p: p in {f"/dev/video{i}" for i in (0, 2, 3, 5)})
    monkeypatch.setattr(sources, "_os_camera_name", lambda i: "USB Cam" if i == 0 else f"camera {i}")
    t0 = time.monotonic()
    cams = sources.list_cameras(max_index=10, timeout=0.5)
    assert time.monotonic() - t0 < 2.0  # the hung index does not stall the caller
    assert [c.index for c in cams] == [0, 2]
    assert cams[0].label == "Camera 0: USB Cam 640×480"
