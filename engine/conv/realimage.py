"""Apply the lab's filters to a photo on the engine's device."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..device import get_device
from ..i18n import _
from ..jobs import Job, Progress
from .arith import check_padding_mode, output_size
from .pool import PoolSpec, check_pool
from .trace import pad_input

__all__ = ["LUMA", "FeatureMaps", "prepare_photo", "conv_image", "apply_filters", "apply_filters_job"]

#: ITU-R BT.601 weights used when the filters have one channel (grayscale).
LUMA = (0.299, 0.587, 0.114)


@dataclass
class FeatureMaps:
    """Filters applied to one photo.

    maps: (C_out, H_out, W_out) float32 feature maps (the photo scaled to 0..1).
    pooled: (C_out, H_p, W_p) float32 after the pooling, or None without one.
    histograms: per map, (counts (bins,) int64, edges (bins+1,) float64); maps over 1 MP are counted on a subsample.
    device: where it ran; seconds: wall time of the convolution and pooling.
    """

    image_shape: tuple[int, int]
    maps: np.ndarray
    pooled: np.ndarray | None
    histograms: list[tuple[np.ndarray, np.ndarray]]
    device: str
    seconds: float


def _rgb_weight(weight: torch.Tensor) -> torch.Tensor:
    """(C_out, 1 or 3, f, f) weights → (C_out, 3, f, f) acting on 0..255 RGB as the filters act on 0..1 input."""
    if weight.shape[1] == 1:
        luma = torch.tensor(LUMA, dtype=weight.dtype, device=weight.device).view(1, 3, 1, 1)
        weight = weight * luma
    elif weight.shape[1] != 3:
        raise ValueError(_("filters for a photo need 1 (grey) or 3 (RGB) channels, not {c}").format(c=weight.shape[1]))
    return weight / 255.0


def prepare_photo(rgb: np.ndarray, device: torch.device | str | None = None) -> torch.Tensor:
    """An (H, W, 3) uint8 photo as a (1, 3, H, W) float32 tensor of 0..255 values on ``device``.

    The tensor is a channels-last view of the pixels (no reordering pass), the
    layout the CPU and cuDNN convolutions take as is. Prepare once, then
    convolve with as many filter settings as you like.
    """
    if not (isinstance(rgb, np.ndarray) and rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.dtype == np.uint8):
        raise ValueError(f"expected an (H, W, 3) uint8 photo, got {getattr(rgb, 'shape', None)} {getattr(rgb, 'dtype', type(rgb))}")
    device = torch.device(device) if device is not None else get_device()
    with warnings.catch_warnings():  # read-only arrays are fine: the pixels are only read
        warnings.simplefilter("ignore", UserWarning)
        pixels = torch.from_numpy(rgb)
    return pixels.to(device).unsqueeze(0).permute(0, 3, 1, 2).float()


def conv_image(
    photo: np.ndarray | torch.Tensor,
    weight: np.ndarray | torch.Tensor,
    bias: np.ndarray | torch.Tensor | None = None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Convolve a photo with ``weight`` (C_out, 1|3, f, f) → (C_out, H_out, W_out) float32 on ``device``.

    photo: (H, W, 3) uint8, or the result of :func:`prepare_photo`. One-channel
    filters see the photo's luminance, three-channel ones its RGB, both scaled
    to 0..1 (folded into the weights, so the pixels are read once).
    Raises ``ValueError`` for a bad photo or settings with no output.
    """
    x = photo if isinstance(photo, torch.Tensor) else prepare_photo(photo, device)
    if x.ndim != 4 or x.shape[:2] != (1, 3):
        raise ValueError(f"expected a prepared photo of shape (1, 3, H, W), got {tuple(x.shape)}")
    device = x.device
    w = torch.as_tensor(np.asarray(weight) if not isinstance(weight, torch.Tensor) else weight).to(device, torch.float32)
    f = int(w.shape[-1])
    h, wd = int(x.shape[2]), int(x.shape[3])
    output_size(h, f, padding, stride, dilation)
    output_size(wd, f, padding, stride, dilation)
    check_padding_mode(padding_mode, min(h, wd), padding)
    w3 = _rgb_weight(w).contiguous(memory_format=torch.channels_last)
    b = None if bias is None else torch.as_tensor(np.asarray(bias) if not isinstance(bias, torch.Tensor) else bias).to(device, torch.float32)
    with torch.inference_mode():
        if padding_mode != "zeros" and padding:
            x = pad_input(x, padding, padding_mode)
            y = F.conv2d(x, w3, b, stride=stride, padding=0, dilation=dilation)
        else:
            y = F.conv2d(x, w3, b, stride=stride, padding=padding, dilation=dilation)
    return y[0]


def _pool(y: torch.Tensor, pool: PoolSpec) -> torch.Tensor:
    """Pool (C, H, W) maps as ``F.max_pool2d`` / ``F.avg_pool2d`` / global average do."""
    check_pool(pool.kind, pool.size, pool.stride, pool.padding, int(y.shape[-2]), int(y.shape[-1]))
    if pool.kind == "global":
        return y.mean(dim=(-1, -2), keepdim=True)
    k = pool.size
    if pool.stride == k and pool.padding == 0:
        # non-overlapping windows: combine the k² strided views (far fewer passes over a large map)
        h, w = (int(y.shape[-2]) // k) * k, (int(y.shape[-1]) // k) * k
        views = [y[:, a:h:k, b:w:k] for a in range(k) for b in range(k)]
        out = views[0].clone()
        for v in views[1:]:
            if pool.kind == "max":
                torch.maximum(out, v, out=out)
            else:
                out.add_(v)
        return out if pool.kind == "max" else out.div_(k * k)
    if pool.kind == "max":
        return F.max_pool2d(y, k, pool.stride, pool.padding)
    return F.avg_pool2d(y, k, pool.stride, pool.padding)


def _histogram(m: torch.Tensor, bins: int, sample: int = 1_000_000) -> tuple[np.ndarray, np.ndarray]:
    """Value histogram of a map: counts over ``bins`` equal bins from its min to max.

    Maps larger than ``sample`` values are counted on a regular subsample (every
    s-th row and column), enough for the shape of the distribution.
    """
    lo, hi = (float(v) for v in torch.aminmax(m))
    if hi <= lo:
        hi = lo + 1e-6
    s = max(1, int(np.ceil(np.sqrt(m.numel() / sample))))
    sub = m[::s, ::s] if s > 1 else m
    idx = ((sub - lo) * (bins / (hi - lo))).clamp_(0, bins - 1).long()
    counts = torch.bincount(idx.flatten(), minlength=bins)
    return counts.to("cpu", torch.int64).numpy(), np.linspace(lo, hi, bins + 1)


def apply_filters(
    photo: np.ndarray | torch.Tensor,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    pool: PoolSpec | None = None,
    device: torch.device | str | None = None,
    bins: int = 64,
) -> FeatureMaps:
    """Feature maps, pooled maps and value histograms of a photo under the filters.

    photo: (H, W, 3) uint8 or :func:`prepare_photo`'s tensor. weight:
    (C_out, 1|3, f, f); see :func:`conv_image`. Raises ``ValueError``
    with the reason for settings that give no output.
    """
    start = time.perf_counter()
    x = photo if isinstance(photo, torch.Tensor) else prepare_photo(photo, device)
    device = x.device
    with torch.inference_mode():
        y = conv_image(x, weight, bias, stride, padding, dilation, padding_mode, device)
        pooled = _pool(y, pool) if pool is not None else None
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - start
        hists = [_histogram(m, bins) for m in y]
        maps = y.to("cpu").numpy()
        pooled_np = pooled.to("cpu").numpy() if pooled is not None else None
    return FeatureMaps((int(x.shape[2]), int(x.shape[3])), maps, pooled_np, hists, str(device), seconds)


def apply_filters_job(photo: np.ndarray | torch.Tensor, weight: np.ndarray, bias: np.ndarray | None = None, **kwargs) -> Job[FeatureMaps]:
    """:func:`apply_filters` as a job (for a worker thread); same arguments."""
    yield Progress(None, _("Filtering the photo"))
    return apply_filters(photo, weight, bias, **kwargs)
