"""Offline example images for style transfer, and ``sample:NAME`` image specs.

Content samples are the bundled photos of :mod:`engine.samples`. Style
samples work without a download: ``mosaic`` is a generated stained-glass
pattern (seeded Voronoi tiles in warm and cool colours with dark leading),
``hubble`` and ``ihc`` are colourful textures bundled with scikit-image.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..i18n import N_, _, join_list
from ..samples import SAMPLE_PHOTOS, sample_image

__all__ = ["STYLE_SAMPLES", "style_sample", "mosaic", "resolve_image", "sample_names"]

#: Style sample names accepted by :func:`style_sample`.
STYLE_SAMPLES = ("mosaic", "hubble", "ihc")
_TITLES = (N_("mosaic"), N_("hubble"), N_("ihc"))  # shown through engine.samples.sample_title

_PALETTE = np.array(
    [(214, 69, 44), (242, 170, 52), (246, 214, 97), (46, 108, 171), (38, 58, 120), (83, 158, 121), (180, 60, 110), (235, 120, 60), (120, 190, 220)],
    dtype=np.float32,
)


@lru_cache(maxsize=4)
def mosaic(size: int = 384, tiles: int = 160, seed: int = 3) -> np.ndarray:
    """A stained-glass style image: (size, size, 3) uint8, the same for the same arguments."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, size, (tiles, 2)).astype(np.float32)
    colours = _PALETTE[rng.integers(0, len(_PALETTE), tiles)] * rng.uniform(0.8, 1.1, (tiles, 1)).astype(np.float32)
    from scipy.spatial import cKDTree

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    dist, idx = cKDTree(pts).query(np.stack([yy.ravel(), xx.ravel()], axis=1), k=2)
    nearest = idx[:, 0].reshape(size, size)
    d1 = dist[:, 0].reshape(size, size)
    d2 = dist[:, 1].reshape(size, size)
    img = colours[nearest]
    # brush-like shading inside each tile, dark leading along the borders
    img *= (0.85 + 0.15 * np.sin(xx * 0.21 + yy * 0.13))[..., None]
    edge = np.clip((d2 - d1) / 3.0, 0, 1)[..., None]
    img = img * edge + np.array([30, 24, 20], dtype=np.float32) * (1 - edge)
    out = np.clip(img, 0, 255).astype(np.uint8)
    out.setflags(write=False)
    return out


def style_sample(name: str) -> np.ndarray:
    """A style sample as a fresh (H, W, 3) uint8 RGB array."""
    if name == "mosaic":
        return mosaic().copy()
    if name in ("hubble", "ihc"):
        from skimage import data

        img = data.hubble_deep_field() if name == "hubble" else data.immunohistochemistry()
        return np.ascontiguousarray(img[:, :, :3]).astype(np.uint8)
    raise ValueError(_("unknown style sample {name}; choose one of {names}").format(name=repr(name), names=join_list(STYLE_SAMPLES)))


def sample_names() -> list[str]:
    """Every name usable after ``sample:`` (content photos first, then style samples)."""
    return list(SAMPLE_PHOTOS) + list(STYLE_SAMPLES)


def resolve_image(spec: str) -> np.ndarray:
    """Load ``sample:NAME`` or an image file path as (H, W, 3) uint8.

    Raises ``ValueError`` for an unknown sample and
    :class:`engine.io.ImageLoadError` for an unreadable file.
    """
    from ..io import load_image

    if spec.startswith("sample:"):
        name = spec[len("sample:") :]
        if name in SAMPLE_PHOTOS:
            return sample_image(name)
        if name in STYLE_SAMPLES:
            return style_sample(name)
        raise ValueError(_("unknown sample {name}; choose one of {names}").format(name=repr(name), names=join_list(sample_names())))
    return load_image(Path(spec))
