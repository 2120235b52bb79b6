"""State of the Detection panel: source, detector, thresholds and toggles."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from engine import weights
from engine.detect import DetectorError, detector_choices, get_spec
from engine.detect.class_names import display_class_name
from engine.detect.pipeline import DetectSettings
from engine.i18n import _

__all__ = ["DetectionModel", "DEMO_SOURCE", "default_detector"]

DEMO_SOURCE = "demo"


def _spellings(name: str) -> set[str]:
    """The ways a user may type class ``name`` in the filter: as the detector names it, or in the current language."""
    return {name.lower(), display_class_name(name).lower()}


def default_detector() -> str:
    """SSDlite when its weights are installed, else the grid detector trained in the app
    (it knows the demo scene's shapes), else the offline face cascade."""
    name = "ssdlite320_mobilenet_v3_large"
    try:
        if weights.status(name) in ("installed", "imported"):
            return name
    except KeyError:
        pass
    names = [n for n, _title, _spec in detector_choices()]
    return "yolo_grid" if "yolo_grid" in names else "haar_face"


class DetectionModel(QObject):
    """What the user chose. ``settingsChanged`` fires for values that apply on the
    next frame (thresholds, toggles); ``pipelineChanged`` for the source, detector,
    weights or reading mode (the loop restarts)."""

    settingsChanged = Signal()
    pipelineChanged = Signal()
    classNamesChanged = Signal(list)
    exampleApplied = Signal(dict)  # a course example's state (boxes, scores) for the IoU and NMS tabs

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.source = DEMO_SOURCE
        self.detector = default_detector()
        self.random_weights = False
        self.every_frame = False
        self.score = 0.5
        self.iou = 0.5
        self.class_agnostic = False
        self.class_filter: tuple[str, ...] = ()
        self.max_detections = 100
        self.show_raw = True
        self.class_names: list[str] = []
        #: True until the chosen detector's own default thresholds have been applied
        self.defaults_pending = True
        #: True once the user moved Score or NMS IoU: a new detector then keeps them
        self.user_thresholds = False
        #: the chosen detector's own (score, iou) when they differ from the user's kept values, else None
        self.suggested: tuple[float, float] | None = None
        self._offer_pending = False  # the detector just changed: its own thresholds, once built, may be offered
        self.score, self.iou = self._detector_defaults()

    # -- queries --

    def spec(self):
        try:
            return get_spec(self.detector)[0]
        except DetectorError:
            return None

    def weights_entry(self) -> str | None:
        spec = self.spec()
        return spec.weights_entry if spec else None

    def weights_missing(self) -> bool:
        """True when the chosen detector needs pretrained weights that are not installed (and random ones were not asked for)."""
        entry = self.weights_entry()
        if entry is None or self.random_weights:
            return False
        try:
            return weights.status(entry) not in ("installed", "imported")
        except KeyError:
            return True

    def weights_mode(self) -> str:
        return "random" if self.random_weights and self.weights_entry() else "installed"

    def settings(self) -> DetectSettings:
        """The per-frame settings for the pipeline."""
        classes = None
        if self.class_filter and self.class_names:
            wanted = {n.lower() for n in self.class_filter}
            known = tuple(i for i, n in enumerate(self.class_names) if wanted & _spellings(n))
            classes = known or None  # names the detector does not know filter nothing (the panel says so)
        return DetectSettings(
            score_threshold=self.score, iou_threshold=self.iou, class_agnostic=self.class_agnostic,
            classes=classes, max_detections=self.max_detections, show_raw=self.show_raw,
        )

    def unknown_classes(self) -> list[str]:
        """Names in the class filter the current detector does not know (empty until its names are in)."""
        if not self.class_names:
            return []
        known = set().union(*(_spellings(n) for n in self.class_names))
        return [n for n in self.class_filter if n.lower() not in known]

    def offered_classes(self) -> list[str]:
        """The detector's class names a user can filter on (no background or unused slots), in the current language."""
        return [display_class_name(n) for n in self.class_names if n and n not in ("__background__", "N/A")]

    # -- changes --

    def _detector_defaults(self) -> tuple[float, float]:
        spec = self.spec()
        if spec is not None and spec.group == "opencv":
            # the detectors' own defaults (HOG: 0.3 / 0.3, Haar: 0.95 / 0.3) without building them
            return (0.3, 0.3) if spec.name == "hog_people" else (0.95, 0.3)
        return 0.5, 0.5

    def _suggest(self, score: float, iou: float) -> None:
        """Keep the user's thresholds; remember the detector's own when they differ."""
        score, iou = round(score, 2), round(iou, 2)
        self.suggested = None if (round(self.score, 2), round(self.iou, 2)) == (score, iou) else (score, iou)

    def suggestion_text(self) -> str:
        """One line saying the detector's own thresholds differ from the kept ones ("" when they do not)."""
        if self.suggested is None:
            return ""
        return _("{detector} suggests Score {score:.2f} and NMS IoU {iou:.2f}; your {mine_score:.2f} and {mine_iou:.2f} are kept.").format(
            detector=self.detector, score=self.suggested[0], iou=self.suggested[1], mine_score=self.score, mine_iou=self.iou
        )

    def use_suggested(self) -> None:
        """Adopt the detector's own thresholds offered by :attr:`suggested`."""
        if self.suggested is not None:
            score, iou = self.suggested
            self.update(score=score, iou=iou)

    def set_source(self, spec: str) -> None:
        if spec != self.source:
            self.source = spec
            self.pipelineChanged.emit()

    def set_detector(self, name: str) -> None:
        if name != self.detector:
            self.detector = name
            self.class_filter = ()
            if self.user_thresholds:
                self.defaults_pending = False
                self._offer_pending = True
                self._suggest(*self._detector_defaults())
            else:
                self.defaults_pending = True
                self.score, self.iou = self._detector_defaults()
            self.pipelineChanged.emit()
            self.settingsChanged.emit()

    def set_random_weights(self, on: bool) -> None:
        if bool(on) != self.random_weights:
            self.random_weights = bool(on)
            self.pipelineChanged.emit()

    def set_every_frame(self, on: bool) -> None:
        if bool(on) != self.every_frame:
            self.every_frame = bool(on)
            self.pipelineChanged.emit()

    def apply_detector_defaults(self, score: float, iou: float) -> None:
        """Adopt a freshly chosen detector's own default thresholds (once per choice)."""
        if self.defaults_pending:
            self.defaults_pending = False
            changed = (self.score, self.iou) != (round(score, 2), round(iou, 2))
            self.score, self.iou = round(score, 2), round(iou, 2)
            if changed:
                self.settingsChanged.emit()
        elif self._offer_pending:
            self._offer_pending = False
            self._suggest(score, iou)
            self.settingsChanged.emit()

    def set_class_names(self, names: list[str]) -> None:
        self.class_names = list(names)
        self.classNamesChanged.emit(self.class_names)
        self.settingsChanged.emit()

    def update(self, **values) -> None:
        """Set any of score, iou, class_agnostic, class_filter, max_detections, show_raw."""
        changed = False
        if "score" in values or "iou" in values:
            self.defaults_pending = False  # the user's choice wins over the detector's defaults
            self.user_thresholds = True
        for key, value in values.items():
            if key not in ("score", "iou", "class_agnostic", "class_filter", "max_detections", "show_raw"):
                raise KeyError(key)
            if getattr(self, key) != value:
                setattr(self, key, value)
                changed = True
        if changed and ("score" in values or "iou" in values) and self.suggested is not None:
            self.suggested = None if tuple(self.suggested) == (round(self.score, 2), round(self.iou, 2)) else self.suggested
        if changed:
            self.settingsChanged.emit()

    def apply_example(self, state: dict) -> None:
        """Show a course example: ``boxes`` (xyxy) with ``scores`` (and the example's own
        ``score_threshold``/``iou_threshold``) go to the NMS sandbox, two boxes without scores to the
        IoU playground (the view follows ``exampleApplied``). The live detector's thresholds are the
        user's and stay as they are."""
        self.exampleApplied.emit(dict(state))
