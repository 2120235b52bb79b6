"""Models: pretrained weights — status, download with progress, import a file, verify."""

from __future__ import annotations

from pathlib import Path

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

from engine.i18n import N_, _
from engine import weights
from engine.i18n import _

from ..panel import Panel
from .models_model import ModelsModel

__all__ = ["ModelsPanel"]

_STATUS_COLOURS = {"installed": QColor(40, 160, 70), "imported": QColor(40, 120, 200), "missing": QColor(150, 150, 150), "corrupt": QColor(210, 60, 50)}
_COLUMNS = ("Name", "Task", "Size", "Status", "Description", "License")


class ModelsPanel(Panel):
    panel_id = "models"
    title = N_("Models")
    summary = N_("Pretrained weights: download on request, import a file you have, verify checksums")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = ModelsModel(self)
        self._job = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Weights are downloaded only when you ask, verified by checksum, and kept in <code>{weights.weights_dir()}</code>. "
            "Without a network, import a file you already have: it is checked to load safely (tensors only, never code) "
            "and to fit the architecture before it is used."
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.download_button = QPushButton("Download")
        self.import_button = QPushButton("Import file…")
        self.verify_button = QPushButton("Verify")
        self.cancel_button = QPushButton("Cancel download")
        self.folder_button = QPushButton("Open weights folder")
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
        self.model.busyChanged.connect(lambda _: self._update_buttons())
        self._fill()
        if self.table.rowCount():
            self.table.selectRow(0)

    # -- view --

    def _fill(self) -> None:
        selected = self.selected_name()
        self.table.setRowCount(len(self.model.rows))
        for r, row in enumerate(self.model.rows):
            values = (row.name, row.task, f"{row.size_mb:.0f} MB", row.status, row.description, row.license)
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
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
        self.message.setText(f"Downloading {name}…")

        def progress(p) -> None:
            if p.fraction is not None:
                self.progress.setValue(int(p.fraction * 1000))
            self.message.setText(p.message)

        def finish(text: str) -> None:
            self.model.set_busy("")
            self.message.setText(text)
            self.model.refresh()

        self._job = self.ctx.jobs.start(
            weights.download(name),
            label=f"Download {name}",
            on_progress=progress,
            on_done=lambda path: finish(f"{name} installed at {path}"),
            on_error=lambda exc, tb: finish(self._download_error(name, exc)),
            on_cancelled=lambda _: finish(f"Download of {name} cancelled; nothing was kept."),
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
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        if opened:
            text = _("Weights folder: {path}").format(path=folder)
        else:
            text = _("No file manager could open the weights folder. Its path is: {path}").format(path=folder)
        self.folder_label.setText(text)
        self.folder_label.setVisible(True)
        self.copy_path_button.setVisible(True)
        return bool(opened)

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
            path, _ = QFileDialog.getOpenFileName(self, f"Import weights for {name}", "", "PyTorch weights (*.pth *.pt *.bin);;All files (*)")
            if not path:
                return False
        try:
            target = weights.import_file(name, Path(path))
        except weights.WeightsError as exc:
            self.message.setText(f"Not imported: {exc}")
            return False
        self.model.refresh()
        self.message.setText(f"Imported {Path(path).name} as {name} ({weights.status(name)}) into {target.parent}")
        return True

    def verify_selected(self) -> None:
        name = self.selected_name()
        if name:
            state = weights.verify(name)
            self.model.refresh()
            self.message.setText(f"{name}: {state}")
