"""File ▸ Open example…: a searchable list of the course's worked examples."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.i18n import _

__all__ = ["ExampleDialog"]


class ExampleDialog(QDialog):
    """Type to filter by id, description or section; Enter or double-click opens the example."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from engine.course import EXAMPLES, display_title, section

        self.setWindowTitle(_("Open example"))
        self.resize(720, 480)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search examples…"))
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("Example"), _("Description"), _("Section")])
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 200)
        self.tree.setColumnWidth(1, 320)
        for ex in EXAMPLES:
            s = section(ex.section)
            item = QTreeWidgetItem([ex.id, _(ex.description), display_title(s.shown_zh, s.title_en)])
            item.setData(0, Qt.ItemDataRole.UserRole, ex.id)
            self.tree.addTopLevelItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self.filter)
        self.tree.itemDoubleClicked.connect(lambda *_args: self.accept())
        self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def filter(self, text: str) -> None:
        """Show only the examples whose id, description or section contains ``text``."""
        q = text.strip().casefold()
        first = None
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            hit = not q or any(q in item.text(c).casefold() for c in range(3))
            item.setHidden(not hit)
            if hit and first is None:
                first = item
        if first is not None:
            self.tree.setCurrentItem(first)

    def selected_id(self) -> str:
        item = self.tree.currentItem()
        return "" if item is None or item.isHidden() else str(item.data(0, Qt.ItemDataRole.UserRole))
