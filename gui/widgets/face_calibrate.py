"""Faces › Calibrate: same/different-person distance histograms, ROC/DET, EER, τ for a chosen FAR."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.face.calibration import Calibration, calibrate
from engine.face.match import DEFAULT_THRESHOLD

from .face_plot import face_plot, plot_colours, style_legend
from ..i18n import set_text
from engine.jobs import Progress
from engine.i18n import N_, _

__all__ = ["FaceCalibrateTab", "FAR_CHOICES"]

#: False-accept rates offered for the suggested threshold.
FAR_CHOICES = (0.0001, 0.001, 0.01, 0.05, 0.1)

_SAME = (40, 160, 80)
_DIFF = (210, 70, 50)


def _log_ticks(low: float) -> list[tuple[float, str]]:
    """Tick positions (log10) and labels for a log axis from ``low`` to 1: 1-2-5 steps, or decades when crowded."""
    values = [m * 10.0**e for e in range(-7, 1) for m in (1, 2, 5) if low * 0.999 <= m * 10.0**e <= 1.0]
    if len(values) > 7:
        values = [v for v in values if abs(np.log10(v) - round(np.log10(v))) < 1e-9]
    return [(float(np.log10(v)), f"{v:g}") for v in values]


class FaceCalibrateTab(QWidget):
    """Computes a :class:`Calibration` from the enrolled samples and suggests a threshold."""

    def __init__(self, ctx, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self.calibration: Calibration | None = None
        self.suggested: float | None = None
        self._job = None

        bar = QHBoxLayout()
        self.compute_button = QPushButton(_("Compute from enrolled samples"))
        bar.addWidget(self.compute_button)
        bar.addWidget(QLabel(_("False-accept rate:")))
        self.far_combo = QComboBox()
        for far in FAR_CHOICES:
            self.far_combo.addItem(f"{far * 100:g} %", far)
        self.far_combo.setCurrentIndex(1)
        bar.addWidget(self.far_combo)
        self.apply_button = QPushButton(_("Apply suggested τ"))
        self.apply_button.setEnabled(False)
        bar.addWidget(self.apply_button)
        self.curve_combo = QComboBox()
        self.curve_combo.addItems([_("DET (FRR vs FAR)"), _("ROC (TAR vs FAR)")])
        bar.addStretch(1)
        bar.addWidget(self.curve_combo)
        self.summary = QLabel(_("Enroll at least two people (one with two or more samples), then compute."))
        self.summary.setWordWrap(True)
        self.summary.setMinimumHeight(self.summary.fontMetrics().lineSpacing() * 2 + 6)

        self.hist_plot = face_plot(_("Distances between enrolled samples"))
        self.label_axes()
        self.hist_plot.setLabel("left", _("fraction of pairs"))
        style_legend(self.hist_plot.addLegend(offset=(-10, 10)))
        self.curve_plot = face_plot(_("Error trade-off"))
        self.curve_plot.setLogMode(x=True, y=False)
        plots = QHBoxLayout()
        plots.addWidget(self.hist_plot, 1)
        plots.addWidget(self.curve_plot, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addLayout(plots, 1)

        self.compute_button.clicked.connect(lambda: self.compute())
        self.apply_button.clicked.connect(lambda: self.apply())
        self.far_combo.currentIndexChanged.connect(lambda _: self._update())
        self.curve_combo.currentIndexChanged.connect(lambda _: self._update())
        model.thresholdChanged.connect(lambda _: self._update())
        model.distanceKindChanged.connect(lambda _squared: self.retranslate())

    def label_axes(self) -> None:
        """The histogram's distance axis names the shown distance."""
        self.hist_plot.setLabel("bottom", _("distance d = {formula}").format(formula=self.model.formula()))

    def retranslate(self) -> None:
        """Re-render the composed texts (language or distance scale changed)."""
        self.label_axes()
        if self.calibration is not None:
            self._update()

    def compute(self) -> bool:
        emb, labels, _ids = self.model.labelled_samples()

        def job():
            yield Progress(None, _("Measuring pair distances…"))
            return calibrate(emb, labels)

        self.summary.setText(_("Computing…"))
        self._job = self.ctx.jobs.start(job(), label=_("Calibrate"), on_done=self._done, on_error=self._failed)
        return True

    def _failed(self, exc: BaseException, _tb: str = "") -> None:
        self._job = None
        self.summary.setText(str(exc))

    def _done(self, cal: Calibration) -> None:
        self._job = None
        self.calibration = cal
        if cal.pairs.same.size == 0 or cal.pairs.different.size == 0:
            self.calibration = None
            self.suggested = None
            set_text(self.summary, N_("{people} people, {samples} samples: calibration needs at least two people and one person with two or more samples."),
                     people=cal.people, samples=cal.samples)
            self.apply_button.setEnabled(False)
            self.hist_plot.clear()
            self.curve_plot.clear()
            return
        self._update()

    def far_target(self) -> float:
        return float(self.far_combo.currentData())

    def _update(self) -> None:
        cal = self.calibration
        if cal is None:
            return
        far = self.far_target()
        self.suggested = cal.threshold_for_far(far)
        got_far, got_frr = cal.rates_at(self.suggested)
        cur_far, cur_frr = cal.rates_at(self.model.threshold)
        self.summary.setText(
            _("{people} people, {samples} samples ({same} same-person, {different} different-person pairs). "
              "Equal error rate <b>{eer:.2f} %</b> at d = {formula} = {eer_at:.3f}. "
              "<br>For FAR ≤ {far:g} %: suggested τ = <b>{tau:.3f}</b> (FAR {got_far:.2f} %, FRR {got_frr:.2f} %). "
              "Current τ = {current:.3f} (FAR {cur_far:.2f} %, FRR {cur_frr:.2f} %).").format(
                people=cal.people, samples=cal.samples, same=cal.pairs.same.size, different=cal.pairs.different.size,
                eer=cal.eer * 100, eer_at=self.model.shown(cal.eer_threshold), formula=self.model.formula(), far=far * 100,
                tau=self.model.shown_threshold(self.suggested), got_far=got_far * 100, got_frr=got_frr * 100, current=self.model.shown_threshold(), cur_far=cur_far * 100, cur_frr=cur_frr * 100)
            + (f"<br><span style='color:#c0392b'>{html.escape(warning)}</span>" if (warning := cal.far_warning(far, self.model.shown_threshold(DEFAULT_THRESHOLD))) else "")
        )
        self.apply_button.setEnabled(True)
        self._draw()

    def _draw(self) -> None:
        cal = self.calibration
        assert cal is not None
        hp = self.hist_plot
        hp.clear()
        same, different = self.model.shown(cal.pairs.same), self.model.shown(cal.pairs.different)
        hi = max(float(different.max()), float(same.max()), self.model.shown_threshold()) * 1.05
        edges = np.linspace(0, hi, 41)
        for values, colour, name in ((same, _SAME, _("same person")), (different, _DIFF, _("different people"))):
            counts, _edges = np.histogram(values, bins=edges)
            frac = counts / max(values.size, 1)
            hp.plot(edges, frac, stepMode="center", fillLevel=0, brush=(*colour, 90), pen=pg.mkPen(colour, width=2), name=name)
        text, base = plot_colours()
        hp.addItem(pg.InfiniteLine(self.model.shown_threshold(), angle=90, pen=pg.mkPen(text, width=2, style=pg.QtCore.Qt.PenStyle.DashLine), label=_("τ now"), labelOpts={"position": 0.95, "color": text, "fill": (*base, 200)}))
        if self.suggested is not None:
            hp.addItem(pg.InfiniteLine(self.model.shown_threshold(self.suggested), angle=90, pen=pg.mkPen((40, 110, 220), width=2), label=_("suggested τ"), labelOpts={"position": 0.85, "color": (60, 130, 230), "fill": (*base, 200)}))
        cp = self.curve_plot
        cp.clear()
        roc = cal.roc
        floor = 0.5 / max(cal.pairs.different.size, 1)
        x = np.clip(roc.far, floor, 1.0)
        det = self.curve_combo.currentIndex() == 0
        y = roc.frr if det else roc.tar
        cp.plot(x, y, pen=pg.mkPen((40, 110, 220), width=2))
        cp.setLabel("bottom", _("false-accept rate (log)"))
        cp.setLabel("left", _("false-reject rate") if det else _("true-accept rate"))
        cp.setTitle(_("DET curve") if det else _("ROC curve"))
        eer_x = max(cal.eer, floor)
        cp.plot([eer_x], [cal.eer if det else 1 - cal.eer], pen=None, symbol="o", symbolBrush=(210, 70, 50), symbolSize=10, name="EER")
        cp.getPlotItem().setLogMode(x=True, y=False)
        cp.getAxis("bottom").setTicks([_log_ticks(floor)])

    def apply(self) -> bool:
        """Use the suggested τ (stored in the database)."""
        if self.suggested is None:
            return False
        self.model.set_threshold(self.suggested, persist=True)
        return True

    def busy(self) -> bool:
        return self._job is not None
