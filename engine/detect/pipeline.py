"""The live detection loop: newest frame → detector → annotation, with honest timings.

    pipe = DetectionPipeline(open_source("demo"), create_detector("haar_face"))
    for result in pipe.run(max_frames=100):
        show(result.annotated); print(result.stats.fps, result.stats.dropped)

:attr:`DetectionPipeline.settings` and :attr:`DetectionPipeline.detector` may be
replaced from another thread at any time; the next frame uses them. With a
live source the reader keeps only the newest frame, so latency stays bounded
by one frame period plus one detector run however slow the detector is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Iterator

import numpy as np

from ..i18n import _
from ..jobs import Job, Progress
from .annotate import annotate
from .reader import LatestFrameReader, SequentialReader
from .sources import Source
from .types import Detections, Detector

__all__ = ["DetectSettings", "FrameStats", "FrameResult", "DetectionPipeline", "detection_job"]


@dataclass(frozen=True)
class DetectSettings:
    """What the sliders and toggles hold; read once per frame.

    classes: label indices to keep (``None`` = all).
    """

    score_threshold: float = 0.5
    iou_threshold: float = 0.5
    class_agnostic: bool = False
    classes: tuple[int, ...] | None = None
    max_detections: int = 100
    show_raw: bool = True
    annotate: bool = True

    def with_(self, **changes) -> "DetectSettings":
        """A copy with some fields changed."""
        return replace(self, **changes)


@dataclass
class FrameStats:
    """Per-frame timings (ms) and counters.

    model_ms: the network forward (or OpenCV's detector). nms_ms: our NMS.
    other_ms: everything else on the frame's path (pre-processing, decoding
    the network's output, annotation, hand-off); capture_ms: reading/decoding
    the frame in the reader thread. latency_ms: capture to annotated result.
    fps: results per second (moving average). dropped: frames dropped so far.
    """

    index: int = 0
    model_ms: float = 0.0
    nms_ms: float = 0.0
    other_ms: float = 0.0
    capture_ms: float = 0.0
    latency_ms: float = 0.0
    fps: float = 0.0
    dropped: int = 0
    raw_count: int = 0
    kept_count: int = 0

    def line(self) -> str:
        """A one-line summary for a status bar."""
        return _(
            "{fps} FPS · model {model:.1f} ms · NMS {nms:.2f} ms · other {other:.1f} ms"
            " · latency {latency:.0f} ms · dropped {dropped} · raw {raw} → kept {kept}"
        ).format(fps=f"{self.fps:.1f}" if self.fps else "–", model=self.model_ms, nms=self.nms_ms, other=self.other_ms,
                 latency=self.latency_ms, dropped=self.dropped, raw=self.raw_count, kept=self.kept_count)


@dataclass
class FrameResult:
    """One processed frame, or a status report while the source is failing.

    frame: the source frame (H, W, 3) uint8 RGB; annotated: with boxes drawn
    (``None`` when annotation is off); error: the source's problem (then frame
    and detections are ``None``); truth: ground truth from the demo scene, if any.
    """

    frame: np.ndarray | None
    annotated: np.ndarray | None
    detections: Detections | None
    stats: FrameStats = field(default_factory=FrameStats)
    error: str | None = None
    truth: tuple[np.ndarray, np.ndarray] | None = None


class DetectionPipeline:
    """Runs ``detector`` on the newest frame of ``source``.

    every_frame: read files frame by frame at the detector's pace (no drops)
    instead of newest-frame-wins. retry_interval: seconds between attempts to
    reopen a failing source.
    """

    def __init__(self, source: Source, detector: Detector, settings: DetectSettings | None = None, every_frame: bool = False, retry_interval: float = 1.0):
        self.source = source
        self.detector = detector
        self.settings = settings or DetectSettings(score_threshold=detector.default_score, iou_threshold=detector.default_iou)
        self.every_frame = every_frame
        self.retry_interval = retry_interval
        self.reader: LatestFrameReader | SequentialReader | None = None

    def run(self, max_frames: int | None = None, status_interval: float = 0.25) -> Iterator[FrameResult]:
        """Yield one :class:`FrameResult` per processed frame until the source ends,
        ``max_frames`` are done, or the generator is closed. While the source is
        failing, a result with ``error`` set is yielded every ``status_interval`` seconds."""
        if self.every_frame:
            reader: LatestFrameReader | SequentialReader = SequentialReader(self.source)
        else:
            reader = LatestFrameReader(self.source, retry_interval=self.retry_interval)
        self.reader = reader
        reader.start()
        done = 0
        fps = 0.0
        last_end: float | None = None
        try:
            while max_frames is None or done < max_frames:
                frame = reader.get(timeout=status_interval)
                if frame is None:
                    if reader.finished:
                        return
                    if reader.error:
                        yield FrameResult(None, None, None, FrameStats(dropped=reader.dropped), error=reader.error)
                    continue
                t0 = time.perf_counter()
                s = self.settings
                det = self.detector.detect(
                    frame.image, s.score_threshold, s.iou_threshold, s.class_agnostic,
                    list(s.classes) if s.classes is not None else None, s.max_detections,
                )
                annotated = annotate(frame.image, det, show_raw=s.show_raw) if s.annotate else None
                t1 = time.perf_counter()
                now = time.monotonic()
                if last_end is not None and now > last_end:
                    inst = 1.0 / (now - last_end)
                    fps = inst if fps == 0.0 else 0.9 * fps + 0.1 * inst
                last_end = now
                total = (t1 - t0) * 1000.0
                model_ms, nms_ms = det.timings.get("model_ms", 0.0), det.timings.get("nms_ms", 0.0)
                stats = FrameStats(
                    index=frame.index, model_ms=model_ms, nms_ms=nms_ms, other_ms=max(0.0, total - model_ms - nms_ms),
                    capture_ms=frame.read_ms, latency_ms=(now - frame.captured) * 1000.0, fps=fps,
                    dropped=reader.dropped, raw_count=det.num_raw, kept_count=len(det),
                )
                truth = getattr(self.source, "last_truth", None) if self.every_frame else None
                done += 1
                yield FrameResult(frame.image, annotated, det, stats, truth=truth)
        finally:
            reader.stop()


def detection_job(pipeline: DetectionPipeline, max_frames: int | None = None) -> Job[int]:
    """The pipeline as an engine job: each result is a ``Progress.partial``;
    returns the number of frames processed. Cancel stops the reader and releases the source."""
    count = 0
    run = pipeline.run(max_frames)
    try:
        for result in run:
            if result.error is None:
                count += 1
            message = result.error or result.stats.line()
            yield Progress(None, message, partial=result)
        return count
    finally:
        run.close()
