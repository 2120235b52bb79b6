"""pyqtgraph plots for the Faces panel, coloured from the Qt palette (light and dark themes)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["face_plot", "restyle_plots"]


def _style(plot: pg.PlotWidget) -> None:
    app = QApplication.instance()
    palette = app.palette() if app is not None else QPalette()
    plot.setBackground(palette.color(QPalette.ColorRole.Base))
    text = palette.color(QPalette.ColorRole.Text)
    item = plot.getPlotItem()
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.enableAutoSIPrefix(False)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))
    item.titleLabel.item.setDefaultTextColor(text)


def face_plot(title: str = "", parent: QWidget | None = None) -> pg.PlotWidget:
    """A PlotWidget with plain (non-SI-prefixed) axes in the application's colours."""
    plot = pg.PlotWidget(parent, title=title)
    _style(plot)
    return plot


def restyle_plots(root: QWidget) -> None:
    """Re-colour every plot under ``root`` after a theme change."""
    for plot in root.findChildren(pg.PlotWidget):
        _style(plot)
