"""Per-layer outputs of an opened user model on an image, as channel grids.

The image is resized to the model's input size (grey if it takes one channel)
and scaled to 0..1; a user model's own preprocessing is not known, so that is
what it sees. Every module's output is captured in one pass
(:meth:`~engine.arch.user_model.UserModel.feature_maps`); :func:`channel_grid`
tiles one layer's channels into an image, each channel scaled to its own range.

    outs = run_job(layer_outputs_job(um, rgb, (3, 224, 224))).result
    grid = channel_grid(outs.maps["features.0"][0])      # (H', W', 3) uint8
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..i18n import _
from ..jobs import Job, Progress
from .user_model import UserModel

__all__ = ["LayerOutputs", "prepare_input", "channel_grid", "layer_outputs_job"]


@dataclass
class LayerOutputs:
    """maps: module name -> output tensor ``(1, ...)`` on the CPU; x: the input ``(1, C, H, W)``."""

    maps: dict[str, torch.Tensor]
    x: torch.Tensor


def prepare_input(rgb: np.ndarray, input_shape: tuple[int, ...]) -> torch.Tensor:
    """``(H, W, 3)`` uint8 -> ``(1, C, H_in, W_in)`` float in 0..1 at ``input_shape = (C, H_in, W_in)``."""
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(_("expected an (H, W, 3) RGB image, got shape {shape}").format(shape=tuple(rgb.shape)))
    c, h, w = (int(s) for s in input_shape)
    x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None].float() / 255.0
    if c == 1:
        x = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
    elif c != 3:
        x = x.mean(dim=1, keepdim=True).expand(1, c, *x.shape[2:])
    x = F.interpolate(x, size=(h, w), mode="area" if h < rgb.shape[0] else "bilinear", align_corners=None)
    return x.clamp(0, 1).contiguous()


def channel_grid(t: torch.Tensor, max_channels: int = 64, gap: int = 1, min_cell: int = 24) -> np.ndarray:
    """Tile the channels of one output ``(C, H, W)`` (or a vector ``(N,)``) into an RGB uint8 image.

    Each channel is scaled to its own min..max (grey), at most ``max_channels`` are shown, in
    order; small maps are enlarged (nearest) to at least ``min_cell`` pixels. A vector is
    drawn as one map of ``ceil(sqrt(N))`` squares.
    """
    a = t.detach().float().cpu()
    if a.dim() == 1:
        side = math.ceil(math.sqrt(a.numel()))
        a = torch.cat([a, a.new_full((side * side - a.numel(),), float(a.min()) if a.numel() else 0.0)]).reshape(1, side, side)
    elif a.dim() == 2:
        a = a[None]
    elif a.dim() > 3:
        a = a.reshape(-1, *a.shape[-2:])
    a = a[:max_channels]
    n, h, w = a.shape
    lo = a.amin(dim=(1, 2), keepdim=True)
    hi = a.amax(dim=(1, 2), keepdim=True)
    scaled = torch.where(hi > lo, (a - lo) / (hi - lo).clamp_min(1e-12), torch.zeros_like(a))
    scale = max(1, math.ceil(min_cell / max(h, w)))
    if scale > 1:
        scaled = scaled.repeat_interleave(scale, 1).repeat_interleave(scale, 2)
        h, w = h * scale, w * scale
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    grid = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), 96, np.uint8)
    maps = (scaled.numpy() * 255).round().astype(np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        grid[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = maps[i]
    return np.repeat(grid[:, :, None], 3, axis=2)


def layer_outputs_job(um: UserModel, rgb: np.ndarray, input_shape: tuple[int, ...] | None = None) -> Job[LayerOutputs]:
    """Run ``um`` once on ``rgb`` and capture every module's output."""
    shape = tuple(input_shape) if input_shape else um.default_input_shape()
    yield Progress(None, _("Running {file}…").format(file=um.path.name))
    x = prepare_input(rgb, shape)
    maps = um.feature_maps(x)
    yield Progress(1.0, _("{n} layer outputs").format(n=len(maps)))
    return LayerOutputs(maps, x)
