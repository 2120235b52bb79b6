"""The 1x1 bottleneck calculator: spin boxes for the branch, live parameter and MAC counts both ways."""

from __future__ import annotations

import html

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from engine.arch.bottleneck import PRESETS, BottleneckCost
from engine.i18n import N_, _
from engine.shapes import format_shape

__all__ = ["BottleneckCalculator"]

_FIELDS = (
    ("h", N_("Input height H"), 1, 4096),
    ("w", N_("Input width W"), 1, 4096),
    ("c_in", N_("Input channels C_in"), 1, 65536),
    ("f", N_("Filter size f"), 1, 31),
    ("c_out", N_("Filters C_out"), 1, 65536),
    ("c_mid", N_("1×1 reduction to C_mid"), 1, 65536),
)
#: Preset titles: shapes are filled in by :func:`engine.shapes.format_shape` (they follow the notation).
_PRESET_TITLES = {
    "inception-5x5": N_("Inception 5×5 branch on {shape}: 256 → 64, reduce to 32"),
    "28x28x192-to-32": N_("{shape} → {out} (5×5), reduce to 16"),
}
#: The cost table: one row per quantity, one column per way of computing the branch (narrow enough for the tab).
_ROWS = (("params", N_("Parameters")), ("connections", N_("Connections per position")), ("macs", N_("MACs")))
_COLUMNS = (("direct", N_("Without reduction")), ("reduced", N_("With reduction")), ("ratio", N_("Saving")))


class BottleneckCalculator(QWidget):
    """Emits ``paramsChanged(dict)`` when a spin box changes; :meth:`show_cost` displays a result."""

    paramsChanged = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.intro = QLabel("")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Example:")))
        self.preset = QComboBox()
        self.preset.addItem("", "")
        for key in _PRESET_TITLES:
            self.preset.addItem("", key)
        self.preset.setMinimumContentsLength(12)
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        top.addWidget(self.preset, 1)
        layout.addLayout(top)
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        for key, label, lo, hi in _FIELDS:
            label = _(label)
            spin = QSpinBox()
            spin.setRange(lo, hi)
            spin.setGroupSeparatorShown(True)
            spin.setObjectName(f"spin_{key}")
            self.spins[key] = spin
            form.addRow(label, spin)
            spin.valueChanged.connect(self._changed)
        self.bias = QCheckBox(_("Count biases"))
        self.bias.toggled.connect(self._changed)
        form.addRow("", self.bias)
        layout.addLayout(form)

        box = QGroupBox(_("Cost"))
        grid = QGridLayout(box)
        self.heads: list[QLabel] = []
        for c, _key in enumerate(_COLUMNS, start=1):
            head = QLabel("")
            head.setWordWrap(True)
            head.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
            grid.addWidget(head, 0, c)
            self.heads.append(head)
        self.labels: dict[str, QLabel] = {}  # "<column>_<row>": "direct_params", "reduced_macs", "ratio_connections"…
        self.row_titles: list[QLabel] = []
        for r, (what, _title) in enumerate(_ROWS, start=1):
            lab = QLabel("")
            lab.setWordWrap(True)
            grid.addWidget(lab, r, 0)
            self.row_titles.append(lab)
            for c, (key, _head) in enumerate(_COLUMNS, start=1):
                lab = QLabel("")
                lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.labels[f"{key}_{what}"] = lab
                grid.addWidget(lab, r, c)
        grid.setColumnStretch(0, 1)
        layout.addWidget(box)
        self.formula = QLabel("")
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.formula)
        layout.addStretch(1)
        self.cost: BottleneckCost | None = None
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.retranslate()

    def retranslate(self) -> None:
        """Re-render every text in the current language and shape notation."""
        self.intro.setText(_(
            "An f×f convolution with C_out filters on an H×W×C_in input, computed directly or after a "
            "1×1 convolution that first reduces the channels to C_mid (\"same\" padding, stride 1, no biases "
            "unless ticked). Output H×W×C_out either way."
        ))
        self.preset.setItemText(0, _("Custom"))
        for i in range(1, self.preset.count()):
            key = self.preset.itemData(i)
            p = PRESETS[key]
            self.preset.setItemText(i, _(_PRESET_TITLES[key]).format(
                shape=format_shape((p["c_in"], p["h"], p["w"])), out=format_shape((p["c_out"], p["h"], p["w"]))))
            self.preset.setItemData(i, self.preset.itemText(i), Qt.ItemDataRole.ToolTipRole)
        for head, (_key, text) in zip(self.heads, _COLUMNS):
            head.setText(f"<b>{_(text)}</b>")
        for lab, (_what, title) in zip(self.row_titles, _ROWS):
            lab.setText(_(title))
        self.row_titles[1].setToolTip(_("Weights a single output position is connected to, biases included; "
                                        "the whole n×n map has n² times as many connections"))
        if self.cost is not None:
            self.show_cost(self.cost)

    def set_params(self, params: dict) -> None:
        """Show ``params`` in the spin boxes without emitting ``paramsChanged``."""
        blockers = [QSignalBlocker(s) for s in self.spins.values()] + [QSignalBlocker(self.bias)]
        for key, spin in self.spins.items():
            if key in params:
                spin.setValue(int(params[key]))
        self.bias.setChecked(bool(params.get("bias", False)))
        del blockers
        self._sync_preset()

    def params(self) -> dict:
        return {**{k: s.value() for k, s in self.spins.items()}, "bias": self.bias.isChecked()}

    def _sync_preset(self) -> None:
        current = self.params()
        match = next((k for k, p in PRESETS.items() if all(current[x] == v for x, v in p.items()) and not current["bias"]), "")
        with QSignalBlocker(self.preset):
            self.preset.setCurrentIndex(max(self.preset.findData(match), 0))

    def _changed(self, *_args) -> None:
        self._sync_preset()
        self.paramsChanged.emit(self.params())

    def _preset_chosen(self, index: int) -> None:
        key = self.preset.itemData(index)
        if key:
            self.set_params(dict(PRESETS[key], bias=self.bias.isChecked()))
            self.paramsChanged.emit(self.params())

    def show_cost(self, cost: BottleneckCost) -> None:
        """Fill the result table and the worked formulas."""
        self.cost = cost
        v = {
            "direct_params": cost.params_direct, "direct_macs": cost.macs_direct,
            "reduced_params": cost.params_reduced, "reduced_macs": cost.macs_reduced,
        }
        for key, value in v.items():
            self.labels[key].setText(f"{value:,}")
        self.labels["direct_connections"].setText(f"{cost.connections_direct:,}·n²")
        self.labels["reduced_connections"].setText(f"{cost.connections_reduced:,}·n²")
        parts = {
            "params": (cost.reduce_params, cost.conv_params),
            "connections": ((cost.c_in + 1) * cost.c_mid, (cost.f * cost.f * cost.c_mid + 1) * cost.c_out),
            "macs": (cost.reduce_macs, cost.conv_macs),
        }
        for what, (first, second) in parts.items():
            self.labels[f"reduced_{what}"].setToolTip(
                _("1×1 reduction {first:,} + the f×f convolution after it {second:,}").format(first=first, second=second))
        self.labels["ratio_params"].setText(_("{ratio:.1f}× fewer").format(ratio=cost.params_ratio))
        self.labels["ratio_connections"].setText(
            _("{ratio:.1f}× fewer").format(ratio=cost.connections_direct / cost.connections_reduced))
        self.labels["ratio_macs"].setText(_("{ratio:.1f}× fewer").format(ratio=cost.macs_ratio))
        self.formula.setText("<br><br>".join(html.escape(line) for line in cost.formula_lines()))
