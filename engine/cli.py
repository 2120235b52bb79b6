"""The ``convstudio`` command line: headless access to the engine's batch jobs.

Subcommands live in ``engine/commands/``; each module defines
``register(subparsers)`` which adds its parser and sets ``func(args) -> int``.
Adding a command is one module plus one line in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
import threading
from typing import Any, Callable, Sequence

from . import __version__
from .i18n import _
from .shapes import CLI_DEFAULT_ORDER, SHAPE_ORDERS

__all__ = ["COMMANDS", "OneLineParser", "Terminated", "build_parser", "run", "print_json", "progress_printer", "quiet_stdout", "shape_order"]


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into a clean stop: commands that catch ``KeyboardInterrupt`` finalise their output the same way."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


def quiet_stdout() -> None:
    """Point stdout at the null device so the reader going away (``… | head``) leaves no error at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured output in tests)
        pass

#: Modules that contribute subcommands, in help order.
COMMANDS: list[str] = [
    "engine.commands.info",
    "engine.commands.models",
    "engine.commands.conv",
    "engine.commands.arch",
    "engine.commands.detect",
    "engine.commands.yolo",
    "engine.commands.style",
    "engine.commands.faces",
    "engine.commands.course",
]


class OneLineParser(argparse.ArgumentParser):
    """Argument errors in one line; the full usage is one ``--help`` away."""

    def error(self, message: str) -> None:  # type: ignore[override]
        text = " ".join(message.split())
        self.exit(2, _("{prog}: error: {message} (see {prog} --help)").format(prog=self.prog, message=text) + "\n")


def build_parser(extra: Sequence[Callable[[argparse._SubParsersAction], None]] = ()) -> argparse.ArgumentParser:
    """The full parser: global options, every engine command, plus ``extra`` registrars (the GUI's)."""
    parser = OneLineParser(  # sub-commands inherit the class
        prog="convstudio",
        description="ConvStudio: see and use convolutional networks. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"ConvStudio {__version__}")
    parser.add_argument("--device", default=None, help="compute device: auto (default), cpu, cuda, cuda:N, mps")
    parser.add_argument(
        "--shape-order", default=CLI_DEFAULT_ORDER, type=str.lower, choices=SHAPE_ORDERS,
        help=_("order of printed shapes: chw (PyTorch's, default) or hwc (the course's H×W×C)"),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMANDS:
        importlib.import_module(module_name).register(sub)
    for registrar in extra:
        registrar(sub)
    return parser


def run(args: argparse.Namespace) -> int:
    """Apply global options and dispatch to the chosen subcommand."""
    if args.device:
        from .device import set_preference

        try:
            set_preference(args.device)
        except ValueError as exc:
            print(f"convstudio: {exc}", file=sys.stderr)
            return 2
    func = getattr(args, "func", None)
    if func is None:
        return 2

    # SIGTERM stops like Ctrl+C, so recordings and checkpoints are finalised (signals only in the main thread).
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if main_thread else None
    try:
        return int(func(args) or 0)
    except _weights_error() as exc:  # a refused or unreadable model file, wherever a command loads one: one line
        print(f"\nconvstudio: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of our output went away: nothing left to say to it
        quiet_stdout()
        return 141
    except OSError as exc:  # a file that could not be written (disk full, no permission): one line, no traceback
        from .files import describe_os_error

        print(f"\nconvstudio: {describe_os_error(exc)}", file=sys.stderr)
        return 1
    except Terminated:
        _stopped_line(_("convstudio: stopped (terminated)"))
        return 143
    except KeyboardInterrupt:
        _stopped_line(_("convstudio: stopped (Ctrl+C)"))
        return 130
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


class _NeverRaised(Exception):
    """Stands for ``WeightsError`` while ``engine.weights`` (and so torch) has not been imported."""


def _weights_error() -> type[Exception]:
    """``engine.weights.WeightsError`` if a command imported it, else a class nothing raises.

    Looked up when an exception reaches ``run``: commands that need no model never import torch.
    """
    module = sys.modules.get(f"{__package__}.weights")
    return getattr(module, "WeightsError", _NeverRaised) if module is not None else _NeverRaised


def shape_order(args: argparse.Namespace) -> str:
    """The ``--shape-order`` in force for a command (``"chw"`` when a caller built ``args`` without it)."""
    return getattr(args, "shape_order", None) or CLI_DEFAULT_ORDER


def _stopped_line(text: str) -> None:
    try:
        sys.stderr.write("\n" + text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def print_json(obj: Any) -> None:
    """Print one JSON document (one line) to stdout, non-ASCII text as UTF-8 (王小明, not \\u escapes)."""
    text = json.dumps(obj, default=str, ensure_ascii=False)
    try:
        print(text, flush=True)
    except UnicodeEncodeError:  # a stdout that cannot encode it (an ASCII locale): still valid JSON
        print(json.dumps(obj, default=str), flush=True)


def progress_printer(enabled: bool = True) -> Callable[[Any], None]:
    """An ``on_progress`` callback that draws a one-line progress bar on stderr."""

    def show(progress: Any) -> None:
        if not enabled:
            return
        frac = progress.fraction
        bar = "" if frac is None else f"[{'#' * int(frac * 30):<30}] {frac * 100:5.1f}% "
        sys.stderr.write(f"\r{bar}{progress.message[:70]:<70}")
        if frac is not None and frac >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
