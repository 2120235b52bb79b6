"""``convstudio models list|download NAME|import NAME FILE|verify [NAME]``."""

from __future__ import annotations

import argparse
from ..i18n import N_, _

__all__ = ["register"]

_TASK_TEXT = {"detection": N_("detection"), "classification": N_("classification"), "style": N_("style transfer")}
_STATUS_TEXT = {"installed": N_("installed"), "imported": N_("imported"), "missing": N_("missing"), "corrupt": N_("corrupt")}


def _word(table: dict[str, str], key: str) -> str:
    return _(table[key]) if key in table else key


def _list(args: argparse.Namespace) -> int:
    from .. import weights
    from ..cli import print_json

    rows = [
        {
            "name": e.name,
            "task": e.task,
            "size_mb": round(e.size_mb, 1),
            "status": weights.status(e.name),
            "license": e.license,
            "source": e.source,
        }
        for e in weights.entries()
    ]
    if args.json:
        print_json(rows)
    else:
        from ..tables import format_table

        table = [(r["name"], _word(_TASK_TEXT, r["task"]), f"{r['size_mb']:.1f} MB", _word(_STATUS_TEXT, r["status"])) for r in rows]
        for line in format_table(table, header=(_("name"), _("task"), _("size"), _("status")), right={2}):
            print(line)
        print("\n" + _("weights folder: {path}").format(path=weights.weights_dir()))
    return 0


def _download(args: argparse.Namespace) -> int:
    from .. import weights
    from ..cli import print_json, progress_printer, say_error
    from ..jobs import run_job

    try:
        outcome = run_job(weights.download(args.name, url=args.url), progress_printer(not args.json))
    except KeyError as exc:
        say_error(exc.args[0], newline=True)
        return 1
    except weights.WeightsError as exc:
        say_error(exc, newline=True)
        return 1
    if args.json:
        print_json({"name": args.name, "path": str(outcome.result), "status": weights.status(args.name)})
    else:
        print(_("installed {name} at {path}").format(name=args.name, path=outcome.result))
    return 0


def _import(args: argparse.Namespace) -> int:
    from .. import weights
    from ..cli import print_json, say_error

    try:
        path = weights.import_file(args.name, args.file)
    except KeyError as exc:  # unknown name: its message without KeyError's quotes
        say_error(exc.args[0])
        return 1
    except weights.WeightsError as exc:
        say_error(exc)
        return 1
    state = weights.status(args.name)
    if args.json:
        print_json({"name": args.name, "path": str(path), "status": state})
    else:
        print(_("imported {file} as {name} ({status}) at {path}").format(
            file=args.file, name=args.name, status=_word(_STATUS_TEXT, state), path=path))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .. import weights
    from ..cli import print_json, say_error

    names = [args.name] if args.name else [e.name for e in weights.entries() if weights.installed_path(e.name).exists()]
    try:
        result = {n: weights.verify(n) for n in names}
    except KeyError as exc:
        say_error(exc.args[0])
        return 1
    if args.json:
        print_json(result)
    else:
        if not result:
            print(_("no weights installed"))
        from ..tables import format_table

        for line in format_table([(n, _word(_STATUS_TEXT, s)) for n, s in result.items()]):
            print(line)
    return 1 if any(s == "corrupt" for s in result.values()) else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `models` subcommand(s) to the command line."""
    p = sub.add_parser("models", help=_("list, download, import and verify pretrained weights"))
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    pl = msub.add_parser("list", help=_("known weights and their status"))
    pl.add_argument("--json", action="store_true")
    pl.set_defaults(func=_list)
    pd = msub.add_parser("download", help=_("download and verify weights (needs the network)"))
    pd.add_argument("name")
    pd.add_argument("--url", help=_("download from this mirror instead"))
    pd.add_argument("--json", action="store_true")
    pd.set_defaults(func=_download)
    pi = msub.add_parser("import", help=_("import a weights file you have (checked to fit before it is cached)"))
    pi.add_argument("name")
    pi.add_argument("file")
    pi.add_argument("--json", action="store_true")
    pi.set_defaults(func=_import)
    pv = msub.add_parser("verify", help=_("re-hash installed weights"))
    pv.add_argument("name", nargs="?")
    pv.add_argument("--json", action="store_true")
    pv.set_defaults(func=_verify)
