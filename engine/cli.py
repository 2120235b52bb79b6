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
from .i18n import N_, _
from .shapes import CLI_DEFAULT_ORDER, SHAPE_ORDERS

__all__ = ["COMMANDS", "HelpFormatter", "OneLineParser", "error_line", "say_error", "use_command_line_language", "translate_argparse", "Terminated", "build_parser", "run", "print_json", "progress_printer", "quiet_stdout", "shape_order"]


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


#: argparse's own texts (its usage line, headings, errors), translated in our catalogue (cli.po).
ARGPARSE_TEXTS = (
    N_("usage: "), N_("options"), N_("positional arguments"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"), N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"), N_("not allowed with argument %s"), N_("ignored explicit argument %r"),
    N_("expected one argument"), N_("expected at most one argument"), N_("expected at least one argument"),
    N_("expected %s argument"), N_("expected %s arguments"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"), N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_(":"),  # the colon after a help section's heading
)


def _argparse_gettext(message: str) -> str:
    return _(message)


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    return _(singular if n == 1 else plural)


def translate_argparse() -> None:
    """Route argparse's own texts ("usage:", "options", its error messages) through our catalogue."""
    argparse._ = _argparse_gettext  # argparse looks these names up when it formats, so the current language applies
    argparse.ngettext = _argparse_ngettext


def use_command_line_language() -> str:
    """Speak ``CONVSTUDIO_LANG`` if set, else the system locale's language (a Chinese locale gives Chinese)."""
    from .i18n import set_language, system_language

    return set_language(os.environ.get("CONVSTUDIO_LANG") or system_language())


def error_line(message: str) -> str:
    """The one error line style of every command: ``convstudio: MESSAGE`` (``convstudio：MESSAGE`` in Chinese)."""
    return _("convstudio: {message}").format(message=message)


def say_error(message: Any, newline: bool = False) -> None:
    """Print :func:`error_line` to stderr (after a line break when a progress bar may be on the line)."""
    print(("\n" if newline else "") + error_line(str(message)), file=sys.stderr)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, laid out for the current language: section headings end in "：" in Chinese,
    and help texts wrap by display width (a Chinese character takes two columns)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headings: list[str] = []

    def start_section(self, heading: str | None) -> None:
        if heading:
            self._headings.append(heading)
        super().start_section(heading)

    def _split_lines(self, text: str, width: int) -> list[str]:
        from .tables import display_width

        if display_width(text) == len(text):
            return super()._split_lines(text, width)
        import re

        lines, line = [], ""
        # a word of Latin letters, digits and signs stays whole; a wide character may end a line on its own
        for token in re.findall(r" |[^\s\u2e80-\uffff]+|\S", " ".join(text.split())):
            if display_width(line + token) > width and line.strip():
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        return lines + ([line] if line.strip() else [])

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        from .tables import display_width

        text = super()._format_usage(usage, actions, groups, prefix)
        shown = _("usage: ") if prefix is None else prefix
        extra = display_width(shown) - len(shown)  # "用法：" is 3 characters but 6 columns wide
        if extra <= 0:
            return text
        lines = text.split("\n")
        return "\n".join([lines[0]] + [(" " * extra + line) if line.startswith(" ") else line for line in lines[1:]])

    def format_help(self) -> str:
        text = super().format_help()
        if _(":") != ":":
            for heading in set(self._headings):
                text = text.replace(f"{heading}:\n", f"{heading}{_(':')}\n")
        return text


class OneLineParser(argparse.ArgumentParser):
    """Argument errors in one line; the full usage is one ``--help`` away."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        text = " ".join(message.split())
        self.exit(2, _("convstudio: {message} (see {prog} --help)").format(prog=self.prog, message=text) + "\n")


def build_parser(extra: Sequence[Callable[[argparse._SubParsersAction], None]] = ()) -> argparse.ArgumentParser:
    """The full parser: global options, every engine command, plus ``extra`` registrars (the GUI's)."""
    translate_argparse()
    parser = OneLineParser(  # sub-commands inherit the class
        prog="convstudio",
        description=_("ConvStudio: see and use convolutional networks. With no command, opens the app."),
    )
    parser.add_argument("--version", action="version", version=f"ConvStudio {__version__}",
                        help=_("show program's version number and exit"))
    parser.add_argument("--device", default=None, help=_("compute device: auto (default), cpu, cuda, cuda:N, mps"))
    parser.add_argument(
        "--shape-order", default=CLI_DEFAULT_ORDER, type=str.lower, choices=SHAPE_ORDERS,
        help=_("order of printed shapes: chw (PyTorch's, default) or hwc (the course's H×W×C)"),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title=_("commands"))
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
            say_error(exc)
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
        say_error(exc, newline=True)
        return 1
    except BrokenPipeError:  # the reader of our output went away: nothing left to say to it
        quiet_stdout()
        return 141
    except OSError as exc:  # a file that could not be written (disk full, no permission): one line, no traceback
        from .files import describe_os_error

        say_error(describe_os_error(exc), newline=True)
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
