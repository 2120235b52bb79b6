"""Architecture zoo, layer summaries, diagrams, bottleneck calculator, user model files, CLI and panel."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from engine.arch import zoo
from engine.arch.bottleneck import PRESETS, bottleneck
from engine.arch.diagram import layout
from engine.arch.summary import SummaryError, parse_shape, summarize, summarize_zoo
from engine.arch.user_model import ModelFileError, detect_format, open_model

pytestmark = pytest.mark.filterwarnings("ignore:.*torch.jit:FutureWarning")


_SUMMARIES: dict[str, object] = {}


def _zoo_summary(name: str):
    """Full-size meta-device summary, computed once per test session."""
    if name not in _SUMMARIES:
        _SUMMARIES[name] = summarize_zoo(name)
    return _SUMMARIES[name]


def _small_shape(name: str) -> tuple[int, int, int]:
    spec = zoo.spec(name)
    return (spec.input_shape[0], spec.min_input, spec.min_input)


def _observed_shapes(model: nn.Module, x: torch.Tensor, train: bool = False) -> dict[str, tuple[int, ...]]:
    """First-call output shape of every module, by forward hooks on a real forward pass."""
    seen: dict[str, tuple[int, ...]] = {}
    handles = []
    for qual, mod in model.named_modules():
        if not qual:
            continue

        def hook(m, args, out, qual=qual):
            t = out if isinstance(out, torch.Tensor) else next(o for o in out if isinstance(o, torch.Tensor))
            seen.setdefault(qual, tuple(t.shape[1:]))

        handles.append(mod.register_forward_hook(hook))
    model.train(train)
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return seen


# ------------------------------------------------------------------ zoo and summaries


@pytest.mark.parametrize(
    "name,total",
    [("alexnet", 61_100_840), ("vgg16", 138_357_544), ("resnet18", 11_689_512), ("resnet50", 25_557_032)],
)
def test_parameter_totals_equal_torchvision(name, total):
    import torchvision

    with torch.device("meta"):
        reference = getattr(torchvision.models, name)(weights=None)
    assert sum(p.numel() for p in reference.parameters()) == total
    s = _zoo_summary(name)
    assert s.total_params == total
    assert s.inference_params == total
    assert sum(r.own_params for r in s.rows) == total  # every parameter belongs to exactly one row


def test_googlenet_training_only_auxiliaries():
    import torchvision

    s = _zoo_summary("googlenet")
    with torch.device("meta"):
        inference = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)
    assert s.inference_params == sum(p.numel() for p in inference.parameters())
    assert s.total_params > s.inference_params
    assert s.row("aux1").training_only and s.row("aux2.fc2").training_only
    assert s.row("aux1").output_shape == (1000,)
    assert not s.row("inception4a").training_only
    assert s.row("aux1").inputs_from == ["inception4a"] and s.row("aux2").inputs_from == ["inception4d"]


@pytest.mark.parametrize("name", zoo.names())
def test_table_shapes_equal_forward_hook_shapes(name):
    """Every row's shape (meta device) equals what hooks see on a real CPU forward pass."""
    spec = zoo.spec(name)
    shape = _small_shape(name)
    torch.manual_seed(0)
    # real CPU tensors; weights left uninitialised (shapes do not depend on them, and it is fast)
    real = zoo.build(name, device="meta").to_empty(device="cpu")
    observed = _observed_shapes(real, torch.randn(1, *shape))
    if spec.training_only:  # auxiliary classifiers only run in training mode
        for k, v in _observed_shapes(real, torch.randn(2, *shape), train=True).items():
            observed.setdefault(k, v)
    s = summarize(zoo.build(name, device="meta"), shape, name=name, training_only=spec.training_only)
    ran = [r for r in s.rows if r.output_shape is not None]
    assert {r.name for r in ran} == set(observed)
    for r in ran:
        assert r.output_shape == observed[r.name], r.name
    assert s.output_shape == observed[s.top_level()[-1].name]


@pytest.mark.parametrize("name", ["lenet5", "alexnet", "vgg16", "nin", "googlenet", "resnet50"])
def test_conv_and_linear_macs_equal_torch_flop_counter(name):
    model = zoo.build(name, device="meta")
    shape = _small_shape(name)
    s = summarize(model, shape)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, *shape, device="meta"))
    conv_linear = sum(r.macs for r in s.leaves() if r.type.startswith(("Conv", "Linear")) and not r.training_only)
    assert conv_linear * 2 == counter.get_total_flops()


def test_pooling_macs_and_full_size_totals():
    s = _zoo_summary("vgg16")
    pool = s.row("features.4")  # 2x2 max pool, 64x224x224 -> 64x112x112
    assert pool.macs == 64 * 112 * 112 * 4
    conv = s.row("features.0")
    assert conv.macs == 64 * 224 * 224 * 3 * 3 * 3
    assert s.total_macs == sum(r.macs for r in s.leaves())


class _TinyNet(nn.Module):
    """Convolutions, average pooling, a residual add and a two-branch concatenation (tanh: no dead units)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 4, 3, padding=1)
        self.p1 = nn.AvgPool2d(2)
        self.r1 = nn.Conv2d(4, 4, 3, padding=1)
        self.r2 = nn.Conv2d(4, 4, 3, padding=1)
        self.b1 = nn.Conv2d(4, 2, 1)
        self.b2 = nn.Conv2d(4, 2, 5, padding=2)
        self.c2 = nn.Conv2d(4, 3, 3, stride=2, padding=1, dilation=1)

    def forward(self, x):
        x = self.p1(torch.tanh(self.c1(x)))
        x = x + self.r2(torch.tanh(self.r1(x)))
        x = torch.cat([self.b1(x), self.b2(x)], 1)
        return self.c2(torch.tanh(x))


def _gradient_extent(model: nn.Module, name: str, size: int) -> int:
    """Rows of the input that influence the centre output of module ``name`` (numerical receptive field)."""
    out = {}
    mod = dict(model.named_modules())[name]
    h = mod.register_forward_hook(lambda m, a, o: out.setdefault("y", o))
    x = torch.randn(1, model_in_channels(model), size, size, dtype=torch.float64, requires_grad=True)
    model(x)
    h.remove()
    y = out["y"]
    y[0, :, y.shape[2] // 2, y.shape[3] // 2].sum().backward()
    rows = (x.grad[0].abs().sum(dim=(0, 2)) > 0).nonzero().flatten()
    return int(rows.max() - rows.min() + 1)


def model_in_channels(model: nn.Module) -> int:
    return next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels


@pytest.mark.parametrize(
    "factory,names,size",
    [
        (_TinyNet, ["c1", "p1", "r1", "r2", "b1", "b2", "c2"], 64),
        (zoo.LeNet5, ["c1", "s2", "c3", "s4"], 32),
    ],
)
def test_receptive_field_matches_gradient_extent(factory, names, size):
    torch.manual_seed(0)
    model = factory().double().eval()
    s = summarize(model, (model_in_channels(model), size, size))
    for name in names:
        assert s.row(name).rf[0] == _gradient_extent(model, name, size), name


def test_receptive_fields_of_classic_models():
    vgg = _zoo_summary("vgg16")
    assert vgg.row("features.28").rf == (196, 196)  # conv5_3
    assert vgg.row("features.30").rf == (212, 212) and vgg.row("features.30").jump == (32, 32)
    assert _zoo_summary("resnet18").row("layer4").rf == (435, 435)
    alex = _zoo_summary("alexnet")
    assert alex.row("features.0").rf == (11, 11) and alex.row("features.0").jump == (4, 4)


def test_summary_errors_and_shape_parsing():
    assert parse_shape("3x224x224") == (3, 224, 224)
    assert parse_shape("1×32×32") == (1, 32, 32)
    for bad in ("3xax4", "0x3x3", ""):
        with pytest.raises(ValueError):
            parse_shape(bad)
    with pytest.raises(SummaryError):
        summarize_zoo("lenet5", (1, 16, 16))
    with pytest.raises(zoo.UnknownModel):
        zoo.build("lenet6")


def test_zoo_builds_eval_models_with_default_shapes():
    for name in zoo.names():
        spec = zoo.spec(name)
        s = _zoo_summary(name)
        assert s.input_shape == spec.input_shape
        assert s.output_shape == (spec.num_classes,)
    assert _zoo_summary("lenet5").total_params == 61_706
    nin = _zoo_summary("nin")
    assert not any(r.type == "Linear" for r in nin.rows)  # global average pooling, no FC layers
    assert nin.row("gap").output_shape == (10, 1, 1)


# ------------------------------------------------------------------ diagram


def test_diagram_structure():
    d = layout(_zoo_summary("resnet18"))
    adds = [b for b in d.blocks if b.kind == "add"]
    assert len(adds) == 8  # eight basic blocks
    assert sum(1 for e in d.edges if e.kind == "skip") == 5  # identity shortcuts
    projections = [b for b in d.blocks if "downsample.0" in b.row]
    assert len(projections) == 3
    for p in projections:  # the 1x1 projection sits beside the main path
        add = next(b for b in adds if b.row == p.row.rsplit(".", 2)[0])
        assert p.x > add.x
    g = layout(_zoo_summary("googlenet"))
    concats = [b for b in g.blocks if b.kind == "concat"]
    assert len(concats) == 9
    assert sum(1 for e in g.edges if e.kind == "aux") == 2
    br = [g.block_for_row(f"inception3a.branch{i}") for i in range(1, 5)]
    assert len({round(b.y) for b in br}) == 1 and len({round(b.x) for b in br}) == 4  # side by side
    # every leaf row that ran is shown by exactly one block
    for name in ("resnet50", "googlenet", "vgg16", "lenet5", "nin", "alexnet"):
        s = _zoo_summary(name)
        d = layout(s)
        shown = [r for b in d.blocks for r in b.rows]
        assert len(shown) == len(set(shown))
        assert set(shown) == {r.name for r in s.leaves() if r.order is not None}
        for b in d.blocks:  # blocks do not overlap
            for c in d.blocks:
                if b.id < c.id:
                    assert b.x + b.w <= c.x or c.x + c.w <= b.x or b.y + b.h <= c.y or c.y + c.h <= b.y


# ------------------------------------------------------------------ bottleneck


def test_bottleneck_examples():
    r = bottleneck()
    assert (r.params_direct, r.params_reduced) == (409_600, 59_392)
    r = bottleneck(**PRESETS["28x28x192-to-32"])
    assert r.macs_direct == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    assert (r.reduce_macs, r.conv_macs, r.macs_reduced) == (2_408_448, 10_035_200, 12_443_648)
    with pytest.raises(ValueError):
        bottleneck(c_mid=0)


def test_bottleneck_matches_real_convolutions():
    """Parameter counts and MACs agree with torch modules and torch's FLOP counter."""
    h, w, c_in, f, c_out, c_mid = 9, 7, 12, 3, 10, 4
    r = bottleneck(h, w, c_in, f, c_out, c_mid, bias=True)
    direct = nn.Conv2d(c_in, c_out, f, padding=f // 2)
    reduced = nn.Sequential(nn.Conv2d(c_in, c_mid, 1), nn.Conv2d(c_mid, c_out, f, padding=f // 2))
    assert r.params_direct == sum(p.numel() for p in direct.parameters())
    assert r.params_reduced == sum(p.numel() for p in reduced.parameters())
    for module, macs in ((direct, r.macs_direct), (reduced, r.macs_reduced)):
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            module(torch.zeros(1, c_in, h, w))
        assert counter.get_total_flops() == 2 * macs


# ------------------------------------------------------------------ user model files


def test_torchscript_file_opens_and_lists_layers(tmp_path):
    torch.manual_seed(0)
    model = zoo.LeNet5().eval()
    path = tmp_path / "lenet.pt"
    torch.jit.script(model).save(str(path))
    assert detect_format(path) == "torchscript"
    um = open_model(path)
    s = um.summarize()
    ref = summarize(model, (1, 32, 32))
    assert [r.name for r in s.rows] == [r.name for r in ref.rows]
    assert [r.output_shape for r in s.rows] == [r.output_shape for r in ref.rows]
    assert s.total_params == ref.total_params == 61_706
    x = torch.randn(2, 1, 32, 32)
    maps = um.feature_maps(x)
    torch.testing.assert_close(maps["c1"], model.c1(x))
    torch.testing.assert_close(maps["output"], model(x))


def test_scripted_resnet_with_helper_method_captures_nested_layers(tmp_path):
    import torchvision

    model = torchvision.models.resnet18(weights=None).eval()
    path = tmp_path / "r18.pt"
    torch.jit.script(model).save(str(path))
    s = open_model(path).summarize((3, 64, 64))
    ref = summarize(model, (3, 64, 64))
    assert {r.name: r.output_shape for r in s.rows} == {r.name: r.output_shape for r in ref.rows}
    assert s.total_params == 11_689_512


def test_exported_program_round_trip(tmp_path):
    torch.manual_seed(0)
    model = zoo.NiN().eval()
    x = torch.randn(1, 3, 32, 32)
    path = tmp_path / "nin.pt2"
    torch.export.save(torch.export.export(model, (x,)), str(path))
    assert detect_format(path) == "exported"
    um = open_model(path)
    assert um.default_input_shape() == (3, 32, 32)
    s = um.summarize()
    ref = summarize(model, (3, 32, 32))
    assert {r.name: r.output_shape for r in s.rows} == {r.name: r.output_shape for r in ref.rows if r.output_shape}
    assert s.total_params == ref.total_params
    conv_ref = sum(r.macs for r in ref.leaves() if r.type == "Conv2d")
    assert s.total_macs == conv_ref
    maps = um.feature_maps(x)
    torch.testing.assert_close(maps["block1.0"], model.block1[0](x))
    torch.testing.assert_close(um(x), model(x))


class _Trap:
    """Unpickling this runs code: it writes a file."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_pickled_module_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(zoo.LeNet5(), str(path))
    with pytest.raises(ModelFileError, match="pickled"):
        open_model(path)
    trap_target = tmp_path / "pwned.txt"
    trap = tmp_path / "trap.pt"
    torch.save({"x": _Trap(str(trap_target))}, str(trap))
    with pytest.raises(ModelFileError) as err:
        open_model(trap)
    assert "torch.jit" in str(err.value) and "torch.export" in str(err.value)
    assert not trap_target.exists()
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps(_Trap(str(trap_target))))
    with pytest.raises(ModelFileError):
        open_model(plain)
    assert not trap_target.exists()
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(ModelFileError, match="neither"):
        open_model(junk)
    with pytest.raises(ModelFileError, match="no such file"):
        open_model(tmp_path / "missing.pt")


# ------------------------------------------------------------------ CLI


def _cli(capsys, *argv) -> tuple[int, str, str]:
    from engine.cli import build_parser, run

    rc = run(build_parser().parse_args(list(argv)))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_list_and_summary_json(capsys, tmp_path):
    rc, out, _ = _cli(capsys, "arch", "list", "--json")
    assert rc == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert list(rows) == zoo.names()
    assert rows["vgg16"]["params"] == 138_357_544 and rows["resnet50"]["params"] == 25_557_032
    assert rows["googlenet"]["params"] < rows["googlenet"]["params_with_training_only"]

    rc, out, _ = _cli(capsys, "arch", "summary", "alexnet", "--json")
    assert rc == 0
    data = json.loads(out)
    assert data["total_params"] == 61_100_840
    assert data["input_shape"] == [3, 224, 224] and data["output_shape"] == [1000]
    assert data["rows"][0]["name"] == "features" and data["rows"][1]["output_shape"] == [64, 55, 55]
    assert data["total_macs"] == sum(r["macs"] for r in data["rows"] if r["is_leaf"])

    rc, out, _ = _cli(capsys, "arch", "summary", "resnet18", "--input", "3x64x64", "--depth", "0")
    assert rc == 0
    assert "11,689,512" in out and "512×2×2" in out and "layer1.0" not in out

    rc, _, err = _cli(capsys, "arch", "summary", "lenet5", "--input", "1x16x16")
    assert rc == 1 and "could not run" in err
    rc, _, err = _cli(capsys, "arch", "summary", "nosuchnet")
    assert rc == 1 and "neither a known architecture" in err

    path = tmp_path / "lenet.pt"
    torch.jit.script(zoo.LeNet5()).save(str(path))
    rc, out, _ = _cli(capsys, "arch", "summary", str(path), "--json")
    assert rc == 0 and json.loads(out)["total_params"] == 61_706
    pickled = tmp_path / "pickled.pt"
    torch.save(zoo.LeNet5(), str(pickled))
    rc, _, err = _cli(capsys, "arch", "summary", str(pickled))
    assert rc == 1 and "pickled" in err


def test_cli_arch_extension_hook():
    from engine.cli import build_parser
    from engine.commands import arch

    seen = []

    def registrar(sub):
        p = sub.add_parser("demo-extension")
        p.set_defaults(func=lambda a: seen.append("ran") or 0)
        seen.append("registered")

    arch.ARCH_SUBCOMMANDS.append(registrar)
    try:
        args = build_parser().parse_args(["arch", "demo-extension"])
        assert args.func(args) == 0
    finally:
        arch.ARCH_SUBCOMMANDS.remove(registrar)
    assert seen == ["registered", "ran"]


# ------------------------------------------------------------------ GUI


@pytest.fixture
def arch_panel(make_panel):
    from gui.panels.architectures import ArchitecturesPanel

    yield make_panel(ArchitecturesPanel, (1100, 750), settings="app", collect_errors=True, shutdown=False)


def _wait_for(qtbot, panel, name_part: str) -> None:
    qtbot.waitUntil(lambda: panel.model.summary is not None and name_part in panel.model.summary.name, timeout=60000)


def test_panel_select_model_and_layers_both_ways(qtbot, arch_panel):
    from PySide6.QtCore import Qt

    panel = arch_panel
    _wait_for(qtbot, panel, "resnet18")
    panel.chooser.setCurrentIndex(panel.chooser.findData("lenet5"))
    _wait_for(qtbot, panel, "lenet5")
    s = panel.model.summary
    table = panel.table
    assert table.rowCount() == len(s.rows) + 1
    total = table.totals_row()
    assert table.item(total, 0).text() == "Total" and table.item(total, 4).text() == "61,706"
    assert table.item(table.names.index("c5"), 4).text() == "48,120"
    # table -> diagram
    table.selectRow(table.names.index("c3"))
    assert panel.model.selected == "c3"
    assert "c3" in panel.diagram.selected_block().rows
    # a merged activation row selects the block it is drawn in
    table.selectRow(table.names.index("act3"))
    assert panel.diagram.selected_block().row == "c3"
    # diagram -> table, with a real mouse click on the block
    view = panel.diagram
    item = view.item_for_row("s4")
    view.ensureVisible(item)
    qtbot.wait(20)
    point = view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert panel.model.selected == "s4"
    assert table.selected_name() == "s4"
    assert item.selected_row


def test_panel_residual_container_and_input_shape(qtbot, arch_panel):
    panel = arch_panel
    _wait_for(qtbot, panel, "resnet18")
    panel.table.selectRow(panel.table.names.index("layer2.0"))
    block = panel.diagram.selected_block()
    assert block.kind == "add" and block.row == "layer2.0"
    panel.input_edit.setText("64x64x3")  # H×W×C, the default notation
    panel.input_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.model.summary is not None and panel.model.summary.input_shape == (3, 64, 64), timeout=60000)
    assert panel.model.summary.row("layer4").output_shape == (512, 2, 2)
    panel.input_edit.setText("3xbad")
    panel.input_edit.editingFinished.emit()
    assert "3xbad" in panel.message.text()
    panel.leaves_only.setChecked(True)
    assert "layer1" not in panel.table.names and "layer1.0.conv1" in panel.table.names


def test_panel_opens_model_files_and_refuses_pickles(qtbot, arch_panel, tmp_path):
    panel = arch_panel
    _wait_for(qtbot, panel, "resnet18")
    path = tmp_path / "digits.pt"
    torch.jit.script(zoo.LeNet5()).save(str(path))
    assert panel.open_model_file(path)
    _wait_for(qtbot, panel, "digits.pt")
    assert panel.chooser.currentText() == "File: digits.pt"
    assert "c1" in panel.table.names and panel.model.summary.total_params == 61_706
    assert panel.diagram.diagram is not None and panel.diagram.item_for_row("f6") is not None
    pickled = tmp_path / "pickled.pt"
    torch.save(zoo.LeNet5(), str(pickled))
    assert not panel.open_model_file(pickled)
    assert panel.errors and "pickled" in panel.errors[-1][1]
    assert "pickled" in panel.message.text()


def test_bottleneck_calculator_is_live(qtbot, arch_panel):
    calc = arch_panel.calculator
    assert calc.labels["direct_params"].text() == "409,600"
    assert calc.labels["reduced_params"].text() == "59,392"
    calc.preset.setCurrentIndex(calc.preset.findData("28x28x192-to-32"))
    assert calc.spins["c_in"].value() == 192 and calc.spins["c_mid"].value() == 16
    assert calc.labels["direct_macs"].text() == "120,422,400"
    assert calc.labels["reduced_macs"].text() == "12,443,648"
    calc.spins["c_mid"].setValue(32)  # typing a value updates at once and leaves the preset
    expected = bottleneck(28, 28, 192, 5, 32, 32)
    assert calc.labels["reduced_macs"].text() == f"{expected.macs_reduced:,}"
    assert calc.preset.currentData() == ""


class _FlaggedBlock(nn.Module):
    residual = True  # the documented flag for blocks without a shortcut child module

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)

    def forward(self, x):
        return x + self.conv(x)


def test_diagram_recognises_flagged_residual_blocks():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), _FlaggedBlock(), _FlaggedBlock(), nn.Flatten())
    s = summarize(model, (1, 6, 6))
    assert s.row("1").residual and not s.row("0").residual
    d = layout(s)
    skips = [e for e in d.edges if e.kind == "skip"]
    assert [d.blocks[e.dst].row for e in skips] == ["1", "2"]
    assert d.blocks[skips[0].src].row == "0"  # the arc starts at the block feeding the residual block


def test_user_model_wrong_input_shapes_explain_themselves(tmp_path):
    model = zoo.LeNet5().eval()
    ts = tmp_path / "lenet.pt"
    torch.jit.script(model).save(str(ts))
    with pytest.raises(SummaryError, match="expected input.*1 channels"):
        open_model(ts).summarize((3, 32, 32))
    ep = tmp_path / "lenet.pt2"
    torch.export.save(torch.export.export(model, (torch.zeros(1, 1, 32, 32),)), str(ep))
    with pytest.raises(SummaryError, match="exported for inputs of shape 1×32×32 only"):
        open_model(ep).summarize((1, 64, 64))


def test_layer_outputs_and_channel_grid(tmp_path):
    from engine.arch.layer_outputs import channel_grid, layer_outputs_job, prepare_input
    from engine.jobs import run_job
    from engine.samples import sample_image

    torch.manual_seed(0)
    model = zoo.LeNet5().eval()
    path = tmp_path / "lenet.pt"
    torch.jit.script(model).save(str(path))
    rgb = sample_image("camera")
    outs = run_job(layer_outputs_job(open_model(path), rgb)).result
    x = prepare_input(rgb, (1, 32, 32))
    assert x.shape == (1, 1, 32, 32) and 0 <= float(x.min()) and float(x.max()) <= 1
    torch.testing.assert_close(outs.maps["c1"], model.c1(x))
    torch.testing.assert_close(outs.maps["output"], model(x))
    c1 = outs.maps["c1"][0]  # 6 maps of 28x28 -> a 2 x 3 grid with 1-pixel gaps
    grid = channel_grid(c1)
    assert grid.shape == (2 * 28 + 1, 3 * 28 + 2, 3) and grid.dtype == np.uint8
    for i in range(6):  # each cell is its channel scaled to 0..255
        r, c = divmod(i, 3)
        cell = grid[r * 29 : r * 29 + 28, c * 29 : c * 29 + 28, 0].astype(int)
        ch = c1[i]
        expected = ((ch - ch.min()) / (ch.max() - ch.min()) * 255).round().numpy().astype(int)
        assert np.abs(cell - expected).max() <= 1
    assert channel_grid(outs.maps["f6"][0]).shape[:2] == (30, 30)  # 84 values -> one 10x10 map, enlarged 3x


def test_panel_layer_outputs_for_opened_models(qtbot, arch_panel, tmp_path):
    from engine.arch.layer_outputs import prepare_input
    from engine.samples import sample_image

    panel = arch_panel
    _wait_for(qtbot, panel, "resnet18")
    panel.tabs.setCurrentWidget(panel.outputs)
    assert panel.outputs.feature_maps_button.isVisibleTo(panel)  # zoo models point to the Feature maps panel
    torch.manual_seed(0)
    model = zoo.LeNet5().eval()
    path = tmp_path / "lenet.pt"
    torch.jit.script(model).save(str(path))
    assert panel.open_model_file(path)
    _wait_for(qtbot, panel, "lenet.pt")
    panel.table.selectRow(panel.table.names.index("c3"))
    qtbot.waitUntil(lambda: panel.outputs.view.has_image(), timeout=60000)
    assert "c3: output 10×10×16 (H×W×C), 16 of 16 channels" in panel.outputs.caption.text()
    x = prepare_input(sample_image("astronaut"), (1, 32, 32))
    torch.testing.assert_close(panel._outputs.maps["c3"], model.c3(model.s2(model.act1(model.c1(x)))))
    panel.outputs.sample.setCurrentIndex(panel.outputs.sample.findData("coffee"))
    qtbot.waitUntil(lambda: panel._outputs is not None and panel._outputs_key[2] == "coffee", timeout=60000)
    assert not panel.outputs.feature_maps_button.isVisibleTo(panel)


def test_cli_summary_refuses_a_negative_depth(capsys):
    rc, out, err = _cli(capsys, "arch", "summary", "lenet5", "--depth", "-1")
    assert rc == 1 and out == ""
    assert "--depth" in err and "\n" not in err.strip()
