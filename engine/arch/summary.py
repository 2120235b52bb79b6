"""Layer-by-layer summary of a model: output shapes, parameters, multiply-accumulates
and receptive fields, observed by running one input through forward hooks.

Shapes are what the modules really produce (forward hooks on an input of the
given shape, on the ``meta`` device when the model lives there, so VGG-16
costs no memory). Parameter counts come from the modules' own parameters.
Multiply-accumulates (MACs) are computed analytically from the observed shapes:

* convolution: ``C_out * H_out * W_out * (C_in / groups) * k_h * k_w``
* linear: ``out_features * in_features`` (per row of the input)
* max/average pooling: one operation per window element and output value;
  adaptive pooling: one per input value.
* other layers (ReLU, batch norm, dropout, ...): 0.

The receptive field (in input pixels) and the jump (the input-pixel distance
between neighbouring outputs) are tracked for every tensor that flows through
the network, through modules *and* plain tensor operations (``+`` of residual
blocks, ``torch.cat`` of Inception branches, ``flatten``): a sum or
concatenation takes the largest field of its inputs, a convolution or pooling
with kernel ``k``, dilation ``d`` and stride ``s`` gives
``rf_out = rf_in + (k - 1) * d * jump_in`` and ``jump_out = jump_in * s``,
and any operation that folds away the spatial axes (flatten, global pooling)
covers the whole input map. Shapes exclude the batch dimension (batch = 1).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Sequence

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from ..i18n import _

__all__ = ["LayerRow", "ModelSummary", "SummaryError", "summarize", "summarize_zoo", "parse_shape", "format_shape"]

Pair = tuple[int, int]


class SummaryError(RuntimeError):
    """The model could not be run on an input of the requested shape."""


@dataclass
class LayerRow:
    """One module of the model (tree order, like ``named_modules``).

    name: qualified module name (``"layer1.0.conv1"``); depth: number of dots;
    parent: the parent's qualified name (``""`` for top-level modules).
    output_shape / input_shape: of the first call, batch dimension excluded; ``None`` if never run.
    params: parameters of this module and its children; own_params: its own only.
    macs: multiply-accumulates over all its calls (containers: the sum of their leaves).
    rf / jump: receptive field and jump ``(h, w)`` in input pixels of the output of the first call.
    calls: how many times forward ran (a shared ReLU runs several times).
    order: index of its first call in execution order (``None`` if never run).
    training_only: used only while training (e.g. GoogLeNet's auxiliary classifiers).
    inputs_from: the outermost modules whose outputs fed this module's first call (``""`` = the model input).
    residual: a residual block: torchvision's ``BasicBlock``/``Bottleneck``, a module with a
      ``downsample``/``shortcut`` child module, or one whose ``residual`` or ``shortcut`` attribute is ``True``.
    details: kernel/stride/padding text for convolution and pooling layers.
    """

    index: int
    name: str
    type: str
    depth: int
    parent: str
    is_leaf: bool
    output_shape: tuple[int, ...] | None = None
    input_shape: tuple[int, ...] | None = None
    params: int = 0
    own_params: int = 0
    macs: int = 0
    rf: Pair | None = None
    jump: Pair | None = None
    calls: int = 0
    order: int | None = None
    training_only: bool = False
    details: str = ""
    children: list[str] = field(default_factory=list)
    inputs_from: list[str] = field(default_factory=list)
    residual: bool = False

    @property
    def shape_text(self) -> str:
        return format_shape(self.output_shape)

    @property
    def activations(self) -> int | None:
        """Elements of this layer's output for one image (H·W·C, or the length of a vector); ``None`` if never run."""
        return None if self.output_shape is None else math.prod(self.output_shape)

    def shape_in(self, order: str = "hwc") -> str:
        """The output shape in ``order`` (``"hwc"`` or ``"chw"``), labelled, e.g. ``"55×55×96 (H×W×C)"``."""
        from ..shapes import format_shape as format_ordered

        return format_ordered(self.output_shape, order)

    @property
    def rf_text(self) -> str:
        if self.rf is None:
            return ""
        return str(self.rf[0]) if self.rf[0] == self.rf[1] else f"{self.rf[0]}×{self.rf[1]}"


@dataclass
class ModelSummary:
    """The whole table plus totals.

    total_params: every distinct parameter (shared ones counted once), as
    ``sum(p.numel() for p in model.parameters())``.
    inference_params: without the training-only modules.
    total_macs: the sum over leaf rows (including training-only ones only if they ran).
    inference_macs: leaves that are not training-only.
    """

    name: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...] | None
    rows: list[LayerRow]
    total_params: int
    trainable_params: int
    inference_params: int
    total_macs: int
    inference_macs: int
    root_type: str = ""
    device: str = "cpu"

    def row(self, name: str) -> LayerRow:
        """The row of a qualified module name; raises ``KeyError``."""
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def index_of(self, name: str) -> int:
        return self.row(name).index

    def leaves(self) -> list[LayerRow]:
        return [r for r in self.rows if r.is_leaf]

    def top_level(self) -> list[LayerRow]:
        return [r for r in self.rows if r.depth == 0]

    def children(self, name: str) -> list[LayerRow]:
        """Direct children of ``name`` (``""`` = the model itself)."""
        return [r for r in self.rows if r.parent == name]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (lists instead of tuples); each row also carries ``activations``."""
        d = asdict(self)
        for row_dict, row in zip(d["rows"], self.rows):
            row_dict["activations"] = row.activations
        return d


def format_shape(shape: Sequence[int] | None) -> str:
    """``(64, 112, 112)`` -> ``"64×112×112"``; ``None`` -> ``""``."""
    if shape is None:
        return ""
    return "×".join(str(int(s)) for s in shape) if len(shape) else "scalar"


def parse_shape(text: str) -> tuple[int, ...]:
    """``"3x224x224"`` (``x``, ``×``, ``,`` or spaces) -> ``(3, 224, 224)``; raises ``ValueError``."""
    parts = [p for p in text.replace("×", "x").replace(",", "x").replace(" ", "x").lower().split("x") if p]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(_("input shape '{text}' is not like 3x224x224").format(text=text)) from None
    if not shape or any(s <= 0 for s in shape):
        raise ValueError(_("input shape '{text}' needs positive sizes, like 3x224x224").format(text=text))
    return shape


# --------------------------------------------------------------------------- tracking


def _tensors(obj: Any) -> Iterable[torch.Tensor]:
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors(o)


def _first_tensor(obj: Any) -> torch.Tensor | None:
    return next(iter(_tensors(obj)), None)


def _spatial(t: torch.Tensor) -> Pair:
    if t.dim() >= 4:
        return int(t.shape[-2]), int(t.shape[-1])
    if t.dim() == 3:
        return 1, int(t.shape[-1])
    return 1, 1


@dataclass
class _Field:
    rf: Pair
    jump: Pair
    spatial: Pair  # spatial size of the tensor carrying this field
    grid: bool  # still a spatial map (False once flattened / globally pooled)


class _Tracker:
    """Receptive field of every live tensor, keyed by identity (refs are held so ids stay unique)."""

    def __init__(self) -> None:
        self.fields: dict[int, tuple[torch.Tensor, _Field]] = {}

    def get(self, t: torch.Tensor) -> _Field | None:
        hit = self.fields.get(id(t))
        return hit[1] if hit is not None and hit[0] is t else None

    def set(self, t: torch.Tensor, f: _Field) -> None:
        self.fields[id(t)] = (t, f)

    def merged(self, inputs: Iterable[torch.Tensor]) -> _Field | None:
        known = [f for f in (self.get(t) for t in inputs) if f is not None]
        if not known:
            return None
        best = max(known, key=lambda f: (f.rf[0] * f.rf[1], f.jump))
        rf = (max(f.rf[0] for f in known), max(f.rf[1] for f in known))
        return _Field(rf, best.jump, best.spatial, best.grid)


def _global(f: _Field) -> _Field:
    """The field of a value that mixes every position of ``f``'s map."""
    if not f.grid:
        return f
    rf = (f.rf[0] + (f.spatial[0] - 1) * f.jump[0], f.rf[1] + (f.spatial[1] - 1) * f.jump[1])
    return _Field(rf, (f.jump[0] * f.spatial[0], f.jump[1] * f.spatial[1]), (1, 1), False)


class _FieldMode(TorchFunctionMode):
    """Propagates receptive fields through plain tensor operations (add, cat, flatten, ...)."""

    def __init__(self, tracker: _Tracker):
        super().__init__()
        self.tracker = tracker

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        try:
            ins = [t for t in _tensors((args, kwargs)) if self.tracker.get(t) is not None]
            if ins:
                merged = self.tracker.merged(ins)
                in_dim = max(t.dim() for t in ins)
                for o in _tensors(out):
                    if o.dim() < 2:
                        continue
                    f = merged
                    if in_dim >= 3 and o.dim() < in_dim and merged.grid:
                        f = _global(merged)
                    elif o.dim() >= 3 and merged.grid:
                        f = _Field(merged.rf, merged.jump, _spatial(o), True)
                    self.tracker.set(o, f)
        except Exception:  # tracking must never break the forward pass
            pass
        return out


def _pair(v: Any) -> Pair:
    if isinstance(v, (tuple, list)):
        v = tuple(int(x) for x in v)
        return (v[-2], v[-1]) if len(v) >= 2 else (v[0], v[0])
    return int(v), int(v)


_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_POOL = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)
_ADAPTIVE = (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d)


def _kernel_geometry(m: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[Pair, Pair, Pair] | None:
    """(kernel, dilation, stride) along (h, w) of a windowed layer, else ``None``."""
    if isinstance(m, _CONV) or isinstance(m, _POOL):
        k = _pair(m.kernel_size)
        s = _pair(m.stride if m.stride is not None else m.kernel_size)
        d = _pair(getattr(m, "dilation", 1))
        if x.dim() == 3:  # 1-d: only the last axis is spatial
            k, s, d = (1, k[1]), (1, s[1]), (1, d[1])
        return k, d, s
    if isinstance(m, _ADAPTIVE):
        (ih, iw), (oh, ow) = _spatial(x), _spatial(y)

        def one(i: int, o: int) -> tuple[int, int]:
            if o <= 0:
                return i, i
            k = -(-i // o) + (0 if i % o == 0 else 1)
            return min(k, i), max(i // o, 1)

        (kh, sh), (kw, sw) = one(ih, oh), one(iw, ow)
        return (kh, kw), (1, 1), (sh, sw)
    return None


def _is_residual_module(m: nn.Module) -> bool:
    if type(m).__name__ in ("BasicBlock", "Bottleneck"):
        return True
    if any(isinstance(getattr(m, a, None), nn.Module) for a in ("downsample", "shortcut")):
        return True
    return getattr(m, "residual", None) is True or getattr(m, "shortcut", None) is True


def _details(m: nn.Module) -> str:
    if isinstance(m, _CONV) or isinstance(m, _POOL):
        k = _pair(m.kernel_size)
        s = _pair(m.stride if m.stride is not None else m.kernel_size)
        p = m.padding if isinstance(m.padding, str) else _pair(m.padding)
        parts = [f"{k[0]}×{k[1]}" if k[0] != k[1] else f"{k[0]}×{k[0]}"]
        if s != (1, 1):
            parts.append(f"/{s[0]}" if s[0] == s[1] else f"/{s[0]}×{s[1]}")
        if p not in ((0, 0), "valid"):
            parts.append(f" pad {p[0] if isinstance(p, tuple) and p[0] == p[1] else p}")
        if isinstance(m, _CONV) and m.groups != 1:
            parts.append(f" groups {m.groups}")
        return "".join(parts)
    if isinstance(m, nn.Linear):
        return f"{m.in_features}→{m.out_features}"
    if isinstance(m, _ADAPTIVE):
        return f"→ {m.output_size}"
    if isinstance(m, nn.Dropout):
        return f"p={m.p}"
    return ""


def _macs(m: nn.Module, x: torch.Tensor | None, y: torch.Tensor | None) -> int:
    """Multiply-accumulates of one call (batch 1), from the observed shapes."""
    if x is None or y is None:
        return 0
    batch = max(int(y.shape[0]), 1) if y.dim() > 1 else 1
    out_per_item = y.numel() // batch
    if isinstance(m, _CONV):
        return out_per_item * (m.in_channels // m.groups) * math.prod(_as_tuple(m.kernel_size))
    if isinstance(m, nn.Linear):
        return out_per_item * m.in_features
    if isinstance(m, _POOL):
        return out_per_item * math.prod(_as_tuple(m.kernel_size, y.dim() - 2))
    if isinstance(m, _ADAPTIVE):
        return x.numel() // batch
    return 0


def _as_tuple(v: Any, n: int = 2) -> tuple[int, ...]:
    return tuple(int(a) for a in v) if isinstance(v, (tuple, list)) else (int(v),) * max(n, 1)


def _shape(t: torch.Tensor | None) -> tuple[int, ...] | None:
    return None if t is None else tuple(int(s) for s in t.shape[1:])


# --------------------------------------------------------------------------- summarize


def _model_device(model: nn.Module) -> torch.device:
    for t in list(model.parameters()) + list(model.buffers()):
        return t.device
    return torch.device("cpu")


def _model_dtype(model: nn.Module) -> torch.dtype:
    for t in model.parameters():
        if t.is_floating_point():
            return t.dtype
    return torch.float32


def summarize(
    model: nn.Module,
    input_shape: Sequence[int],
    name: str = "",
    training_only: Sequence[str] = (),
    device: str | torch.device | None = None,
) -> ModelSummary:
    """Run one input of ``input_shape`` ``(C, H, W)`` (batch 1) through ``model`` and tabulate it.

    ``device``: where the input lives; defaults to the model's device (``meta``
    for models built with ``zoo.build(name, device="meta")``). ``training_only``
    names modules that run only in training mode: they are run in a second,
    training-mode pass so their shapes are known, with buffers (batch-norm
    statistics) restored afterwards. The model's mode is restored.
    Raises :class:`SummaryError` if the forward pass fails (e.g. input too small).
    """
    input_shape = tuple(int(s) for s in input_shape)
    dev = torch.device(device) if device is not None else _model_device(model)
    named = list(model.named_modules())
    rows: list[LayerRow] = []
    by_module: dict[int, list[LayerRow]] = {}
    prefixes = tuple(training_only)
    for i, (qual, mod) in enumerate(named[1:]):
        children = [f"{qual}.{c}" for c, _ in mod.named_children()]
        row = LayerRow(
            index=i,
            name=qual,
            type=type(mod).__name__,
            depth=qual.count("."),
            parent=qual.rpartition(".")[0],
            is_leaf=not children,
            own_params=sum(p.numel() for p in mod.parameters(recurse=False)),
            params=sum(p.numel() for p in mod.parameters()),
            training_only=any(qual == p or qual.startswith(p + ".") for p in prefixes),
            details=_details(mod),
            children=children,
            residual=_is_residual_module(mod),
        )
        rows.append(row)
        by_module.setdefault(id(mod), []).append(row)

    tracker = _Tracker()
    counter = [0]
    phase = {"second": False}
    first_pass_end = [1 << 62]
    pending: dict[int, list[tuple[_Field | None, torch.Tensor | None]]] = {}

    producer: dict[int, tuple[torch.Tensor, str]] = {}

    def pre_hook(mod: nn.Module, args: Any) -> None:
        x = _first_tensor(args)
        f = tracker.merged(_tensors(args))
        pending.setdefault(id(mod), []).append((f, x))
        for row in by_module.get(id(mod), ()):
            if row.order is None and not row.inputs_from:
                srcs = []
                for t in _tensors(args):
                    hit = producer.get(id(t))
                    srcs.append(hit[1] if hit is not None and hit[0] is t else "")
                row.inputs_from = list(dict.fromkeys(srcs))

    def post_hook(mod: nn.Module, args: Any, output: Any) -> None:
        f_in, x = pending[id(mod)].pop() if pending.get(id(mod)) else (None, None)
        y = _first_tensor(output)
        f_out = tracker.get(y) if y is not None else None
        if y is not None and f_in is not None and x is not None:
            geo = _kernel_geometry(mod, x, y)
            if geo is not None and f_in.grid:
                (kh, kw), (dh, dw), (sh, sw) = geo
                rf = (f_in.rf[0] + (kh - 1) * dh * f_in.jump[0], f_in.rf[1] + (kw - 1) * dw * f_in.jump[1])
                jump = (f_in.jump[0] * sh, f_in.jump[1] * sw)
                f_out = _Field(rf, jump, _spatial(y), y.dim() >= 3)
                tracker.set(y, f_out)
            elif f_out is None:
                f_out = f_in if y.dim() >= 3 or not f_in.grid else _global(f_in)
                tracker.set(y, f_out)
        if y is not None and by_module.get(id(mod)):
            producer[id(y)] = (y, by_module[id(mod)][0].name)
        for row in by_module.get(id(mod), ()):
            if phase["second"] and row.order is not None and row.order < first_pass_end[0]:
                continue
            row.calls += 1
            if row.is_leaf:
                row.macs += _macs(mod, x, y)
            if row.order is None:
                row.order = counter[0]
                row.output_shape = _shape(y)
                row.input_shape = _shape(x)
                if f_out is not None:
                    row.rf, row.jump = f_out.rf, f_out.jump
        counter[0] += 1

    handles = []
    for _qual, mod in named[1:]:
        handles.append(mod.register_forward_pre_hook(pre_hook))
        handles.append(mod.register_forward_hook(post_hook))
    was_training = model.training
    out_shape: tuple[int, ...] | None = None
    try:
        x = torch.zeros((1, *input_shape), device=dev, dtype=_model_dtype(model))
        tracker.set(x, _Field((1, 1), (1, 1), _spatial(x), x.dim() >= 3))
        with torch.no_grad(), _FieldMode(tracker):
            model.eval()
            out_shape = _shape(_first_tensor(model(x)))
        first_pass_end[0] = counter[0]
        missing = [r for r in rows if r.training_only and r.order is None]
        if missing:
            # second pass in training mode: only rows that have not run yet are filled in
            saved = None if dev.type == "meta" else {k: v.detach().clone() for k, v in model.state_dict().items()}
            phase["second"] = True
            pending.clear()
            x2 = torch.zeros((1, *input_shape), device=dev, dtype=_model_dtype(model))
            tracker.set(x2, _Field((1, 1), (1, 1), _spatial(x2), x2.dim() >= 3))
            try:
                with torch.no_grad(), _FieldMode(tracker):
                    model.train()
                    model(x2)
            finally:
                if saved is not None:
                    model.load_state_dict(saved)
    except SummaryError:
        raise
    except Exception as exc:
        raise SummaryError(
            _("the model could not run on an input of shape {shape}: {reason}").format(
                shape=format_shape(input_shape), reason=exc)
        ) from exc
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)

    # containers: sum of their leaves
    for r in reversed(rows):
        if not r.is_leaf:
            r.macs = sum(_row_macs(rows, c) for c in r.children)
    top = [r for r in rows if r.depth == 0]
    total_params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    train_params = _distinct_params(model, prefixes)
    return ModelSummary(
        name=name or type(model).__name__,
        input_shape=input_shape,
        output_shape=out_shape,
        rows=rows,
        total_params=total_params,
        trainable_params=trainable,
        inference_params=total_params - train_params,
        total_macs=sum(r.macs for r in top),
        inference_macs=sum(r.macs for r in top if not r.training_only),
        root_type=type(model).__name__,
        device=str(dev),
    )


def _row_macs(rows: list[LayerRow], name: str) -> int:
    for r in rows:
        if r.name == name:
            return r.macs
    return 0


def _distinct_params(model: nn.Module, prefixes: Sequence[str]) -> int:
    """Parameters that belong only to modules under ``prefixes``."""
    if not prefixes:
        return 0
    inside: dict[int, int] = {}
    outside: set[int] = set()
    for qual, p in model.named_parameters(remove_duplicate=False):
        owner = qual.rpartition(".")[0]
        if any(owner == q or owner.startswith(q + ".") for q in prefixes):
            inside[id(p)] = p.numel()
        else:
            outside.add(id(p))
    return sum(n for i, n in inside.items() if i not in outside)


def summarize_zoo(name: str, input_shape: Sequence[int] | None = None, device: str = "meta") -> ModelSummary:
    """Summary of a zoo model (built on ``device``, ``meta`` by default) at its default or a given input shape."""
    from . import zoo

    entry = zoo.spec(name)
    model = zoo.build(name, device=device)
    return summarize(model, input_shape or entry.input_shape, name=name, training_only=entry.training_only)
