"""Classic networks as their papers describe them (random weights, nothing downloaded).

- :class:`AlexNetPaper`: Krizhevsky, Sutskever, Hinton 2012, single tower, on 227×227×3
  (96/256/384/384/256 filters, 6×6×256 = 9216 → 4096 → 4096 → 1000).
- :class:`InceptionV1Paper`: Szegedy et al. 2014 ("Going deeper with convolutions"), Table 1:
  true 5×5 branches and the paper's channel counts; the two auxiliary classifiers exist
  but run only in training mode (``model.train()``), never in the eval forward.
- :class:`NiNImageNet`: Lin, Chen, Yan 2013, the ImageNet model: four mlpconv blocks, the last
  gives 6×6×1000 on a 224×224 input, then global average pooling (0 parameters) → 1000.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .blocks import MLPConv

__all__ = ["AlexNetPaper", "InceptionPaperBlock", "InceptionAux", "InceptionV1Paper", "InceptionV1Outputs", "NiNImageNet"]


class AlexNetPaper(nn.Module):
    """The paper's AlexNet, one tower (the two-GPU split merged), ReLU, local response
    normalisation after conv1 and conv2, overlapping 3×3/2 max pooling, dropout 0.5.

    Input ``(N, 3, 227, 227)`` → logits ``(N, num_classes)``. Shapes (H×W×C): 55×55×96, 27×27×96,
    27×27×256, 13×13×256, 13×13×384, 13×13×384, 13×13×256, 6×6×256 = 9216, 4096, 4096, 1000.
    Parameters: 62,378,344.
    """

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=11, stride=4),
            nn.ReLU(inplace=True),
            nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(96, 256, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(256, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Dropout(0.5),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.flatten(self.features(x)))


def _conv_relu(c_in: int, c_out: int, k: int, stride: int = 1, padding: int = 0) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding), nn.ReLU(inplace=True))


class InceptionPaperBlock(nn.Module):
    """One Inception module of the paper: 1×1 | 1×1 → 3×3 | 1×1 → 5×5 | 3×3 max pool → 1×1,
    all "same" padding, concatenated along channels (output ``c1 + c3 + c5 + pool_proj``)."""

    def __init__(self, c_in: int, c1: int, c3_reduce: int, c3: int, c5_reduce: int, c5: int, pool_proj: int):
        super().__init__()
        self.branch1 = _conv_relu(c_in, c1, 1)
        self.branch2 = nn.Sequential(_conv_relu(c_in, c3_reduce, 1), _conv_relu(c3_reduce, c3, 3, padding=1))
        self.branch3 = nn.Sequential(_conv_relu(c_in, c5_reduce, 1), _conv_relu(c5_reduce, c5, 5, padding=2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), _conv_relu(c_in, pool_proj, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    """The paper's auxiliary classifier: 5×5/3 average pooling, 1×1 conv with 128 filters,
    a 1024-unit fully connected layer, dropout 0.7, linear softmax classifier. Training only."""

    def __init__(self, c_in: int, num_classes: int = 1000):
        super().__init__()
        self.pool = nn.AvgPool2d(5, stride=3)
        self.conv = _conv_relu(c_in, 128, 1)
        self.flatten = nn.Flatten()
        self.fc = nn.Sequential(nn.Linear(128 * 4 * 4, 1024), nn.ReLU(inplace=True), nn.Dropout(0.7))
        self.classifier = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.fc(self.flatten(self.conv(self.pool(x)))))


class InceptionV1Outputs(NamedTuple):
    """Training-mode output: the main logits and the two auxiliary heads' logits."""

    logits: torch.Tensor
    aux2: torch.Tensor
    aux1: torch.Tensor


#: Table 1 of the paper: (name, c1, 3×3 reduce, 3×3, 5×5 reduce, 5×5, pool proj).
INCEPTION_V1_TABLE: tuple[tuple[str, int, int, int, int, int, int], ...] = (
    ("inception3a", 64, 96, 128, 16, 32, 32),
    ("inception3b", 128, 128, 192, 32, 96, 64),
    ("inception4a", 192, 96, 208, 16, 48, 64),
    ("inception4b", 160, 112, 224, 24, 64, 64),
    ("inception4c", 128, 128, 256, 24, 64, 64),
    ("inception4d", 112, 144, 288, 32, 64, 64),
    ("inception4e", 256, 160, 320, 32, 128, 128),
    ("inception5a", 256, 160, 320, 32, 128, 128),
    ("inception5b", 384, 192, 384, 48, 128, 128),
)


class InceptionV1Paper(nn.Module):
    """GoogLeNet as in the paper's Table 1 (no batch norm: it came later), on 224×224×3.

    The stem: 7×7/2 conv 64, 3×3/2 max pool, LRN, 1×1 conv 64, 3×3 conv 192, LRN, 3×3/2 max pool;
    nine Inception modules (3a–5b) with max pools after 3b and 4e; 7×7 average pool, dropout 0.4,
    a linear layer to 1000 classes. ``aux1`` (after 4a) and ``aux2`` (after 4d) run only in training
    mode, where the forward returns :class:`InceptionV1Outputs`; in eval mode it returns the logits.
    """

    def __init__(self, num_classes: int = 1000, aux_logits: bool = True):
        super().__init__()
        self.conv1 = _conv_relu(3, 64, 7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.lrn1 = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
        self.conv2 = _conv_relu(64, 64, 1)
        self.conv3 = _conv_relu(64, 192, 3, padding=1)
        self.lrn2 = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        c_in = 192
        for name, c1, r3, c3, r5, c5, pp in INCEPTION_V1_TABLE:
            setattr(self, name, InceptionPaperBlock(c_in, c1, r3, c3, r5, c5, pp))
            c_in = c1 + c3 + c5 + pp
            if name == "inception3b":
                self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
            elif name == "inception4e":
                self.maxpool4 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.aux1 = InceptionAux(512, num_classes) if aux_logits else None
        self.aux2 = InceptionAux(528, num_classes) if aux_logits else None
        self.avgpool = nn.AdaptiveAvgPool2d(1)  # 7×7 average pool on a 224 input
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(0.4)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor | InceptionV1Outputs:
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.lrn2(self.conv3(self.conv2(self.lrn1(x)))))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.training and self.aux1 is not None else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.training and self.aux2 is not None else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        logits = self.fc(self.dropout(self.flatten(self.avgpool(x))))
        if aux1 is not None and aux2 is not None:
            return InceptionV1Outputs(logits, aux2, aux1)
        return logits


class NiNImageNet(nn.Module):
    """Network in Network for ImageNet (the authors' released model): four mlpconv blocks
    11×11/4 96-96-96, 5×5 256-256-256, 3×3 384-384-384, 3×3 1024-1024-1000, 3×3/2 max pools
    (rounding up, as the original) between them, dropout 0.5 before the last block, and
    global average pooling: 6×6×1000 → 1000 logits with no parameters.
    """

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.block1 = MLPConv(3, 11, 96, 96, 96, stride=4, padding=0)
        self.pool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.block2 = MLPConv(96, 5, 256, 256, 256)
        self.pool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.block3 = MLPConv(256, 3, 384, 384, 384)
        self.pool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.drop = nn.Dropout(0.5)
        self.block4 = MLPConv(384, 3, 1024, 1024, num_classes)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.block1(x))
        x = self.pool2(self.block2(x))
        x = self.drop(self.pool3(self.block3(x)))
        return self.flatten(self.gap(self.block4(x)))
