"""Kernel presets: edges, Sobel, Scharr, blurs, sharpen, Laplacian, identity."""

from __future__ import annotations

from math import comb

import numpy as np

from ..i18n import _, join_list
from .limits import MAX_KERNEL

__all__ = ["KERNEL_PRESETS", "FIXED_SIZE_PRESETS", "RGB_FILTER_PRESETS", "kernel_preset", "filter_preset", "red_vertical_edge", "fit_kernel"]

#: Preset names in menu order; ``custom`` means values edited by hand.
KERNEL_PRESETS = (
    "vertical edge",
    "horizontal edge",
    "sobel x",
    "sobel y",
    "scharr x",
    "scharr y",
    "box blur",
    "gaussian",
    "sharpen",
    "laplacian",
    "identity",
    "custom",
)

_FIXED = {
    "sobel x": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "sobel y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "scharr x": [[3, 0, -3], [10, 0, -10], [3, 0, -3]],
    "scharr y": [[3, 10, 3], [0, 0, 0], [-3, -10, -3]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
}
#: Filters that treat the colour channels differently: they exist only for three-channel (RGB) input.
RGB_FILTER_PRESETS = ("red vertical edge",)
#: Presets defined only at 3×3.
FIXED_SIZE_PRESETS = tuple(_FIXED)


def _edge_row(f: int) -> np.ndarray:
    # +1 on the left half, −1 on the right half, 0 in the centre column of odd kernels: [1, 0, −1] at f=3
    return np.sign((f - 1) / 2 - np.arange(f)).astype(np.float64)


def kernel_preset(name: str, f: int = 3) -> np.ndarray:
    """The (f, f) float64 kernel for a preset name of :data:`KERNEL_PRESETS`.

    ``vertical edge`` at f=3 is [[1, 0, −1]] × 3 (bright left, dark right gives
    a positive response). Sobel, Scharr, sharpen and Laplacian exist only at
    3×3 and raise ``ValueError`` for another f; ``custom`` is all zeros.
    """
    if not 1 <= f <= MAX_KERNEL:
        raise ValueError(_("kernel size must be 1..{max}, got {f}").format(max=MAX_KERNEL, f=f))
    if name in _FIXED:
        if f != 3:
            raise ValueError(f"the {name} kernel is 3×3 only (asked for {f}×{f})")
        return np.array(_FIXED[name], dtype=np.float64)
    if name == "vertical edge":
        return np.tile(_edge_row(f), (f, 1))
    if name == "horizontal edge":
        return np.tile(_edge_row(f)[:, None], (1, f))
    if name == "box blur":
        return np.full((f, f), 1.0 / (f * f))
    if name == "gaussian":
        row = np.array([comb(f - 1, k) for k in range(f)], dtype=np.float64)
        k = np.outer(row, row)
        return k / k.sum()
    if name == "identity":
        k = np.zeros((f, f))
        k[(f - 1) // 2, (f - 1) // 2] = 1.0
        return k
    if name == "custom":
        return np.zeros((f, f))
    raise ValueError(_("unknown kernel preset {name}; choose one of {names}").format(name=repr(name), names=join_list(KERNEL_PRESETS)))


def filter_preset(name: str, f: int, c_in: int) -> np.ndarray:
    """A filter (c_in, f, f): the preset kernel on every input channel, or an RGB filter of
    :data:`RGB_FILTER_PRESETS` (``ValueError`` unless c_in is 3)."""
    if name in RGB_FILTER_PRESETS:
        if c_in != 3:
            raise ValueError(_("the {name} filter needs three channels (RGB), not {c}").format(name=name, c=c_in))
        return red_vertical_edge(f)
    return np.repeat(kernel_preset(name, f)[None], c_in, axis=0)


def red_vertical_edge(f: int = 3) -> np.ndarray:
    """A (3, f, f) RGB filter that finds vertical edges in the red channel only (green and blue kernels are zero)."""
    k = np.zeros((3, f, f))
    k[0] = kernel_preset("vertical edge", f)
    return k


def fit_kernel(kernel: np.ndarray, f: int) -> np.ndarray:
    """Centre-crop or zero-pad the last two axes of ``kernel`` (…, k, k) to (…, f, f)."""
    k = kernel.shape[-1]
    if k == f:
        return kernel.copy()
    out = np.zeros(kernel.shape[:-2] + (f, f), dtype=np.float64)
    if k > f:
        a = (k - f) // 2
        out[...] = kernel[..., a : a + f, a : a + f]
    else:
        a = (f - k) // 2
        out[..., a : a + k, a : a + k] = kernel
    return out
