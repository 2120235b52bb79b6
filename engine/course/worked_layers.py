"""Worked examples about one layer's size, counted on real PyTorch layers.

- :func:`conv_layer_numbers`: a convolution layer of ``filters`` f×f×C filters on an H×W×C input:
  weights per filter, parameters (from ``nn.Conv2d.parameters()``), output shape (from a forward
  pass) and the filters' weights for drawing. Used for the 280-parameter layer (ten 3×3×3 filters)
  and the 1×1 bottleneck 28×28×192 → 28×28×32 (6,176 parameters).
- :func:`dense_vs_conv`: a fully connected layer of ``units`` units on a flattened image against a
  convolution layer on the same image (the 1000-unit layer on 1000×1000×3: 3,000,000 inputs,
  3,000,000,000 weights). Huge layers are built on PyTorch's ``meta`` device: their sizes are real,
  no memory is used.

Shapes are given and returned in the course's order, H×W×C (``*_hwc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import nn

from ..i18n import _

__all__ = ["ConvLayerNumbers", "DenseVsConv", "conv_layer_numbers", "dense_vs_conv", "MAX_DRAWN_WEIGHTS"]

#: Layers with at most this many weights are built for real (their weights can be drawn); bigger ones on ``meta``.
MAX_DRAWN_WEIGHTS = 200_000


def _check_hwc(input_hwc: Sequence[int]) -> tuple[int, int, int]:
    if len(input_hwc) != 3 or any(int(v) < 1 for v in input_hwc):
        raise ValueError(_("an input shape needs three positive sizes (H×W×C), got {shape}").format(shape=list(input_hwc)))
    h, w, c = (int(v) for v in input_hwc)
    return h, w, c


@dataclass(frozen=True)
class ConvLayerNumbers:
    """One convolution layer counted on a real ``nn.Conv2d``.

    ``weights_per_filter`` = f·f·C, ``params_per_filter`` adds the bias, ``params`` is the layer's
    parameter count; ``output_hwc`` comes from running the layer. ``weights`` (filters, C, f, f) and
    ``bias`` (filters,) are the layer's initial values (seeded), or None for a layer too big to draw.
    """

    input_hwc: tuple[int, int, int]
    f: int
    filters: int
    weights_per_filter: int
    params_per_filter: int
    params: int
    output_hwc: tuple[int, int, int]
    weights: np.ndarray | None = None
    bias: np.ndarray | None = None

    @property
    def positions(self) -> int:
        """Output positions (H_out·W_out): where each filter is applied."""
        return self.output_hwc[0] * self.output_hwc[1]


def conv_layer_numbers(input_hwc: Sequence[int], f: int, filters: int, seed: int = 0) -> ConvLayerNumbers:
    """Build ``nn.Conv2d(C, filters, f)`` (stride 1, no padding) for an H×W×C input and count it.

    Raises ``ValueError`` for a filter larger than the input or sizes below 1.
    """
    h, w, c = _check_hwc(input_hwc)
    f, filters = int(f), int(filters)
    if f < 1 or filters < 1:
        raise ValueError(_("the filter size and the number of filters must be at least 1"))
    if f > min(h, w):
        raise ValueError(_("a {f}×{f} filter does not fit in a {h}×{w} input").format(f=f, h=h, w=w))
    small = filters * c * f * f <= MAX_DRAWN_WEIGHTS
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layer = nn.Conv2d(c, filters, f, device=None if small else "meta")
    params = sum(p.numel() for p in layer.parameters())
    device = layer.weight.device
    # the output shape of a real forward pass (on meta for big layers and inputs: shapes only)
    on_meta = device.type == "meta" or h * w * c > 4_000_000
    probe = layer if not on_meta else nn.Conv2d(c, filters, f, device="meta")
    with torch.no_grad():
        out = probe(torch.empty(1, c, h, w, device="meta" if on_meta else device))
    _n, oc, oh, ow = out.shape
    weights = bias = None
    if device.type != "meta":
        weights = layer.weight.detach().numpy().copy()
        bias = layer.bias.detach().numpy().copy()
    return ConvLayerNumbers((h, w, c), f, filters, layer.weight[0].numel(), layer.weight[0].numel() + 1, int(params),
                            (int(oh), int(ow), int(oc)), weights, bias)


@dataclass(frozen=True)
class DenseVsConv:
    """A fully connected layer and a convolution layer on the same image.

    ``inputs`` = H·W·C (the flattened image), ``dense_weights`` = inputs·units (from ``nn.Linear``),
    ``dense_biases`` = units, ``dense_params`` their sum; ``conv`` counts the convolution layer.
    """

    input_hwc: tuple[int, int, int]
    units: int
    inputs: int
    dense_weights: int
    dense_biases: int
    dense_params: int
    conv: ConvLayerNumbers

    @property
    def ratio(self) -> float:
        """How many times more parameters the fully connected layer has."""
        return self.dense_params / self.conv.params


def dense_vs_conv(input_hwc: Sequence[int], units: int, f: int = 3, filters: int = 10) -> DenseVsConv:
    """Count ``nn.Linear(H·W·C, units)`` against ``nn.Conv2d(C, filters, f)`` on an H×W×C image."""
    h, w, c = _check_hwc(input_hwc)
    units = int(units)
    if units < 1:
        raise ValueError(_("a fully connected layer needs at least 1 unit"))
    inputs = h * w * c
    dense = nn.Linear(inputs, units, device="meta")  # 3·10⁹ weights would need 12 GB; meta holds only the shapes
    with torch.no_grad():
        out = dense(torch.empty(1, inputs, device="meta"))
    if tuple(out.shape) != (1, units):
        raise RuntimeError("unexpected output shape of the fully connected layer")
    return DenseVsConv((h, w, c), units, int(dense.in_features), int(dense.weight.numel()), int(dense.bias.numel()),
                       int(sum(p.numel() for p in dense.parameters())), conv_layer_numbers((h, w, c), f, filters))
