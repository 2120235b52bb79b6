"""Check every operator a model file could run against :mod:`engine.model_ops`, before any of it runs.

TorchScript (``torch.jit.save``):

1. Before torch reads the archive, its code members (TorchScript source) are
   tokenized (nothing is compiled or run): a ``__setstate__`` method is refused,
   because ``torch.jit.load`` runs it while loading; so is any ``torch.classes``
   reference (custom classes run native code, their own ``__setstate__`` included),
   and every ``torch.<op>(`` / ``ops.<namespace>.<op>`` call is checked by name.
2. The archive is then compiled into a compilation unit of our own (what
   ``torch.jit.load`` does), and the graph of *every* function and method in it
   (forward, helpers, hooks, submodules' methods, scripted classes) is walked,
   every node of every nested block, with the types of all values. Nothing is
   called until that walk passes.

Exported programs (``.pt2``): the serialized graph (JSON) is walked before
``torch.export.load`` reads it (:func:`exported_json_problem`, nested graphs of
``cond``/``map`` included), and the loaded graph module with all its submodules
again before anything runs (:func:`exported_program_problem`).

Problems raise :class:`engine.safe_files.RefusedFile` with one line naming the
operator (:func:`engine.model_ops.refusal`).
"""

from __future__ import annotations

import io
import re
import tokenize
import zipfile
from pathlib import Path
from typing import Any, Iterator

import torch

from .i18n import _
from .model_ops import operator_allowed, python_target_allowed, refusal


class RefusedFile(ValueError):
    """A file holds something ConvStudio will not load (the message is one line)."""

__all__ = [
    "RefusedFile",
    "script_source_problem",
    "script_source_problems",
    "check_script_sources",
    "load_torchscript",
    "script_unit_problem",
    "exported_target_name",
    "exported_json_problem",
    "exported_program_problem",
    "CUSTOM_CLASS",
]

CUSTOM_CLASS = "torch.classes"
_SETSTATE = "__setstate__"


class _Found(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


# ---------------------------------------------------------------- TorchScript source, before loading


def _dotted(tokens: list[tokenize.TokenInfo], i: int) -> tuple[list[str], int]:
    """The dotted name starting at token ``i`` (``["torch", "classes", "ns", "C"]``) and the index after it."""
    parts = [tokens[i].string]
    j = i + 1
    while j + 1 < len(tokens) and tokens[j].string == "." and tokens[j + 1].type == tokenize.NAME:
        parts.append(tokens[j + 1].string)
        j += 2
    return parts, j


def script_source_problems(text: str) -> list[str]:
    """Everything a TorchScript source member uses that may not run (operators, classes, ``__setstate__``).

    Tokenizes only; raises :class:`ValueError` when ``text`` is not readable source.
    """
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                  if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)]
    except (tokenize.TokenError, SyntaxError) as exc:
        raise ValueError(str(exc)) from None
    found: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME:
            continue
        if tok.string == _SETSTATE:
            found.append(_SETSTATE)
            continue
        if tok.string not in ("torch", "ops") or (i and tokens[i - 1].string == "." and tok.string != "torch"):
            continue
        parts, end = _dotted(tokens, i)
        if parts[0] == "torch" and len(parts) > 1 and parts[1] == "classes":
            found.append(".".join(parts))
            continue
        if i and tokens[i - 1].string == ".":
            continue  # __torch__.torch.nn... : a class of the model's own
        if parts[0] == "torch" and len(parts) > 1 and parts[1] == "ops":
            parts = parts[1:]
        if parts[0] == "ops" and len(parts) >= 3:
            name = f"{parts[1]}::{parts[2]}"
        elif parts[0] == "torch" and len(parts) == 2 and end < len(tokens) and tokens[end].string == "(":
            name = f"aten::{parts[1]}"
        else:
            continue
        if not operator_allowed(name):
            found.append(name)
    return found


def script_source_problem(text: str) -> str | None:
    """The most serious of :func:`script_source_problems` (``__setstate__``, then a class, then an operator)."""
    found = script_source_problems(text)
    return min(found, key=_severity) if found else None


def _severity(what: str) -> int:
    return 0 if what == _SETSTATE else 1 if what.startswith(CUSTOM_CLASS) else 2


def _script_code_members(zf: zipfile.ZipFile) -> Iterator[zipfile.ZipInfo]:
    for info in zf.infolist():
        parts = info.filename.split("/")
        if "code" in parts[:2] and info.filename.endswith(".py"):
            yield info


def _source_refusal(path: Path, what: str) -> str:
    if what == _SETSTATE:
        return _("{file} was refused: this model defines __setstate__, which TorchScript runs while loading the file; "
                 "ConvStudio does not run code from a file").format(file=path.name)
    return refusal(path.name, what)


def check_script_sources(path: str | Path, zf: zipfile.ZipFile) -> None:
    """Refuse a TorchScript archive whose source uses anything outside the allowlist (nothing is compiled)."""

    path = Path(path)
    found: list[str] = []
    for info in _script_code_members(zf):
        try:
            text = zf.read(info).decode("utf-8")
            if _SETSTATE in text:  # anywhere, even where this tokenizer sees a string or a comment
                found.append(_SETSTATE)
            found += script_source_problems(text)
        except (UnicodeDecodeError, ValueError):
            raise RefusedFile(_("{file} was refused: its member {member} is not readable TorchScript code")
                              .format(file=path.name, member=info.filename)) from None
    if found:  # the most serious first: what loading itself would run
        raise RefusedFile(_source_refusal(path, min(found, key=_severity)))


# ---------------------------------------------------------------- TorchScript graphs, after compiling, before running


def _type_problem(value: Any) -> str | None:
    text = value.type().annotation_str if hasattr(value.type(), "annotation_str") else str(value.type())
    match = re.search(r"torch\.classes(\.\w+)*", str(text))
    return match.group(0) if match else None


def _walk_block(block: Any) -> None:
    for node in block.nodes():
        kind = node.kind()
        if not operator_allowed(kind):
            raise _Found(kind)
        for value in (*node.inputs(), *node.outputs()):
            bad = _type_problem(value)
            if bad:
                raise _Found(bad)
        for inner in node.blocks():
            _walk_block(inner)


def script_unit_problem(unit: Any) -> str | None:
    """The first operator or custom class outside the allowlist in any function of a compilation unit, else ``None``."""
    try:
        for function in unit.get_functions():
            graph = function.graph
            for value in graph.inputs():
                bad = _type_problem(value)
                if bad:
                    raise _Found(bad)
            _walk_block(graph.block())
    except _Found as found:
        return found.what
    return None


def load_torchscript(path: str | Path) -> Any:
    """``torch.jit.load(path, map_location="cpu")`` that refuses any operator outside the allowlist before a call.

    The caller has checked the archive (:func:`engine.safe_files.check_torchscript`), so loading runs nothing.
    """

    path = Path(path)
    unit = torch._C.CompilationUnit()
    cpp_module = torch._C.import_ir_module(unit, str(path), torch.device("cpu"), {}, False)
    what = script_unit_problem(unit)
    if what is not None:
        raise RefusedFile(refusal(path.name, what))
    return torch.jit._recursive.wrap_cpp_module(cpp_module)


# ---------------------------------------------------------------- exported programs (.pt2)

_OPS_TARGET = re.compile(r"torch\.ops\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)(?:\.[A-Za-z_]\w*)?\Z")


def exported_target_name(target: str) -> str:
    """``"torch.ops.aten.conv2d.default"`` -> ``"aten::conv2d"``; other targets as they are."""
    match = _OPS_TARGET.match(target)
    return f"{match.group(1)}::{match.group(2)}" if match else target


def _target_allowed(name: str) -> bool:
    return operator_allowed(name) if "::" in name else python_target_allowed(name)


def exported_json_problem(program: object) -> str | None:
    """The first node target outside the allowlist in a serialized exported program (nested graphs included)."""
    if isinstance(program, dict):
        target = program.get("target")
        if "inputs" in program and target is not None:
            if not isinstance(target, str):
                return str(target)[:80]
            name = exported_target_name(target)
            if not _target_allowed(name):
                return name[:120]
        for value in program.values():
            found = exported_json_problem(value)
            if found is not None:
                return found
    elif isinstance(program, list):
        for item in program:
            found = exported_json_problem(item)
            if found is not None:
                return found
    return None


def _fx_target_name(target: Any) -> str:
    if isinstance(target, torch._ops.HigherOrderOperator):
        return f"higher_order::{target.name()}"
    if isinstance(target, torch._ops.OpOverload):
        return target.name()
    if isinstance(target, torch._ops.OpOverloadPacket):
        return target._qualified_op_name
    module = getattr(target, "__module__", None) or "?"
    return f"{module}.{getattr(target, '__qualname__', getattr(target, '__name__', repr(target)))}"


def exported_program_problem(program: Any) -> str | None:
    """The first node of a loaded exported program (or graph module), submodules included, that may not run."""
    root = program.graph_module if hasattr(program, "graph_module") else program
    for _name, module in root.named_modules():
        graph = getattr(module, "graph", None)
        if not isinstance(graph, torch.fx.Graph):
            continue
        for node in graph.nodes:
            if node.op in ("placeholder", "output", "get_attr", "call_module"):
                continue  # called submodules are walked themselves
            if node.op == "call_method":
                return f"Tensor.{node.target}"
            name = _fx_target_name(node.target)
            if not _target_allowed(name):
                return name
    return None
