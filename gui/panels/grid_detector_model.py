"""State of the Grid detector panel: sliding windows, training, and the inspected scene."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.i18n import N_, _
from engine.jobs import Progress

__all__ = ["GridDetectorModel", "SLIDING_INPUTS"]

#: input choice -> (label, image side); the label's {side} and {shape} are filled where shown
SLIDING_INPUTS = {"16": (N_("{side}×{side} → {shape}"), 16), "28": (N_("{side}×{side} → {shape}"), 28),
                  "scene": (N_("Scene {side}×{side} → {shape}"), 64)}


def _classifier_path() -> Path:
    from engine.paths import trained_dir

    return trained_dir() / "sliding_classifier.pt"


class GridDetectorModel(QObject):
    """Everything the panel shows; views bind to the signals.

    Sliding windows: ``classifier`` (trained or random), ``sliding_image``,
    ``comparison`` (engine.yolo.sliding.SlidingComparison), ``selected_window``.
    Training: ``grid``, ``anchors``, ``minutes``, ``seed``, ``curves``,
    ``training``, ``detector`` (engine.yolo.predict.GridModel or None).
    Inspect: ``scene``, ``spec``, ``encoded``, ``prediction``, ``hover``.
    """

    classifierChanged = Signal()
    comparisonChanged = Signal()
    selectedWindowChanged = Signal()
    trainingChanged = Signal(bool)
    curvesChanged = Signal()
    detectorChanged = Signal()
    sceneChanged = Signal()
    hoverChanged = Signal()
    sandboxExample = Signal(dict)  # a course example with a grid and hand-placed boxes, for the grid sandbox
    slidingExample = Signal(dict)  # a course example about sliding windows, for the Sliding windows tab
    statusChanged = Signal(str)
    errorOccurred = Signal(str, str)

    def __init__(self, jobs, parent: QObject | None = None):
        super().__init__(parent)
        self.jobs = jobs
        # sliding windows
        self.classifier = None
        self.classifier_trained = False
        self.classifier_accuracy = 0.0
        self.sliding_input = "scene"
        self.sliding_image: np.ndarray | None = None
        self.comparison = None
        self.selected_window: tuple[int, int] = (0, 0)
        self._user_selected = False
        self.sliding_busy = False
        self._run_id = 0  # only the latest comparison run is published
        # training
        self.grid = 7
        self.anchors = 2
        self.minutes = 5.0
        self.seed = 0
        self.curves = None
        self.training = False
        self._train_msg: tuple[str, dict] = ("", {})  # an English msgid and its fields, or ("", {"text": engine text})
        self._train_fraction = 0.0  # the running job's last reported fraction
        self._train_max_steps: int | None = None
        self._train_handle = None
        self.detector = None
        # inspect
        self.scene_seed = 1
        self.scene = None
        self.spec = None
        self.encoded = None
        self.prediction = None
        self.score_threshold = 0.3
        self.hover: tuple[int, int] = (-1, -1)

    # -- sliding windows ------------------------------------------------------

    def load_classifier(self) -> None:
        """The saved classifier if there is one, else the same network with random weights."""
        import torch

        from engine.yolo.sliding import WindowClassifier, load_classifier

        path = _classifier_path()
        self.classifier, self.classifier_trained = None, False
        if path.exists():
            try:
                self.classifier, self.classifier_accuracy = load_classifier(path)
                self.classifier_trained = True
            except Exception as exc:  # a damaged file: say so and fall back to random weights
                self.errorOccurred.emit(_("Sliding-window classifier"), _("{path} could not be loaded: {reason}").format(path=path, reason=exc))
        if self.classifier is None:
            torch.manual_seed(0)
            self.classifier = WindowClassifier().eval()
            self.classifier_accuracy = 0.0
        self.classifierChanged.emit()

    def train_classifier(self) -> None:
        from engine.yolo.sliding import save_classifier, train_classifier_job

        def done(result) -> None:
            self.classifier, self.classifier_accuracy, self.classifier_trained = result.net, result.accuracy, True
            try:
                save_classifier(_classifier_path(), result.net, result.accuracy)
            except OSError as exc:
                from engine.files import describe_os_error

                self.errorOccurred.emit(_("Sliding-window classifier"), describe_os_error(exc, _classifier_path()))
            self.sliding_busy = False
            self.classifierChanged.emit()
            self.run_comparison()

        self.sliding_busy = True
        self.classifierChanged.emit()
        self.jobs.start(
            train_classifier_job(n_train=3000, epochs=3),
            label=_("Training the 14×14 window classifier"),
            on_done=done,
            on_error=lambda exc, tb: self._sliding_failed(exc),
            on_cancelled=lambda _p: self._sliding_failed(None),
        )

    def _sliding_failed(self, exc) -> None:
        self.sliding_busy = False
        self.classifierChanged.emit()
        if exc is not None:
            self.errorOccurred.emit(_("Sliding windows"), str(exc))

    def set_sliding_input(self, key: str) -> None:
        if key not in SLIDING_INPUTS:
            raise ValueError(f"unknown input {key!r}")
        self.sliding_input = key
        self.run_comparison()

    def run_comparison(self) -> None:
        """Run the current input both ways (in a worker) and publish the comparison."""
        from engine.yolo.sliding import compare, demo_scene

        if self.classifier is None:
            self.load_classifier()
        side = SLIDING_INPUTS[self.sliding_input][1]
        image = demo_scene(seed=10, size=side)
        net = self.classifier
        self._run_id += 1
        run_id = self._run_id
        if self.comparison is not None and self.sliding_image is not None and self.sliding_image.shape[0] != side:
            self.comparison = self.sliding_image = None  # an older input's result must not stand under the new one
            self.comparisonChanged.emit()

        def job():
            yield Progress(None, _("Sliding the window both ways…"))
            return compare(net, image, repeats=3)

        def done(result) -> None:
            if run_id != self._run_id:  # a newer run was started: it publishes
                return
            self.sliding_image, self.comparison = image, result
            rows, cols = result.convolutional.shape[:2]
            if self._user_selected:
                r, c = self.selected_window
                self.selected_window = (min(r, rows - 1), min(c, cols - 1))
            else:  # start on the window most sure it holds a shape
                r, c = np.unravel_index(int(np.argmin(result.convolutional[..., 0])), (rows, cols))
                self.selected_window = (int(r), int(c))
            self.sliding_busy = False
            self.comparisonChanged.emit()
            self.selectedWindowChanged.emit()

        self.sliding_busy = True
        self.jobs.start(job(), label=_("Sliding windows"), on_done=done, on_error=lambda exc, tb: self._sliding_failed(exc))

    def select_window(self, row: int, col: int) -> None:
        if self.comparison is None:
            return
        rows, cols = self.comparison.convolutional.shape[:2]
        if 0 <= row < rows and 0 <= col < cols and (row, col) != self.selected_window:
            self._user_selected = True
            self.selected_window = (row, col)
            self.selectedWindowChanged.emit()

    # -- training -------------------------------------------------------------

    def load_detector(self) -> None:
        """Load the app's trained checkpoint, if any."""
        from engine.yolo.predict import load_grid_model
        from engine.yolo.train import default_checkpoint_path

        path = default_checkpoint_path()
        self.detector = None
        if path.exists():
            try:
                self.detector = load_grid_model(path)
                if not self.training:
                    self.curves = self._stored_curves(self.detector.meta)
                    self.curvesChanged.emit()
            except Exception as exc:
                self.errorOccurred.emit(_("Grid detector"), _("{path} could not be loaded: {reason}").format(path=path, reason=exc))
        self.detectorChanged.emit()
        self.refresh_scene()

    @staticmethod
    def _stored_curves(meta: dict):
        """The loss curves saved in a checkpoint's metadata (None when absent)."""
        from engine.yolo.train import LossCurves

        stored = meta.get("curves")
        if not isinstance(stored, dict):
            return None
        try:
            return LossCurves(*(list(stored[k]) for k in ("step", "objectness", "box", "cls", "total")))
        except (KeyError, TypeError):
            return None

    def start_training(self, config=None) -> None:
        """Start a training run with the panel's settings (or ``config``)."""
        if self.training:
            return
        from engine.yolo.train import TrainConfig, train_job

        config = config or TrainConfig(grid=self.grid, anchors=self.anchors, minutes=self.minutes, seed=self.seed)
        self.curves = None
        self.training = True
        self._train_fraction = 0.0
        self._train_max_steps = config.max_steps
        self._train_msg = (N_("Starting…"), {})
        self.trainingChanged.emit(True)
        self.curvesChanged.emit()
        self._train_handle = self.jobs.start(
            train_job(config),
            label=_("Training the grid detector"),
            on_progress=self._on_progress,
            on_partial=self._on_curves,
            on_done=self._on_trained,
            on_error=self._on_train_error,
            on_cancelled=self._on_cancelled,
        )

    @property
    def train_message(self) -> str:
        """The training run's last status line, in the current language."""
        msgid, fields = self._train_msg
        return _(msgid).format(**fields) if msgid else fields.get("text", "")

    def training_header(self) -> str:
        """The Train tab's header while a run is going: "Training… step k/n" (n estimated from a time budget)."""
        steps = self.curves.step if self.curves is not None else []
        if not steps:
            return _("Training… preparing the scenes")
        k = int(steps[-1])
        if self._train_fraction >= 0.95:
            return _("Training… step {k}/{k}: evaluating on held-out scenes").format(k=k)
        # the engine reports 0.05 + 0.9 × the part of the budget (time or steps) that is used
        used = (self._train_fraction - 0.05) / 0.9
        n = max(k, round(k / used)) if used > 0 else None
        if self._train_max_steps is not None and (n is None or n >= 0.98 * self._train_max_steps):
            return _("Training… step {k}/{n}").format(k=k, n=self._train_max_steps)
        if n is None:
            return _("Training… step {k}").format(k=k)
        return _("Training… step {k} of about {n}").format(k=k, n=n)

    def cancel_training(self) -> None:
        if self._train_handle is not None and self.training:
            self._train_handle.cancel()

    def _on_progress(self, p: Progress) -> None:
        if p.fraction is not None:
            self._train_fraction = float(p.fraction)
        if p.message:
            self._train_msg = ("", {"text": p.message})
            self.statusChanged.emit(p.message)

    def _on_curves(self, curves) -> None:
        self.curves = curves
        self.curvesChanged.emit()

    def _finish(self) -> None:
        self.training = False
        self._train_handle = None
        self.trainingChanged.emit(False)

    def _on_trained(self, result) -> None:
        self.curves = result.curves
        self._train_msg = (N_("mAP@0.5 {map50:.3f}, mAP@[.5:.95] {map50_95:.3f} on {n} held-out scenes after {minutes:.1f} min ({steps} steps)"),
                           {"map50": result.metrics.map50, "map50_95": result.metrics.map50_95, "n": result.metrics.num_images,
                            "minutes": result.minutes, "steps": result.steps})
        self._finish()
        self.curvesChanged.emit()
        try:  # the Detection panel offers the new model from now on
            from engine.yolo.detector import register_trained

            register_trained()
        except ImportError:
            pass
        self.load_detector()

    def _on_train_error(self, exc, tb) -> None:
        self._train_msg = (N_("Training failed: {reason}"), {"reason": str(exc)})
        self._finish()
        self.errorOccurred.emit(_("Training failed"), str(exc))

    def _on_cancelled(self, partial) -> None:
        if partial is not None:
            self.curves = partial
        self._train_msg = (N_("Cancelled. The previous trained model (if any) is unchanged."), {})
        self._finish()
        self.curvesChanged.emit()

    # -- inspect --------------------------------------------------------------

    def current_spec(self):
        """The trained model's grid, or one with k-means anchors from a few scenes."""
        from engine.scenes import CLASS_NAMES
        from engine.yolo.grid import GridSpec
        from engine.yolo.model import STRIDE
        from engine.yolo.train import fit_anchors, scene_set

        if self.detector is not None:
            return self.detector.spec
        size = self.grid * STRIDE
        if self.spec is None or self.spec.grid != self.grid or self.spec.num_anchors != self.anchors:
            anchors = fit_anchors(scene_set(60, 0, size), self.anchors, size / self.grid)
            self.spec = GridSpec(self.grid, size, tuple(tuple(float(v) for v in a) for a in anchors), CLASS_NAMES)
        return self.spec

    def apply_example(self, state: dict) -> None:
        """Put the panel into a course example's state: a ``grid`` with hand-placed boxes goes to the grid
        sandbox (through ``sandboxExample``); otherwise the sliding-window input whose side matches the
        example's image (``image`` or ``input_hwc``; the panel's windows are 14×14 at stride 2)."""
        if "grid" in state and ("box" in state or "boxes" in state):
            self.sandboxExample.emit(dict(state))
            return
        side = state.get("image") or (state.get("input_hwc") or [None])[0]
        key = next((k for k, (_label, n) in SLIDING_INPUTS.items() if n == side), None)
        if key is not None:
            self._user_selected = False  # start on the example's most confident window, not one picked before
            self.set_sliding_input(key)  # runs both ways now: nothing stale stays on screen
        self.slidingExample.emit(dict(state))

    def set_scene_seed(self, seed: int) -> None:
        self.scene_seed = int(seed)
        self.refresh_scene()

    def set_score_threshold(self, value: float) -> None:
        self.score_threshold = float(value)
        self._predict()
        self.sceneChanged.emit()

    def refresh_scene(self) -> None:
        from engine.scenes import make_scene
        from engine.yolo.grid import encode_targets

        spec = self.current_spec()
        self.spec = spec
        self.scene = make_scene(np.random.default_rng([self.scene_seed, 424242]), size=(spec.input_size, spec.input_size))
        self.encoded = encode_targets(self.scene.boxes, self.scene.labels, spec)
        self._predict()
        self.sceneChanged.emit()

    def _predict(self) -> None:
        self.prediction = None
        if self.detector is not None and self.scene is not None:
            self.prediction = self.detector.predict(self.scene.image, self.score_threshold, 0.5)

    def set_hover(self, row: int, col: int) -> None:
        if (row, col) != self.hover:
            self.hover = (row, col)
            self.hoverChanged.emit()

    def measured_map_text(self) -> str:
        """The mAP the trained checkpoint measured, in words ('' when none)."""
        if self.detector is None or "map50" not in self.detector.meta:
            return ""
        m = self.detector.meta
        return _("measured mAP@0.5 {map50:.3f}, mAP@[.5:.95] {map50_95:.3f} on {n} held-out scenes; "
                 "trained {minutes:.1f} min on {threads} CPU thread(s)").format(
            map50=float(m["map50"]), map50_95=float(m["map50_95"]), n=m.get("val_scenes", "?"),
            minutes=float(m.get("minutes", 0)), threads=m.get("threads", "?"))
