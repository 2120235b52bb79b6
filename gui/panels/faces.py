"""Faces: enroll people, recognise them live, verify pairs, calibrate the threshold, explore descriptors."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _
from engine.face.db import DEFAULT_MODEL_ID, FaceDatabaseError, default_db_path

from ..panel import Panel
from ..i18n import set_text
from ..widgets.elided_label import ElidedLabel
from ..widgets.face_calibrate import FaceCalibrateTab
from ..widgets.face_enroll import FaceEnrollTab
from ..widgets.face_map import FaceMapTab
from ..widgets.face_oneshot import FaceOneShotTab
from ..widgets.face_plot import restyle_plots
from ..widgets.face_recognize import FaceRecognizeTab
from ..widgets.face_triplet import FaceTripletTab
from ..widgets.face_verify import FaceVerifyTab
from .faces_model import FacesModel

__all__ = ["FacesPanel"]

_DETECTORS = (("mmod", N_("dlib CNN (MMOD)")), ("haar", N_("OpenCV Haar (fast)")))


class _Shrinkable(QWidget):
    """A row of controls that never sets the panel's minimum width (the panel moves it to its own row first)."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, super().minimumSizeHint().height())


class FacesPanel(Panel):
    panel_id = "faces"
    title = N_("Faces")
    summary = N_("Enroll people, recognise them live with 'Unknown', verify pairs, calibrate the threshold")
    accepts_images = True

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = FacesModel(getattr(ctx, "settings", None), self)
        self._opened = False

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Database:")))
        self.db_label = ElidedLabel("")  # long paths never widen the window: elided in the middle, whole on hover
        top.addWidget(self.db_label, 1)
        self.open_button = QPushButton(_("Open database…"))
        self.new_button = QPushButton(_("New database…"))
        self.export_button = QPushButton(_("Export…"))
        self.export_button.setToolTip(_("Write the whole database to one file (a copy of the same format)"))
        self.import_button = QPushButton(_("Import…"))
        self.import_button.setToolTip(_("Merge an exported database into this one, by person name"))
        for b in (self.open_button, self.new_button, self.export_button, self.import_button):
            top.addWidget(b)
        # detector, distance and τ: beside the database when there is room, else on a row of their own
        self.settings_bar = _Shrinkable()
        sb = QHBoxLayout(self.settings_bar)
        sb.setContentsMargins(12, 0, 0, 0)
        sb.addWidget(QLabel(_("Detector:")))
        self.detector_combo = QComboBox()
        for key, text in _DETECTORS:
            self.detector_combo.addItem(_(text), key)
        sb.addWidget(self.detector_combo)
        self.distance_combo = QComboBox()
        self.distance_combo.addItem("d = ‖·‖", False)
        self.distance_combo.addItem("d = ‖·‖²", True)
        self.distance_combo.setMinimumWidth(self.distance_combo.fontMetrics().horizontalAdvance("d = ‖·‖²") + 40)
        self.distance_combo.setToolTip(_("d = ‖f(x1) − f(x2)‖ (dlib's scale, τ = 0.6) or d = ‖f(x1) − f(x2)‖², the course's definition (τ = 0.36). "
                                         "Switching converts every distance and τ together; decisions do not change."))
        sb.addWidget(self.distance_combo)
        sb.addWidget(QLabel(_("Threshold τ:")))
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.05, 2.0)
        self.threshold_spin.setSingleStep(0.01)
        self.threshold_spin.setDecimals(3)
        self.threshold_spin.setToolTip(_("Faces farther than τ from every enrolled sample are 'Unknown' (dlib's default 0.6; calibrate it in the Calibrate tab)"))
        sb.addWidget(self.threshold_spin)
        top.addWidget(self.settings_bar)
        self._top, self._second = top, QHBoxLayout()

        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("QLabel { background: #fdecea; color: #8a1f11; border: 1px solid #e6a39a; padding: 6px; }")
        self.error_label.setVisible(False)
        self.reembed_bar = QWidget()
        rb = QHBoxLayout(self.reembed_bar)
        rb.setContentsMargins(0, 0, 0, 0)
        self.reembed_label = QLabel("")
        self.reembed_label.setWordWrap(True)
        self.reembed_button = QPushButton(_("Re-embed now"))
        rb.addWidget(self.reembed_label, 1)
        rb.addWidget(self.reembed_button)
        self.reembed_bar.setVisible(False)
        self._reembed_job = None

        self.tabs = QTabWidget()
        self.enroll = FaceEnrollTab(ctx, self.model)
        self.recognize = FaceRecognizeTab(ctx, self.model)
        self.verify = FaceVerifyTab(ctx, self.model)
        self.calibrate = FaceCalibrateTab(ctx, self.model)
        self.map = FaceMapTab(ctx, self.model)
        self.triplet = FaceTripletTab(ctx, self.model)
        self.oneshot = FaceOneShotTab(ctx, self.model)
        for widget, name in (
            (self.enroll, N_("Enroll")), (self.recognize, N_("Recognize")), (self.verify, N_("Verify 1:1")),
            (self.calibrate, N_("Calibrate")), (self.map, N_("Embedding map")), (self.oneshot, N_("One-shot")),
            (self.triplet, N_("Triplet view")),
        ):
            self.tabs.addTab(widget, _(name))

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self._second)
        layout.addWidget(self.error_label)
        layout.addWidget(self.reembed_bar)
        layout.addWidget(self.tabs, 1)

        self.open_button.clicked.connect(lambda: self.open_database())
        self.new_button.clicked.connect(lambda: self.new_database())
        self.reembed_button.clicked.connect(lambda: self.reembed())
        self.export_button.clicked.connect(lambda: self.export_database())
        self.import_button.clicked.connect(lambda: self.import_database())
        self.detector_combo.currentIndexChanged.connect(lambda _: self.model.set_detector(self.detector_combo.currentData()))
        self.threshold_spin.valueChanged.connect(lambda v: self.model.set_threshold(self.model.from_shown(v), persist=True))
        self.distance_combo.currentIndexChanged.connect(lambda _index: self.model.set_squared(self.distance_combo.currentData()))
        self.model.distanceKindChanged.connect(self._show_distance_kind)
        self.model.tabRequested.connect(
            lambda name: self.tabs.setCurrentWidget({"one-shot": self.oneshot, "verify": self.verify, "triplet": self.triplet}.get(name, self.oneshot)))
        self.model.thresholdChanged.connect(self._show_threshold)
        self.model.detectorChanged.connect(self._show_detector)
        self.model.errorChanged.connect(self._show_error)
        self.model.dbChanged.connect(self._show_db)
        self._show_detector(self.model.detector)
        self._show_distance_kind(self.model.squared)
        self._poll = QTimer(self)  # picks up people enrolled by the CLI or another window
        self._poll.setInterval(2000)
        self._poll.timeout.connect(self.model.poll)

    # -- database --

    def ensure_open(self) -> None:
        if not self._opened:
            self._opened = True
            self.model.open_db()

    def open_database(self, path: str | Path | None = None) -> bool:
        """Open an existing database file (asks when ``path`` is None)."""
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, _("Open face database"), str(self.model.db_path.parent), _("Face databases (*.db *.sqlite);;All files (*)"))
            if not path:
                return False
        self._stop_live()
        self._opened = True
        return self.model.open_db(path)

    def new_database(self, path: str | Path | None = None) -> bool:
        """Create a new, empty database file (asks when ``path`` is None)."""
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, _("New face database"), str(default_db_path().parent / "faces-new.db"), _("Face databases (*.db)"))
            if not path:
                return False
        if Path(path).exists():
            self._show_error(_("{path} already exists; use 'Open database…' to open it, or choose a new name.").format(path=path))
            return False
        return self.open_database(path)

    def export_database(self, path: str | Path | None = None) -> bool:
        """Write the open database to a new file."""
        if self.model.db is None:
            return False
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, _("Export face database"), str(self.model.db_path.with_name("faces-export.db")), _("Face databases (*.db)"))
            if not path:
                return False
        try:
            target = self.model.db.export(path)
        except FaceDatabaseError as exc:
            self.ctx.show_message(str(exc), 8000)
            self._show_error(str(exc))
            return False
        self._show_error("")
        self.ctx.show_message(_("Exported {n} samples to {target}").format(n=self.model.db.sample_count(), target=target), 8000)
        return True

    def import_database(self, path: str | Path | None = None):
        """Merge an exported database file into the open one; returns the ImportReport (or None)."""
        if self.model.db is None:
            return None
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, _("Import face database"), str(self.model.db_path.parent), _("Face databases (*.db *.sqlite);;All files (*)"))
            if not path:
                return None
        try:
            report = self.model.db.import_file(path)
        except FaceDatabaseError as exc:
            self._show_error(str(exc))
            return None
        self._show_error("")
        self.model.refresh()
        self.ctx.show_message(
            _("Imported {file}: {added} people added, {merged} merged, {samples} samples added, {skipped} already present").format(
                file=Path(path).name, added=report.people_added, merged=report.people_merged,
                samples=report.samples_added, skipped=report.samples_skipped), 8000,
        )
        return report

    def _show_db(self) -> None:
        self.db_label.setText(str(self.model.db_path))
        self.db_label.setToolTip(str(self.model.db_path))
        for i in range(1, self.tabs.count()):
            self.tabs.setTabEnabled(i, self.model.db is not None)
        self.enroll.setEnabled(self.model.db is not None)
        self.export_button.setEnabled(self.model.db is not None)
        self.import_button.setEnabled(self.model.db is not None)
        stale = self._stale_samples()
        self.reembed_bar.setVisible(stale > 0)
        if stale:
            set_text(self.reembed_label, N_("{n} sample(s) were made by another embedding model and are not used for matching. "
                                            "Re-embedding recomputes them from their stored face chips."), n=stale)

    def _stale_samples(self) -> int:
        if self.model.db is None:
            return 0
        try:
            current = DEFAULT_MODEL_ID
            return sum(n for m, n in self.model.db.model_ids().items() if m != current)
        except FaceDatabaseError:
            return 0

    def reembed(self) -> bool:
        """Recompute descriptors of samples made by another embedding model (a job)."""
        if self.model.db is None or self._reembed_job is not None:
            return False
        pipeline = self.model.pipeline()
        db = self.model.db

        def done(n) -> None:
            self._reembed_job = None
            self.reembed_button.setEnabled(True)
            self.ctx.show_message(_("Re-embedded {n} sample(s).").format(n=n), 8000)
            self.model.refresh()

        def failed(exc, _tb="") -> None:
            self._reembed_job = None
            self.reembed_button.setEnabled(True)
            set_text(self.reembed_label, N_("Re-embedding stopped: {reason}"), reason=exc)

        self.reembed_button.setEnabled(False)
        self._reembed_job = self.ctx.jobs.start(
            db.reembed(pipeline.embed_chips, DEFAULT_MODEL_ID), label=_("Re-embed faces"), on_done=done, on_error=failed,
            on_cancelled=lambda _: done(0),
        )
        return True

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _show_threshold(self, value: float) -> None:
        """τ (Euclidean, as stored) in the spin box on the shown scale."""
        with QSignalBlocker(self.threshold_spin):
            self.threshold_spin.setValue(self.model.shown_threshold(value))

    def _show_distance_kind(self, squared: bool) -> None:
        with QSignalBlocker(self.distance_combo):
            self.distance_combo.setCurrentIndex(1 if squared else 0)
        with QSignalBlocker(self.threshold_spin):
            # the same τ range (0.05 to 2 in Euclidean units) on either scale
            self.threshold_spin.setRange(self.model.shown_threshold(0.05), self.model.shown_threshold(2.0))
        self._show_threshold(self.model.threshold)

    def _show_detector(self, name: str) -> None:
        with QSignalBlocker(self.detector_combo):
            self.detector_combo.setCurrentIndex(max(0, self.detector_combo.findData(name)))

    def _place_settings(self) -> None:
        """Detector, distance and τ share the database's row when it leaves the path ~120 px, else get their own."""
        row1 = [self._top.itemAt(i).widget() for i in range(self._top.count())]
        needed = sum(w.sizeHint().width() for w in row1 if w is not None and w not in (self.db_label, self.settings_bar))
        needed += self.settings_bar.sizeHint().width() + self._top.spacing() * (len(row1) + 1) + 120 + self.layout().contentsMargins().left() * 2
        one_row = self.width() >= needed
        if one_row == (self._top.indexOf(self.settings_bar) >= 0):
            return
        (self._second if one_row else self._top).removeWidget(self.settings_bar)
        if one_row:
            self._top.addWidget(self.settings_bar)
        else:
            self._second.addWidget(self.settings_bar)
            self._second.addStretch(1)
            return
        while self._second.count():  # the stretch left behind
            self._second.takeAt(0)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_settings()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            restyle_plots(self)
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        restyle_plots(self)  # the theme may have been applied after the plots were made
        super().showEvent(event)

    # -- panel hooks --

    def open_image(self, path: Path) -> None:
        """A dropped or opened photo: enrolled when on the Enroll tab with a name typed, compared on Verify, else recognised."""
        self.ensure_open()
        current = self.tabs.currentWidget()
        if current is self.enroll and self.enroll.name_edit.text().strip():
            self.enroll.add_photos([path])
        elif current is self.verify:
            self.verify.set_image(0 if self.verify.images[0] is None else 1, path)
        else:
            self.tabs.setCurrentWidget(self.recognize)
            self.recognize.recognize_photo(path)

    def activate(self) -> None:
        self.ensure_open()
        self.model.refresh()
        self._poll.start()
        if self.model.db is not None and not self.model.people:
            self.enroll.show_sample()

    def deactivate(self) -> None:
        self._poll.stop()
        self._stop_live()

    def _stop_live(self) -> None:
        self.recognize.stop_camera()
        self.enroll.stop_capture()

    def shutdown(self) -> None:
        self._poll.stop()
        self._stop_live()
        self.model.close_db()

    def busy(self) -> bool:
        return self._reembed_job is not None or any(
            t.busy() for t in (self.enroll, self.recognize, self.verify, self.calibrate, self.triplet)
        )

    def retranslate(self) -> None:
        """Re-render the texts the tabs compose (lists, verdicts, summaries, legends)."""
        self.enroll.refresh_people()
        self.verify.retranslate()
        if self.recognize.last is not None:
            self.recognize.show_result(self.recognize.last)
        self.calibrate.retranslate()
        self.recognize.show_caption()
        self.recognize.show_counts()
        self.map.show_hover_text()
        self.oneshot.show_texts()
        if self.triplet.terms is not None:
            self.triplet.update_terms()
        if self.map.isVisible():
            self.map.refresh()

    def screenshot_ready(self) -> bool:
        return self._opened and not self.busy()
