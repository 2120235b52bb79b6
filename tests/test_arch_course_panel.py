"""The Architectures panel walks the course: paper models first, activation sizes, the shape notation,
the bottleneck calculator's connections and the residual formula, all checked against torch."""

from __future__ import annotations

import math

import pytest
import torch
import torchvision
from torch import nn

from engine import shapes
from engine.arch import zoo
from engine.arch.paper_models import AlexNetPaper


@pytest.fixture
def arch_panel(make_panel):
    from gui.panels.architectures import ArchitecturesPanel

    yield make_panel(ArchitecturesPanel, (1100, 750), settings="app", collect_errors=True, shutdown=False)
    shapes.set_display_order(shapes.DEFAULT_ORDER)


def _wait_for(qtbot, panel, name: str) -> None:
    qtbot.waitUntil(lambda: panel.model.summary is not None and panel.model.summary.name == name, timeout=60000)


def _forward_outputs(model: nn.Module, x: torch.Tensor) -> dict[str, tuple[int, ...]]:
    seen: dict[str, tuple[int, ...]] = {}

    def hook(name):
        def record(module, args, y) -> None:  # returns None: the output is left alone
            seen.setdefault(name, tuple(y.shape[1:]))

        return record

    hooks = [m.register_forward_hook(hook(n)) for n, m in model.named_modules() if n]
    try:
        with torch.no_grad():
            model.eval()(x)
    finally:
        for h in hooks:
            h.remove()
    return seen


def _column(table, title_start: str) -> int:
    return next(c for c in range(table.columnCount()) if table.horizontalHeaderItem(c).text().startswith(title_start))


def test_course_defaults_are_the_paper_models_with_their_info_line(qtbot, arch_panel):
    panel = arch_panel
    assert panel.choose_course("alexnet") == "alexnet-paper"
    _wait_for(qtbot, panel, "alexnet-paper")
    # the 227 note: the formula with 224 gives 54, as torch does
    assert "⌊(224−11)/4⌋+1 = 54" in panel.info.text()
    assert nn.Conv2d(3, 96, 11, stride=4)(torch.zeros(1, 3, 224, 224)).shape[-1] == 54
    total = sum(p.numel() for p in AlexNetPaper().parameters())
    assert f"{total:,}" in panel.info.text()
    assert panel.choose_course("googlenet") == "inception-v1-paper"
    _wait_for(qtbot, panel, "inception-v1-paper")
    assert "auxiliary classifiers" in panel.info.text()
    # the paper versions come before torchvision's in the chooser
    order = [panel.chooser.itemData(i) for i in range(panel.chooser.count())]
    assert order.index("alexnet-paper") < order.index("alexnet")
    assert order.index("inception-v1-paper") < order.index("googlenet")


def test_auxiliary_heads_are_marked_training_only_in_table_and_diagram(qtbot, arch_panel):
    panel = arch_panel
    panel.choose("inception-v1-paper")
    _wait_for(qtbot, panel, "inception-v1-paper")
    table = panel.table
    for aux in ("aux1", "aux2"):
        assert table.item(table.names.index(aux), 0).text() == f"{aux}  (training only)"
        assert "training" in table.item(table.names.index(f"{aux}.conv"), 0).toolTip()
    assert "(training only)" not in table.item(table.names.index("inception4a"), 0).text()
    frames = [f for f in panel.diagram.diagram.frames if f.kind == "training"]
    assert sorted(f.row for f in frames) == ["aux1", "aux2"] and all("(training only)" in f.label for f in frames)
    aux_blocks = [b for b in panel.diagram.diagram.blocks if b.training_only]
    assert aux_blocks and all(b.rows[0].startswith(("aux1", "aux2")) for b in aux_blocks)
    assert "used only while training" in panel.diagram.block_items[aux_blocks[0].id].toolTip()
    # the eval forward really skips them: the aux heads' parameters are the difference
    model = zoo.build("inception-v1-paper")
    aux_params = sum(p.numel() for n, p in model.named_parameters() if n.startswith(("aux1", "aux2")))
    assert panel.model.summary.total_params - panel.model.summary.inference_params == aux_params


def test_activation_column_counts_each_layers_output_values(qtbot, arch_panel):
    panel = arch_panel
    panel.choose("lenet5")
    _wait_for(qtbot, panel, "lenet5")
    table = panel.table
    col = _column(table, "Activations")
    assert "shrinks layer by layer" in table.horizontalHeaderItem(col).toolTip()
    seen = _forward_outputs(zoo.LeNet5(), torch.zeros(1, 1, 32, 32))
    for name, shape in seen.items():
        assert table.item(table.names.index(name), col).text() == f"{math.prod(shape):,}"
    # the sizes shrink towards the output: 4,704 → 1,176 → 1,600 → 400 → 120 → 84 → 10
    assert [table.item(table.names.index(n), col).text() for n in ("c1", "s2", "c3", "s4", "c5", "f6", "output")] == \
        ["4,704", "1,176", "1,600", "400", "120", "84", "10"]


def test_shapes_follow_the_notation_in_table_diagram_input_and_calculator(qtbot, arch_panel):
    panel = arch_panel
    panel.choose("lenet5")
    _wait_for(qtbot, panel, "lenet5")
    panel.choose("alexnet-paper")
    _wait_for(qtbot, panel, "alexnet-paper")
    c, h, w = _forward_outputs(AlexNetPaper(), torch.zeros(1, 3, 227, 227))["features.0"]
    assert (c, h, w) == (96, 55, 55)
    table = panel.table
    out = _column(table, "Output")
    row = table.names.index("features.0")
    assert table.horizontalHeaderItem(out).text() == "Output (H×W×C)"
    assert table.item(row, out).text() == f"{h}×{w}×{c}"
    block = panel.diagram.diagram.block_for_row("features.0")
    assert block.sublabel == "55×55×96 (H×W×C)"
    assert panel.input_edit.placeholderText() == "227x227x3"
    assert "Input H×W×C" in panel.input_label.text()
    assert "28×28×192 (H×W×C)" in panel.calculator.preset.itemText(2)

    shapes.set_display_order("chw")
    panel.retranslate()
    assert table.horizontalHeaderItem(out).text() == "Output (C×H×W)"
    assert table.item(row, out).text() == f"{c}×{h}×{w}"
    assert panel.diagram.diagram.block_for_row("features.0").sublabel == "96×55×55 (C×H×W)"
    assert panel.input_edit.placeholderText() == "3x227x227"
    assert "192×28×28 (C×H×W)" in panel.calculator.preset.itemText(2)
    # a summary cached while H×W×C was shown is drawn in C×H×W when chosen again
    panel.choose("lenet5")
    _wait_for(qtbot, panel, "lenet5")
    assert panel.diagram.diagram.block_for_row("c1").sublabel == "6×28×28 (C×H×W)"
    panel.choose("alexnet-paper")
    _wait_for(qtbot, panel, "alexnet-paper")
    # typing an input in the notation shown: 3x227x227 is C×H×W now
    panel.input_edit.setText("3x227x227")
    panel.input_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.model.summary is not None and panel.model.summary.input_shape == (3, 227, 227), timeout=60000)
    assert table.item(table.names.index("features.0"), out).text() == "96×55×55"
    shapes.set_display_order("hwc")
    panel.retranslate()
    assert panel.input_edit.text() == "227x227x3"


def test_bottleneck_counts_biases_and_connections_against_torch(qtbot, arch_panel):
    panel = arch_panel
    calc = panel.calculator
    panel.tabs.setCurrentWidget(panel.calculator_page)
    calc.preset.setCurrentIndex(calc.preset.findData("inception-5x5"))
    calc.bias.setChecked(True)
    direct = nn.Conv2d(256, 64, 5)
    reduced = nn.Sequential(nn.Conv2d(256, 32, 1), nn.Conv2d(32, 64, 5))
    n_direct = sum(p.numel() for p in direct.parameters())
    n_reduced = sum(p.numel() for p in reduced.parameters())
    assert (n_direct, n_reduced) == (409_664, 59_488)
    assert calc.labels["direct_params"].text() == f"{n_direct:,}"
    assert calc.labels["direct_connections"].text() == f"{n_direct:,}·n²"
    assert calc.labels["reduced_connections"].text() == f"{n_reduced:,}·n²"
    text = calc.formula.text()
    assert "(5·5·256+1)·64 = 409,664" in text and "409,664·n²" in text and "59,488·n²" in text
    assert "MACs on 28×28" in text
    qtbot.wait(50)
    # readable: every line of the formulas fits in the label's height at its width
    assert calc.formula.height() >= calc.formula.heightForWidth(calc.formula.width())
    for lab in calc.labels.values():
        assert lab.width() >= lab.sizeHint().width() - 1, lab.text()


def test_residual_formula_is_printed_beside_resnet_blocks(qtbot, arch_panel):
    panel = arch_panel
    panel.choose("resnet18")
    _wait_for(qtbot, panel, "resnet18")
    note = panel.residual_note
    assert note.isVisible()
    assert "x<sub>l+1</sub> = x<sub>l</sub> + F(x<sub>l</sub>, W<sub>l</sub>)" in note.text()
    assert "h(x<sub>l</sub>) = W′<sub>l</sub>·x<sub>l</sub>" in note.text()
    model = torchvision.models.resnet18(weights=None)
    projections = sum(1 for m in model.modules() if getattr(m, "downsample", None) is not None)
    assert f"({projections} blocks here)" in note.text()
    panel.choose("lenet5")
    _wait_for(qtbot, panel, "lenet5")
    assert not note.isVisible()
