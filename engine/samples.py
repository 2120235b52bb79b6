"""Sample content that works offline.

Photos come from scikit-image's bundled data (no download), the digits from
scikit-learn's bundled copy of the UCI handwritten digits (1,797 8x8 images).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .i18n import N_, _, join_list

__all__ = ["SAMPLE_PHOTOS", "sample_image", "sample_title", "load_digits"]

#: Names accepted by :func:`sample_image`.
SAMPLE_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "camera")
#: The samples' names as texts to translate (the names stay the keys the code and the CLI use).
_TITLES = (N_("astronaut"), N_("chelsea"), N_("coffee"), N_("rocket"), N_("camera"))


def sample_title(name: str) -> str:
    """A sample photo's (or style image's) name as the interface shows it: 宇航员 for ``astronaut`` in Chinese."""
    return _(name)


@lru_cache(maxsize=None)
def _sample(name: str) -> np.ndarray:
    from skimage import data

    img = getattr(data, name)()
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    img = np.ascontiguousarray(img[:, :, :3]).astype(np.uint8)
    img.setflags(write=False)
    return img


def sample_image(name: str) -> np.ndarray:
    """A bundled sample photo as an (H, W, 3) uint8 RGB array (a fresh writable copy)."""
    if name not in SAMPLE_PHOTOS:
        raise ValueError(_("unknown sample {name}; choose one of {choices}").format(
            name=repr(name), choices=join_list(SAMPLE_PHOTOS)))
    return _sample(name).copy()


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits: images float32 (1797, 8, 8) in 0..16, labels int64 (1797,)."""
    from sklearn.datasets import load_digits as _load

    bunch = _load()
    return bunch.images.astype(np.float32), bunch.target.astype(np.int64)
