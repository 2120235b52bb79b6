"""Feature maps: what one layer of a CNN computes for an image.

:func:`load_feature_model` gives a model ready for inspection with its own
preprocessing -- LeNet-5 trained on the digits (grey 32x32, digits scaling) or
an ImageNet classifier from torchvision (resize, centre crop, ImageNet mean/std,
exactly its weights' transforms). When pretrained weights are not installed,
the ImageNet architectures can still be inspected with random weights, but the
result says so (:attr:`FeatureModel.pretrained` is False and
:attr:`FeatureModel.note` explains) and no classes are predicted.

:func:`compute_feature_maps` hooks the chosen layer (a forward hook), runs the
image and returns the layer's activations, channels ordered by mean activation,
and the top-5 classes when the weights are real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from .i18n import N_, _

__all__ = [
    "FeatureMapError",
    "ModelChoice",
    "FEATURE_MODELS",
    "FeatureModel",
    "LayerNode",
    "FeatureMaps",
    "load_feature_model",
    "layer_tree",
    "default_layer",
    "capture",
    "channel_order",
    "top_k",
    "compute_feature_maps",
    "map_to_uint8",
    "RANDOM_NOTE",
]

#: The label shown wherever random-weight activations are displayed.
RANDOM_NOTE = N_("random weights — not meaningful")


class FeatureMapError(ValueError):
    """The layer name is unknown, the layer did not run, or the image is unusable."""


@dataclass(frozen=True)
class ModelChoice:
    """One model offered for inspection: id, display title, and whether it is the digits LeNet-5."""

    name: str
    title: str
    digits: bool = False


#: Models offered by the Feature maps panel, in menu order.
FEATURE_MODELS: tuple[ModelChoice, ...] = (
    ModelChoice("lenet5_digits", N_("LeNet-5 (trained on digits here)"), True),
    ModelChoice("alexnet", N_("AlexNet (ImageNet)")),
    ModelChoice("vgg16", N_("VGG-16 (ImageNet)")),
    ModelChoice("resnet18", N_("ResNet-18 (ImageNet)")),
    ModelChoice("resnet50", N_("ResNet-50 (ImageNet)")),
    ModelChoice("googlenet", N_("GoogLeNet (ImageNet)")),
)


@dataclass
class FeatureModel:
    """A model ready for inspection.

    preprocess: (H, W, 3) uint8 RGB -> (1, C, H', W') float input.
    pretrained: True only when real trained weights were loaded.
    note: a sentence for the user (where the weights come from, or why they are random), in the
    language current when it was loaded; :meth:`note_text` gives it in the current one.
    weights_missing: the model manager's message when ImageNet weights are not installed.
    categories: class names, only with real weights.
    """

    name: str
    title: str
    model: torch.nn.Module
    preprocess: Callable[[np.ndarray], torch.Tensor]
    pretrained: bool
    note: str
    weights_missing: str | None = None
    categories: list[str] | None = None
    digits: bool = False
    note_source: tuple[str, dict] = ("", {})

    def note_text(self) -> str:
        """:attr:`note` in the current language."""
        msgid, fields = self.note_source
        return _(msgid).format(**fields) if msgid else self.note


def _note(msgid: str, **fields) -> tuple[str, tuple[str, dict]]:
    return _(msgid).format(**fields), (msgid, fields)


@dataclass
class LayerNode:
    """A module in the model's tree: qualified name ('' for the root), class name, output is captured by hooking it."""

    name: str
    type: str
    children: list["LayerNode"] = field(default_factory=list)

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1] if self.name else "(model)"


@dataclass
class FeatureMaps:
    """One layer's response to one image.

    activations: float32 (C, H, W); a fully connected output (N, C) appears as (C, 1, 1).
    output_shape: the layer output's shape as the hook saw it (batch included).
    order: channel indices sorted by mean activation, highest first; means: (C,) per-channel means.
    top5: [(class name, probability)] when the model has real weights, else [].
    input_image: the preprocessed input as the network saw it, (H', W', 3) uint8, for display.
    """

    layer: str
    activations: np.ndarray
    output_shape: tuple[int, ...]
    means: np.ndarray
    order: np.ndarray
    top5: list[tuple[str, float]]
    input_image: np.ndarray
    pretrained: bool
    note: str


def _imagenet_preprocess(weights_enum: str) -> tuple[Callable[[np.ndarray], torch.Tensor], list[str]]:
    import torchvision

    w = torchvision.models.get_weight(weights_enum)
    transform = w.transforms()

    def preprocess(rgb: np.ndarray) -> torch.Tensor:
        _check_image(rgb)
        x = torch.from_numpy(np.array(rgb, dtype=np.uint8, order="C", copy=True)).permute(2, 0, 1)
        return transform(x).unsqueeze(0)

    return preprocess, list(w.meta["categories"])


def _check_image(rgb: np.ndarray) -> None:
    if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise FeatureMapError(_("expected an (H, W, 3) uint8 RGB image"))
    if rgb.shape[0] < 2 or rgb.shape[1] < 2:
        raise FeatureMapError(_("the image is too small ({width}x{height})").format(width=rgb.shape[1], height=rgb.shape[0]))


def _digits_preprocess(rgb: np.ndarray) -> torch.Tensor:
    from .train.digits import preprocess_digit

    _check_image(rgb)
    return preprocess_digit(rgb)


def load_feature_model(name: str, allow_random: bool = True, device: torch.device | str = "cpu") -> FeatureModel:
    """Load ``name`` (see :data:`FEATURE_MODELS`) for inspection, in eval mode.

    LeNet-5 needs the model trained in the app
    (:class:`engine.train.digits.DigitsModelMissing` otherwise). ImageNet
    models use installed weights; without them, ``allow_random`` builds the
    architecture with random weights and says so, else
    :class:`engine.weights.WeightsMissing` is raised.
    """
    from . import weights

    choice = next((c for c in FEATURE_MODELS if c.name == name), None)
    if choice is None:
        raise FeatureMapError(_("unknown model {name}; choose one of {choices}").format(
            name=repr(name), choices=", ".join(c.name for c in FEATURE_MODELS)))
    if choice.digits:
        from .train.digits import load_trained_lenet

        model, meta = load_trained_lenet(device=device)
        acc = meta.get("accuracy")
        if isinstance(acc, float):
            note, source = _note(N_("Trained here on the digits: {acc:.1f}% held-out accuracy"), acc=acc * 100)
        else:
            note, source = _note(N_("Trained here on the digits"))
        return FeatureModel(name, choice.title, model, _digits_preprocess, True, note, None, [str(d) for d in range(10)], True, source)
    entry = weights.get_entry(name)
    enum = entry.source.removeprefix("torchvision.models.")
    preprocess, categories = _imagenet_preprocess(enum)
    try:
        model = weights.load_model(name, device)
        note, source = _note(N_("ImageNet weights ({weights})"), weights=enum)
        return FeatureModel(name, choice.title, model, preprocess, True, note, None, categories, note_source=source)
    except weights.WeightsMissing as exc:
        if not allow_random:
            raise
        from .arch.zoo import build

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model = build(name).to(device).eval()
        note, source = _note(N_("Pretrained weights not installed: {note}"), note=_(RANDOM_NOTE))
        return FeatureModel(name, choice.title, model, preprocess, False, note, str(exc), None, note_source=source)


def layer_tree(model: torch.nn.Module) -> LayerNode:
    """The module hierarchy as :class:`LayerNode` (the root has name '')."""

    def visit(prefix: str, module: torch.nn.Module) -> LayerNode:
        node = LayerNode(prefix, type(module).__name__)
        for child_name, child in module.named_children():
            if child is None:
                continue
            node.children.append(visit(f"{prefix}.{child_name}" if prefix else child_name, child))
        return node

    return visit("", model)


def default_layer(model: torch.nn.Module) -> str:
    """The first convolution's name: a sensible layer to show first."""
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Conv2d):
            return name
    names = [n for n, _ in model.named_modules() if n]
    if not names:
        raise FeatureMapError(_("the model has no layers"))
    return names[0]


def capture(model: torch.nn.Module, layer: str, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Run ``model(x)`` with a forward hook on ``layer``; return (the layer's output, the model's output).

    A layer that returns a tuple contributes its first tensor. Raises
    :class:`FeatureMapError` if the name is unknown or the layer did not run
    (e.g. GoogLeNet's auxiliary classifiers, used only in training).
    """
    modules = dict(model.named_modules())
    if layer not in modules:
        raise FeatureMapError(_("no layer named {layer}").format(layer=repr(layer)))
    seen: list[torch.Tensor] = []

    def hook(_module, _inputs, output) -> None:
        if isinstance(output, (tuple, list)):
            output = next((o for o in output if isinstance(o, torch.Tensor)), None)
        if isinstance(output, torch.Tensor) and not seen:
            seen.append(output.detach().clone())

    handle = modules[layer].register_forward_hook(hook)
    try:
        with torch.no_grad():
            out = model(x)
    finally:
        handle.remove()
    if isinstance(out, (tuple, list)):
        out = out[0]
    if not seen:
        raise FeatureMapError(_("layer {layer} did not run for this input (a training-only branch?)").format(layer=repr(layer)))
    return seen[0], out


def channel_order(activations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(per-channel means (C,), channel indices sorted by mean, highest first) for (C, H, W) activations."""
    means = activations.reshape(activations.shape[0], -1).mean(axis=1)
    return means, np.argsort(-means, kind="stable")


def top_k(logits: torch.Tensor, categories: list[str], k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` most probable classes from (1, classes) logits, as (name, softmax probability)."""
    probs = torch.softmax(logits.reshape(-1).float(), dim=0)
    values, idx = probs.topk(min(k, probs.numel()))
    return [(categories[i], float(v)) for v, i in zip(values.tolist(), idx.tolist())]


def _display_input(x: torch.Tensor, digits: bool) -> np.ndarray:
    """The network input (1, C, H, W) back to a viewable (H, W, 3) uint8 image."""
    t = x[0].detach().float().cpu()
    if digits:
        t = (t + 1.0) / 2.0
    else:
        mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
        std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
        t = t * std + mean
    if t.shape[0] == 1:
        t = t.repeat(3, 1, 1)
    return (t.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()


def compute_feature_maps(fm: FeatureModel, layer: str, rgb: np.ndarray) -> FeatureMaps:
    """The activations of ``layer`` for the image ``rgb`` ((H, W, 3) uint8) under ``fm``'s preprocessing."""
    x = fm.preprocess(rgb)
    device = next(fm.model.parameters()).device
    out, logits = capture(fm.model, layer, x.to(device))
    shape = tuple(out.shape)
    t = out[0].float().cpu() if out.dim() >= 2 else out.float().cpu()
    if t.dim() == 1:
        t = t.view(-1, 1, 1)
    elif t.dim() == 2:
        t = t.unsqueeze(0)
    elif t.dim() > 3:
        t = t.reshape(t.shape[0], t.shape[1], -1)
    acts = t.numpy().astype(np.float32, copy=False)
    means, order = channel_order(acts)
    top5: list[tuple[str, float]] = []
    if fm.pretrained and fm.categories and logits.dim() == 2 and logits.shape[1] == len(fm.categories):
        top5 = top_k(logits.cpu(), fm.categories, 5)
    return FeatureMaps(layer, acts, shape, means, order, top5, _display_input(x, fm.digits), fm.pretrained, fm.note)


def map_to_uint8(channel: np.ndarray, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """Scale one (H, W) map to uint8 between ``lo`` and ``hi`` (default: its own min and max)."""
    lo = float(channel.min()) if lo is None else lo
    hi = float(channel.max()) if hi is None else hi
    if hi <= lo:
        return np.zeros(channel.shape, np.uint8)
    return (np.clip((channel - lo) / (hi - lo), 0, 1) * 255).round().astype(np.uint8)
