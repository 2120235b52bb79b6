"""What every panel receives: jobs, settings, and a way to talk to the window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from PySide6.QtCore import QObject, QSettings, Signal

from .jobs import JobRunner

__all__ = ["AppContext", "make_settings", "setting_text", "SETTINGS_MAX_BYTES", "NoticeBridge"]

#: The settings file holds a few short lines; anything beyond this is not one.
SETTINGS_MAX_BYTES = 1 << 20
_KEY = re.compile(r"^[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*$")


def make_settings() -> QSettings:
    """Settings stored in ConvStudio's config folder (honours ``CONVSTUDIO_HOME``).

    A settings file that is not a regular file, is too large, or that Qt reads with a format error
    is kept aside (``settings.ini.damaged-<time>``, said in one line); the readable keys of a
    malformed one are carried over to the fresh file.
    """
    from engine.i18n import _
    from engine.paths import config_dir
    from engine.stored import DamagedFile, check_stored, keep_aside

    path = config_dir() / "settings.ini"
    what = _("the settings file")
    try:
        check_stored(path, SETTINGS_MAX_BYTES)
    except DamagedFile as exc:
        keep_aside(path, str(exc), what, _("the settings start afresh"))
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    if settings.status() == QSettings.Status.NoError:
        return settings
    kept = {k: settings.value(k) for k in settings.allKeys() if _KEY.match(k)}
    del settings
    if keep_aside(path, _("not a valid settings file"), what, _("kept: {n} settings").format(n=len(kept))) is None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    for key, value in kept.items():
        settings.setValue(key, value)
    settings.sync()
    return settings


class NoticeBridge(QObject):
    """Carries the engine's one-line notices (:mod:`engine.stored`) to the GUI thread, from any thread."""

    line = Signal(str)

    def send(self, text: str) -> None:
        try:
            self.line.emit(text)
        except RuntimeError:  # the window is gone: the log has the line
            pass


def setting_text(settings: QSettings | None, key: str, default: str, choices: Iterable[str] | None = None,
                 max_length: int = 4096) -> str:
    """The setting ``key`` as a plain string, or ``default`` when it is missing, not text, too long, holds a
    NUL or a control character, or is not one of ``choices``. Every setting is read through here: the
    file is the user's and may hold anything."""
    if settings is None:
        return default
    value = settings.value(key, default)
    if not isinstance(value, str) or len(value) > max_length or any(ord(c) < 32 for c in value):
        return default
    if choices is not None and value not in set(choices):
        return default
    return value


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
