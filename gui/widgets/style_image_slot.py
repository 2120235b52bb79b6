"""An image slot for style transfer: a thumbnail, a sample chooser, an Open button, and drag and drop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from engine.i18n import N_, _
from engine.io import is_image_path
from engine.samples import sample_title

from .image_view import ImageView
from ..dialogs import ask_image_path

__all__ = ["StyleImageSlot"]

_FILE_ITEM = "(file)"  # the item data that marks "an image from a file"


class StyleImageSlot(QGroupBox):
    """Shows one input image. Emits ``sampleChosen(name)`` or ``fileChosen(path)``; the owner loads it and calls :meth:`show_image`."""

    sampleChosen = Signal(str)
    fileChosen = Signal(str)

    def __init__(self, title: str, samples: list[str], dialog_title: str = N_("Open image"), parent: QWidget | None = None):
        """``title`` is shown as given; ``dialog_title`` is an English source text (translated when the dialog opens)."""
        super().__init__(title, parent)
        self._dialog_title = dialog_title
        self.setAcceptDrops(True)
        self.view = ImageView(N_("Drop an image here\nor choose a sample"))
        self.view.setMinimumSize(160, 110)
        self.combo = QComboBox()
        for name in samples:
            self.combo.addItem(sample_title(name), name)
        self.combo.setToolTip(_("Bundled samples (work offline)"))
        self.open_button = QPushButton(_("Open…"))
        self.open_button.setToolTip(_("Load an image file (or drop one on this box)"))
        row = QHBoxLayout()
        row.addWidget(self.combo, 1)
        row.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self.combo.activated.connect(lambda i: self._sample_activated(self.combo.itemData(i)))
        self.open_button.clicked.connect(self.choose_file)

    def _sample_activated(self, name: str) -> None:
        if name != _FILE_ITEM:
            self.sampleChosen.emit(name)

    def show_image(self, rgb: np.ndarray | None, name: str) -> None:
        """Display ``rgb`` and select ``name`` in the chooser (a file name shows as "(file)")."""
        self.view.set_image(rgb)
        index = self.combo.findData(name)
        if index < 0:
            if self.combo.findData(_FILE_ITEM) < 0:
                self.combo.addItem(_("(file)"), _FILE_ITEM)
            index = self.combo.findData(_FILE_ITEM)
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        self.view.setToolTip(name)

    def choose_file(self) -> None:
        path = ask_image_path(self, self._dialog_title)
        if path:
            self.fileChosen.emit(str(path))

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and is_image_path(urls[0].toLocalFile()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
            self.fileChosen.emit(str(Path(urls[0].toLocalFile())))
