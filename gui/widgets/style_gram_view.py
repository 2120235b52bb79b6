"""Gram view: the Gram matrix of one layer for the style image and for the current output, side by side."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QWidget

from engine.i18n import N_, _

from .image_view import ImageView

__all__ = ["StyleGramView", "gram_to_rgb"]


def gram_to_rgb(gram: np.ndarray, vmax: float | None = None) -> np.ndarray:
    """A (C, C) Gram matrix as an (C, C, 3) uint8 heat map (signed log scale, viridis)."""
    g = np.sign(gram) * np.log1p(np.abs(gram))
    top = float(vmax) if vmax is not None else float(np.abs(g).max() or 1.0)
    norm = np.clip(g / top, 0, 1)
    lut = pg.colormap.get("viridis").getLookupTable(0.0, 1.0, 256, alpha=False)
    return np.ascontiguousarray(lut[(norm * 255).astype(np.uint8)][..., :3].astype(np.uint8))


class _MatrixView(ImageView):
    """An ImageView that scales without smoothing, so each matrix entry stays a crisp square."""

    def paintEvent(self, event) -> None:  # noqa: N802
        if self._image is None:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(self.image_rect(), self._image)


class StyleGramView(QWidget):
    """Two heat maps with a shared colour scale; ``layerChanged(name)`` asks the owner for new matrices."""

    layerChanged = Signal(str)

    def __init__(self, layers: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.layer_combo = QComboBox()
        self.layer_combo.addItems(layers)
        self.layer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setMinimumContentsLength(8)
        self.style_view = _MatrixView(N_("Style Gram matrix"))
        self.output_view = _MatrixView(N_("Output Gram matrix"))
        for v in (self.style_view, self.output_view):
            v.setMinimumSize(100, 100)
        self.style_caption = QLabel(_("Style image"))
        self.output_caption = QLabel(_("Output"))
        for caption in (self.style_caption, self.output_caption):
            caption.setWordWrap(True)  # "Content photo (before a run)" must not widen a small window
        self._distance: tuple[int, float] | None = None  # (channels, relative distance) shown in the distance line
        self.distance_label = QLabel("")
        self.distance_label.setWordWrap(True)  # the distance line must not widen the window
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Layer:")))
        top.addWidget(self.layer_combo)
        top.addStretch(1)
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.addLayout(top, 0, 0, 1, 2)
        # its own full-width row: beside the layer chooser the formula broke into five lines on a small window
        grid.addWidget(self.distance_label, 1, 0, 1, 2)
        grid.addWidget(self.style_caption, 2, 0)
        grid.addWidget(self.output_caption, 2, 1)
        grid.addWidget(self.style_view, 3, 0)
        grid.addWidget(self.output_view, 3, 1)
        grid.setRowStretch(3, 1)
        self.layer_combo.currentTextChanged.connect(self.layerChanged)

    def layer(self) -> str:
        return self.layer_combo.currentText()

    def set_grams(self, style: np.ndarray | None, output: np.ndarray | None, output_label: str = N_("Output")) -> None:
        """Show the two (C, C) matrices on one colour scale; ``output_label`` is an English source text."""
        self.output_caption.setText(_(output_label))
        self.style_caption.setText(_("Style image"))
        if style is None or output is None:
            self.style_view.set_image(None)
            self.output_view.set_image(None)
            self._distance = None
            self.distance_label.setText("")
            return
        vmax = float(max(np.log1p(np.abs(style)).max(), np.log1p(np.abs(output)).max(), 1e-12))
        self.style_view.set_image(gram_to_rgb(style, vmax))
        self.output_view.set_image(gram_to_rgb(output, vmax))
        rel = np.linalg.norm(output - style) / max(np.linalg.norm(style), 1e-12)
        self._distance = (int(style.shape[0]), float(rel))
        self.retranslate()

    def retranslate(self) -> None:
        """The distance line in the current language."""
        if self._distance is None:
            return
        n, rel = self._distance
        self.distance_label.setText(_("{n} channels · ‖G_out − G_style‖ / ‖G_style‖ = {d:.3f}").format(n=n, d=rel))
        self.distance_label.setToolTip(_("Relative distance between the two Gram matrices; the optimisation drives it down."))
