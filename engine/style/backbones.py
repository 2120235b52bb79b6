"""Feature extractors for style transfer, with VGG-style layer names.

Two backbones expose the same interface (:class:`Backbone`): ``forward(x,
layers)`` takes an (N, 3, H, W) float RGB tensor in 0..1 and returns a dict
``{layer_name: (N, C, H', W') activation}`` for the requested layers, using
the names ``conv1_1 … conv5_4`` (block, index within block; the activation
after the layer's ReLU).

* ``vgg19`` -- torchvision's VGG-19 with ImageNet weights through the model
  manager (:func:`engine.weights.load_model`). The quality path.
* ``random`` -- an offline fallback: a multi-scale stack of convolutions with
  fixed, seeded random filters (texture synthesis with random shallow
  networks, Ustyuzhaninov et al. 2017). It needs no download and captures
  colour and texture statistics, but its results are clearly of lower
  quality than VGG-19's: strokes and shapes of the painting are not
  reproduced the way a trained network sees them.

Only the layers up to the deepest requested one are run.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..i18n import N_, _, join_list

__all__ = [
    "VGG19_BLOCKS",
    "LAYER_NAMES",
    "BACKBONES",
    "Backbone",
    "BackboneChoice",
    "vgg19_backbone",
    "random_backbone",
    "load_backbone",
    "RANDOM_NOTICE",
]

#: Convolutions per block of VGG-19.
VGG19_BLOCKS = (2, 2, 4, 4, 4)

#: Every layer name a backbone understands, shallow to deep.
LAYER_NAMES: tuple[str, ...] = tuple(f"conv{b + 1}_{i + 1}" for b, n in enumerate(VGG19_BLOCKS) for i in range(n))

#: Backbone names accepted by :func:`load_backbone`.
BACKBONES = ("vgg19", "random")

RANDOM_NOTICE = N_(
    "Using the offline random-filter feature extractor: the lower-quality fallback. "
    "It transfers colours and textures but not the painting's brush strokes and shapes. "
    "Download VGG-19 (548 MB) in the Models panel, or run 'convstudio models download vgg19', for the quality result."
)

_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


class Backbone(nn.Module):
    """A sequence of named stages; ``forward`` returns the requested activations.

    ``stages`` is a list of (name or ``None``, module). A named stage's output
    is the activation of that layer. Input: (N, 3, H, W) RGB in 0..1.
    ``strength_exponent``: (log10 of β/α for style strength 0 at 512×512, the
    span to strength 1, log10 of γ/α) -- see :func:`engine.style.gatys.weights_for_strength`.
    """

    def __init__(self, name: str, stages: list[tuple[str | None, nn.Module]], mean, std, strength_exponent: tuple[float, float, float]):
        super().__init__()
        self.name = name
        self.stage_names = [n for n, _ in stages]
        self.stages = nn.ModuleList(m for _, m in stages)
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))
        self.strength_exponent = strength_exponent
        for p in self.parameters():
            p.requires_grad_(False)
        self.eval()

    @property
    def layer_names(self) -> list[str]:
        """The named layers this backbone provides, shallow to deep."""
        return [n for n in self.stage_names if n]

    def forward(self, x: torch.Tensor, layers: list[str] | tuple[str, ...]) -> dict[str, torch.Tensor]:  # noqa: D401
        wanted = set(layers)
        unknown = wanted - set(self.layer_names)
        if unknown:
            raise ValueError(_("unknown layer(s) {layers}; known: {known}").format(
                layers=join_list(sorted(unknown)), known=join_list(self.layer_names)))
        out: dict[str, torch.Tensor] = {}
        y = (x - self.mean) / self.std
        if y.device.type == "cuda":
            y = y.contiguous(memory_format=torch.channels_last)
        for name, stage in zip(self.stage_names, self.stages):
            y = stage(y)
            if name in wanted:
                out[name] = y
                if len(out) == len(wanted):
                    break
        return out

    def run_until(self, x: torch.Tensor, layer: str) -> torch.Tensor:
        """The activation of ``layer`` alone (benchmarks: a bare forward)."""
        return self.forward(x, [layer])[layer]


@dataclass
class BackboneChoice:
    """What :func:`load_backbone` returns: the backbone and, for a fallback, why."""

    backbone: Backbone
    requested: str
    notice: str = ""

    @property
    def is_fallback(self) -> bool:
        return self.backbone.name != self.requested


def _stages_from_vgg_features(features: nn.Sequential) -> list[tuple[str | None, nn.Module]]:
    stages: list[tuple[str | None, nn.Module]] = []
    block, index = 1, 0
    pending: list[nn.Module] = []
    for module in features:
        if isinstance(module, nn.Conv2d):
            index += 1
            pending = [module]
        elif isinstance(module, nn.ReLU):
            pending.append(nn.ReLU(inplace=False))
            stages.append((f"conv{block}_{index}", nn.Sequential(*pending)))
            pending = []
        elif isinstance(module, nn.MaxPool2d):
            stages.append((None, module))
            block, index = block + 1, 0
    return stages


def vgg19_backbone(device: torch.device | str = "cpu", model: nn.Module | None = None) -> Backbone:
    """VGG-19's convolutional part with the manager's ImageNet weights.

    Raises :class:`engine.weights.WeightsMissing` when they are not installed.
    ``model`` (a torchvision VGG-19) skips the manager (tests, benchmarks).
    """
    if model is None:
        from ..weights import load_model

        model = load_model("vgg19", "cpu")
    bb = Backbone("vgg19", _stages_from_vgg_features(model.features), _IMAGENET_MEAN, _IMAGENET_STD, (5.0, 4.0, -3.0))
    return _to_device(bb, device)


def _to_device(bb: Backbone, device: torch.device | str) -> Backbone:
    device = torch.device(device)
    bb = bb.to(device)
    if device.type == "cuda":
        bb = bb.to(memory_format=torch.channels_last)
    return bb


def random_backbone(device: torch.device | str = "cpu", seed: int = 0, widths: tuple[int, ...] = (32, 64, 128, 192, 256)) -> Backbone:
    """The offline fallback: seeded random filters at five scales.

    Same layer names as VGG-19 (``conv1_1 … conv5_4``). Each convolution has
    fixed random filters (zero-mean, scaled to keep unit activation variance)
    followed by ReLU; average pooling halves the resolution between blocks.
    The same ``seed`` always gives the same network.
    """
    gen = torch.Generator().manual_seed(seed)
    stages: list[tuple[str | None, nn.Module]] = []
    in_ch = 3
    for b, (n, width) in enumerate(zip(VGG19_BLOCKS, widths)):
        if b:
            stages.append((None, nn.AvgPool2d(2, 2)))
        for i in range(n):
            conv = nn.Conv2d(in_ch, width, 3, padding=1, padding_mode="reflect")
            with torch.no_grad():
                w = torch.randn(conv.weight.shape, generator=gen)
                w -= w.mean(dim=(1, 2, 3), keepdim=True)
                w *= (2.0 / (in_ch * 9)) ** 0.5
                conv.weight.copy_(w)
                conv.bias.copy_(0.1 * torch.randn(width, generator=gen))
            stages.append((f"conv{b + 1}_{i + 1}", nn.Sequential(conv, nn.ReLU())))
            in_ch = width
    return _to_device(Backbone("random", stages, _IMAGENET_MEAN, _IMAGENET_STD, (3.5, 3.5, -4.0)), device)


def load_backbone(name: str = "vgg19", device: torch.device | str = "cpu", seed: int = 0) -> BackboneChoice:
    """The backbone called ``name``; ``"vgg19"`` falls back to ``"random"`` when its weights are missing.

    The returned :class:`BackboneChoice` carries a plain notice when it fell
    back (show it to the user: it says how to download VGG-19).
    """
    if name not in BACKBONES:
        raise ValueError(_("unknown backbone {name}; choose one of {names}").format(name=repr(name), names=join_list(BACKBONES)))
    if name == "random":
        return BackboneChoice(random_backbone(device, seed), "random", _(RANDOM_NOTICE))
    from ..weights import WeightsError, WeightsMissing

    try:
        return BackboneChoice(vgg19_backbone(device), "vgg19")
    except WeightsMissing:
        return BackboneChoice(random_backbone(device, seed), "vgg19", _("VGG-19 weights are not installed.") + " " + _(RANDOM_NOTICE))
    except WeightsError as exc:
        return BackboneChoice(random_backbone(device, seed), "vgg19", _("VGG-19 could not be loaded ({reason}).").format(reason=exc) + " " + _(RANDOM_NOTICE))
