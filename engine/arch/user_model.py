"""Open the user's own model: a TorchScript file or a ``torch.export`` program.

Both formats hold code in a restricted form (TorchScript IR, or an ATen graph)
plus tensors. Their pickles could still name any Python callable, and
``torch.export.load`` falls back to full unpickling, so the archive is
inspected first (:mod:`engine.safe_files`): anything beyond tensors, the
format's own classes and a plain operator graph is refused with a one-line
:class:`ModelFileError` before torch reads the file. Every operator the
model's graphs call must be in ConvStudio's closed allowlist of pure tensor
operators (:mod:`engine.model_ops`); the graphs are walked again once loaded,
before anything runs (:mod:`engine.model_gate`). A plain pickled module
(``torch.save(model)``) could run any code while loading, so it is refused
too, explaining how to export the model.

    um = open_model("net.pt")              # TorchScript or exported program
    s = um.summarize((3, 224, 224))        # a ModelSummary, like the zoo's
    maps = um.feature_maps(x)              # {layer name: output tensor}

Per-layer outputs: for an exported program, every node of the graph carries
its module path and shape (``nn_module_stack`` / ``val`` meta); outputs are
captured by interpreting the graph. For TorchScript, module hooks are not
available, so each module's forward graph is rewritten to also return the
results of its child-module calls (calls inside ``if``/loops are not
captured). Receptive fields are not computed for user models.
"""

from __future__ import annotations

import logging
import math
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import torch

from ..i18n import _
from ..model_gate import exported_program_problem, load_torchscript
from ..model_ops import refusal
from ..safe_files import RefusedFile, check_exported, check_torchscript
from .summary import LayerRow, ModelSummary, SummaryError, format_shape

__all__ = ["ModelFileError", "UserModel", "open_model", "detect_format", "EXPORT_HELP"]

EXPORT_HELP = (
    "Save your model in a safe format first, either TorchScript:\n"
    "    torch.jit.script(model).save('model.pt')   # or torch.jit.trace(model, example).save(...)\n"
    "or an exported program:\n"
    "    torch.export.save(torch.export.export(model.eval(), (example,)), 'model.pt2')"
)


def _export_help() -> str:
    """:data:`EXPORT_HELP` in the current language (the code lines stay as they are)."""
    return "\n".join((
        _("Save your model in a safe format first, either TorchScript:"),
        "    torch.jit.script(model).save('model.pt')   # or torch.jit.trace(model, example).save(...)",
        _("or an exported program:"),
        "    torch.export.save(torch.export.export(model.eval(), (example,)), 'model.pt2')",
    ))


class ModelFileError(ValueError):
    """The file is not a model ConvStudio can open safely (message says why and what to do)."""


def detect_format(path: str | Path) -> str:
    """``"torchscript"``, ``"exported"``, ``"pickle"`` (a pickled object: refused) or ``"unknown"``."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            head = fh.read(2)
        return "pickle" if head[:1] == b"\x80" else "unknown"
    with zipfile.ZipFile(path) as zf:
        entries = zf.namelist()
    tails = {e.split("/", 1)[1] if "/" in e else e for e in entries}
    if "archive_format" in tails or any(t.startswith("models/") and t.endswith(".json") for t in tails):
        return "exported"
    if any(t.startswith("code/") for t in tails) and "constants.pkl" in tails:
        return "torchscript"
    if "data.pkl" in tails:
        return "pickle"
    return "unknown"


_TORCH_LOGGERS = ("torch.export", "torch._export")  # they log a failed load with its traceback on stderr


class _FirstError(logging.Handler):
    """Keeps the first exception torch logs (its final error then only says "see the warnings above")."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.error: BaseException | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.error is None and record.exc_info and record.exc_info[1] is not None:
            self.error = record.exc_info[1]


def _quiet(fn, *args, **kwargs):
    loggers = [logging.getLogger(name) for name in _TORCH_LOGGERS]
    saved = [(logger.level, logger.propagate, logger.handlers) for logger in loggers]
    first = _FirstError()
    try:
        for logger in loggers:  # torch gives these loggers their own stderr handlers
            logger.setLevel(logging.WARNING)
            logger.propagate = False
            logger.handlers = [first]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", UserWarning)
            return fn(*args, **kwargs)
    except Exception as exc:
        raise (first.error or exc) from None
    finally:
        for logger, (level, propagate, handlers) in zip(loggers, saved):
            logger.handlers = handlers
            logger.setLevel(level)
            logger.propagate = propagate


def open_model(path: str | Path) -> "UserModel":
    """Open a TorchScript (``torch.jit.save``) or exported program (``torch.export.save``) file on the CPU.

    Raises :class:`ModelFileError` for a missing file, a pickled module, or anything else.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(_("{path}: no such file").format(path=path))
    try:
        kind = detect_format(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelFileError(_("{file} could not be read: {reason}").format(file=path.name, reason=exc)) from None
    if kind == "pickle":
        raise ModelFileError(
            _("{file} is a pickled Python object (saved with torch.save(model)). Loading it could run "
              "arbitrary code, so ConvStudio does not open it.").format(file=path.name) + "\n" + _export_help()
        )
    if kind == "unknown":
        raise ModelFileError(
            _("{file} is neither a TorchScript file nor an exported program.").format(file=path.name) + "\n" + _export_help()
        )
    try:  # before torch reads anything: torch.export.load would unpickle a refused pickle anyway
        with zipfile.ZipFile(path) as zf:
            (check_torchscript if kind == "torchscript" else check_exported)(path, zf)
    except RefusedFile as exc:
        raise ModelFileError(str(exc)) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelFileError(_("{file} could not be read: {reason}").format(file=path.name, reason=exc)) from None
    try:
        if kind == "torchscript":
            module = _quiet(load_torchscript, path)  # walks every compiled graph before returning
        else:
            module = _quiet(torch.export.load, str(path))
            module._guards_code = []  # input checks as Python source: compiled by module(), so never kept
    except RefusedFile as exc:
        raise ModelFileError(str(exc)) from None
    except Exception as exc:
        raise ModelFileError(
            _("{file} could not be opened as {kind}: {reason}").format(file=path.name, kind=kind, reason=_gist(exc))
        ) from None
    if kind == "exported":  # the loaded graphs, submodules included, before anything runs
        what = exported_program_problem(module)
        if what is not None:
            raise ModelFileError(refusal(path.name, what))
    else:
        module = module.eval()
    return UserModel(path, kind, module)


# ---------------------------------------------------------------- TorchScript capture


def _script_capture(mod: Any, prefix: str, args: tuple, out: dict[str, Any], method: str = "forward") -> Any:
    """Run ``method`` of scripted ``mod`` on ``args``, storing outputs of every (nested) module call in ``out``."""
    try:
        graph = mod._c._get_method(method).graph.copy()
    except Exception:
        return getattr(mod, method)(*args)
    self_value = next(graph.inputs())
    calls = []
    for node in graph.nodes():  # top-level block only
        if node.kind() != "prim::CallMethod":
            continue
        path = _attr_path(node.inputsAt(0), self_value)
        if path is None or (path == "" and node.s("name") == "forward"):
            continue
        if not all(v.type().kind() == "TensorType" for v in list(node.inputs())[1:]):
            continue
        calls.append((path, node.s("name"), node))
    if not calls:
        return getattr(mod, method)(*args)
    ret = graph.return_node()
    results = list(ret.inputs())
    values = list(results)
    for _unused, _unused2, node in calls:  # snapshot arguments and result: later in-place ops (ReLU(inplace)) must not alter them
        for arg in list(node.inputs())[1:]:
            values.append(_clone_at(graph, arg, node, before=True))
        values.append(_clone_at(graph, node.output(), node, before=False))
    tup = graph.create("prim::TupleConstruct", values)
    tup.insertBefore(ret)
    tup.output().setType(torch._C.TupleType([v.type() for v in values]))
    while len(list(ret.inputs())):
        graph.eraseOutput(0)
    graph.registerOutput(tup.output())
    fn = torch._C._create_function_from_graph("capture", graph)
    packed = list(fn(mod._c, *args))
    n_res = len(results)
    result = packed[0] if n_res == 1 else tuple(packed[:n_res])
    rest = packed[n_res:]
    for path, name, node in calls:
        n_args = len(list(node.inputs())) - 1
        call_args, output = tuple(rest[:n_args]), rest[n_args]
        rest = rest[n_args + 1 :]
        child = mod
        for part in filter(None, path.split(".")):
            child = getattr(child, part)
        if path == "":  # a helper method of this module (ResNet's _forward_impl)
            _script_capture(child, prefix, call_args, out, name)
            continue
        full = f"{prefix}{path}"
        if name == "forward" and full not in out:
            out[full] = output
            _script_capture(child, full + ".", call_args, out)
    return result


def _clone_at(graph: Any, value: Any, node: Any, before: bool) -> Any:
    """Insert ``aten::clone(value)`` just before/after ``node``; returns the clone (non-tensors as they are)."""
    if value.type().kind() != "TensorType":
        return value
    none = graph.insertConstant(None)
    clone = graph.create("aten::clone", [value, none])
    if before:
        none.node().moveBefore(node)
        clone.insertBefore(node)
    else:
        none.node().moveAfter(node)
        clone.insertAfter(none.node())
    clone.output().setType(value.type())
    return clone.output()


def _is_module(value: Any) -> bool:
    return value.type().kind() == "ClassType"


def _attr_path(value: Any, self_value: Any) -> str | None:
    parts = []
    while value is not self_value:
        node = value.node()
        if node.kind() != "prim::GetAttr":
            return None
        parts.append(node.s("name"))
        value = node.inputsAt(0)
    return ".".join(reversed(parts))


# ---------------------------------------------------------------- the model


def _macs_from_weight(weight: torch.Tensor | None, out: torch.Tensor | None) -> int:
    """MACs of a conv/linear call from its weight and output shapes (batch 1)."""
    if weight is None or out is None or weight.dim() < 2:
        return 0
    batch = max(int(out.shape[0]), 1)
    per_output = int(weight.shape[1]) * math.prod(int(s) for s in weight.shape[2:])
    return out.numel() // batch * per_output


@dataclass
class UserModel:
    """A model opened from a file. ``kind`` is ``"torchscript"`` or ``"exported"``."""

    path: Path
    kind: str
    module: Any
    _rows_cache: dict = field(default_factory=dict, repr=False)

    # -- basics --

    def default_input_shape(self) -> tuple[int, ...]:
        """The exported example input's shape, else a guess from the first convolution's channels."""
        if self.kind == "exported":
            for node in self.module.graph.nodes:
                if node.op == "placeholder" and node.name in self._user_inputs():
                    return tuple(int(s) for s in node.meta["val"].shape[1:])
        channels = next((int(p.shape[1]) for _, p in self._named_parameters() if p.dim() == 4), 3)
        cached = self._rows_cache.get("input_shape")
        if cached is not None:
            return cached
        for side in (224, 64, 32, 28, 16, 8):  # the first size the model accepts
            try:
                self(torch.zeros(1, channels, side, side))
            except Exception:
                continue
            self._rows_cache["input_shape"] = (channels, side, side)
            return (channels, side, side)
        return (channels, 224, 224)

    def _static_input_shape(self) -> tuple[int, ...] | None:
        """The exported input shape ``(C, H, W)`` when every size is fixed, else ``None``."""
        for node in self.module.graph.nodes:
            if node.op == "placeholder" and node.name in self._user_inputs():
                dims = node.meta["val"].shape[1:]
                if all(isinstance(d, int) for d in dims):
                    return tuple(int(d) for d in dims)
                return None
        return None

    def _user_inputs(self) -> list[str]:
        from torch.export.graph_signature import InputKind

        return [s.arg.name for s in self.module.graph_signature.input_specs if s.kind == InputKind.USER_INPUT]

    def _named_parameters(self) -> list[tuple[str, torch.Tensor]]:
        if self.kind == "exported":
            return list(self.module.named_parameters())
        return list(self.module.named_parameters())

    def __call__(self, x: torch.Tensor) -> Any:
        """Run the model on ``x`` ``(N, C, H, W)``."""
        with torch.no_grad():
            if self.kind == "exported":
                return self.module.module()(x)
            return self.module(x)

    # -- per-layer outputs --

    def feature_maps(self, x: torch.Tensor, names: Sequence[str] | None = None) -> dict[str, torch.Tensor]:
        """Outputs of every module (or only ``names``) for input ``x`` ``(N, C, H, W)``, in call order."""
        with torch.no_grad():
            if self.kind == "torchscript":
                out: dict[str, Any] = {}
                _quiet(_script_capture, self.module, "", (x,), out)
            else:
                out = self._exported_outputs(x)
        out = {k: v for k, v in out.items() if isinstance(v, torch.Tensor)}
        if names is not None:
            wanted = set(names)
            out = {k: v for k, v in out.items() if k in wanted}
        return out

    def _module_of_nodes(self) -> tuple[dict[str, str], dict[str, str], list[str]]:
        """node name -> innermost module path; module path -> type; paths in first-use order."""
        node_module: dict[str, str] = {}
        types: dict[str, str] = {}
        order: list[str] = []
        for node in self.module.graph.nodes:
            stack = node.meta.get("nn_module_stack") if node.op == "call_function" else None
            if not stack:
                continue
            inner = ""
            for path, typ in stack.values():
                path = _clean_path(path)
                if not path:
                    continue
                if path not in types:
                    types[path] = (typ if isinstance(typ, str) else getattr(typ, "__name__", str(typ))).rsplit(".", 1)[-1]
                    order.append(path)
                inner = path
            if inner:
                node_module[node.name] = inner
        return node_module, types, order

    def _exported_values(self, x: torch.Tensor, keep: set[str] | None) -> tuple[dict[str, Any], Any]:
        """Run the exported graph on ``x``: the values of the nodes in ``keep`` (all when ``None``) and the result."""
        gm = self.module.module()
        values: dict[str, Any] = {}

        class Capture(torch.fx.Interpreter):
            def run_node(self, n):  # noqa: D401
                result = super().run_node(n)
                if keep is None or n.name in keep:  # a copy: later in-place ops must not alter it
                    values[n.name] = result.clone() if isinstance(result, torch.Tensor) else result
                return result

        return values, Capture(gm).run(x)

    def _exported_shapes(self, shape: tuple[int, ...]) -> tuple[dict[str, torch.Tensor], Any]:
        """Per-module outputs and the result as shape-only tensors, without running the graph on data.

        For the shape the program was exported with, the shapes its nodes already carry (``meta["val"]``);
        for another (dynamic) shape, the graph interpreted on fake tensors, which hold no data.
        """
        if self._static_input_shape() == tuple(shape):
            graph = self.module.graph
            values = {n.name: n.meta.get("val") for n in graph.nodes}
            out_node = next(n for n in graph.nodes if n.op == "output")
            results = [values.get(a.name) if isinstance(a, torch.fx.Node) else a for a in out_node.args[0]]
            final: Any = results[0] if len(results) == 1 else tuple(results)
        else:
            from torch._subclasses.fake_tensor import FakeTensorMode

            with FakeTensorMode(allow_non_fake_inputs=True):
                values, final = self._exported_values(torch.zeros((1, *shape)), None)
        return self._exported_outputs(None, values), final

    def _exported_outputs(self, x: torch.Tensor | None, values: dict[str, Any] | None = None) -> dict[str, torch.Tensor]:
        node_module, _unused, _unused2 = self._module_of_nodes()
        if values is None:
            values, _result = self._exported_values(x, set(node_module))
        # a module's output is the last node of its first contiguous run of nodes
        # (a ReLU module reused three times reports its first call, like the zoo summaries)
        out: dict[str, torch.Tensor] = {}
        started: set[str] = set()
        frozen: set[str] = set()
        for node_name, path in node_module.items():  # graph order
            parts = path.split(".")
            inside = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
            for p in started - inside:
                frozen.add(p)
            for p in inside - frozen:
                started.add(p)
                if node_name in values:
                    out[p] = values[node_name]
        return out

    # -- summary --

    def layers(self, input_shape: Sequence[int] | None = None) -> list[LayerRow]:
        """Every module with its output shape and parameters (the rows of :meth:`summarize`)."""
        return self.summarize(input_shape).rows

    def summarize(self, input_shape: Sequence[int] | None = None) -> ModelSummary:
        """The layer table: shapes observed on a zero input of ``input_shape`` ``(C, H, W)``, parameters, MACs."""
        shape = tuple(input_shape) if input_shape else self.default_input_shape()
        if self.kind == "exported":
            fixed = self._static_input_shape()
            if fixed is not None and input_shape and tuple(input_shape) != fixed:
                raise SummaryError(
                    _("{file} was exported for inputs of shape {fixed} only; export it with "
                      "dynamic_shapes to use {wanted}").format(
                        file=self.path.name, fixed=format_shape(fixed), wanted=format_shape(tuple(input_shape)))
                )
        x = torch.zeros((1, *shape))
        try:
            if self.kind == "exported":  # shapes only: no data runs through the user's graph
                outputs, final = self._exported_shapes(shape)
            else:
                outputs = self.feature_maps(x)
                final = self(x)
        except Exception as exc:
            raise SummaryError(
                _("{file} could not run on an input of shape {shape}: {reason}").format(
                    file=self.path.name, shape=format_shape(shape), reason=_gist(exc))
            ) from exc
        if self.kind == "exported":
            _unused, types, order = self._module_of_nodes()
            paths = order
        else:
            mods = dict(self.module.named_modules())
            paths = [n for n in mods if n]
            types = {n: getattr(m, "original_name", type(m).__name__) for n, m in mods.items()}
        params = dict(self._named_parameters())
        all_paths = list(dict.fromkeys(paths))
        children: dict[str, list[str]] = {p: [] for p in all_paths}
        for p in all_paths:
            parent = p.rpartition(".")[0]
            if parent in children:
                children[parent].append(p)
        rows = []
        order_index = {name: i for i, name in enumerate(outputs)}
        for i, p in enumerate(all_paths):
            own = {k: v for k, v in params.items() if k.rpartition(".")[0] == p}
            total = sum(v.numel() for k, v in params.items() if k.startswith(p + "."))
            y = outputs.get(p)
            is_leaf = not children[p]
            macs = 0
            if is_leaf and "weight" in {k.rpartition(".")[2] for k in own}:
                w = own[f"{p}.weight"]
                if types.get(p, "").lower().startswith(("conv", "linear")) or w.dim() in (2, 4):
                    if not types.get(p, "").lower().startswith(("batchnorm", "layernorm", "groupnorm", "embedding")):
                        macs = _macs_from_weight(w, y)
            rows.append(
                LayerRow(
                    index=i,
                    name=p,
                    type=types.get(p, ""),
                    depth=p.count("."),
                    parent=p.rpartition(".")[0],
                    is_leaf=is_leaf,
                    output_shape=None if y is None else tuple(int(s) for s in y.shape[1:]),
                    params=total,
                    own_params=sum(v.numel() for v in own.values()),
                    macs=macs,
                    calls=1 if y is not None else 0,
                    order=order_index.get(p),
                    children=children[p],
                )
            )
        for r in reversed(rows):
            if not r.is_leaf:
                r.macs = sum(rows[all_paths.index(c)].macs for c in r.children)
        out_t = final if isinstance(final, torch.Tensor) else next((t for t in final if isinstance(t, torch.Tensor)), None)
        total_params = sum(v.numel() for v in params.values())
        top_macs = sum(r.macs for r in rows if r.depth == 0)
        return ModelSummary(
            name=self.path.name,
            input_shape=shape,
            output_shape=None if out_t is None else tuple(int(s) for s in out_t.shape[1:]),
            rows=rows,
            total_params=total_params,
            trainable_params=total_params,
            inference_params=total_params,
            total_macs=top_macs,
            inference_macs=top_macs,
            root_type=self.kind,
            device="cpu",
        )


def _gist(exc: BaseException) -> str:
    """The informative line of an error (TorchScript puts the real one last, after its traceback)."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    if not lines:
        return type(exc).__name__
    tagged = [ln for ln in lines if "Error: " in ln]
    return tagged[-1] if tagged else lines[0]


def _clean_path(path: str) -> str:
    """``"L['self'].features.0"`` / ``"features.0"`` -> ``"features.0"``."""
    for lead in ("L['self'].", "L__self__."):
        if path.startswith(lead):
            path = path[len(lead):]
    if path in ("L['self']", "L__self__"):
        return ""
    return path
