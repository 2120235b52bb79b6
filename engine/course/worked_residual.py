"""The ResNet degradation example: a plain and a residual 20-layer network, counted and trained side by side.

:func:`degradation_nets` builds both networks of :mod:`engine.train.residual` and counts their weighted
layers and parameters; :func:`degradation_run` is the short training job the worked-example view runs
(a generator job: it yields the live curves and honours cancel at every report).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..jobs import Job
from ..train import residual as _residual
from ..train.residual import DeepDigitsNet, ResidualResult

__all__ = ["DegradationNets", "degradation_nets", "degradation_run"]


@dataclass(frozen=True)
class DegradationNets:
    """Weighted layers (convolutions + the classifier) and parameters of the plain and the residual network."""

    width: int
    depth_plain: int
    depth_residual: int
    params_plain: int
    params_residual: int


def degradation_nets(width: int = 8) -> DegradationNets:
    """Build both networks at ``width`` and count them (shortcuts add no parameters)."""
    plain, resid = DeepDigitsNet(False, width), DeepDigitsNet(True, width)
    count = [sum(p.numel() for p in m.parameters()) for m in (plain, resid)]
    return DegradationNets(int(width), plain.depth, resid.depth, int(count[0]), int(count[1]))


def degradation_run(epochs: int = 3, width: int = 8, seed: int = 0, limit: int | None = None) -> Job[ResidualResult]:
    """Job: train both networks on the same batches of 8×8 digits (see :func:`engine.train.residual.residual_experiment`)."""
    return _residual.residual_experiment(epochs=epochs, seed=seed, width=width, limit=limit)
