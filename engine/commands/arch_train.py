"""``convstudio arch train-digits``: train LeNet-5 on the bundled digits and save it.

:mod:`engine.commands.arch` calls :func:`register_arch` (this module is in its
``ARCH_EXTENSIONS``), which adds ``train-digits`` to the ``arch`` group.
"""

from __future__ import annotations

import argparse
from ..i18n import _

__all__ = ["register_arch", "add_train_digits"]


def _run(args: argparse.Namespace) -> int:
    from ..cli import print_json, progress_printer, say_error
    from ..jobs import run_job
    from ..train.digits import train_digits

    if args.epochs < 1:
        say_error(_("--epochs must be at least 1"))
        return 2
    outcome = run_job(train_digits(epochs=args.epochs, seed=args.seed), on_progress=progress_printer(not args.json))
    result = outcome.result
    if result is None:
        say_error(_("training cancelled; nothing saved"))
        return 1
    if args.json:
        print_json(
            {
                "accuracy": result.accuracy,
                "test_size": result.test_size,
                "epochs": args.epochs,
                "seed": args.seed,
                "seconds": round(result.seconds, 2),
                "path": str(result.path),
                "test_accuracy_per_epoch": result.metrics.test_accuracy,
                "confusion": result.metrics.confusion.tolist() if result.metrics.confusion is not None else None,
            }
        )
    else:
        print(_("held-out accuracy {accuracy}% on {count} digits after {epochs} epochs in {seconds} s").format(
            accuracy=f"{result.accuracy * 100:.2f}", count=result.test_size, epochs=args.epochs, seconds=f"{result.seconds:.1f}"))
        print(_("saved {path}").format(path=result.path))
    return 0


def add_train_digits(arch_sub: argparse._SubParsersAction) -> None:
    """Add ``train-digits`` to the ``arch`` command's subparsers."""
    p = arch_sub.add_parser("train-digits", help=_("train LeNet-5 on the bundled digits and save it"))
    p.add_argument("--epochs", type=int, default=8, help=_("training epochs (default 8)"))
    p.add_argument("--seed", type=int, default=0, help=_("seed for the split, initial weights and batch order"))
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))
    p.set_defaults(func=_run)


def register_arch(arch_sub: argparse._SubParsersAction) -> None:
    """Hook called by :mod:`engine.commands.arch` (listed in its ``ARCH_EXTENSIONS``)."""
    add_train_digits(arch_sub)
