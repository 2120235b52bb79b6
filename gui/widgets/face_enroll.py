"""Faces › Enroll: name a person, add photos, a folder, or webcam samples; the people list."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QSignalBlocker, QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.face.db import FaceDatabaseError
from engine.i18n import N_, _, punctuation
from engine.face.enroll import enroll_face, enroll_images, folder_people, import_folder
from engine.face.live import CameraUnavailable, CaptureGate, camera_frames, enroll_from_frames
from engine.face.pipeline import Face
from engine.io import ImageLoadError, is_image_path

from ..i18n import set_text
from ..qimage import rgb_to_pixmap
from .face_overlay import FaceOverlayView
from ..dialogs import ask_image_paths

__all__ = ["FaceEnrollTab"]



class FaceEnrollTab(QWidget):
    """Enrollment. Photos are analysed in a worker thread; a photo with several faces
    waits for the user to click the face to enroll."""

    def __init__(self, ctx, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self._job = None
        self._capture_job = None
        self._captured = 0  # samples stored so far by the running webcam capture
        self._thumbs: dict[str, tuple[int, QIcon]] = {}  # person -> (first sample id, icon): decoded once
        self.pending: list[tuple[str, str, object, list[Face]]] = []  # (name, source, image, faces) awaiting a click

        left = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Name:")))
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(_("the person to enroll, e.g. Ada Lovelace"))
        row.addWidget(self.name_edit, 1)
        left.addLayout(row)
        row = QHBoxLayout()
        self.photos_button = QPushButton(_("Add photos…"))
        self.folder_button = QPushButton(_("Add folder…"))
        self.bulk_button = QPushButton(_("Import people folder…"))
        self.bulk_button.setToolTip(_("A folder with one sub-folder per person; each sub-folder's name is the person's name"))
        for b in (self.photos_button, self.folder_button, self.bulk_button):
            row.addWidget(b)
        row.addStretch(1)
        left.addLayout(row)
        cam = QHBoxLayout()
        cam.addWidget(QLabel(_("Webcam:")))
        self.camera_spin = QSpinBox()
        self.camera_spin.setRange(0, 9)
        self.camera_spin.setPrefix(_("camera "))
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 50)
        self.count_spin.setValue(5)
        self.count_spin.setSuffix(_(" samples"))
        self.capture_button = QPushButton(_("Start capture"))
        self.capture_button.setToolTip(_("Captures automatically when exactly one face is in view, large and sharp enough, and not a near-duplicate"))
        for w in (self.camera_spin, self.count_spin, self.capture_button):
            cam.addWidget(w)
        cam.addStretch(1)
        left.addLayout(cam)
        self.view = FaceOverlayView(_("Add photos of the person, or start the webcam.\nOne clear frontal photo is enough."))
        left.addWidget(self.view, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        left.addWidget(self.message)

        people_box = QGroupBox(_("Enrolled people"))
        right = QVBoxLayout(people_box)
        self.people_list = QListWidget()
        self.people_list.setIconSize(QSize(56, 56))
        self.people_list.setMinimumWidth(240)
        right.addWidget(self.people_list, 1)
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText(_("notes on the selected person"))
        self.notes_edit.setToolTip(_("Free-text notes stored with the selected person (press Enter to save)"))
        self.notes_edit.setEnabled(False)
        right.addWidget(self.notes_edit)
        self.delete_button = QPushButton(_("Delete person"))
        right.addWidget(self.delete_button)
        self.summary = QLabel("")
        right.addWidget(self.summary)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(people_box, 1)

        self.photos_button.clicked.connect(lambda: self.add_photos())
        self.folder_button.clicked.connect(lambda: self.add_folder())
        self.bulk_button.clicked.connect(lambda: self.import_people_folder())
        self.capture_button.clicked.connect(self._toggle_capture)
        self.delete_button.clicked.connect(lambda: self.delete_person())
        self.view.faceClicked.connect(self.choose_face)
        self.people_list.currentItemChanged.connect(self._person_selected)
        self.notes_edit.editingFinished.connect(lambda: self.save_notes())
        model.dbChanged.connect(self.refresh_people)
        self.refresh_people()

    # -- people list --

    def refresh_people(self) -> None:
        current = self.selected_person()
        self.people_list.clear()
        db = self.model.db
        try:
            firsts = db.first_sample_ids() if db is not None else {}
        except FaceDatabaseError:
            firsts = {}
        if db is not self._thumbs_db:
            self._thumbs, self._thumbs_db = {}, db
        for p in self.model.people:
            item = QListWidgetItem(_("{name}\n{n} sample(s)").format(name=p.name, n=p.samples))
            item.setData(Qt.ItemDataRole.UserRole, p.name)
            item.setData(Qt.ItemDataRole.UserRole + 1, p.notes)
            if p.notes:
                item.setToolTip(p.notes)
            icon = self._thumbnail(p.name, firsts.get(p.name))
            if icon is not None:
                item.setIcon(icon)
            self.people_list.addItem(item)
            if p.name == current:
                self.people_list.setCurrentItem(item)
        n = sum(p.samples for p in self.model.people)
        set_text(self.summary, N_("{people} people, {n} samples"), people=len(self.model.people), n=n)
        self.delete_button.setEnabled(bool(self.model.people))
        self._show_notes(self.people_list.currentItem())
        busy = self._job is not None or self._capture_job is not None
        for b in (self.photos_button, self.folder_button, self.bulk_button):
            b.setEnabled(db is not None and not busy)
        self.capture_button.setEnabled(db is not None and (self._capture_job is not None or not busy))

    _thumbs_db = None

    def _thumbnail(self, name: str, sample_id: int | None) -> QIcon | None:
        """The icon of ``name``'s first sample, decoded only when that sample changed."""
        if sample_id is None or self.model.db is None:
            self._thumbs.pop(name, None)
            return None
        cached = self._thumbs.get(name)
        if cached is not None and cached[0] == sample_id:
            return cached[1]
        try:
            icon = QIcon(rgb_to_pixmap(self.model.db.chip(sample_id)))
        except (KeyError, FaceDatabaseError, ImageLoadError):  # a damaged chip: no thumbnail, the list still shows
            return None
        self._thumbs[name] = (sample_id, icon)
        return icon

    def selected_person(self) -> str | None:
        item = self.people_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _person_selected(self, item, _previous=None) -> None:
        if item is not None and not self.name_edit.text().strip():
            self.name_edit.setText(item.data(Qt.ItemDataRole.UserRole))
        self._show_notes(item)

    def _show_notes(self, item) -> None:
        with QSignalBlocker(self.notes_edit):
            self.notes_edit.setText(item.data(Qt.ItemDataRole.UserRole + 1) or "" if item is not None else "")
        self.notes_edit.setEnabled(item is not None)

    def save_notes(self, notes: str | None = None) -> bool:
        """Store ``notes`` (default: the notes field) for the selected person."""
        name = self.selected_person()
        if name is None or self.model.db is None:
            return False
        text = " ".join((self.notes_edit.text() if notes is None else notes).split())
        item = self.people_list.currentItem()
        if text == (item.data(Qt.ItemDataRole.UserRole + 1) or ""):
            return False
        try:
            self.model.db.set_notes(name, text)
        except (KeyError, FaceDatabaseError) as exc:
            self.message.setText(str(exc.args[0] if isinstance(exc, KeyError) else exc))
            return False
        self.model.refresh()
        return True

    def delete_person(self, name: str | None = None, confirm: bool = True) -> bool:
        name = name or self.selected_person()
        if not name or self.model.db is None:
            return False
        if confirm:
            answer = QMessageBox.question(self, _("Delete person"), _("Delete {name} and all their samples? This cannot be undone.").format(name=name))
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            n = self.model.remove_person(name)
        except KeyError:  # deleted meanwhile by another window or the command line
            set_text(self.message, N_("{name} is no longer enrolled (removed elsewhere)."), name=name)
            self.model.refresh()
            return False
        except FaceDatabaseError as exc:  # e.g. another program holds the database
            set_text(self.message, N_("{name} was not deleted: {reason}"), name=name, reason=exc)
            return False
        set_text(self.message, N_("Deleted {name} and {n} sample(s)."), name=name, n=n)
        return True

    # -- photos --

    def _name(self) -> str | None:
        name = " ".join(self.name_edit.text().split())
        if not name:
            self.message.setText(_("Type the person's name first."))
            self.name_edit.setFocus()
            return None
        return name

    def add_photos(self, paths: Sequence[str | Path] | None = None) -> bool:
        """Enroll photos for the typed name (asks for files when ``paths`` is None)."""
        name = self._name()
        if name is None or self.model.db is None:
            return False
        if paths is None:
            paths = ask_image_paths(self, _("Photos of {name}").format(name=name))
        paths = [Path(p) for p in paths]
        if not paths:
            return False
        self._start(enroll_images(self.model.db, self.model.pipeline(), name, paths), _("Enroll {name}").format(name=name))
        return True

    def add_folder(self, folder: str | Path | None = None) -> bool:
        """Enroll every photo in one folder for the typed name."""
        if self._name() is None:
            return False
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, _("Folder of photos"))
            if not folder:
                return False
        photos = sorted(p for p in Path(folder).iterdir() if p.is_file() and is_image_path(p))
        if not photos:
            set_text(self.message, N_("No photos in {folder}."), folder=folder)
            return False
        return self.add_photos(photos)

    def import_people_folder(self, root: str | Path | None = None) -> bool:
        """Bulk import: ``root/<person>/<photos>``."""
        if self.model.db is None:
            return False
        if root is None:
            root = QFileDialog.getExistingDirectory(self, _("Folder with one sub-folder per person"))
            if not root:
                return False
        try:
            people = folder_people(root)
        except NotADirectoryError as exc:
            self.message.setText(str(exc))
            return False
        if not people:
            set_text(self.message, N_("{folder} has no sub-folders with photos: put each person's photos in a sub-folder named after them."), folder=root)
            return False
        self._start(import_folder(self.model.db, self.model.pipeline(), root), _("Import people folder"))
        return True

    def _start(self, job, label: str) -> None:
        self.pending.clear()
        self.message.setText(_("Analysing photos…"))
        self._job = self.ctx.jobs.start(
            job, label=label, on_partial=self._show_seen, on_done=self._enroll_done, on_error=self._failed
        )
        self.refresh_people()

    def _show_seen(self, seen) -> None:
        source, image, faces, text = seen
        if image is not None:
            self.view.set_result(image, faces, banner=Path(source).name)
        self.message.setText(text)

    def _enroll_done(self, report) -> None:
        self._job = None
        self.pending = list(report.several)
        lines = [report.summary() + "."]
        lines += [Path(s).name + punctuation(":") + m for s, m in report.problems[:6]]
        self.message.setText("\n".join(lines))
        self.model.refresh()
        self._next_pending()

    def _failed(self, exc: BaseException, _tb: str = "") -> None:
        self._job = None
        set_text(self.message, N_("Not enrolled: {reason}"), reason=exc)
        self.refresh_people()

    def _next_pending(self) -> None:
        if not self.pending:
            return
        name, source, image, faces = self.pending[0]
        self.view.set_result(image, faces, banner=_("{n} faces: click the one that is {name}").format(n=len(faces), name=name))
        set_text(self.message, N_("{file} shows {n} faces: click the face of {name} to enroll it."), file=Path(source).name, n=len(faces), name=name)

    def choose_face(self, index: int) -> bool:
        """Enroll face ``index`` of the photo waiting for a choice."""
        if not self.pending or self.model.db is None:
            return False
        name, source, _image, faces = self.pending.pop(0)
        enroll_face(self.model.db, self.model.pipeline(), name, faces[index], source)
        set_text(self.message, N_("Enrolled {name} from face {index} of {file}."), name=name, index=index + 1, file=Path(source).name)
        self.model.refresh()
        self._next_pending()
        return True

    def show_sample(self) -> bool:
        """Preview the bundled sample photo with its detected face (shown while nobody is enrolled)."""
        if self.view.has_image() or self.busy():
            return False
        from engine.jobs import Progress
        from engine.samples import sample_image

        pipeline = self.model.pipeline()

        def job():
            yield Progress(None, _("Finding the face in the sample photo…"))
            image = sample_image("astronaut")
            return image, pipeline.analyze(image)

        def done(out) -> None:
            self._job = None
            image, faces = out
            self.view.set_result(image, faces, banner=_("Sample photo: {n} face(s) found").format(n=len(faces)))
            self.message.setText(_(
                "This is the detector on a sample photo. Type a name, then add photos of that person "
                "(one clear frontal photo is enough), import a folder, or capture from the webcam."
            ))
            self.refresh_people()

        def failed(exc: BaseException, _tb: str = "") -> None:
            self._job = None
            set_text(self.message, N_("The face models could not run: {reason}"), reason=exc)
            self.refresh_people()

        self._job = self.ctx.jobs.start(job(), label=_("Sample photo"), on_done=done, on_error=failed)
        return True

    # -- webcam --

    def _toggle_capture(self) -> None:
        if self._capture_job is not None:
            self.stop_capture()
        else:
            self.start_capture()

    def start_capture(self, frames=None) -> bool:
        """Capture samples from the webcam (or any iterable of RGB ``frames``)."""
        name = self._name()
        if name is None or self.model.db is None:
            return False
        source = frames if frames is not None else camera_frames(self.camera_spin.value())
        job = enroll_from_frames(source, self.model.pipeline(), self.model.db, name, self.count_spin.value(), CaptureGate())
        self._captured = 0
        self._capture_job = self.ctx.jobs.start(
            job, label=_("Webcam enrollment of {name}").format(name=name), on_partial=self._show_frame, on_done=self._capture_done,
            on_error=self._capture_failed, on_cancelled=lambda _partial: self._capture_done(None),
        )
        self.capture_button.setText(_("Stop capture"))
        self.refresh_people()
        return True

    def stop_capture(self) -> None:
        if self._capture_job is not None:
            self._capture_job.cancel()

    def _show_frame(self, frame) -> None:
        self.view.set_result(frame.image, frame.faces, fps=frame.fps, banner=frame.message)
        self.message.setText(frame.message)
        if frame.captured > self._captured:  # a new sample was stored: re-read the people once
            self._captured = frame.captured
            self.model.refresh()

    def _capture_done(self, stored) -> None:
        self._capture_job = None
        self.capture_button.setText(_("Start capture"))
        if stored is not None:
            set_text(self.message, N_("Captured {n} sample(s)."), n=stored)
        self.model.refresh()

    def _capture_failed(self, exc: BaseException, _tb: str = "") -> None:
        self._capture_job = None
        self.capture_button.setText(_("Start capture"))
        if isinstance(exc, CameraUnavailable):
            self.message.setText(str(exc))
        else:
            set_text(self.message, N_("Capture stopped: {reason}"), reason=exc)
        self.model.refresh()

    def busy(self) -> bool:
        return self._job is not None or self._capture_job is not None
