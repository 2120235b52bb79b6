"""The 1x1 bottleneck calculator: spin boxes for the branch, live parameter and MAC counts both ways."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from engine.arch.bottleneck import PRESETS, BottleneckCost

__all__ = ["BottleneckCalculator"]

_FIELDS = (
    ("h", "Input height H", 1, 4096),
    ("w", "Input width W", 1, 4096),
    ("c_in", "Input channels C_in", 1, 65536),
    ("f", "Filter size f", 1, 31),
    ("c_out", "Filters C_out", 1, 65536),
    ("c_mid", "1×1 reduction to C_mid", 1, 65536),
)
_PRESET_TITLES = {
    "inception-5x5": "Inception 5×5 branch: 256 → 64, reduce to 32",
    "28x28x192-to-32": "28×28×192 → 28×28×32 (5×5), reduce to 16",
}


class BottleneckCalculator(QWidget):
    """Emits ``paramsChanged(dict)`` when a spin box changes; :meth:`show_cost` displays a result."""

    paramsChanged = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "An f×f convolution with C_out filters on an H×W×C_in input, computed directly or after a "
            "1×1 convolution that first reduces the channels to C_mid (\"same\" padding, stride 1, no biases "
            "unless ticked). Output H×W×C_out either way."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        top = QHBoxLayout()
        top.addWidget(QLabel("Example:"))
        self.preset = QComboBox()
        self.preset.addItem("Custom", "")
        for key, title in _PRESET_TITLES.items():
            self.preset.addItem(title, key)
        top.addWidget(self.preset, 1)
        layout.addLayout(top)
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        for key, label, lo, hi in _FIELDS:
            spin = QSpinBox()
            spin.setRange(lo, hi)
            spin.setGroupSeparatorShown(True)
            spin.setObjectName(f"spin_{key}")
            self.spins[key] = spin
            form.addRow(label, spin)
            spin.valueChanged.connect(self._changed)
        self.bias = QCheckBox("Count biases")
        self.bias.toggled.connect(self._changed)
        form.addRow("", self.bias)
        layout.addLayout(form)

        box = QGroupBox("Cost")
        grid = QGridLayout(box)
        for c, text in enumerate(("", "Parameters", "Multiply-accumulates")):
            head = QLabel(f"<b>{text}</b>")
            head.setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(head, 0, c)
        self.labels: dict[str, QLabel] = {}
        rows = (("direct", "Without reduction"), ("reduce", "  1×1 reduction"), ("conv", "  f×f after it"),
                ("reduced", "With reduction"), ("ratio", "Saving"))
        for r, (key, title) in enumerate(rows, start=1):
            grid.addWidget(QLabel(f"<b>{title}</b>" if key in ("direct", "reduced") else title), r, 0)
            for c, what in enumerate(("params", "macs"), start=1):
                lab = QLabel("")
                lab.setAlignment(Qt.AlignmentFlag.AlignRight)
                lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.labels[f"{key}_{what}"] = lab
                grid.addWidget(lab, r, c)
        layout.addWidget(box)
        self.formula = QLabel("")
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.formula)
        layout.addStretch(1)
        self.preset.currentIndexChanged.connect(self._preset_chosen)

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
        v = {
            "direct_params": cost.params_direct, "direct_macs": cost.macs_direct,
            "reduce_params": cost.reduce_params, "reduce_macs": cost.reduce_macs,
            "conv_params": cost.conv_params, "conv_macs": cost.conv_macs,
            "reduced_params": cost.params_reduced, "reduced_macs": cost.macs_reduced,
        }
        for key, value in v.items():
            self.labels[key].setText(f"{value:,}")
        self.labels["ratio_params"].setText(f"{cost.params_ratio:.1f}× fewer")
        self.labels["ratio_macs"].setText(f"{cost.macs_ratio:.1f}× fewer")
        self.formula.setText("<br>".join(cost.formula_lines()))
