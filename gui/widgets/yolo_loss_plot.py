"""Live per-term loss curves (objectness, box, class, total) with pyqtgraph."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget
from engine.i18n import N_, _

__all__ = ["LossPlot", "TERMS"]

#: (attribute of LossCurves, legend name, colour)
TERMS = (("objectness", N_("objectness"), (230, 57, 70)), ("box", N_("box"), (29, 132, 230)), ("cls", N_("class"), (46, 170, 80)),
         ("total", N_("total"), (120, 120, 120)))


class LossPlot(QWidget):
    """A log-scale plot of the training loss terms against the step."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget()
        self.plot.setLogMode(y=True)
        self.plot.setLabel("bottom", _("step"))
        self.plot.setLabel("left", _("loss per image"))
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.addLegend(offset=(-10, 10))
        self.curves = {
            attr: self.plot.plot([], [], pen=pg.mkPen(colour, width=2 if attr != "total" else 1.5), name=_(name))
            for attr, name, colour in TERMS
        }
        layout.addWidget(self.plot)

    def set_curves(self, curves) -> None:
        """Show a ``LossCurves`` (or clear with None)."""
        for attr, curve in self.curves.items():
            if curves is None or not curves.step:
                curve.setData([], [])
            else:
                ys = [max(v, 1e-6) for v in getattr(curves, attr)]
                curve.setData(curves.step, ys)

    def retranslate(self) -> None:
        """Legend entries in the current language."""
        legend = self.plot.getPlotItem().legend
        if legend is None:
            return
        for (attr, name, _colour) in TERMS:
            legend.removeItem(self.curves[attr])
            legend.addItem(self.curves[attr], _(name))

    def point_count(self) -> int:
        data = self.curves["total"].getData()[0]
        return 0 if data is None else len(data)
