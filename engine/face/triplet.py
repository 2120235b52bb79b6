"""Triplet loss on face descriptors, and a small adaptation head trained with it.

For an anchor A, a positive P (same person) and a negative N (someone else)::

    ap   = ‖f(A) − f(P)‖²
    an   = ‖f(A) − f(N)‖²
    loss = max(ap − an + α, 0)

The loss is zero once the negative is at least the margin α farther (in
squared distance) than the positive. :func:`finetune_head` trains a residual
linear map on top of the frozen 128-D descriptors with this loss over the
enrolled people, and reports the equal error rate before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch
from torch import nn

from ..jobs import Job, Progress
from ..i18n import _
from .calibration import equal_error_rate, pair_distances

__all__ = ["TripletTerms", "triplet_terms", "triplet_loss", "AdaptationHead", "FinetuneResult", "finetune_head"]


@dataclass(frozen=True)
class TripletTerms:
    """The parts of the triplet loss for one (A, P, N)."""

    ap: float
    an: float
    margin: float
    loss: float


def triplet_loss(fa: torch.Tensor, fp: torch.Tensor, fn: torch.Tensor, margin: float = 0.2) -> torch.Tensor:
    """Mean of max(‖fa − fp‖² − ‖fa − fn‖² + margin, 0) over a batch; fa, fp, fn: (B, D)."""
    ap = (fa - fp).pow(2).sum(dim=1)
    an = (fa - fn).pow(2).sum(dim=1)
    return torch.relu(ap - an + margin).mean()


def triplet_terms(a: np.ndarray, p: np.ndarray, n: np.ndarray, margin: float = 0.2) -> TripletTerms:
    """‖A − P‖², ‖A − N‖², the margin and the loss for three (D,) descriptors."""
    a64, p64, n64 = (np.asarray(v, np.float64) for v in (a, p, n))
    ap = float(np.sum((a64 - p64) ** 2))
    an = float(np.sum((a64 - n64) ** 2))
    return TripletTerms(ap, an, float(margin), max(ap - an + margin, 0.0))


class AdaptationHead(nn.Module):
    """A residual linear map f(x) = x + W x + b on (B, D) descriptors, starting as the identity."""

    def __init__(self, dim: int = 128):
        super().__init__()
        self.linear = nn.Linear(dim, dim)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.linear(x)


@dataclass
class FinetuneResult:
    """EER of the raw descriptors and of the head's outputs, on the held-out samples."""

    head: AdaptationHead
    eer_before: float
    eer_after: float
    losses: list[float] = field(default_factory=list)
    held_out: int = 0


def _split(labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per person: hold out a third of the samples (at least one when they have 3+)."""
    train, test = [], []
    for lab in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == lab))
        k = len(idx) // 3
        test.extend(idx[:k])
        train.extend(idx[k:])
    return np.array(sorted(train), dtype=np.int64), np.array(sorted(test), dtype=np.int64)


def finetune_head(
    embeddings: np.ndarray,
    labels: Sequence,
    epochs: int = 60,
    margin: float = 0.2,
    lr: float = 0.01,
    seed: int = 0,
) -> Job[FinetuneResult]:
    """A job: train an :class:`AdaptationHead` with triplet loss (batch-hard mining).

    Needs at least two people with at least two samples each. A third of each
    person's samples is held out; the EER before/after is measured on the
    held-out samples (on all samples when too few are held out to form pairs).
    Yields Progress(partial=(epoch, loss)) each epoch.
    """
    x = np.asarray(embeddings, dtype=np.float32)
    lab = np.unique(np.asarray(list(labels), dtype=object).astype(str), return_inverse=True)[1]
    counts = np.bincount(lab)
    if (counts >= 2).sum() < 2:
        raise ValueError(_("fine-tuning needs at least two people with two or more samples each"))
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    train, test = _split(lab, rng)
    eval_idx = test
    pairs = pair_distances(x[test], lab[test]) if test.size >= 4 else None
    if pairs is None or pairs.same.size == 0 or pairs.different.size == 0:
        eval_idx = np.arange(len(lab))
    held_out = int(eval_idx.size) if eval_idx is test else 0

    def eer_of(feats: np.ndarray) -> float:
        return equal_error_rate(pair_distances(feats[eval_idx], lab[eval_idx]))[0]

    eer_before = eer_of(x)
    head = AdaptationHead(x.shape[1])
    opt = torch.optim.Adam(head.parameters(), lr=lr, weight_decay=1e-4)
    xt = torch.from_numpy(x[train])
    lt = torch.from_numpy(lab[train])
    same = lt.unsqueeze(0) == lt.unsqueeze(1)
    eye = torch.eye(len(lt), dtype=torch.bool)
    losses: list[float] = []
    try:
        for epoch in range(epochs):
            head.train()
            f = head(xt)
            d2 = torch.cdist(f, f).pow(2)
            # batch-hard: farthest positive and nearest negative for every anchor
            ap = d2.masked_fill(~same | eye, float("-inf")).max(dim=1).values
            an = d2.masked_fill(same, float("inf")).min(dim=1).values
            valid = torch.isfinite(ap) & torch.isfinite(an)
            loss = torch.relu(ap[valid] - an[valid] + margin).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
            yield Progress((epoch + 1) / epochs, _("epoch {epoch}/{epochs}: triplet loss {loss:.4f}").format(epoch=epoch + 1, epochs=epochs, loss=losses[-1]), partial=(epoch + 1, losses[-1]))
    finally:
        head.eval()
    with torch.no_grad():
        after = head(torch.from_numpy(x)).numpy()
    return FinetuneResult(head, eer_before, eer_of(after), losses, held_out)
