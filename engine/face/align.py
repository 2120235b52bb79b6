"""Face alignment as dlib does it: ``get_face_chip_details`` + ``extract_image_chip``.

The 5 landmarks are matched (least-squares similarity) to dlib's mean 5-point face placed
in a ``size`` x ``size`` chip with ``padding`` (0.25: a quarter of the face width added on
each side). The chip is sampled bilinearly from the image; when the face is more than
twice the chip size, dlib first shrinks the region with its 2:1 Gaussian pyramid
(5-tap [1 4 6 4 1] filter), and so does this module, so chips match dlib's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.face.geometry import affine_from_3_points, similarity_transform
from engine.i18n import _

__all__ = ["ChipDetails", "face_chip_details", "extract_chip", "align_face", "pyramid_down2"]

# dlib's mean positions of the 5 landmarks in a unit face box (x, y), landmark order of the
# 5-point model: right eye outer/inner, left eye outer/inner, nose base.
_MEAN_FACE_5 = np.array([
    (0.8595674595992, 0.2134981538014),
    (0.6460604764104, 0.2289674387677),
    (0.1205750620789, 0.2137274526848),
    (0.3340850613712, 0.2290642403242),
    (0.4901123135679, 0.6277975316475),
])


@dataclass(frozen=True)
class ChipDetails:
    """Where a chip comes from: ``rect`` (left, top, right, bottom) in image pixels before
    rotation by ``angle`` radians about its centre, sampled into ``size`` x ``size``."""

    rect: tuple[float, float, float, float]
    angle: float
    size: int


def face_chip_details(landmarks: np.ndarray, size: int = 150, padding: float = 0.25) -> ChipDetails:
    """The chip placement for 5 landmarks (5,2) x,y pixels (as from the shape predictor)."""
    landmarks = np.asarray(landmarks, np.float64)
    if landmarks.shape != (5, 2):
        raise ValueError(_("need 5 landmarks (5,2), got {shape}").format(shape=landmarks.shape))
    if size <= 0 or padding < 0:
        raise ValueError(_("size must be positive and padding non-negative"))
    chip_pts = (padding + _MEAN_FACE_5) / (2 * padding + 1) * size
    m, t = similarity_transform(chip_pts, landmarks)
    angle = math.atan2(m[1, 0], m[0, 0])
    scale = math.hypot(m[0, 0], m[1, 0])
    cx, cy = m @ np.array([size / 2.0, size / 2.0]) + t
    half = (size * scale - 1) / 2.0
    return ChipDetails((cx - half, cy - half, cx + half, cy + half), angle, size)


def pyramid_down2(img: np.ndarray) -> np.ndarray:
    """dlib's ``pyramid_down<2>`` on (H,W,3) uint8: 5x5 [1 4 6 4 1]^2/256 filter, every
    other pixel, output ((H-3)//2, (W-3)//2, 3) uint8 (integer arithmetic, truncating)."""
    h, w = img.shape[:2]
    if h <= 8 or w <= 8:
        return np.zeros((0, 0, 3), np.uint8)
    x = img.astype(np.uint32)
    ow, oh = (w - 3) // 2, (h - 3) // 2
    taps = (1, 4, 6, 4, 1)
    rows = sum(k * x[:, j:j + 2 * ow:2] for j, k in enumerate(taps))  # (H, ow)
    out = sum(k * rows[j:j + 2 * oh:2] for j, k in enumerate(taps))  # rows 2i..2i+4
    return (out // 256).astype(np.uint8)


def _rect_down(r: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (r[0] / 2 - 1.25, r[1] / 2 - 0.75, r[2] / 2 - 1.25, r[3] / 2 - 0.75)


def _area(r: tuple[float, float, float, float]) -> float:
    if r[0] > r[2] or r[1] > r[3]:
        return 0.0
    return (r[2] - r[0] + 1) * (r[3] - r[1] + 1)


def _rotated_corners(r: tuple[float, float, float, float], angle: float) -> np.ndarray:
    """tl, tr, bl, br of ``r`` rotated by ``angle`` about its centre, (4,2)."""
    cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
    c, s = math.cos(angle), math.sin(angle)
    pts = np.array([(r[0], r[1]), (r[2], r[1]), (r[0], r[3]), (r[2], r[3])]) - (cx, cy)
    return np.stack([c * pts[:, 0] - s * pts[:, 1] + cx, s * pts[:, 0] + c * pts[:, 1] + cy], 1)


def _bilinear(src: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Sample ``src`` (H,W,3) at float points; outside points are black; truncates to uint8."""
    h, w = src.shape[:2]
    left, top = np.floor(xs).astype(np.int64), np.floor(ys).astype(np.int64)
    ok = (left >= 0) & (top >= 0) & (left + 1 < w) & (top + 1 < h)
    out = np.zeros(xs.shape + (3,), np.uint8)
    if not ok.any():
        return out
    l, t = left[ok], top[ok]
    lr = (xs[ok] - l)[:, None]
    tb = (ys[ok] - t)[:, None]
    s = src.astype(np.float64)
    val = (1 - tb) * ((1 - lr) * s[t, l] + lr * s[t, l + 1]) + tb * ((1 - lr) * s[t + 1, l] + lr * s[t + 1, l + 1])
    out[ok] = val.astype(np.uint8)
    return out


def extract_chip(image: np.ndarray, details: ChipDetails) -> np.ndarray:
    """The (size,size,3) uint8 chip described by ``details`` from ``image`` (H,W,3) uint8."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(_("image must be (H,W,3) RGB, got {shape}").format(shape=image.shape))
    size, angle, rect = details.size, details.angle, details.rect
    chip_area = size * size
    h, w = image.shape[:2]
    # the image region needed, grown by the border the pyramid filter needs
    grow = 2.0
    r = _rect_down(rect)
    while _area(r) > chip_area:
        r = _rect_down(r)
        grow = grow * 2 + 2
    corners = _rotated_corners(rect, angle)
    bl_, bt_ = corners[:, 0].min() - grow, corners[:, 1].min() - grow
    br_, bb_ = corners[:, 0].max() + grow, corners[:, 1].max() + grow
    bl_, bt_, br_, bb_ = max(bl_, 0), max(bt_, 0), min(br_, w - 1), min(bb_, h - 1)
    if bl_ > br_ or bt_ > bb_:
        return np.zeros((size, size, 3), np.uint8)
    bx0, by0, bx1, by1 = (int(math.floor(v + 0.5)) for v in (bl_, bt_, br_, bb_))
    src = image[by0:by1 + 1, bx0:bx1 + 1]
    local = (rect[0] - bx0, rect[1] - by0, rect[2] - bx0, rect[3] - by0)
    while _area(_rect_down(local)) > chip_area and min(src.shape[:2]) > 8:
        src = pyramid_down2(src)
        local = _rect_down(local)
    dst = _rotated_corners(local, angle)[:3]  # tl, tr, bl
    m, t = affine_from_3_points(np.array([(0, 0), (size - 1, 0), (0, size - 1)], np.float64), dst)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64)
    px = m[0, 0] * xs + m[0, 1] * ys + t[0]
    py = m[1, 0] * xs + m[1, 1] * ys + t[1]
    return _bilinear(src, px, py)


def align_face(image: np.ndarray, landmarks: np.ndarray, size: int = 150, padding: float = 0.25) -> np.ndarray:
    """Aligned (size,size,3) uint8 RGB face chip from ``image`` and its 5 landmarks (5,2)."""
    return extract_chip(image, face_chip_details(landmarks, size, padding))
