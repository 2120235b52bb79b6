"""A small convolutional network that outputs the YOLO grid.

Four stride-2 stages take a ``16 * S`` pixel input down to S x S (strided
3x3 convolutions, so the full-resolution image is touched once, cheaply); a
1x1 convolution then predicts B * (5 + K) numbers per cell, reshaped to
(N, S, S, B, 5 + K) in the raw ``[t_o, t_x, t_y, t_h, t_w, logits]`` layout
of :mod:`engine.yolo.grid`.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["GridNet", "STRIDE"]

#: Input pixels per grid cell.
STRIDE = 16


def _block(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.LeakyReLU(0.1, inplace=True),
    )


class GridNet(nn.Module):
    """Input (N, 3, 16*S, 16*S) float in 0..1; output (N, S, S, B, 5+K).

    width: channels of the first stage (later stages double it, up to 8x).
    """

    def __init__(self, num_anchors: int, num_classes: int, width: int = 16):
        super().__init__()
        self.num_anchors = num_anchors
        self.num_classes = num_classes
        self.width = width
        c1, c2, c3, c4 = width, width * 2, width * 4, width * 8
        self.features = nn.Sequential(
            _block(3, c1, 2),
            _block(c1, c2, 2), _block(c2, c2),
            _block(c2, c3, 2), _block(c3, c3),
            _block(c3, c4, 2), _block(c4, c4), _block(c4, c4),
        )
        self.head = nn.Conv2d(c4, num_anchors * (5 + num_classes), 1)
        with torch.no_grad():  # start with low objectness so early training is stable
            bias = self.head.bias.view(num_anchors, 5 + num_classes)
            bias.zero_()
            bias[:, 0] = -4.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.head(self.features(x))
        n, _, s, s2 = out.shape
        return out.view(n, self.num_anchors, 5 + self.num_classes, s, s2).permute(0, 3, 4, 1, 2).contiguous()
