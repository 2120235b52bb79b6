"""The Convolution panel's Real image tab: a sample or opened photo through the current filters."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine import conv
from engine.i18n import _
from engine.io import load_image
from engine.samples import SAMPLE_PHOTOS, sample_image, sample_title

from ..dialogs import ask_image_path
from ..widgets.conv_feature_maps import ConvFeatureMaps
from ..widgets.image_view import ImageView
from .convolution_text import KERNEL_LABELS, RED, label, no_output

__all__ = ["PhotoTab", "PHOTO_TAB"]

_FILE_ITEM = "file"  # item data of the Sample box's entry for an opened file
#: Index of the Real image tab in the panel's tabs.
PHOTO_TAB = 3


class PhotoTab:
    """Mixin of :class:`~gui.panels.convolution.ConvolutionPanel`: builds and runs the Real image tab.

    Uses the panel's ``model``, ``ctx``, ``tabs``, ``_photo_timer``, ``_photo_job``, ``_photo_dirty``,
    ``_last_maps`` and ``_file_photo``.
    """

    def _build_photo_tab(self) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        left = QVBoxLayout()
        self.sample_combo = QComboBox()
        for name in SAMPLE_PHOTOS:
            self.sample_combo.addItem(sample_title(name), name)
        self.sample_combo.setCurrentIndex(SAMPLE_PHOTOS.index("chelsea"))
        self.open_button = QPushButton(_("Open image…"))
        self.open_button.setToolTip(_("Or drop an image file on the window"))
        head = QHBoxLayout()
        head.addWidget(QLabel(_("Sample")))
        head.addWidget(self.sample_combo, 1)
        left.addLayout(head)
        left.addWidget(self.open_button)
        self.photo_view = ImageView(_("Pick a sample or open a photo"))
        left.addWidget(self.photo_view, 1)
        self.photo_info = QLabel()
        self.photo_info.setWordWrap(True)
        left.addWidget(self.photo_info)
        row.addLayout(left, 1)
        self.maps_view = ConvFeatureMaps()
        row.addWidget(self.maps_view, 3)
        self.sample_combo.activated.connect(self._on_sample_activated)
        self.open_button.clicked.connect(self._open_dialog)
        return w

    def _sync_photo(self) -> None:
        m = self.model
        self.photo_view.set_image(m.photo)
        self._photo_timer.start()

    def _on_sample_activated(self, index: int) -> None:
        if self.sample_combo.itemData(index) == _FILE_ITEM:
            if self._file_photo is not None and self.model.photo is not self._file_photo[0]:
                self.model.set_photo(*self._file_photo)
            return
        self.load_sample(self.sample_combo.itemData(index))

    def _show_file_in_combo(self, name: str) -> None:
        """The Sample box says a file is in use (its last entry), instead of still naming a sample."""
        last = self.sample_combo.count() - 1
        if self.sample_combo.itemData(last) == _FILE_ITEM:
            self.sample_combo.removeItem(last)
        self.sample_combo.addItem(_("File: {name}").format(name=name), _FILE_ITEM)
        self.sample_combo.setItemData(self.sample_combo.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        with QSignalBlocker(self.sample_combo):
            self.sample_combo.setCurrentIndex(self.sample_combo.count() - 1)

    def load_sample(self, name: str) -> None:
        self.model.set_photo(sample_image(name), name)
        with QSignalBlocker(self.sample_combo):
            self.sample_combo.setCurrentIndex(self.sample_combo.findData(name))
        self.tabs.setCurrentIndex(PHOTO_TAB)

    def _open_dialog(self) -> None:
        path = ask_image_path(self)
        if path:
            try:
                self.open_image(path)
            except Exception as exc:  # shown, never a crash
                self.ctx.show_error(_("Cannot open image"), str(exc), "")

    def open_image(self, path: Path) -> None:
        """Use the photo at ``path`` in the Real image tab (raises ``ImageLoadError`` with the reason)."""
        rgb = load_image(path)
        name = Path(path).name
        self._file_photo = (rgb, name)
        self.model.set_photo(rgb, name)
        self._show_file_in_combo(name)
        self.tabs.setCurrentIndex(PHOTO_TAB)

    def refresh_photo(self) -> None:
        """Recompute the feature maps of the photo (one job at a time; a change during a job reruns it)."""
        m = self.model
        if m.photo is None:
            return
        if m.error:
            self.photo_info.setText(f"<span style='color:{RED}'>{no_output(m.error)}</span>")
            self.maps_view.clear()
            return
        if self._photo_job is not None and self._photo_job.running:
            self._photo_dirty = True
            return
        self._photo_dirty = False
        names = [label(KERNEL_LABELS, n) for n in m.presets]
        photo_name, (h, w) = m.photo_name, m.photo.shape[:2]

        def done(fm: conv.FeatureMaps) -> None:
            self._photo_job = None
            self._last_maps = fm
            self.maps_view.set_result(fm, names)
            text = _("{name}: {w}×{h}. {k} filter(s) in {ms} ms on {device}.").format(name=photo_name, w=w, h=h, k=len(names), ms=f"{fm.seconds * 1000:.0f}", device=fm.device)
            if m.channels == 1:
                text += " " + _("Filters with one channel see the photo's luminance.")
            self.photo_info.setText(text)
            if self._photo_dirty:
                self.refresh_photo()

        def failed(exc: BaseException, tb: str) -> None:
            self._photo_job = None
            self.photo_info.setText(f"<span style='color:{RED}'>{exc}</span>")

        self.photo_info.setText(_("Filtering {name}…").format(name=photo_name))
        self._photo_job = self.ctx.jobs.start(m.photo_job(), label=_("Filter photo"), on_done=done, on_error=failed)
