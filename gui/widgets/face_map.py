"""Faces › Embedding map: every enrolled sample projected to 2-D (PCA), coloured by person."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.face.calibration import pca_2d
from engine.i18n import N_, _

from ..qimage import rgb_to_pixmap
from ..i18n import set_text
from .face_plot import face_plot, style_legend

__all__ = ["LEGEND_PEOPLE", "FaceMapTab", "person_colour", "legend_corner"]

#: At most this many people are named in the legend (pyqtgraph's legend lays out in quadratic time).
LEGEND_PEOPLE = 15


def person_colour(index: int, count: int) -> tuple[int, int, int]:
    """A colour per person: hues spread evenly for up to 12 people; beyond that each hue steps by the
    golden angle, so neighbours in the list (and in the legend) still differ clearly."""
    if count <= 12:
        c = pg.intColor(index, hues=max(count, 1), values=1, maxValue=220, minValue=150, sat=200)
    else:
        c = pg.QtGui.QColor.fromHsvF((index * 0.6180339887) % 1.0, 200 / 255, (220 if index % 2 == 0 else 170) / 255)
    return c.red(), c.green(), c.blue()


def legend_corner(points: np.ndarray) -> tuple[int, int]:
    """The corner of the plot farthest from every point, for the legend: (x, y) in the legend's anchor
    coordinates, (0, 0) top left to (1, 1) bottom right. ``points`` (N, 2) in data units (y up)."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    if len(pts) == 0:
        return 0, 0
    lo, span = pts.min(axis=0), np.ptp(pts, axis=0)
    unit = (pts - lo) / np.where(span > 0, span, 1.0)
    best, corner = -1.0, (0, 0)
    for cx, cy in ((0, 0), (1, 0), (0, 1), (1, 1)):  # top left first: the usual place when all are free
        target = np.array([cx, 1 - cy], np.float64)  # screen y grows downwards, data y upwards
        gap = float(np.min(np.linalg.norm(unit - target, axis=1)))
        if gap > best + 1e-9:
            best, corner = gap, (cx, cy)
    return corner


class FaceMapTab(QWidget):
    """PCA scatter of the descriptors; hovering a point shows that sample's chip."""

    def __init__(self, ctx, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self.points = np.zeros((0, 2), np.float32)
        self.labels: list[str] = []
        self.sample_ids = np.zeros(0, np.int64)
        self.hovered: int | None = None
        self._emb = np.zeros((0, 128), np.float32)

        bar = QHBoxLayout()
        self.refresh_button = QPushButton(_("Refresh"))
        bar.addWidget(self.refresh_button)
        self.info = QLabel("")
        bar.addWidget(self.info, 1)
        self.plot = face_plot(_("Descriptors projected on their two main axes (PCA)"))
        self.plot.setLabel("bottom", "PC 1")
        self.plot.setLabel("left", "PC 2")
        self.legend = self.plot.addLegend(offset=(10, 10))
        style_legend(self.legend)
        self.scatter = pg.ScatterPlotItem(size=11, hoverable=True, hoverSize=16, hoverPen=pg.mkPen("k", width=2))
        self.plot.addItem(self.scatter)
        side = QVBoxLayout()
        self.thumb = QLabel(_("Hover a point\nto see the face"))
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setFixedSize(170, 170)
        self.thumb.setStyleSheet("border: 1px solid palette(mid);")
        self.thumb_name = QLabel("")
        self.thumb_name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb_name.setWordWrap(True)
        self.thumb_name.setFixedWidth(170)  # long names wrap instead of widening the column
        side.addWidget(self.thumb)
        side.addWidget(self.thumb_name)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.plot, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self.scatter.sigHovered.connect(self._hovered)
        self._stale = False
        model.dbChanged.connect(self._db_changed)
        model.distanceKindChanged.connect(lambda _squared: self.show_hover_text())

    def _db_changed(self) -> None:
        """Recompute now when shown; otherwise when the tab is next shown."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        emb, labels, ids = self.model.labelled_samples()
        self.labels, self.sample_ids, self._emb = labels, ids, emb
        self.hovered = None
        self.points, ratio = pca_2d(emb)
        self.scatter.clear()
        self.legend.clear()
        names, person = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True) if labels else ([], np.zeros(0, int))
        brushes = [pg.mkBrush(*person_colour(k, len(names))) for k in range(len(names))]
        pen = pg.mkPen(30, 30, 30)
        self.scatter.addPoints(
            pos=self.points, data=np.arange(len(labels)), brush=[brushes[k] for k in person], pen=pen,
        )
        for k, name in enumerate(names[:LEGEND_PEOPLE]):
            self.legend.addItem(pg.ScatterPlotItem(brush=brushes[k], pen=pen, size=10), str(name))
        if len(names) > LEGEND_PEOPLE:
            self.legend.addItem(pg.ScatterPlotItem(pen=None, brush=None, size=0), _("… {n} more (hover a point)").format(n=len(names) - LEGEND_PEOPLE))
        cx, cy = legend_corner(self.points)  # never over the points
        self.legend.anchor((cx, cy), (cx, cy), offset=(-10 if cx else 10, -10 if cy else 10))
        if len(labels) >= 2:
            set_text(self.info, N_("{samples} samples of {people} people; the two axes explain {share:.0f} % of the variance."),
                     samples=len(labels), people=len(names), share=ratio.sum() * 100)
        else:
            self.info.setText(_("Enroll people to see their descriptors here."))

    def _hovered(self, _item, points, _event) -> None:
        if points is None or len(points) == 0:
            return
        self.show_sample(int(points[0].data()))

    def show_sample(self, index: int) -> None:
        """Show the chip and name of sample ``index`` (row of the map)."""
        if self.model.db is None or not 0 <= index < len(self.labels):
            return
        self.hovered = index
        chip = self.model.db.chip(int(self.sample_ids[index]))
        self.thumb.setPixmap(rgb_to_pixmap(chip).scaled(160, 160, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self.show_hover_text()

    def nearest(self, index: int) -> tuple[float | None, str, float | None]:
        """Euclidean distances (in 128-D, not on the map) from sample ``index`` to the nearest other sample of
        the same person and to the nearest sample of someone else: (same, other person's name, other)."""
        emb, labels = self._emb, self.labels
        if not 0 <= index < len(labels):
            return None, "", None
        d = np.linalg.norm(emb.astype(np.float64) - emb[index].astype(np.float64), axis=1)
        lab = np.asarray(labels, dtype=object)
        same = (lab == lab[index]) & (np.arange(len(lab)) != index)
        other = lab != lab[index]
        d_same = float(d[same].min()) if same.any() else None
        if not other.any():
            return d_same, "", None
        j = int(np.flatnonzero(other)[np.argmin(d[other])])
        return d_same, str(lab[j]), float(d[j])

    def show_hover_text(self) -> None:
        """The hovered sample's name and its nearest distances, on the shown scale (d as the switch says)."""
        index = self.hovered
        if index is None or not 0 <= index < len(self.labels):
            return
        lines = [_("{name}\nsample #{id}").format(name=self.labels[index], id=int(self.sample_ids[index]))]
        d_same, other, d_other = self.nearest(index)
        lines.append("d = " + self.model.formula())
        if d_same is not None:
            lines.append(_("same person: d = {d:.3f}").format(d=self.model.shown(d_same)))
        if d_other is not None:
            lines.append(_("nearest other ({name}): d = {d:.3f}").format(name=other, d=self.model.shown(d_other)))
        self.thumb_name.setText("\n".join(lines))
