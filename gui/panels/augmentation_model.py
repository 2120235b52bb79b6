"""State of the Augmentation panel: the pipeline settings, seed, sample count, image and the grid."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.augment import AugmentConfig, AugmentError, augment_grid, to_code
from engine.i18n import N_, _
from engine.jobs import Progress
from engine.samples import sample_image

__all__ = ["AugmentationModel", "PREVIEW_SIDE"]

#: The preview works on the image scaled so its longer side is at most this many pixels.
PREVIEW_SIDE = 192


def _shrink(rgb: np.ndarray, side: int = PREVIEW_SIDE) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    k = side / max(h, w)
    if k >= 1:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)


def _grid_job(image: np.ndarray, config: AugmentConfig, n: int, seed: int):
    yield Progress(None, _("Augmenting {n} samples…").format(n=n))
    return augment_grid(image, config, n, seed)


class AugmentationModel(QObject):
    """``configChanged`` after any setting changes; ``samplesChanged`` when a new grid is ready."""

    configChanged = Signal()
    imageChanged = Signal()
    samplesChanged = Signal()
    errorChanged = Signal(str)

    def __init__(self, jobs, parent: QObject | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.config = AugmentConfig(rotation=True, rotation_degrees=10.0)
        self.seed = 0
        self.n = 12
        self.image: np.ndarray | None = None
        self.image_label = ""  # a file name, or the sample's name when ``image_is_sample``
        self.image_is_sample = False
        self.samples: list[np.ndarray] = []
        self.error = ""
        self._handle = None
        self._pending = False

    @property
    def busy(self) -> bool:
        return self._handle is not None

    def set_image(self, rgb: np.ndarray, label: str, is_sample: bool = False) -> None:
        self.image = _shrink(rgb)
        self.image_label = label
        self.image_is_sample = is_sample
        self.imageChanged.emit()
        self.refresh()

    def use_sample(self, name: str) -> None:
        self.set_image(sample_image(name), name, is_sample=True)

    def image_text(self) -> str:
        """What the image is, in the current language."""
        return _("sample photo “{name}”").format(name=self.image_label) if self.image_is_sample else self.image_label

    def update(self, **changes) -> None:
        """Change settings of :class:`AugmentConfig` by name (e.g. ``rotation=True``)."""
        self.config = replace(self.config, **changes)
        self.configChanged.emit()
        self.refresh()

    def apply_example(self, state: dict) -> None:
        """Put the panel into a course example's state: only the augmentation the example names is on
        (``mirror`` with ``mirror_p``, or ``colour_offsets``: the (R, G, B) shift dialled by hand)."""
        off = dict(mirror=False, crop=False, rotation=False, shear=False, elastic=False, colour_shift=False, pca=False, hand_shift=False)
        if state.get("mirror"):
            off.update(mirror=True, mirror_p=float(state.get("mirror_p", 1.0)))
        if state.get("colour_offsets"):
            off.update(hand_shift=True, hand_offsets=tuple(float(v) for v in state["colour_offsets"]))
        self.update(**off)

    def set_seed(self, seed: int) -> None:
        self.seed = int(seed)
        self.configChanged.emit()
        self.refresh()

    def set_count(self, n: int) -> None:
        self.n = int(n)
        self.configChanged.emit()
        self.refresh()

    def code(self) -> str:
        """The pipeline as runnable ``torchvision.transforms.v2`` code, for the image's size."""
        size = self.image.shape[:2] if self.image is not None else (224, 224)
        return to_code(self.config, size)

    def refresh(self) -> None:
        """Recompute the grid in a worker (the newest request wins)."""
        if self.image is None:
            return
        try:
            self.config.validate()
        except AugmentError as exc:
            self._set_error(str(exc))
            return
        if self._handle is not None:
            self._pending = True
            return
        self._pending = False
        self._handle = self.jobs.start(
            _grid_job(self.image, self.config, self.n, self.seed),
            label=_("Augmentation preview"),
            on_done=self._done,
            on_error=lambda exc, tb: self._done(None, str(exc)),
            on_cancelled=lambda _partial: self._done(None, _("Preview cancelled; change a setting to compute it again.")),
        )

    def _done(self, samples, error: str = "") -> None:
        self._handle = None
        if self._pending:
            self.refresh()
            return
        if samples is not None:
            self.samples = samples
            self.samplesChanged.emit()
        self._set_error(error)

    def _set_error(self, text: str) -> None:
        if text != self.error:
            self.error = text
            self.errorChanged.emit(text)
