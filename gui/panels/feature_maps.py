"""Feature maps: what each layer computes on an image; LeNet-5 trained on digits; the residual experiment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _
from engine import featmaps, shapes
from engine.io import ImageLoadError, load_image
from engine.samples import SAMPLE_PHOTOS, sample_title

from ..panel import Panel
from ..widgets.form import spin_box
from ..widgets.image_view import ImageView
from ..widgets.tile_grid import TileGrid, apply_colormap
from .feature_maps_model import FeatureMapsModel
from .feature_maps_training import TrainingTabs
from ..dialogs import ask_image_path

__all__ = ["FeatureMapsPanel"]

_SHOW_COUNTS = (16, 32, 64, 128, 256)
_BANNER_WARN = "QLabel { background: #fff3cd; color: #5c4400; border: 1px solid #e0c060; border-radius: 4px; padding: 6px; }"
_BANNER_OK = "QLabel { background: #e3f4e6; color: #174d22; border: 1px solid #8cc79a; border-radius: 4px; padding: 6px; }"
_BANNER_INFO = "QLabel { padding: 6px; }"
_TRAIN_SECONDS = N_("about 15 s")


def _upscale(img: np.ndarray, target: int = 256) -> np.ndarray:
    """Nearest-neighbour enlargement so a small map shows its pixels."""
    h, w = img.shape[:2]
    k = max(1, target // max(h, w))
    return np.repeat(np.repeat(img, k, axis=0), k, axis=1)


class FeatureMapsPanel(TrainingTabs, Panel):
    panel_id = "feature_maps"
    title = N_("Feature maps")
    summary = N_("What every layer computes on your image; train LeNet-5 on digits; plain vs residual nets")
    accepts_images = True

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = FeatureMapsModel(ctx.jobs, self)
        self._build()
        self._compose_texts()
        self._bind()
        start = "lenet5_digits"
        with QSignalBlocker(self.model_combo), QSignalBlocker(self.source_combo):
            self.model_combo.setCurrentIndex(self.model_combo.findData(start))
            self.source_combo.setCurrentIndex(self.source_combo.findData("digit"))
        first_held_out = min(self.model.held_out_digits())
        with QSignalBlocker(self.digit_spin):
            self.digit_spin.setValue(first_held_out)
        self.model.set_digit(first_held_out)
        self.model.set_model(start)

    # -- construction --

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)
        self.tabs = QTabWidget()
        root.addWidget(self.tabs)
        self.tabs.addTab(self._build_maps_tab(), _("Feature maps"))
        self.tabs.addTab(self._build_train_tab(), _("Train LeNet-5 on digits"))
        self.tabs.addTab(self._build_residual_tab(), _("Residual experiment"))

    def _build_maps_tab(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        left = QWidget()
        left.setFixedWidth(300)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("<b>" + _("Model") + "</b>"))
        self.model_combo = QComboBox()
        for choice in featmaps.FEATURE_MODELS:
            self.model_combo.addItem(_(choice.title), choice.name)
        lv.addWidget(self.model_combo)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        lv.addWidget(self.note)
        actions = QHBoxLayout()
        self.open_models_button = QPushButton(_("Open Models panel"))
        self.train_button = QPushButton(_("Train LeNet-5 ({duration})").format(duration=_(_TRAIN_SECONDS)))
        actions.addWidget(self.open_models_button)
        actions.addWidget(self.train_button)
        lv.addLayout(actions)
        lv.addWidget(QLabel("<b>" + _("Layer") + "</b>"))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("Layer"), _("Type")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        lv.addWidget(self.tree, 1)
        lv.addWidget(QLabel("<b>" + _("Input") + "</b>"))
        src = QHBoxLayout()
        self.source_combo = QComboBox()
        for name in SAMPLE_PHOTOS:
            self.source_combo.addItem(_("Photo: {name}").format(name=sample_title(name)), f"photo:{name}")
        self.source_combo.addItem(_("Digit from the data set"), "digit")
        self.source_combo.addItem(_("Your image…"), "file")
        self.digit_spin = spin_box(0, 1796, prefix="#", tooltip=N_("Which of the 1,797 digits"))
        src.addWidget(self.source_combo, 1)
        src.addWidget(self.digit_spin)
        lv.addLayout(src)
        buttons = QHBoxLayout()
        self.open_button = QPushButton(_("Open file…"))
        self.webcam_button = QPushButton(_("Webcam frame"))
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.webcam_button)
        lv.addLayout(buttons)
        self.input_view = ImageView(_("No input image"))
        self.input_view.setMinimumSize(120, 130)
        self.input_view.setMaximumHeight(170)
        lv.addWidget(self.input_view)
        self.input_label = QLabel("")
        self.input_label.setWordWrap(True)
        lv.addWidget(self.input_label)
        row.addWidget(left)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.header = QLabel("")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        rv.addWidget(self.header)
        self.top5 = QLabel("")
        self.top5.setWordWrap(True)
        self.top5.setTextFormat(Qt.TextFormat.RichText)
        rv.addWidget(self.top5)
        controls = QHBoxLayout()
        self.sort_check = QCheckBox(_("Sort channels by mean activation"))
        self.sort_check.setChecked(True)
        self.shared_check = QCheckBox(_("One colour scale for all"))
        self.show_combo = QComboBox()
        for n in _SHOW_COUNTS:
            self.show_combo.addItem(_("Show {n}").format(n=n), n)
        self.show_combo.setCurrentIndex(_SHOW_COUNTS.index(64))
        controls.addWidget(self.sort_check)
        controls.addWidget(self.shared_check)
        controls.addStretch(1)
        controls.addWidget(self.show_combo)
        rv.addLayout(controls)
        self.cta = QFrame()
        self.cta.setFrameShape(QFrame.Shape.StyledPanel)
        cta_layout = QVBoxLayout(self.cta)
        self.cta_text = QLabel()
        self.cta_text.setWordWrap(True)
        self.cta_button = QPushButton()
        cta_layout.addWidget(self.cta_text)
        cta_layout.addWidget(self.cta_button, 0, Qt.AlignmentFlag.AlignLeft)
        rv.addWidget(self.cta)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.grid = TileGrid(_("Choose a model, a layer and an image"))
        split.addWidget(self.grid)
        big = QWidget()
        bv = QVBoxLayout(big)
        bv.setContentsMargins(0, 0, 0, 0)
        self.big_view = ImageView(_("Click a channel to enlarge it"))
        self.big_view.setMinimumSize(200, 200)
        self.big_label = QLabel("")
        self.big_label.setWordWrap(True)
        bv.addWidget(self.big_view, 1)
        bv.addWidget(self.big_label)
        split.addWidget(big)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([560, 280])
        rv.addWidget(split, 1)
        row.addWidget(right, 1)
        return page

    def _bind(self) -> None:
        m = self.model
        self.model_combo.currentIndexChanged.connect(lambda _value: m.set_model(self.model_combo.currentData()))
        self.tree.itemSelectionChanged.connect(self._tree_selected)
        self.source_combo.currentIndexChanged.connect(self._source_chosen)
        self.digit_spin.valueChanged.connect(self._digit_chosen)
        self.open_button.clicked.connect(self.open_file_dialog)
        self.webcam_button.clicked.connect(self.webcam_frame)
        self.open_models_button.clicked.connect(lambda: self.ctx.switch_to("models"))
        self.train_button.clicked.connect(lambda: self.start_training(switch=True))
        self.cta_button.clicked.connect(lambda: self.start_training(switch=True))
        self.grid.tileClicked.connect(self._tile_clicked)
        self.sort_check.toggled.connect(m.set_sort)
        self.shared_check.toggled.connect(lambda _value: self._fill_grid())
        self.show_combo.currentIndexChanged.connect(lambda _value: self._fill_grid())
        self.start_train_button.clicked.connect(lambda: self.start_training(switch=False))
        self.cancel_train_button.clicked.connect(self._cancel_training)
        self.res_start_button.clicked.connect(self.start_residual)
        self.res_cancel_button.clicked.connect(self._cancel_residual)
        m.modelChanged.connect(self._model_changed)
        m.layerChanged.connect(self._layer_changed)
        m.imageChanged.connect(self._image_changed)
        m.resultChanged.connect(self._result_changed)
        m.selectedChanged.connect(self._selected_changed)
        m.sortChanged.connect(lambda _value: self._fill_grid())
        m.trainingUpdated.connect(self._training_update)
        m.trainingFinished.connect(self._training_finished)
        m.residualUpdated.connect(self._residual_update)
        m.residualFinished.connect(self._residual_finished)
        m.busyChanged.connect(self._update_buttons)

    # -- model / layer view --

    def _model_changed(self) -> None:
        st = self.model.model_state
        with QSignalBlocker(self.model_combo):
            self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(st.name)))
        fm = st.feature_model
        if st.status == "loading":
            self.note.setStyleSheet(_BANNER_INFO)
            self.note.setText(st.message)
        elif st.status == "ready" and fm is not None and fm.pretrained:
            self.note.setStyleSheet(_BANNER_OK)
            self.note.setText(fm.note_text())
        elif st.status == "ready" and fm is not None:
            self.note.setStyleSheet(_BANNER_WARN)
            self.note.setText(_(
                "<b>Pretrained weights are not installed — the maps below use random weights and are not meaningful.</b> "
                "Download or import them in the Models panel; top-5 classes appear once they are installed."
            ))
        elif st.status == "untrained":
            self.note.setStyleSheet(_BANNER_WARN)
            self.note.setText(_("<b>LeNet-5 is not trained yet.</b> Training takes {duration} and is saved for next time.").format(duration=_(_TRAIN_SECONDS)))
        else:
            self.note.setStyleSheet(_BANNER_WARN)
            self.note.setText(st.message)
        self.cta.setVisible(st.status == "untrained")
        self._fill_tree()
        self._fill_grid()
        self._update_buttons()

    def _fill_tree(self) -> None:
        st = self.model.model_state
        with QSignalBlocker(self.tree):
            self.tree.clear()
            if st.tree is None:
                return

            def add(parent, node: featmaps.LayerNode) -> None:
                item = QTreeWidgetItem(parent, [node.short, node.type])
                item.setData(0, Qt.ItemDataRole.UserRole, node.name)
                item.setToolTip(0, node.name)
                for child in node.children:
                    add(item, child)

            for child in st.tree.children:
                add(self.tree, child)
            top_level = self.tree.topLevelItemCount()
            if top_level <= 16:
                for i in range(top_level):
                    self.tree.topLevelItem(i).setExpanded(False)
        self._layer_changed(self.model.layer)

    def tree_item(self, name: str) -> QTreeWidgetItem | None:
        """The tree item for a qualified layer name."""
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item.data(0, Qt.ItemDataRole.UserRole) == name:
                return item
            stack.extend(item.child(i) for i in range(item.childCount()))
        return None

    def select_layer(self, name: str) -> None:
        """Select ``name`` in the tree (as a click would)."""
        item = self.tree_item(name)
        if item is None:
            raise KeyError(name)
        self.tree.setCurrentItem(item)

    def _tree_selected(self) -> None:
        items = self.tree.selectedItems()
        if items:
            self.model.set_layer(items[0].data(0, Qt.ItemDataRole.UserRole))

    def _layer_changed(self, name: str) -> None:
        item = self.tree_item(name)
        with QSignalBlocker(self.tree):
            if item is not None:
                parent = item.parent()
                while parent is not None:
                    parent.setExpanded(True)
                    parent = parent.parent()
                self.tree.setCurrentItem(item)
                self.tree.scrollToItem(item)
        self._update_header()

    # -- input --

    def _source_chosen(self) -> None:
        source = self.source_combo.currentData()
        self.digit_spin.setEnabled(source == "digit")
        if source == "file":
            self.open_file_dialog()
        else:
            self.model.use_source(source)

    def _digit_chosen(self, value: int) -> None:
        with QSignalBlocker(self.source_combo):
            self.source_combo.setCurrentIndex(self.source_combo.findData("digit"))
        self.model.set_digit(value)

    def open_file_dialog(self) -> None:
        path = ask_image_path(self, N_("Open an image"))
        if path:
            self.open_image(path)

    def open_image(self, path: Path) -> None:
        try:
            rgb = load_image(path)
        except ImageLoadError as exc:
            message = _("Could not open {file}: {reason}").format(file=Path(path).name, reason=exc.reason)
            self.input_label.setText(f"<span style='color:#b03020'>{message}</span>")
            return
        with QSignalBlocker(self.source_combo):
            self.source_combo.setCurrentIndex(self.source_combo.findData("file"))
        self.model.set_image(rgb, Path(path).name)

    def webcam_frame(self) -> None:
        """Grab one frame from the first camera; say so plainly when there is none."""
        import cv2

        cap = cv2.VideoCapture(0)
        try:
            ok, frame = cap.read() if cap.isOpened() else (False, None)
        finally:
            cap.release()
        if not ok or frame is None:
            message = _("No camera could be opened (device 0). Use a sample or your own image.")
            self.input_label.setText(f"<span style='color:#b03020'>{message}</span>")
            return
        self.model.set_image(np.ascontiguousarray(frame[:, :, ::-1]), "webcam frame", kind="webcam")

    def _image_changed(self) -> None:
        self.input_label.setText(_("Input: {image}").format(image=self.model.image_text()))
        if self.model.image is not None and (self.model.result is None):
            self.input_view.set_image(self.model.image)

    # -- results --

    def _update_header(self) -> None:
        m = self.model
        r = m.result
        st = m.model_state
        title = self.model_combo.currentText()
        if r is None:
            if m.error:
                self.header.setText(f"<b>{m.layer}</b>: <span style='color:#b03020'>{m.error}</span>")
            elif st.status == "untrained":
                self.header.setText(_("<b>{model}</b> · layer <b>{layer}</b>").format(model=title, layer=m.layer))
            else:
                self.header.setText(_("<b>{model}</b> · layer <b>{layer}</b> · computing…").format(model=title, layer=m.layer or "—") if m.busy else f"<b>{title}</b>")
            self.top5.setText("")
            return
        shape = shapes.format_batch_shape(r.output_shape)  # says its order, follows View ▸ Shape notation
        c = r.activations.shape[0]
        warn = "" if r.pretrained else f" · <span style='color:#b06000'><b>{_(featmaps.RANDOM_NOTE)}</b></span>"
        self.header.setText(_("<b>{model}</b> · layer <b>{layer}</b> · output {shape} · {channels} channels").format(
            model=title, layer=r.layer, shape=shape, channels=c) + warn)
        if r.top5:
            label = _("Prediction") if st.name == "lenet5_digits" else _("Top-5")
            self.top5.setText(_("{label}: {classes}").format(label=label, classes=", ".join(f"<b>{name}</b> {p * 100:.1f}%" for name, p in r.top5)))
        elif not r.pretrained:
            self.top5.setText(_("No classes are predicted with random weights."))
        else:
            self.top5.setText("")

    def _result_changed(self) -> None:
        r = self.model.result
        if r is not None:
            self.input_view.set_image(r.input_image)
        elif self.model.image is not None:
            self.input_view.set_image(self.model.image)
        self._update_header()
        self._fill_grid()

    def _fill_grid(self) -> None:
        r = self.model.result
        st = self.model.model_state
        if r is None:
            self.grid.placeholder = self.model.error or ("" if st.status == "untrained" else _("Computing…"))
            self.grid.set_tiles(self._training_digits() if st.status == "untrained" else [])
            untrained = st.status == "untrained" and self.model.image is not None
            self.big_view.set_image(_upscale(self.model.image) if untrained else None)
            self.big_label.setText(
                _("Input: {image}. Left: 40 of the 1,797 training digits; click one to use it as the input.").format(image=self.model.image_text())
                if untrained else ""
            )
            return
        limit = int(self.show_combo.currentData())
        seq = self.model.channel_sequence()[:limit]
        shared = self.shared_check.isChecked()
        lo, hi = (float(r.activations.min()), float(r.activations.max())) if shared else (None, None)
        tiles = [(ch, apply_colormap(featmaps.map_to_uint8(r.activations[ch], lo, hi)), f"{ch}") for ch in seq]
        self.grid.set_tiles(tiles)
        self.grid.set_selected(self.model.selected)
        self._selected_changed(self.model.selected)

    def _training_digits(self) -> list[tuple[int, np.ndarray, str]]:
        """The first 40 data set digits as tiles (shown while LeNet-5 is untrained)."""
        from engine.samples import load_digits
        from engine.train.digits import digit_image

        _images, labels = load_digits()
        tile = _("a {digit}")
        return [(-1 - i, digit_image(i), tile.format(digit=labels[i])) for i in range(40)]

    def _tile_clicked(self, key: int) -> None:
        if key < 0:  # a training digit tile: use it as the input
            self.digit_spin.setValue(-1 - key)
        else:
            self.model.select_channel(key)

    def _selected_changed(self, channel: int) -> None:
        r = self.model.result
        self.grid.set_selected(channel)
        if r is None or not 0 <= channel < r.activations.shape[0]:
            self.big_view.set_image(None)
            self.big_label.setText("")
            return
        a = r.activations[channel]
        rank = int(np.nonzero(r.order == channel)[0][0]) + 1
        self.big_view.set_image(_upscale(apply_colormap(featmaps.map_to_uint8(a))))
        self.big_label.setText(
            _("Channel <b>{channel}</b> ({w}×{h}): mean {mean:.3f}, min {lo:.3f}, max {hi:.3f}; rank {rank} of {count} by mean").format(
                channel=channel, w=a.shape[1], h=a.shape[0], mean=r.means[channel], lo=a.min(), hi=a.max(), rank=rank,
                count=r.activations.shape[0])
        )

    def _update_buttons(self) -> None:
        m = self.model
        training = m.train_handle is not None
        st = m.model_state
        self.train_button.setVisible(st.name == "lenet5_digits" and st.status in ("untrained", "ready"))
        self.train_button.setText(_("Retrain LeNet-5") if st.status == "ready" else _("Train LeNet-5 ({duration})").format(duration=_(_TRAIN_SECONDS)))
        self.train_button.setEnabled(not training)
        self.cta_button.setEnabled(not training)
        self.open_models_button.setVisible(st.feature_model is not None and st.feature_model.weights_missing is not None)
        self.start_train_button.setEnabled(not training)
        self.cancel_train_button.setEnabled(training)
        running = m.residual_handle is not None
        self.res_start_button.setEnabled(not running)
        self.res_cancel_button.setEnabled(running)
        self._update_header()

    # -- lifecycle --

    def _compose_texts(self) -> None:
        """Texts built from pieces (re-done when the language changes)."""
        self.cta_text.setText(
            "<h3>" + _("LeNet-5 is not trained yet") + "</h3>"
            + _("Train it here on the 1,797 handwritten digits bundled with scikit-learn: it reaches about 97% "
                "accuracy on held-out digits in {duration} on a laptop CPU, and is saved for next time. "
                "Its layers are listed on the left; the maps appear as soon as it is trained. "
                "Or pick an ImageNet model above.").format(duration=_(_TRAIN_SECONDS))
        )
        self.cta_button.setText(_("Train LeNet-5 on digits ({duration})").format(duration=_(_TRAIN_SECONDS)))

    def retranslate(self) -> None:
        self._compose_texts()
        for i in range(self.source_combo.count()):
            data = self.source_combo.itemData(i)
            if isinstance(data, str) and data.startswith("photo:"):
                self.source_combo.setItemText(i, _("Photo: {name}").format(name=sample_title(data.split(":", 1)[1])))
        for i in range(self.show_combo.count()):
            self.show_combo.setItemText(i, _("Show {n}").format(n=self.show_combo.itemData(i)))
        for i in range(self.model_combo.count()):
            choice = next((c for c in featmaps.FEATURE_MODELS if c.name == self.model_combo.itemData(i)), None)
            if choice is not None:
                self.model_combo.setItemText(i, _(choice.title))
        self._model_changed()
        self.input_label.setText(_("Input: {image}").format(image=self.model.image_text()))
        self._fill_grid()
        if not self.model.result:
            self.train_status.setText(self._saved_model_text())
            self._show_saved_confusion()
        for message, label in ((self.model.training_message, self.train_status), (self.model.residual_message, self.res_status)):
            if message is not None:
                label.setText(_(message[0]).format(**message[1]))
        self._update_header()  # the output shape in the notation now chosen

    def screenshot_ready(self) -> bool:
        return not self.model.busy

    def shutdown(self) -> None:
        for handle in (self.model.train_handle, self.model.residual_handle):
            if handle is not None:
                handle.cancel()
