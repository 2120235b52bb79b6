"""The fast style network itself: a Johnson-style transformation network, its size limits, and its files.

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
from pathlib import Path

import torch
from torch import nn

from ..files import save_torch
from ..i18n import _

__all__ = [
    "TransformerNet",
    "StyleModelError",
    "ImageTooSmall",
    "min_input_side",
    "check_image_size",
    "receptive_margin",
    "clean_state_dict",
    "load_transformer",
    "save_transformer",
    "prepare",
]


class StyleModelError(ValueError):
    """A style network file could not be loaded or does not fit :class:`TransformerNet`."""


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


def receptive_margin(net: nn.Module | None = None) -> int:
    """Pixels of context, at full resolution, that one output pixel depends on (each side)."""
    scale, margin = 1, 0
    for c in _convs(net if net is not None else TransformerNet()):
        if c.upsample:
            scale //= c.upsample
        pad, stride = c.pad.padding[0], c.conv2d.stride[0]
        margin += pad * max(scale, 1)
        scale *= stride
    return margin



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
    return prepare(net, torch.device(device))


def prepare(net: TransformerNet, device: torch.device) -> TransformerNet:
    """``net`` in eval mode on ``device`` (channels-last on CUDA)."""
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

