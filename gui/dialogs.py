"""File dialogs shared by the window and the panels."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from engine.io import IMAGE_SUFFIXES

__all__ = ["IMAGE_FILTER", "ask_image_path", "ask_image_paths"]

#: Qt name filter for every image type :func:`engine.io.load_image` opens.
IMAGE_FILTER = f"Images ({' '.join(f'*{s}' for s in IMAGE_SUFFIXES)});;All files (*)"


def ask_image_path(parent: QWidget, title: str = "Open image", folder: str | Path = "") -> Path | None:
    """Ask for one image file; ``None`` when the user cancels."""
    path, _ = QFileDialog.getOpenFileName(parent, title, str(folder), IMAGE_FILTER)
    return Path(path) if path else None


def ask_image_paths(parent: QWidget, title: str = "Open images", folder: str | Path = "") -> list[Path]:
    """Ask for several image files; an empty list when the user cancels."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, str(folder), IMAGE_FILTER)
    return [Path(p) for p in paths]
