"""Loss curves of a style transfer run: content, style, TV and total against the step (log scale)."""

from __future__ import annotations

import math
from typing import Sequence

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

__all__ = ["StyleLossPlot"]

_CURVES = (("total", "Total J", (60, 60, 60)), ("content", "α·J_content", (31, 119, 180)), ("style", "β·J_style", (214, 39, 40)), ("tv", "γ·TV", (44, 160, 44)))
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


class StyleLossPlot(pg.PlotWidget):
    """Plots records that have ``step`` and the attributes ``total``, ``content``, ``style``, ``tv``."""

    def __init__(self, parent: QWidget | None = None, title: str = "Loss per step", labels: dict[str, str] | None = None):
        """``labels`` picks and names the curves (default: total, content, style and TV as terms of J)."""
        super().__init__(parent, axisItems={"left": _LogAxis("left")})
        self.setLabel("bottom", "step")
        self.setLabel("left", "loss (log)")
        self.setLogMode(False, True)
        self.showGrid(x=True, y=True, alpha=0.25)
        chosen = labels or {key: label for key, label, _ in _CURVES}
        self.curves = {key: self.plot([], [], pen=pg.mkPen(colour, width=2)) for key, _, colour in _CURVES if key in chosen}
        # the legend is a row in the title, outside the data area: inside it covered the curves
        self.legend_html = "&nbsp;&nbsp;".join(
            f"<span style='color:rgb{colour}'>━&nbsp;{chosen[key]}</span>" for key, _, colour in _CURVES if key in chosen
        )
        self.setTitle(f"{title}&nbsp;&nbsp;&nbsp;{self.legend_html}")
        self.setMinimumHeight(150)

    def set_records(self, records: Sequence, keys: Sequence[str] | None = None) -> None:
        """Show ``records`` (LossRecord-like objects); zero or negative values are left out of the log plot."""
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
        for curve in self.curves.values():
            curve.setData([], [])
