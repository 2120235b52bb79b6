"""Light and dark themes (Fusion style with a matching palette)."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory, QWidget

__all__ = ["THEMES", "CompactTabsStyle", "apply_theme", "restyle", "style_plot"]

THEMES = ("light", "dark")


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor(30, 31, 34), QColor(43, 45, 48), QColor(222, 222, 222)
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, window)
    p.setColor(QPalette.ColorRole.ToolTipBase, window)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, window)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor(255, 80, 80))
    p.setColor(QPalette.ColorRole.Highlight, QColor(53, 132, 228))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.Link, QColor(90, 160, 255))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor(140, 140, 140))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 120))
    return p


class CompactTabsStyle(QProxyStyle):
    """Fusion, with tabs padded 14 px instead of 24: five tab titles then fit beside the controls at 1024 px."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def pixelMetric(self, metric, option=None, widget=None) -> int:  # noqa: N802 (Qt's name)
        value = super().pixelMetric(metric, option, widget)
        if metric == QStyle.PixelMetric.PM_TabBarTabHSpace:
            return min(value, 14)
        return value


def apply_theme(name: str) -> str:
    """Apply ``"light"`` or ``"dark"`` to the running application; returns the name applied."""
    app = QApplication.instance()
    if app is None:
        return name
    name = name if name in THEMES else "light"
    if not isinstance(app.style(), CompactTabsStyle):
        app.setStyle(CompactTabsStyle())
    if name == "dark":
        app.setPalette(_dark_palette())
    else:
        app.setPalette(app.style().standardPalette())
    global _current
    _current = name
    sync_plot_theme()
    return name


_current = "light"


def sync_plot_theme() -> None:
    """Give pyqtgraph the current theme's colours, if it is loaded.

    pyqtgraph loads with the first panel that plots, not with the window (it takes a second);
    the window calls this before it builds a panel, so new plots get the theme's colours.
    """
    pg = sys.modules.get("pyqtgraph")
    if pg is None or not hasattr(pg, "setConfigOptions"):
        return
    dark = _current == "dark"
    pg.setConfigOptions(background="#1e1f22" if dark else "w", foreground="#dedede" if dark else "k")


def style_plot(plot) -> None:
    """Colour a pyqtgraph PlotWidget (background, axes, title, legend) from the current palette."""
    import pyqtgraph as pg

    app = QApplication.instance()
    palette = app.palette() if app is not None else QPalette()
    base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
    plot.setBackground(base)
    item = plot.getPlotItem()
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))
    title = item.titleLabel
    title.opts["color"] = text.name()
    title.setText(title.text)  # re-renders the title's HTML with the new colour
    legend = item.legend
    if legend is not None:
        legend.setBrush(pg.mkBrush(base.red(), base.green(), base.blue(), 220))
        legend.setPen(pg.mkPen(text.red(), text.green(), text.blue(), 80))
        legend.setLabelTextColor(text)


def restyle(root: QWidget) -> None:
    """Bring widgets built under the previous theme up to date after :func:`apply_theme`.

    Widgets with their own style sheet keep the palette they were polished
    with, and pyqtgraph plots take their colours once at creation: both are
    redone here.
    """
    for widget in [root, *root.findChildren(QWidget)]:
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)
    pg = sys.modules.get("pyqtgraph")
    if pg is None or not hasattr(pg, "PlotWidget"):  # not loaded: there are no plots to redo
        return
    for plot in root.findChildren(pg.PlotWidget):
        style_plot(plot)
