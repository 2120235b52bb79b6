"""A 1×1 convolution seen as a fully connected layer applied at every pixel.

On an H×W×C_in input, a 1×1 filter reads the C_in values of one pixel; each output
value is the dot product of that C_in-vector with the filter's C_in weights, plus
the bias, then ReLU. So a 1×1 layer of C_out filters is a C_in → C_out fully connected
layer shared by all H·W pixels (the course's 6×6×32 example: 32 weights per output pixel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..i18n import _
from .trace import as_tensor

__all__ = ["PointwiseView", "pointwise_view"]


@dataclass(frozen=True)
class PointwiseView:
    """The numbers of a 1×1 convolution, pixel by pixel.

    pixels: (H·W, C_in) one row per input pixel (row-major), the vector each output reads.
    weight: (C_out, C_in) the filters, one row per filter = the fully connected layer's matrix.
    bias: (C_out,). pre_activation: (H·W, C_out) ``pixels @ weight.T + bias``.
    output: (C_out, H, W) float32 after ReLU when ``relu`` (else the pre-activation), equal to
    ``F.conv2d`` with the (C_out, C_in, 1, 1) weight (then ``F.relu``) and to ``F.linear`` per pixel.
    """

    pixels: np.ndarray
    weight: np.ndarray
    bias: np.ndarray
    pre_activation: np.ndarray
    output: torch.Tensor
    relu: bool
    size: tuple[int, int]

    @property
    def weights_per_output(self) -> int:
        """How many weights one output value uses: C_in (32 for a 6×6×32 input)."""
        return int(self.weight.shape[1])

    @property
    def params(self) -> int:
        """Learnable parameters: ``(C_in + 1)·C_out`` whatever the image size."""
        return int(self.weight.size + self.bias.size)

    def dot(self, row: int, col: int, filter_index: int = 0) -> tuple[np.ndarray, np.ndarray, float]:
        """The pixel's C_in-vector, the filter's weights and their dot product plus bias (before ReLU)."""
        h, w = self.size
        if not (0 <= row < h and 0 <= col < w and 0 <= filter_index < self.weight.shape[0]):
            raise IndexError(_("no pixel ({r}, {c}) or filter {k} here").format(r=row, c=col, k=filter_index))
        i = row * w + col
        return self.pixels[i], self.weight[filter_index], float(self.pre_activation[i, filter_index])


def pointwise_view(x: object, weight: object, bias: object | None = None, relu: bool = True) -> PointwiseView:
    """``x`` (C_in, H, W) through C_out filters of 1×1 (``weight`` (C_out, C_in) or (C_out, C_in, 1, 1)).

    Raises ``ValueError`` when the shapes do not match or a filter is not 1×1.
    """
    xt = as_tensor(x, "input x (C_in, H, W)", 3)
    wt = torch.as_tensor(np.asarray(weight.detach().cpu() if isinstance(weight, torch.Tensor) else weight, dtype=np.float64))
    if wt.ndim == 4:
        if wt.shape[2:] != (1, 1):
            raise ValueError(_("a pointwise view needs 1×1 filters, got {h}×{w}").format(h=wt.shape[2], w=wt.shape[3]))
        wt = wt[:, :, 0, 0]
    if wt.ndim != 2:
        raise ValueError(_("weight must be (C_out, C_in) or (C_out, C_in, 1, 1), got shape {s}").format(s=tuple(wt.shape)))
    c_out, c_in = (int(v) for v in wt.shape)
    if xt.shape[0] != c_in:
        raise ValueError(_("the input has {a} channel(s) but each filter has {b}").format(a=int(xt.shape[0]), b=c_in))
    bt = torch.zeros(c_out, dtype=torch.float64) if bias is None else as_tensor(bias, "bias (C_out,)", 1)
    if bt.shape[0] != c_out:
        raise ValueError(_("bias has {a} values for {b} filter(s)").format(a=int(bt.shape[0]), b=c_out))
    h, w = int(xt.shape[1]), int(xt.shape[2])
    pixels = xt.reshape(c_in, h * w).T  # (H·W, C_in)
    pre = pixels @ wt.T + bt  # (H·W, C_out)
    out = pre.T.reshape(c_out, h, w).to(torch.float32)
    return PointwiseView(
        pixels=pixels.numpy(), weight=wt.numpy(), bias=bt.numpy(), pre_activation=pre.numpy(),
        output=torch.relu(out) if relu else out, relu=bool(relu), size=(h, w),
    )
