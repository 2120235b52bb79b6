"""Gatys style transfer as a job: optimise an image so its features match a photo's content and a painting's style.

:func:`stylize` is a generator job (see :mod:`engine.jobs`). Every
``report_every`` steps it yields ``Progress(fraction, message,
partial=StylePartial)`` where the partial holds the current image, the best
image so far (lowest total loss at the current scale) and the losses so far.
Closing the generator (Cancel) loses nothing: the driver keeps the last
partial, whose ``best`` is the image to keep.

Sizes are the long side in pixels; the aspect ratio of the content photo is
kept. Above 512 px the run is coarse-to-fine (e.g. 256 → 512 → 1024 → 2048), each
scale starting from the previous result. Before starting, the memory needed
at the largest scale is estimated and :class:`~engine.style.memory.MemoryRefused`
is raised (offering a size that fits) rather than running out of memory.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from PIL import Image

from ..device import autocast, device_label, get_device, tf32_matmul
from ..i18n import N_, _, join_list
from ..jobs import Job, Progress
from . import colors
from .backbones import LAYER_NAMES, Backbone, load_backbone
from .lbfgs import LBFGS
from .losses import content_loss, gram_matrix, style_loss, tv_loss
from .memory import MemoryEstimate, MemoryRefused, check_memory, estimate_bytes, largest_fitting_size

__all__ = [
    "DEFAULT_STYLE_LAYERS",
    "DEFAULT_CONTENT_LAYER",
    "OPTIMIZERS",
    "INITS",
    "StyleParams",
    "LossRecord",
    "StylePartial",
    "StyleResult",
    "weights_for_strength",
    "scale_sizes",
    "resize_long_side",
    "estimate_memory",
    "suggest_size",
    "stylize",
]

DEFAULT_CONTENT_LAYER = "conv4_2"
DEFAULT_STYLE_LAYERS = {"conv1_1": 0.2, "conv2_1": 0.2, "conv3_1": 0.2, "conv4_1": 0.2, "conv5_1": 0.2}
OPTIMIZERS = ("lbfgs", "adam")
INITS = ("content", "style", "noise")
_EXPONENTS = {"vgg19": (5.0, 4.0, -3.0), "random": (3.5, 3.5, -4.0)}  # used when only a backbone name is known


@dataclass
class StyleParams:
    """Everything that defines one run (saved into the output PNG's metadata).

    ``style_strength`` (0..1) picks α, β, γ unless ``alpha``/``beta``/``gamma``
    are given; explicit weights are used as they are at every scale.
    ``steps``: optimiser steps (forward+backward passes) at the final scale;
    each coarser scale gets half as many. ``preserve_colors``: one of
    :data:`~engine.style.colors.PRESERVE_MODES`.
    """

    size: int = 512
    steps: int = 300
    style_strength: float = 0.5
    alpha: float | None = None
    beta: float | None = None
    gamma: float | None = None
    content_layer: str = DEFAULT_CONTENT_LAYER
    style_layers: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_STYLE_LAYERS))
    optimizer: str = "lbfgs"
    learning_rate: float = 0.02
    init: str = "content"
    multiscale: bool = True
    preserve_colors: str = "none"
    report_every: int = 10
    seed: int = 0
    backbone: str = "vgg19"
    history_size: int = 50

    def validate(self) -> None:
        """Raise ``ValueError`` with a plain message for a bad setting."""
        if self.size < 32:
            raise ValueError(_("size must be at least 32 px, not {size}").format(size=self.size))
        if self.steps < 1:
            raise ValueError(_("steps must be at least 1"))
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(_("optimizer must be one of {names}").format(names=join_list(OPTIMIZERS)))
        if self.init not in INITS:
            raise ValueError(_("init must be one of {names}").format(names=join_list(INITS)))
        if self.preserve_colors not in colors.PRESERVE_MODES:
            raise ValueError(_("preserve colours must be one of {names}").format(names=join_list(colors.PRESERVE_MODES)))
        if not 0.0 <= self.style_strength <= 1.0:
            raise ValueError(_("style strength must be between 0 and 1"))
        if self.report_every < 1:
            raise ValueError(_("report every must be at least 1 step"))
        for name, value in (("α", self.alpha), ("β", self.beta), ("γ", self.gamma)):
            if value is not None and not value >= 0:
                raise ValueError(_("{name} must be zero or positive, not {value:g}").format(name=name, value=value))
        unknown = [l for l in (self.content_layer, *self.style_layers) if l not in LAYER_NAMES]
        if unknown:
            raise ValueError(_("unknown layer(s) {layers}; known: {known}").format(layers=join_list(unknown), known=join_list(LAYER_NAMES)))
        if any(not w >= 0 for w in self.style_layers.values()):
            raise ValueError(_("style layer weights must be zero or positive"))
        if not any(w > 0 for w in self.style_layers.values()):
            raise ValueError(_("give at least one style layer a positive weight"))

    def layers(self) -> list[str]:
        """Every layer the run reads (content first)."""
        return [self.content_layer] + [l for l, w in self.style_layers.items() if w and l != self.content_layer]

    def to_metadata(self) -> dict[str, str]:
        """PNG text chunks describing the run."""
        return {"convstudio:style-params": json.dumps(asdict(self), sort_keys=True)}


@dataclass
class LossRecord:
    """Loss terms after one step.

    weighted_content = α·J_content, weighted_style = β·J_style, weighted_tv = γ·TV: the terms as
    they enter J = total. content_cost = J_content and style_cost = J_style: the costs before
    weighting (``nan`` if unknown). ``content``/``style``/``tv`` are the weighted terms under
    their former names.
    """

    step: int
    scale: int
    weighted_content: float
    weighted_style: float
    weighted_tv: float
    total: float
    seconds: float
    content_cost: float = math.nan
    style_cost: float = math.nan

    @property
    def content(self) -> float:
        """α·J_content (the weighted term; see :attr:`content_cost` for J_content)."""
        return self.weighted_content

    @property
    def style(self) -> float:
        """β·J_style (the weighted term; see :attr:`style_cost` for J_style)."""
        return self.weighted_style

    @property
    def tv(self) -> float:
        """γ·TV (the weighted term)."""
        return self.weighted_tv

    def status_text(self) -> str:
        """``"J = … (α·J_content …, β·J_style …, γ·TV …)"``, translated: the weighted terms, named as such."""
        return _("J = {total} (α·J_content {c}, β·J_style {s}, γ·TV {t})").format(
            total=f"{self.total:.4g}", c=f"{self.weighted_content:.3g}", s=f"{self.weighted_style:.3g}", t=f"{self.weighted_tv:.3g}")


@dataclass
class StylePartial:
    """What each progress report carries: current and best image (uint8 RGB) and the losses so far."""

    image: np.ndarray
    best: np.ndarray
    losses: list[LossRecord]
    step: int
    scale: int


@dataclass
class StyleResult:
    """The finished image (the lowest-loss image of the final scale) and how it was made."""

    image: np.ndarray
    losses: list[LossRecord]
    params: StyleParams
    backbone: str
    notice: str
    seconds: float
    device: str
    memory: MemoryEstimate | None = None

    def metadata(self) -> dict[str, str]:
        """PNG text metadata: parameters, backbone, final losses, time."""
        meta = self.params.to_metadata()
        meta["convstudio:backbone"] = self.backbone
        meta["convstudio:device"] = self.device
        meta["convstudio:seconds"] = f"{self.seconds:.2f}"
        if self.losses:
            meta["convstudio:final-loss"] = json.dumps(asdict(self.losses[-1]))
        meta["Software"] = "ConvStudio style transfer"
        return meta


def weights_for_strength(strength: float, backbone: Backbone | str, height: int, width: int) -> tuple[float, float, float]:
    """(α, β, γ) for a style strength in 0..1 at an output of height×width.

    α = 1; β = 10^(e0 + span·strength) · (H·W / 512²) -- the content cost grows
    with the pixel count while the normalised style cost does not, so β grows
    with it to keep the balance; γ = 10^tv·α. (e0, span, tv) belong to the backbone:
    VGG-19 (5, 4, −3), the random fallback (3.5, 3.5, −4).
    """
    exponent = backbone.strength_exponent if isinstance(backbone, Backbone) else _EXPONENTS.get(backbone, _EXPONENTS["vgg19"])
    e0, span, tv = exponent
    beta = 10.0 ** (e0 + span * float(strength)) * (height * width) / (512.0 * 512.0)
    return 1.0, beta, 10.0 ** tv


def resize_long_side(rgb: np.ndarray, size: int) -> np.ndarray:
    """Resize an (H, W, 3) uint8 image so its long side is ``size`` (aspect kept)."""
    h, w = rgb.shape[:2]
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    if (nh, nw) == (h, w):
        return np.ascontiguousarray(rgb)
    return np.asarray(Image.fromarray(rgb).resize((nw, nh), Image.Resampling.LANCZOS))


def scale_sizes(size: int, multiscale: bool = True, start: int = 256) -> list[int]:
    """Coarse-to-fine long sides, halving down to no less than ``start``: 2048 -> [256, 512, 1024, 2048], 1000 -> [500, 1000].

    At or below 512 px (or without ``multiscale``) a single scale.
    """
    if not multiscale or size <= 512:
        return [size]
    sizes = [size]
    while sizes[0] // 2 >= start:
        sizes.insert(0, sizes[0] // 2)
    return sizes


def _out_shape(content_shape: tuple[int, ...], size: int) -> tuple[int, int]:
    h, w = content_shape[:2]
    scale = size / max(h, w)
    return max(1, round(h * scale)), max(1, round(w * scale))


def estimate_memory(content_shape: tuple[int, ...], params: StyleParams, device: torch.device | str | None = None, available: int | None = None) -> MemoryEstimate:
    """Memory estimate for ``params`` at the final scale; never raises for size (see ``.fits``)."""
    from .memory import available_bytes

    device = torch.device(device) if device is not None else get_device()
    h, w = _out_shape(content_shape, params.size)
    free = available_bytes(device) if available is None else available
    needed = estimate_bytes(h, w, params.layers(), backbone=params.backbone, optimizer=params.optimizer,
                            history_size=params.history_size, mixed_precision=device.type == "cuda")
    return MemoryEstimate(max(h, w), needed, free, str(device))


def suggest_size(content_shape: tuple[int, ...], params: StyleParams, available: int, device: torch.device | str | None = None) -> int:
    """The largest output size (long side, a multiple of 64, at most ``params.size``) that fits in ``available`` bytes; 0 if none.

    The same estimate :func:`stylize` checks before it starts, so the offered size is one it accepts.
    """
    device = torch.device(device) if device is not None else get_device()
    h, w = _out_shape(content_shape, params.size)
    return largest_fitting_size(h, w, params.layers(), available, backbone=params.backbone, optimizer=params.optimizer,
                                history_size=params.history_size, mixed_precision=device.type == "cuda")


def _check_short_side(content_shape: tuple[int, ...], style_shape: tuple[int, ...], size: int, layers: list[str]) -> None:
    """``ValueError`` when, at long side ``size``, an image is too thin for the deepest layer.

    Every block halves the resolution; the deepest block must still see at least 2 pixels.
    """
    deepest = max(int(layer[4]) for layer in layers)
    need = 2**deepest
    for shape, text in ((content_shape, N_("at {size} px the output is only {short} px on its short side; "
                                           "layers down to conv{deepest}_x need at least {need} px: choose a larger size")),
                        (style_shape, N_("at {size} px the style image is only {short} px on its short side; "
                                         "layers down to conv{deepest}_x need at least {need} px: choose a larger size"))):
        short = min(_out_shape(shape, size))
        if short < need:
            raise ValueError(_(text).format(size=size, short=short, deepest=deepest, need=need))


def _to_tensor(rgb: np.ndarray, device: torch.device) -> torch.Tensor:
    t = torch.from_numpy(np.array(rgb, dtype=np.uint8, copy=True)).to(device=device, dtype=torch.float32)
    return t.permute(2, 0, 1).unsqueeze(0).div_(255.0)


def _to_uint8(x: torch.Tensor) -> np.ndarray:
    arr = x.detach()[0].clamp(0, 1).mul(255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
    return np.ascontiguousarray(arr)


def stylize(content: np.ndarray, style: np.ndarray, params: StyleParams | None = None, backbone: Backbone | None = None,
            device: torch.device | str | None = None, available_memory: int | None = None) -> Job[StyleResult]:
    """Job: stylise ``content`` (H, W, 3 uint8) with ``style`` (any size, uint8). Returns a :class:`StyleResult`.

    ``backbone`` overrides ``params.backbone`` (an already-built one); the
    fallback notice, if any, is in the result and in the first progress
    message. Raises :class:`MemoryRefused` before any work when it will not
    fit, ``ValueError`` for bad parameters.
    """
    params = params or StyleParams()
    params.validate()
    _check_short_side(content.shape, style.shape, scale_sizes(params.size, params.multiscale)[0], params.layers())
    device = torch.device(device) if device is not None else get_device()
    start = time.perf_counter()
    notice = ""
    if backbone is None:
        yield Progress(0.0, _("Loading the {name} backbone…").format(name=params.backbone))
        choice = load_backbone(params.backbone, device, seed=params.seed)
        backbone, notice = choice.backbone, choice.notice
    else:
        backbone = backbone.to(device)
    layers = params.layers()
    out_h, out_w = _out_shape(content.shape, params.size)
    estimate = check_memory(out_h, out_w, layers, device, available=available_memory, backbone=backbone.name,
                            optimizer=params.optimizer, history_size=params.history_size, mixed_precision=device.type == "cuda")

    # Colour preservation prepares the two inputs and finishes every output.
    mode = params.preserve_colors
    content_in, style_in = content, style
    if mode.startswith("luminance"):
        content_in = colors.luminance_image(content)
        style_in = colors.match_luminance(colors.luminance_image(style), content_in)
    elif mode == "histogram":
        style_in = colors.match_histogram(style, content)

    def finish(img: np.ndarray) -> np.ndarray:
        if mode.startswith("luminance"):
            ref = resize_long_side(content, max(img.shape[:2]))
            if ref.shape[:2] != img.shape[:2]:
                ref = np.asarray(Image.fromarray(ref).resize((img.shape[1], img.shape[0]), Image.Resampling.LANCZOS))
            return colors.combine_luminance(img, ref, "yiq" if mode == "luminance-yiq" else "ycbcr")
        return img

    sizes = scale_sizes(params.size, params.multiscale)
    steps_per_scale = [max(1, params.steps // 2) for _ in sizes[:-1]] + [params.steps]
    total_steps = sum(steps_per_scale)
    style_weights = {l: float(w) for l, w in params.style_layers.items() if w}
    history: list[LossRecord] = []
    gen = torch.Generator().manual_seed(params.seed)
    x_prev: torch.Tensor | None = None
    done_total = 0
    best_img: torch.Tensor | None = None
    if notice:
        yield Progress(0.0, notice)
    try:
        for si, size in enumerate(sizes):
            h, w = _out_shape(content.shape, size)
            c_img = resize_long_side(content_in, size)
            if c_img.shape[:2] != (h, w):
                c_img = np.asarray(Image.fromarray(c_img).resize((w, h), Image.Resampling.LANCZOS))
            s_img = resize_long_side(style_in, size)
            c_t = _to_tensor(c_img, device)
            s_t = _to_tensor(s_img, device)
            if params.alpha is None or params.beta is None or params.gamma is None:
                a0, b0, g0 = weights_for_strength(params.style_strength, backbone, h, w)
            alpha = params.alpha if params.alpha is not None else a0
            beta = params.beta if params.beta is not None else b0
            gamma = params.gamma if params.gamma is not None else g0
            # Targets: computed once per scale.
            with torch.no_grad(), autocast(device):
                c_target = backbone(c_t, [params.content_layer])[params.content_layer].float()
                s_feats = backbone(s_t, list(style_weights))
                s_grams = {l: gram_matrix(f) for l, f in s_feats.items()}
            del s_feats
            if x_prev is not None:
                init = torch.nn.functional.interpolate(x_prev, size=(h, w), mode="bicubic", align_corners=False).clamp_(0, 1)
            elif params.init == "style":
                init = torch.nn.functional.interpolate(s_t, size=(h, w), mode="bilinear", align_corners=False, antialias=True)
            elif params.init == "noise":
                init = torch.rand((1, 3, h, w), generator=gen).to(device)
            else:
                init = c_t.clone()
            x = init.detach().clone().contiguous().requires_grad_(True)
            lbfgs = LBFGS(x, history_size=params.history_size) if params.optimizer == "lbfgs" else None
            # fused Adam on CUDA: one kernel per step and no host read of the step count
            adam = torch.optim.Adam([x], lr=params.learning_rate, fused=device.type == "cuda") if lbfgs is None else None
            weights_vec = torch.tensor([alpha, beta, gamma], dtype=torch.float32, device=device)
            best_loss = math.inf
            best_img = x.detach().clone()
            candidate = torch.empty_like(best_img)
            n_steps = steps_per_scale[si]
            count = 0

            def evaluate() -> torch.Tensor:
                """J, α·J_content, β·J_style, γ·TV, J_content, J_style at the current x; fills x.grad. No host transfer."""
                x.grad = None
                with tf32_matmul(device):  # the Gram products, forward and backward
                    with autocast(device):
                        feats = backbone(x, layers)
                        costs = torch.stack([
                            content_loss(c_target, feats[params.content_layer]),
                            style_loss(s_grams, feats, style_weights),
                            tv_loss(x),
                        ])
                        terms = costs * weights_vec
                        j = terms.sum()
                    j.backward()
                return torch.cat([j.detach().reshape(1), terms.detach(), costs[:2].detach()])

            def observe(values: list[float], image: torch.Tensor) -> None:
                """Log one evaluation; ``image`` is the evaluated point (on the device)."""
                nonlocal count, best_loss, best_img
                value, v_c, v_s, v_t, j_c, j_s = values
                count += 1
                history.append(LossRecord(done_total + count, size, v_c, v_s, v_t, value, time.perf_counter() - start, j_c, j_s))
                if value < best_loss:
                    best_loss = value
                    best_img = image.clone()

            while count < n_steps:
                chunk = min(params.report_every, n_steps - count)
                for _step in range(chunk):
                    if lbfgs is not None:
                        lbfgs.step(evaluate, lambda values: observe(values, x.detach()))
                        if lbfgs.converged:
                            break
                    else:
                        values = evaluate()
                        candidate.copy_(x.detach())  # the evaluated point, before Adam moves x
                        adam.step()
                        observe(values.tolist(), candidate)  # the one transfer per step
                with torch.no_grad():
                    outside = bool(((x < 0) | (x > 1)).any())  # one transfer per report
                    x.clamp_(0, 1)
                if outside and lbfgs is not None:
                    lbfgs.point_changed()
                converged = lbfgs is not None and lbfgs.converged
                step_total = done_total + count
                last = history[-1]
                msg = _("scale {i}/{n} ({size} px) step {count}/{steps}: {losses}").format(
                    i=si + 1, n=len(sizes), size=size, count=count, steps=n_steps, losses=last.status_text())
                yield Progress(min(step_total / total_steps, 1.0), msg,
                               partial=StylePartial(finish(_to_uint8(x)), finish(_to_uint8(best_img)), list(history), step_total, size))
                if converged:  # zero gradient: nothing left to do at this scale
                    break
            done_total += n_steps
            x_prev = best_img
            del lbfgs, adam, c_target, s_grams
    except torch.OutOfMemoryError:
        if device.type == "cuda":
            torch.cuda.empty_cache()
        raise MemoryRefused(params.size, estimate.needed, estimate.available, params.size // 2, str(device)) from None
    assert best_img is not None
    image = finish(_to_uint8(best_img))
    return StyleResult(image, history, params, backbone.name, notice, time.perf_counter() - start, device_label(device), estimate)
