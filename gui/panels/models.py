"""Models: pretrained weights — status, download with progress, import a file, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine import weights
from engine.i18n import N_, _

from ..panel import Panel
from .models_model import ModelsModel

__all__ = ["ModelsPanel"]

_STATUS_COLOURS = {"installed": QColor(40, 160, 70), "imported": QColor(40, 120, 200), "missing": QColor(150, 150, 150), "corrupt": QColor(210, 60, 50)}
_COLUMNS = (N_("Name"), N_("Task"), N_("Size"), N_("Status"), N_("Description"), N_("License"))
#: Shown for the registry's task and status values (the values themselves stay English: code compares them).
_TASK_TEXT = {"detection": N_("detection"), "classification": N_("classification"), "style": N_("style transfer")}
_STATUS_TEXT = {"installed": N_("installed"), "imported": N_("imported"), "missing": N_("missing"), "corrupt": N_("corrupt")}


def _status_text(state: str) -> str:
    return _(_STATUS_TEXT[state]) if state in _STATUS_TEXT else state


class ModelsPanel(Panel):
    panel_id = "models"
    title = N_("Models")
    summary = N_("Pretrained weights: download on request, import a file you have, verify checksums")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = ModelsModel(self)
        self._job = None
        # The message line is composed when shown, so a language switch re-renders it.
        self._message: Callable[[], str] = lambda: ""
        self._folder_opened: bool | None = None
        layout = QVBoxLayout(self)
        self.intro = intro = QLabel()
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # description and licence share the rest of the width and wrap, so neither is cut at 1024 px
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.download_button = QPushButton(_("Download"))
        self.import_button = QPushButton(_("Import file…"))
        self.verify_button = QPushButton(_("Verify"))
        self.cancel_button = QPushButton(_("Cancel download"))
        self.folder_button = QPushButton(_("Open weights folder"))
        for b in (self.download_button, self.import_button, self.verify_button, self.cancel_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.folder_button)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        # Where the weights live, shown in the panel: without a desktop file manager openUrl does nothing visible.
        folder_row = QHBoxLayout()
        self.folder_label = QLabel("")
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_path_button = QPushButton(_("Copy path"))
        self.copy_path_button.setToolTip(_("Copy the weights folder's path to the clipboard"))
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.copy_path_button)
        layout.addLayout(folder_row)
        self.folder_label.setVisible(False)
        self.copy_path_button.setVisible(False)

        self.download_button.clicked.connect(self.download_selected)
        self.import_button.clicked.connect(self.import_selected)
        self.verify_button.clicked.connect(self.verify_selected)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.folder_button.clicked.connect(self.open_weights_folder)
        self.copy_path_button.clicked.connect(self.copy_weights_path)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.model.changed.connect(self._fill)
        self.model.busyChanged.connect(lambda _busy: self._update_buttons())
        self._show_static_texts()
        self._fill()
        if self.table.rowCount():
            self.table.selectRow(0)

    # -- view --

    def _show_static_texts(self) -> None:
        self.intro.setText(
            _("Weights are downloaded only when you ask, verified by checksum, and kept in <code>{folder}</code>. "
              "Without a network, import a file you already have: it is checked to load safely (tensors only, never code) "
              "and to fit the architecture before it is used.").format(folder=weights.weights_dir())
        )
        self.table.setHorizontalHeaderLabels([_(c) for c in _COLUMNS])

    def _say(self, compose: Callable[[], str]) -> None:
        """Show the message ``compose()`` returns, now and again after a language switch."""
        self._message = compose
        self.message.setText(compose())

    def retranslate(self) -> None:
        self._show_static_texts()
        self._fill()
        self.message.setText(self._message())
        if self._folder_opened is not None:
            self._show_folder(self._folder_opened)

    def _fill(self) -> None:
        selected = self.selected_name()
        self.table.setRowCount(len(self.model.rows))
        for r, row in enumerate(self.model.rows):
            task = _(_TASK_TEXT[row.task]) if row.task in _TASK_TEXT else row.task
            values = (row.name, task, _("{size:.0f} MB").format(size=row.size_mb), _status_text(row.status),
                      _(row.description), _(row.license))
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c >= 4:  # long texts are elided in a narrow window: the tooltip shows them whole
                    item.setToolTip(value)
                if c == 3:
                    item.setForeground(QBrush(_STATUS_COLOURS.get(row.status, QColor(0, 0, 0))))
                self.table.setItem(r, c, item)
            if row.name == selected:
                self.table.selectRow(r)
        self._update_buttons()

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return item.text() if item else None

    def select(self, name: str) -> None:
        for r, row in enumerate(self.model.rows):
            if row.name == name:
                self.table.selectRow(r)

    def _update_buttons(self) -> None:
        name = self.selected_name()
        busy = bool(self.model.busy)
        state = self.model.row(name).status if name else None
        self.download_button.setEnabled(bool(name) and not busy and state != "installed")
        self.import_button.setEnabled(bool(name) and not busy)
        self.verify_button.setEnabled(bool(name) and not busy and state != "missing")
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)

    # -- actions --

    def download_selected(self) -> None:
        name = self.selected_name()
        if not name or self.model.busy:
            return
        self.model.set_busy(name)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self._say(lambda: _("Downloading {name}…").format(name=name))

        def progress(p) -> None:
            if p.fraction is not None:
                self.progress.setValue(int(p.fraction * 1000))
            text = p.message  # the engine's text, already in the language of the moment
            self._say(lambda: text)

        def finish(compose: Callable[[], str]) -> None:
            self.model.set_busy("")
            self._say(compose)
            self.model.refresh()

        self._job = self.ctx.jobs.start(
            weights.download(name),
            label=_("Download {name}").format(name=name),
            on_progress=progress,
            on_done=lambda path: finish(lambda: _("{name} installed at {path}").format(name=name, path=path)),
            on_error=lambda exc, tb: finish(lambda: self._download_error(name, exc)),
            on_cancelled=lambda _result: finish(lambda: _("Download of {name} cancelled; nothing was kept.").format(name=name)),
        )

    @staticmethod
    def _download_error(name: str, exc: BaseException) -> str:
        """One line for a failed download; the engine's WeightsError already says what failed."""
        if isinstance(exc, weights.WeightsError):
            return str(exc)
        return _("Download of {name} failed: {reason}").format(name=name, reason=exc)

    def open_weights_folder(self) -> bool:
        """Open the weights folder in the file manager and always show its path (True if a file manager took it)."""
        folder = weights.weights_dir()
        folder.mkdir(parents=True, exist_ok=True)
        opened = bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))
        self._show_folder(opened)
        return opened

    def _show_folder(self, opened: bool) -> None:
        folder = weights.weights_dir()
        if opened:
            text = _("Weights folder: {path}").format(path=folder)
        else:
            text = _("No file manager could open the weights folder. Its path is: {path}").format(path=folder)
        self._folder_opened = opened
        self.folder_label.setText(text)
        self.folder_label.setVisible(True)
        self.copy_path_button.setVisible(True)

    def copy_weights_path(self) -> str:
        """Put the weights folder's path on the clipboard and say so."""
        path = str(weights.weights_dir())
        QApplication.clipboard().setText(path)
        self.ctx.show_message(_("Copied {path}").format(path=path), 5000)
        return path

    def cancel_download(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def import_selected(self, path: str | None = None) -> bool:
        name = self.selected_name()
        if not name:
            return False
        if not path:
            path, _filter = QFileDialog.getOpenFileName(
                self, _("Import weights for {name}").format(name=name), "",
                _("PyTorch weights (*.pth *.pt *.bin);;All files (*)"))
            if not path:
                return False
        try:
            target = weights.import_file(name, Path(path))
        except weights.WeightsError as exc:
            reason = str(exc)
            self._say(lambda: _("Not imported: {reason}").format(reason=reason))
            return False
        self.model.refresh()
        state = weights.status(name)
        file_name = Path(path).name
        self._say(lambda: _("Imported {file} as {name} ({status}) into {folder}").format(
            file=file_name, name=name, status=_status_text(state), folder=target.parent))
        return True

    def verify_selected(self) -> None:
        name = self.selected_name()
        if name:
            state = weights.verify(name)
            self.model.refresh()
            self._say(lambda: _("{name}: {status}").format(name=name, status=_status_text(state)))
