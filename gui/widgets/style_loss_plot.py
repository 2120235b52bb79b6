"""Loss curves of a style transfer run: J and its weighted terms against the step (log scale)."""

from __future__ import annotations

import math
from typing import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from engine.i18n import _

__all__ = ["StyleLossPlot", "CURVE_LABELS", "TOTAL_FORMULA"]

#: key → legend label; the labels say which weighted term each curve is (J = α·J_content + β·J_style + γ·TV)
CURVE_LABELS = {"total": "J", "content": "α·J_content", "style": "β·J_style", "tv": "γ·TV"}
TOTAL_FORMULA = "J = α·J_content + β·J_style + γ·TV"
#: fixed colours of the terms; the total takes the theme's text colour (a fixed grey vanished on the dark theme)
_COLOURS = {"content": (31, 119, 180), "style": (214, 39, 40), "tv": (44, 160, 44)}
_ORDER = ("total", "content", "style", "tv")
#: with this many points or fewer each one is marked: a short run's one or two points are no visible line
_MARK_BELOW = 30


class _LogAxis(pg.AxisItem):
    """A log axis that labels only 1, 2 and 5 × 10ⁿ: labelling every minor tick stacks the labels on a short plot."""

    def logTickStrings(self, values, scale, spacing):  # noqa: N802
        strings = super().logTickStrings(values, scale, spacing)
        out = []
        for value, text in zip(values, strings):
            mantissa = round(10 ** (float(value) - math.floor(float(value) + 1e-9)), 6)
            out.append(text if mantissa in (1.0, 2.0, 5.0, 10.0) else "")
        return out


def total_colour(widget: QWidget | None = None) -> QColor:
    """The colour of the total curve: the theme's text colour (dark on the light theme, light on the dark one)."""
    app = QApplication.instance()
    palette = widget.palette() if widget is not None else (app.palette() if app is not None else QPalette())
    return palette.color(QPalette.ColorRole.Text)


class StyleLossPlot(pg.PlotWidget):
    """Plots records that have ``step`` and the attributes ``total``, ``content``, ``style``, ``tv``.

    By default the legend is the formula itself, each term in its curve's colour:
    J = α·J_content + β·J_style + γ·TV.
    """

    def __init__(self, parent: QWidget | None = None, title: str = "", labels: dict[str, str] | None = None):
        """``title`` and ``labels`` (key → legend name) are English source texts, translated when shown;
        ``labels`` picks and names the curves (default: the formula's terms, with no title: the formula
        alone fits a narrow plot and says what is drawn)."""
        super().__init__(parent, axisItems={"left": _LogAxis("left")})
        self._title = title
        self._labels = dict(labels) if labels else None
        self.setLabel("bottom", _("step"))
        self.setLabel("left", _("loss (log)"))
        self.setLogMode(False, True)
        self.showGrid(x=True, y=True, alpha=0.25)
        chosen = self._labels or CURVE_LABELS
        self.curves = {key: self.plot([], [], pen=pg.mkPen(self._colour(key), width=2)) for key in _ORDER if key in chosen}
        self.setToolTip(_("J = α·J_content + β·J_style + γ·TV: the curves are the weighted terms and their sum J "
                          "(log scale). The unweighted costs J_content and J_style are in the status line."))
        self.setMinimumHeight(150)
        self._records: Sequence = []
        self.retranslate()

    def _colour(self, key: str) -> QColor:
        return total_colour(self) if key == "total" else QColor(*_COLOURS[key])

    def legend_html(self) -> str:
        """The legend row: the formula with each term in its curve's colour (or the given labels)."""

        def mark(key: str, text: str, line: bool = True) -> str:
            return f"<span style='color:{self._colour(key).name()}'>{'━&nbsp;' if line else ''}{text}</span>"

        if self._labels is None:  # the terms in their curves' colours: the formula is the legend and fits a narrow plot
            return (mark("total", "J", False) + " = " + mark("content", "α·J_content", False) + " + "
                    + mark("style", "β·J_style", False) + " + " + mark("tv", "γ·TV", False))
        return "&nbsp;&nbsp;".join(mark(key, _(self._labels[key])) for key in _ORDER if key in self._labels)

    def retranslate(self) -> None:
        """Title and legend in the current language and colours."""
        head = f"{_(self._title)}&nbsp;&nbsp;&nbsp;" if self._title else ""
        self.setTitle(head + self.legend_html(), size="9pt" if self._labels else "8pt")

    def apply_palette(self) -> None:
        """Recolour the total curve and the legend from the current theme."""
        curve = self.curves.get("total")
        if curve is not None:
            curve.setPen(pg.mkPen(self._colour("total"), width=2))
            self.set_records(self._records)
        self.retranslate()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) and hasattr(self, "curves"):
            self.apply_palette()

    def set_records(self, records: Sequence, keys: Sequence[str] | None = None) -> None:
        """Show ``records`` (LossRecord-like objects); zero or negative values are left out of the log plot."""
        self._records = records
        for key, curve in self.curves.items():
            if keys is not None and key not in keys:
                curve.setData([], [])
                continue
            pts = [(r.step, getattr(r, key)) for r in records if getattr(r, key, 0) > 0]
            few = len(pts) <= _MARK_BELOW
            pen = curve.opts["pen"]
            curve.setData([p[0] for p in pts], [p[1] for p in pts], symbol="o" if few else None, symbolSize=6,
                          symbolPen=pen, symbolBrush=pg.mkBrush(pen.color()))

    def clear_records(self) -> None:
        self._records = []
        for curve in self.curves.values():
            curve.setData([], [])
