"""Application start-up: QApplication, logging, the exception hook, the main window.

``CONVSTUDIO_QUIT_AFTER=paint`` prints how long the first frame took and quits (start-up benchmark,
CI's check of the real window); ``=ready`` waits for torch and the first panel before quitting.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
import traceback

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.i18n import _

from .desktop import APP_ID  # the desktop entry and AppStream id; on Wayland the window's app id

__all__ = ["APP_ID", "QUIT_AFTER_ENV", "ensure_app", "exec_app", "install_excepthook", "process_seconds", "quit_on_signals",
           "run_app", "resources_dir"]

log = logging.getLogger(__name__)

#: ``paint`` or ``ready``: quit after the first frame, or once torch and the first panel are there.
QUIT_AFTER_ENV = "CONVSTUDIO_QUIT_AFTER"


def resources_dir() -> Path:
    """The folder with the window icon, inside the package (so an installed wheel has it too)."""
    return Path(__file__).resolve().parent / "resources"


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The running QApplication, created if needed."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("ConvStudio")  # also the X11 window class: StartupWMClass=ConvStudio
        app.setOrganizationName("ConvStudio")
        app.setDesktopFileName(APP_ID)
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


def process_seconds() -> float:
    """Seconds since this process started (Linux: from /proc; elsewhere: since this module was imported)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


def _quit_after(app: QApplication, window, when: str) -> None:
    """Quit once the window has painted (``paint``) or loaded torch (``ready``), saying when on stdout."""

    def done(what: str) -> None:
        print(f"convstudio: {what} {process_seconds():.3f} s after start", flush=True)
        window.close()
        app.exit(0)

    if when == "paint":
        window.firstPainted.connect(lambda: done("first paint"))
    elif when == "ready":
        window.torchLoaded.connect(lambda: done("ready (torch loaded, panels open)"))
        window.torch.failed.connect(lambda error: (print(f"convstudio: {error}", flush=True), app.exit(1)))
    else:
        print(f"convstudio: {QUIT_AFTER_ENV} must be 'paint' or 'ready', not {when!r}", file=sys.stderr)


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
    """Open the main window and run the event loop (1 with one line when there is no display to open it on)."""
    from .display import display_problem

    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from engine.logs import setup_logging

    path = setup_logging()
    app = ensure_app()
    install_excepthook()
    from .window import MainWindow

    window = MainWindow()
    when = os.environ.get(QUIT_AFTER_ENV, "").strip().lower()
    if when:
        _quit_after(app, window, when)
    window.show()
    log.info("ConvStudio started; log at %s", path)
    return exec_app(app)
