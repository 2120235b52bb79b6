"""Feature maps of a photo: each map with a colour map and its value histogram, and the pooled map (pyqtgraph)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.i18n import _
from engine.conv import FeatureMaps

__all__ = ["ConvFeatureMaps", "display_stride"]


def display_stride(h: int, w: int, limit: int = 900) -> int:
    """Subsampling step that brings an h×w map under ``limit`` pixels a side for display."""
    return max(1, math.ceil(max(h, w) / limit))


class ConvFeatureMaps(QWidget):
    """One row per filter: the feature map (viridis), its histogram, and the pooled map."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.cmap = pg.colormap.get("viridis")
        self.images: list[pg.ImageItem] = []
        self.pooled_images: list[pg.ImageItem] = []
        self.histograms: list[pg.PlotDataItem] = []

    def _image_box(self, row: int, col: int, title: str, data: np.ndarray) -> pg.ImageItem:
        box = self.view.addViewBox(row=row, col=col, lockAspect=True, invertY=True, enableMouse=True)
        box.setMenuEnabled(False)
        s = display_stride(*data.shape)
        shown = np.ascontiguousarray(data[::s, ::s])
        item = pg.ImageItem(shown, axisOrder="row-major")
        lo, hi = float(np.min(shown)), float(np.max(shown))
        item.setLevels((lo, hi if hi > lo else lo + 1e-6))
        item.setColorMap(self.cmap)
        box.addItem(item)
        box.autoRange(padding=0.02)
        label = pg.TextItem(title, anchor=(0, 1), color=(230, 230, 230), fill=pg.mkBrush(0, 0, 0, 140))
        label.setPos(0, 0)
        box.addItem(label, ignoreBounds=True)
        return item

    def clear(self) -> None:
        self.view.clear()
        self.images, self.pooled_images, self.histograms = [], [], []

    def set_result(self, fm: FeatureMaps | None, names: list[str] | None = None) -> None:
        """Show every map of ``fm`` (C_out rows); ``names`` label the filters."""
        self.clear()
        if fm is None:
            return
        names = names or [_("filter {k}").format(k=k + 1) for k in range(fm.maps.shape[0])]
        for k, m in enumerate(fm.maps):
            self.images.append(self._image_box(k, 0, f"{k + 1}: {names[k]}  {m.shape[1]}×{m.shape[0]}", m))
            plot = self.view.addPlot(row=k, col=1)
            counts, edges = fm.histograms[k]
            curve = plot.plot(edges, counts, stepMode="center", fillLevel=0, brush=(68, 1, 84, 150), pen=pg.mkPen(68, 1, 84))
            plot.setLabel("bottom", _("value"))
            plot.hideAxis("left")
            plot.setMouseEnabled(x=False, y=False)
            plot.setMenuEnabled(False)
            self.histograms.append(curve)
            if fm.pooled is not None:
                pm = fm.pooled[k]
                self.pooled_images.append(self._image_box(k, 2, _("pooled {w}×{h}").format(w=pm.shape[1], h=pm.shape[0]), pm))
        self.view.ci.layout.setColumnStretchFactor(0, 3)
        self.view.ci.layout.setColumnStretchFactor(1, 2)
        if fm.pooled is not None:
            self.view.ci.layout.setColumnStretchFactor(2, 3)
