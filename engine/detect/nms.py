"""Non-max suppression, step by step, and IoU.

:func:`select` is the hot path (``torchvision.ops.batched_nms``).
:func:`nms_trace` replays the same greedy algorithm one keeper at a time so a
user can watch it; its kept indices equal ``torchvision.ops.nms``'s, including
ties (equal scores keep the lower index first) and degenerate boxes (zero
area: IoU 0 with everything, so never suppressed and never suppressing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torchvision.ops import batched_nms, box_iou, nms

from ..i18n import _

__all__ = ["NmsStep", "NmsTrace", "nms_trace", "iou", "select", "HandNms", "nms_by_hand"]


def _as_tensor(a, cols: int | None = None) -> torch.Tensor:
    t = a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a, dtype=np.float32))
    t = t.float()
    return t.reshape(-1, cols) if cols else t.reshape(-1)


def iou(a, b) -> np.ndarray | float:
    """IoU of xyxy boxes. Two single boxes (4,) give a float; (N, 4) and (M, 4) give (N, M).

    Boxes with zero or negative area have IoU 0 with everything.
    """
    single = np.ndim(a) == 1 and np.ndim(b) == 1
    ta, tb = _as_tensor(a, 4), _as_tensor(b, 4)
    out = torch.nan_to_num(box_iou(ta, tb), nan=0.0).clamp_(min=0.0)
    # torchvision's IoU of a degenerate box with itself is 0/0: define it as 0.
    return float(out[0, 0]) if single else out.numpy()


@dataclass
class NmsStep:
    """One greedy step: ``keeper`` (index into the input) is kept; ``candidates``
    are the boxes still in play after it, with their ``ious`` with the keeper;
    ``suppressed`` are those whose IoU exceeded the threshold (removed now)."""

    keeper: int
    candidates: list[int]
    ious: list[float]
    suppressed: list[int]


@dataclass
class NmsTrace:
    """The whole run: ``kept`` (indices, best first, same as ``torchvision.ops.nms``) and ``steps``."""

    kept: list[int]
    steps: list[NmsStep]
    iou_threshold: float


def nms_trace(boxes, scores, iou_threshold: float) -> NmsTrace:
    """Greedy NMS with every step recorded.

    boxes: (N, 4) xyxy; scores: (N,). Visits boxes by descending score (ties:
    lower index first, like torchvision), keeps the best remaining one and
    suppresses every remaining box whose IoU with it is strictly greater than
    ``iou_threshold``.
    """
    tb, ts = _as_tensor(boxes, 4), _as_tensor(scores)
    n = int(tb.shape[0])
    if n == 0:
        return NmsTrace([], [], float(iou_threshold))
    # stable descending sort: equal scores keep index order, as torchvision's kernels do
    order = torch.sort(ts, descending=True, stable=True).indices.tolist()
    ious = box_iou(tb, tb)  # (N, N); NaN for a degenerate box with itself
    ious = torch.nan_to_num(ious, nan=0.0).numpy()
    alive = np.ones(n, dtype=bool)
    kept: list[int] = []
    steps: list[NmsStep] = []
    for i in order:
        if not alive[i]:
            continue
        kept.append(i)
        alive[i] = False
        rest = [j for j in order if alive[j]]
        values = [float(ious[i, j]) for j in rest]
        gone = [j for j, v in zip(rest, values) if v > iou_threshold]
        for j in gone:
            alive[j] = False
        steps.append(NmsStep(i, rest, values, gone))
    return NmsTrace(kept, steps, float(iou_threshold))


def select(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    labels: torch.Tensor,
    iou_threshold: float,
    class_agnostic: bool = False,
    max_detections: int | None = None,
) -> torch.Tensor:
    """Indices of the boxes kept by NMS, best first (the hot path).

    Per-class NMS (``batched_nms``) unless ``class_agnostic``; then the first
    ``max_detections``. boxes (M, 4), scores (M,), labels (M,) -> (N,) int64.
    """
    if boxes.numel() == 0:
        return torch.zeros((0,), dtype=torch.int64, device=boxes.device)
    boxes, scores = boxes.float(), scores.float()
    if class_agnostic:
        keep = nms(boxes, scores, float(iou_threshold))
    else:
        keep = batched_nms(boxes, scores, labels, float(iou_threshold))
    if max_detections is not None and max_detections >= 0:
        keep = keep[: int(max_detections)]
    return keep


@dataclass
class HandNms:
    """Non-max suppression of hand-given boxes, the course's way.

    scores: (N,) ``p_c × c_i`` of each box's best class; classes: (N,) that class's index.
    discarded: boxes dropped before any suppression (``p_c`` ≤ ``pc_threshold``).
    steps: one :class:`NmsStep` per kept box, in order (indices into the input);
    ``suppressed`` are the boxes whose IoU with the keeper is ≥ ``iou_threshold`` (same class
    unless ``per_class`` is False). kept: the survivors, best first.
    """

    scores: list[float]
    classes: list[int]
    discarded: list[int]
    steps: list[NmsStep]
    kept: list[int]
    pc_threshold: float
    iou_threshold: float
    per_class: bool

    def explain(self) -> list[str]:
        """One translated line per step: discarded boxes, then each keeper and what it suppressed."""
        lines = []
        if self.discarded:
            lines.append(_("Discarded (p_c ≤ {t}): {boxes}").format(
                t=f"{self.pc_threshold:g}", boxes=", ".join(f"#{i} ({self.scores[i]:.2f})" for i in self.discarded)))
        for k, st in enumerate(self.steps, 1):
            gone = ", ".join(f"#{j} (IoU {v:.2f})" for j, v in zip(st.candidates, st.ious) if j in st.suppressed) or _("no box")
            lines.append(_("Step {k}: keep #{i} (score {s}); suppress IoU ≥ {t}: {gone}").format(
                k=k, i=st.keeper, s=f"{self.scores[st.keeper]:.2f}", t=f"{self.iou_threshold:g}", gone=gone))
        return lines


def nms_by_hand(boxes, p_c, class_scores=None, pc_threshold: float = 0.6, iou_threshold: float = 0.5,
                per_class: bool = True) -> HandNms:
    """Step-through NMS for boxes a learner placed: score = p_c × c_i, drop, keep the best, suppress, repeat.

    boxes: (N, 4) xyxy; p_c: (N,) object probabilities; class_scores: (N, K) class probabilities c_i
    (``None``: one class, c = 1). Each box takes its best class; score = p_c × c_best. Boxes with
    p_c ≤ ``pc_threshold`` are discarded; then, by descending score (ties: lower index first), the best
    remaining box is kept and every remaining box of its class (any class if ``per_class`` is False)
    with IoU ≥ ``iou_threshold`` with it is suppressed, until none remain.
    The course's five boxes (0.9, 0.6, 0.7 on one car, 0.8, 0.7 on the other) keep 0.9 and 0.8.
    Raises ``ValueError`` for mismatched lengths.
    """
    tb = _as_tensor(boxes, 4)
    pc = torch.as_tensor(np.asarray(p_c, dtype=np.float64)).reshape(-1)  # float64: p_c = 0.6 must equal 0.6
    n = int(tb.shape[0])
    if pc.shape[0] != n:
        raise ValueError(_("{n} boxes but {m} p_c values").format(n=n, m=int(pc.shape[0])))
    if class_scores is None:
        cs = torch.ones((n, 1), dtype=torch.float64)
    else:
        cs = torch.as_tensor(np.asarray(class_scores, dtype=np.float64)).reshape(n, -1) if n else torch.zeros((0, 1), dtype=torch.float64)
    best, cls = (cs.max(dim=1) if n else (torch.zeros(0, dtype=torch.float64), torch.zeros(0, dtype=torch.int64)))
    scores = (pc * best).tolist()
    classes = [int(c) for c in cls.tolist()]
    pcs = pc.tolist()
    discarded = [i for i in range(n) if pcs[i] <= pc_threshold]
    alive = np.array([pcs[i] > pc_threshold for i in range(n)], dtype=bool)
    ious = torch.nan_to_num(box_iou(tb, tb), nan=0.0).numpy() if n else np.zeros((0, 0))
    order = sorted(range(n), key=lambda i: (-scores[i], i))
    steps: list[NmsStep] = []
    kept: list[int] = []
    for i in order:
        if not alive[i]:
            continue
        alive[i] = False
        kept.append(i)
        rest = [j for j in order if alive[j] and (not per_class or classes[j] == classes[i])]
        values = [float(ious[i, j]) for j in rest]
        gone = [j for j, v in zip(rest, values) if v >= iou_threshold]
        for j in gone:
            alive[j] = False
        steps.append(NmsStep(i, rest, values, gone))
    return HandNms(scores, classes, discarded, steps, kept, float(pc_threshold), float(iou_threshold), bool(per_class))
