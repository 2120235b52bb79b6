"""Application start-up: QApplication, logging, the exception hook, the main window."""

from __future__ import annotations

import logging
import sys
import traceback

from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.i18n import _

__all__ = ["ensure_app", "install_excepthook", "run_app", "resources_dir"]

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
    return app.exec()
