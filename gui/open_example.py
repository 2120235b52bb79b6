"""``convstudio open EXAMPLE_ID``: start the app showing one of the course's worked examples."""

from __future__ import annotations

import argparse
import logging
from engine.i18n import _

__all__ = ["register", "open_window"]


def open_window(example_id: str, settings=None, show: bool = True):
    """A main window showing ``example_id`` in its panel (in the example's state). Returns the window.

    Raises :class:`engine.course.examples.UnknownExample` for an unknown id (before any window is made).
    """
    from engine.course import example

    example(example_id)
    from .app import ensure_app
    from .window import MainWindow

    ensure_app()
    window = MainWindow(settings=settings)
    if show:
        window.show()
    window.open_example(example_id)
    return window


def _run(args: argparse.Namespace) -> int:
    from engine.course.examples import UnknownExample
    from engine.i18n import _

    try:
        from engine.course import example

        example(args.example)
    except UnknownExample as exc:
        from engine.cli import say_error

        say_error(_("{error}; examples are listed per section by: convstudio course show SECTION (sections: convstudio course list)").format(error=exc))
        return 2
    from engine.logs import setup_logging

    from .app import ensure_app, exec_app, install_excepthook

    setup_logging()
    app = ensure_app()
    install_excepthook()
    window = open_window(args.example)  # noqa: F841  (kept alive while the app runs)
    logging.getLogger(__name__).info("showing example %s", args.example)
    return exec_app(app)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `open` subcommand to the command line."""
    p = sub.add_parser("open", help=_("start the app at a course example (ids: convstudio course list)"))
    p.add_argument("example", metavar="EXAMPLE_ID", help=_("a worked example's id, e.g. edge-6x6"))
    p.set_defaults(func=_run)
