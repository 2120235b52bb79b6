"""The main window's images: File ▸ Open, the recent-files menu, and drag and drop onto the window."""

from __future__ import annotations

from pathlib import Path

from engine.i18n import _
from engine.io import is_image_path

from .dialogs import ask_image_path

__all__ = ["ImageOpening", "MAX_RECENT"]

#: how many recent files File ▸ Open recent lists
MAX_RECENT = 8


class ImageOpening:
    """Methods of :class:`gui.window.MainWindow` that send image files to the panel on screen
    (kept apart so the window module stays about panels, menus and the status bar)."""

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return []
        # the settings file is the user's: only plain paths, and no more than the menu shows
        return [v for v in value if isinstance(v, str) and v and len(v) < 4096 and "\0" not in v][:MAX_RECENT]

    def _remember(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self.settings.setValue("recent_files", items[:MAX_RECENT])
        self._rebuild_recent()

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            act = self.recent_menu.addAction(_("(none)"))
            act.setEnabled(False)
        for path in files:
            self.recent_menu.addAction(Path(path).name, lambda p=path: self.open_image_path(Path(p))).setToolTip(path)

    def open_image_dialog(self) -> None:
        path = ask_image_path(self)
        if path:
            self.open_image_path(path)

    def open_image_path(self, path: Path) -> bool:
        """Send an image file to the current panel; False (with a message) if it takes none."""
        panel = self.current_panel()
        if panel is None and self._waiting_id is not None and self._waiting_id == self._current_id:
            title = _(self.panel_classes[self.panel_ids().index(self._waiting_id)].title)
            self.show_message(_("The {panel} panel opens when PyTorch has loaded; open the image again in a moment.").format(panel=title), 8000)
            return False
        if panel is None or not panel.accepts_images:
            takers = [_(cls.title) for cls in self.panel_classes if cls.accepts_images]
            text = _("This panel does not take images.") if panel is None else _("The {panel} panel does not take images.").format(panel=_(panel.title))
            if takers:
                text += " " + _("Panels that do: {panels}.").format(panels=_(", ").join(takers))
            self.show_message(text, 8000)
            return False
        try:
            panel.open_image(path)
        except Exception as exc:
            self.show_error(_("Cannot open image"), str(exc))
            return False
        self._remember(path)
        return True

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and any(u.isLocalFile() and is_image_path(u.toLocalFile()) for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802
        for url in event.mimeData().urls():
            if url.isLocalFile() and is_image_path(url.toLocalFile()):
                self.open_image_path(Path(url.toLocalFile()))
                event.acceptProposedAction()
                return
