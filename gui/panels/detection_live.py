"""The Detection panel's live loop: starting and stopping the detector worker, showing its frames,
and saving them (snapshot, recording, JSON-lines export)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QCompleter

from engine.detect.outputs import JsonlExporter, RecordError, VideoRecorder, save_snapshot
from engine.i18n import N_, _
from engine.paths import data_dir

from ..i18n import set_text
from .detection_worker import DetectionWorker

__all__ = ["LiveLoop", "DEMO_PHOTOS"]

#: demo photos (engine.samples names) and what they show
DEMO_PHOTOS = (("astronaut", N_("Demo scene (astronaut)")), ("coffee", N_("Demo scene (coffee)")),
               ("chelsea", N_("Demo scene (cat)")), ("rocket", N_("Demo scene (rocket)")))


class _LiveText:
    """A field value written in the language current when the sentence is rendered (again on a switch)."""

    def __init__(self, render) -> None:
        self._render = render

    def __str__(self) -> str:
        return self._render()

    def __format__(self, spec: str) -> str:
        return format(self._render(), spec)



class LiveLoop:
    """Methods of :class:`gui.panels.detection.DetectionPanel` that run the detector and show and save its frames
    (kept apart so the panel module stays about its controls)."""

    # -- the loop --

    def restart(self) -> None:
        self.stop()
        if self._active:
            self.start()

    def start(self) -> None:
        m = self.model
        self._update_weights_state()
        if m.weights_missing():
            self.view.set_image(None)
            self.view.placeholder = _("The weights for {detector} are not installed.\nDownload them in the Models panel, or choose an offline detector.").format(detector=m.detector)
            self.view.update()
            self.message.setText(_("Stopped: the weights for {detector} are not installed.").format(detector=m.detector))
            self.stats_label.setText("")
            self.last_result = None
            self.run_button.setText(_("Start"))
            return
        worker = DetectionWorker(m.source, m.detector, m.weights_mode(), m.settings(), m.every_frame, self._resolution(), self)
        worker.frameReady.connect(self._on_frame)
        # A stopped worker may still report while it winds down; only the current one speaks.
        worker.status.connect(lambda msgid, fields, w=worker: w is self.worker and set_text(self.message, msgid, **self._shown_fields(fields)))
        worker.failed.connect(lambda text, w=worker: w is self.worker and self._on_failed(text))
        worker.detectorReady.connect(lambda *args, w=worker: w is self.worker and self._on_detector_ready(*args))
        worker.finished.connect(lambda w=worker: self._worker_finished(w))
        self.worker = worker
        self._last_with_boxes = None  # another source, detector or settings: older frames are not this run's
        self._frames_shown = 0
        self._failing = None
        self._skipped_shown = 0
        self.run_button.setText(_("Stop"))
        worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self._old_workers.append(self.worker)
            self.worker = None
        self.run_button.setText(_("Start"))

    def _worker_finished(self, worker: DetectionWorker) -> None:
        if worker in self._old_workers:
            self._old_workers.remove(worker)
        if worker is self.worker:
            self.worker = None
            self.run_button.setText(_("Start"))
        worker.deleteLater()

    def toggle_running(self) -> None:
        if self.worker is not None:
            self.stop()
        else:
            self.start()

    def _shown_fields(self, fields: dict) -> dict:
        """A demo source's name follows the language (rendered again on a switch); other names stay as they are."""
        spec = self.model.source
        if "source" in fields and isinstance(spec, str) and spec.startswith("demo"):
            photo = spec.partition(":")[2] or "astronaut"
            name = dict(DEMO_PHOTOS).get(photo, photo)
            fields = {**fields, "source": _LiveText(lambda: _(name))}
        return fields

    def _on_detector_ready(self, names: list, random_weights: bool, score: float, iou: float) -> None:
        self.model.set_class_names(list(names))  # a filter typed before the names arrived applies now
        self.model.apply_detector_defaults(score, iou)
        self._report_unknown_classes()
        # the detector's own class names (what the filter matches) are offered as completions
        offered = self.model.offered_classes()
        self.class_edit.setCompleter(QCompleter(offered, self.class_edit))
        self.class_edit.setToolTip(_("Type class names separated by commas; the detector's names are suggested as you type."))

    def _on_failed(self, text: str) -> None:
        self.message.setText(f"<span style='color:#c0392b'>{text}</span>")
        self.stats_label.setText("")
        self.last_result = None  # a snapshot now would save the previous source's frame
        self.view.set_image(None)
        self.view.placeholder = text
        self.view.update()

    def _on_frame(self) -> None:
        worker = self.sender() if isinstance(self.sender(), DetectionWorker) else self.worker
        if worker is None or worker is not self.worker:
            return
        result = worker.take()
        if result is None:
            return
        if result.error is not None:
            # The last picture came from before the failure (or from another source): do not keep showing it.
            text = _("{error} Retrying…").format(error=result.error)
            self.stats_label.setText(f"<span style='color:#c0392b'>{text}</span>")
            if self._failing != text:
                self._failing = text
                self.message.setText(f"<span style='color:#c0392b'>{text}</span>")
                self.view.set_image(None)
                self.view.placeholder = text
                self.last_result = None
            return
        if self._failing is not None:
            self._failing = None
            set_text(self.message, N_("Running {detector} on {source}"), **self._shown_fields({"detector": worker.detector_name, "source": worker.source_name}))
        self.last_result = result
        if result.detections is not None and result.detections.num_raw:
            self._last_with_boxes = result
        self._frames_shown += 1
        skipped = getattr(worker.pipeline.source, "skipped", None) if worker.pipeline is not None else None
        if skipped and len(skipped) != self._skipped_shown:
            self._skipped_shown = len(skipped)
            self.message.setText(_("Running {detector} on {source}; skipped {n} unreadable file(s): {files}").format(
                detector=worker.detector_name, source=worker.source_name, n=len(skipped),
                files="; ".join(skipped[:3]) + (" …" if len(skipped) > 3 else "")))
        self.view.set_image(result.annotated if result.annotated is not None else result.frame)
        label = result.stats.line()
        if result.detections is not None and result.detections.random_weights:
            label = _("RANDOM WEIGHTS · {stats}").format(stats=label)
        self.stats_label.setText(label)
        if self.recorder is not None and result.annotated is not None:
            try:
                self.recorder.write(result.annotated)
            except RecordError as exc:  # stop recording rather than fail again on every frame
                self.recorder.abort()
                self.recorder = None
                with QSignalBlocker(self.record_button):
                    self.record_button.setChecked(False)
                self.record_button.setText(_("Record"))
                self.message.setText("<span style='color:#c0392b'>{}</span>".format(_("Recording stopped: {reason}").format(reason=exc)))
        if self.exporter is not None:
            try:
                self.exporter.write(result.stats.index, result.detections, time=time.time())
            except (RecordError, OSError) as exc:
                self.exporter.abort()
                self.exporter = None
                with QSignalBlocker(self.export_button):
                    self.export_button.setChecked(False)
                self.export_button.setText(_("Export JSON"))
                self.message.setText("<span style='color:#c0392b'>{}</span>".format(_("Export stopped: {reason}").format(reason=exc)))

    # -- saving --

    def _out_path(self, suffix: str) -> Path:
        folder = data_dir() / "detections"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"detect-{time.strftime('%Y%m%d-%H%M%S')}{suffix}"

    def snapshot(self, path: str | Path | None = None) -> Path | None:
        """Save the current annotated frame to PNG (detections in its metadata)."""
        r = self.last_result
        if r is None:
            self.message.setText(_("No frame yet."))
            return None
        target = Path(path) if path else self._out_path(".png")
        try:
            written = save_snapshot(target, r.annotated if r.annotated is not None else r.frame, r.detections)
        except RecordError as exc:
            self.message.setText(str(exc))
            return None
        self.message.setText(_("Snapshot saved: {path}").format(path=written))
        return written

    def _toggle_record(self, on: bool) -> None:
        if on:
            self.recorder = VideoRecorder(self._out_path(".mp4"), fps=max(5.0, self.last_result.stats.fps) if self.last_result else 15.0)
            self.record_button.setText(_("Stop recording"))
            self.message.setText(_("Recording to {path}").format(path=self.recorder.path))
        elif self.recorder is not None:
            recorder, self.recorder = self.recorder, None
            try:
                recorder.close()
                self.message.setText(_("Recorded {n} frames to {path}").format(n=recorder.frames, path=recorder.path))
            except RecordError as exc:  # e.g. the disk filled up: nothing half-written is kept
                self.message.setText("<span style='color:#c0392b'>{}</span>".format(_("Recording not saved: {reason}").format(reason=exc)))
            self.record_button.setText(_("Record"))

    def _toggle_export(self, on: bool) -> None:
        if on:
            try:
                self.exporter = JsonlExporter(self._out_path(".jsonl"))
            except RecordError as exc:
                self.message.setText(str(exc))
                self.export_button.setChecked(False)
                return
            self.export_button.setText(_("Stop export"))
            self.message.setText(_("Exporting detections to {path}").format(path=self.exporter.path))
        elif self.exporter is not None:
            exporter, self.exporter = self.exporter, None
            try:
                exporter.close()
                self.message.setText(_("Exported {n} frames to {path}").format(n=exporter.lines, path=exporter.path))
            except RecordError as exc:
                self.message.setText("<span style='color:#c0392b'>{}</span>".format(_("Export not saved: {reason}").format(reason=exc)))
            self.export_button.setText(_("Export JSON"))
