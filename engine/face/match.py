"""Matching face descriptors: identification (1:N) and verification (1:1).

Identification compares a batch of query descriptors with every enrolled
sample in one matrix product on the compute device::

    d²(q, g) = ‖q‖² + ‖g‖² − 2 q·g        (M, N) with torch.addmm

then keeps the nearest few dozen samples (``torch.topk``); the first k
distinct people among them are the top-k people (each person's nearest
sample). Only when those samples hold fewer than k people is every person's
minimum computed (``scatter_reduce`` "amin" over the sample → person index). A query farther than the
threshold τ from everyone is "Unknown" (τ = 0.6 is dlib's operating point for
its ResNet descriptors; calibrate it on your own enrolled people).

:class:`GalleryCache` keeps the gallery as a device tensor and rebuilds it only
when the database changed (any process's commit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
import torch

from ..device import get_device
from ..i18n import _
from .db import DEFAULT_MODEL_ID, FaceDatabase, GalleryData

__all__ = [
    "DEFAULT_THRESHOLD",
    "UNKNOWN",
    "Candidate",
    "Identification",
    "Verification",
    "Gallery",
    "GalleryCache",
    "confidence",
    "verify",
    "face_distance",
    "DistanceKind",
    "DISTANCE_KINDS",
    "is_squared",
    "to_display_distance",
    "from_display_distance",
    "threshold_in",
    "distance_formula",
]

#: dlib's decision threshold for its ResNet descriptors (Euclidean distance).
DEFAULT_THRESHOLD = 0.6
#: The name reported when nobody enrolled is within the threshold.
UNKNOWN = "Unknown"
_CONF_SCALE = 0.04

#: How a distance is shown: ``"euclidean"`` ‖f(x1) − f(x2)‖ (what the app computes and dlib's τ = 0.6
#: is for) or ``"squared"`` ‖f(x1) − f(x2)‖², the course's d (then τ = 0.6² = 0.36).
DistanceKind = Literal["euclidean", "squared"]
DISTANCE_KINDS: tuple[str, ...] = ("euclidean", "squared")


def is_squared(kind: "bool | DistanceKind") -> bool:
    """``True`` for ``"squared"`` (or ``True``), ``False`` for ``"euclidean"`` (or ``False``); raises ``ValueError``."""
    if isinstance(kind, (bool, np.bool_)):
        return bool(kind)
    if kind not in DISTANCE_KINDS:
        raise ValueError(_("unknown distance kind '{kind}'; choose euclidean or squared").format(kind=kind))
    return kind == "squared"


def to_display_distance(d: float | np.ndarray, squared: "bool | DistanceKind") -> float | np.ndarray:
    """A Euclidean distance ``d`` = ‖f(x1) − f(x2)‖ as shown: itself, or ``d²`` when ``squared``."""
    a = np.asarray(d, dtype=np.float64)
    out = a * a if is_squared(squared) else a
    return float(out) if out.ndim == 0 else out


def from_display_distance(v: float | np.ndarray, squared: "bool | DistanceKind") -> float | np.ndarray:
    """The inverse of :func:`to_display_distance`: a shown value back to the Euclidean distance (√v when squared)."""
    a = np.asarray(v, dtype=np.float64)
    if is_squared(squared):
        if np.any(a < 0):
            raise ValueError(_("a squared distance cannot be negative"))
        a = np.sqrt(a)
    return float(a) if a.ndim == 0 else a


def threshold_in(tau: float, squared: "bool | DistanceKind") -> float:
    """The Euclidean threshold ``tau`` on the shown scale: 0.6 stays 0.6, or becomes 0.36 squared.

    Squaring keeps the decision: ``d ≤ τ`` exactly when ``d² ≤ τ²`` (distances are never negative).
    """
    return float(to_display_distance(float(tau), squared))


def distance_formula(squared: "bool | DistanceKind") -> str:
    """The formula of the shown distance: ``"‖f(x1) − f(x2)‖"`` or ``"‖f(x1) − f(x2)‖²"``."""
    return "‖f(x1) − f(x2)‖²" if is_squared(squared) else "‖f(x1) − f(x2)‖"


def confidence(distance: float | np.ndarray, threshold: float = DEFAULT_THRESHOLD, scale: float = _CONF_SCALE) -> float | np.ndarray:
    """A 0..1 score that falls with distance: 0.5 at the threshold, ~0.92 at τ − 0.1, ~0.08 at τ + 0.1.

    A monotone display score (logistic in distance), not a calibrated probability.
    """
    z = (np.asarray(distance, dtype=np.float64) - threshold) / scale
    out = 1.0 / (1.0 + np.exp(np.clip(z, -60, 60)))
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class Candidate:
    """One enrolled person and their nearest sample's distance to the query."""

    name: str
    distance: float
    confidence: float


@dataclass(frozen=True)
class Identification:
    """The answer for one query face.

    name: the nearest person, or :data:`UNKNOWN` when ``distance`` > threshold.
    nearest: the nearest person's name even when unknown ("" for an empty gallery).
    sample_id: the nearest enrolled sample (-1 for an empty gallery).
    top: up to k nearest people, nearest first.
    """

    name: str
    nearest: str
    distance: float
    confidence: float
    known: bool
    sample_id: int
    top: tuple[Candidate, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Verification:
    """1:1 comparison: Euclidean distance and the decision at ``threshold``."""

    distance: float
    same: bool
    confidence: float
    threshold: float


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two (128,) descriptors."""
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


def verify(a: np.ndarray, b: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> Verification:
    """Are descriptors ``a`` and ``b`` (each (128,)) the same person? ``d ≤ threshold`` means yes."""
    d = face_distance(a, b)
    return Verification(d, d <= threshold, float(confidence(d, threshold)), float(threshold))


class Gallery:
    """Enrolled descriptors on the compute device.

    embeddings: float32 (N, D); person_index: int (N,) into ``names`` (P people);
    sample_ids: int (N,). Build from the database with :meth:`from_data`.
    """

    def __init__(
        self,
        embeddings: np.ndarray,
        person_index: np.ndarray,
        names: Sequence[str],
        sample_ids: np.ndarray | None = None,
        device: torch.device | str | None = None,
    ):
        self.device = torch.device(device) if device is not None else get_device()
        emb = np.ascontiguousarray(embeddings, dtype=np.float32)
        if not emb.flags.writeable:
            emb = emb.copy()
        if emb.ndim != 2:
            raise ValueError(_("embeddings must be (N, D), got {shape}").format(shape=emb.shape))
        self.names = list(names)
        self.size = emb.shape[0]
        self.dim = emb.shape[1]
        self.sample_ids = np.asarray(sample_ids if sample_ids is not None else np.arange(self.size), dtype=np.int64)
        self._person_index_np = np.asarray(person_index, dtype=np.int64)
        # Kept transposed, (D, N) contiguous: q @ G^T then streams memory in order, which is
        # what bounds a single query on a CPU (2-3x faster than the (N, D) layout).
        self.embeddings_t = torch.from_numpy(emb).to(self.device).T.contiguous()
        self.embeddings = self.embeddings_t.T  # (N, D) view
        self.sq_norms = torch.einsum("dn,dn->n", self.embeddings_t, self.embeddings_t)  # (N,)
        self.person_index = torch.from_numpy(self._person_index_np).to(self.device)
        self._one_per_person = self.size == len(self.names) and bool(np.all(self._person_index_np == np.arange(self.size)))

    @classmethod
    def from_data(cls, data: GalleryData, device: torch.device | str | None = None) -> "Gallery":
        """A gallery from :meth:`FaceDatabase.gallery`'s arrays."""
        return cls(data.embeddings, data.person_index, data.names, data.sample_ids, device)

    @classmethod
    def from_labels(cls, embeddings: np.ndarray, labels: Sequence[str], device: torch.device | str | None = None) -> "Gallery":
        """A gallery from descriptors (N, D) and one name per row."""
        names, index = np.unique(np.asarray(list(labels), dtype=object).astype(str), return_inverse=True)
        return cls(embeddings, index, [str(n) for n in names], None, device)

    def __len__(self) -> int:
        return self.size

    @torch.no_grad()
    def distances(self, queries: np.ndarray | torch.Tensor) -> torch.Tensor:
        """Euclidean distances, float32 (M, N), queries (M, D) against every sample."""
        q = torch.as_tensor(np.asarray(queries, dtype=np.float32) if not isinstance(queries, torch.Tensor) else queries)
        q = q.to(self.device, torch.float32).reshape(-1, self.dim)
        d2 = torch.addmm(self.sq_norms.unsqueeze(0), q, self.embeddings_t, beta=1.0, alpha=-2.0)
        d2 += (q * q).sum(dim=1, keepdim=True)
        return d2.clamp_min_(0.0).sqrt_()

    @torch.no_grad()
    def person_distances(self, queries: np.ndarray | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Each person's nearest-sample distance (M, P) and the nearest sample overall: (dist (M,), index (M,))."""
        d = self.distances(queries)
        best, best_idx = d.min(dim=1)
        if self._one_per_person:
            return d, (best, best_idx)
        m = d.shape[0]
        per_person = torch.full((m, len(self.names)), float("inf"), device=d.device, dtype=d.dtype)
        per_person.scatter_reduce_(1, self.person_index.unsqueeze(0).expand(m, -1), d, reduce="amin", include_self=True)
        return per_person, (best, best_idx)

    @torch.no_grad()
    def _nearest_samples(self, q: torch.Tensor, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest samples per query: (distances (M, k), indices (M, k)), nearest first.

        Ranks by ‖g‖² − 2 q·g (one addmm over the gallery) and adds ‖q‖² and
        takes the square root only for the k kept.
        """
        partial = torch.addmm(self.sq_norms.unsqueeze(0), q, self.embeddings_t, beta=1.0, alpha=-2.0)  # (M, N)
        vals, idx = torch.topk(partial, k, dim=1, largest=False)
        d = (vals + (q * q).sum(dim=1, keepdim=True)).clamp_min_(0.0).sqrt_()
        return d.cpu().numpy(), idx.cpu().numpy()

    def _top_people(self, q: torch.Tensor, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per query: the nearest sample (distance, index) and the top-k people (distances (M, k'), person indices (M, k'))."""
        m = q.shape[0]
        kk = min(k, len(self.names))
        # The first k distinct people among the nearest samples are the top-k people, with their
        # nearest-sample distances. Look at a few dozen samples; fall back to the full per-person
        # minimum only when they hold fewer than k distinct people.
        span = min(self.size, max(32, 8 * kk))
        d, idx = self._nearest_samples(q, span)
        top_d = np.full((m, kk), np.inf)
        top_i = np.zeros((m, kk), np.int64)
        missing = []
        for row in range(m):
            people = self._person_index_np[idx[row]]
            _, first = np.unique(people, return_index=True)
            first = np.sort(first)[:kk]
            if len(first) < kk and span < self.size:
                missing.append(row)
                continue
            top_d[row, : len(first)] = d[row, first]
            top_i[row, : len(first)] = people[first]
        if missing:
            per_person, _ = self.person_distances(q[missing])
            pd, pi = torch.topk(per_person, kk, dim=1, largest=False)
            top_d[missing], top_i[missing] = pd.cpu().numpy(), pi.cpu().numpy()
        return d[:, 0], idx[:, 0], top_d, top_i

    def identify(self, queries: np.ndarray, threshold: float = DEFAULT_THRESHOLD, k: int = 3) -> list[Identification]:
        """Identify each query (M, D) or (D,): nearest person, "Unknown" above ``threshold``, top-``k`` people."""
        q = np.asarray(queries, dtype=np.float32)
        q = q.reshape(-1, self.dim) if self.size else q.reshape(-1, q.shape[-1])
        if self.size == 0:
            return [Identification(UNKNOWN, "", math.inf, 0.0, False, -1, ()) for _ in range(q.shape[0])]
        qt = torch.from_numpy(np.ascontiguousarray(q)).to(self.device)
        best, best_idx, top_d, top_i = self._top_people(qt, k)
        out = []
        for row in range(q.shape[0]):
            dist = float(best[row])
            nearest = self.names[int(self._person_index_np[best_idx[row]])]
            known = dist <= threshold
            top = tuple(
                Candidate(self.names[int(i)], float(dd), float(confidence(dd, threshold)))
                for dd, i in zip(top_d[row], top_i[row])
                if np.isfinite(dd)
            )
            out.append(
                Identification(
                    nearest if known else UNKNOWN, nearest, dist, float(confidence(dist, threshold)), known, int(self.sample_ids[best_idx[row]]), top
                )
            )
        return out


class GalleryCache:
    """The database's gallery as a :class:`Gallery`, rebuilt only after the database changed.

    ``get()`` compares :meth:`FaceDatabase.revision` (which sees commits by
    other connections and processes) with the revision it was built at.
    """

    def __init__(self, db: FaceDatabase, model_id: str = DEFAULT_MODEL_ID, device: torch.device | str | None = None):
        self.db = db
        self.model_id = model_id
        self.device = device
        self._gallery: Gallery | None = None
        self._revision: tuple[int, int] | None = None
        self.builds = 0

    def invalidate(self) -> None:
        self._gallery = None

    def get(self) -> Gallery:
        rev = self.db.revision()
        if self._gallery is None or rev != self._revision:
            self._gallery = Gallery.from_data(self.db.gallery(self.model_id), self.device)
            self._revision = rev
            self.builds += 1
        return self._gallery
