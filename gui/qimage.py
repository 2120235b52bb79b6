"""Conversions between numpy arrays and Qt images."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPixmap

__all__ = ["rgb_to_qimage", "rgb_to_pixmap", "qimage_to_rgb"]


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """(H, W, 3) or (H, W) uint8 array to a QImage that owns a copy of the pixels."""
    arr = np.ascontiguousarray(rgb)
    if arr.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {arr.dtype}")
    if arr.ndim == 2:
        h, w = arr.shape
        return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_Grayscale8).copy()
    h, w, c = arr.shape
    if c == 4:
        return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_RGBA8888).copy()
    if c != 3:
        raise ValueError(f"expected 1, 3 or 4 channels, got {c}")
    return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_RGB888).copy()


def rgb_to_pixmap(rgb: np.ndarray) -> QPixmap:
    """(H, W, 3) uint8 array to a QPixmap."""
    return QPixmap.fromImage(rgb_to_qimage(rgb))


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """A QImage to an (H, W, 3) uint8 RGB array (a copy)."""
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=img.bytesPerLine() * h).reshape(h, img.bytesPerLine())
    return arr[:, : w * 3].reshape(h, w, 3).copy()
