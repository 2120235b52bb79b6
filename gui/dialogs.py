"""File dialogs shared by the window and the panels."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from engine.i18n import N_, _
from engine.io import IMAGE_SUFFIXES

__all__ = ["IMAGE_FILTER", "image_filter", "ask_image_path", "ask_image_paths", "ask_example_id"]

_PATTERNS = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)


def image_filter() -> str:
    """Qt name filter for every image type :func:`engine.io.load_image` opens (in the current language)."""
    return _("Images ({patterns});;All files (*)").format(patterns=_PATTERNS)


#: The filter in English (kept for callers that predate translations).
IMAGE_FILTER = f"Images ({_PATTERNS});;All files (*)"


def ask_image_path(parent: QWidget, title: str = N_("Open image"), folder: str | Path = "") -> Path | None:
    """Ask for one image file; ``None`` when the user cancels. ``title`` is an English source text."""
    path, _filter = QFileDialog.getOpenFileName(parent, _(title), str(folder), image_filter())
    return Path(path) if path else None


def ask_image_paths(parent: QWidget, title: str = N_("Open images"), folder: str | Path = "") -> list[Path]:
    """Ask for several image files; an empty list when the user cancels. ``title`` is an English source text."""
    paths, _filter = QFileDialog.getOpenFileNames(parent, _(title), str(folder), image_filter())
    return [Path(p) for p in paths]


def ask_example_id(parent: QWidget) -> str:
    """Ask for a worked example of the course (searchable list); "" when the user cancels."""
    from .widgets.course_example_dialog import ExampleDialog

    dialog = ExampleDialog(parent)
    return dialog.selected_id() if dialog.exec() else ""
