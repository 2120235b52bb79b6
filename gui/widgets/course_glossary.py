"""The course's glossary, English ↔ Chinese, with a search field."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from engine.course.glossary import search_glossary
from engine.i18n import _

__all__ = ["CourseGlossary"]


class CourseGlossary(QWidget):
    """A table of the note's terms filtered by :func:`engine.course.glossary.search_glossary`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.table = QTableWidget(0, 3)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # wrapped remarks are read whole
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 220)
        self.table.setColumnWidth(1, 200)
        self.count = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.search.textChanged.connect(self.refresh)
        self.retranslate()

    def show_term(self, text: str) -> None:
        """Filter the table to ``text`` (a term clicked in a page)."""
        self.search.setText(text)

    def rows(self) -> list[tuple[str, str]]:
        """(English, Chinese) of the rows shown."""
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]

    def refresh(self) -> None:
        hits = search_glossary(self.search.text())
        self.table.setRowCount(len(hits))
        for r, e in enumerate(hits):
            for c, text in enumerate((e.en, e.zh_text, _(e.note) if e.note else "")):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        self.count.setText(_("{shown} of the note's terms").format(shown=len(hits)))

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search the glossary, in English or Chinese…"))
        self.table.setHorizontalHeaderLabels([_("English"), _("Chinese (as the note uses it)"), _("Remark")])
        self.refresh()
