"""Augmentation: preview classic training distortions on a grid and copy the torchvision code."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _
from engine.io import ImageLoadError, load_image
from engine.samples import SAMPLE_PHOTOS, sample_title

from ..panel import Panel
from ..widgets.image_view import ImageView
from ..widgets.tile_grid import TileGrid
from .augmentation_model import AugmentationModel
from ..dialogs import ask_image_path

__all__ = ["AugmentationPanel"]

# (group title, enabling flag, [(field, label, minimum, maximum, step, decimals)])
_GROUPS = (
    (N_("Mirror"), "mirror", [("mirror_p", N_("probability"), 0.0, 1.0, 0.1, 2)]),
    (N_("Random crop"), "crop", [
        ("crop_scale.0", N_("area from"), 0.05, 1.0, 0.05, 2),
        ("crop_scale.1", N_("area to"), 0.05, 1.0, 0.05, 2),
        ("crop_ratio.0", N_("aspect from"), 0.2, 5.0, 0.05, 2),
        ("crop_ratio.1", N_("aspect to"), 0.2, 5.0, 0.05, 2),
    ]),
    (N_("Colour shift (by hand)"), "hand_shift", [
        ("hand_offsets.0", N_("red offset (R)"), -255.0, 255.0, 5.0, 0),
        ("hand_offsets.1", N_("green offset (G)"), -255.0, 255.0, 5.0, 0),
        ("hand_offsets.2", N_("blue offset (B)"), -255.0, 255.0, 5.0, 0),
    ]),
    (N_("Colour offsets (per channel)"), "colour_shift", [("colour_offset", N_("max offset (0-255)"), 0.0, 255.0, 5.0, 0)]),
    (N_("PCA colour (AlexNet)"), "pca", [("pca_std", N_("alpha std"), 0.0, 2.0, 0.05, 2)]),
    (N_("Rotation"), "rotation", [("rotation_degrees", N_("max degrees"), 0.0, 180.0, 5.0, 0)]),
    (N_("Shear"), "shear", [("shear_degrees", N_("max degrees"), 0.0, 60.0, 2.0, 0)]),
    (N_("Elastic warp"), "elastic", [
        ("elastic_alpha", N_("alpha (pixels)"), 0.0, 500.0, 10.0, 0),
        ("elastic_sigma", N_("sigma (smoothness)"), 0.5, 50.0, 0.5, 1),
    ]),
)


class AugmentationPanel(Panel):
    panel_id = "augmentation"
    title = N_("Augmentation")
    summary = N_("Mirror, crop, colour, rotation, shear and elastic warps on a seeded grid; copy the torchvision code")
    accepts_images = True

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = AugmentationModel(ctx.jobs, self)
        self.flags: dict[str, QCheckBox] = {}
        self.values: dict[str, QDoubleSpinBox] = {}
        self._build()
        self._sync_from_model()
        self.model.configChanged.connect(self._sync_from_model)
        self.model.samplesChanged.connect(self._show_samples)
        self.model.imageChanged.connect(lambda: self.original.set_image(self.model.image))
        self.model.errorChanged.connect(self._show_error)
        self.model.use_sample("chelsea")

    def _build(self) -> None:
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 8, 8, 8)
        controls = QWidget()
        cv = QVBoxLayout(controls)
        cv.setContentsMargins(0, 0, 6, 0)
        src = QHBoxLayout()
        self.source_combo = QComboBox()
        for name in SAMPLE_PHOTOS:
            self.source_combo.addItem(_("Photo: {name}").format(name=sample_title(name)), name)
        self.source_combo.setCurrentIndex(SAMPLE_PHOTOS.index("chelsea"))
        self.open_button = QPushButton(_("Open file…"))
        src.addWidget(self.source_combo, 1)
        src.addWidget(self.open_button)
        cv.addLayout(src)
        for title, flag, params in _GROUPS:
            box = QGroupBox(_(title))
            box.setCheckable(True)
            form = QFormLayout(box)
            form.setContentsMargins(8, 4, 8, 4)
            self.flags[flag] = box
            box.toggled.connect(lambda on, f=flag: self.model.update(**{f: on}))
            for field, label, lo, hi, step, decimals in params:
                spin = QDoubleSpinBox()
                spin.setRange(lo, hi)
                spin.setSingleStep(step)
                spin.setDecimals(decimals)
                spin.setKeyboardTracking(False)
                spin.valueChanged.connect(lambda value, f=field: self._value_changed(f, value))
                form.addRow(_(label), spin)
                self.values[field] = spin
            cv.addWidget(box)
        self.flags["hand_shift"].setToolTip(_("The same offsets added to every sample, clipped to 0–255: "
                                              "+20 R, −20 G, +20 B turns the image purple."))
        sample_row = QFormLayout()
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setKeyboardTracking(False)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 64)
        self.count_spin.setKeyboardTracking(False)
        sample_row.addRow(_("Seed"), self.seed_spin)
        sample_row.addRow(_("Samples"), self.count_spin)
        cv.addLayout(sample_row)
        buttons = QHBoxLayout()
        self.reseed_button = QPushButton(_("New seed"))
        self.copy_button = QPushButton(_("Copy code"))
        buttons.addWidget(self.reseed_button)
        buttons.addWidget(self.copy_button)
        cv.addLayout(buttons)
        cv.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setFixedWidth(300)
        row.addWidget(scroll)

        right = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tv = QHBoxLayout(top)
        tv.setContentsMargins(0, 0, 0, 0)
        orig_box = QVBoxLayout()
        self.original = ImageView(_("No image"))
        self.original.setFixedWidth(200)
        self.original.setMinimumHeight(140)
        self.original_label = QLabel(_("Original"))
        self.original_label.setWordWrap(True)
        self.original_label.setFixedWidth(200)
        orig_box.addWidget(self.original_label)
        orig_box.addWidget(self.original)
        orig_box.addStretch(1)
        tv.addLayout(orig_box)
        self.grid = TileGrid(_("Augmented samples appear here"))
        tv.addWidget(self.grid, 1)
        right.addWidget(top)
        code_box = QWidget()
        kv = QVBoxLayout(code_box)
        kv.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        kv.addWidget(self.status)
        self.code_view = QPlainTextEdit()
        self.code_view.setReadOnly(True)
        self.code_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.code_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        kv.addWidget(self.code_view)
        right.addWidget(code_box)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([520, 200])
        row.addWidget(right, 1)

        self.source_combo.currentIndexChanged.connect(lambda _index: self.model.use_sample(self.source_combo.currentData()))
        self.open_button.clicked.connect(self.open_file_dialog)
        self.seed_spin.valueChanged.connect(self.model.set_seed)
        self.count_spin.valueChanged.connect(self.model.set_count)
        self.reseed_button.clicked.connect(lambda: self.seed_spin.setValue(self.seed_spin.value() + 1))
        self.copy_button.clicked.connect(self.copy_code)

    # -- binding --

    def _value_changed(self, field: str, value: float) -> None:
        if "." in field:
            name, idx = field.split(".")
            pair = list(getattr(self.model.config, name))
            pair[int(idx)] = float(value)
            self.model.update(**{name: tuple(pair)})
        else:
            self.model.update(**{field: float(value)})

    def _sync_from_model(self) -> None:
        cfg = self.model.config
        for flag, box in self.flags.items():
            with QSignalBlocker(box):
                box.setChecked(bool(getattr(cfg, flag)))
        for field, spin in self.values.items():
            if "." in field:
                name, idx = field.split(".")
                value = getattr(cfg, name)[int(idx)]
            else:
                value = getattr(cfg, field)
            with QSignalBlocker(spin):
                spin.setValue(float(value))
        with QSignalBlocker(self.seed_spin), QSignalBlocker(self.count_spin):
            self.seed_spin.setValue(self.model.seed)
            self.count_spin.setValue(self.model.n)
        self._update_code()

    def _update_code(self) -> None:
        try:
            self.code_view.setPlainText(self.model.code())
        except ValueError as exc:
            self.code_view.setPlainText(f"# {exc}")

    def _show_samples(self) -> None:
        tile = _("seed {seed}, #{index}")
        self.grid.set_tiles([(i, img, tile.format(seed=self.model.seed, index=i + 1)) for i, img in enumerate(self.model.samples)])
        h, w = self.model.image.shape[:2] if self.model.image is not None else (0, 0)
        self.original_label.setText(_("Original: {image} (preview at {w}×{h})").format(image=self.model.image_text(), w=w, h=h))
        self._update_code()
        if not self.model.error:
            self.status.setText(
                _("{count} samples from seed {seed}. The code below builds the same pipeline: "
                  "call torch.manual_seed({seed}) and apply it {count} times to get this grid.").format(
                    count=len(self.model.samples), seed=self.model.seed)
            )

    def _show_error(self, text: str) -> None:
        if text:
            self.status.setText(f"<span style='color:#b03020'>{text}</span>")

    # -- actions --

    def copy_code(self) -> str:
        """Put the pipeline's code on the clipboard and return it."""
        text = self.model.code()
        QGuiApplication.clipboard().setText(text)
        self.ctx.show_message(_("Augmentation code copied to the clipboard"), 4000)
        return text

    def open_file_dialog(self) -> None:
        path = ask_image_path(self, N_("Open an image"))
        if path:
            self.open_image(path)

    def open_image(self, path: Path) -> None:
        try:
            rgb = load_image(path)
        except ImageLoadError as exc:
            message = _("Could not open {file}: {reason}").format(file=Path(path).name, reason=exc.reason)
            self.status.setText(f"<span style='color:#b03020'>{message}</span>")
            return
        self.model.set_image(rgb, Path(path).name)

    def retranslate(self) -> None:
        for i in range(self.source_combo.count()):
            self.source_combo.setItemText(i, _("Photo: {name}").format(name=self.source_combo.itemData(i)))
        if self.model.samples:
            self._show_samples()
        self._show_error(self.model.error)

    def screenshot_ready(self) -> bool:
        return not self.model.busy and bool(self.model.samples)
