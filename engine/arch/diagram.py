"""Block-diagram layout of a model, computed from its :class:`~engine.arch.summary.ModelSummary`.

The layout is plain geometry (abstract units, y grows downwards) that any
painter can draw: stacked blocks with their output shapes, frames around
containers, straight flow edges, skip arcs around residual blocks (through the
1x1 projection when shapes change), Inception branches side by side ending in a
concatenation, and training-only side branches (GoogLeNet's auxiliary
classifiers) to the right of the layer they read from.

Structure is recognised from the module tree: a container flagged
:attr:`~engine.arch.summary.LayerRow.residual` (torchvision's ``BasicBlock``/``Bottleneck``,
a ``downsample``/``shortcut`` child, or a true ``residual``/``shortcut`` attribute) is a residual block; a container with two
or more children named ``branch*`` is an Inception module. Normalisation,
activation and dropout layers that follow a convolution, pooling or linear
layer are drawn inside that layer's block (``block.rows`` lists every table
row a block stands for).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import N_, _
from ..shapes import format_shape
from .summary import LayerRow, ModelSummary

__all__ = ["Block", "Edge", "Frame", "Diagram", "layout", "BLOCK_W", "BLOCK_H", "GAP"]

BLOCK_W = 206.0
BLOCK_H = 42.0
GAP = 18.0
PAD = 12.0
LABEL_H = 18.0
NODE = 22.0  # the size of an add / concat node

_MERGEABLE = ("BatchNorm", "ReLU", "Tanh", "Sigmoid", "Dropout", "LocalResponseNorm", "GELU", "SiLU", "LeakyReLU", "ReLU6", "Hardswish", "ELU", "GroupNorm", "LayerNorm", "InstanceNorm")
_SHORT = {"BatchNorm1d": "BN", "BatchNorm2d": "BN", "BatchNorm3d": "BN", "Dropout": "Dropout", "LocalResponseNorm": "LRN"}


@dataclass
class Block:
    """One drawn box. ``kind``: conv, pool, linear, act, norm, other, input, add, concat.

    row: the table row it selects; rows: every row it stands for. (x, y) is the top-left corner.
    """

    id: int
    row: str
    rows: list[str]
    label: str
    sublabel: str
    kind: str
    x: float = 0.0
    y: float = 0.0
    w: float = BLOCK_W
    h: float = BLOCK_H
    training_only: bool = False

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass
class Edge:
    """A connection from block ``src`` to block ``dst``. ``kind``: flow (straight), skip (identity arc),
    projection (through a 1x1 shortcut), aux (to a training-only branch)."""

    src: int
    dst: int
    kind: str = "flow"


@dataclass
class Frame:
    """A rectangle around a container's blocks. ``kind``: residual, inception, group, training."""

    row: str
    label: str
    kind: str
    x: float
    y: float
    w: float
    h: float


@dataclass
class Diagram:
    blocks: list[Block] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0

    def block_for_row(self, name: str) -> Block | None:
        """The block showing table row ``name`` (a container: its + / concat node, else its first block)."""
        for b in self.blocks:
            if name in b.rows:
                return b
        for b in self.blocks:
            if b.row == name and name:
                return b
        prefix = name + "."
        for b in self.blocks:
            if any(r.startswith(prefix) for r in b.rows):
                return b
        return None

    def frame_for_row(self, name: str) -> Frame | None:
        return next((f for f in self.frames if f.row == name), None)


# --------------------------------------------------------------------------- structure tree


@dataclass
class _Node:
    kind: str  # block, seq, par, res
    row: LayerRow | None = None
    rows: list[LayerRow] = field(default_factory=list)  # block: merged rows
    items: list["_Node"] = field(default_factory=list)  # seq items / par branches / res main
    shortcut: "_Node | None" = None
    aux: list["_Node"] = field(default_factory=list)  # training-only side branches (seq)
    framed: str = ""  # frame kind, "" = none
    w: float = 0.0
    h: float = 0.0


def _is_residual(row: LayerRow) -> bool:
    kids = {c.rpartition(".")[2] for c in row.children}
    return row.residual or bool(kids & {"downsample", "shortcut"}) or row.type in ("BasicBlock", "Bottleneck")


def _is_inception(row: LayerRow) -> bool:
    return sum(1 for c in row.children if c.rpartition(".")[2].startswith("branch")) >= 2


def _exec_sorted(rows: list[LayerRow]) -> list[LayerRow]:
    big = 1 << 60
    return sorted(rows, key=lambda r: (r.order if r.order is not None else big, r.index))


def _build(s: ModelSummary, parent: str, framed: str = "") -> _Node:
    """A sequence node for the children of ``parent`` (``""`` = the model)."""
    parent_row = s.row(parent) if parent else None
    seq = _Node("seq", framed=framed, row=parent_row)
    for child in _exec_sorted(s.children(parent)):
        if child.training_only and not (parent_row and parent_row.training_only) and child.inputs_from:
            seq.aux.append(_node_for(s, child, "training"))
            continue
        node = _node_for(s, child)
        if node is not None:
            seq.items.append(node)
    return _merge_seq(seq)


def _node_for(s: ModelSummary, row: LayerRow, framed: str = "") -> _Node | None:
    if row.is_leaf:
        if row.order is None and not row.params:
            return None  # defined but never used
        return _Node("block", row=row, rows=[row])
    if _is_inception(row):
        par = _Node("par", row=row, framed="inception")
        for child in _exec_sorted(s.children(row.name)):
            if child.name.rpartition(".")[2].startswith("branch"):
                par.items.append(_wrap(s, child))
        return par
    if _is_residual(row):
        res = _Node("res", row=row, framed="residual")
        main = _Node("seq")
        sc_names = {f"{row.name}.downsample", f"{row.name}.shortcut"}
        body = [c for c in _exec_sorted(s.children(row.name)) if c.name not in sc_names]
        for child in body:
            node = _node_for(s, child)
            if node is not None:
                main.items.append(node)
        main = _merge_seq(main)
        res.items = [main]
        for name in sc_names:
            try:
                sc_row = s.row(name)
            except KeyError:
                continue
            res.shortcut = _wrap(s, sc_row)
        return res
    inner = _build(s, row.name, framed or ("group" if row.depth == 0 else ""))
    if not inner.items and not inner.aux:
        return None
    if len(inner.items) == 1 and not inner.aux and framed != "training":
        return inner.items[0]
    return inner


def _merge_seq(seq: _Node) -> _Node:
    merged: list[_Node] = []
    for node in seq.items:
        if (
            node.kind == "block"
            and merged
            and merged[-1].kind == "block"
            and any(node.row.type.startswith(m) for m in _MERGEABLE)
            and node.row.training_only == merged[-1].row.training_only
        ):  # normalisation/activation/dropout are drawn inside the block they follow
            merged[-1].rows.append(node.row)
            continue
        merged.append(node)
    seq.items = merged
    return seq


def _wrap(s: ModelSummary, row: LayerRow) -> _Node:
    """A branch / shortcut as a sequence (a leaf becomes a one-block sequence)."""
    if row.is_leaf:
        return _Node("seq", items=[_Node("block", row=row, rows=[row])])
    node = _build(s, row.name)
    return _merge_seq(node)


# --------------------------------------------------------------------------- measuring and placing


def _measure(n: _Node) -> tuple[float, float]:
    if n.kind == "block":
        n.w, n.h = BLOCK_W, BLOCK_H
    elif n.kind == "seq":
        sizes = [_measure(c) for c in n.items]
        n.w = max([w for w, _ in sizes] + [0.0])
        n.h = sum(h for _, h in sizes) + GAP * max(len(sizes) - 1, 0)
        if n.aux:
            aux_sizes = [_measure(a) for a in n.aux]
            n.w += GAP * 2 + max(w for w, _ in aux_sizes)
            n.h = max(n.h, sum(h for _, h in aux_sizes) + GAP * len(aux_sizes))
    elif n.kind == "par":
        sizes = [_measure(c) for c in n.items]
        n.w = sum(w for w, _ in sizes) + GAP * max(len(sizes) - 1, 0)
        n.h = max([h for _, h in sizes] + [0.0]) + GAP + NODE
    elif n.kind == "res":
        mw, mh = _measure(n.items[0])
        side = 2 * GAP
        if n.shortcut is not None:
            sw, sh = _measure(n.shortcut)
            side = GAP * 2 + sw
            mh = max(mh, sh)
        n.w = mw + side
        n.h = mh + GAP + NODE
    if n.framed:
        n.w += 2 * PAD
        n.h += 2 * PAD + LABEL_H
    return n.w, n.h


class _Placer:
    def __init__(self) -> None:
        self.d = Diagram()

    def block(self, row: str, rows: list[str], label: str, sub: str, kind: str, x: float, y: float, w: float, h: float, training: bool = False) -> Block:
        b = Block(len(self.d.blocks), row, rows, label, sub, kind, x, y, w, h, training)
        self.d.blocks.append(b)
        return b

    def edge(self, srcs: list[int], dst: int, kind: str = "flow") -> None:
        for s_ in srcs:
            self.d.edges.append(Edge(s_, dst, kind))

    def place(self, n: _Node, x: float, y: float, width: float, prev: list[int], kind: str = "flow") -> list[int]:
        """Place ``n`` centred in [x, x+width] from top ``y``, fed by blocks ``prev`` (edges of ``kind``);
        returns the ids of its exit blocks."""
        left = x + width / 2 - n.w / 2
        top = y
        if n.framed:
            self.d.frames.append(Frame(n.row.name if n.row else "", _frame_label(n), n.framed, left, top, n.w, n.h))
            left += PAD
            top += PAD + LABEL_H
        inner_w = n.w - (2 * PAD if n.framed else 0)
        if n.kind == "block":
            r = n.row
            b = self.block(r.name, [x.name for x in n.rows], _block_label(n.rows), format_shape(r.output_shape),
                           _kind(r.type), left, top, BLOCK_W, BLOCK_H, r.training_only)
            self.edge(prev, b.id, kind)
            return [b.id]
        if n.kind == "seq":
            main_w = inner_w
            if n.aux:
                main_w = inner_w - max(a.w for a in n.aux) - 2 * GAP
            current, current_kind = prev, kind
            cy = top
            exit_of: dict[str, int] = {}
            y_of: dict[str, float] = {}
            for item in n.items:
                current = self.place(item, left, cy, main_w, current, current_kind)
                current_kind = "flow"
                if item.row is not None and current:
                    exit_of[item.row.name] = current[-1]
                    y_of[item.row.name] = cy
                cy += item.h + GAP
            ay = top
            for a in n.aux:
                src = a.row.inputs_from[0] if a.row is not None and a.row.inputs_from else ""
                ay = max(ay, y_of.get(src, ay))
                feed = [exit_of[src]] if src in exit_of else []
                self.place(a, left + main_w + 2 * GAP, ay, a.w, feed, "aux")
                ay += a.h + GAP
            return current
        if n.kind == "par":
            bx = left
            exits: list[int] = []
            for br in n.items:
                exits += self.place(br, bx, top, br.w, prev, kind)
                bx += br.w + GAP
            cy = top + max(br.h for br in n.items) + GAP
            cat = self.block(n.row.name, [], "concat", format_shape(n.row.output_shape), "concat", left, cy, inner_w, NODE)
            self.edge(exits, cat.id)
            return [cat.id]
        if n.kind == "res":
            main = n.items[0]
            body = self.place(main, left, top, main.w, prev, kind)
            body_h = main.h
            short: list[int] = []
            if n.shortcut is not None:
                short = self.place(n.shortcut, left + main.w + 2 * GAP, top, n.shortcut.w, prev, "projection")
                body_h = max(body_h, n.shortcut.h)
            add = self.block(n.row.name, [], "+", format_shape(n.row.output_shape), "add",
                             left + main.w / 2 - NODE / 2, top + body_h + GAP, NODE, NODE)
            self.edge(body, add.id)
            if short:
                self.edge(short, add.id, "projection")
            else:
                self.edge(prev, add.id, "skip")
            return [add.id]
        raise ValueError(n.kind)


def _frame_label(n: _Node) -> str:
    r = n.row
    if r is None:
        return ""
    extra = {"inception": "Inception", "residual": "residual"}.get(n.framed, "")
    if n.framed == "training":
        return _("{name}  ·  {type}  (training only)").format(name=r.name, type=r.type)
    if extra and extra.lower() not in r.type.lower():
        return _(_FRAME_KINDS[n.framed]).format(name=r.name, type=r.type)
    return f"{r.name}  ·  {r.type}"


_FRAME_KINDS = {
    "inception": N_("{name}  ·  {type}  (Inception module)"),
    "residual": N_("{name}  ·  {type}  (residual block)"),
}


def _kind(t: str) -> str:
    if t.startswith("Conv"):
        return "conv"
    if "Pool" in t:
        return "pool"
    if t in ("Linear", "Bilinear"):
        return "linear"
    if any(t.startswith(m) for m in ("ReLU", "Tanh", "Sigmoid", "GELU", "SiLU", "LeakyReLU", "ELU", "Hardswish")):
        return "act"
    if "Norm" in t or t == "Dropout":
        return "norm"
    return "other"


def _short(row: LayerRow) -> str:
    """A compact block title: ``Conv 3×3/2, 128``, ``MaxPool 3×3/2``, ``Linear 512→1000``."""
    t, d = row.type, row.details
    if t.startswith("Conv") and d:
        kernel = d.split(" pad")[0].split(" groups")[0]
        channels = f", {row.output_shape[0]}" if row.output_shape else ""
        return f"{t[:-2] if t.endswith(('1d', '2d', '3d')) else t} {kernel}{channels}"
    if "Pool" in t and not t.startswith("Adaptive"):
        return f"{t[:-2] if t.endswith(('1d', '2d', '3d')) else t} {d.split(' pad')[0]}"
    if t.startswith("Adaptive"):
        return f"{t[:-2]} {d}"
    if d and t != "Dropout":
        return f"{t} {d}"
    return t


def _block_label(rows: list[LayerRow]) -> str:
    text = _short(rows[0])
    for r in rows[1:]:
        text += f" + {_SHORT.get(r.type, r.type)}"
    return text


def layout(summary: ModelSummary) -> Diagram:
    """The block diagram of ``summary``: an input block, then the model's modules top to bottom."""
    root = _build(summary, "")
    _measure(root)
    placer = _Placer()
    inp = placer.block("", [], _("Input"), format_shape(summary.input_shape), "input", root.w / 2 - BLOCK_W / 2, 0.0, BLOCK_W, BLOCK_H)
    top = BLOCK_H + GAP
    placer.place(root, 0.0, top, root.w, [inp.id])
    d = placer.d
    d.width = max(root.w, BLOCK_W)
    d.height = top + root.h
    return d
