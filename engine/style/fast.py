"""Fast feed-forward styles: a Johnson-style transformation network, its training, and applying it.

The network (:class:`TransformerNet`) uses the layer names and state-dict
keys of the PyTorch examples' *fast_neural_style* models (``conv1.conv2d.weight``,
``in1.weight``, ``res1.conv1.conv2d.weight``, ``deconv1.conv2d.weight``, …),
so their published style files (mosaic, candy, udnie, rain-princess) load
directly with :func:`load_transformer`. Like those models it maps an RGB
image in 0..255 to an RGB image in 0..255: (N, 3, H, W) float -> (N, 3, H, W).

Architecture: 9×9 conv (32) → 3×3 stride-2 conv (64) → 3×3 stride-2 conv
(128), each with instance norm and ReLU; five residual blocks of two 3×3
convs; two nearest-neighbour ×2 upsampling + 3×3 conv stages (64, 32); a
final 9×9 conv to RGB. Reflection padding throughout.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from ..device import autocast, get_device
from ..files import save_torch
from ..i18n import _, join_list
from ..jobs import Job, Progress

__all__ = [
    "TransformerNet",
    "StyleModelError",
    "CameraUnavailable",
    "ImageTooSmall",
    "min_input_side",
    "check_image_size",
    "TILE_MARGIN",
    "clean_state_dict",
    "load_transformer",
    "save_transformer",
    "FastStylizer",
    "apply_to_folder",
    "TrainParams",
    "TrainPoint",
    "TrainResult",
    "train_style",
    "camera_frames",
    "stylize_frames",
]


class StyleModelError(ValueError):
    """A style network file could not be loaded or does not fit :class:`TransformerNet`."""


class CameraUnavailable(RuntimeError):
    """No camera could be opened (none attached, in use, or no permission)."""


class _Conv(nn.Module):
    """Reflection padding then a convolution (keys: ``conv2d.weight``, ``conv2d.bias``)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, upsample: int = 0):
        super().__init__()
        self.upsample = upsample
        self.pad = nn.ReflectionPad2d(kernel // 2)
        self.conv2d = nn.Conv2d(cin, cout, kernel, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.upsample:
            x = nn.functional.interpolate(x, scale_factor=self.upsample, mode="nearest")
        return self.conv2d(self.pad(x))


class _Residual(nn.Module):
    """x + IN(conv(ReLU(IN(conv(x)))))."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = _Conv(channels, channels, 3)
        self.in1 = nn.InstanceNorm2d(channels, affine=True)
        self.conv2 = _Conv(channels, channels, 3)
        self.in2 = nn.InstanceNorm2d(channels, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.in2(self.conv2(torch.relu(self.in1(self.conv1(x)))))


class TransformerNet(nn.Module):
    """The image transformation network; input and output RGB in 0..255, (N, 3, H, W)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = _Conv(3, 32, 9)
        self.in1 = nn.InstanceNorm2d(32, affine=True)
        self.conv2 = _Conv(32, 64, 3, 2)
        self.in2 = nn.InstanceNorm2d(64, affine=True)
        self.conv3 = _Conv(64, 128, 3, 2)
        self.in3 = nn.InstanceNorm2d(128, affine=True)
        self.res1, self.res2, self.res3, self.res4, self.res5 = (_Residual(128) for _ in range(5))
        self.deconv1 = _Conv(128, 64, 3, 1, upsample=2)
        self.in4 = nn.InstanceNorm2d(64, affine=True)
        self.deconv2 = _Conv(64, 32, 3, 1, upsample=2)
        self.in5 = nn.InstanceNorm2d(32, affine=True)
        self.deconv3 = _Conv(32, 3, 9)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        y = torch.relu(self.in1(self.conv1(x)))
        y = torch.relu(self.in2(self.conv2(y)))
        y = torch.relu(self.in3(self.conv3(y)))
        y = self.res5(self.res4(self.res3(self.res2(self.res1(y)))))
        y = torch.relu(self.in4(self.deconv1(y)))
        y = torch.relu(self.in5(self.deconv2(y)))
        y = self.deconv3(y)
        if y.shape[-2:] != (h, w):  # sizes not divisible by 4 come back a few pixels larger
            y = y[..., :h, :w]
        return y


def _convs(net: nn.Module) -> list[_Conv]:
    """The padded convolutions of ``net`` in the order :meth:`TransformerNet.forward` runs them."""
    return [m for m in net.modules() if isinstance(m, _Conv)]


def min_input_side(net: nn.Module | None = None) -> int:
    """The smallest image side (in pixels) the network accepts.

    Walks its layers: each reflection pad must be smaller than the map it pads
    (PyTorch's rule), a stride-s convolution maps n to ⌊(n + 2p − k)/s⌋ + 1 and an
    upsampling multiplies n. For :class:`TransformerNet` this is 5 px: the 9×9
    input convolution pads 4, and the two stride-2 convolutions must leave the
    residual blocks at least 2 pixels for their 1-pixel padding.
    """
    convs = _convs(net if net is not None else TransformerNet())

    def fits(n: int) -> bool:
        for c in convs:
            n *= c.upsample or 1
            pad, k, stride = c.pad.padding[0], c.conv2d.kernel_size[0], c.conv2d.stride[0]
            if n <= pad:
                return False
            n = (n + 2 * pad - k) // stride + 1
            if n < 1:
                return False
        return True

    n = 1
    while not fits(n):
        n += 1
    return n


class ImageTooSmall(ValueError):
    """An image is smaller than the style network's minimum side."""


def check_image_size(h: int, w: int, name: str = "") -> None:
    """Raise :class:`ImageTooSmall` (one line, with the minimum) for an H×W image the network cannot take."""
    m = min_input_side()
    if min(h, w) < m:
        if name:
            raise ImageTooSmall(_("{name} is {h}×{w} px (H×W); a fast style network needs at least {m}×{m} px").format(
                name=name, h=h, w=w, m=m))
        raise ImageTooSmall(_("the image is {h}×{w} px (H×W); a fast style network needs at least {m}×{m} px").format(h=h, w=w, m=m))


def _receptive_margin(net: nn.Module | None = None) -> int:
    """Pixels of context, at full resolution, that one output pixel depends on (each side)."""
    scale, margin = 1, 0
    for c in _convs(net if net is not None else TransformerNet()):
        if c.upsample:
            scale //= c.upsample
        pad, stride = c.pad.padding[0], c.conv2d.stride[0]
        margin += pad * max(scale, 1)
        scale *= stride
    return margin


#: Context kept around each tile (a multiple of 4, so the stride-2 grids of tiles and whole image agree);
#: at least the network's receptive-field margin (:func:`_receptive_margin`, 54 px), rounded up with room to spare.
TILE_MARGIN = 64


_RUNNING_STAT = re.compile(r"in\d+\.running_(mean|var)$")


def clean_state_dict(state: dict) -> dict[str, torch.Tensor]:
    """A state dict ready for :class:`TransformerNet`.

    Unwraps ``{"state_dict": …}``/``{"model": …}`` checkpoints, strips a
    ``module.`` prefix (DataParallel), and drops the ``running_mean`` /
    ``running_var`` (and ``num_batches_tracked``) entries of instance norms
    that checkpoints saved by older PyTorch versions carry.
    """
    if not isinstance(state, dict):
        raise StyleModelError(_("the file does not hold a state dict"))
    for key in ("state_dict", "model", "model_state_dict"):
        inner = state.get(key)
        if isinstance(inner, dict) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
            state = inner
            break
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if not isinstance(value, torch.Tensor):
            continue
        key = key[7:] if key.startswith("module.") else key
        if _RUNNING_STAT.search(key) or key.endswith("num_batches_tracked"):
            continue
        out[key] = value
    return out


def load_transformer(path: str | os.PathLike, device: torch.device | str = "cpu") -> TransformerNet:
    """Load a style network file (ours or the PyTorch examples') through :func:`engine.weights.safe_load`.

    Raises :class:`StyleModelError` naming the problem (unreadable, carries
    code, wrong architecture).
    """
    from ..weights import WeightsError, safe_load

    try:
        obj = safe_load(path)
    except WeightsError as exc:
        raise StyleModelError(str(exc)) from None
    net = TransformerNet()
    try:
        net.load_state_dict(clean_state_dict(obj))
    except RuntimeError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        raise StyleModelError(_("{file} is not a fast style network: {reason}").format(file=path, reason="; ".join(lines[1:3])[:300])) from None
    return _prepare(net, torch.device(device))


def _prepare(net: TransformerNet, device: torch.device) -> TransformerNet:
    net = net.eval().to(device)
    if device.type == "cuda":
        net = net.to(memory_format=torch.channels_last)
    return net


def save_transformer(net: TransformerNet, path: str | os.PathLike) -> Path:
    """Save the bare state dict (loadable by the PyTorch examples too); written atomically."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    save_torch({k: v.detach().cpu() for k, v in net.state_dict().items()}, p)
    return p


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


@dataclass
class TrainParams:
    """Settings for training a style network from one style image.

    ``size``: training crops are resized to size×size. ``content_weight``,
    ``style_weight``: weights of the normalised perceptual losses (content at
    ``content_layer``; style from Gram matrices divided by C·H·W at
    ``style_layers``). ``checkpoint_every``: steps between checkpoints.
    """

    steps: int = 2000
    batch_size: int = 4
    size: int = 256
    learning_rate: float = 1e-3
    content_weight: float = 1e5
    style_weight: float = 1e10
    content_layer: str = "conv2_2"
    style_layers: tuple[str, ...] = ("conv1_2", "conv2_2", "conv3_4", "conv4_4")
    checkpoint_every: int = 200
    report_every: int = 10
    backbone: str = "vgg19"
    seed: int = 0

    def validate(self) -> None:
        """Raise ``ValueError`` with a plain message for a bad setting."""
        from .backbones import LAYER_NAMES

        for name in ("steps", "batch_size", "report_every"):
            if getattr(self, name) < 1:
                raise ValueError(_("{setting} must be at least 1").format(setting=name.replace("_", " ")))
        if self.checkpoint_every < 0:
            raise ValueError(_("checkpoint every must be 0 (only at the end) or more"))
        if not self.learning_rate > 0:
            raise ValueError(_("the learning rate must be positive"))
        if not (self.content_weight >= 0 and self.style_weight >= 0):
            raise ValueError(_("the content and style weights must be zero or positive"))
        layers = (self.content_layer, *self.style_layers)
        unknown = [l for l in layers if l not in LAYER_NAMES]
        if unknown:
            raise ValueError(_("unknown layer(s) {layers}; known: {known}").format(layers=join_list(unknown), known=join_list(LAYER_NAMES)))
        need = 2 ** max(int(l[4]) for l in layers)  # each block halves; the deepest must still see 2 pixels
        if self.size < need:
            raise ValueError(_("the training size must be at least {need} px for layers down to conv{deepest}_x").format(need=need, deepest=need.bit_length() - 1))


@dataclass
class TrainPoint:
    """One logged training step."""

    step: int
    content: float
    style: float
    total: float


@dataclass
class TrainResult:
    """A finished (or resumed-and-finished) training run."""

    model_path: Path
    checkpoint_path: Path
    curve: list[TrainPoint] = field(default_factory=list)
    steps: int = 0
    notice: str = ""
    preview: np.ndarray | None = None


def _content_images(images: str | os.PathLike | Sequence[np.ndarray] | None) -> list[np.ndarray]:
    from ..io import ImageLoadError, is_image_path, load_image
    from ..samples import SAMPLE_PHOTOS, sample_image

    if images is None:
        return [sample_image(n) for n in SAMPLE_PHOTOS]
    if isinstance(images, (str, os.PathLike)):
        folder = Path(images)
        if not folder.is_dir():
            raise ValueError(_("{folder} is not a folder of images").format(folder=folder))
        out = []
        for f in sorted(folder.iterdir()):
            if f.is_file() and is_image_path(f):
                try:
                    img = load_image(f)
                except ImageLoadError:
                    continue
                check_image_size(img.shape[0], img.shape[1], f.name)  # refused now, not after the training
                out.append(img)
        if not out:
            raise ValueError(_("{folder} holds no readable images").format(folder=folder))
        return out
    out = [np.asarray(a, dtype=np.uint8) for a in images]
    for i, img in enumerate(out):
        check_image_size(img.shape[0], img.shape[1], _("content image {n}").format(n=i + 1))
    return out


def _batch(pool: list[np.ndarray], size: int, n: int, gen: torch.Generator) -> torch.Tensor:
    """Random square crops resized to size×size: (n, 3, size, size) float 0..255."""
    out = []
    for _index in range(n):
        img = pool[int(torch.randint(len(pool), (1,), generator=gen))]
        h, w = img.shape[:2]
        side = min(h, w)
        y0 = int(torch.randint(h - side + 1, (1,), generator=gen))
        x0 = int(torch.randint(w - side + 1, (1,), generator=gen))
        t = torch.from_numpy(np.array(img[y0 : y0 + side, x0 : x0 + side], dtype=np.uint8)).permute(2, 0, 1).float().unsqueeze(0)
        out.append(nn.functional.interpolate(t, size=(size, size), mode="bilinear", align_corners=False, antialias=True))
    return torch.cat(out)


def _norm_gram(a: torch.Tensor) -> torch.Tensor:
    n, c, h, w = a.shape
    f = a.float().reshape(n, c, h * w)
    with torch.autocast(device_type=f.device.type, enabled=False):
        return torch.bmm(f, f.transpose(1, 2)) / (c * h * w)


def _style_fingerprint(style: np.ndarray) -> str:
    """A short hash of the style image's pixels: a checkpoint only resumes for the image it was trained on."""
    import hashlib

    arr = np.ascontiguousarray(style, dtype=np.uint8)
    return hashlib.sha1(repr(arr.shape).encode() + arr.tobytes()).hexdigest()[:16]


def train_style(style: np.ndarray, images: str | os.PathLike | Sequence[np.ndarray] | None, out_path: str | os.PathLike,
                params: TrainParams | None = None, resume: bool = True, device: torch.device | str | None = None,
                backbone=None) -> Job[TrainResult]:
    """Job: train a :class:`TransformerNet` for ``style`` on content ``images`` (a folder, arrays, or ``None`` = bundled samples).

    Yields progress every ``report_every`` steps with ``partial`` = the loss
    curve so far (list of :class:`TrainPoint`). A checkpoint
    (``<out>.ckpt``: weights, optimiser state, step, curve) is written every
    ``checkpoint_every`` steps and when cancelled; with ``resume`` an
    existing checkpoint is continued (``ValueError`` if it was trained for
    another style image). The finished network is saved to
    ``out_path`` as a bare state dict.
    """
    from ..weights import WeightsError, safe_load
    from .backbones import load_backbone

    params = params or TrainParams()
    params.validate()
    device = torch.device(device) if device is not None else get_device()
    out_path = Path(out_path)
    ckpt_path = out_path.with_name(out_path.name + ".ckpt")
    yield Progress(0.0, _("Preparing training…"))
    out_path.parent.mkdir(parents=True, exist_ok=True)  # an unwritable place fails now, not after the work
    deepest = max(int(layer[4]) for layer in params.style_layers)
    if min(style.shape[:2]) < 2**deepest:  # each block halves; the deepest style layer must still see 2 pixels
        raise ImageTooSmall(_("the style image is {h}×{w} px (H×W); style layers down to conv{d}_x need at least {n}×{n} px").format(
            h=style.shape[0], w=style.shape[1], d=deepest, n=2**deepest))
    pool = _content_images(images)
    notice = ""
    if backbone is None:
        choice = load_backbone(params.backbone, device, seed=params.seed)
        backbone, notice = choice.backbone, choice.notice
    gen = torch.Generator().manual_seed(params.seed)
    torch.manual_seed(params.seed)
    net = TransformerNet().to(device)
    opt = torch.optim.Adam(net.parameters(), lr=params.learning_rate)
    step = 0
    curve: list[TrainPoint] = []
    fingerprint = _style_fingerprint(style)
    if resume and ckpt_path.exists():
        ckpt = safe_load(ckpt_path)  # WeightsError (one line) when refused or unreadable
        if not isinstance(ckpt, dict) or not {"model", "optimizer", "step"} <= set(ckpt):
            raise WeightsError(_("{file} is not a style training checkpoint, so it cannot be resumed: "
                                 "delete it, or start over (style train --restart)").format(file=ckpt_path))
        if ckpt.get("style", fingerprint) != fingerprint:
            raise ValueError(_("{file} holds a training for a different style image, so it cannot be resumed with this one: "
                               "give this style another name, or start over (style train --restart)").format(file=ckpt_path))
        try:
            net.load_state_dict(clean_state_dict(ckpt["model"]))
            opt.load_state_dict(ckpt["optimizer"])
            step = int(ckpt["step"])
            curve = [TrainPoint(int(s), float(c), float(st), float(t)) for s, c, st, t in ckpt.get("curve", [])]
        except (RuntimeError, ValueError, TypeError, KeyError, AttributeError):
            raise WeightsError(_("{file} does not fit this style network, so it cannot be resumed: "
                                 "delete it, or start over (style train --restart)").format(file=ckpt_path)) from None
        gen.manual_seed(params.seed + step)
        yield Progress(step / params.steps, _("Resumed from step {step}").format(step=step))
    if notice:
        yield Progress(step / params.steps, notice)
    layers = list(dict.fromkeys([params.content_layer, *params.style_layers]))
    style_t = torch.from_numpy(np.array(style, dtype=np.uint8)).permute(2, 0, 1).unsqueeze(0).float().to(device) / 255.0
    with torch.no_grad(), autocast(device):
        s_feats = backbone(style_t, list(params.style_layers))
        s_grams = {l: _norm_gram(f) for l, f in s_feats.items()}

    def save_checkpoint() -> None:
        ckpt_path.parent.mkdir(parents=True, exist_ok=True)
        save_torch({"model": {k: v.detach().cpu() for k, v in net.state_dict().items()}, "optimizer": opt.state_dict(),
                    "step": step, "curve": [[p.step, p.content, p.style, p.total] for p in curve], "style": fingerprint}, ckpt_path)

    finished = False
    net.train()
    try:
        while step < params.steps:
            x = _batch(pool, params.size, params.batch_size, gen).to(device)
            opt.zero_grad(set_to_none=True)
            with autocast(device):
                y = net(x)
                fy = backbone(y / 255.0, layers)
                with torch.no_grad():
                    fx = backbone(x / 255.0, [params.content_layer])
                c_loss = params.content_weight * nn.functional.mse_loss(fy[params.content_layer].float(), fx[params.content_layer].float())
                s_loss = sum(nn.functional.mse_loss(_norm_gram(fy[l]), s_grams[l].expand(len(x), -1, -1)) for l in params.style_layers)
                s_loss = params.style_weight * s_loss
                loss = c_loss + s_loss
            if not torch.isfinite(loss):
                raise FloatingPointError(_("the training loss became infinite; lower the learning rate or the style weight"))
            loss.backward()
            opt.step()
            step += 1
            if step % params.report_every == 0 or step == params.steps:
                curve.append(TrainPoint(step, float(c_loss.detach()), float(s_loss.detach()), float(loss.detach())))
                yield Progress(step / params.steps, _("step {step}/{steps}: loss {loss:.4g}").format(step=step, steps=params.steps, loss=curve[-1].total),
                               partial=list(curve))
            if params.checkpoint_every and step % params.checkpoint_every == 0:
                save_checkpoint()
        finished = True
    finally:
        if not finished and step:
            save_checkpoint()  # cancelled: keep the progress for a resume
    net.eval()
    save_transformer(net, out_path)
    save_checkpoint()
    preview = FastStylizer(net, device)(pool[0])
    return TrainResult(out_path, ckpt_path, curve, step, notice, preview)


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
