"""A model file runs only operators from ConvStudio's closed allowlist (engine.model_ops).

Every hostile file is built here from a real model: a TorchScript or exported program whose graph
maps a victim file with ``from_file(shared=True)`` and fills it, one calling an operator from a
namespace registered by this test (its kernel would create a marker file), one holding a custom
class (``torch.classes``), one whose ``__setstate__`` (run by ``torch.jit.load``) maps the victim.
Each must be refused in one line naming what it uses, with the victim left byte-identical.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from engine.arch import zoo
from engine.arch.user_model import ModelFileError, open_model
from engine.model_gate import exported_program_problem, load_torchscript
from engine.model_ops import operator_allowed
from engine.safe_files import RefusedFile
from engine.weights import WeightsError, safe_load
from gui.main import main

ROOT = Path(__file__).resolve().parents[1]
VICTIM = b"genuine bytes of a file the user owns\n" * 2
FROM_FILE = "aten::from_file"


# ------------------------------------------------------------------ payloads


class MapsAFile(nn.Module):
    """Opens ``path`` as shared memory and overwrites its first 16 bytes."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.conv = nn.Conv2d(1, 2, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.from_file(self.path, shared=True, size=16, dtype=torch.uint8).fill_(35)
        return self.conv(x) + y[0].float() * 0


class MapsAFileExported(MapsAFile):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.ops.aten.fill_.Scalar(torch.ops.aten.from_file.default(self.path, True, 16, dtype=torch.uint8), 35)
        return self.conv(x) + y[0].float() * 0


class MapsAFileWhileLoading(nn.Module):
    """Its ``__setstate__``, which ``torch.jit.load`` runs, overwrites ``path``."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.k = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.k

    @torch.jit.export
    def __getstate__(self) -> tuple[str, bool]:
        return (self.path, self.training)

    @torch.jit.export
    def __setstate__(self, state: tuple[str, bool]) -> None:
        self.path = state[0]
        self.training = state[1]
        self.k = int(torch.from_file(self.path, shared=True, size=16, dtype=torch.uint8).fill_(36)[0]) * 0


_MARKER = Path(tempfile.gettempdir()) / f"convstudio-boom-{os.getpid()}"  # written only if the kernel runs


@torch.library.custom_op("convstudio_test::boom", mutates_args=())
def _boom(x: torch.Tensor) -> torch.Tensor:
    _MARKER.write_text("the kernel ran")
    return x.clone()


@_boom.register_fake
def _boom_fake(x: torch.Tensor) -> torch.Tensor:
    return torch.empty_like(x)


class UnknownNamespace(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.convstudio_test.boom(self.conv(x))


class Prints(nn.Module):
    """A side effect the source check does not name (``print`` is no operator call): the graph walk must."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        print("hello from a model file")
        return x


class Clean(nn.Module):
    """conv, relu, pool, linear."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))


X = torch.zeros(1, 1, 8, 8)


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    return victim


def _script(module: nn.Module, path: Path) -> Path:
    torch.jit.script(module).save(str(path))
    return path


def _export(module: nn.Module, path: Path, x: torch.Tensor = X, **kwargs) -> Path:
    torch.export.save(torch.export.export(module.eval(), (x,), **kwargs), str(path))
    return path


def _exported_from_file(victim: Path, path: Path) -> Path:
    """A genuine exported program calling aten::from_file (export needs a shape rule for it, given here only)."""
    lib = torch.library.Library("aten", "IMPL")

    def meta(filename, shared=None, size=0, *, dtype=None, layout=None, device=None, pin_memory=None):
        return torch.empty(size, dtype=dtype, device="meta")

    lib.impl("from_file", meta, "Meta")
    try:
        return _export(MapsAFileExported(str(victim)), path)
    finally:
        lib._destroy()


def _quantized(path: Path) -> Path:
    """A dynamically quantized Linear: its packed weights are a torch.classes object (native code)."""
    torch.backends.quantized.engine = next(e for e in ("fbgemm", "x86", "qnnpack")
                                           if e in torch.backends.quantized.supported_engines)
    model = torch.ao.quantization.quantize_dynamic(nn.Sequential(nn.Linear(4, 4)), {nn.Linear}, dtype=torch.qint8)
    torch.jit.script(model).save(str(path))
    return path


def _refused(exc: BaseException, path: Path, what: str) -> None:
    text = str(exc)
    assert "\n" not in text and path.name in text and what in text, text


# ------------------------------------------------------------------ the allowlist itself


def test_allowlist_is_closed():
    for name in ("aten::conv2d", "aten::linear", "aten::max_pool2d", "aten::batch_norm", "aten::relu_",
                 "aten::add.Tensor", "aten::view", "aten::cat", "aten::softmax", "aten::upsample_nearest2d",
                 "aten::dropout", "prim::If", "prim::Loop", "prim::GetAttr", "prim::CallMethod", "higher_order::cond"):
        assert operator_allowed(name), name
    for name in (FROM_FILE, "aten::from_file.default", "aten::save", "aten::set_", "aten::untyped_storage",
                 "aten::as_strided", "aten::_unsafe_index", "prim::Print", "prim::PythonOp", "prim::fork",
                 "higher_order::with_effects", "higher_order::call_torchbind", "quantized::linear_dynamic",
                 "convstudio_test::boom", "torchvision::nms", "aten::", "conv2d", "aten::__setstate__"):
        assert not operator_allowed(name), name


# ------------------------------------------------------------------ TorchScript


@pytest.mark.parametrize("case", ["from_file", "setstate", "namespace", "custom class", "print"])
def test_torchscript_outside_the_allowlist_is_refused_unrun(tmp_path, case):
    victim = _victim(tmp_path)
    path = tmp_path / "model.pt"
    if case == "from_file":
        _script(MapsAFile(str(victim)), path)
        what = FROM_FILE
    elif case == "setstate":
        _script(MapsAFileWhileLoading(str(victim)), path)
        what = "__setstate__"
    elif case == "namespace":
        _script(UnknownNamespace(), path)
        what = "convstudio_test::boom"
    elif case == "print":
        _script(Prints(), path)
        what = "prim::Print"
    else:
        _quantized(path)
        what = "torch.classes.quantized.LinearPackedParamsBase"
    with pytest.raises(ModelFileError) as err:
        open_model(path)
    _refused(err.value, path, what)
    assert victim.read_bytes() == VICTIM and not _MARKER.exists()


def test_torchscript_graphs_are_walked_after_compiling_too(tmp_path):
    """The second check alone (source check bypassed): every compiled graph, before any call."""
    victim = _victim(tmp_path)
    with pytest.raises(RefusedFile, match=FROM_FILE):
        load_torchscript(_script(MapsAFile(str(victim)), tmp_path / "a.pt"))
    with pytest.raises(RefusedFile, match="convstudio_test::boom"):
        load_torchscript(_script(UnknownNamespace(), tmp_path / "b.pt"))
    with pytest.raises(RefusedFile, match=r"torch\.classes\.quantized|quantized::linear_dynamic"):
        load_torchscript(_quantized(tmp_path / "c.pt"))  # its packed weights' type, or the operator using them
    assert victim.read_bytes() == VICTIM and not _MARKER.exists()


def test_a_real_from_file_model_does_overwrite_its_victim(tmp_path):
    """The payload is genuine: torch's own loader runs it (so the refusals above are what protect the file)."""
    victim = _victim(tmp_path)
    torch.jit.load(str(_script(MapsAFile(str(victim)), tmp_path / "m.pt")))(X)
    assert victim.read_bytes()[:16] == b"#" * 16


# ------------------------------------------------------------------ exported programs


@pytest.mark.parametrize("case", ["from_file", "namespace"])
def test_exported_outside_the_allowlist_is_refused_unrun(tmp_path, case):
    victim = _victim(tmp_path)
    path = tmp_path / "model.pt2"
    if case == "from_file":
        _exported_from_file(victim, path)
        what = FROM_FILE
    else:
        _export(UnknownNamespace(), path)
        what = "convstudio_test::boom"
    with pytest.raises(ModelFileError) as err:
        open_model(path)
    _refused(err.value, path, what)
    assert victim.read_bytes() == VICTIM and not _MARKER.exists()


def test_loaded_exported_graph_is_walked_with_its_subgraphs(tmp_path):
    class Branches(nn.Module):
        def forward(self, x):
            return torch.cond(x.sum() > 0, lambda v: torch.ops.convstudio_test.boom(v), lambda v: v + 1, (x,))

    program = torch.export.export(Branches(), (X,))
    assert exported_program_problem(program) == "convstudio_test::boom"  # found inside a cond branch
    clean = torch.export.export(Clean().eval(), (X,))
    assert exported_program_problem(clean) is None
    path = _export(Branches(), tmp_path / "cond.pt2")
    with pytest.raises(ModelFileError, match="convstudio_test::boom"):
        open_model(path)
    assert not _MARKER.exists()

    class CleanBranches(nn.Module):  # cond is allowed when both branches pass
        def forward(self, x):
            return torch.cond(x.sum() > 0, lambda v: torch.relu(v) * 2, lambda v: v - 1, (x,))

    um = open_model(_export(CleanBranches(), tmp_path / "clean_cond.pt2"))
    assert torch.equal(um(torch.ones(1, 1, 8, 8)), torch.full((1, 1, 8, 8), 2.0))
    assert torch.equal(um(-torch.ones(1, 1, 8, 8)), torch.full((1, 1, 8, 8), -2.0))


def test_exported_summary_takes_shapes_from_the_program_not_from_running_it(tmp_path, monkeypatch):
    from torch._subclasses.fake_tensor import FakeTensor

    torch.manual_seed(0)
    side = torch.export.Dim("side", min=4, max=64)
    static = open_model(_export(Clean(), tmp_path / "static.pt2"))
    dynamic = open_model(_export(nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU()), tmp_path / "dynamic.pt2",
                                 dynamic_shapes=({2: side, 3: side},)))
    seen: list[bool] = []
    real_run = torch.fx.Interpreter.run

    def run(self, *args, **kwargs):
        seen.append(all(isinstance(a, FakeTensor) for a in args if isinstance(a, torch.Tensor)))
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(torch.fx.Interpreter, "run", run)
    s = static.summarize()
    assert seen == []  # nothing ran at all
    assert s.output_shape == (3,) and [r.output_shape for r in s.rows][:2] == [(4, 8, 8), (4, 4, 4)]
    d = dynamic.summarize((1, 20, 20))
    assert seen == [True]  # fake tensors only
    assert d.rows[0].output_shape == (4, 18, 18) and d.output_shape == (4, 18, 18)


# ------------------------------------------------------------------ what must still open


def _zoo(name: str) -> nn.Module:
    torch.manual_seed(0)
    return zoo.build(name).eval()


@pytest.mark.parametrize("name, shape", [("clean", (1, 8, 8)), ("lenet5", (1, 32, 32)), ("resnet18", (3, 64, 64)),
                                         ("style", (3, 32, 32)), ("grid", (3, 64, 64))])
def test_genuine_models_open_in_both_formats(tmp_path, name, shape):
    from engine.style.fast import TransformerNet
    from engine.yolo.model import GridNet

    torch.manual_seed(0)
    model = {"clean": Clean, "style": TransformerNet, "grid": lambda: GridNet(2, 3)}.get(name, lambda: _zoo(name))()
    model = model.eval()
    x = torch.rand(1, *shape)
    with torch.no_grad():
        expected = model(x)
    # the style network does not script (its interpolate call); a traced file is what a user would save
    script = torch.jit.trace(model, x) if name == "style" else torch.jit.script(model)
    script.save(str(tmp_path / "m.pt"))
    files = [tmp_path / "m.pt", _export(model, tmp_path / "m.pt2", x)]
    for path in files:
        um = open_model(path)
        got = um(x)
        assert torch.allclose(got, expected, atol=1e-4), path
        s = um.summarize(shape)
        assert s.total_params == sum(p.numel() for p in model.parameters())
        assert s.output_shape == tuple(expected.shape[1:])


# ------------------------------------------------------------------ every path that opens a file


def test_cli_arch_summary_refuses_each_payload_in_one_line(tmp_path):
    victim = _victim(tmp_path)
    files = {
        FROM_FILE: _script(MapsAFile(str(victim)), tmp_path / "evil.pt"),
        "__setstate__": _script(MapsAFileWhileLoading(str(victim)), tmp_path / "setstate.pt"),
        "torch.classes": _quantized(tmp_path / "quantized.pt"),
    }
    pt2 = _exported_from_file(victim, tmp_path / "evil.pt2")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CONVSTUDIO_LANG": "en"}
    for what, path in [*files.items(), (FROM_FILE, pt2)]:
        done = subprocess.run([sys.executable, "-m", "gui.main", "arch", "summary", str(path)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode != 0 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        assert path.name in lines[0] and what in lines[0], lines
        assert victim.read_bytes() == VICTIM


def test_weights_paths_name_the_operator_and_never_load_a_model(tmp_path, capsys):
    victim = _victim(tmp_path)
    script = _script(MapsAFile(str(victim)), tmp_path / "evil.pt")
    pt2 = _exported_from_file(victim, tmp_path / "evil.pt2")
    for path in (script, pt2):
        with pytest.raises(WeightsError) as err:
            safe_load(path)
        _refused(err.value, path, FROM_FILE)
        for argv in (["models", "import", "resnet18", str(path)],
                     ["detect", str(tmp_path / "none.png"), "--model", f"yolo:{path}"],
                     ["style", "apply", str(path), str(tmp_path / "none.png"), "-o", str(tmp_path / "out")]):
            assert main(argv) != 0, argv
            err_lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
            assert len(err_lines) == 1 and path.name in err_lines[0] and "Traceback" not in err_lines[0], (argv, err_lines)
    assert victim.read_bytes() == VICTIM
    clean = _script(Clean(), tmp_path / "clean.pt")
    with pytest.raises(WeightsError, match="TorchScript model, not a weights file"):
        safe_load(clean)


def test_architectures_panel_refuses_a_from_file_model_in_one_line(qtbot, tmp_path):
    from gui.context import AppContext, make_settings
    from gui.jobs import JobRunner
    from gui.panels.architectures import ArchitecturesPanel

    victim = _victim(tmp_path)
    evil = _exported_from_file(victim, tmp_path / "evil.pt2")
    errors: list[tuple[str, str]] = []
    ctx = AppContext(JobRunner(), make_settings(), show_error=lambda title, text, details="": errors.append((title, text)))
    panel = ArchitecturesPanel(ctx)
    qtbot.addWidget(panel)
    try:
        assert not panel.open_model_file(evil)
        assert len(errors) == 1 and "\n" not in errors[0][1] and FROM_FILE in errors[0][1]
        assert victim.read_bytes() == VICTIM
        assert panel.open_model_file(_script(Clean(), tmp_path / "clean.pt"))
    finally:
        ctx.jobs.wait_all(5000)


def test_torchscript_code_that_cannot_be_read_is_refused(tmp_path):
    import zipfile

    genuine = _script(Clean(), tmp_path / "clean.pt")
    broken = tmp_path / "broken.pt"
    with zipfile.ZipFile(genuine) as zin, zipfile.ZipFile(broken, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            zout.writestr(name, b"\xff\xfe not utf-8 " + data if "/code/" in name and name.endswith(".py") else data)
    with pytest.raises(ModelFileError) as err:
        open_model(broken)
    _refused(err.value, broken, "is not readable TorchScript code")
