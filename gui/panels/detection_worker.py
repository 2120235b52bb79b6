"""The detection loop off the GUI thread, handing frames over newest-wins."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QThread, Signal

from engine.detect import create_detector
from engine.i18n import N_
from engine.detect.pipeline import DetectionPipeline, DetectSettings, FrameResult
from engine.detect.sources import SourceError, open_source
from engine.detect.types import DetectorError
from engine.io import ImageLoadError
from engine.weights import WeightsError

__all__ = ["DetectionWorker"]

log = logging.getLogger(__name__)

#: failures the user can act on: a line in the log, no traceback
_EXPECTED = (SourceError, DetectorError, WeightsError, ImageLoadError)


class DetectionWorker(QThread):
    """Builds the detector, opens the source and runs the pipeline in a thread.

    Results go into a one-slot mailbox; ``frameReady`` is emitted only when the
    mailbox was empty, so a busy GUI thread never queues stale frames: it takes
    the newest with :meth:`take`. ``status`` carries loading and source
    messages; ``failed`` a message when the detector or source cannot start;
    ``detectorReady`` the class names, whether the weights are random and the
    detector's default score and IoU thresholds once it is built.
    """

    frameReady = Signal()
    status = Signal(str, object)  # an English msgid (N_) and its fields: the panel translates, and re-renders on a switch
    failed = Signal(str)
    detectorReady = Signal(list, bool, float, float)

    def __init__(self, source: str, detector: str, weights: str, settings: DetectSettings, every_frame: bool,
                 resolution: tuple[int, int] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.resolution = resolution
        self.source_spec, self.detector_name, self.weights = source, detector, weights
        self._settings = settings
        self.every_frame = every_frame
        self.pipeline: DetectionPipeline | None = None
        self.detector = None
        self._lock = threading.Lock()
        self._slot: FrameResult | None = None
        self._stop = threading.Event()
        self.frames_shown = 0
        self.source_name = source
        from ..jobs import track_thread

        track_thread(self, self.stop)  # closing the window stops and waits for it, whoever started it

    def set_settings(self, settings: DetectSettings) -> None:
        """Takes effect on the next frame."""
        self._settings = settings
        if self.pipeline is not None:
            self.pipeline.settings = settings

    def take(self) -> FrameResult | None:
        with self._lock:
            result, self._slot = self._slot, None
        return result

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:  # worker thread
        try:
            self.status.emit(N_("Loading {detector}…"), {"detector": self.detector_name})
            self.detector = create_detector(self.detector_name, weights=self.weights)
            self.detectorReady.emit(list(self.detector.class_names), bool(self.detector.random_weights),
                                    float(self.detector.default_score), float(self.detector.default_iou))
            source = open_source(self.source_spec, loop=True, resolution=self.resolution)
            self.pipeline = DetectionPipeline(source, self.detector, self._settings, every_frame=self.every_frame)
            self.source_name = source.name
            self.status.emit(N_("Running {detector} on {source}"), {"detector": self.detector_name, "source": source.name})
            run = self.pipeline.run()
            try:
                for result in run:
                    if self._stop.is_set():
                        break
                    with self._lock:
                        empty = self._slot is None
                        self._slot = result
                    if empty:
                        self.frameReady.emit()
            finally:
                run.close()
        except Exception as exc:  # shown in the panel; the app goes on
            if isinstance(exc, _EXPECTED):
                log.info("detection stopped: %s", exc)
            else:
                log.exception("detection failed")
            self.failed.emit(str(exc) or type(exc).__name__)
