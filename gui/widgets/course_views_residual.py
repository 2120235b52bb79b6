"""Worked-example view of ResNet's degradation: a plain and a residual 20-layer network trained side by side
in the app (a few seconds on a CPU), with both training-loss curves drawn as they come."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QPushButton, QWidget

from engine.i18n import N_, _

from .course_views_base import ExampleView, caption_row, set_quietly
from .course_views_common import num, rich_label
from .form import spin_box

__all__ = ["DegradationView"]


class DegradationView(ExampleView):
    """Run / Cancel, the epochs, the two networks' sizes and the live curves (model: :class:`CourseViewsModel`)."""

    view_id = "degradation"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(model, parent)
        self.epochs_spin = spin_box(1, 20)
        self.run_button, self.cancel_button = QPushButton(), QPushButton()
        self.add(caption_row((N_("Epochs"), self.epochs_spin), after=(self.run_button, self.cancel_button)))
        self.nets_label = self.add(rich_label())
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(220)
        self.plot.addLegend(offset=(-10, 10))
        self.plain_curve = self.plot.plot([], [], pen=pg.mkPen("#c8372d", width=2), name="plain")
        self.residual_curve = self.plot.plot([], [], pen=pg.mkPen("#2a7ab8", width=2), name="residual")
        self.add(self.plot, 1)
        self.status = self.add(rich_label())
        self.bind(self.epochs_spin, "epochs")
        self.run_button.clicked.connect(model.run_degradation)
        self.cancel_button.clicked.connect(model.cancel_run)
        model.curvesUpdated.connect(self._curves)
        model.runFinished.connect(lambda _text: self.render())
        model.busyChanged.connect(self._busy)
        self.finish(stretch=False)

    def _curves(self, curves) -> None:
        if curves is None:
            self.plain_curve.setData([], [])
            self.residual_curve.setData([], [])
            return
        self.plain_curve.setData(curves.steps, curves.plain_loss)
        self.residual_curve.setData(curves.steps, curves.residual_loss)
        self._nets_text()
        if curves.steps and self.model.running:
            self.status.setText(_("Training… epoch {x}: plain {plain}, residual {residual}").format(
                x=num(curves.steps[-1], 2), plain=num(curves.plain_loss[-1], 3), residual=num(curves.residual_loss[-1], 3)))

    def _nets_text(self) -> None:
        """The two networks' sizes: as the running job reports them, else as built before the run."""
        m = self.model
        c = m.curves
        if c is not None and getattr(c, "plain_params", 0):
            dp, pp, dr, pr = c.depth, c.plain_params, c.residual_depth, c.residual_params
        elif (n := self.result()) is not None:
            dp, pp, dr, pr = n.depth_plain, n.params_plain, n.depth_residual, n.params_residual
        else:
            return
        self.nets_label.setText(_("plain: {dp} weighted layers, {pp} parameters; residual: {dr} weighted layers, {pr} parameters "
                                  "(the shortcuts add none)").format(dp=dp, pp=num(pp), dr=dr, pr=num(pr)))
        self.plot.setTitle(_("Training loss, plain vs residual ({depth} layers each)").format(depth=dp))

    def _busy(self) -> None:
        running = self.model.running
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.epochs_spin.setEnabled(not running)

    def shown_curves(self) -> tuple[list[float], list[float]]:
        """The plain and residual losses as drawn."""
        _x1, y1 = self.plain_curve.getData()
        _x2, y2 = self.residual_curve.getData()
        return ([] if y1 is None else [float(v) for v in y1]), ([] if y2 is None else [float(v) for v in y2])

    def render(self) -> None:
        """Texts in the current language; the curves stay."""
        m = self.model
        set_quietly(self.epochs_spin, m.params[self.view_id]["epochs"])
        self.run_button.setText(_("Train both"))
        self.cancel_button.setText(_("Cancel"))
        self.intro.setText(_("Two networks of the same depth train side by side on the same batches of 8×8 digits, from the same "
                             "initial weights. The only difference: the residual one adds each block's input to its output, "
                             "x<sub>l+1</sub> = x<sub>l</sub> + F(x<sub>l</sub>, W<sub>l</sub>). The plain network's "
                             "<i>training</i> loss falls more slowly: degradation, not overfitting."))
        self._nets_text()
        self.plot.setLabel("bottom", _("epoch"))
        self.plot.setLabel("left", _("cross-entropy"))
        legend = self.plot.plotItem.legend
        if legend is not None:
            for sample, label in legend.items:
                label.setText(_("plain") if sample.item is self.plain_curve else _("residual"))
        text = m.run_message_text()
        if text:
            self.status.setText(text)
        elif not m.running:
            self.status.setText(_("Press Train both: a few seconds on a CPU. Cancel keeps the curves so far."))
        self._busy()
