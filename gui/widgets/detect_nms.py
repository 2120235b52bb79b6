"""NMS step-through: replay greedy non-max suppression on a frozen frame's raw boxes."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.detect import NmsTrace, nms_trace
from engine.i18n import _, join_list

from ..qimage import rgb_to_qimage

__all__ = ["NmsStepView"]

KEPT = QColor(40, 170, 70)
KEEPER = QColor(255, 170, 0)
SUPPRESS = QColor(220, 40, 40)
REMAIN = QColor(60, 130, 230)
#: how many IoUs the step's description lists, highest first
_LISTED = 12
#: at most this many IoU labels on the picture (the highest); the description lists them in words
_DRAWN = 30
#: size of an IoU label on the picture (px)
_LABEL_W, _LABEL_H = 40, 16


def place_labels(anchors: list[QRectF], bounds: QRectF, taken: list[QRectF] | None = None) -> list[QRectF]:
    """A label rectangle per box in ``anchors`` that overlaps no other label (nor ``taken``).

    Each label tries its box's corners first (top-left, top-right, bottom-left,
    bottom-right, inside the box), then steps down and right from the top-left
    until it finds a free place inside ``bounds``; in a dense cluster labels
    are spread out instead of being stacked on one spot.
    """
    placed: list[QRectF] = list(taken or [])
    out: list[QRectF] = []

    def free(r: QRectF) -> bool:
        return bounds.contains(r) and not any(r.intersects(q) for q in placed)

    def candidates(a: QRectF):
        yield QRectF(a.left(), a.top(), _LABEL_W, _LABEL_H)
        yield QRectF(a.right() - _LABEL_W, a.top(), _LABEL_W, _LABEL_H)
        yield QRectF(a.left(), a.bottom() - _LABEL_H, _LABEL_W, _LABEL_H)
        yield QRectF(a.right() - _LABEL_W, a.bottom() - _LABEL_H, _LABEL_W, _LABEL_H)
        for k in range(1, 40):
            for dx in (0, _LABEL_W + 2, -(_LABEL_W + 2)):
                yield QRectF(a.left() + dx, a.top() + k * (_LABEL_H + 1), _LABEL_W, _LABEL_H)
                yield QRectF(a.left() + dx, a.top() - k * (_LABEL_H + 1), _LABEL_W, _LABEL_H)

    for a in anchors:
        chosen = next((r for r in candidates(a) if free(r)), QRectF(a.left(), a.top(), _LABEL_W, _LABEL_H))
        placed.append(chosen)
        out.append(chosen)
    return out


class NmsStepView(QWidget):
    """Shows one step of :func:`engine.detect.nms_trace` over an image.

    Step 0 shows every candidate; step k (1..len(steps)) highlights the k-th
    keeper (orange), its IoU with every box still in play, the boxes it
    suppresses (red, dashed) and those that survive (blue); earlier keepers
    are green. ``stepChanged(step, description)``.
    """

    stepChanged = Signal(int, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.image = None
        self._qimage = None
        self.boxes = np.zeros((0, 4), np.float32)
        self.scores = np.zeros((0,), np.float32)
        self.trace: NmsTrace | None = None
        self.step = 0
        self._placed: tuple | None = None  # (step, size, trace) and where its IoU labels go
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, image: np.ndarray, boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> None:
        """Freeze ``image`` with candidate ``boxes`` (N, 4) xyxy and ``scores`` (N,) and trace NMS."""
        self.image = image
        self._qimage = rgb_to_qimage(image)
        self.boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        self.scores = np.asarray(scores, np.float32).reshape(-1)
        self.trace = nms_trace(self.boxes, self.scores, iou_threshold)
        self._placed = None
        self.set_step(0)

    @property
    def steps(self) -> int:
        return len(self.trace.steps) if self.trace else 0

    def set_step(self, step: int) -> None:
        self.step = max(0, min(int(step), self.steps))
        self.update()
        self.stepChanged.emit(self.step, self.description())

    def forward(self) -> None:
        self.set_step(self.step + 1)

    def back(self) -> None:
        self.set_step(self.step - 1)

    def description(self) -> str:
        if self.trace is None:
            return _("Freeze a frame to step through its NMS.")
        n = len(self.boxes)
        if self.step == 0:
            return _("{n} candidate boxes before NMS. Each step keeps the highest-scoring box left and removes every box "
                     "overlapping it by IoU > {t:.2f}.").format(n=n, t=self.trace.iou_threshold)
        s = self.trace.steps[self.step - 1]
        left = len(s.candidates) - len(s.suppressed)
        # every remaining box's IoU in words too: labels on the picture overlap where boxes crowd
        pairs = sorted(zip(s.ious, s.candidates), key=lambda t: (-t[0], t[1]))
        shown = join_list(f"#{j} {v:.2f}" + (" ✕" if j in s.suppressed else "") for v, j in pairs[:_LISTED])
        more = _(", … {n} more").format(n=len(pairs) - _LISTED) if len(pairs) > _LISTED else ""
        return (_("Step {step} of {steps}: keep box #{keeper} (score {score:.2f}). "
                  "{n} box(es) overlap it by IoU > {t:.2f} and are suppressed (✕); {left} remain.").format(
                    step=self.step, steps=self.steps, keeper=s.keeper, score=self.scores[s.keeper], n=len(s.suppressed),
                    t=self.trace.iou_threshold, left=left)
                + (" " + _("IoU with each remaining box: {listed}.").format(listed=shown + more) if pairs else "")
                + ("  " + _("Done: the green boxes and this one are what NMS keeps.") if self.step == self.steps else ""))

    def _geometry(self) -> tuple[QRectF, float]:
        h, w = self.image.shape[:2]
        s = min(self.width() / w, self.height() / h)
        return QRectF((self.width() - w * s) / 2, (self.height() - h * s) / 2, w * s, h * s), s

    def _rect(self, i: int, origin: QRectF, s: float) -> QRectF:
        x1, y1, x2, y2 = self.boxes[i]
        return QRectF(origin.x() + x1 * s, origin.y() + y1 * s, (x2 - x1) * s, (y2 - y1) * s)

    @staticmethod
    def _keeper_tag(r: QRectF) -> QRectF:
        return QRectF(r.x(), r.bottom() - 18, 96, 18)

    @staticmethod
    def _labelled(step) -> list[tuple[int, float]]:
        """(box, IoU) pairs that get a label on the picture: IoU > 0, highest first (they get the best places)."""
        return sorted(((j, float(v)) for j, v in zip(step.candidates, step.ious) if v > 0), key=lambda t: (-t[1], t[0]))[:_DRAWN]

    def label_rects(self) -> list[QRectF]:
        """Where this step's IoU labels go, in widget pixels (in :meth:`_labelled`'s order); none overlap."""
        if self.image is None or self.trace is None or self.step == 0:
            return []
        key = (self.step, self.width(), self.height(), id(self.trace))
        if self._placed is None or self._placed[0] != key:
            origin, s = self._geometry()
            current = self.trace.steps[self.step - 1]
            tag = self._keeper_tag(self._rect(current.keeper, origin, s))
            anchors = [self._rect(j, origin, s) for j, _v in self._labelled(current)]
            self._placed = (key, place_labels(anchors, QRectF(self.rect()), [tag]))
        return self._placed[1]

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if self.image is None or self.trace is None:
            p.setPen(QColor(128, 128, 128))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("Press “Freeze frame” to step through NMS on the current frame"))
            return
        origin, s = self._geometry()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(origin, self._qimage)
        p.fillRect(origin, QColor(0, 0, 0, 70))  # dim the photo so boxes stand out
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        steps = self.trace.steps
        removed: set[int] = set()
        kept_before = [st.keeper for st in steps[: max(0, self.step - 1)]]
        for st in steps[: max(0, self.step - 1)]:
            removed.update(st.suppressed)
        if self.step == 0:
            alive = list(range(len(self.boxes)))
            current = None
        else:
            current = steps[self.step - 1]
            alive = current.candidates
        for i in alive:
            if current is not None and i in current.suppressed:
                continue
            p.setPen(QPen(REMAIN if current is not None else QColor(255, 255, 255, 170), 1))
            p.drawRect(self._rect(i, origin, s))
        for i in kept_before:
            p.setPen(QPen(KEPT, 3))
            p.drawRect(self._rect(i, origin, s))
        if current is not None:
            for j in current.candidates:
                if j in current.suppressed:
                    p.setPen(QPen(SUPPRESS, 2, Qt.PenStyle.DashLine))
                    p.drawRect(self._rect(j, origin, s))
            r = self._rect(current.keeper, origin, s)
            p.setPen(QPen(KEEPER, 4))
            p.drawRect(r)
            tag = self._keeper_tag(r)
            for (j, v), tr in zip(self._labelled(current), self.label_rects()):
                box = self._rect(j, origin, s)
                if not box.contains(tr.center()):  # moved off its box: a thin line shows whose IoU it is
                    p.setPen(QPen(QColor(255, 255, 255, 150), 1))
                    p.drawLine(tr.center(), box.topLeft())
                p.fillRect(tr, QColor(0, 0, 0, 160))
                p.setPen(SUPPRESS if j in current.suppressed else QColor(255, 255, 255))
                p.drawText(tr, Qt.AlignmentFlag.AlignCenter, f"{v:.2f}")
            p.fillRect(tag, KEEPER)
            p.setPen(QColor(0, 0, 0))
            p.drawText(tag, Qt.AlignmentFlag.AlignCenter, _("keep {score:.2f}").format(score=self.scores[current.keeper]))
        p.setPen(QColor(255, 255, 255))
        p.drawText(QPointF(origin.x() + 6, origin.bottom() - 6), _("threshold IoU > {t:.2f} suppresses").format(t=self.trace.iou_threshold))
