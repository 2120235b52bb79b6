"""Applying a fast style network: photos (tiled when large), folders of photos, and camera frames."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from ..device import autocast, get_device
from ..i18n import _
from ..jobs import Job, Progress
from .fast_model import ImageTooSmall, TransformerNet, check_image_size, min_input_side
from .fast_model import prepare as _prepare

__all__ = ["CameraUnavailable", "TILE_MARGIN", "FastStylizer", "apply_to_folder", "camera_frames", "stylize_frames"]


class CameraUnavailable(RuntimeError):
    """No camera could be opened (none attached, in use, or no permission)."""


#: Context kept around each tile (a multiple of 4, so the stride-2 grids of tiles and whole image agree);
#: at least the network's receptive-field margin (:func:`~.fast_model.receptive_margin`, 54 px), rounded up with room to spare.
TILE_MARGIN = 64


class _FixedNorm(nn.Module):
    """Instance norm with given per-channel statistics: every tile is normalised like the whole image."""

    def __init__(self, norm: nn.InstanceNorm2d, mean: torch.Tensor, var: torch.Tensor):
        super().__init__()
        scale = norm.weight.detach().float() / torch.sqrt(var.float() + norm.eps)
        self.register_buffer("scale", scale.view(1, -1, 1, 1))
        self.register_buffer("shift", (norm.bias.detach().float() - mean.float() * scale).view(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.float() * self.scale + self.shift).to(x.dtype)


def _norm_stats(net: TransformerNet, x: torch.Tensor, device: torch.device) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Per-channel mean and (biased) variance at the input of each instance norm, for image ``x``."""
    stats: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    hooks = []
    for name, m in net.named_modules():
        if isinstance(m, nn.InstanceNorm2d):
            def hook(module, inputs, output, name=name):
                t = inputs[0].float()
                stats[name] = (t.mean(dim=(0, 2, 3)), t.var(dim=(0, 2, 3), unbiased=False))
            hooks.append(m.register_forward_hook(hook))
    try:
        with torch.inference_mode(), autocast(device):
            net(x)
    finally:
        for h in hooks:
            h.remove()
    return stats


def _with_fixed_norms(net: TransformerNet, stats: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> TransformerNet:
    import copy

    fixed = copy.deepcopy(net)
    for name, (mean, var) in stats.items():
        parent_name, _dot, attr = name.rpartition(".")
        parent = fixed.get_submodule(parent_name) if parent_name else fixed
        setattr(parent, attr, _FixedNorm(getattr(parent, attr), mean, var))
    return fixed


class FastStylizer:
    """Applies a style network to photos or video frames, blending by ``strength`` (0 = original, 1 = stylised).

    On CUDA it runs channels-last in float16 (autocast). Images larger than
    ``max_pixels`` run in ``tile``×``tile`` tiles with :data:`TILE_MARGIN` pixels of
    context on each side, so memory stays bounded whatever the photo's size. The
    network's instance norms see the whole image, so the tiles share their
    statistics: measured on the image itself when it has at most ``max_pixels``,
    else on a copy shrunk to ``max_pixels`` (the one approximation of the tiled path).
    """

    def __init__(self, net: TransformerNet, device: torch.device | str | None = None, max_pixels: int = 2_000_000,
                 tile: int = 1024):
        self.device = torch.device(device) if device is not None else get_device()
        self.net = _prepare(net, self.device)
        self.max_pixels = int(max_pixels)
        self.tile = max(4, int(tile) // 4 * 4)

    @torch.inference_mode()
    def tensor(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) float 0..255 on the device -> stylised, same shape, clamped to 0..255."""
        if self.device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
        with autocast(self.device):
            y = self.net(x)
        return y.float().clamp_(0, 255)

    def _to_tensor(self, rgb: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.array(rgb, dtype=np.uint8, copy=True)).to(self.device).permute(2, 0, 1).unsqueeze(0).float()

    def __call__(self, rgb: np.ndarray, strength: float = 1.0, tiled: bool | None = None) -> np.ndarray:
        """Stylise one (H, W, 3) uint8 image; returns (H, W, 3) uint8.

        ``tiled``: force (True) or forbid (False) the tiled path; by default
        images above ``max_pixels`` are tiled. Raises :class:`ImageTooSmall` for an
        image under :func:`min_input_side` pixels on a side.
        """
        h, w = rgb.shape[:2]
        check_image_size(h, w)
        strength = float(min(max(strength, 0.0), 1.0))
        if strength == 0.0:
            return np.array(rgb, copy=True)
        if tiled if tiled is not None else h * w > self.max_pixels:
            return self._tiled(rgb, strength)
        x = self._to_tensor(rgb)
        y = self.tensor(x)
        if strength < 1.0:
            y = torch.lerp(x, y, strength)
        return y[0].round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()

    @torch.inference_mode()
    def _tiled(self, rgb: np.ndarray, strength: float) -> np.ndarray:
        import cv2

        h, w = rgb.shape[:2]
        sample = rgb
        if h * w > self.max_pixels:  # statistics from a shrunken copy: the whole photo would not fit
            f = (self.max_pixels / (h * w)) ** 0.5
            size = (max(min_input_side(), round(w * f)), max(min_input_side(), round(h * f)))
            sample = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        x = self._to_tensor(sample)
        if self.device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
        net = _with_fixed_norms(self.net, _norm_stats(self.net, x, self.device))
        del x
        out = np.empty((h, w, 3), np.uint8)
        t, m = self.tile, TILE_MARGIN
        for y0 in range(0, h, t):
            for x0 in range(0, w, t):
                y1, x1 = min(y0 + t, h), min(x0 + t, w)
                # Context on every side; the origin stays a multiple of 4 so the stride-2 grids match the whole image's.
                ay, ax = max(0, y0 - m), max(0, x0 - m)
                by, bx = min(h, y1 + m), min(w, x1 + m)
                xt = self._to_tensor(rgb[ay:by, ax:bx])
                if self.device.type == "cuda":
                    xt = xt.contiguous(memory_format=torch.channels_last)
                with autocast(self.device):
                    yt = net(xt)
                yt = yt.float().clamp_(0, 255)
                if strength < 1.0:
                    yt = torch.lerp(xt, yt, strength)
                core = yt[0, :, y0 - ay : y1 - ay, x0 - ax : x1 - ax]
                out[y0:y1, x0:x1] = core.round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
        return out


def apply_to_folder(stylizer: FastStylizer, inputs: Sequence[str | os.PathLike], out_dir: str | os.PathLike, strength: float = 1.0) -> Job[list[Path]]:
    """Job: stylise each input image file (or every image in an input folder) into ``out_dir`` as PNG.

    Files that cannot be read are skipped and reported in the progress
    messages; the result lists the files written.
    """
    from ..io import ImageLoadError, is_image_path, load_image, save_image

    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.is_file() and is_image_path(f))
        else:
            files.append(p)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for i, f in enumerate(files):
        try:
            rgb = load_image(f)
            check_image_size(rgb.shape[0], rgb.shape[1], f.name)
        except (ImageLoadError, ImageTooSmall) as exc:
            yield Progress((i + 1) / len(files), _("skipped: {reason}").format(reason=exc))
            continue
        target = out / f"{f.stem}_styled.png"
        if target in written:  # photo.jpg after photo.png: keep both
            target = out / f"{f.stem}_{f.suffix.lstrip('.').lower()}_styled.png"
        save_image(target, stylizer(rgb, strength), {"convstudio:source": f.name, "convstudio:strength": f"{strength:g}"})
        written.append(target)
        yield Progress((i + 1) / len(files), f"{i + 1}/{len(files)}: {target.name}", partial=target)
    return written


def camera_frames(index: int = 0, width: int = 640, height: int = 480) -> Iterator[np.ndarray]:
    """Frames from a camera as (H, W, 3) uint8 RGB; raises :class:`CameraUnavailable` if none opens."""
    import cv2

    cap = cv2.VideoCapture(index)
    try:
        if not cap.isOpened():
            raise CameraUnavailable(_("No camera could be opened (index {index}): none is attached, another program uses it, or access was denied.").format(index=index))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        while True:
            ok, frame = cap.read()
            if not ok:
                raise CameraUnavailable(_("The camera (index {index}) stopped delivering frames.").format(index=index))
            yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    finally:
        cap.release()


def stylize_frames(stylizer: FastStylizer, frames: Iterable[np.ndarray], strength=1.0) -> Job[int]:
    """Job: stylise frames as they come (e.g. :func:`camera_frames`); each progress's ``partial`` is a stylised frame.

    ``strength`` is a number or a callable returning the current number
    (a slider moved while it runs). Returns the number of frames shown.
    """
    n = 0
    t0 = time.perf_counter()
    it = iter(frames)
    try:
        for frame in it:
            s = strength() if callable(strength) else strength
            out = stylizer(frame, s)
            n += 1
            fps = n / max(time.perf_counter() - t0, 1e-6)
            yield Progress(None, _("{fps:.1f} frames/s").format(fps=fps), partial=out)
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
    return n
