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

from ..i18n import _

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

    # -- worked formulas (each one a true equation) --

    @property
    def params_direct_formula(self) -> str:
        """``"5·5·256·64 = 409,600"``; with biases ``"(5·5·256+1)·64 = 409,664"``."""
        f, ci, co = self.f, self.c_in, self.c_out
        lhs = f"({f}·{f}·{ci}+1)·{co}" if self.bias else f"{f}·{f}·{ci}·{co}"
        return f"{lhs} = {self.params_direct:,}"

    @property
    def params_reduced_formula(self) -> str:
        """``"1·1·256·32 + 5·5·32·64 = 59,392"``; with biases ``"(1·1·256+1)·32 + (5·5·32+1)·64 = 59,488"``."""
        f, ci, cm, co = self.f, self.c_in, self.c_mid, self.c_out
        if self.bias:
            lhs = f"(1·1·{ci}+1)·{cm} + ({f}·{f}·{cm}+1)·{co}"
        else:
            lhs = f"1·1·{ci}·{cm} + {f}·{f}·{cm}·{co}"
        return f"{lhs} = {self.params_reduced:,}"

    @property
    def connections_direct(self) -> int:
        """Connections per output position, biases included: ``(f·f·c_in+1)·c_out`` (409,664 for the Inception example)."""
        return (self.f * self.f * self.c_in + 1) * self.c_out

    @property
    def connections_reduced(self) -> int:
        """Connections per output position through the reduction: ``(c_in+1)·c_mid + (f·f·c_mid+1)·c_out`` (59,488)."""
        return (self.c_in + 1) * self.c_mid + (self.f * self.f * self.c_mid + 1) * self.c_out

    @property
    def connections_direct_formula(self) -> str:
        """``"(5·5·256+1)·64·n² = 409,664·n²"``: connections of the whole map grow with its n² positions."""
        return f"({self.f}·{self.f}·{self.c_in}+1)·{self.c_out}·n² = {self.connections_direct:,}·n²"

    @property
    def connections_reduced_formula(self) -> str:
        """``"((1·1·256+1)·32 + (5·5·32+1)·64)·n² = 59,488·n²"``."""
        f, ci, cm, co = self.f, self.c_in, self.c_mid, self.c_out
        return f"((1·1·{ci}+1)·{cm} + ({f}·{f}·{cm}+1)·{co})·n² = {self.connections_reduced:,}·n²"

    @property
    def macs_direct_formula(self) -> str:
        """``"28·28·64·5·5·256 = 321,126,400"``."""
        c = self
        return f"{c.h}·{c.w}·{c.c_out}·{c.f}·{c.f}·{c.c_in} = {c.macs_direct:,}"

    @property
    def macs_reduced_formula(self) -> str:
        """``"28·28·32·256 + 28·28·64·5·5·32 = …"``."""
        c = self
        return f"{c.h}·{c.w}·{c.c_mid}·{c.c_in} + {c.h}·{c.w}·{c.c_out}·{c.f}·{c.f}·{c.c_mid} = {c.macs_reduced:,}"

    def formula_lines(self) -> list[str]:
        """The worked formulas as translated sentences: parameters, connections per position (× n²), MACs."""
        return [
            _("Parameters: {direct} without the reduction; {reduced} with it.").format(
                direct=self.params_direct_formula, reduced=self.params_reduced_formula),
            _("Connections (biases included, per output position, times n² positions): {direct} without; {reduced} with it.").format(
                direct=self.connections_direct_formula, reduced=self.connections_reduced_formula),
            _("MACs on {h}×{w}: {direct} without; {reduced} with it.").format(
                h=self.h, w=self.w, direct=self.macs_direct_formula, reduced=self.macs_reduced_formula),
        ]


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
