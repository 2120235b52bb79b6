"""pyqtgraph plots for the Faces panel, coloured from the Qt palette (light and dark themes)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["face_plot", "restyle_plots", "plot_colours", "style_legend"]


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
    if item.legend is not None:
        style_legend(item.legend)


def plot_colours() -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(text, background) RGB of the current palette, for lines, labels and legends."""
    app = QApplication.instance()
    palette = app.palette() if app is not None else QPalette()
    t, b = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
    return (t.red(), t.green(), t.blue()), (b.red(), b.green(), b.blue())


def style_legend(legend: pg.LegendItem) -> None:
    """A legend readable on the current palette."""
    text, base = plot_colours()
    legend.setBrush(pg.mkBrush(*base, 220))
    legend.setPen(pg.mkPen(*text, 80))
    legend.setLabelTextColor(text)


def face_plot(title: str = "", parent: QWidget | None = None) -> pg.PlotWidget:
    """A PlotWidget with plain (non-SI-prefixed) axes in the application's colours."""
    plot = pg.PlotWidget(parent, title=title)
    _style(plot)
    return plot


def restyle_plots(root: QWidget) -> None:
    """Re-colour every plot under ``root`` after a theme change."""
    for plot in root.findChildren(pg.PlotWidget):
        _style(plot)
