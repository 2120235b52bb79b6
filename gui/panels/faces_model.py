"""State of the Faces panel: the open database, detector, threshold and the shared pipeline."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from engine.face.db import FaceDatabase, FaceDatabaseError, Person, default_db_path
from engine.face.match import (
    DEFAULT_THRESHOLD,
    GalleryCache,
    distance_formula,
    from_display_distance,
    threshold_in,
    to_display_distance,
)
from engine.face.pipeline import DETECTORS, FacePipeline
from engine.i18n import _

from ..context import setting_text

__all__ = ["FacesModel"]


class FacesModel(QObject):
    """The Faces panel's state.

    ``dbChanged`` fires when another database is opened or its people change;
    ``thresholdChanged(float)`` and ``detectorChanged(str)`` when those settings change;
    ``errorChanged(str)`` when opening the database failed ("" once it works);
    ``distanceKindChanged(bool)`` when distances switch between ‖·‖ and ‖·‖² (True: squared).

    τ and every computed distance stay Euclidean (the engine's units); views show them through
    :meth:`shown` and :meth:`shown_threshold`, so one switch changes every number together.
    """

    dbChanged = Signal()
    thresholdChanged = Signal(float)
    detectorChanged = Signal(str)
    errorChanged = Signal(str)
    distanceKindChanged = Signal(bool)
    exampleChanged = Signal()  # the course example's hand-chosen distance (``example_distance``) changed
    tabRequested = Signal(str)  # "one-shot", "verify" or "triplet": the tab a course example is seen on

    def __init__(self, settings: QSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._settings = settings
        self.db: FaceDatabase | None = None
        self.db_path: Path = default_db_path()
        self.error = ""
        self.threshold = DEFAULT_THRESHOLD
        self.detector = setting_text(settings, "faces/detector", "mmod", DETECTORS)
        self.squared = setting_text(settings, "faces/distance", "euclidean") == "squared"
        self.example_distance: float | None = None  # ‖f(x1) − f(x2)‖ of a course example, not of two enrolled faces
        self._pipelines: dict[str, FacePipeline] = {}
        self._cache: GalleryCache | None = None
        self.people: list[Person] = []

    # -- database --

    def open_db(self, path: str | Path | None = None) -> bool:
        """Open (or create) a database file; on failure ``error`` holds the message and no database is open."""
        path = Path(path) if path else Path(setting_text(self._settings, "faces/db", "") or default_db_path())
        self.close_db()
        self.db_path = path
        try:
            self.db = FaceDatabase(path)
        except FaceDatabaseError as exc:
            self.db = None
            self._set_error(str(exc))
            self.people = []
            self.dbChanged.emit()
            return False
        if self._settings is not None:
            self._settings.setValue("faces/db", str(path))
        self._set_error("")
        stored = self.db.get_setting("threshold")
        try:
            self.set_threshold(float(stored) if stored is not None else DEFAULT_THRESHOLD, persist=False)
        except ValueError:
            self.set_threshold(DEFAULT_THRESHOLD, persist=False)
        self.refresh()
        return True

    def close_db(self) -> None:
        if self.db is not None:
            self.db.close()
        self.db = None
        self._cache = None

    def _set_error(self, text: str) -> None:
        if text != self.error:
            self.error = text
            self.errorChanged.emit(text)

    def refresh(self) -> None:
        """Re-read the people list (after enrolling, deleting, or another program's change)."""
        try:
            self._seen_revision = self.db.revision() if self.db is not None else None
            self.people = self.db.people() if self.db is not None else []
        except FaceDatabaseError as exc:
            self.people = []
            self._set_error(str(exc))
        self.dbChanged.emit()

    def poll(self) -> bool:
        """Refresh when another program (e.g. the CLI) changed the database; True if it did."""
        if self.db is None:
            return False
        try:
            rev = self.db.revision()
        except FaceDatabaseError as exc:
            self._set_error(str(exc))
            return False
        changed = self._seen_revision is not None and rev != self._seen_revision
        self._seen_revision = rev
        if changed:
            self.refresh()
        return changed

    _seen_revision: tuple[int, int] | None = None

    def remove_person(self, name: str) -> int:
        if self.db is None:
            return 0
        n = self.db.remove_person(name)
        self.refresh()
        return n

    # -- settings --

    def set_threshold(self, value: float, persist: bool = True) -> None:
        """Set τ; with ``persist`` it is stored in the database (it belongs to the enrolled people)."""
        value = float(value)
        if persist and self.db is not None:
            try:
                self.db.set_setting("threshold", f"{value:.6f}")
            except FaceDatabaseError as exc:  # used now; the database keeps its old value
                self._set_error(_("τ = {tau:.3f} is used but could not be saved: {reason}").format(tau=value, reason=exc))
            else:
                if self.error.startswith("τ = "):
                    self._set_error("")
        if abs(value - self.threshold) > 1e-9:
            self.threshold = value
            self.thresholdChanged.emit(value)

    def apply_example(self, state: dict) -> None:
        """Put the panel into a course example's state: ``threshold`` sets τ for this session (not saved
        to the database); a ``distance`` compared both ways (the Siamese example) switches to ‖·‖² for
        this session, one compared with τ alone goes back to ‖·‖; ``tabRequested`` names the tab. Hand-chosen distances and
        encodings are not part of the panel; the Siamese example's one ``distance`` is kept in
        :attr:`example_distance` for the One-shot tab to compare both ways."""
        if "threshold" in state:
            self.set_threshold(float(state["threshold"]), persist=False)
        self.example_distance = float(state["distance"]) if "distance" in state else None
        self.exampleChanged.emit()
        if "distance" in state:
            self.set_squared(True, persist=False)
        elif "threshold" in state:  # τ = 0.6 and the distances against it are plain ‖·‖: not a scale an earlier example left
            self.set_squared(False, persist=False)
        # the tab the example is seen on, never the one an earlier example left open
        tab = "triplet" if "anchor" in state else "verify" if "distances" in state else "one-shot"
        self.tabRequested.emit(tab)

    def set_detector(self, name: str) -> None:
        if name not in DETECTORS:
            raise ValueError(f"unknown detector {name!r}")
        if name != self.detector:
            self.detector = name
            if self._settings is not None:
                self._settings.setValue("faces/detector", name)
            self.detectorChanged.emit(name)

    def set_squared(self, squared: bool, persist: bool = True) -> None:
        """Show distances and τ as ‖f(x1) − f(x2)‖² (the course's d) or ‖f(x1) − f(x2)‖; stored in the settings
        unless ``persist`` is False (a course example)."""
        squared = bool(squared)
        if squared != self.squared:
            self.squared = squared
            if persist and self._settings is not None:
                self._settings.setValue("faces/distance", "squared" if squared else "euclidean")
            self.distanceKindChanged.emit(squared)

    def shown(self, distance):
        """A Euclidean distance (or array of them) on the shown scale."""
        return to_display_distance(distance, self.squared)

    def shown_threshold(self, tau: float | None = None) -> float:
        """τ (the current one by default) on the shown scale: 0.6 or 0.36."""
        return threshold_in(self.threshold if tau is None else tau, self.squared)

    def from_shown(self, value: float) -> float:
        """A value on the shown scale back to a Euclidean distance."""
        return float(from_display_distance(value, self.squared))

    def formula(self) -> str:
        """The shown distance's formula, ``‖f(x1) − f(x2)‖`` or ``‖f(x1) − f(x2)‖²``."""
        return distance_formula(self.squared)

    # -- engine objects --

    def pipeline(self) -> FacePipeline:
        """The pipeline for the current detector (models load on first use, in the job that needs them)."""
        if self.detector not in self._pipelines:
            self._pipelines[self.detector] = FacePipeline(self.detector)
        return self._pipelines[self.detector]

    def gallery_cache(self) -> GalleryCache:
        """The enrolled descriptors as a device tensor, rebuilt only after the database changed."""
        if self.db is None:
            raise FaceDatabaseError(self.db_path, self.error or _("No face database is open."))
        if self._cache is None or self._cache.db is not self.db:
            from engine.face.db import DEFAULT_MODEL_ID

            self._cache = GalleryCache(self.db, DEFAULT_MODEL_ID)
        return self._cache

    def labelled_samples(self):
        """(embeddings float32 (N, 128), names per row, sample ids (N,)) of the default model."""
        import numpy as np

        if self.db is None:
            return np.zeros((0, 128), np.float32), [], np.zeros(0, np.int64)
        g = self.db.gallery()
        return g.embeddings, [g.names[i] for i in g.person_index], g.sample_ids
