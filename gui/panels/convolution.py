"""Convolution lab: animated convolution with padding, stride, dilation, multi-channel filters and pooling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _
from engine import conv
from engine.i18n import _
from engine.io import load_image
from engine.samples import SAMPLE_PHOTOS, sample_image

from ..panel import Panel
from ..widgets.conv_animation import ConvAnimationView
from ..widgets.conv_feature_maps import ConvFeatureMaps
from ..widgets.conv_grid_editor import ConvGridEditor
from ..widgets.conv_heatmap import ConvHeatmap
from ..widgets.conv_kernel_stacks import ConvKernelStacks
from ..widgets.image_view import ImageView
from .convolution_model import INPUT_PRESETS, POOL_CHOICES, ConvLabModel
from ..dialogs import ask_image_path

__all__ = ["ConvolutionPanel", "coverage_caption", "formula_html"]

_RED = "#c62828"
_AMBER = "#9a6700"
_FILE_ITEM = "file"  # item data of the Sample box's entry for an opened file


def formula_html(m: ConvLabModel) -> str:
    """The output-size formula with the current numbers (and the pooling's, if any)."""
    n, f, p, s, d = m.n, m.f, m.padding, m.stride, m.dilation
    top = n + 2 * p - d * (f - 1) - 1
    head = f"<b>o = ⌊(n + 2p − d(f−1) − 1)/s⌋ + 1</b> = ⌊({n} + 2·{p} − {d}·({f}−1) − 1)/{s}⌋ + 1"
    if top < 0 or m.anim is None:
        return f"{head} = ⌊{top}/{s}⌋ + 1 → <span style='color:{_RED}'><b>no output</b></span>"
    o = top // s + 1
    text = f"{head} = ⌊{top}/{s}⌋ + 1 = <b>{o}</b> &nbsp;→&nbsp; output {m.filters}×{o}×{o}"
    pool = m.anim.pool
    if pool is not None:
        if pool.kind == "global":
            text += f"<br>global average pooling → {m.filters} × 1 × 1"
        else:
            ps, pst = pool.window[0], pool.stride
            text += f"<br>{pool.kind} pool {ps}×{ps}, stride {pst}: ⌊({o} − {ps}) / {pst}⌋ + 1 = <b>{pool.out_size[0]}</b> → {m.filters} × {pool.out_size[0]} × {pool.out_size[1]}"
    elif m.pool_error:
        text += f"<br><span style='color:{_RED}'>pooling: {m.pool_error}</span>"
    return text


def _nowrap(expr: str) -> str:
    """``expr`` as one unbreakable piece of rich text (no line break inside a formula)."""
    return "<span style='white-space:nowrap'>" + expr.replace(" ", "&nbsp;") + "</span>"


def coverage_caption(m: ConvLabModel) -> str:
    """The coverage heat map's caption; each setting and each number stays on one line (no-break spaces)."""
    nb = "\u00a0"
    settings = f"n={m.n}, f={m.f}, p={m.padding}, s={m.stride}, d={m.dilation}".replace(" ", nb)
    cov = m.coverage()
    if cov is None:
        return _("Windows that read each input pixel ({settings})").format(settings=settings)
    text = _("Windows that read each input pixel ({settings}): corner {corner}, centre {centre}, from {low} to {high}").format(
        settings=settings, corner=cov[0, 0], centre=cov[m.n // 2, m.n // 2], low=cov.min(), high=cov.max()
    )
    # glue each number to the word before it, and "from a to b" together
    for word in ("corner ", "centre ", "from ", " to "):
        text = text.replace(word, word.replace(" ", nb))
    return text


def _no_output(reason: str) -> str:
    """'No output: <reason>' without saying it twice."""
    return reason[0].upper() + reason[1:] if reason.lower().startswith("no output") else f"No output: {reason}"


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    return box


class ConvolutionPanel(Panel):
    panel_id = "convolution"
    title = N_("Convolution")
    summary = N_("Step through a convolution: padding, stride, dilation, RGB filters, pooling, and your own photos")
    accepts_images = True

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = ConvLabModel(self)
        self.note = ""
        self._photo_job = None
        self._photo_dirty = False
        self._last_maps: conv.FeatureMaps | None = None
        self._file_photo: tuple[np.ndarray, str] | None = None
        self._photo_timer = QTimer(self)
        self._photo_timer.setSingleShot(True)
        self._photo_timer.setInterval(150)
        self._photo_timer.timeout.connect(self.refresh_photo)

        root = QHBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFixedWidth(252)  # leaves the animation room for numbered cells in a 1024-wide window
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._build_controls())
        root.addWidget(scroll)

        right = QVBoxLayout()
        self.formula = QLabel()
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.formula.setWordWrap(True)
        big = self.formula.font()
        big.setPointSizeF(max(big.pointSizeF(), 1.0) * 1.15)
        self.formula.setFont(big)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.formula)
        right.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_animation_tab(), "Animation")
        self.tabs.addTab(self._build_edit_tab(), "Input && kernels")
        self.tabs.addTab(self._build_coverage_tab(), "Coverage && parameters")
        self.tabs.addTab(self._build_photo_tab(), "Real image")
        self.tabs.currentChanged.connect(self._on_tab)
        right.addWidget(self.tabs, 1)
        root.addLayout(right, 1)

        m = self.model
        m.inputChanged.connect(self._sync_input)
        m.filtersChanged.connect(self._sync_filters)
        m.settingsChanged.connect(self._sync_settings)
        m.traceChanged.connect(self._sync_trace)
        m.stepChanged.connect(self._sync_step)
        m.playingChanged.connect(self._sync_playing)
        m.photoChanged.connect(self._sync_photo)
        self._sync_input()
        self._sync_filters()
        self._sync_settings()
        self._sync_trace()

    # -- construction --

    def _build_controls(self) -> QWidget:
        w = QWidget()
        col = QVBoxLayout(w)
        col.setContentsMargins(4, 4, 4, 4)

        g = QGroupBox("Input")
        form = QFormLayout(g)
        self.n_spin = _spin(3, 32, self.model.n, "Input size n (n×n)")
        self.channels_combo = QComboBox()
        self.channels_combo.addItems(["1 (grey)", "3 (RGB)"])
        self.input_preset_combo = QComboBox()
        self.input_preset_combo.addItems(INPUT_PRESETS)
        self.input_preset_combo.setToolTip("Fill the input grid (edit single cells in the Input & kernels tab)")
        form.addRow("Size n", self.n_spin)
        form.addRow("Channels", self.channels_combo)
        form.addRow("Preset", self.input_preset_combo)
        col.addWidget(g)

        g = QGroupBox("Filters")
        form = QFormLayout(g)
        self.filters_spin = _spin(1, 4, 1, "Number of filters = depth of the output")
        self.kernel_spin = _spin(1, 7, 3, "Kernel size f (f×f per channel)")
        self.kernel_preset_combo = QComboBox()
        self.kernel_preset_combo.addItems(conv.KERNEL_PRESETS)
        self.kernel_target_combo = QComboBox()
        self.red_button = QPushButton("Red-channel vertical edge")
        self.red_button.setToolTip("RGB input, one filter: the red kernel is a vertical edge, green and blue are all zero")
        form.addRow("Filters", self.filters_spin)
        form.addRow("Kernel f", self.kernel_spin)
        form.addRow("Preset", self.kernel_preset_combo)
        form.addRow("Apply to", self.kernel_target_combo)
        form.addRow(self.red_button)
        col.addWidget(g)

        g = QGroupBox("Padding, stride, dilation")
        form = QFormLayout(g)
        self.padding_spin = _spin(0, 5, 0, "Padding p on every side")
        self.valid_button = QPushButton("valid")
        self.valid_button.setToolTip("No padding (p = 0)")
        self.same_button = QPushButton("same")
        self.same_button.setToolTip("Pad so the output keeps the input size at stride 1: p = d(f−1)/2")
        row = QHBoxLayout()
        row.addWidget(self.padding_spin, 1)
        row.addWidget(self.valid_button)
        row.addWidget(self.same_button)
        self.mode_combo = QComboBox()
        self.mode_combo.addItems(conv.PADDING_MODES)
        self.stride_spin = _spin(1, 5, 1, "Stride s: how far the window moves")
        self.dilation_spin = _spin(1, 4, 1, "Dilation d: spacing between kernel taps")
        form.addRow("Padding p", row)
        form.addRow("Mode", self.mode_combo)
        form.addRow("Stride s", self.stride_spin)
        form.addRow("Dilation d", self.dilation_spin)
        col.addWidget(g)

        g = QGroupBox("Pooling")
        form = QFormLayout(g)
        self.pool_combo = QComboBox()
        self.pool_combo.addItems(POOL_CHOICES)
        self.pool_size_spin = _spin(1, 4, 2, "Pooling window size")
        self.pool_stride_spin = _spin(1, 4, 2, "Pooling stride")
        form.addRow("Pooling", self.pool_combo)
        form.addRow("Size", self.pool_size_spin)
        form.addRow("Stride", self.pool_stride_spin)
        col.addWidget(g)
        col.addStretch(1)
        for combo in w.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        for button in w.findChildren(QPushButton):
            button.setMinimumWidth(48)  # short labels: the style's 80 px minimum would widen the column
        for form in w.findChildren(QFormLayout):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        m = self.model
        self.n_spin.valueChanged.connect(m.set_n)
        self.channels_combo.currentIndexChanged.connect(lambda i: m.set_channels(1 if i == 0 else 3))
        self.input_preset_combo.activated.connect(lambda i: m.set_input_preset(INPUT_PRESETS[i]))
        self.filters_spin.valueChanged.connect(m.set_filter_count)
        self.kernel_spin.valueChanged.connect(m.set_kernel_size)
        self.kernel_preset_combo.activated.connect(self._apply_kernel_preset)
        self.red_button.clicked.connect(m.use_red_vertical_edge)
        self.padding_spin.valueChanged.connect(m.set_padding)
        self.valid_button.clicked.connect(m.set_valid)
        self.same_button.clicked.connect(self.use_same)
        self.mode_combo.currentTextChanged.connect(m.set_padding_mode)
        self.stride_spin.valueChanged.connect(m.set_stride)
        self.dilation_spin.valueChanged.connect(m.set_dilation)
        self.pool_combo.currentTextChanged.connect(lambda kind: m.set_pool(kind=kind))
        self.pool_size_spin.valueChanged.connect(lambda v: m.set_pool(size=v))
        self.pool_stride_spin.valueChanged.connect(lambda v: m.set_pool(stride=v))
        return w

    def _build_animation_tab(self) -> QWidget:
        w = QWidget()
        col = QVBoxLayout(w)
        col.setContentsMargins(4, 4, 4, 4)
        self.view = ConvAnimationView()
        col.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.back_button = QPushButton("◀ Back")
        self.play_button = QPushButton("▶ Play")
        self.play_button.setMinimumWidth(84)
        self.forward_button = QPushButton("Step ▶")
        self.scrub = QSlider(Qt.Orientation.Horizontal)
        self.scrub.setToolTip("Scrub through the steps")
        self.step_label = QLabel()
        self.step_label.setMinimumWidth(70)
        self.speed_spin = QDoubleSpinBox()
        self.speed_spin.setRange(0.25, 120)
        self.speed_spin.setDecimals(2)
        self.speed_spin.setValue(self.model.speed)
        self.speed_spin.setSuffix(" steps/s")
        self.speed_spin.setToolTip("Playback speed")
        for b in (self.back_button, self.play_button, self.forward_button):
            row.addWidget(b)
        row.addWidget(self.scrub, 1)
        row.addWidget(self.step_label)
        row.addWidget(self.speed_spin)
        col.addLayout(row)
        row = QHBoxLayout()
        self.code_button = QPushButton("Copy PyTorch code")
        self.code_button.setToolTip("Copy the equivalent nn.Conv2d (and pooling) code, with this input and these weights")
        self.export_button = QPushButton("Export GIF/MP4…")
        row.addWidget(self.code_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        self.legend = QLabel("yellow: window · hatched: padding · blue < 0 < red")
        self.legend.setStyleSheet("color: gray;")
        self.legend.setWordWrap(True)
        row.addWidget(self.legend)
        col.addLayout(row)
        m = self.model
        self.back_button.clicked.connect(m.step_back)
        self.forward_button.clicked.connect(m.step_forward)
        self.play_button.clicked.connect(m.toggle_play)
        self.scrub.valueChanged.connect(m.set_step)
        self.speed_spin.valueChanged.connect(m.set_speed)
        self.code_button.clicked.connect(self.copy_code)
        self.export_button.clicked.connect(self.export_dialog)
        for key, action, tip in (
            (Qt.Key.Key_Space, m.toggle_play, "Space: play/pause"),
            (Qt.Key.Key_Right, m.step_forward, "Right: next step"),
            (Qt.Key.Key_Left, m.step_back, "Left: previous step"),
            (Qt.Key.Key_Home, lambda: m.set_step(0), "Home: first step"),
            (Qt.Key.Key_End, lambda: m.set_step(m.total_steps - 1), "End: last step"),
        ):
            shortcut = QShortcut(QKeySequence(key), w)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setToolTip("Space: play/pause · ←/→: step · Home/End: first/last step")
        return w

    def _build_edit_tab(self) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        left = QVBoxLayout()
        head = QHBoxLayout()
        title = QLabel("<b>Input</b> (double-click a cell to edit)")
        title.setWordWrap(True)
        head.addWidget(title, 1)
        head.addStretch(1)
        head.addWidget(QLabel("channel"))
        self.edit_channel_combo = QComboBox()
        head.addWidget(self.edit_channel_combo)
        left.addLayout(head)
        self.input_editor = ConvGridEditor(max_cell=44)
        left.addWidget(self.input_editor, 1)
        row.addLayout(left, 3)
        right = QVBoxLayout()
        about = QLabel("<b>Filters</b>: each is a stack of one kernel per input channel; click one to edit it")
        about.setWordWrap(True)
        right.addWidget(about)
        self.stacks = ConvKernelStacks()
        right.addWidget(self.stacks)
        head = QHBoxLayout()
        self.edit_filter_combo = QComboBox()
        self.edit_kchannel_combo = QComboBox()
        self.bias_spin = QDoubleSpinBox()
        self.bias_spin.setRange(-1000, 1000)
        self.bias_spin.setDecimals(2)
        head.addWidget(QLabel("Filter"))
        head.addWidget(self.edit_filter_combo)
        head.addWidget(QLabel("channel"))
        head.addWidget(self.edit_kchannel_combo)
        head.addStretch(1)
        right.addLayout(head)
        head = QHBoxLayout()  # bias on its own row: one row of all five is too wide for a small screen
        head.addWidget(QLabel("bias"))
        head.addWidget(self.bias_spin)
        head.addStretch(1)
        right.addLayout(head)
        self.kernel_editor = ConvGridEditor(max_cell=48)
        right.addWidget(self.kernel_editor, 1)
        row.addLayout(right, 2)
        m = self.model
        self.edit_channel_combo.currentIndexChanged.connect(lambda _: self._sync_input())
        self.input_editor.cellEdited.connect(lambda r, c, v: m.set_cell(max(0, self.edit_channel_combo.currentIndex()), r, c, v))
        self.stacks.filterClicked.connect(self.edit_filter_combo.setCurrentIndex)
        self.edit_filter_combo.currentIndexChanged.connect(lambda _: self._sync_kernel_editor())
        self.edit_kchannel_combo.currentIndexChanged.connect(lambda _: self._sync_kernel_editor())
        self.kernel_editor.cellEdited.connect(
            lambda r, c, v: m.set_kernel_value(max(0, self.edit_filter_combo.currentIndex()), max(0, self.edit_kchannel_combo.currentIndex()), r, c, v)
        )
        self.bias_spin.valueChanged.connect(lambda v: m.set_bias(max(0, self.edit_filter_combo.currentIndex()), v))
        return w

    def _build_coverage_tab(self) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        self.heatmap = ConvHeatmap()
        row.addWidget(self.heatmap, 3)
        self.params_label = QLabel()
        self.params_label.setTextFormat(Qt.TextFormat.RichText)
        self.params_label.setWordWrap(True)
        self.params_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.params_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.params_label, 2)
        return w

    def _build_photo_tab(self) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        left = QVBoxLayout()
        self.sample_combo = QComboBox()
        self.sample_combo.addItems(SAMPLE_PHOTOS)
        self.sample_combo.setCurrentText("chelsea")
        self.open_button = QPushButton("Open image…")
        self.open_button.setToolTip("Or drop an image file on the window")
        head = QHBoxLayout()
        head.addWidget(QLabel("Sample"))
        head.addWidget(self.sample_combo, 1)
        left.addLayout(head)
        left.addWidget(self.open_button)
        self.photo_view = ImageView("Pick a sample or open a photo")
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

    # -- model → view --

    def _sync_input(self) -> None:
        m = self.model
        with QSignalBlocker(self.n_spin), QSignalBlocker(self.channels_combo), QSignalBlocker(self.input_preset_combo), QSignalBlocker(self.edit_channel_combo):
            self.n_spin.setValue(m.n)
            self.channels_combo.setCurrentIndex(0 if m.channels == 1 else 1)
            self.input_preset_combo.setCurrentText(m.input_preset)
            names = ["grey"] if m.channels == 1 else ["R", "G", "B"]
            if self.edit_channel_combo.count() != len(names):
                current = self.edit_channel_combo.currentIndex()
                self.edit_channel_combo.clear()
                self.edit_channel_combo.addItems(names)
                self.edit_channel_combo.setCurrentIndex(min(max(current, 0), len(names) - 1))
        ch = max(0, self.edit_channel_combo.currentIndex())
        self.input_editor.set_values(m.input[ch], float(max(np.abs(m.input).max(), 1e-9)))

    def _sync_filters(self) -> None:
        m = self.model
        with QSignalBlocker(self.filters_spin), QSignalBlocker(self.kernel_spin), QSignalBlocker(self.kernel_target_combo), QSignalBlocker(self.edit_filter_combo), QSignalBlocker(self.edit_kchannel_combo):
            self.filters_spin.setValue(m.filters)
            self.kernel_spin.setValue(m.f)
            targets = ["all filters"] + [f"filter {k + 1}" for k in range(m.filters)]
            if [self.kernel_target_combo.itemText(i) for i in range(self.kernel_target_combo.count())] != targets:
                current = self.kernel_target_combo.currentIndex()
                self.kernel_target_combo.clear()
                self.kernel_target_combo.addItems(targets)
                self.kernel_target_combo.setCurrentIndex(min(max(current, 0), len(targets) - 1))
            fnames = [f"{k + 1}" for k in range(m.filters)]
            if self.edit_filter_combo.count() != len(fnames):
                current = self.edit_filter_combo.currentIndex()
                self.edit_filter_combo.clear()
                self.edit_filter_combo.addItems(fnames)
                self.edit_filter_combo.setCurrentIndex(min(max(current, 0), len(fnames) - 1))
            cnames = ["grey"] if m.channels == 1 else ["R", "G", "B"]
            if self.edit_kchannel_combo.count() != len(cnames):
                self.edit_kchannel_combo.clear()
                self.edit_kchannel_combo.addItems(cnames)
        self.stacks.set_filters(m.weights, m.bias, m.presets, max(0, self.edit_filter_combo.currentIndex()))
        self._sync_kernel_editor()
        self._clear_note()

    def _sync_kernel_editor(self) -> None:
        m = self.model
        k = min(max(0, self.edit_filter_combo.currentIndex()), m.filters - 1)
        ch = min(max(0, self.edit_kchannel_combo.currentIndex()), m.channels - 1)
        self.kernel_editor.set_values(m.weights[k, ch], float(max(np.abs(m.weights).max(), 1e-9)))
        with QSignalBlocker(self.bias_spin):
            self.bias_spin.setValue(float(m.bias[k]))
        self.stacks.selected = k
        self.stacks.update()

    def _sync_settings(self) -> None:
        m = self.model
        with QSignalBlocker(self.padding_spin), QSignalBlocker(self.mode_combo), QSignalBlocker(self.stride_spin), QSignalBlocker(self.dilation_spin), QSignalBlocker(self.pool_combo), QSignalBlocker(self.pool_size_spin), QSignalBlocker(self.pool_stride_spin):
            self.padding_spin.setValue(m.padding)
            self.mode_combo.setCurrentText(m.padding_mode)
            self.stride_spin.setValue(m.stride)
            self.dilation_spin.setValue(m.dilation)
            self.pool_combo.setCurrentText(m.pool_kind)
            self.pool_size_spin.setValue(m.pool_size)
            self.pool_stride_spin.setValue(m.pool_stride)
        windowed = m.pool_kind in ("max", "avg")
        self.pool_size_spin.setEnabled(windowed)
        self.pool_stride_spin.setEnabled(windowed)
        self._clear_note()

    def _sync_trace(self) -> None:
        m = self.model
        self.formula.setText(formula_html(m))
        self.view.set_animation(m.anim, _no_output(m.error) if m.error else "")
        ok = m.anim is not None
        for b in (self.play_button, self.back_button, self.forward_button, self.scrub, self.export_button, self.code_button):
            b.setEnabled(ok)
        with QSignalBlocker(self.scrub):
            self.scrub.setRange(0, max(0, m.total_steps - 1))
            self.scrub.setValue(m.step)
        self._show_message()
        self.heatmap.set_values(m.coverage(), coverage_caption(m))
        self.params_label.setText(self._params_html())
        self._sync_step(m.step)
        if self.tabs.currentIndex() == 3:
            self._photo_timer.start()

    def _sync_step(self, k: int) -> None:
        m = self.model
        self.view.set_step(k)
        with QSignalBlocker(self.scrub):
            self.scrub.setValue(k)
        self.step_label.setText(f"{k + 1} / {m.total_steps}" if m.total_steps else "–")

    def _sync_playing(self, playing: bool) -> None:
        self.play_button.setText("❚❚ Pause" if playing else "▶ Play")

    def _show_message(self) -> None:
        m = self.model
        if m.error:
            self.message.setText(f"<span style='color:{_RED}'>{_no_output(m.error)}. The animation is off until the settings give an output.</span>")
        elif self.note:
            self.message.setText(f"<span style='color:{_AMBER}'>{self.note}</span>")
        else:
            self.message.setText("")
        self.message.setVisible(bool(self.message.text()))

    def _clear_note(self) -> None:
        if self.note:
            self.note = ""
            self._show_message()

    def _params_html(self) -> str:
        m = self.model
        cmp = m.params()
        if cmp is None:
            return "<p>No output with these settings, so there is no layer to count.</p>"
        c, h, w = cmp.in_shape
        oc, oh, ow = cmp.out_shape
        conv_expr = _nowrap(f"(f·f·c<sub>in</sub> + 1)·c<sub>out</sub> = ({m.f}·{m.f}·{c} + 1)·{oc}")
        dense_expr = _("{weights} weights + {biases} biases").format(
            weights=_nowrap(f"{c * h * w:,} × {oc * oh * ow:,}"), biases=_nowrap(f"{cmp.dense_biases:,}")
        )
        shapes = _("Input {shape_in} → output {shape_out}").format(shape_in=_nowrap(f"{h}×{w}×{c}"), shape_out=_nowrap(f"{oh}×{ow}×{oc}"))
        return (
            "<h3>Parameters</h3>"
            f"<p>{shapes}</p>"
            "<table cellpadding=4>"
            f"<tr><td><b>Conv layer</b></td><td align=right>{conv_expr}</td>"
            f"<td align=right><b>{cmp.conv_total:,}</b></td></tr>"
            f"<tr><td><b>Fully connected</b></td><td align=right>{dense_expr}</td>"
            f"<td align=right><b>{cmp.dense_total:,}</b></td></tr>"
            "</table>"
            f"<p>The fully connected layer needs <b>{cmp.ratio:,.0f}×</b> as many parameters. A conv layer shares one small "
            "filter across every position (parameter sharing) and each output looks only at its window "
            f"(sparse connectivity: {m.f * m.f * c} inputs instead of {c * h * w:,}).</p>"
            "<p style='color:gray'>Classic example: 32×32×3 → 28×28×6 with 5×5 filters is 456 parameters "
            "against 14,450,688 weights plus 4,704 biases.</p>"
        )

    def _sync_photo(self) -> None:
        m = self.model
        self.photo_view.set_image(m.photo)
        self._photo_timer.start()

    # -- actions --

    def _apply_kernel_preset(self, index: int) -> None:
        name = conv.KERNEL_PRESETS[index]
        target = self.kernel_target_combo.currentIndex()
        self.model.set_kernel_preset(name, None if target <= 0 else target - 1)

    def use_same(self) -> str:
        """Press 'same': sets p, or shows why symmetric same padding is impossible."""
        note = self.model.set_same()
        self.note = note
        self._show_message()
        return note

    def copy_code(self) -> str:
        """Copy the layer's PyTorch code and confirm it; "" (nothing copied) when the settings give no output."""
        if self.model.anim is None:
            return ""
        code = self.model.code()
        QApplication.clipboard().setText(code)
        self.ctx.show_message(_("Copied the PyTorch code to the clipboard ({lines} lines)").format(lines=code.count("\n")), 5000)
        return code

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the animation", "convolution.gif", "Animated GIF (*.gif);;MP4 video (*.mp4)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path):
        """Export the animation to ``path`` (.gif or .mp4) in a worker thread; returns the job handle."""
        if self.model.anim is None:
            return None
        if path.suffix.lower() not in conv.EXPORT_FORMATS:
            path = path.with_suffix(".gif")
        fps = min(max(self.model.speed, 1.0), 30.0)
        return self.ctx.jobs.start(
            conv.export_job(self.model.anim, path, fps=fps),
            label="Export animation",
            on_done=lambda r: self.ctx.show_message(f"Wrote {r.frames} frames ({r.width}×{r.height}) to {r.path}", 8000),
            on_error=lambda exc, tb: self.ctx.show_error("Export failed", str(exc), tb),
        )

    # -- real image --

    def _on_tab(self, index: int) -> None:
        if index == 3:
            if self.model.photo is None:
                self.load_sample(self.sample_combo.currentText())
            else:
                self._photo_timer.start()

    def _on_sample_activated(self, index: int) -> None:
        if self.sample_combo.itemData(index) == _FILE_ITEM:
            if self._file_photo is not None and self.model.photo is not self._file_photo[0]:
                self.model.set_photo(*self._file_photo)
            return
        self.load_sample(self.sample_combo.itemText(index))

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
            self.sample_combo.setCurrentText(name)
        self.tabs.setCurrentIndex(3)

    def _open_dialog(self) -> None:
        path = ask_image_path(self)
        if path:
            try:
                self.open_image(path)
            except Exception as exc:  # shown, never a crash
                self.ctx.show_error("Cannot open image", str(exc), "")

    def open_image(self, path: Path) -> None:
        """Use the photo at ``path`` in the Real image tab (raises ``ImageLoadError`` with the reason)."""
        rgb = load_image(path)
        name = Path(path).name
        self._file_photo = (rgb, name)
        self.model.set_photo(rgb, name)
        self._show_file_in_combo(name)
        self.tabs.setCurrentIndex(3)

    def refresh_photo(self) -> None:
        """Recompute the feature maps of the photo (one job at a time; a change during a job reruns it)."""
        m = self.model
        if m.photo is None:
            return
        if m.error:
            self.photo_info.setText(f"<span style='color:{_RED}'>{_no_output(m.error)}</span>")
            self.maps_view.clear()
            return
        if self._photo_job is not None and self._photo_job.running:
            self._photo_dirty = True
            return
        self._photo_dirty = False
        names = list(m.presets)
        photo_name, (h, w) = m.photo_name, m.photo.shape[:2]

        def done(fm: conv.FeatureMaps) -> None:
            self._photo_job = None
            self._last_maps = fm
            self.maps_view.set_result(fm, names)
            gray = " (filters with one channel see the photo's luminance)" if m.channels == 1 else ""
            self.photo_info.setText(f"{photo_name}: {w}×{h}. {len(names)} filter(s) in {fm.seconds * 1000:.0f} ms on {fm.device}{gray}.")
            if self._photo_dirty:
                self.refresh_photo()

        def failed(exc: BaseException, tb: str) -> None:
            self._photo_job = None
            self.photo_info.setText(f"<span style='color:{_RED}'>{exc}</span>")

        self.photo_info.setText(f"Filtering {photo_name}…")
        self._photo_job = self.ctx.jobs.start(m.photo_job(), label="Filter photo", on_done=done, on_error=failed)

    # -- panel protocol --

    def deactivate(self) -> None:
        self.model.pause()

    def shutdown(self) -> None:
        self.model.pause()
        self._photo_timer.stop()  # no new filter job once the panel is closing
