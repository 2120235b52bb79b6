"""The 1x1 bottleneck calculator: what a 1x1 reduction saves before a large convolution.

An ``f x f`` convolution with ``c_out`` filters on an ``h x w x c_in`` input
("same" padding, stride 1) costs ``f*f*c_in*c_out`` weights and
``h*w*c_out*f*f*c_in`` multiply-accumulates. With a 1x1 reduction to ``c_mid``
channels first, it costs ``1*1*c_in*c_mid + f*f*c_mid*c_out`` weights and
``h*w*c_mid*c_in + h*w*c_out*f*f*c_mid`` MACs. Biases are left out, as in the
Inception paper's arithmetic (``bias=True`` adds them).

    >>> r = bottleneck(**PRESETS["inception-5x5"])
    >>> r.params_direct, r.params_reduced
    (409600, 59392)
    >>> r = bottleneck(**PRESETS["28x28x192-to-32"])
    >>> r.macs_direct, r.macs_reduced
    (120422400, 12443648)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BottleneckCost", "bottleneck", "PRESETS"]

#: Worked examples: the Inception 5x5 branch (256 -> 64 with a reduction to 32)
#: and the 28x28x192 -> 28x28x32 5x5 convolution with a reduction to 16.
PRESETS: dict[str, dict[str, int]] = {
    "inception-5x5": dict(h=28, w=28, c_in=256, f=5, c_out=64, c_mid=32),
    "28x28x192-to-32": dict(h=28, w=28, c_in=192, f=5, c_out=32, c_mid=16),
}


@dataclass(frozen=True)
class BottleneckCost:
    """Costs of the branch without (``direct``) and with (``reduced``) the 1x1 reduction.

    reduce_*: the 1x1 convolution alone; conv_*: the f x f convolution after it.
    Output is ``h x w x c_out`` either way.
    """

    h: int
    w: int
    c_in: int
    f: int
    c_out: int
    c_mid: int
    bias: bool
    params_direct: int
    macs_direct: int
    reduce_params: int
    reduce_macs: int
    conv_params: int
    conv_macs: int

    @property
    def params_reduced(self) -> int:
        return self.reduce_params + self.conv_params

    @property
    def macs_reduced(self) -> int:
        return self.reduce_macs + self.conv_macs

    @property
    def params_ratio(self) -> float:
        """How many times fewer parameters the reduction needs."""
        return self.params_direct / self.params_reduced if self.params_reduced else float("inf")

    @property
    def macs_ratio(self) -> float:
        return self.macs_direct / self.macs_reduced if self.macs_reduced else float("inf")


def bottleneck(
    h: int = 28, w: int = 28, c_in: int = 256, f: int = 5, c_out: int = 64, c_mid: int = 32, bias: bool = False
) -> BottleneckCost:
    """Parameters and MACs of an ``f x f``, ``c_out``-filter branch on ``h x w x c_in``, with and without a 1x1 reduction to ``c_mid``.

    Defaults are the Inception example (409,600 vs 59,392 parameters). Raises ``ValueError`` for non-positive sizes.
    """
    for label, v in (("h", h), ("w", w), ("c_in", c_in), ("f", f), ("c_out", c_out), ("c_mid", c_mid)):
        if int(v) <= 0:
            raise ValueError(f"{label} must be positive, got {v}")
    b = 1 if bias else 0
    hw = h * w
    return BottleneckCost(
        h=h, w=w, c_in=c_in, f=f, c_out=c_out, c_mid=c_mid, bias=bias,
        params_direct=f * f * c_in * c_out + b * c_out,
        macs_direct=hw * c_out * f * f * c_in,
        reduce_params=c_in * c_mid + b * c_mid,
        reduce_macs=hw * c_mid * c_in,
        conv_params=f * f * c_mid * c_out + b * c_out,
        conv_macs=hw * c_out * f * f * c_mid,
    )
