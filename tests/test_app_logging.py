"""Logging to a rotating file, and uncaught GUI exceptions that do not end the app."""

import logging
import sys

from engine.logs import log_file, setup_logging
from gui.app import install_excepthook


def test_log_file_receives_records():
    path = setup_logging()
    assert setup_logging() == path  # idempotent: one handler
    logging.getLogger("engine.test").warning("hello from the test")
    for h in logging.getLogger().handlers:
        h.flush()
    assert "hello from the test" in log_file().read_text("utf-8")


def test_uncaught_exception_is_logged_not_fatal(qapp, capsys):
    setup_logging()
    old = sys.excepthook
    install_excepthook()
    try:
        try:
            raise ValueError("a slot broke")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    for h in logging.getLogger().handlers:
        h.flush()
    assert "a slot broke" in log_file().read_text("utf-8")
    assert qapp is not None  # the application object is still alive


def test_qt_calls_keep_none_alive(qapp):
    """Void Qt calls must not drop references to None (PySide6 6.12.0 did, and aborted the app)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(20_000):
        probe.setObjectName("frame")
    assert sys.getrefcount(None) >= before - 100
