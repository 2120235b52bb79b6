"""Choosing the decision threshold from your own enrolled people.

From labelled descriptors we form every same-person and different-person
pair (or a random subset of at most ``max_pairs`` each), then:

* FAR(τ) -- false-accept rate: fraction of different-person pairs with d ≤ τ;
* FRR(τ) -- false-reject rate: fraction of same-person pairs with d > τ;
* the ROC (TAR = 1 − FRR against FAR) and DET (FRR against FAR) curves;
* the equal error rate (FAR = FRR) and its threshold;
* the threshold for a chosen FAR (e.g. 0.1 %).

Also :func:`pca_2d`, a 2-D projection of descriptors for the embedding map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from ..i18n import _

__all__ = [
    "PairDistances",
    "RocCurve",
    "Calibration",
    "pair_distances",
    "roc_curve",
    "equal_error_rate",
    "threshold_for_far",
    "calibrate",
    "pca_2d",
]


@dataclass
class PairDistances:
    """Euclidean distances of same-person pairs and different-person pairs (float64 1-D arrays)."""

    same: np.ndarray
    different: np.ndarray


@dataclass
class RocCurve:
    """Error rates at each threshold (ascending). far, frr: float64 arrays of the same length."""

    thresholds: np.ndarray
    far: np.ndarray
    frr: np.ndarray

    @property
    def tar(self) -> np.ndarray:
        """True-accept rate, 1 − FRR."""
        return 1.0 - self.frr


@dataclass
class Calibration:
    """Everything the Calibrate view shows."""

    pairs: PairDistances
    roc: RocCurve
    eer: float
    eer_threshold: float
    people: int
    samples: int

    def threshold_for_far(self, far: float) -> float:
        return threshold_for_far(self.pairs, far)

    def far_warning(self, far: float) -> str | None:
        """A caution when there are too few different-person pairs to measure ``far``, else None.

        With n pairs the smallest non-zero false-accept rate that can be observed is 1/n;
        below that the suggested threshold only separates the pairs seen so far and is
        usually far too lenient.
        """
        n = int(self.pairs.different.size)
        if far <= 0.0 or n * far >= 1.0:
            return None
        needed = int(np.ceil(1.0 / far - 1e-9))
        return (
            _("Only {n} different-person pair(s): a false-accept rate of {far:g} % cannot be measured "
              "(that needs at least {needed} pairs), so this τ is only an upper bound from the pairs seen. "
              "Enroll more people, or keep τ at or below the default 0.6.").format(n=n, far=far * 100, needed=needed)
        )

    def rates_at(self, threshold: float) -> tuple[float, float]:
        """(FAR, FRR) at ``threshold``."""
        far, frr = _rates(self.pairs, np.array([float(threshold)]))
        return float(far[0]), float(frr[0])


def pair_distances(
    embeddings: np.ndarray, labels: Sequence, max_pairs: int = 500_000, seed: int = 0
) -> PairDistances:
    """Distances of all same-label and different-label pairs among (N, D) ``embeddings``.

    When a class of pairs outnumbers ``max_pairs``, a uniform random subset of
    that size is used (seeded, reproducible).
    """
    x = torch.as_tensor(np.asarray(embeddings, dtype=np.float32))
    lab = np.unique(np.asarray(list(labels), dtype=object).astype(str), return_inverse=True)[1]
    n = x.shape[0]
    if n < 2:
        return PairDistances(np.zeros(0), np.zeros(0))
    rng = np.random.default_rng(seed)
    total = n * (n - 1) // 2
    if total <= 4 * max_pairs:
        i, j = np.triu_indices(n, k=1)
    else:  # sample pairs instead of materialising n² of them
        i = rng.integers(0, n, size=4 * max_pairs)
        j = rng.integers(0, n, size=4 * max_pairs)
        keep = i < j
        i, j = i[keep], j[keep]
    d = torch.linalg.vector_norm(x[torch.from_numpy(i)] - x[torch.from_numpy(j)], dim=1).double().numpy()
    same_mask = lab[i] == lab[j]
    same, diff = d[same_mask], d[~same_mask]
    if same.size > max_pairs:
        same = rng.choice(same, max_pairs, replace=False)
    if diff.size > max_pairs:
        diff = rng.choice(diff, max_pairs, replace=False)
    return PairDistances(np.sort(same), np.sort(diff))


def _rates(pairs: PairDistances, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    same, diff = np.sort(pairs.same), np.sort(pairs.different)
    far = np.searchsorted(diff, thresholds, side="right") / max(diff.size, 1)
    frr = 1.0 - np.searchsorted(same, thresholds, side="right") / max(same.size, 1)
    return far, frr


def roc_curve(pairs: PairDistances) -> RocCurve:
    """FAR and FRR at every distinct pair distance (plus 0), thresholds ascending."""
    t = np.unique(np.concatenate([[0.0], pairs.same, pairs.different]))
    far, frr = _rates(pairs, t)
    return RocCurve(t, far, frr)


def equal_error_rate(pairs: PairDistances) -> tuple[float, float]:
    """(EER, threshold) where FAR and FRR cross, linearly interpolated between thresholds.

    Needs at least one pair of each kind (else returns (nan, nan)).
    """
    if pairs.same.size == 0 or pairs.different.size == 0:
        return float("nan"), float("nan")
    roc = roc_curve(pairs)
    gap = roc.far - roc.frr  # rises from -FRR(0) to +1
    k = int(np.searchsorted(gap, 0.0, side="left"))
    if k == 0:
        return float(roc.far[0]), float(roc.thresholds[0])
    if k >= gap.size:
        return float(roc.frr[-1]), float(roc.thresholds[-1])
    g0, g1 = gap[k - 1], gap[k]
    w = 0.0 if g1 == g0 else -g0 / (g1 - g0)
    eer = (1 - w) * (roc.far[k - 1] + roc.frr[k - 1]) / 2 + w * (roc.far[k] + roc.frr[k]) / 2
    thr = (1 - w) * roc.thresholds[k - 1] + w * roc.thresholds[k]
    return float(eer), float(thr)


def threshold_for_far(pairs: PairDistances, far: float) -> float:
    """The largest threshold whose false-accept rate on these pairs is at most ``far``.

    Accepting d ≤ τ: τ is placed halfway below the first different-person
    distance that would push FAR over the target.
    """
    diff = np.sort(pairs.different)
    if diff.size == 0:
        raise ValueError(_("calibration needs at least two enrolled people"))
    if not 0.0 <= far < 1.0:
        raise ValueError(_("the false-accept rate must be in [0, 1)"))
    k = int(np.floor(far * diff.size + 1e-9))  # number of false accepts allowed
    if k >= diff.size:
        return float(diff[-1])
    upper = diff[k]
    lower = diff[k - 1] if k > 0 else max(0.0, upper - 0.02)
    if lower >= upper:  # ties: step strictly below them (a distance is never negative, nor is τ)
        return float(max(0.0, np.nextafter(upper, -np.inf)))
    return float((lower + upper) / 2)


def calibrate(embeddings: np.ndarray, labels: Sequence, max_pairs: int = 500_000) -> Calibration:
    """Pairs, ROC/DET and EER for labelled descriptors (N, D)."""
    pairs = pair_distances(embeddings, labels, max_pairs)
    eer, thr = equal_error_rate(pairs)
    return Calibration(pairs, roc_curve(pairs), eer, thr, len(set(map(str, labels))), int(np.shape(embeddings)[0]))


def pca_2d(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project (N, D) descriptors onto their first two principal components.

    Returns (points float32 (N, 2), explained-variance ratio float64 (2,)).
    """
    x = np.asarray(embeddings, dtype=np.float64)
    if x.shape[0] == 0:
        return np.zeros((0, 2), np.float32), np.zeros(2)
    xc = x - x.mean(axis=0, keepdims=True)
    if x.shape[0] == 1:
        return np.zeros((1, 2), np.float32), np.zeros(2)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    comps = vt[:2]
    pts = xc @ comps.T
    if pts.shape[1] < 2:
        pts = np.pad(pts, ((0, 0), (0, 2 - pts.shape[1])))
    var = s**2
    ratio = var[:2] / var.sum() if var.sum() > 0 else np.zeros(2)
    # a fixed sign per axis (largest loading positive) keeps the map from flipping between runs
    for a in range(min(2, comps.shape[0])):
        if comps[a][np.argmax(np.abs(comps[a]))] < 0:
            pts[:, a] *= -1
    return pts.astype(np.float32), np.pad(ratio, (0, 2 - ratio.size))
