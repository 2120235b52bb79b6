"""Faces › Triplet view: anchor, positive, negative → ‖f(A)−f(P)‖², ‖f(A)−f(N)‖², margin, loss;
optionally fine-tune a small adaptation head with triplet loss and compare the EER before and after."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.face.triplet import finetune_head, triplet_terms
from engine.i18n import N_, _

from ..qimage import rgb_to_pixmap
from ..i18n import set_text
from .face_plot import face_plot

__all__ = ["FaceTripletTab"]


class FaceTripletTab(QWidget):
    """Choose three samples and see the triplet loss terms; fine-tune a head in a worker thread."""

    def __init__(self, ctx, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self.emb = np.zeros((0, 128), np.float32)
        self.labels: list[str] = []
        self.ids = np.zeros(0, np.int64)
        self.terms = None
        self.finetune_result = None
        self._job = None
        self._losses: list[float] = []

        grid = QGridLayout()
        self.combos: list[QComboBox] = []
        self.thumbs: list[QLabel] = []
        for col, title in enumerate((N_("Anchor A"), N_("Positive P (same person)"), N_("Negative N (someone else)"))):
            grid.addWidget(QLabel("<b>" + _(title) + "</b>"), 0, col)
            combo = QComboBox()
            combo.setMinimumWidth(200)
            thumb = QLabel("—")
            thumb.setFixedSize(150, 150)
            thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
            thumb.setStyleSheet("border: 1px solid palette(mid);")
            grid.addWidget(combo, 1, col)
            grid.addWidget(thumb, 2, col, alignment=Qt.AlignmentFlag.AlignHCenter)
            combo.currentIndexChanged.connect(lambda _=None: self.update_terms())
            self.combos.append(combo)
            self.thumbs.append(thumb)
        controls = QHBoxLayout()
        controls.addWidget(QLabel(_("margin α:")))
        self.margin_spin = QDoubleSpinBox()
        self.margin_spin.setRange(0.0, 2.0)
        self.margin_spin.setSingleStep(0.05)
        self.margin_spin.setValue(0.2)
        controls.addWidget(self.margin_spin)
        self.hardest_button = QPushButton(_("Pick hardest P and N for A"))
        controls.addWidget(self.hardest_button)
        controls.addStretch(1)
        self.terms_label = QLabel(_("Enroll at least two people to form triplets."))
        self.terms_label.setWordWrap(True)
        self.terms_label.setTextFormat(Qt.TextFormat.RichText)

        tune = QGroupBox(_("Adaptation head (a residual linear layer on the 128-D descriptors), trained with triplet loss"))
        tl = QVBoxLayout(tune)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("epochs:")))
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(5, 1000)
        self.epochs_spin.setValue(60)
        row.addWidget(self.epochs_spin)
        self.tune_button = QPushButton(_("Fine-tune head"))
        row.addWidget(self.tune_button)
        self.tune_label = QLabel(_("Needs two people with two or more samples each; a third of each person's samples is held out to measure the EER."))
        self.tune_label.setWordWrap(True)
        row.addWidget(self.tune_label, 1)
        tl.addLayout(row)
        self.loss_plot = face_plot()
        self.loss_plot.setLabel("bottom", _("epoch"))
        self.loss_plot.setLabel("left", _("triplet loss"))
        self.loss_plot.setMinimumHeight(140)
        self.loss_plot.getPlotItem().getViewBox().setLimits(yMin=0)
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen((40, 110, 220), width=2))
        tl.addWidget(self.loss_plot, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(controls)
        layout.addWidget(self.terms_label)
        layout.addWidget(tune, 1)

        self.margin_spin.valueChanged.connect(lambda _: self.update_terms())
        self.hardest_button.clicked.connect(self.pick_hardest)
        self.tune_button.clicked.connect(lambda: self.finetune())
        model.dbChanged.connect(self.refresh)

    def refresh(self) -> None:
        self.emb, self.labels, self.ids = self.model.labelled_samples()
        items = [f"{name} · #{int(sid)}" for name, sid in zip(self.labels, self.ids)]
        for combo in self.combos:
            with_block = combo.blockSignals(True)
            combo.clear()
            combo.addItems(items)
            combo.blockSignals(with_block)
        if len(set(self.labels)) >= 2:
            self.pick_hardest()
        else:
            self.update_terms()

    def select(self, a: int, p: int, n: int) -> None:
        """Choose samples by row (in the order of the enrolled samples)."""
        for combo, idx in zip(self.combos, (a, p, n)):
            combo.blockSignals(True)
            combo.setCurrentIndex(idx)
            combo.blockSignals(False)
        self.update_terms()

    def pick_hardest(self) -> None:
        """For the current anchor: the farthest same-person sample and the nearest other-person sample."""
        if len(set(self.labels)) < 2:
            return
        a = max(self.combos[0].currentIndex(), 0)
        d = np.linalg.norm(self.emb - self.emb[a], axis=1)
        lab = np.array(self.labels)
        same = np.flatnonzero((lab == lab[a]) & (np.arange(len(lab)) != a))
        other = np.flatnonzero(lab != lab[a])
        p = int(same[np.argmax(d[same])]) if same.size else a
        n = int(other[np.argmin(d[other])])
        self.select(a, p, n)

    def update_terms(self) -> None:
        idx = [c.currentIndex() for c in self.combos]
        if min(idx, default=-1) < 0 or len(self.labels) == 0:
            self.terms = None
            return
        for thumb, i in zip(self.thumbs, idx):
            if self.model.db is not None:
                thumb.setPixmap(rgb_to_pixmap(self.model.db.chip(int(self.ids[i]))))
        a, p, n = idx
        t = triplet_terms(self.emb[a], self.emb[p], self.emb[n], self.margin_spin.value())
        self.terms = t
        warn = []
        if self.labels[p] != self.labels[a]:
            warn.append(_("P is not the same person as A"))
        if self.labels[n] == self.labels[a]:
            warn.append(_("N is the same person as A"))
        verdict = _("satisfied (loss 0): N is at least α farther than P") if t.loss == 0 else _("violated: this triplet would be trained on")
        self.terms_label.setText(
            f"‖f(A)−f(P)‖² = <b>{t.ap:.4f}</b> &nbsp; ‖f(A)−f(N)‖² = <b>{t.an:.4f}</b> &nbsp; α = {t.margin:.2f} &nbsp; "
            + _("loss") + f" = max({t.ap:.4f} − {t.an:.4f} + {t.margin:.2f}, 0) = <b>{t.loss:.4f}</b> — {verdict}"
            + (f"<br><span style='color:#c0392b'>{_('; ').join(warn)}</span>" if warn else "")
            + "<br><span style='color:gray'>" + _("The triplet loss always uses squared distances ‖·‖², whichever distance the top bar shows.") + "</span>"
        )

    def finetune(self) -> bool:
        if len(self.labels) == 0:
            self.tune_label.setText(_("Nobody is enrolled."))
            return False
        try:
            job = finetune_head(self.emb, self.labels, epochs=self.epochs_spin.value(), margin=self.margin_spin.value())
            next_progress = next(job)  # validates the data before handing the job to a thread
        except ValueError as exc:
            self.tune_label.setText(str(exc))
            return False
        except StopIteration:
            return False
        self._losses = []

        def resumed():
            yield next_progress
            return (yield from job)

        self.tune_label.setText(_("Training…"))
        self._job = self.ctx.jobs.start(
            resumed(), label=_("Fine-tune face head"), on_progress=self._progress, on_done=self._tuned, on_error=self._failed
        )
        return True

    def _progress(self, p) -> None:
        if p.partial is not None:
            self._losses.append(p.partial[1])
            self.loss_curve.setData(np.arange(1, len(self._losses) + 1), self._losses)

    def _tuned(self, result) -> None:
        self._job = None
        self.finetune_result = result
        where = _("{n} held-out samples").format(n=result.held_out) if result.held_out else _("all samples (too few to hold some out)")
        self.tune_label.setText(
            _("Equal error rate on {where}: <b>{before:.1f} %</b> before → <b>{after:.1f} %</b> after (final training loss {loss:.4f}).").format(
                where=where, before=result.eer_before * 100, after=result.eer_after * 100, loss=result.losses[-1])
        )

    def _failed(self, exc: BaseException, _tb: str = "") -> None:
        self._job = None
        set_text(self.tune_label, N_("Fine-tuning failed: {reason}"), reason=exc)

    def busy(self) -> bool:
        return self._job is not None
