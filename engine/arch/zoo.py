"""The architecture zoo: classic CNNs with random weights, built offline.

``MODELS`` maps a short name to a :class:`ModelSpec`; :func:`build` returns a
fresh ``nn.Module`` with random weights (torchvision builders always get
``weights=None``, so nothing is ever downloaded). LeNet-5 and NiN are defined
here; the others come from torchvision.

    model = build("resnet18", device="meta")   # shapes only, no memory
    spec("resnet18").input_shape               # (3, 224, 224)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from ..i18n import N_
from . import paper_models
from .blocks import MLPConv

__all__ = [
    "ModelSpec",
    "UnknownModel",
    "MODELS",
    "LeNet5",
    "LeNetLike",
    "NiN",
    "MLPConv",
    "DEFAULT_GOOGLENET",
    "names",
    "spec",
    "build",
]


class UnknownModel(KeyError):
    """The name is not in :data:`MODELS`."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else "unknown model"


class LeNet5(nn.Module):
    """LeNet-5 in its 1998 form (LeCun et al.): 32x32 grey input, tanh, average pooling.

    Layers keep the paper's names: C1 (6 maps 28x28), S2 (6 maps 14x14), C3 (16 maps
    10x10), S4 (16 maps 5x5), C5 (120 maps 1x1), F6 (84 units) and the 10-way output.
    Simplifications, as in most re-implementations: C3 connects to all six S2 maps
    (the paper used a sparse connection table), S2/S4 are plain average pooling
    (the paper's had a trainable coefficient and bias), and the output is a linear
    layer instead of Euclidean RBF units. Parameters: 61,706.

    Input ``(N, in_channels, 32, 32)`` -> logits ``(N, num_classes)``.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        self.c1 = nn.Conv2d(in_channels, 6, kernel_size=5)
        self.act1 = nn.Tanh()
        self.s2 = nn.AvgPool2d(kernel_size=2, stride=2)
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)
        self.act3 = nn.Tanh()
        self.s4 = nn.AvgPool2d(kernel_size=2, stride=2)
        self.c5 = nn.Conv2d(16, 120, kernel_size=5)
        self.act5 = nn.Tanh()
        self.flatten = nn.Flatten()
        self.f6 = nn.Linear(120, 84)
        self.act6 = nn.Tanh()
        self.output = nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.s2(self.act1(self.c1(x)))
        x = self.s4(self.act3(self.c3(x)))
        x = self.flatten(self.act5(self.c5(x)))
        return self.output(self.act6(self.f6(x)))


class NiN(nn.Module):
    """Network in Network (Lin, Chen, Yan 2013), the CIFAR-10 model.

    Three mlpconv blocks (5x5/1x1/1x1 with 192-160-96, 5x5/1x1/1x1 with 192-192-192,
    3x3/1x1/1x1 with 192-192-classes), 3x3 stride-2 pooling with dropout between
    them, and global average pooling instead of fully connected layers: the last
    mlpconv emits one map per class and their means are the logits.

    Input ``(N, 3, 32, 32)`` -> logits ``(N, num_classes)``.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 3):
        super().__init__()
        self.block1 = MLPConv(in_channels, 5, 192, 160, 96)
        self.pool1 = nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)
        self.drop1 = nn.Dropout(0.5)
        self.block2 = MLPConv(96, 5, 192, 192, 192)
        self.pool2 = nn.AvgPool2d(kernel_size=3, stride=2, ceil_mode=True)
        self.drop2 = nn.Dropout(0.5)
        self.block3 = MLPConv(192, 3, 192, 192, num_classes)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop1(self.pool1(self.block1(x)))
        x = self.drop2(self.pool2(self.block2(x)))
        return self.flatten(self.gap(self.block3(x)))


@dataclass(frozen=True)
class ModelSpec:
    """One zoo entry.

    input_shape: default input ``(C, H, W)`` (batch dimension excluded).
    min_input: the smallest square side the network accepts (for quick tests).
    source: ``"torchvision"`` or ``"convstudio"``.
    training_only: qualified module names used only while training (GoogLeNet's auxiliary classifiers).
    weights_name: the :mod:`engine.weights` entry holding pretrained weights, if any.
    info: a note shown beside the entry (why its input size, what differs from a paper); translate with ``_()``.
    """

    name: str
    title: str
    year: int
    input_shape: tuple[int, int, int]
    builder: Callable[[], nn.Module] = field(repr=False, compare=False)
    source: str = "torchvision"
    description: str = ""
    num_classes: int = 1000
    min_input: int = 32
    training_only: tuple[str, ...] = ()
    weights_name: str | None = None
    info: str = ""


class LeNetLike(nn.Sequential):
    """The course's LeNet-like network on 32×32×3: two 5×5 convolutions (8 and 16 filters), each
    followed by ReLU and 2×2 max pooling, then 120, 84 and 10 units. Its activation sizes are
    6,272, 1,568, 1,600, 400, 120, 84 and 10: they shrink while the parameters sit in the dense layers.

    Input ``(N, 3, 32, 32)`` -> logits ``(N, num_classes)``.
    """

    def __init__(self, num_classes: int = 10):
        super().__init__()
        for name, layer in (
            ("conv1", nn.Conv2d(3, 8, 5)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(8, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc1", nn.Linear(400, 120)), ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(120, 84)), ("relu4", nn.ReLU()), ("fc3", nn.Linear(84, num_classes)),
        ):
            self.add_module(name, layer)


def _tv(fn_name: str, **kwargs) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        import torchvision

        return getattr(torchvision.models, fn_name)(weights=None, **kwargs)

    return build


def _paper(cls_name: str) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        return getattr(paper_models, cls_name)()

    return build


MODELS: dict[str, ModelSpec] = {
    s.name: s
    for s in (
        ModelSpec("lenet5", "LeNet-5", 1998, (1, 32, 32), LeNet5, "convstudio",
                  N_("Convolutions, tanh and average pooling on 32×32 digits"), 10, 32),
        ModelSpec("lenet-like", N_("LeNet-like network (course, 32×32×3)"), 1998, (3, 32, 32), LeNetLike, "convstudio",
                  N_("The course's example: 8 and 16 filters of 5×5 with ReLU and max pooling, then 120, 84 and 10 units"),
                  10, 32),
        ModelSpec("alexnet-paper", N_("AlexNet (paper, 96/256/384/384/256, input 227)"), 2012, (3, 227, 227),
                  _paper("AlexNetPaper"), "convstudio",
                  N_("The paper's AlexNet, one tower: 11×11/4 filters, ReLU, overlapping max pooling, 9216 → 4096 → 4096 → 1000"),
                  1000, 227, (), None,
                  N_("Input 227×227×3, not the paper's 224: only 227 makes 11×11 filters at stride 4 give 55×55 "
                     "(⌊(227−11)/4⌋+1 = 55, while ⌊(224−11)/4⌋+1 = 54).")),
        ModelSpec("alexnet", N_("AlexNet (torchvision, 64/192/384/256/256, input 224)"), 2012, (3, 224, 224), _tv("alexnet"), "torchvision",
                  N_("Large filters, ReLU, dropout; the ImageNet 2012 winner"), 1000, 63, (), "alexnet"),
        ModelSpec("vgg16", "VGG-16", 2014, (3, 224, 224), _tv("vgg16"), "torchvision",
                  N_("Thirteen 3×3 convolutions in five stages, three fully connected layers"), 1000, 32, (), "vgg16"),
        ModelSpec("nin", N_("Network in Network (CIFAR-10)"), 2013, (3, 32, 32), NiN, "convstudio",
                  N_("mlpconv blocks (a conv and two 1×1 convs) and global average pooling; CIFAR-10"), 10, 17),
        ModelSpec("nin-imagenet", N_("Network in Network (ImageNet)"), 2013, (3, 224, 224), _paper("NiNImageNet"),
                  "convstudio",
                  N_("Four mlpconv blocks; the last gives 6×6×1000 and global average pooling (0 parameters) gives 1000 classes"),
                  1000, 64),
        ModelSpec("inception-v1-paper", N_("GoogLeNet / Inception-v1 (paper)"), 2014, (3, 224, 224),
                  _paper("InceptionV1Paper"), "convstudio",
                  N_("Inception modules as in the paper: 1×1, 1×1→3×3, 1×1→5×5 and pool→1×1 branches side by side"),
                  1000, 224, ("aux1", "aux2"), None,
                  N_("The two auxiliary classifiers (after 4a and 4d) are used only in training; the eval forward skips them.")),
        ModelSpec("googlenet", N_("torchvision GoogLeNet (3×3 in place of 5×5)"), 2014, (3, 224, 224),
                  _tv("googlenet", aux_logits=True, init_weights=True), "torchvision",
                  N_("Inception modules: 1×1, 3×3, 5×5 and pooling branches side by side, 1×1 reductions"),
                  1000, 64, ("aux1", "aux2"), "googlenet"),
        ModelSpec("resnet18", "ResNet-18", 2015, (3, 224, 224), _tv("resnet18"), "torchvision",
                  N_("Basic residual blocks (two 3×3 convs) with identity and 1×1 projection shortcuts"),
                  1000, 32, (), "resnet18"),
        ModelSpec("resnet34", "ResNet-34", 2015, (3, 224, 224), _tv("resnet34"), "torchvision",
                  N_("Basic residual blocks, 3-4-6-3 per stage"), 1000, 32, (), None),
        ModelSpec("resnet50", "ResNet-50", 2015, (3, 224, 224), _tv("resnet50"), "torchvision",
                  N_("Bottleneck blocks (1×1 reduce, 3×3, 1×1 expand), 3-4-6-3 per stage"), 1000, 32, (), "resnet50"),
    )
}


#: The GoogLeNet a learner gets first: the paper's (torchvision's replaces the 5×5 branches by 3×3).
DEFAULT_GOOGLENET = "inception-v1-paper"


def names() -> list[str]:
    """Zoo model names in display order."""
    return list(MODELS)


def spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` of ``name``; raises :class:`UnknownModel`."""
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModel(f"unknown architecture '{name}'; known: {', '.join(MODELS)}") from None


def build(name: str, device: str | torch.device | None = None) -> nn.Module:
    """A fresh model with random weights, in eval mode.

    ``device="meta"`` builds without allocating memory (shapes and parameter
    counts only); that is how summaries of VGG-16 stay instant.
    """
    entry = spec(name)
    if device is None:
        model = entry.builder()
    else:
        with torch.device(device):
            model = entry.builder()
    return model.eval()
