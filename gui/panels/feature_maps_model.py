"""State of the Feature maps panel: chosen model, layer, input image, and the computed maps.

Loading a model and computing a layer's maps run as jobs (worker threads);
the model keeps only the newest request, so quick clicks never queue up work.
Training runs (LeNet-5 on digits, the residual experiment) are jobs too; their
live curves arrive through :attr:`FeatureMapsModel.trainingUpdated` and
:attr:`FeatureMapsModel.residualUpdated`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine import featmaps
from engine.i18n import N_, _
from engine.jobs import Progress
from engine.samples import SAMPLE_PHOTOS, sample_image
from engine.train import digits as digits_mod
from engine.train import residual as residual_mod

__all__ = ["FeatureMapsModel", "ModelState", "INPUT_SOURCES"]

#: Input choices besides a user file and the webcam.
INPUT_SOURCES: tuple[str, ...] = tuple(f"photo:{n}" for n in SAMPLE_PHOTOS) + ("digit",)


@dataclass
class ModelState:
    """What the panel knows about the chosen model.

    status: "loading", "ready", "untrained" (LeNet-5 not trained yet) or "error".
    """

    name: str
    status: str
    feature_model: featmaps.FeatureModel | None = None
    tree: featmaps.LayerNode | None = None
    message: str = ""


def _load_job(name: str):
    yield Progress(None, _("Loading {name}…").format(name=name))
    try:
        fm = featmaps.load_feature_model(name, allow_random=True)
    except digits_mod.DigitsModelMissing as exc:
        # Show the architecture (its layers) but no maps: random LeNet-5 maps would mean nothing.
        model = digits_mod.build_lenet5()
        return ModelState(name, "untrained", None, featmaps.layer_tree(model), str(exc))
    return ModelState(name, "ready", fm, featmaps.layer_tree(fm.model), fm.note)


def _compute_job(fm: featmaps.FeatureModel, layer: str, image: np.ndarray):
    yield Progress(None, _("Computing {layer}…").format(layer=layer))
    return featmaps.compute_feature_maps(fm, layer, image)


def _first_conv(node: featmaps.LayerNode) -> str:
    if node.type == "Conv2d":
        return node.name
    for child in node.children:
        found = _first_conv(child)
        if found:
            return found
    return ""


class FeatureMapsModel(QObject):
    """Panel state. Signals fire on the GUI thread after each change."""

    modelChanged = Signal()  # model_state replaced (loading, ready, untrained, error)
    layerChanged = Signal(str)
    imageChanged = Signal()
    resultChanged = Signal()  # result or error replaced
    selectedChanged = Signal(int)
    sortChanged = Signal(bool)
    trainingUpdated = Signal(object)  # DigitsMetrics
    trainingFinished = Signal(str)  # message
    residualUpdated = Signal(object)  # ResidualCurves
    residualFinished = Signal(str)
    busyChanged = Signal()

    def __init__(self, jobs, parent: QObject | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.model_state = ModelState("", "loading")
        self.layer = ""
        self.image: np.ndarray | None = None
        self.image_label = ""
        self.image_kind = "file"
        self._sample_name = ""
        self._digit_label = 0
        self.training_message: tuple[str, dict] | None = None
        self.residual_message: tuple[str, dict] | None = None
        self.digit_index = 0
        self.result: featmaps.FeatureMaps | None = None
        self.error = ""
        self.sort_by_mean = True
        self.selected = -1
        self._load_handle = None
        self._compute_handle = None
        self._pending_compute = False
        self.train_handle = None
        self.residual_handle = None

    # -- model and layer --

    def set_model(self, name: str) -> None:
        """Load ``name`` (see :data:`engine.featmaps.FEATURE_MODELS`) in a worker."""
        self.model_state = ModelState(name, "loading", message=_("Loading {name}…").format(name=name))
        self.result = None
        self.error = ""
        self.modelChanged.emit()
        self.resultChanged.emit()
        handle = self.jobs.start(
            _load_job(name),
            label=_("Load {name}").format(name=name),
            on_done=lambda state, n=name: self._loaded(n, state),
            on_error=lambda exc, tb, n=name: self._load_failed(n, exc),
            on_cancelled=lambda _partial, n=name: self._load_failed(n, _("loading was cancelled")),
        )
        self._load_handle = handle
        self.busyChanged.emit()

    def _loaded(self, name: str, state: ModelState) -> None:
        if name != self.model_state.name:
            return  # a newer choice superseded this load
        self._load_handle = None
        self.model_state = state
        if state.feature_model is not None:
            self.layer = featmaps.default_layer(state.feature_model.model)
        else:
            self.layer = _first_conv(state.tree) if state.tree else ""
        self.modelChanged.emit()
        self.layerChanged.emit(self.layer)
        self.busyChanged.emit()
        self.recompute()

    def _load_failed(self, name: str, exc: BaseException | str) -> None:
        if name != self.model_state.name:
            return
        self._load_handle = None
        self.model_state = ModelState(name, "error", message=_("Could not load {name}: {reason}").format(name=name, reason=exc))
        self.modelChanged.emit()
        self.busyChanged.emit()

    def set_layer(self, layer: str) -> None:
        if layer == self.layer:
            return
        self.layer = layer
        self.selected = -1
        self.layerChanged.emit(layer)
        self.recompute()

    # -- input --

    def set_image(self, rgb: np.ndarray, label: str, kind: str = "file") -> None:
        """Use ``rgb`` as the input. ``label`` names it (a file name, a sample's name); ``kind`` is
        ``file``, ``sample``, ``digit`` or ``webcam``, so :meth:`image_text` can describe it in any language."""
        self.image = rgb
        self.image_label = label
        self.image_kind = kind
        self.imageChanged.emit()
        self.recompute()

    def use_source(self, source: str) -> None:
        """``photo:<name>`` or ``digit`` (the current digit index)."""
        if source == "digit":
            self.set_digit(self.digit_index)
        elif source.startswith("photo:"):
            name = source.split(":", 1)[1]
            self.set_image(sample_image(name), f"sample photo “{name}”", kind="sample")
            self._sample_name = name

    def held_out_digits(self) -> set[int]:
        """Indices of the digits the default training run (seed 0) holds out."""
        if not hasattr(self, "_held_out"):
            self._held_out = {int(i) for i in digits_mod.digits_split(0).test_index}
        return self._held_out

    def set_digit(self, index: int) -> None:
        images, labels = digits_mod.load_digits()
        self.digit_index = int(index)
        where = "held out from training" if self.digit_index in self.held_out_digits() else "a training digit"
        self._digit_label = int(labels[self.digit_index])
        self.set_image(digits_mod.digit_image(self.digit_index), f"digit #{self.digit_index} (a {labels[self.digit_index]}, {where})", kind="digit")

    def image_text(self) -> str:
        """What the input image is, in the current language."""
        kind = getattr(self, "image_kind", "file")
        if kind == "sample":
            return _("sample photo “{name}”").format(name=self._sample_name)
        if kind == "digit":
            held_out = self.digit_index in self.held_out_digits()
            text = _("digit #{index} (a {label}, held out from training)") if held_out else _("digit #{index} (a {label}, a training digit)")
            return text.format(index=self.digit_index, label=self._digit_label)
        if kind == "webcam":
            return _("webcam frame")
        return self.image_label

    # -- computing --

    @property
    def busy(self) -> bool:
        return self._load_handle is not None or self._compute_handle is not None

    def recompute(self) -> None:
        """Compute the current layer's maps for the current image (in a worker)."""
        fm = self.model_state.feature_model
        if fm is None or self.image is None or not self.layer:
            if self.result is not None:
                self.result = None
                self.resultChanged.emit()
            return
        if self._compute_handle is not None:
            self._pending_compute = True
            return
        self._pending_compute = False
        self._compute_handle = self.jobs.start(
            _compute_job(fm, self.layer, self.image),
            label=_("Feature maps of {layer}").format(layer=self.layer),
            on_done=self._computed,
            on_error=lambda exc, tb: self._computed(None, str(exc)),
            on_cancelled=lambda _partial: self._computed(None, _("Cancelled; choose the layer again to compute it.")),
        )
        self.busyChanged.emit()

    def _computed(self, result, error: str = "") -> None:
        self._compute_handle = None
        if self._pending_compute:
            self.recompute()
            return
        self.result = result
        self.error = error
        if result is not None and not (0 <= self.selected < result.activations.shape[0]):
            self.selected = int(result.order[0])
        self.resultChanged.emit()
        self.selectedChanged.emit(self.selected)
        self.busyChanged.emit()

    def select_channel(self, channel: int) -> None:
        if channel != self.selected:
            self.selected = int(channel)
            self.selectedChanged.emit(self.selected)

    def set_sort(self, by_mean: bool) -> None:
        if by_mean != self.sort_by_mean:
            self.sort_by_mean = by_mean
            self.sortChanged.emit(by_mean)

    def channel_sequence(self) -> list[int]:
        """Channel indices in display order (by mean activation, or by index)."""
        if self.result is None:
            return []
        if self.sort_by_mean:
            return [int(i) for i in self.result.order]
        return list(range(self.result.activations.shape[0]))

    # -- training --

    def _emit_training(self, message: str, **fields) -> None:
        self.training_message = (message, fields)
        self.trainingFinished.emit(_(message).format(**fields))

    def _emit_residual(self, message: str, **fields) -> None:
        self.residual_message = (message, fields)
        self.residualFinished.emit(_(message).format(**fields))

    def train_digits(self, epochs: int) -> None:
        """Train LeNet-5 on the digits; reload it here when done."""
        if self.train_handle is not None:
            return

        def done(result) -> None:
            self.train_handle = None
            self._emit_training(N_("Held-out accuracy {acc:.1f}% on {n} digits in {seconds:.1f} s; saved to {path}"),
                                acc=result.accuracy * 100, n=result.test_size, seconds=result.seconds, path=result.path)
            self.busyChanged.emit()
            if self.model_state.name == "lenet5_digits":
                self.set_model("lenet5_digits")

        def failed(exc, tb) -> None:
            self.train_handle = None
            self._emit_training(N_("Training failed: {reason}"), reason=exc)
            self.busyChanged.emit()

        def cancelled(_partial) -> None:
            self.train_handle = None
            self._emit_training(N_("Training cancelled; the saved model (if any) is unchanged."))
            self.busyChanged.emit()

        self.train_handle = self.jobs.start(
            digits_mod.train_digits(epochs=epochs),
            label=_("Train LeNet-5 on digits"),
            on_partial=self.trainingUpdated.emit,
            on_done=done,
            on_error=failed,
            on_cancelled=cancelled,
        )
        self.busyChanged.emit()

    def run_residual(self, epochs: int, seed: int = 0) -> None:
        """Train the plain and residual 20-layer nets side by side."""
        if self.residual_handle is not None:
            return

        def done(result) -> None:
            self.residual_handle = None
            self._emit_residual(
                N_("After {epochs} epochs ({seconds:.1f} s): training loss plain {plain_loss:.3f}, "
                   "residual {residual_loss:.3f}; training accuracy plain {plain_acc:.1f}%, residual {residual_acc:.1f}%."),
                epochs=epochs, seconds=result.seconds, plain_loss=result.plain_final_loss,
                residual_loss=result.residual_final_loss, plain_acc=result.plain_accuracy * 100,
                residual_acc=result.residual_accuracy * 100)
            self.busyChanged.emit()

        def failed(exc, tb) -> None:
            self.residual_handle = None
            self._emit_residual(N_("The experiment failed: {reason}"), reason=exc)
            self.busyChanged.emit()

        def cancelled(_partial) -> None:
            self.residual_handle = None
            self._emit_residual(N_("Experiment cancelled; the curves so far stay on the plot."))
            self.busyChanged.emit()

        self.residual_handle = self.jobs.start(
            residual_mod.residual_experiment(epochs=epochs, seed=seed),
            label=_("Residual experiment"),
            on_partial=self.residualUpdated.emit,
            on_done=done,
            on_error=failed,
            on_cancelled=cancelled,
        )
        self.busyChanged.emit()
