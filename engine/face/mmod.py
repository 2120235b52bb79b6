"""dlib's MMOD CNN face detector (``mmod_human_face_detector.dat``) in PyTorch.

The network sees dlib's tiled image pyramid: the image (normalised as ``(rgb - mean)/256``)
and its successive ``pyramid_down<6>`` levels (each 5/6 the size of the previous, resized
bilinearly from it, down to 5 rows) packed into one zero-filled canvas with 10 px between
levels and an 11 px border. A fully convolutional net (three 5x5/2 convolutions, three
5x5 convolutions, one 9x9 filter) scores every position of that canvas; each position
above the threshold is an 80x80 window in canvas space, which is mapped back to the level
it lies in and up to original pixels. Overlapping windows are pruned greedily, best first,
with dlib's overlap test (intersection over the bounding box of the pair above 0.338, or
one box fully covered).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.device import get_device
from engine.i18n import _
from engine.face.dlib_format import DlibFormatError, read_dnn
from engine.face.files import models_files
from engine.face.resnet import folded_conv

__all__ = ["FaceBox", "MMODFaceDetector", "pyramid_rects"]

_PYRAMID_RATE = 5.0 / 6.0  # pyramid_down<6>
_MIN_LEVEL_HEIGHT = 5


@dataclass(frozen=True)
class FaceBox:
    """A detected face: ``box`` (x1, y1, x2, y2) in original-image pixels (dlib's inclusive
    corners, so width = x2 - x1 + 1) and the detector's ``score`` (> threshold)."""

    box: tuple[float, float, float, float]
    score: float


@lru_cache(maxsize=32)
def pyramid_rects(height: int, width: int, padding: int = 10, outer_padding: int = 11) -> tuple[tuple[tuple[int, int, int, int], ...], int, int]:
    """Where dlib's tiled pyramid places each level.

    Returns ``(rects, canvas_h, canvas_w)`` with ``rects[i] = (left, top, right, bottom)``
    (inclusive) of level i; level 0 is the original size.
    """
    sizes = [(height, width)]
    nr, nc = height, width
    while True:
        nr, nc = int(math.floor(_PYRAMID_RATE * nr)), int(math.floor(_PYRAMID_RATE * nc))
        if nr * nc == 0 or nr < _MIN_LEVEL_HEIGHT:
            break
        sizes.append((nr, nc))
    total_height = sum(h + padding for h, _ in sizes) - 2 * padding
    col_height, prev_width = 0, 0
    for h, w in sizes:
        if w <= width - prev_width - padding and (col_height - height) * 2 >= total_height - height:
            break
        col_height += h + padding
        prev_width = w
    col_height -= padding
    canvas_h, canvas_w = col_height + 2 * outer_padding, width + 2 * outer_padding
    rects: list[tuple[int, int, int, int]] = []
    y = outer_padding
    i = 0
    while y < col_height + outer_padding and i < len(sizes):
        h, w = sizes[i]
        rects.append((outer_padding, y, outer_padding + w - 1, y + h - 1))
        y += h + padding
        i += 1
    y -= padding
    first = rects[0]
    while i < len(sizes):
        h, w = sizes[i]
        right, bottom = outer_padding + width - 1, y - 1
        rect = (right - w + 1, bottom - h + 1, right, bottom)
        if not (rect[2] < first[0] or rect[0] > first[2] or rect[3] < first[1] or rect[1] > first[3]):
            break
        rects.append(rect)
        y -= h + padding
        i += 1
    return tuple(rects), canvas_h, canvas_w


def _nearest_rect(rects: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Index of the level rect containing (or nearest to) each integer point. rects (L,4); p (M,)."""
    dx = np.maximum(np.maximum(rects[None, :, 0] - px[:, None], px[:, None] - rects[None, :, 2]), 0)
    dy = np.maximum(np.maximum(rects[None, :, 1] - py[:, None], py[:, None] - rects[None, :, 3]), 0)
    return np.argmin(np.hypot(dx, dy), axis=1)  # a containing rect has distance 0 and comes first


def _overlaps(a: np.ndarray, b: np.ndarray, iou_thresh: float, covered_thresh: float) -> np.ndarray:
    """dlib's test_box_overlap between box a (4,) and boxes b (M,4), inclusive integer corners."""
    iw = np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0]) + 1
    ih = np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1]) + 1
    inner = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    hull = ((np.maximum(a[2], b[:, 2]) - np.minimum(a[0], b[:, 0]) + 1)
            * (np.maximum(a[3], b[:, 3]) - np.minimum(a[1], b[:, 1]) + 1))
    area_a = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
    area_b = (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        hit = (inner / hull > iou_thresh) | (inner / area_a > covered_thresh) | (inner / area_b > covered_thresh)
    return (inner > 0) & hit


class MMODFaceDetector:
    """Faces in an RGB image: ``detect(image)`` -> list of :class:`FaceBox`, best first."""

    def __init__(self, device: torch.device | str | None = None, path: str | Path | None = None):
        self.device = torch.device(device) if device is not None else get_device()
        net = read_dnn(path or models_files().detector)
        if net.loss.kind != "loss_mmod" or net.input.kind != "input_rgb_image_pyramid":
            raise DlibFormatError(_("not an MMOD detector with an image-pyramid input"))
        opts = net.loss.params
        if opts["use_bounding_box_regression"] or len(opts["detector_windows"]) != 1:
            raise DlibFormatError(_("only single-window MMOD detectors without box regression are supported"))
        self.window = opts["detector_windows"][0][:2]  # (width, height)
        self.nms = (opts["nms_iou_thresh"], opts["nms_percent_covered_thresh"])
        self.padding = net.input.params["pyramid_padding"]
        self.outer_padding = net.input.params["pyramid_outer_padding"]
        mods: list[nn.Module] = []
        layers = net.layers
        # output -> input-tensor coordinate map: p_in = p_out * scale + offset
        self.scale, self.offset = 1.0, 0.0
        i = 0
        while i < len(layers):
            layer = layers[i]
            if layer.kind != "con":
                raise DlibFormatError(_("MMOD detector: unexpected layer {kind}").format(kind=layer.kind))
            affine = layers[i + 1] if i + 1 < len(layers) and layers[i + 1].kind == "affine" else None
            mods.append(folded_conv(layer, affine))
            i += 2 if affine is not None else 1
            if i < len(layers) and layers[i].kind == "relu":
                mods.append(nn.ReLU(inplace=True))
                i += 1
            (kh, kw), (sh, sw), (ph, pw) = layer.params["kernel"], layer.params["stride"], layer.params["padding"]
            if (kh, sh, ph) != (kw, sw, pw):
                raise DlibFormatError(_("MMOD detector: only square kernels are supported"))
        self._convs = [(layer.params["kernel"][0], layer.params["stride"][0], layer.params["padding"][0])
                       for layer in layers if layer.kind == "con"]
        # compose the maps from the output back to the input (outermost layer first)
        for layer in reversed(layers):
            if layer.kind == "con":
                k, s, p = layer.params["kernel"][0], layer.params["stride"][0], layer.params["padding"][0]
                self.offset = self.offset * s - p + k // 2
                self.scale *= s
        self.net = nn.Sequential(*mods).to(self.device).eval()
        self.mean = torch.tensor(net.input.params["mean"], dtype=torch.float32, device=self.device).reshape(3, 1, 1)

    def _output_size(self, n: int) -> int:
        for k, s, p in self._convs:
            n = (n + 2 * p - k) // s + 1
        return n

    def tiled_pyramid(self, image: torch.Tensor) -> tuple[torch.Tensor, tuple[tuple[int, int, int, int], ...]]:
        """Normalised tiled pyramid (1,3,H',W') of a float (3,H,W) 0..255 image, and the level rects."""
        _, h, w = image.shape
        rects, ch, cw = pyramid_rects(h, w, self.padding, self.outer_padding)
        canvas = torch.zeros((1, 3, ch, cw), dtype=torch.float32, device=image.device)
        l0, t0, r0, b0 = rects[0]
        canvas[0, :, t0:b0 + 1, l0:r0 + 1] = (image - self.mean) / 256.0
        for (pl, pt, pr, pb), (l, t, r, b) in zip(rects, rects[1:]):
            src = canvas[:, :, pt:pb + 1, pl:pr + 1]
            canvas[:, :, t:b + 1, l:r + 1] = F.interpolate(src, size=(b - t + 1, r - l + 1), mode="bilinear", align_corners=True)
        return canvas, rects

    @torch.inference_mode()
    def score_map(self, image: np.ndarray, upsample: int = 0) -> tuple[torch.Tensor, tuple[tuple[int, int, int, int], ...]]:
        """The detector's output map (H'',W'') over the tiled pyramid of ``image`` (H,W,3)
        uint8, after doubling the image ``upsample`` times (bilinear)."""
        img = torch.from_numpy(np.array(image, dtype=np.uint8)).to(self.device).permute(2, 0, 1).float()
        if upsample > 0:
            img = F.interpolate(img[None], scale_factor=2 ** upsample, mode="bilinear", align_corners=False)[0]
        canvas, rects = self.tiled_pyramid(img)
        if min(self._output_size(canvas.shape[2]), self._output_size(canvas.shape[3])) < 1:
            return torch.zeros((0, 0), device=self.device), rects  # too small to hold a face
        return self.net(canvas)[0, 0], rects

    def detect(self, image: np.ndarray, threshold: float = 0.0, upsample: int = 0) -> list[FaceBox]:
        """Faces in ``image`` (H,W,3) uint8 RGB, best first, boxes in original pixels.

        ``threshold`` is dlib's ``adjust_threshold`` (lower finds more, less certain faces).
        The smallest face found is about 80 px; ``upsample`` = k doubles the image k times
        first (bilinear) to find faces down to 80/2**k px, at 4**k times the work.
        """
        if upsample < 0 or upsample > 3:
            raise ValueError(_("upsample must be 0..3"))
        image = np.asarray(image)
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(_("image must be (H,W,3) uint8 RGB, got {shape} {dtype}").format(shape=image.shape, dtype=image.dtype))
        if image.shape[0] < 1 or image.shape[1] < 1:
            return []
        scores, rects = self.score_map(image, upsample)
        rows, cols = torch.nonzero(scores > threshold, as_tuple=True)
        if rows.numel() == 0:
            return []
        vals = scores[rows, cols].double().cpu().numpy()
        py = rows.cpu().numpy() * self.scale + self.offset
        px = cols.cpu().numpy() * self.scale + self.offset
        half_w, half_h = (self.window[0] - 1) / 2.0, (self.window[1] - 1) / 2.0
        rect_arr = np.array(rects, dtype=np.float64)
        cx, cy = np.floor(px + 0.5), np.floor(py + 0.5)
        level = _nearest_rect(rect_arr, cx, cy)
        x1 = px - half_w - rect_arr[level, 0]
        y1 = py - half_h - rect_arr[level, 1]
        x2 = px + half_w - rect_arr[level, 0]
        y2 = py + half_h - rect_arr[level, 1]
        up = 1.0 / _PYRAMID_RATE
        for lv in range(1, int(level.max()) + 1):
            sel = level >= lv
            x1[sel], y1[sel] = x1[sel] * up + 0.3, y1[sel] * up + 0.3
            x2[sel], y2[sel] = x2[sel] * up + 0.3, y2[sel] * up + 0.3
        boxes = np.floor(np.stack([x1, y1, x2, y2], axis=1) + 0.5)
        if upsample:
            # pixel centres of the doubled image: x_up = 2**k (x + 0.5) - 0.5
            boxes = (boxes + 0.5) / 2 ** upsample - 0.5
        order = np.argsort(-vals, kind="stable")
        kept: list[int] = []
        for idx in order:
            if kept and _overlaps(boxes[idx], boxes[kept], *self.nms).any():
                continue
            kept.append(int(idx))
        return [FaceBox(tuple(float(v) for v in boxes[k]), float(vals[k])) for k in kept]
