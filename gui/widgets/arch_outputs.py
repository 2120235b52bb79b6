"""The "Layer outputs" tab: the selected layer's channels for an input image (opened model files)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.i18n import _
from engine.samples import SAMPLE_PHOTOS, sample_title

from .image_view import ImageView

__all__ = ["ArchLayerOutputs"]


class ArchLayerOutputs(QWidget):
    """Emits ``sampleChosen(name)`` / ``fileRequested()``; the panel calls :meth:`show_grid` / :meth:`show_note`."""

    sampleChosen = Signal(str)
    fileRequested = Signal()
    featureMapsRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Input image:")))
        self.sample = QComboBox()
        for name in SAMPLE_PHOTOS:
            self.sample.addItem(sample_title(name), name)
        bar.addWidget(self.sample)
        self.file_button = QPushButton(_("Image file…"))
        bar.addWidget(self.file_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.feature_maps_button = QPushButton(_("Open the Feature maps panel"))
        self.feature_maps_button.setVisible(False)
        layout.addWidget(self.feature_maps_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.view = ImageView(_("Select a layer in the table or the diagram"))
        layout.addWidget(self.view, 1)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.sample.currentIndexChanged.connect(lambda i: self.sampleChosen.emit(self.sample.itemData(i)))
        self.file_button.clicked.connect(self.fileRequested.emit)
        self.feature_maps_button.clicked.connect(self.featureMapsRequested.emit)

    def show_note(self, text: str, offer_feature_maps: bool = False) -> None:
        """A message instead of outputs (zoo models, errors, work in progress)."""
        self.note.setText(text)
        self.feature_maps_button.setVisible(offer_feature_maps)
        self.sample.setEnabled(not offer_feature_maps)
        self.file_button.setEnabled(not offer_feature_maps)
        if offer_feature_maps:
            self.view.set_image(None)
            self.caption.setText("")

    def show_grid(self, grid: np.ndarray | None, caption: str) -> None:
        self.view.set_image(grid)
        self.caption.setText(caption)
