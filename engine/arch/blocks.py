"""Building blocks shared by the model registry (:mod:`.zoo`) and the papers' models (:mod:`.paper_models`).

Both import from here and :mod:`.zoo` imports :mod:`.paper_models`: the registry sits on top,
so no module of the architecture package imports one that imports it back.
"""

from __future__ import annotations

from torch import nn

__all__ = ["MLPConv"]


class MLPConv(nn.Sequential):
    """One NiN mlpconv block: a kxk convolution followed by two 1x1 convolutions, each with ReLU
    (a small multilayer perceptron slid over the image)."""

    def __init__(self, in_ch: int, k: int, c1: int, c2: int, c3: int, stride: int = 1, padding: int | None = None):
        super().__init__(
            nn.Conv2d(in_ch, c1, kernel_size=k, stride=stride, padding=k // 2 if padding is None else padding),
            nn.ReLU(inplace=True),
            nn.Conv2d(c1, c2, kernel_size=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(c2, c3, kernel_size=1),
            nn.ReLU(inplace=True),
        )
