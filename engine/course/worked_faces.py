"""Worked examples about faces, on hand-made 128-number descriptors and the Faces panel's own functions.

- :func:`verification_vs_recognition`: one claimed identity compared once (1:1, :func:`engine.face.match.verify`)
  against the same photo looked up among K people (1:K, :meth:`engine.face.match.Gallery.identify`).
- :func:`one_shot`: five people with one photo each; a softmax classifier over them (a real
  ``nn.Linear(128, 5)`` trained on the five photos) must put a sixth person into one of the five, and
  needs a new 128→6 layer and retraining; the similarity function only enrolls the newcomer's one photo.
- :func:`triplet`: the triplet loss of three chosen encodings (:func:`engine.face.triplet.triplet_terms`,
  the Triplet view's function) with the same loss by PyTorch (:func:`engine.face.triplet.triplet_loss`).

The descriptors are synthetic (seeded): people far apart (about 1.0), photos of one person close,
so the distances behave like a face network's at the usual threshold τ = 0.6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..face.match import Gallery, Identification, Verification, verify
from ..face.triplet import TripletTerms, triplet_loss, triplet_terms
from ..i18n import _

__all__ = ["CODE_SIZE", "VerifyVsRecognise", "OneShot", "Triplet", "descriptors", "verification_vs_recognition",
           "one_shot", "triplet"]

#: Numbers per face descriptor (the course's f(x) has 128).
CODE_SIZE = 128
_SPREAD = 0.045  # per-number spread of a person's descriptor: people end up about 0.7–1.0 apart


def descriptors(names: Sequence[str], seed: int = 0) -> dict[str, np.ndarray]:
    """One synthetic (128,) descriptor per name, seeded: different people are 0.7 or more apart."""
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for name in names:
        out[str(name)] = rng.standard_normal(CODE_SIZE) * _SPREAD
    return out


def _at_distance(base: np.ndarray, d: float, seed: int) -> np.ndarray:
    """A descriptor exactly ``d`` away from ``base`` in a seeded random direction (a new photo of that person)."""
    u = np.random.default_rng(seed).standard_normal(base.shape)
    return base + float(d) * u / np.linalg.norm(u)


@dataclass(frozen=True)
class VerifyVsRecognise:
    """Each probe photo claimed to be ``claimed``: the 1:1 check, and the 1:K search among ``people``.

    ``verifications[i]`` compares probe i with the claimed person's photo only (1 comparison);
    ``identifications[i]`` searches all K people (``people`` comparisons); ``distances[i][k]`` is
    probe i's distance to person k.
    """

    threshold: float
    claimed: str
    people: tuple[str, ...]
    probe_distances: tuple[float, ...]
    verifications: tuple[Verification, ...]
    identifications: tuple[Identification, ...]
    distances: tuple[tuple[float, ...], ...]


def verification_vs_recognition(distances: Sequence[float], threshold: float = 0.6,
                                people: Sequence[str] = ("Ana", "Ben", "Chen", "Dina"), seed: int = 0) -> VerifyVsRecognise:
    """Probes at the given ``distances`` from the first person's photo, verified (1:1) and recognised (1:K)."""
    people = tuple(str(p) for p in people)
    if not people:
        raise ValueError(_("recognition needs at least one enrolled person"))
    codes = descriptors(people, seed)
    gallery = Gallery.from_labels(np.stack([codes[p] for p in people]), people, device="cpu")
    claimed = people[0]
    probes = [_at_distance(codes[claimed], d, seed + 1 + i) for i, d in enumerate(distances)]
    checks = tuple(verify(p, codes[claimed], threshold=threshold) for p in probes)
    found = tuple(gallery.identify(np.stack(probes), threshold=threshold, k=len(people))) if probes else ()
    order = [gallery.names.index(p) for p in people]
    table = gallery.distances(np.stack(probes)).numpy() if probes else np.zeros((0, len(people)))
    dist = tuple(tuple(float(row[k]) for k in order) for row in table)
    return VerifyVsRecognise(float(threshold), claimed, people, tuple(float(d) for d in distances), checks, found, dist)


@dataclass(frozen=True)
class OneShot:
    """A softmax over the first people against a similarity function, before and after a newcomer joins.

    ``softmax_probs``: the trained K-way softmax on the newcomer's photo (sums to 1 over the old
    people; it has no "nobody" answer); ``softmax_params_before/after``: parameters of the 128→K
    and 128→K+1 output layers (``nn.Linear``); ``before``: the similarity function on the newcomer's
    photo with only the old people enrolled; ``after``: the same photo once the newcomer's one
    enrolled photo is added (no training); ``newcomer_distances``: that photo's distance to each
    person after enrolling, in ``people_after`` order.
    """

    people_before: tuple[str, ...]
    newcomer: str
    threshold: float
    softmax_probs: tuple[float, ...]
    softmax_guess: str
    softmax_params_before: int
    softmax_params_after: int
    before: Identification
    after: Identification
    people_after: tuple[str, ...]
    newcomer_distances: tuple[float, ...]


def _train_softmax(x: torch.Tensor, y: torch.Tensor, classes: int, steps: int = 200) -> nn.Linear:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        layer = nn.Linear(x.shape[1], classes)
    opt = torch.optim.Adam(layer.parameters(), lr=0.05)
    for _step in range(steps):
        loss = F.cross_entropy(layer(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return layer


def one_shot(people: Sequence[str], newcomer: str, threshold: float = 0.6, seed: int = 0) -> OneShot:
    """Train a softmax on one photo of each of ``people``, then show it a second photo of ``newcomer``."""
    people = tuple(str(p) for p in people)
    if not people or newcomer in people:
        raise ValueError(_("one-shot needs enrolled people and a newcomer who is not one of them"))
    codes = descriptors(people + (newcomer,), seed)
    enrolled = np.stack([codes[p] for p in people])
    photo = _at_distance(codes[newcomer], 0.3, seed + 99)  # a second photo of the newcomer
    softmax = _train_softmax(torch.tensor(enrolled, dtype=torch.float32), torch.arange(len(people)), len(people))
    with torch.no_grad():
        probs = torch.softmax(softmax(torch.tensor(photo, dtype=torch.float32)[None]), dim=1)[0]
    grown = nn.Linear(CODE_SIZE, len(people) + 1, device="meta")
    before = Gallery.from_labels(enrolled, people, device="cpu").identify(photo[None], threshold=threshold)[0]
    after_people = people + (str(newcomer),)
    gallery = Gallery.from_labels(np.stack([codes[p] for p in after_people]), after_people, device="cpu")
    after = gallery.identify(photo[None], threshold=threshold)[0]
    d = gallery.distances(photo[None]).numpy()[0]
    dist = tuple(float(d[gallery.names.index(p)]) for p in after_people)
    return OneShot(people, str(newcomer), float(threshold), tuple(float(p) for p in probs),
                   people[int(probs.argmax())], int(sum(p.numel() for p in softmax.parameters())),
                   int(sum(p.numel() for p in grown.parameters())), before, after, after_people, dist)


@dataclass(frozen=True)
class Triplet:
    """The triplet loss terms of (A, P, N) (the Triplet view's function) and PyTorch's loss of the same triplet."""

    anchor: tuple[float, ...]
    positive: tuple[float, ...]
    negative: tuple[float, ...]
    terms: TripletTerms
    torch_loss: float


def triplet(anchor: Sequence[float], positive: Sequence[float], negative: Sequence[float], margin: float = 0.2) -> Triplet:
    """max(‖A−P‖² − ‖A−N‖² + α, 0) of three encodings of the same length."""
    a, p, n = (np.asarray(v, dtype=np.float64).reshape(-1) for v in (anchor, positive, negative))
    if not (a.size == p.size == n.size) or a.size == 0:
        raise ValueError(_("the anchor, positive and negative need the same number of values"))
    terms = triplet_terms(a, p, n, margin)
    t = [torch.tensor(v[None]) for v in (a, p, n)]
    return Triplet(tuple(a.tolist()), tuple(p.tolist()), tuple(n.tolist()), terms, float(triplet_loss(*t, margin=margin)))
