"""``convstudio models list|download NAME|import NAME FILE|verify [NAME]``."""

from __future__ import annotations

import argparse
import sys

__all__ = ["register"]


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
        for r in rows:
            print(f"{r['name']:<40} {r['task']:<15} {r['size_mb']:>7.1f} MB  {r['status']}")
        print(f"\nweights folder: {weights.weights_dir()}")
    return 0


def _download(args: argparse.Namespace) -> int:
    from .. import weights
    from ..cli import print_json, progress_printer
    from ..jobs import run_job

    try:
        outcome = run_job(weights.download(args.name, url=args.url), progress_printer(not args.json))
    except KeyError as exc:
        print(f"\nconvstudio: {exc.args[0]}", file=sys.stderr)
        return 1
    except weights.WeightsError as exc:
        print(f"\nconvstudio: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json({"name": args.name, "path": str(outcome.result), "status": weights.status(args.name)})
    else:
        print(f"installed {args.name} at {outcome.result}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from .. import weights
    from ..cli import print_json

    try:
        path = weights.import_file(args.name, args.file)
    except KeyError as exc:  # unknown name: its message without KeyError's quotes
        print(f"convstudio: {exc.args[0]}", file=sys.stderr)
        return 1
    except weights.WeightsError as exc:
        print(f"convstudio: {exc}", file=sys.stderr)
        return 1
    state = weights.status(args.name)
    if args.json:
        print_json({"name": args.name, "path": str(path), "status": state})
    else:
        print(f"imported {args.file} as {args.name} ({state}) at {path}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .. import weights
    from ..cli import print_json

    names = [args.name] if args.name else [e.name for e in weights.entries() if weights.installed_path(e.name).exists()]
    try:
        result = {n: weights.verify(n) for n in names}
    except KeyError as exc:
        print(f"convstudio: {exc.args[0]}", file=sys.stderr)
        return 1
    if args.json:
        print_json(result)
    else:
        if not result:
            print("no weights installed")
        for n, s in result.items():
            print(f"{n:<40} {s}")
    return 1 if any(s == "corrupt" for s in result.values()) else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `models` subcommand(s) to the command line."""
    p = sub.add_parser("models", help="list, download, import and verify pretrained weights")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    pl = msub.add_parser("list", help="known weights and their status")
    pl.add_argument("--json", action="store_true")
    pl.set_defaults(func=_list)
    pd = msub.add_parser("download", help="download and verify weights (needs the network)")
    pd.add_argument("name")
    pd.add_argument("--url", help="download from this mirror instead")
    pd.add_argument("--json", action="store_true")
    pd.set_defaults(func=_download)
    pi = msub.add_parser("import", help="import a weights file you have (checked to fit before it is cached)")
    pi.add_argument("name")
    pi.add_argument("file")
    pi.add_argument("--json", action="store_true")
    pi.set_defaults(func=_import)
    pv = msub.add_parser("verify", help="re-hash installed weights")
    pv.add_argument("name", nargs="?")
    pv.add_argument("--json", action="store_true")
    pv.set_defaults(func=_verify)
