"""Faces › Recognize: a photo or the live camera, with names, distances, confidence and FPS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.face.live import CameraUnavailable, FrameResult, camera_frames, recognize_frames, recognize_image
from engine.io import load_image
from engine.jobs import Progress
from engine.face.match import UNKNOWN
from engine.i18n import N_, _, join_list

from .face_overlay import FaceOverlayView
from ..dialogs import ask_image_path
from ..i18n import set_text

__all__ = ["FaceRecognizeTab"]


class FaceRecognizeTab(QWidget):
    """Recognition runs in worker threads; the newest frame is drawn with its faces."""

    def __init__(self, ctx, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self._job = None
        self._camera_job = None
        self.last: FrameResult | None = None

        bar = QHBoxLayout()
        self.photo_button = QPushButton(_("Open photo…"))
        self.camera_spin = QSpinBox()
        self.camera_spin.setRange(0, 9)
        self.camera_spin.setPrefix(_("camera "))
        self.camera_button = QPushButton(_("Start camera"))
        for w in (self.photo_button, self.camera_spin, self.camera_button):
            bar.addWidget(w)
        bar.addStretch(1)
        self.fps_label = QLabel("")
        bar.addWidget(self.fps_label)

        self.view = FaceOverlayView(_("Open a photo or start the camera.\nHover a face for its three nearest enrolled people."))
        self.results = QListWidget()
        self.results.setMaximumWidth(320)
        self.results.setMinimumWidth(240)
        self.results.setWordWrap(True)
        self.results.setTextElideMode(Qt.TextElideMode.ElideNone)  # wrap long "next:" lines, never cut them
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.caption.setMaximumWidth(320)
        side = QVBoxLayout()
        side.addWidget(self.caption)
        side.addWidget(self.results, 1)
        body = QHBoxLayout()
        body.addWidget(self.view, 3)
        body.addLayout(side, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)

        self.view.set_squared(model.squared)
        self.show_caption()
        self.photo_button.clicked.connect(lambda: self.recognize_photo())
        self.camera_button.clicked.connect(self._toggle_camera)
        model.thresholdChanged.connect(lambda _: self._rerun_photo())
        model.distanceKindChanged.connect(self._distance_kind_changed)
        self._counts: tuple[int, int] | None = None

    def show_caption(self) -> None:
        """Which distance the list shows, on the current scale."""
        set_text(self.caption, N_("d = {formula}: x1 is the face, x2 its nearest enrolled sample"), formula=self.model.formula())

    def _distance_kind_changed(self, squared: bool) -> None:
        self.view.set_squared(squared)
        self.show_caption()
        if self.last is not None:
            self.show_result(self.last)
        self.show_counts()

    def recognize_photo(self, path: str | Path | None = None, image: np.ndarray | None = None, label: str = "") -> bool:
        """Identify every face in a photo file (asks for one when neither ``path`` nor ``image`` is given)."""
        if image is None:
            if path is None:
                path = ask_image_path(self, N_("Photo to recognise"))
                if not path:
                    return False
            label = Path(path).name
        if self.model.db is None:
            self.message.setText(self.model.error or _("No face database is open."))
            return False
        pipeline, cache, tau = self.model.pipeline(), self.model.gallery_cache(), self.model.threshold

        def job():
            yield Progress(None, _("Recognising faces in {photo}…").format(photo=label or _("the photo")))
            img = image if image is not None else load_image(path)
            return recognize_image(pipeline, cache, img, tau)

        self._source = (path, image, label)
        self.message.setText(_("Recognising faces in {photo}…").format(photo=label or _("the photo")))
        self._job = self.ctx.jobs.start(job(), label=_("Recognise faces"), on_done=self._photo_done, on_error=self._failed)
        return True

    def _rerun_photo(self) -> None:
        if self.last is not None and self._camera_job is None and self._job is None and getattr(self, "_source", None):
            path, image, label = self._source
            self.recognize_photo(path, image, label)

    def _photo_done(self, result: FrameResult) -> None:
        self._job = None
        self.show_result(result)
        known = sum(1 for r in result.identities or [] if r.known)
        n = len(result.faces)
        self._counts = (n, known)
        if n == 0:
            self.message.setText(_("No face found in this photo."))
        else:
            self.show_counts()

    def show_counts(self) -> None:
        """The last photo's summary, with τ on the shown distance scale."""
        if not self._counts or not self._counts[0] or self._camera_job is not None:
            return
        n, known = self._counts
        set_text(self.message, N_("{n} face(s): {known} recognised, {unknown} unknown (d = {formula}, τ = {tau:.3f})."),
                 n=n, known=known, unknown=n - known, formula=self.model.formula(), tau=self.model.shown_threshold())

    def _failed(self, exc: BaseException, _tb: str = "") -> None:
        self._job = None
        self.message.setText(str(exc))

    def show_result(self, result: FrameResult) -> None:
        self.last = result
        self.view.set_result(result.image, result.faces, result.identities or [], fps=result.fps or None)
        self.results.clear()
        for i, (f, r) in enumerate(zip(result.faces, result.identities or [])):
            shown_name = _(r.name) if r.name == UNKNOWN else r.name
            top = join_list(f"{c.name} {self.model.shown(c.distance):.2f}" for c in r.top[1:])
            if np.isfinite(r.distance):
                text = _("{rank}. {name}\n    d = {distance:.3f} · confidence {confidence:.0f} %").format(
                    rank=i + 1, name=shown_name, distance=self.model.shown(r.distance), confidence=r.confidence * 100)
            else:  # nothing to compare with
                text = _("{rank}. {name}\n    nobody is enrolled yet").format(rank=i + 1, name=shown_name)
            if top:
                text += "\n    " + _("next: {people}").format(people=top)
            self.results.addItem(self._item(text))
        if result.fps:
            self.fps_label.setText(f"{result.fps:.1f} FPS")

    def _item(self, text: str) -> QListWidgetItem:
        """A list row tall enough for its wrapped lines (Chinese glyphs come from a taller fallback font)."""
        item = QListWidgetItem(text)
        width = max(self.results.viewport().width() - 12, 120)
        rect = QFontMetrics(self.results.font()).boundingRect(QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, text)
        item.setSizeHint(QSize(width, int(rect.height() * 1.25) + 8))
        return item

    # -- camera --

    def _toggle_camera(self) -> None:
        if self._camera_job is not None:
            self.stop_camera()
        else:
            self.start_camera()

    def start_camera(self, frames=None) -> bool:
        """Recognise live from the camera (or any iterable of RGB ``frames``)."""
        if self.model.db is None:
            self.message.setText(self.model.error or _("No face database is open."))
            return False
        source = frames if frames is not None else camera_frames(self.camera_spin.value())
        job = recognize_frames(source, self.model.pipeline(), self.model.gallery_cache(), threshold=lambda: self.model.threshold)
        self._camera_job = self.ctx.jobs.start(
            job, label=_("Live recognition"), on_partial=self.show_result,
            on_done=lambda n: self._camera_stopped(_("Camera stopped after {n} frames.").format(n=n)),
            on_error=self._camera_failed, on_cancelled=lambda _partial: self._camera_stopped(_("Camera stopped.")),
        )
        self.camera_button.setText(_("Stop camera"))
        self.message.setText(_("Starting the camera…"))
        return True

    def stop_camera(self) -> None:
        if self._camera_job is not None:
            self._camera_job.cancel()

    def _camera_stopped(self, text: str) -> None:
        self._camera_job = None
        self.camera_button.setText(_("Start camera"))
        self.fps_label.setText("")
        self.message.setText(text)

    def _camera_failed(self, exc: BaseException, _tb: str = "") -> None:
        self._camera_stopped(str(exc) if isinstance(exc, CameraUnavailable) else _("Live recognition stopped: {reason}").format(reason=exc))

    def busy(self) -> bool:
        return self._job is not None or self._camera_job is not None
