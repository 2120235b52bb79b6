"""Convolution lab: animated convolution with padding, stride, dilation, multi-channel filters and pooling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
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

from engine import conv
from engine.i18n import N_, _

from ..panel import Panel
from ..widgets.conv_animation import ConvAnimationView
from ..widgets.conv_grid_editor import ConvGridEditor
from ..widgets.conv_heatmap import ConvHeatmap
from ..widgets.conv_kernel_stacks import ConvKernelStacks
from ..widgets.conv_shift import ShiftView
from .convolution_photo import PHOTO_TAB, PhotoTab
from .convolution_model import CUSTOM_INPUT, INPUT_PRESETS, MAX_ARITH_N, POOL_CHOICES, ConvLabModel
from .convolution_text import (
    AMBER, INPUT_LABELS, KERNEL_LABELS, MODE_LABELS, POOL_LABELS, RANDOM_WEIGHTS, RED, coverage_caption, formula_html, label, no_output,
    params_html, pointwise_html, shift_html,
)

__all__ = ["ConvolutionPanel", "coverage_caption", "formula_html"]

_PHOTO_TAB, _SHIFT_TAB = PHOTO_TAB, 4


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    return box


def _fill_combo(combo: QComboBox, keys, table: dict[str, str]) -> None:
    """Items showing the translated names, each holding its identifier as data."""
    current = combo.currentData()
    with QSignalBlocker(combo):
        combo.clear()
        for key in keys:
            combo.addItem(label(table, key), key)
        if current is not None:
            combo.setCurrentIndex(max(0, combo.findData(current)))


def _select(combo: QComboBox, key: str) -> None:
    with QSignalBlocker(combo):
        combo.setCurrentIndex(combo.findData(key))


def _channel_names(c: int) -> list[str]:
    if c == 1:
        return [_("grey")]
    if c == 3:
        return ["R", "G", "B"]
    return [str(i + 1) for i in range(c)]


class ConvolutionPanel(PhotoTab, Panel):
    panel_id = "convolution"
    title = N_("Convolution")
    summary = N_("Step through a convolution: padding, stride, dilation, RGB filters, pooling, and your own photos")
    accepts_images = True

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = ConvLabModel(self)
        self.note = ""
        self._shift_key: tuple = ()
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
        self.tabs.addTab(self._build_animation_tab(), _("Animation"))
        edit = QScrollArea()  # many channels or large kernels scroll here instead of widening the window
        edit.setWidgetResizable(True)
        edit.setFrameShape(QScrollArea.Shape.NoFrame)
        edit.setWidget(self._build_edit_tab())
        self.tabs.addTab(edit, _("Input && kernels"))
        self.tabs.addTab(self._build_coverage_tab(), _("Coverage && parameters"))
        self.tabs.addTab(self._build_photo_tab(), _("Real image"))
        self.tabs.addTab(self._build_shift_tab(), _("Translation invariance"))
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

        g = QGroupBox(_("Input"))
        form = QFormLayout(g)
        self.n_spin = _spin(1, MAX_ARITH_N, self.model.n, "")
        self.channels_spin = _spin(1, conv.MAX_CHANNELS, 1, "")
        self._set_composed_tips()
        self.input_preset_combo = QComboBox()
        self.input_preset_combo.setToolTip(_("Fill the input grid (edit single cells in the Input & kernels tab)"))
        self.pool_example_button = QPushButton(_("4×4 pooling example"))
        self.pool_example_button.setToolTip(_("The course's 4×4 input, max pooling 2×2 with stride 2, no convolution"))
        form.addRow(_("Size n"), self.n_spin)
        form.addRow(_("Channels"), self.channels_spin)
        form.addRow(_("Preset"), self.input_preset_combo)
        form.addRow(self.pool_example_button)
        col.addWidget(g)

        g = QGroupBox(_("Filters"))
        form = QFormLayout(g)
        self.filters_spin = _spin(1, 4, 1, _("Number of filters = depth of the output"))
        self.kernel_spin = _spin(1, conv.MAX_KERNEL, 3, _("Kernel size f (f×f per channel)"))
        self.kernel_preset_combo = QComboBox()
        self.kernel_target_combo = QComboBox()
        self.bias_all_spin = QDoubleSpinBox()
        self.bias_all_spin.setRange(-1000, 1000)
        self.bias_all_spin.setDecimals(2)
        self.bias_all_spin.setToolTip(_("Bias b added to every output value of the chosen filter(s)"))
        self.relu_check = QCheckBox(_("ReLU after the bias"))
        self.relu_check.setToolTip(_("One layer of a CNN: output = ReLU(convolution + b), negative values become 0"))
        self.red_button = QPushButton(_("Red-channel vertical edge"))
        self.red_button.setToolTip(_("RGB input, one filter: the red kernel is a vertical edge, green and blue are all zero"))
        form.addRow(_("Filters"), self.filters_spin)
        form.addRow(_("Kernel f"), self.kernel_spin)
        form.addRow(_("Preset"), self.kernel_preset_combo)
        form.addRow(_("Apply to"), self.kernel_target_combo)
        form.addRow(_("Bias b"), self.bias_all_spin)
        form.addRow(self.relu_check)
        form.addRow(self.red_button)
        col.addWidget(g)

        g = QGroupBox(_("Padding, stride, dilation"))
        form = QFormLayout(g)
        self.padding_spin = _spin(0, 5, 0, _("Padding p on every side"))
        self.valid_button = QPushButton(_("valid"))
        self.valid_button.setToolTip(_("No padding (p = 0)"))
        self.same_button = QPushButton(_("same"))
        self.same_button.setToolTip(_("Pad so the output keeps the input size at stride 1: p = d(f−1)/2"))
        for b in (self.valid_button, self.same_button):
            b.setMinimumWidth(44)  # the column is narrow; these short words need no more
        row = QHBoxLayout()
        row.addWidget(self.padding_spin, 1)
        row.addWidget(self.valid_button)
        row.addWidget(self.same_button)
        self.mode_combo = QComboBox()
        self.stride_spin = _spin(1, conv.MAX_STRIDE, 1, _("Stride s: how far the window moves"))
        self.dilation_spin = _spin(1, 4, 1, _("Dilation d: spacing between kernel taps"))
        form.addRow(_("Padding p"), row)
        form.addRow(_("Mode"), self.mode_combo)
        form.addRow(_("Stride s"), self.stride_spin)
        form.addRow(_("Dilation d"), self.dilation_spin)
        col.addWidget(g)

        g = QGroupBox(_("Pooling"))
        form = QFormLayout(g)
        self.pool_combo = QComboBox()
        self.pool_size_spin = _spin(1, 4, 2, _("Pooling window size"))
        self.pool_stride_spin = _spin(1, 4, 2, _("Pooling stride"))
        self.pool_only_check = QCheckBox(_("Pooling only (no convolution)"))
        self.pool_only_check.setToolTip(_("Pool the input itself: the filters are not used"))
        form.addRow(_("Pooling"), self.pool_combo)
        form.addRow(_("Size"), self.pool_size_spin)
        form.addRow(_("Stride"), self.pool_stride_spin)
        form.addRow(self.pool_only_check)
        col.addWidget(g)
        col.addStretch(1)
        self._fill_combos()
        for combo in w.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        for button in w.findChildren(QPushButton):
            button.setMinimumWidth(48)  # short labels: the style's 80 px minimum would widen the column
        for form in w.findChildren(QFormLayout):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        m = self.model
        self.n_spin.valueChanged.connect(m.set_n)
        self.channels_spin.valueChanged.connect(m.set_channels)
        self.input_preset_combo.activated.connect(lambda i: m.set_input_preset(self.input_preset_combo.itemData(i)))
        self.pool_example_button.clicked.connect(lambda: m.use_pool_example())
        self.filters_spin.valueChanged.connect(m.set_filter_count)
        self.kernel_spin.valueChanged.connect(m.set_kernel_size)
        self.kernel_preset_combo.activated.connect(self._apply_kernel_preset)
        self.bias_all_spin.valueChanged.connect(self._apply_bias)
        self.relu_check.toggled.connect(m.set_relu)
        self.red_button.clicked.connect(m.use_red_vertical_edge)
        self.padding_spin.valueChanged.connect(m.set_padding)
        self.valid_button.clicked.connect(m.set_valid)
        self.same_button.clicked.connect(self.use_same)
        self.mode_combo.currentIndexChanged.connect(lambda i: m.set_padding_mode(self.mode_combo.itemData(i)))
        self.stride_spin.valueChanged.connect(m.set_stride)
        self.dilation_spin.valueChanged.connect(m.set_dilation)
        self.pool_combo.currentIndexChanged.connect(lambda i: m.set_pool(kind=self.pool_combo.itemData(i)))
        self.pool_size_spin.valueChanged.connect(lambda v: m.set_pool(size=v))
        self.pool_stride_spin.valueChanged.connect(lambda v: m.set_pool(stride=v))
        self.pool_only_check.toggled.connect(m.set_pool_only)
        return w

    def _set_composed_tips(self) -> None:
        self.n_spin.setToolTip(_("Input size n (n×n); above {limit} only the arithmetic is shown").format(limit=conv.MAX_LAB_INPUT))
        self.channels_spin.setToolTip(_("Input channels: 1 grey, 3 RGB, up to {max}").format(max=conv.MAX_CHANNELS))

    def _fill_combos(self) -> None:
        """(Re)write the combo boxes whose items are translated names of engine identifiers."""
        presets = list(INPUT_PRESETS) + ([CUSTOM_INPUT] if self.model.input_preset == CUSTOM_INPUT else [])
        _fill_combo(self.input_preset_combo, presets, INPUT_LABELS)
        _fill_combo(self.kernel_preset_combo, list(conv.KERNEL_PRESETS) + [RANDOM_WEIGHTS], KERNEL_LABELS)
        _fill_combo(self.mode_combo, conv.PADDING_MODES, MODE_LABELS)
        _fill_combo(self.pool_combo, POOL_CHOICES, POOL_LABELS)

    def _build_animation_tab(self) -> QWidget:
        w = QWidget()
        col = QVBoxLayout(w)
        col.setContentsMargins(4, 4, 4, 4)
        self.view = ConvAnimationView()
        col.addWidget(self.view, 1)
        self.pointwise = QLabel()
        self.pointwise.setTextFormat(Qt.TextFormat.RichText)
        self.pointwise.setWordWrap(True)
        self.pointwise_scroll = QScrollArea()
        self.pointwise_scroll.setWidgetResizable(True)
        self.pointwise_scroll.setWidget(self.pointwise)
        self.pointwise_scroll.setMaximumHeight(130)
        self.pointwise_scroll.setVisible(False)
        col.addWidget(self.pointwise_scroll)
        row = QHBoxLayout()
        self.back_button = QPushButton(_("◀ Back"))
        self.play_button = QPushButton(_("▶ Play"))
        self.play_button.setMinimumWidth(84)
        self.forward_button = QPushButton(_("Step ▶"))
        self.scrub = QSlider(Qt.Orientation.Horizontal)
        self.scrub.setToolTip(_("Scrub through the steps"))
        self.step_label = QLabel()
        self.step_label.setMinimumWidth(70)
        self.speed_spin = QDoubleSpinBox()
        self.speed_spin.setRange(0.25, 120)
        self.speed_spin.setDecimals(2)
        self.speed_spin.setValue(self.model.speed)
        self.speed_spin.setSuffix(_(" steps/s"))
        self.speed_spin.setToolTip(_("Playback speed"))
        for b in (self.back_button, self.play_button, self.forward_button):
            row.addWidget(b)
        row.addWidget(self.scrub, 1)
        row.addWidget(self.step_label)
        row.addWidget(self.speed_spin)
        col.addLayout(row)
        row = QHBoxLayout()
        self.code_button = QPushButton(_("Copy PyTorch code"))
        self.code_button.setToolTip(_("Copy the equivalent nn.Conv2d (and pooling) code, with this input and these weights"))
        self.export_button = QPushButton(_("Export GIF/MP4…"))
        row.addWidget(self.code_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        self.legend = QLabel(_("yellow: window · hatched: padding · blue < 0 < red"))
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
            (Qt.Key.Key_Space, m.toggle_play, ""),
            (Qt.Key.Key_Right, m.step_forward, ""),
            (Qt.Key.Key_Left, m.step_back, ""),
            (Qt.Key.Key_Home, lambda: m.set_step(0), ""),
            (Qt.Key.Key_End, lambda: m.set_step(m.total_steps - 1), ""),
        ):
            shortcut = QShortcut(QKeySequence(key), w)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setToolTip(_("Space: play/pause · ←/→: step · Home/End: first/last step"))
        return w

    def _build_edit_tab(self) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        left = QVBoxLayout()
        head = QHBoxLayout()
        hint = QLabel(_("<b>Input</b> (double-click a cell to edit)"))
        hint.setWordWrap(True)
        left.addWidget(hint)
        head.addStretch(1)
        head.addWidget(QLabel(_("channel")))
        self.edit_channel_combo = QComboBox()
        head.addWidget(self.edit_channel_combo)
        left.addLayout(head)
        self.input_editor = ConvGridEditor(max_cell=44)
        left.addWidget(self.input_editor, 1)
        row.addLayout(left, 3)
        right = QVBoxLayout()
        about = QLabel(_("<b>Filters</b>: each is a stack of one kernel per input channel; click one to edit it"))
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
        head.addWidget(QLabel(_("Filter")))
        head.addWidget(self.edit_filter_combo)
        head.addWidget(QLabel(_("channel")))
        head.addWidget(self.edit_kchannel_combo)
        head.addStretch(1)
        right.addLayout(head)
        head = QHBoxLayout()  # bias on its own row: one row of all five is too wide for a small screen
        head.addWidget(QLabel(_("bias")))
        head.addWidget(self.bias_spin)
        head.addStretch(1)
        right.addLayout(head)
        for combo in (self.edit_channel_combo, self.edit_filter_combo, self.edit_kchannel_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(3)
        self.kernel_editor = ConvGridEditor(max_cell=48)
        right.addWidget(self.kernel_editor, 1)
        row.addLayout(right, 2)
        m = self.model
        self.edit_channel_combo.currentIndexChanged.connect(lambda _index: self._sync_input())
        self.input_editor.cellEdited.connect(lambda r, c, v: m.set_cell(max(0, self.edit_channel_combo.currentIndex()), r, c, v))
        self.stacks.filterClicked.connect(self.edit_filter_combo.setCurrentIndex)
        self.edit_filter_combo.currentIndexChanged.connect(lambda _index: self._sync_kernel_editor())
        self.edit_kchannel_combo.currentIndexChanged.connect(lambda _index: self._sync_kernel_editor())
        self.kernel_editor.cellEdited.connect(
            lambda r, c, v: m.set_kernel_value(max(0, self.edit_filter_combo.currentIndex()), max(0, self.edit_kchannel_combo.currentIndex()), r, c, v)
        )
        self.bias_spin.valueChanged.connect(lambda v: m.set_bias(max(0, self.edit_filter_combo.currentIndex()), v))
        return w

    def _build_coverage_tab(self) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        self.heatmap = ConvHeatmap()
        row.addWidget(self.heatmap, 1)
        self.params_label = QLabel()
        self.params_label.setTextFormat(Qt.TextFormat.RichText)
        self.params_label.setWordWrap(True)
        self.params_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.params_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        params = QScrollArea()  # the formulas never break, so a narrow window scrolls them
        params.setWidgetResizable(True)
        params.setFrameShape(QScrollArea.Shape.NoFrame)
        params.setWidget(self.params_label)
        row.addWidget(params, 1)
        return w

    def _build_shift_tab(self) -> QWidget:
        w = QWidget()
        col = QVBoxLayout(w)
        head = QHBoxLayout()
        about = QLabel(_("Shift the input to the right by k pixels: the feature map moves with it, max pooling absorbs small shifts."))
        about.setWordWrap(True)
        head.addWidget(about, 1)
        head.addWidget(QLabel(_("Shift k")))
        self.shift_slider = QSlider(Qt.Orientation.Horizontal)
        self.shift_slider.setRange(0, 4)
        self.shift_slider.setValue(self.model.shift)
        self.shift_slider.setFixedWidth(140)
        self.shift_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.shift_value = QLabel()
        head.addWidget(self.shift_slider)
        head.addWidget(self.shift_value)
        col.addLayout(head)
        self.shift_view = ShiftView()
        col.addWidget(self.shift_view, 1)
        self.shift_info = QLabel()
        self.shift_info.setWordWrap(True)
        self.shift_info.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.shift_info)
        self.shift_slider.valueChanged.connect(self.model.set_shift)
        self.model.shiftChanged.connect(self._show_shift)
        self.model.tabRequested.connect(self._open_tab)
        return w

    # -- model → view --

    def _sync_input(self) -> None:
        m = self.model
        if m.input_preset == CUSTOM_INPUT and self.input_preset_combo.findData(CUSTOM_INPUT) < 0 or (
            m.input_preset != CUSTOM_INPUT and self.input_preset_combo.findData(CUSTOM_INPUT) >= 0
        ):
            self._fill_combos()
        with QSignalBlocker(self.n_spin), QSignalBlocker(self.channels_spin), QSignalBlocker(self.edit_channel_combo):
            self.n_spin.setValue(m.n)
            self.channels_spin.setValue(m.channels)
            _select(self.input_preset_combo, m.input_preset)
            names = _channel_names(m.channels)
            if [self.edit_channel_combo.itemText(i) for i in range(self.edit_channel_combo.count())] != names:
                current = self.edit_channel_combo.currentIndex()
                self.edit_channel_combo.clear()
                self.edit_channel_combo.addItems(names)
                self.edit_channel_combo.setCurrentIndex(min(max(current, 0), len(names) - 1))
        ch = min(max(0, self.edit_channel_combo.currentIndex()), m.input.shape[0] - 1)
        self.input_editor.set_values(m.input[ch], float(max(np.abs(m.input).max(), 1e-9)))

    def _sync_filters(self) -> None:
        m = self.model
        with QSignalBlocker(self.filters_spin), QSignalBlocker(self.kernel_spin), QSignalBlocker(self.kernel_target_combo), QSignalBlocker(self.edit_filter_combo), QSignalBlocker(self.edit_kchannel_combo), QSignalBlocker(self.bias_all_spin):
            self.filters_spin.setValue(m.filters)
            self.kernel_spin.setValue(m.f)
            targets = [_("all filters")] + [_("filter {k}").format(k=k + 1) for k in range(m.filters)]
            if [self.kernel_target_combo.itemText(i) for i in range(self.kernel_target_combo.count())] != targets:
                current = self.kernel_target_combo.currentIndex()
                self.kernel_target_combo.clear()
                self.kernel_target_combo.addItems(targets)
                self.kernel_target_combo.setCurrentIndex(min(max(current, 0), len(targets) - 1))
            target = self.kernel_target_combo.currentIndex()
            self.bias_all_spin.setValue(float(m.bias[0] if target <= 0 else m.bias[min(target - 1, m.filters - 1)]))
            fnames = [f"{k + 1}" for k in range(m.filters)]
            if self.edit_filter_combo.count() != len(fnames):
                current = self.edit_filter_combo.currentIndex()
                self.edit_filter_combo.clear()
                self.edit_filter_combo.addItems(fnames)
                self.edit_filter_combo.setCurrentIndex(min(max(current, 0), len(fnames) - 1))
            cnames = _channel_names(m.channels)
            if [self.edit_kchannel_combo.itemText(i) for i in range(self.edit_kchannel_combo.count())] != cnames:
                self.edit_kchannel_combo.clear()
                self.edit_kchannel_combo.addItems(cnames)
        self.stacks.set_filters(m.weights, m.bias, [label(KERNEL_LABELS, n) for n in m.presets], max(0, self.edit_filter_combo.currentIndex()))
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
        with QSignalBlocker(self.padding_spin), QSignalBlocker(self.stride_spin), QSignalBlocker(self.dilation_spin), QSignalBlocker(self.pool_size_spin), QSignalBlocker(self.pool_stride_spin), QSignalBlocker(self.relu_check), QSignalBlocker(self.pool_only_check):
            self.padding_spin.setValue(m.padding)
            _select(self.mode_combo, m.padding_mode)
            self.stride_spin.setValue(m.stride)
            self.dilation_spin.setValue(m.dilation)
            _select(self.pool_combo, m.pool_kind)
            self.pool_size_spin.setValue(m.pool_size)
            self.pool_stride_spin.setValue(m.pool_stride)
            self.relu_check.setChecked(m.relu)
            self.pool_only_check.setChecked(m.pool_only)
        windowed = m.pool_kind in ("max", "avg")
        self.pool_size_spin.setEnabled(windowed)
        self.pool_stride_spin.setEnabled(windowed)
        conv_on = not m.pool_only
        for wdg in (self.filters_spin, self.kernel_spin, self.kernel_preset_combo, self.kernel_target_combo, self.bias_all_spin,
                    self.relu_check, self.red_button, self.padding_spin, self.valid_button, self.same_button, self.mode_combo,
                    self.stride_spin, self.dilation_spin):
            wdg.setEnabled(conv_on)
        self._clear_note()

    def _sync_trace(self) -> None:
        m = self.model
        self.formula.setText(formula_html(m))
        if m.drawn:
            self.view.set_animation(m.anim, no_output(m.error) if m.error else "")
        else:
            self.view.set_animation(None, _("The grid is not drawn above {limit}×{limit}: only the arithmetic is shown.").format(limit=conv.MAX_LAB_INPUT))
        ok = m.anim is not None
        for b in (self.play_button, self.back_button, self.forward_button, self.scrub, self.export_button, self.code_button):
            b.setEnabled(ok)
        with QSignalBlocker(self.scrub):
            self.scrub.setRange(0, max(0, m.total_steps - 1))
            self.scrub.setValue(m.step)
        self._show_message()
        not_drawn = "" if m.drawn else _("The grid is not drawn above {limit}×{limit}: only the arithmetic is shown.").format(limit=conv.MAX_LAB_INPUT)
        self.heatmap.set_values(m.coverage(), coverage_caption(m), not_drawn)
        self.params_label.setText(params_html(m))
        self._sync_step(m.step)
        self._sync_shift()
        if self.tabs.currentIndex() == _PHOTO_TAB:
            self._photo_timer.start()

    def _sync_step(self, k: int) -> None:
        m = self.model
        self.view.set_step(k)
        with QSignalBlocker(self.scrub):
            self.scrub.setValue(k)
        self.step_label.setText(f"{k + 1} / {m.total_steps}" if m.total_steps else "–")
        html = pointwise_html(m)
        self.pointwise.setText(html)
        self.pointwise_scroll.setVisible(bool(html))

    def _sync_playing(self, playing: bool) -> None:
        self.play_button.setText(_("❚❚ Pause") if playing else _("▶ Play"))

    def _sync_shift(self) -> None:
        """Recompute the translation demo: the input and the first filter, shifted k pixels to the right."""
        m = self.model
        k = self.shift_slider.value()
        self.shift_value.setText(_("{k} px").format(k=k))
        if self.tabs.currentIndex() != _SHIFT_TAB and self.shift_view.demo is not None and self._shift_key == self._current_shift_key():
            return
        self._shift_key = self._current_shift_key()
        if not m.drawn:
            self.shift_view.set_demo(None, _("The grid is not drawn above {limit}×{limit}: only the arithmetic is shown.").format(limit=conv.MAX_LAB_INPUT))
            self.shift_info.setText("")
            return
        kind = m.pool_kind if m.pool_kind in ("max", "avg") else "max"
        try:
            demo = conv.shift_demo(m.input, m.weights[:1], k, (kind, m.pool_size, m.pool_stride))
        except ValueError as exc:
            self.shift_view.set_demo(None, no_output(str(exc)))
            self.shift_info.setText("")
            return
        self.shift_view.set_demo(demo)
        self.shift_info.setText(shift_html(demo))

    def _show_shift(self, k: int) -> None:
        with QSignalBlocker(self.shift_slider):
            self.shift_slider.setValue(k)
        self._sync_shift()

    def _open_tab(self, name: str) -> None:
        """Open the tab a course example is seen on."""
        self.tabs.setCurrentIndex(_SHIFT_TAB if name == "translation" else 0)

    def _current_shift_key(self) -> tuple:
        m = self.model
        return (self.shift_slider.value(), m.input.tobytes(), m.weights[:1].tobytes(), m.pool_kind, m.pool_size, m.pool_stride, m.n)

    def _show_message(self) -> None:
        m = self.model
        if m.error:
            self.message.setText(f"<span style='color:{RED}'>" + _("{reason}. The animation is off until the settings give an output.").format(reason=no_output(m.error)) + "</span>")
        elif self.note:
            self.message.setText(f"<span style='color:{AMBER}'>{self.note}</span>")
        else:
            self.message.setText("")
        self.message.setVisible(bool(self.message.text()))

    def _clear_note(self) -> None:
        if self.note:
            self.note = ""
            self._show_message()

    # -- actions --

    def _apply_bias(self, value: float) -> None:
        target = self.kernel_target_combo.currentIndex()
        self.model.set_bias(None if target <= 0 else target - 1, value)

    def _apply_kernel_preset(self, index: int) -> None:
        name = self.kernel_preset_combo.itemData(index)
        target = self.kernel_target_combo.currentIndex()
        if name == RANDOM_WEIGHTS:
            self.model.set_random_weights(None if target <= 0 else target - 1)
            return
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
        path, _filter = QFileDialog.getSaveFileName(self, _("Export the animation"), "convolution.gif", _("Animated GIF (*.gif);;MP4 video (*.mp4)"))
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
            label=_("Export animation"),
            on_done=lambda r: self.ctx.show_message(_("Wrote {frames} frames ({w}×{h}) to {path}").format(frames=r.frames, w=r.width, h=r.height, path=r.path), 8000),
            on_error=lambda exc, tb: self.ctx.show_error(_("Export failed"), str(exc), tb),
        )

    # -- real image --

    def _on_tab(self, index: int) -> None:
        if index == _SHIFT_TAB:
            self._sync_shift()
        if index == _PHOTO_TAB:
            if self.model.photo is None:
                self.load_sample(self.sample_combo.currentData())
            else:
                self._photo_timer.start()

    # -- panel protocol --

    def retranslate(self) -> None:
        """Re-render every composed text (language or shape notation changed); the lab's state is kept."""
        had_note = bool(self.note)
        self._set_composed_tips()
        self._fill_combos()
        self._sync_input()
        self._sync_filters()
        self._sync_settings()
        if had_note:
            self.note = self.model.same_explanation()
        self._sync_playing(self.model.playing)
        self._shift_key = ()
        self.view.set_animation(None)  # layout labels are made with the language of the moment
        self._sync_trace()
        if self._last_maps is not None:
            self.maps_view.set_result(self._last_maps, [label(KERNEL_LABELS, n) for n in self.model.presets])

    def deactivate(self) -> None:
        self.model.pause()

    def shutdown(self) -> None:
        self.model.pause()
        self._photo_timer.stop()  # no new filter job once the panel is closing
