"""Application start-up: QApplication, logging, the exception hook, the main window."""

from __future__ import annotations

import logging
import signal
import sys
import traceback

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.i18n import _

__all__ = ["ensure_app", "install_excepthook", "run_app", "resources_dir", "quit_on_signals", "exec_app"]

log = logging.getLogger(__name__)


def resources_dir() -> Path:
    """The folder with icons and other bundled resources (a source checkout's ``resources/``)."""
    return Path(__file__).resolve().parents[1] / "resources"


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The running QApplication, created if needed."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("ConvStudio")
        app.setOrganizationName("ConvStudio")
        icon = resources_dir() / "icon.svg"
        if icon.exists():
            app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def install_excepthook() -> None:
    """Uncaught exceptions on the GUI thread are logged and shown; the app keeps running."""

    def hook(exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("uncaught exception:\n%s", text)
        sys.stderr.write(text)
        app = QApplication.instance()
        if app is not None and QApplication.platformName() != "offscreen":
            box = QMessageBox(QMessageBox.Icon.Critical, _("Unexpected error"), f"{exc_type.__name__}: {exc}")
            box.setDetailedText(text)
            box.setInformativeText(_("ConvStudio keeps running. The details are in the log file."))
            box.exec()

    sys.excepthook = hook


def quit_on_signals(app: QApplication) -> dict[str, int]:
    """SIGTERM and Ctrl+C close every window (which stops their threads) and end the event loop.

    Python runs a signal handler only between its own bytecodes, and Qt's event loop runs none
    while idle: a timer gives the handler its chance within a fifth of a second. Returns a dict
    that holds ``"signum"`` once a signal came.
    """
    received: dict[str, int] = {}

    def handler(signum: int, frame) -> None:
        if "signum" in received:
            return
        received["signum"] = signum
        QTimer.singleShot(0, lambda: (app.closeAllWindows(), app.quit()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(200)
    return received


def exec_app(app: QApplication) -> int:
    """Run the event loop; a SIGTERM or Ctrl+C ends it with the command line's closing line and code (143, 130)."""
    received = quit_on_signals(app)
    code = app.exec()
    signum = received.get("signum")
    if signum is None:
        return code
    text = _("convstudio: stopped (terminated)") if signum == signal.SIGTERM else _("convstudio: stopped (Ctrl+C)")
    try:
        sys.stderr.write("\n" + text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return 143 if signum == signal.SIGTERM else 130


def run_app() -> int:
    """Open the main window and run the event loop."""
    from engine.logs import setup_logging

    path = setup_logging()
    app = ensure_app()
    install_excepthook()
    from .window import MainWindow

    window = MainWindow()
    window.show()
    log.info("ConvStudio started; log at %s", path)
    return exec_app(app)
