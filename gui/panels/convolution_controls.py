"""The Convolution panel's settings: the left column of controls and the Input & kernels tab, bound to the model."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine import conv
from engine.i18n import _

from ..widgets.conv_grid_editor import ConvGridEditor
from ..widgets.conv_kernel_stacks import ConvKernelStacks
from .convolution_model import CUSTOM_INPUT, INPUT_PRESETS, MAX_ARITH_N, POOL_CHOICES
from .convolution_text import INPUT_LABELS, KERNEL_LABELS, MODE_LABELS, POOL_LABELS, RANDOM_WEIGHTS, label

__all__ = ["ControlsColumn"]


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


class ControlsColumn:
    """Mixin of :class:`~gui.panels.convolution.ConvolutionPanel`: builds and syncs the settings widgets.

    Uses the panel's ``model``, ``note``, ``stacks`` and ``_clear_note``/``_show_message``.
    """

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
        # the buttons get a row of their own: side by side with the spin box, "Valid 卷积" was cut in a narrow column
        row = QHBoxLayout()
        row.addWidget(self.valid_button)
        row.addWidget(self.same_button)
        row.addStretch(1)
        self.mode_combo = QComboBox()
        self.stride_spin = _spin(1, conv.MAX_STRIDE, 1, _("Stride s: how far the window moves"))
        self.dilation_spin = _spin(1, 4, 1, _("Dilation d: spacing between kernel taps"))
        form.addRow(_("Padding p"), self.padding_spin)
        form.addRow("", row)
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
        self.kernel_target_combo.currentIndexChanged.connect(lambda _index: self._sync_kernel_preset())
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
        kernels = list(conv.KERNEL_PRESETS) + [RANDOM_WEIGHTS]
        shown = self._shown_kernel_preset()
        _fill_combo(self.kernel_preset_combo, kernels + ([shown] if shown not in kernels else []), KERNEL_LABELS)
        _fill_combo(self.mode_combo, conv.PADDING_MODES, MODE_LABELS)
        _fill_combo(self.pool_combo, POOL_CHOICES, POOL_LABELS)

    def _shown_kernel_preset(self) -> str:
        """The preset of the filter(s) the Apply-to box targets ("custom" when they differ): what the Preset box names."""
        m = self.model
        target = self.kernel_target_combo.currentIndex() if hasattr(self, "kernel_target_combo") else 0
        names = m.presets if target <= 0 else m.presets[min(target, m.filters) - 1:min(target, m.filters)]
        return names[0] if len(set(names)) == 1 else "custom"

    def _sync_kernel_preset(self) -> None:
        shown = self._shown_kernel_preset()
        if self.kernel_preset_combo.findData(shown) < 0 or self.kernel_preset_combo.count() > len(conv.KERNEL_PRESETS) + 2:
            self._fill_combos()  # add the entry naming it (custom, red vertical edge), or drop one no longer needed
        _select(self.kernel_preset_combo, shown)

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
        self._sync_kernel_preset()
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
