"""Input grids for the lab: the classic vertical edge, random integers, a checkerboard, a photo crop."""

from __future__ import annotations

import numpy as np

from ..i18n import _
from .limits import MAX_CHANNELS, PHOTO_CHANNELS

__all__ = ["INPUT_PRESETS", "input_preset"]

#: Preset names in menu order.
INPUT_PRESETS = ("vertical edge 6×6", "random integers", "checkerboard", "photo crop")


def input_preset(name: str, n: int, channels: int = 1, rng: np.random.Generator | None = None) -> np.ndarray:
    """A (channels, n, n) float64 input grid; channels 1..32 (the photo crop: 1 or 3).

    ``vertical edge 6×6``: left half 10, right half 0 (the classic example at n=6);
    ``random integers``: 0..9; ``checkerboard``: 10 and 0; ``photo crop``: the
    astronaut photo's face resized to n×n, 0..255 (luminance for one channel).
    """
    if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)) or not 1 <= channels <= MAX_CHANNELS:
        raise ValueError(_("channels must be 1..{max}, not {c}").format(max=MAX_CHANNELS, c=channels))
    if name == "photo crop" and channels not in PHOTO_CHANNELS:
        raise ValueError(_("the photo crop has 1 (grey) or 3 (RGB) channels, not {c}").format(c=channels))
    if not 1 <= n <= 256:
        raise ValueError(f"input size must be 1..256, not {n}")
    if name == "vertical edge 6×6":
        x = np.zeros((channels, n, n))
        x[:, :, : n // 2] = 10
        return x
    if name == "random integers":
        rng = rng if rng is not None else np.random.default_rng()
        return rng.integers(0, 10, size=(channels, n, n)).astype(np.float64)
    if name == "checkerboard":
        r, q = np.indices((n, n))
        return np.repeat((((r + q) % 2) * 10.0)[None], channels, axis=0)
    if name == "photo crop":
        from PIL import Image

        from ..samples import sample_image
        from .realimage import LUMA

        rgb = sample_image("astronaut")[40:240, 160:360]
        a = np.asarray(Image.fromarray(rgb).resize((n, n), Image.Resampling.BOX)).astype(np.float64)
        if channels == 1:
            return np.round(a @ np.array(LUMA))[None]
        return a.transpose(2, 0, 1).copy()
    raise ValueError(f"unknown input preset {name!r}; choose one of {', '.join(INPUT_PRESETS)}")
