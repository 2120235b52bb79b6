"""Opening a model, checkpoint or weights file never runs code planted in it.

Each hostile file is built here: a genuine ``torch.export.save`` / ``torch.jit.save``
archive with one member replaced by a pickle whose ``__reduce__`` would create a
marker file. Every loader must refuse it in one line, before anything unpickles it.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch
from torch import nn

from engine.arch.user_model import ModelFileError, open_model
from engine.safe_files import pickle_problem, tensor_global
from engine.weights import WeightsError, safe_load
from gui.main import main

ROOT = Path(__file__).resolve().parents[1]
_OPEN = f"{open.__module__}.{open.__name__}"  # how a pickle names the payload's callable


class _Payload:
    """Unpickling this creates ``marker``."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


class _Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.register_buffer("shift", torch.ones(2))

    def forward(self, x):
        return torch.relu(self.conv(x)) + self.shift.sum()


def _exported(path: Path) -> Path:
    torch.manual_seed(0)
    torch.export.save(torch.export.export(_Tiny().eval(), (torch.zeros(1, 1, 8, 8),)), str(path))
    return path


def _scripted(path: Path) -> Path:
    torch.manual_seed(0)
    torch.jit.script(_Tiny().eval()).save(str(path))
    return path


def _rewrite(src: Path, dst: Path, replace: dict, add: dict | None = None) -> Path:
    """Copy a zip archive, replacing members whose names end with a key (bytes, or a function of the old bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        prefix = zin.namelist()[0].split("/", 1)[0]
        for name in zin.namelist():
            data = zin.read(name)
            for tail, new in replace.items():
                if name.endswith(tail):
                    data = new(data) if callable(new) else new
            zout.writestr(name, data)
        for tail, data in (add or {}).items():
            zout.writestr(f"{prefix}/{tail}", data)
    return dst


def _torch_saved(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _one_line_refusal(exc: BaseException, path: Path, what: str) -> str:
    text = str(exc)
    assert "\n" not in text and path.name in text and what in text, text
    return text


# ------------------------------------------------------------------ exported programs (.pt2)


def test_pt2_with_code_in_sample_inputs_is_refused_unrun(tmp_path):
    marker = tmp_path / "pwned"
    evil = _rewrite(_exported(tmp_path / "m.pt2"), tmp_path / "evil.pt2",
                    {"data/sample_inputs/model.pt": _torch_saved(_Payload(marker))})
    with pytest.raises(ModelFileError) as err:
        open_model(evil)
    _one_line_refusal(err.value, evil, "data/sample_inputs/model.pt")
    assert _OPEN in str(err.value) and "refused" in str(err.value)
    assert not marker.exists()


def test_pt2_with_a_pickled_weight_carrying_code_is_refused_unrun(tmp_path):
    marker = tmp_path / "pwned"

    def use_pickle(data: bytes) -> bytes:
        config = json.loads(data)
        config["config"]["shift"]["use_pickle"] = True
        return json.dumps(config).encode()

    genuine = _exported(tmp_path / "m.pt2")
    with zipfile.ZipFile(genuine) as zf:
        config = json.loads(next(zf.read(n) for n in zf.namelist() if n.endswith("model_weights_config.json")))
    member = config["config"]["shift"]["path_name"]
    evil = _rewrite(genuine, tmp_path / "evil.pt2",
                    {"model_weights_config.json": use_pickle, f"data/weights/{member}": _torch_saved(_Payload(marker))})
    with pytest.raises(ModelFileError) as err:
        open_model(evil)
    _one_line_refusal(err.value, evil, f"data/weights/{member}")
    assert not marker.exists()


def test_pt2_pickled_weight_of_plain_tensors_still_opens(tmp_path):
    def use_pickle(data: bytes) -> bytes:
        config = json.loads(data)
        config["config"]["shift"]["use_pickle"] = True
        return json.dumps(config).encode()

    genuine = _exported(tmp_path / "m.pt2")
    with zipfile.ZipFile(genuine) as zf:
        member = json.loads(next(zf.read(n) for n in zf.namelist() if n.endswith("model_weights_config.json")))
    name = member["config"]["shift"]["path_name"]
    fine = _rewrite(genuine, tmp_path / "fine.pt2",
                    {"model_weights_config.json": use_pickle, f"data/weights/{name}": _torch_saved(torch.full((2,), 3.0))})
    um = open_model(fine)
    assert torch.equal(dict(um.module.named_buffers())["shift"], torch.full((2,), 3.0))


@pytest.mark.parametrize("case", ["native code", "unknown member", "custom object", "operator", "expression",
                                  "duplicate member"])
def test_pt2_beyond_its_format_is_refused(tmp_path, case):
    marker = tmp_path / "pwned"
    genuine = _exported(tmp_path / "m.pt2")

    def program(edit):
        def apply(data: bytes) -> bytes:
            doc = json.loads(data)
            edit(doc)
            return json.dumps(doc).encode()
        return {"models/model.json": apply}

    def constant(data: bytes) -> bytes:
        return json.dumps({"config": {"obj": {"path_name": "opaque_obj_0", "is_param": False, "use_pickle": True,
                                              "tensor_meta": None}}}).encode()

    def target(doc):
        doc["graph_module"]["graph"]["nodes"][0]["target"] = "_operator.attrgetter"

    def expression(doc):
        payload = f"__import__('builtins').open('{marker}', 'w')"
        doc["graph_module"]["graph"]["sym_int_values"] = {"s0": {"as_expr": {"expr_str": payload, "hint": None}}}

    replace, add, what = {}, {}, ""
    if case == "native code":
        add, what = {"data/aotinductor/model/model.so": b"\x7fELF"}, "data/aotinductor/model/model.so"
    elif case == "unknown member":
        add, what = {"payload.pkl": pickle.dumps(_Payload(marker))}, "payload.pkl"
    elif case == "custom object":
        replace = {"model_constants_config.json": constant}
        add, what = {"data/constants/opaque_obj_0": pickle.dumps(_Payload(marker))}, "opaque_obj_0"
    elif case == "operator":
        replace, what = program(target), "_operator.attrgetter"
    else:
        replace, what = program(expression), "__import__"
    if case == "duplicate member":
        add, what = {"data/sample_inputs/model.pt": _torch_saved(_Payload(marker))}, "two members"
    evil = _rewrite(genuine, tmp_path / "evil.pt2", replace, add)
    with pytest.raises(ModelFileError) as err:
        open_model(evil)
    _one_line_refusal(err.value, evil, what)
    assert not marker.exists()


# ------------------------------------------------------------------ TorchScript


@pytest.mark.parametrize("member", ["data.pkl", "constants.pkl"])
@pytest.mark.parametrize("protocol", [2, 4])
def test_torchscript_pickle_carrying_code_is_refused_unrun(tmp_path, member, protocol):
    marker = tmp_path / "pwned"
    evil = _rewrite(_scripted(tmp_path / "m.pt"), tmp_path / "evil.pt",
                    {f"/{member}": pickle.dumps(_Payload(marker), protocol=protocol)})
    with pytest.raises(ModelFileError) as err:
        open_model(evil)
    _one_line_refusal(err.value, evil, member)
    assert _OPEN in str(err.value)
    assert not marker.exists()


def test_genuine_exported_and_torchscript_files_still_open(tmp_path):
    x = torch.randn(1, 1, 8, 8)
    torch.manual_seed(0)
    reference = _Tiny().eval()
    side = torch.export.Dim("side", min=4, max=64)
    dynamic = tmp_path / "dynamic.pt2"  # its graph carries size expressions (sympy srepr) and guards
    torch.export.save(torch.export.export(reference, (torch.zeros(1, 1, 8, 8),),
                                          dynamic_shapes={"x": {2: side, 3: side}}), str(dynamic))
    for path in (_exported(tmp_path / "m.pt2"), _scripted(tmp_path / "m.pt"), dynamic):
        um = open_model(path)
        assert torch.allclose(um(x), reference(x))
        assert um.summarize((1, 8, 8)).total_params == 2 * 9 + 2


# ------------------------------------------------------------------ the pickle inspection itself


def test_inspection_reads_protocol_4_globals_without_running_them():
    class Hidden:
        def __reduce__(self):
            return (os.system, ("true",))

    data = pickle.dumps([1, Hidden()], protocol=4)  # STACK_GLOBAL: module and name come from the stack
    assert pickle_problem(data, tensor_global) in ("posix.system", "os.system", "nt.system")
    assert pickle_problem(pickle.dumps({"a": [1, 2.0, "x"], "b": (True, None)}, protocol=4), tensor_global) is None
    with pytest.raises(ValueError):
        pickle_problem(b"not a pickle at all", tensor_global)


def test_safe_load_refuses_a_legacy_format_file_carrying_code(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "old.pth"
    torch.save({"w": torch.zeros(2), "x": _Payload(marker)}, path, _use_new_zipfile_serialization=False)
    with pytest.raises(WeightsError) as err:
        safe_load(path)
    _one_line_refusal(err.value, path, _OPEN)
    assert not marker.exists()
    plain = tmp_path / "plain.pth"
    torch.save({"w": torch.ones(2)}, plain, _use_new_zipfile_serialization=False)
    assert torch.equal(safe_load(plain)["w"], torch.ones(2))
    foreign = tmp_path / "foreign.pkl"
    foreign.write_bytes(pickle.dumps({"w": [1.0, 2.0]}))
    with pytest.raises(WeightsError, match="a pickle that torch.save did not write"):
        safe_load(foreign)


# ------------------------------------------------------------------ the command line


def _hostile_and_garbage(tmp_path: Path, marker: Path) -> list[Path]:
    hostile = tmp_path / "hostile.pth"
    torch.save({"model": {"w": torch.zeros(1)}, "x": _Payload(marker)}, hostile)
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"PK\x03\x04 this is no archive" + bytes(range(256)))
    return [hostile, garbage]


def test_cli_arch_summary_refuses_in_one_line(tmp_path):
    marker = tmp_path / "pwned"
    pt2 = _rewrite(_exported(tmp_path / "m.pt2"), tmp_path / "evil.pt2",
                   {"data/sample_inputs/model.pt": _torch_saved(_Payload(marker))})
    script = _rewrite(_scripted(tmp_path / "m.pt"), tmp_path / "evil.pt", {"/data.pkl": pickle.dumps(_Payload(marker))})
    def unknown_op(data: bytes) -> bytes:
        doc = json.loads(data)
        doc["graph_module"]["graph"]["nodes"][0]["target"] = "torch.ops.aten.no_such_op.default"
        return json.dumps(doc).encode()

    damaged = _rewrite(tmp_path / "m.pt2", tmp_path / "damaged.pt2", {"models/model.json": unknown_op})
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CONVSTUDIO_LANG": "en"}
    for path, word in ((pt2, "refused"), (script, "refused"), (damaged, "no_such_op")):
        done = subprocess.run([sys.executable, "-m", "gui.main", "arch", "summary", str(path)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode != 0 and len(lines) == 1, done.stderr
        assert "Traceback" not in done.stderr and path.name in lines[0] and word in lines[0]
        assert not marker.exists()


def test_cli_style_resume_refuses_in_one_line(tmp_path, capsys):
    marker = tmp_path / "pwned"
    out = tmp_path / "net.pth"
    base = ["style", "train", "sample:mosaic", "-o", str(out), "--backbone", "random", "--batch-size", "1",
            "--steps", "1", "--size", "32", "--json"]
    for bad in [*_hostile_and_garbage(tmp_path, marker), tmp_path / "wrong.pth"]:
        if bad.name == "wrong.pth":
            torch.save({"w": torch.zeros(1)}, bad)  # plain tensors, but not a training checkpoint
        (tmp_path / "net.pth.ckpt").write_bytes(bad.read_bytes())
        assert main(base) == 1, bad
        err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(err) == 1 and "net.pth.ckpt" in err[0] and "Traceback" not in err[0], err
        assert not out.exists() and not marker.exists()


def test_cli_models_import_yolo_eval_and_style_apply_refuse_in_one_line(tmp_path, capsys):
    marker = tmp_path / "pwned"
    for bad in _hostile_and_garbage(tmp_path, marker):
        for argv in (["models", "import", "resnet18", str(bad)], ["yolo", "eval", str(bad), "--scenes", "1"],
                     ["style", "apply", str(bad), str(bad), "-o", str(tmp_path / "out")]):
            assert main(argv) == 1, argv
            err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
            assert len(err) == 1 and bad.name in err[0] and "Traceback" not in err[0], (argv, err)
    assert not marker.exists()


def test_architectures_panel_shows_the_refusal_in_one_line(qtbot, tmp_path):
    from gui.context import AppContext, make_settings
    from gui.jobs import JobRunner
    from gui.panels.architectures import ArchitecturesPanel

    marker = tmp_path / "pwned"
    evil = _rewrite(_exported(tmp_path / "m.pt2"), tmp_path / "evil.pt2",
                    {"data/sample_inputs/model.pt": _torch_saved(_Payload(marker))})
    errors: list[tuple[str, str]] = []
    ctx = AppContext(JobRunner(), make_settings(), show_error=lambda title, text, details="": errors.append((title, text)))
    panel = ArchitecturesPanel(ctx)
    qtbot.addWidget(panel)
    try:
        assert not panel.open_model_file(evil)
        assert len(errors) == 1 and "\n" not in errors[0][1] and "evil.pt2 was refused" in errors[0][1]
        assert "evil.pt2 was refused" in panel.message.text()
        assert panel.chooser.findText("File: evil.pt2") < 0 and not marker.exists()
    finally:
        ctx.jobs.wait_all(5000)


def test_cli_turns_any_weights_error_into_one_line(tmp_path, capsys, monkeypatch):
    import engine.commands.yolo as yolo_command

    marker = tmp_path / "pwned"
    hostile, _garbage = _hostile_and_garbage(tmp_path, marker)
    # a command that loads a file without catching the refusal itself
    monkeypatch.setattr(yolo_command, "_eval", lambda args: safe_load(args.model) and 0)
    assert main(["yolo", "eval", str(hostile)]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("convstudio: hostile.pth was refused"), err
    assert not marker.exists()
