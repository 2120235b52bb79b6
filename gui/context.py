"""What every panel receives: jobs, settings, and a way to talk to the window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QSettings

from .jobs import JobRunner

__all__ = ["AppContext", "make_settings"]


def make_settings() -> QSettings:
    """Settings stored in ConvStudio's config folder (honours ``CONVSTUDIO_HOME``)."""
    from engine.paths import config_dir

    return QSettings(str(config_dir() / "settings.ini"), QSettings.Format.IniFormat)


@dataclass
class AppContext:
    """Shared services handed to panels.

    jobs: runs engine jobs in worker threads.
    settings: persistent settings (QSettings, ini file).
    show_message: put a line in the status bar (text, milliseconds).
    show_error: show an error dialog (title, message, details).
    switch_to: bring another panel to the front by its ``panel_id``.
    panel_model: the model object of a panel (``panel.model``) by its ``panel_id``, creating the
        panel if needed; None when the panel has no model. The Course panel uses it to put a panel
        into a worked example's state without reaching into the panel's widgets.
    show_example_bar: show the bar above the panels that names a worked example, what to look
        at, and offers "Reset example" (``example_id``; "" hides it).
    """

    jobs: JobRunner
    settings: QSettings
    show_message: Callable[[str, int], None] = lambda text, ms=5000: None
    show_error: Callable[[str, str, str], None] = lambda title, text, details="": None
    switch_to: Callable[[str], None] = lambda panel_id: None
    panel_model: Callable[[str], Any] = lambda panel_id: None
    show_example_bar: Callable[[str], None] = lambda example_id: None
