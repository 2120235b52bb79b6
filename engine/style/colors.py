"""Preserving the content photo's colours (Gatys et al. 2017, "Preserving color in neural artistic style transfer").

Two modes:

* ``"luminance"``: transfer on luminance only. Content and style are turned
  into grey images of their luma (Y of YCbCr, or Y of YIQ), the style's luma
  is matched in mean and spread to the content's, the optimisation runs on
  those, and the result's luma is recombined with the content's chroma.
* ``"histogram"``: before the transfer the style image's colour histogram is
  matched to the content's, channel by channel.

Arrays are (H, W, 3) uint8 RGB or float RGB in 0..1 as documented per function.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "PRESERVE_MODES",
    "rgb_to_ycbcr",
    "ycbcr_to_rgb",
    "rgb_to_yiq",
    "yiq_to_rgb",
    "luminance_image",
    "match_luminance",
    "combine_luminance",
    "match_histogram",
]

#: Accepted values of ``preserve_colors`` (``"none"`` = off).
PRESERVE_MODES = ("none", "luminance", "luminance-yiq", "histogram")

# ITU-R BT.601 full-range (JPEG) YCbCr, on 0..1 values.
_YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]], dtype=np.float64)
_YCC_INV = np.linalg.inv(_YCC)
_YIQ = np.array([[0.299, 0.587, 0.114], [0.595716, -0.274453, -0.321263], [0.211456, -0.522591, 0.311135]], dtype=np.float64)
_YIQ_INV = np.linalg.inv(_YIQ)


def _as_float(rgb: np.ndarray) -> np.ndarray:
    arr = np.asarray(rgb)
    return arr.astype(np.float64) / 255.0 if arr.dtype == np.uint8 else arr.astype(np.float64)


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """RGB (uint8 or float 0..1) to float YCbCr: Y in 0..1, Cb/Cr centred on 0 (−0.5..0.5)."""
    return _as_float(rgb) @ _YCC.T


def ycbcr_to_rgb(ycc: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_ycbcr`: float RGB, not clipped."""
    return np.asarray(ycc, dtype=np.float64) @ _YCC_INV.T


def rgb_to_yiq(rgb: np.ndarray) -> np.ndarray:
    """RGB (uint8 or float 0..1) to float YIQ."""
    return _as_float(rgb) @ _YIQ.T


def yiq_to_rgb(yiq: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_yiq`: float RGB, not clipped."""
    return np.asarray(yiq, dtype=np.float64) @ _YIQ_INV.T


def _to_uint8(rgb: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)


def luminance_image(rgb: np.ndarray) -> np.ndarray:
    """The luma (same in YCbCr and YIQ) as a grey (H, W, 3) uint8 image."""
    y = rgb_to_ycbcr(rgb)[..., 0]
    return np.repeat(_to_uint8(y)[..., None], 3, axis=2)


def match_luminance(style_grey: np.ndarray, content_grey: np.ndarray) -> np.ndarray:
    """Shift and scale the style's luma to the content's mean and standard deviation (uint8 grey)."""
    s = _as_float(style_grey)[..., 0]
    c = _as_float(content_grey)[..., 0]
    scaled = (s - s.mean()) * (c.std() / max(s.std(), 1e-6)) + c.mean()
    return np.repeat(_to_uint8(scaled)[..., None], 3, axis=2)


def combine_luminance(result: np.ndarray, content: np.ndarray, space: str = "ycbcr") -> np.ndarray:
    """The result's luma with the content's chroma (both (H, W, 3) uint8, same size) -> uint8 RGB."""
    if space == "yiq":
        out = rgb_to_yiq(content)
        out[..., 0] = rgb_to_yiq(result)[..., 0]
        return _to_uint8(yiq_to_rgb(out))
    out = rgb_to_ycbcr(content)
    out[..., 0] = rgb_to_ycbcr(result)[..., 0]
    return _to_uint8(ycbcr_to_rgb(out))


def match_histogram(style: np.ndarray, content: np.ndarray) -> np.ndarray:
    """The style image with each RGB channel's histogram matched to the content's (uint8)."""
    from skimage.exposure import match_histograms

    matched = match_histograms(np.asarray(style), np.asarray(content), channel_axis=-1)
    return np.clip(np.rint(matched), 0, 255).astype(np.uint8)
