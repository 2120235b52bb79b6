"""Faces › Verify 1:1: two photos, or a photo against an enrolled person → distance and decision."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from engine.face.match import verify
from engine.io import load_image
from engine.jobs import Progress
from engine.i18n import N_, _

from .face_overlay import FaceOverlayView
from ..dialogs import ask_image_path

__all__ = ["FaceVerifyTab"]



class FaceVerifyTab(QWidget):
    """Pick image A and either image B or an enrolled person, then Compare."""

    def __init__(self, ctx, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self.paths: list[Path | None] = [None, None]
        self.images: list[np.ndarray | None] = [None, None]
        self.result = None
        self._job = None

        grid = QGridLayout()
        self.open_a = QPushButton(_("Image A…"))
        self.open_b = QPushButton(_("Image B…"))
        self.mode_image = QRadioButton(_("against image B"))
        self.mode_person = QRadioButton(_("against enrolled person"))
        self.mode_image.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.mode_image)
        group.addButton(self.mode_person)
        self.person_combo = QComboBox()
        self.person_combo.setMinimumWidth(180)
        row_a = QHBoxLayout()
        row_a.addWidget(self.open_a)
        row_a.addStretch(1)
        row_b = QHBoxLayout()
        for w in (self.mode_image, self.open_b, self.mode_person, self.person_combo):
            row_b.addWidget(w)
        row_b.addStretch(1)
        self.view_a = FaceOverlayView(_("Image A"))
        self.view_b = FaceOverlayView(_("Image B, or choose an enrolled person"))
        grid.addLayout(row_a, 0, 0)
        grid.addLayout(row_b, 0, 1)
        grid.addWidget(self.view_a, 1, 0)
        grid.addWidget(self.view_b, 1, 1)
        self.compare_button = QPushButton(_("Compare"))
        self.verdict = QLabel(_("Choose two faces to compare."))
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.verdict.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.verdict.setFont(font)
        self.verdict.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.compare_button)
        bottom.addWidget(self.verdict, 1)
        layout.addLayout(bottom)

        self.open_a.clicked.connect(lambda: self.set_image(0))
        self.open_b.clicked.connect(lambda: self.set_image(1))
        self.compare_button.clicked.connect(lambda: self.compare())
        self.mode_person.toggled.connect(self._mode_changed)
        model.dbChanged.connect(self._fill_people)
        model.distanceKindChanged.connect(lambda _squared: self.retranslate())
        self._fill_people()
        self._mode_changed()

    def _fill_people(self) -> None:
        current = self.person_combo.currentText()
        self.person_combo.clear()
        self.person_combo.addItems([p.name for p in self.model.people if p.samples])
        if current:
            self.person_combo.setCurrentText(current)

    def _mode_changed(self, *_):
        person = self.mode_person.isChecked()
        self.person_combo.setEnabled(person)
        self.open_b.setEnabled(not person)

    def set_image(self, which: int, path: str | Path | None = None) -> bool:
        """Load image A (0) or B (1)."""
        if path is None:
            path = ask_image_path(self, (N_("Image A"), N_("Image B"))[which])
            if not path:
                return False
        try:
            img = load_image(path)
        except ValueError as exc:
            self.verdict.setText(str(exc))
            return False
        self.paths[which], self.images[which] = Path(path), img
        (self.view_a if which == 0 else self.view_b).set_result(img)
        if which == 1:
            self.mode_image.setChecked(True)
        return True

    def use_person(self, name: str) -> None:
        self.mode_person.setChecked(True)
        self.person_combo.setCurrentText(name)

    def compare(self) -> bool:
        a, b = self.images
        person = self.person_combo.currentText() if self.mode_person.isChecked() else None
        if a is None or (person is None and b is None) or (self.mode_person.isChecked() and not person):
            self.verdict.setText(_("Choose image A and an enrolled person.") if self.mode_person.isChecked() else _("Choose image A and image B."))
            return False
        pipeline, db, tau = self.model.pipeline(), self.model.db, self.model.threshold

        def job():
            yield Progress(None, _("Comparing faces…"))
            faces_a = pipeline.analyze(a)
            if not faces_a:
                raise ValueError(_("No face found in image A."))
            if person is not None:
                samples = np.stack([s.embedding for s in db.samples(person)])
                dists = np.linalg.norm(samples - faces_a[0].descriptor, axis=1)
                best = int(np.argmin(dists))
                return faces_a, [], verify(faces_a[0].descriptor, samples[best], tau), person
            faces_b = pipeline.analyze(b)
            if not faces_b:
                raise ValueError(_("No face found in image B."))
            return faces_a, faces_b, verify(faces_a[0].descriptor, faces_b[0].descriptor, tau), None

        self.verdict.setText(_("Comparing…"))
        self._job = self.ctx.jobs.start(job(), label=_("Verify"), on_done=self._done, on_error=self._failed)
        return True

    def _done(self, out) -> None:
        self._job = None
        faces_a, faces_b, v, person = out
        self.result = v
        self.view_a.set_result(self.images[0], faces_a[:1])
        if person is None:
            self.view_b.set_result(self.images[1], faces_b[:1])
        else:
            chip = self.model.db.first_chip(person)
            self.view_b.set_result(chip, banner=person)
        self._shown = (v, person)
        self._show_verdict()

    def _show_verdict(self) -> None:
        """The last comparison's verdict, in the current language and on the shown distance scale."""
        v, person = self._shown
        colour = "#2a8a4a" if v.same else "#c0392b"
        decision = _("the same person") if v.same else _("different people")
        fields = dict(formula=self.model.formula(), distance=self.model.shown(v.distance), tau=self.model.shown_threshold(v.threshold))
        detail = (_("d = {formula} = {distance:.3f} (τ = {tau:.3f}, image A vs {person})").format(person=person, **fields)
                  if person else _("d = {formula} = {distance:.3f} (τ = {tau:.3f}, image A vs image B)").format(**fields))
        self.verdict.setText(f"<span style='color:{colour}'><b>{decision}</b></span> — {detail}")

    def retranslate(self) -> None:
        """Re-render the verdict after a language switch."""
        if getattr(self, "_shown", None) is not None and self._job is None:
            self._show_verdict()

    def _failed(self, exc: BaseException, _tb: str = "") -> None:
        self._job = None
        self.verdict.setText(str(exc))

    def busy(self) -> bool:
        return self._job is not None
