"""``convstudio arch list|summary``: the architecture zoo and per-layer tables.

    convstudio arch list [--json]
    convstudio arch summary NAME|FILE [--input 3x224x224] [--depth N] [--leaves] [--json]

Extending ``arch`` with more subcommands: a module named in
:data:`ARCH_EXTENSIONS` (e.g. ``engine/commands/arch_train.py``) defines
``register_arch(arch_subparsers) -> None``, which adds its parser(s) to the
``arch`` sub-parser group and sets ``func(args) -> int`` on them. Listed
modules that do not exist are skipped, so an extension is just its own file.
Callables appended to :data:`ARCH_SUBCOMMANDS` are called the same way.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Callable
from ..i18n import _, join_list

__all__ = ["register", "ARCH_EXTENSIONS", "ARCH_SUBCOMMANDS", "summary_rows_json", "format_summary_table"]

#: Modules defining ``register_arch(subparsers)``; missing ones are skipped.
ARCH_EXTENSIONS: list[str] = ["engine.commands.arch_train"]
#: Extra registrars ``(subparsers) -> None`` for the ``arch`` group.
ARCH_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def summary_rows_json(summary) -> dict:
    """A :class:`~engine.arch.summary.ModelSummary` as a JSON-ready dict (rows without child lists)."""
    d = summary.to_dict()
    for row in d["rows"]:
        row.pop("children", None)
    return d


def _fmt_int(n: int) -> str:
    return f"{n:,}"


def format_summary_table(summary, max_depth: int | None = None, leaves_only: bool = False, order: str = "chw") -> str:
    """The layer table as aligned text, with a totals line.

    ``order``: ``"chw"`` (PyTorch's) or ``"hwc"`` (the course's) for the Output column; the header names it.
    The Activations column is the number of values each layer outputs for one image (H·W·C).
    """
    from ..i18n import _
    from ..shapes import format_shape, order_label

    rows = [
        r for r in summary.rows
        if (max_depth is None or r.depth <= max_depth) and (not leaves_only or r.is_leaf)
    ]
    header = (_("Layer"), _("Type"), _("Output ({order})").format(order=order_label(order)), _("Activations"),
              _("Params"), _("MACs"), _("RF"))
    lines = [
        (
            ("" if leaves_only else "  " * r.depth) + r.name + (_(" (training only)") if r.training_only else ""),
            r.type,
            format_shape(r.output_shape, order, label=False) or "-",
            "-" if r.activations is None else _fmt_int(r.activations),
            _fmt_int(r.params),
            _fmt_int(r.macs),
            r.rf_text or "-",
        )
        for r in rows
    ]
    total = (
        _("Total"),
        "",
        format_shape(summary.output_shape, order, label=False),
        "",
        _fmt_int(summary.total_params),
        _fmt_int(summary.total_macs),
        "",
    )
    from ..tables import display_width, pad

    widths = [max(display_width(str(x[i])) for x in [header, total, *lines]) for i in range(len(header))]
    right = {3, 4, 5, 6}

    def fmt(cols) -> str:
        return "  ".join(pad(c, widths[i], i in right) for i, c in enumerate(cols)).rstrip()

    out = [fmt(header), "-" * (sum(widths) + 2 * (len(widths) - 1))]
    out += [fmt(line) for line in lines]
    out.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    out.append(fmt(total))
    if summary.inference_params != summary.total_params:
        out.append(_("without training-only layers: {params} parameters, {macs} MACs").format(
            params=_fmt_int(summary.inference_params), macs=_fmt_int(summary.inference_macs)))
    return "\n".join(out)


def _list(args: argparse.Namespace) -> int:
    from ..arch import zoo
    from ..arch.summary import summarize_zoo
    from ..cli import print_json, shape_order
    from ..i18n import _
    from ..shapes import format_shape, order_label

    order = shape_order(args)
    rows = []
    for name in zoo.names():
        spec = zoo.spec(name)
        s = summarize_zoo(name)
        rows.append(
            {
                "name": name,
                "title": spec.title,
                "year": spec.year,
                "input_shape": list(spec.input_shape),
                "shape_order": "chw",
                "params": s.inference_params,
                "params_with_training_only": s.total_params,
                "macs": s.inference_macs,
                "source": spec.source,
                "weights": spec.weights_name,
                "description": spec.description,
                "info": spec.info,
            }
        )
    if args.json:
        print_json(rows)
        return 0
    from ..tables import format_table

    header = (_("name"), _("architecture"), _("year"), _("input ({order})").format(order=order_label(order)),
              _("params"), _("MACs"))
    table = [(r["name"], _(r["title"]), r["year"], format_shape(r["input_shape"], order, label=False),
              f"{r['params']:,}", f"{r['macs']:,}") for r in rows]
    for line in format_table(table, header=header, right={2, 4, 5}):
        print(line)
    return 0


def _summary(args: argparse.Namespace) -> int:
    from ..arch import zoo
    from ..arch.summary import SummaryError, parse_shape, summarize_zoo
    from ..arch.user_model import ModelFileError, open_model
    from ..cli import print_json, shape_order
    from ..i18n import _
    from ..shapes import format_shape

    order = shape_order(args)
    try:
        if args.depth is not None and args.depth < 0:
            raise ValueError(_("--depth must be 0 (top level) or more, got {value}").format(value=args.depth))
        shape = parse_shape(args.input) if args.input else None
        if args.model in zoo.MODELS:
            summary = summarize_zoo(args.model, shape)
        elif Path(args.model).exists():
            summary = open_model(args.model).summarize(shape)
        else:
            raise zoo.UnknownModel(_("'{model}' is neither a known architecture ({known}) nor a model file").format(
                model=args.model, known=join_list(zoo.names())))
    except (ValueError, SummaryError, ModelFileError, zoo.UnknownModel) as exc:
        from ..cli import say_error

        say_error(exc)
        return 1
    if args.json:
        d = summary_rows_json(summary)
        d["shape_order"] = "chw"  # JSON keeps PyTorch's order whatever --shape-order says
        print_json(d)
    else:
        print(_("{name}: input {shape}").format(name=summary.name, shape=format_shape(summary.input_shape, order)))
        if args.model in zoo.MODELS and zoo.spec(args.model).info:
            print(_(zoo.spec(args.model).info))
        print(format_summary_table(summary, args.depth, args.leaves, order))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `arch` subcommand(s) to the command line."""
    p = sub.add_parser("arch", help=_("classic CNN architectures: list, per-layer summary"))
    arch_sub = p.add_subparsers(dest="arch_command", metavar="ARCH_COMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    lp = arch_sub.add_parser("list", help=_("the architecture zoo with parameters and MACs"))
    lp.add_argument("--json", action="store_true", help=_("print one JSON list"))
    lp.set_defaults(func=_list)

    sp = arch_sub.add_parser("summary", help=_("layer table: output shapes, parameters, MACs, receptive fields"))
    sp.add_argument("model", metavar="NAME|FILE", help=_("a zoo name (see 'arch list') or a TorchScript / torch.export file"))
    sp.add_argument("--input", default=None, help=_("input shape C x H x W, e.g. 3x224x224 (default: the model's)"))
    sp.add_argument("--depth", type=int, default=None, help=_("show modules down to this nesting depth (0 = top level)"))
    sp.add_argument("--leaves", action="store_true", help=_("show only leaf layers"))
    sp.add_argument("--json", action="store_true", help=_("print one JSON object with every row and the totals"))
    sp.set_defaults(func=_summary)

    for module_name in ARCH_EXTENSIONS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        module.register_arch(arch_sub)
    for registrar in ARCH_SUBCOMMANDS:
        registrar(arch_sub)
