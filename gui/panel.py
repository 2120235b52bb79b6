"""Base class of every panel shown in the main window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from .context import AppContext

__all__ = ["Panel"]


class Panel(QWidget):
    """A page of the app. Subclasses set ``panel_id``, ``title`` and ``summary``.

    ``accepts_images``: drag-and-drop and File > Open route image paths to
    :meth:`open_image`. :meth:`activate`/:meth:`deactivate` run when the panel
    is shown/hidden (start/stop cameras and timers there); :meth:`shutdown`
    when the app closes.
    """

    panel_id: str = ""
    title: str = ""
    summary: str = ""
    accepts_images: bool = False

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx

    def open_image(self, path: Path) -> None:
        """Load an image file into the panel (only when ``accepts_images``)."""
        raise NotImplementedError

    def activate(self) -> None:
        """The panel became visible."""

    def deactivate(self) -> None:
        """The panel was hidden."""

    def shutdown(self) -> None:
        """The app is closing: stop threads, release devices."""

    def retranslate(self) -> None:
        """The language or the shape notation changed: re-render texts this panel composes itself
        (numbers in sentences, shapes, HTML). Plain catalogue texts on widgets are already swapped by
        the window. Shapes are written with :func:`engine.shapes.format_shape`, which follows the setting."""

    def screenshot_ready(self) -> bool:
        """True once the default content is on screen (screenshots wait for it)."""
        return True
