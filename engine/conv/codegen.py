"""PyTorch source code equivalent to a convolution (and pooling) set up in the lab."""

from __future__ import annotations

import numpy as np

from .pool import PoolSpec

__all__ = ["pytorch_code"]


def _num(v: float) -> str:
    s = np.format_float_positional(np.float32(v), unique=True, trim="-")
    return "0" if s in ("-0", "0") else s


def _literal(a: np.ndarray, indent: int) -> str:
    """A nested Python list literal of ``a``, one innermost row per line."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        return "[" + ", ".join(_num(v) for v in a) + "]"
    pad = " " * (indent + 1)
    inner = (",\n" + pad).join(_literal(sub, indent + 1) for sub in a)
    return "[" + inner + "]"


def pytorch_code(
    x: np.ndarray | None,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    pool: PoolSpec | None = None,
    functional: bool = False,
    relu: bool = False,
) -> str:
    """Python source that rebuilds this layer with ``torch.nn.Conv2d`` (or ``F.conv2d``).

    x: (C_in, H, W) input to embed, or None for a random one of the same shape
    as the kernels imply (8×8). weight: (C_out, C_in, f, f); bias: (C_out,) or None.
    relu: apply ``F.relu`` after the convolution and bias (one layer of a CNN).
    pool: an optional pooling applied after the convolution. Shapes in the code are
    PyTorch's (N, C, H, W) whatever order the app shows. The code leaves the
    result in ``y``, shaped (1, C_out, H_out, W_out).
    """
    weight = np.asarray(weight, dtype=np.float64)
    c_out, c_in, f, _ = weight.shape
    lines = ["import torch", "import torch.nn.functional as F", "from torch import nn", ""]
    if x is not None:
        x = np.asarray(x, dtype=np.float64)
        lines.append(f"# input: {x.shape[0]} channel(s) of {x.shape[1]}×{x.shape[2]}, batch of one")
        lines.append(f"x = torch.tensor({_literal(x, len('x = torch.tensor('))}, dtype=torch.float32).unsqueeze(0)")
    else:
        lines.append(f"x = torch.randn(1, {c_in}, 8, 8)")
    lines.append(f"weight = torch.tensor({_literal(weight, len('weight = torch.tensor('))}, dtype=torch.float32)  # ({c_out}, {c_in}, {f}, {f})")
    if bias is not None:
        lines.append(f"bias = torch.tensor({_literal(np.asarray(bias), 0)}, dtype=torch.float32)")
    lines.append("")
    if functional:
        conv_in = "x"
        if padding and padding_mode != "zeros":
            torch_mode = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}[padding_mode]
            lines.append(f'x_padded = F.pad(x, ({padding}, {padding}, {padding}, {padding}), mode="{torch_mode}")')
            conv_in, pad_arg = "x_padded", 0
        else:
            pad_arg = padding
        b = "bias" if bias is not None else "None"
        lines.append(f"y = F.conv2d({conv_in}, weight, {b}, stride={stride}, padding={pad_arg}, dilation={dilation})")
    else:
        lines.append(
            f"conv = nn.Conv2d({c_in}, {c_out}, kernel_size={f}, stride={stride}, padding={padding}, "
            f'dilation={dilation}, padding_mode="{padding_mode}", bias={bias is not None})'
        )
        lines.append("with torch.no_grad():")
        lines.append("    conv.weight.copy_(weight)")
        if bias is not None:
            lines.append("    conv.bias.copy_(bias)")
        lines.append("y = conv(x)")
    if relu:
        lines.append("y = F.relu(y)  # the layer's non-linearity")
    if pool is not None:
        if pool.kind == "max":
            lines.append(f"y = F.max_pool2d(y, kernel_size={pool.size}, stride={pool.stride}, padding={pool.padding})")
        elif pool.kind == "avg":
            lines.append(f"y = F.avg_pool2d(y, kernel_size={pool.size}, stride={pool.stride}, padding={pool.padding})")
        else:
            lines.append("y = F.adaptive_avg_pool2d(y, 1)  # global average pooling")
    lines.append("print(y.shape)")
    return "\n".join(lines) + "\n"
