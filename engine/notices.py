"""One-line notices to the user (a damaged stored file kept aside, an unreadable catalogue).

The lowest layer: it imports nothing from the engine, so the translation layer can report through it.
Notices go to the handler set by :func:`set_notice_handler` (the command line prints them to stderr,
the window shows them in its status bar); until there is one, they are queued and :func:`take_notices`
hands them over.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

__all__ = ["notify", "set_notice_handler", "notices_to_stderr", "take_notices"]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_queue: list[str] = []
_handler: Callable[[str], None] | None = None


def notify(line: str) -> None:
    """Tell the user ``line`` (one line): through the handler, else queued for :func:`take_notices`."""
    log.info("%s", line)
    with _lock:
        handler = _handler
        if handler is None:
            _queue.append(line)
            return
    handler(line)


def set_notice_handler(handler: Callable[[str], None] | None) -> list[str]:
    """Send notices to ``handler`` from now on (None: queue them). Returns the notices queued so far."""
    global _handler
    with _lock:
        _handler = handler
        queued, _queue[:] = list(_queue), []
    return queued


def notices_to_stderr(format_line: Callable[[str], str] = lambda line: f"convstudio: {line}") -> None:
    """Print every notice (queued ones first) to stderr, each as ``format_line`` writes it: what the command line does
    (which passes its own error style, ``convstudio：…`` in Chinese)."""
    import sys

    def show(line: str) -> None:
        try:
            sys.stderr.write(format_line(line) + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

    for line in set_notice_handler(show):
        show(line)


def take_notices() -> list[str]:
    """The queued notices, oldest first; the queue is emptied."""
    with _lock:
        queued, _queue[:] = list(_queue), []
    return queued
