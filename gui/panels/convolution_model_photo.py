"""The Convolution lab model's real-image part: the photo and the job filtering it."""

from __future__ import annotations

import numpy as np

from engine import conv
from engine.i18n import _
from engine.jobs import Progress

__all__ = ["PhotoState"]


class PhotoState:
    """Mixin of :class:`~gui.panels.convolution_model.ConvLabModel`: the photo of the Real image tab."""

    def set_photo(self, rgb: np.ndarray, name: str) -> None:
        """The photo for real-image mode: (H, W, 3) uint8."""
        self.photo = rgb
        self.photo_name = name
        self._prepared = None
        self.photoChanged.emit()

    def photo_job(self):
        """A job computing the feature maps of the photo under the current filters (None without a photo).

        The photo is moved to the engine's device once (in the job's thread) and
        reused while only the filters or settings change.
        """
        photo = self.photo
        if photo is None:
            return None
        weights, bias = self.weights.copy(), self.bias.copy()
        kwargs = dict(
            stride=self.stride, padding=self.padding, dilation=self.dilation, padding_mode=self.padding_mode,
            pool=self.pool_spec if not self.pool_error else None,
        )

        def job():
            yield Progress(None, _("Preparing the photo"))
            cached = self._prepared
            if cached is None or cached[0] is not photo:
                cached = (photo, conv.prepare_photo(photo))
                self._prepared = cached
            return (yield from conv.apply_filters_job(cached[1], weights, bias, **kwargs))

        return job()
