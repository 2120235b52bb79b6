"""Training a fast style network for one style image (a resumable job with checkpoints)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from ..device import autocast, get_device
from ..files import save_torch
from ..i18n import _, join_list
from ..jobs import Job, Progress
from .fast_apply import FastStylizer
from .fast_model import ImageTooSmall, TransformerNet, check_image_size, clean_state_dict, save_transformer

__all__ = ["TrainParams", "TrainPoint", "TrainResult", "train_style"]


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

