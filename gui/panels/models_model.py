"""State of the Models panel: the weights registry with each entry's status."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from engine import weights

__all__ = ["ModelRow", "ModelsModel"]


@dataclass
class ModelRow:
    name: str
    task: str
    size_mb: float
    status: str
    license: str
    description: str


class ModelsModel(QObject):
    """Rows of the registry; ``changed`` fires after :meth:`refresh`; ``busy`` names the entry being downloaded."""

    changed = Signal()
    busyChanged = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.rows: list[ModelRow] = []
        self.busy: str = ""
        self.refresh()

    def refresh(self) -> None:
        self.rows = [
            ModelRow(e.name, e.task, e.size_mb, weights.status(e.name), e.license, e.description) for e in weights.entries()
        ]
        self.changed.emit()

    def set_busy(self, name: str) -> None:
        if name != self.busy:
            self.busy = name
            self.busyChanged.emit(name)

    def row(self, name: str) -> ModelRow:
        return next(r for r in self.rows if r.name == name)
