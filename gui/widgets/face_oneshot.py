"""Faces › One-shot: why a similarity function learns from one photo and a softmax classifier cannot.

(a) A Siamese network over the learner's own enrolled samples: two chips, one network f with shared
weights, the two real 128-D descriptors as bar strips, and d with its formula and the verdict vs τ.
(b) A softmax classifier over the K enrolled people (128→K, retrained when someone joins) beside the
similarity function (nothing to retrain). Both follow the database live.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.face.db import FaceDatabaseError
from engine.i18n import N_, _

from ..i18n import set_text
from ..qimage import rgb_to_pixmap
from .face_siamese import SiameseDiagram, SoftmaxDiagram

__all__ = ["FaceOneShotTab", "softmax_weights"]

#: Size of the descriptors the similarity function compares (dlib's ResNet: 128 numbers).
CODE_SIZE = 128


def softmax_weights(people: int, inputs: int = CODE_SIZE) -> int:
    """Weights of an ``inputs``→``people`` softmax layer: a weight per input and output, plus a bias per output."""
    return inputs * people + people


class FaceOneShotTab(QWidget):
    """Choose two enrolled samples; see them go through one network and be compared by d."""

    def __init__(self, ctx, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self.emb = np.zeros((0, CODE_SIZE), np.float32)
        self.labels: list[str] = []
        self.ids = np.zeros(0, np.int64)
        self.distance: float | None = None  # Euclidean, between the two chosen samples

        bar = QHBoxLayout()
        self.combos: list[QComboBox] = []
        for title in ("x1", "x2"):
            bar.addWidget(QLabel(f"<b>{title}</b>"))
            combo = QComboBox()
            combo.setMinimumWidth(150)
            combo.currentIndexChanged.connect(lambda _index=None: self.update_pair())
            bar.addWidget(combo)
            self.combos.append(combo)
        self.same_button = QPushButton(_("Same person"))
        self.same_button.setToolTip(_("x2 becomes another sample of x1's person"))
        self.other_button = QPushButton(_("Two people"))
        self.other_button.setToolTip(_("x2 becomes the nearest sample of someone else"))
        bar.addWidget(self.same_button)
        bar.addWidget(self.other_button)
        bar.addStretch(1)

        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.diagram = SiameseDiagram()
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        font = self.verdict.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.verdict.setFont(font)
        self.example_label = QLabel("")  # a course example's distance, both ways (Siamese, squared distance)
        self.example_label.setObjectName("oneShotExample")
        self.example_label.setWordWrap(True)
        self.example_label.setTextFormat(Qt.TextFormat.RichText)
        self.example_label.setFont(font)

        self.softmax_box = QGroupBox(_("Softmax classifier: K outputs = K people"))
        sl = QHBoxLayout(self.softmax_box)
        self.softmax_diagram = SoftmaxDiagram()
        self.softmax_label = QLabel("")
        self.softmax_label.setWordWrap(True)
        self.softmax_label.setTextFormat(Qt.TextFormat.RichText)
        sl.addWidget(self.softmax_diagram, 1)
        sl.addWidget(self.softmax_label, 1)
        self.similarity_box = QGroupBox(_("Similarity function d: one-shot learning"))
        ml = QVBoxLayout(self.similarity_box)
        self.similarity_label = QLabel("")
        self.similarity_label.setWordWrap(True)
        self.similarity_label.setTextFormat(Qt.TextFormat.RichText)
        ml.addWidget(self.similarity_label)
        ml.addStretch(1)
        compare = QHBoxLayout()
        compare.addWidget(self.softmax_box, 3)
        compare.addWidget(self.similarity_box, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.hint)
        layout.addWidget(self.diagram, 3)
        layout.addWidget(self.verdict)
        layout.addWidget(self.example_label)
        layout.addLayout(compare, 2)

        self.same_button.clicked.connect(lambda: self.pick(same=True))
        self.other_button.clicked.connect(lambda: self.pick(same=False))
        model.dbChanged.connect(self.refresh)
        model.thresholdChanged.connect(lambda _tau: self.show_texts())
        model.distanceKindChanged.connect(lambda _squared: self.show_texts())
        model.exampleChanged.connect(self.show_texts)
        self.refresh()

    # -- data --

    def refresh(self) -> None:
        """Re-read the enrolled samples (people enrolled or removed), keeping the chosen samples when they remain."""
        keep = [int(self.ids[c.currentIndex()]) if 0 <= c.currentIndex() < len(self.ids) else None for c in self.combos]
        self.emb, self.labels, self.ids = self.model.labelled_samples()
        items = [f"{name} · #{int(sid)}" for name, sid in zip(self.labels, self.ids)]
        ids = [int(i) for i in self.ids]
        for k, combo in enumerate(self.combos):
            blocked = combo.blockSignals(True)
            combo.clear()
            combo.addItems(items)
            if keep[k] in ids:
                combo.setCurrentIndex(ids.index(keep[k]))
            combo.blockSignals(blocked)
        if len(ids) and not (keep[0] in ids and keep[1] in ids):
            self.combos[0].blockSignals(True)
            self.combos[0].setCurrentIndex(0)
            self.combos[0].blockSignals(False)
            self.pick(same=len(set(self.labels)) < 2)
        else:
            self.update_pair()

    def people(self) -> list[str]:
        """The enrolled people who have samples of the current model, by name."""
        return sorted(set(self.labels), key=str.casefold)

    def select(self, i: int, j: int) -> None:
        """Choose samples by row (in the order of the enrolled samples)."""
        for combo, idx in zip(self.combos, (i, j)):
            combo.blockSignals(True)
            combo.setCurrentIndex(idx)
            combo.blockSignals(False)
        self.update_pair()

    def pick(self, same: bool) -> None:
        """x2 := another sample of x1's person (``same``), or the nearest sample of someone else."""
        if not len(self.labels):
            self.update_pair()
            return
        a = max(self.combos[0].currentIndex(), 0)
        lab = np.asarray(self.labels, dtype=object)
        d = np.linalg.norm(self.emb - self.emb[a], axis=1)
        if same:
            rows = np.flatnonzero((lab == lab[a]) & (np.arange(len(lab)) != a))
            b = int(rows[np.argmax(d[rows])]) if rows.size else a
        else:
            rows = np.flatnonzero(lab != lab[a])
            b = int(rows[np.argmin(d[rows])]) if rows.size else a
        self.select(a, b)

    def update_pair(self) -> None:
        """Draw the chosen pair and compute their distance."""
        idx = [c.currentIndex() for c in self.combos]
        if min(idx) < 0 or not len(self.labels) or self.model.db is None:
            self.distance = None
            self.diagram.clear()
        else:
            pixmaps = []
            for i in idx:
                try:
                    pixmaps.append(rgb_to_pixmap(self.model.db.chip(int(self.ids[i]))))
                except (KeyError, FaceDatabaseError):  # a chip removed meanwhile: draw the frame only
                    pixmaps.append(None)
            a, b = (self.emb[i].astype(np.float64) for i in idx)
            self.distance = float(np.linalg.norm(a - b))
            self.diagram.set_pair(pixmaps, [a, b], [self.labels[i] for i in idx])
        self.show_texts()

    # -- texts (composed; re-rendered on a language or distance-scale switch) --

    def show_texts(self) -> None:
        people = self.people()
        k = len(people)
        self.softmax_diagram.set_people(people)
        if k == 0:
            set_text(self.hint, N_("Nobody is enrolled yet. Enroll people on the Enroll tab (one photo each is enough), "
                                   "then choose two samples here: two people, or the same person twice."))
        elif k == 1:
            set_text(self.hint, N_("Only {name} is enrolled: you can compare two of their samples. Enroll a second person to compare two people."),
                     name=people[0])
        else:
            set_text(self.hint, N_("Choose two samples: the same network f turns each into 128 numbers; only the distance d between them decides."))
        self.hint.setVisible(True)
        if self.distance is None:
            self.verdict.setText("")
        else:
            d, tau = self.model.shown(self.distance), self.model.shown_threshold()
            same = self.distance <= self.model.threshold
            decision = _("the same person") if same else _("different people")
            colour = "#2a8a4a" if same else "#c0392b"
            self.verdict.setText(
                _("d = {formula} = <b>{d:.3f}</b> {op} τ = {tau:.3f} → <span style='color:{colour}'><b>{decision}</b></span>").format(
                    formula=self.model.formula(), d=d, op="≤" if same else ">", tau=tau, colour=colour, decision=decision))
        self.show_example_distance()
        w, w_next = softmax_weights(k), softmax_weights(k + 1)
        set_text(self.softmax_label, N_(
            "K = {k} people: the last layer is 128→{k} softmax, 128 × {k} + {k} = <b>{weights}</b> weights, trained on every person's photos."
            "<br><br>When someone joins, K = {k_next}: the output layer changes to 128→{k_next} "
            "(<b>{weights_next}</b> weights) and must be retrained. With one photo per person there is too little to train it."),
            k=k, weights=w, k_next=k + 1, weights_next=w_next)
        set_text(self.similarity_label, N_(
            "Nothing to retrain: f stays as it is. A new person needs <b>one photo</b> and <b>0</b> weights trained: "
            "enroll it, and every face is compared by d = {formula} with each enrolled sample; d ≤ τ = {tau:.3f} means the same person."
            "<br><br>Enrolled: {k} people, {n} samples."),
            formula=self.model.formula(), tau=self.model.shown_threshold(), k=k, n=len(self.labels))

    def show_example_distance(self) -> None:
        """The course example's distance compared both ways: ‖·‖ against τ, and ‖·‖² against τ² (same decision)."""
        d = self.model.example_distance
        self.example_label.setVisible(d is not None)
        if d is None:
            self.example_label.setText("")
            return
        tau = self.model.threshold
        same = d <= tau
        decision = _("the same person") if same else _("different people")
        colour = "#2a8a4a" if same else "#c0392b"
        op = "≤" if same else ">"
        self.example_label.setText(_(
            "Worked example: ‖f(x1) − f(x2)‖ = <b>{d:.2f}</b> {op} τ = {tau:.2f}; squared, d = ‖f(x1) − f(x2)‖² = "
            "<b>{d2:.2f}</b> {op} τ² = <b>{tau2:.2f}</b> → <span style='color:{colour}'><b>{decision}</b></span> both ways.").format(
            d=d, tau=tau, d2=d * d, tau2=tau * tau, op=op, colour=colour, decision=decision))

    def busy(self) -> bool:
        return False
