"""Inspect model and weights files before anything unpickles them.

PyTorch's files are zip archives holding pickles; a pickle can name any Python
callable (``os.system``) and have it called while loading. Loaders in torch do
not all refuse that (``torch.export.load`` retries a refused pickle with full
unpickling), so ConvStudio reads the archive itself first: it walks every pickle's
opcodes with :mod:`pickletools` (which runs nothing) and refuses any global
outside a short allow-list of tensor-rebuilding functions, storages, dtypes and
plain containers. An exported program (``.pt2``) must also hold only its
format's own members: pickled weights or constants only if they are plain
tensors, no custom objects, no compiled native code, and its graph's symbolic
expressions (which torch evaluates with ``sympy.sympify``) must be plain
arithmetic on size symbols. The operators a model's graph calls are checked
against a closed allowlist (:mod:`engine.model_ops`, :mod:`engine.model_gate`).

Each check raises :class:`RefusedFile` with one line naming the file, the
member and what was refused.
"""

from __future__ import annotations

import io
import json
import pickletools
import re
import zipfile
from pathlib import Path
from typing import Callable, Iterable

import torch

from .i18n import _
from .model_gate import RefusedFile, check_script_sources, exported_json_problem

__all__ = [
    "RefusedFile",
    "pickle_problem",
    "check_weights_file",
    "check_torchscript",
    "check_exported",
    "tensor_global",
    "script_global",
]


# ---------------------------------------------------------------- the allow-lists

_TORCH_UTILS = frozenset({
    "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
    "_rebuild_parameter_with_state", "_rebuild_qtensor", "_rebuild_meta_tensor_no_storage",
})
_PLAIN = frozenset({
    ("collections", "OrderedDict"), ("torch", "Size"), ("torch", "device"), ("torch.serialization", "_get_layout"),
    ("_codecs", "encode"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "complex"),
    ("builtins", "bytearray"), ("builtins", "slice"), ("torch.storage", "UntypedStorage"),
})
_TORCH_VALUE_TYPES = (torch.dtype, torch.layout, torch.memory_format, torch.qscheme)


def tensor_global(module: str, name: str) -> bool:
    """Whether a pickle of tensors and plain containers may name ``module.name``."""
    if (module, name) in _PLAIN:
        return True
    if module == "torch._utils":
        return name in _TORCH_UTILS
    if module == "torch" and name.isidentifier() and not name.startswith("_"):
        value = getattr(torch, name, None)
        if name.endswith("Storage"):
            return isinstance(value, type)
        return isinstance(value, _TORCH_VALUE_TYPES)
    return False


def script_global(module: str, name: str) -> bool:
    """:func:`tensor_global` plus what TorchScript's own pickles name (its compiled classes, list builders)."""
    if module == "__torch__.torch.classes" or module.startswith("__torch__.torch.classes."):
        return False  # custom classes: native code, run by their own __setstate__ while loading
    if module == "__torch__" or module.startswith("__torch__."):
        return all(part.isidentifier() for part in module.split(".")) and name.isidentifier()
    if module == "torch.jit._pickle":
        return name.startswith("build_") or name == "restore_type_tag"
    return tensor_global(module, name)


# ---------------------------------------------------------------- pickles

_STRINGS = frozenset({"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING", "BINSTRING", "SHORT_BINSTRING"})
_NO_STACK_EFFECT = frozenset({"PROTO", "FRAME", "STOP", "MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT"})
_UNKNOWN = object()


def _globals_of(ops: Iterable) -> Iterable[str]:
    """Every ``module.name`` the pickle would look up; ``"?"`` where it cannot be read without running it."""
    stack: list[object] = []  # only what the last opcodes pushed: strings, or _UNKNOWN
    memo: dict[int, object] = {}
    for opcode, arg, _pos in ops:
        name = opcode.name
        if name in ("GLOBAL", "INST"):
            module, _sep, attr = str(arg).partition(" ")
            yield f"{module} {attr}"
        elif name == "STACK_GLOBAL":
            module, attr = (stack[-2], stack[-1]) if len(stack) >= 2 else (_UNKNOWN, _UNKNOWN)
            yield f"{module} {attr}" if isinstance(module, str) and isinstance(attr, str) else "?"
        elif name in ("EXT1", "EXT2", "EXT4"):
            yield "?"  # the copyreg extension registry: a global by number
        if name in _STRINGS:
            stack.append(arg.decode("latin-1") if isinstance(arg, bytes) else arg)
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1] if stack else _UNKNOWN
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[int(arg)] = stack[-1] if stack else _UNKNOWN
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            stack.append(memo.get(int(arg), _UNKNOWN))
        elif name not in _NO_STACK_EFFECT:
            stack.append(_UNKNOWN)
        del stack[:-4]


def pickle_problem(stream: io.BufferedIOBase | bytes, allowed: Callable[[str, str], bool]) -> str | None:
    """The first global outside ``allowed`` that one pickle names (``"module.name"``), else ``None``.

    Reads opcodes only (nothing is imported or called). A stream that is not a
    pickle raises :class:`ValueError`.
    """
    if isinstance(stream, (bytes, bytearray)):
        stream = io.BytesIO(stream)
    try:
        for found in _globals_of(pickletools.genops(stream)):
            if found == "?":
                return _("a global it names indirectly")
            module, _sep, attr = found.partition(" ")
            if not allowed(module, attr):
                return f"{module}.{attr}"
    except ValueError:
        raise
    except Exception as exc:  # genops: struct errors, bad UTF-8 ... all mean "not a pickle"
        raise ValueError(str(exc)) from None
    return None


def _refuse_code(path: Path, member: str | None, what: str) -> RefusedFile:
    if member:
        return RefusedFile(_("{file} was refused: its member {member} holds pickled objects or code ({what}), not only "
                             "tensors; ConvStudio never runs code from a model or weights file")
                           .format(file=path.name, member=member, what=what))
    return RefusedFile(_("{file} was refused: it contains pickled objects or code ({what}), not only tensors; "
                         "ConvStudio never runs code from a model or weights file")
                       .format(file=path.name, what=what))


def _check_member_pickle(path: Path, member: str, data: bytes, allowed: Callable[[str, str], bool]) -> None:
    try:
        problem = pickle_problem(data, allowed)
    except ValueError:
        raise RefusedFile(_("{file} was refused: its member {member} is not a readable pickle")
                          .format(file=path.name, member=member)) from None
    if problem:
        raise _refuse_code(path, member, problem)


def _members(path: Path, zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's entries; two with one name are refused (torch's reader might take the one not inspected)."""
    infos = zf.infolist()
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            raise RefusedFile(_("{file} was refused: it holds two members named {member}")
                              .format(file=path.name, member=info.filename))
        seen.add(info.filename)
    return infos


def _check_torch_zip(path: Path, zf: zipfile.ZipFile, allowed: Callable[[str, str], bool], inside: str = "") -> None:
    """Every pickle in a ``torch.save`` / ``torch.jit.save`` archive (``inside``: the member holding it)."""
    for info in _members(path, zf):
        name = info.filename
        if name.endswith("pkl"):  # data.pkl, constants.pkl, code/*.debug_pkl, bytecode.pkl
            _check_member_pickle(path, f"{inside}/{name}" if inside else name, zf.read(info), allowed)


def _check_nested_torch_file(path: Path, member: str, data: bytes) -> None:
    """A ``torch.save`` file stored inside an exported program: tensors only."""
    if data[:2] == b"PK":
        try:
            inner = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise RefusedFile(_("{file} was refused: its member {member} is not a readable archive")
                              .format(file=path.name, member=member)) from None
        with inner:
            _check_torch_zip(path, inner, tensor_global, inside=member)
        return
    _check_legacy_pickles(path, member, data)


def _check_legacy_pickles(path: Path, member: str | None, data: bytes | io.BufferedIOBase) -> None:
    """torch's pre-1.6 format: five pickles (magic, protocol, system info, the object, storage keys), then raw bytes."""
    stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    for index in range(5):
        try:
            problem = pickle_problem(stream, tensor_global)
        except ValueError:
            if member:
                raise RefusedFile(_("{file} was refused: its member {member} is not a readable pickle")
                                  .format(file=path.name, member=member)) from None
            if index:  # a pickle, but not the series torch.save writes
                raise RefusedFile(_("{file} is not a PyTorch weights file (a pickle that torch.save did not write)")
                                  .format(file=path.name)) from None
            raise RefusedFile(_("{file} is not a PyTorch weights file (neither a zip archive nor a pickle)")
                              .format(file=path.name)) from None
        if problem:
            raise _refuse_code(path, member, problem)


def _refuse_model_archive(path: Path, zf: zipfile.ZipFile) -> None:
    """A TorchScript file or exported program where weights were expected: the operator gate first (so a hostile
    graph is named), then a plain refusal -- weights loaders never run a model's code."""
    names = zf.namelist()
    tails = {n.split("/", 1)[1] if "/" in n else n for n in names}
    if "archive_format" in tails or any(t.startswith("models/") and t.endswith(".json") for t in tails):
        check_exported(path, zf)
        raise RefusedFile(_("{file} is an exported program (a model), not a weights file; open it with "
                            "'arch summary' or the Architectures panel").format(file=path.name))
    if "constants.pkl" in tails and any(t.startswith("code/") for t in tails):

        check_script_sources(path, zf)
        raise RefusedFile(_("{file} is a TorchScript model, not a weights file; open it with 'arch summary' or the "
                            "Architectures panel").format(file=path.name))


def check_weights_file(path: str | Path) -> None:
    """Refuse a ``torch.save`` file whose pickles name anything but tensors and plain containers.

    Files that are neither a zip archive nor a pickle are left to the loader's own error.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(2)
        if head == b"PK":
            try:
                zf = zipfile.ZipFile(fh)
            except zipfile.BadZipFile:
                raise RefusedFile(_("{file} is not a readable PyTorch weights file (a damaged zip archive)")
                                  .format(file=path.name)) from None
            with zf:
                _refuse_model_archive(path, zf)
                _check_torch_zip(path, zf, tensor_global)
        elif head[:1] == b"\x80":
            fh.seek(0)
            _check_legacy_pickles(path, None, fh)


def check_torchscript(path: str | Path, zf: zipfile.ZipFile) -> None:
    """Refuse a TorchScript archive whose code uses an operator outside :mod:`engine.model_ops`, defines
    ``__setstate__`` or names a custom class, or whose pickles name anything but tensors, containers and its
    own classes."""

    check_script_sources(path, zf)
    _check_torch_zip(Path(path), zf, script_global)


# ---------------------------------------------------------------- exported programs (.pt2)

_PT2_FIXED = frozenset({"archive_format", "archive_version", "byteorder", "version", ".data/version",
                        ".data/serialization_id"})
_SYMBOL = re.compile(r"(s|u|zf|zuf|ps|tmp|i|idx|x|y|z|h|indirect|view|r0_|r1_)\d+\Z")
_SYMPY_NAMES = frozenset({
    "FloorDiv", "ModularIndexing", "Where", "PythonMod", "Mod", "CleanDiv", "CeilToInt", "FloorToInt", "CeilDiv",
    "LShift", "RShift", "PowByNatural", "FloatPow", "FloatTrueDiv", "IntTrueDiv", "IsNonOverlappingAndDenseIndicator",
    "TruncToFloat", "TruncToInt", "RoundToInt", "RoundDecimal", "ToFloat", "Identity", "Max", "Min", "Eq", "Ne", "Lt",
    "Le", "Gt", "Ge", "And", "Or", "Not", "Abs", "sqrt", "floor", "ceiling", "oo", "zoo", "nan", "int_oo", "true",
    "false", "True", "False", "Integer", "Rational", "Float", "Piecewise", "ITE",
    # torch writes expressions as sympy's srepr: Mul(Integer(2), Symbol('s1', positive=True, integer=True))
    "Symbol", "Add", "Mul", "Pow", "StrictLessThan", "LessThan", "StrictGreaterThan", "GreaterThan", "Equality",
    "Unequality", "BooleanTrue", "BooleanFalse", "Infinity", "NegativeInfinity", "IntInfinity", "NegativeIntInfinity",
    "NaN", "Half", "One", "Zero", "NegativeOne", "ExprCondPair", "Tuple", "positive", "negative", "integer", "real",
    "nonnegative", "nonpositive", "finite", "infinite", "zero", "nonzero", "even", "odd", "rational", "commutative",
    "precision", "evaluate",
})
# no attribute access (a dot only inside a number), no brackets, quotes only around a symbol's name or a number
_TOKEN = re.compile(r"\s+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|'[A-Za-z0-9_.+-]*'"
                    r"|\*\*|//|==|!=|<=|>=|[-+*/%()<>,&|~=]")
def _safe_expression(text: str) -> bool:
    """Whether ``text`` is plain arithmetic on size symbols (torch evaluates it with ``sympy.sympify``)."""
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            return False
        token = m.group()
        if token[0] == "'":
            pass  # a symbol's name or a number, only ever an argument of the names below
        elif token[0].isalpha() or token[0] == "_":
            if token not in _SYMPY_NAMES and not _SYMBOL.match(token) and not token.startswith("OpaqueUnaryFn_"):
                return False
        pos = m.end()
    return True


def _graph_problem(node: object) -> str | None:
    """The first unsafe symbolic expression in a serialized program (JSON); operators: :mod:`engine.model_gate`."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "expr_str" and isinstance(v, str) and not _safe_expression(v):
                return v
            if k == "range_constraints" and isinstance(v, dict):
                bad = next((s for s in v if not _safe_expression(s)), None)
                if bad is not None:
                    return bad
            found = _graph_problem(v)
            if found is not None:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _graph_problem(item)
            if found is not None:
                return found
    return None


def _payload_config(path: Path, member: str, data: bytes) -> dict:
    try:
        config = json.loads(data).get("config", {})
    except (ValueError, AttributeError):
        config = None
    if not isinstance(config, dict):
        raise RefusedFile(_("{file} was refused: its member {member} is not a readable configuration")
                          .format(file=path.name, member=member))
    return config


def check_exported(path: str | Path, zf: zipfile.ZipFile) -> None:
    """Refuse an exported program (``torch.export.save``) holding anything beyond its graph and plain tensors,
    or whose graph calls an operator outside :mod:`engine.model_ops`."""
    from .model_ops import refusal

    path = Path(path)
    tails: dict[str, str] = {}
    for info in _members(path, zf):
        name = info.filename
        if name.endswith("/"):
            continue
        tail = name.split("/", 1)[1] if "/" in name else name
        if tail in tails:  # one member under two top folders: torch reads only one of them
            raise RefusedFile(_("{file} was refused: it holds two members named {member}")
                              .format(file=path.name, member=tail))
        tails[tail] = name
    pickled: set[str] = set()
    for tail, name in tails.items():
        if tail in _PT2_FIXED or tail.startswith("extra/"):
            continue  # version strings and text read as strings
        if tail.startswith("data/aotinductor/"):
            raise RefusedFile(_("{file} was refused: it holds compiled native code ({member}), which would run when "
                                "loaded").format(file=path.name, member=tail))
        if tail.startswith("models/") and tail.endswith(".json"):
            try:
                program = json.loads(zf.read(name))
            except ValueError:
                raise RefusedFile(_("{file} was refused: its member {member} is not a readable program")
                                  .format(file=path.name, member=tail)) from None
            op = exported_json_problem(program)
            if op is not None:
                raise RefusedFile(refusal(path.name, op))
            bad = _graph_problem(program)
            if bad is not None:
                raise RefusedFile(_("{file} was refused: its program {member} holds an expression or operator that "
                                    "is not part of a plain graph ({what})")
                                  .format(file=path.name, member=tail, what=bad[:80]))
            continue
        if tail.startswith("data/sample_inputs/") and tail.endswith(".pt"):
            _check_nested_torch_file(path, tail, zf.read(name))
            continue
        if tail.startswith(("data/weights/", "data/constants/")) and tail.endswith("_config.json"):
            folder = tail.rsplit("/", 1)[0]
            for entry in _payload_config(path, tail, zf.read(name)).values():
                file_name = str((entry or {}).get("path_name", ""))
                if file_name.startswith(("custom_obj", "opaque_obj")):
                    raise RefusedFile(_("{file} was refused: its constant {member} is a pickled Python object, "
                                        "not a tensor").format(file=path.name, member=f"{folder}/{file_name}"))
                if (entry or {}).get("use_pickle"):
                    pickled.add(f"{folder}/{file_name}")
            continue
        if tail.startswith(("data/weights/", "data/constants/")):
            if tail.endswith(".pt"):  # the older layout: all weights in one torch.save file
                pickled.add(tail)
            continue  # raw tensor bytes, read as numbers
        raise RefusedFile(_("{file} was refused: its member {member} is not part of an exported program")
                          .format(file=path.name, member=tail))
    for tail in sorted(pickled):
        if tail not in tails:
            raise RefusedFile(_("{file} was refused: its member {member} is missing").format(file=path.name, member=tail))
        _check_nested_torch_file(path, tail, zf.read(tails[tail]))
