"""Course (课程): the course note's sections in order, each a page with formulas, worked examples that open
in their panel (Show me), an exercise with fresh numbers, the note's errata, and a glossary."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine import i18n
from engine.course import PARTS, SECTIONS, section, section_view, sections_of
from engine.i18n import N_, _

from ..panel import Panel
from ..widgets.course_exercise import CourseExerciseCard
from ..widgets.course_glossary import CourseGlossary
from ..widgets.course_outline import SECOND_LINE, TwoLineDelegate
from ..widgets.course_page import CoursePage, page_html
from .course_examples import missing, show_example
from .course_model import CourseModel

__all__ = ["CoursePanel", "both_titles", "hover_title", "title_pair"]

_ID = Qt.ItemDataRole.UserRole


def title_pair(title_zh: str, title_en: str) -> tuple[str, str]:
    """(title in the interface's language, a second line or "").

    In Chinese the title is Chinese alone (the English term is the tooltip, :func:`hover_title`);
    in English the note's Chinese title is the second line.
    """
    if i18n.language() == "zh_CN":
        return title_zh, ""
    else:
        first, second = _(title_en), title_zh
    return first, ("" if first == second else second)


def hover_title(title_zh: str, title_en: str) -> str:
    """The tooltip of a title: the English term in Chinese, both titles in English."""
    if i18n.language() == "zh_CN":
        return f"{title_zh}（{title_en}）"
    return both_titles(title_zh, title_en)


def both_titles(title_zh: str, title_en: str) -> str:
    """The title in the interface's language first, the other beside it (once when they are the same)."""
    first, second = title_pair(title_zh, title_en)
    return f"{first}  ·  {second}" if second else first


class CoursePanel(Panel):
    panel_id = "course"
    title = N_("Course")
    summary = N_("The course note, section by section: the idea, formulas, worked examples, exercises and errata")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = CourseModel(ctx.settings, parent=self)

        # left: the outline
        self.outline = QTreeWidget()
        self.outline.setObjectName("courseOutline")
        self.outline.setColumnCount(2)
        self.outline.setHeaderHidden(True)
        self.outline.header().setStretchLastSection(False)
        self.outline.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.outline.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.outline.setColumnWidth(1, 26)
        self.outline.setIndentation(12)
        self.outline.setItemDelegateForColumn(0, TwoLineDelegate(self.outline))
        self.outline.setStyleSheet("QTreeWidget#courseOutline { font-size: 10.5pt; } QTreeWidget#courseOutline::item { padding: 3px 0; }")
        bold = QFont(self.outline.font())
        bold.setBold(True)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._parts: dict[str, QTreeWidgetItem] = {}
        for part in PARTS:
            top = QTreeWidgetItem()
            top.setFont(0, bold)
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.outline.addTopLevelItem(top)
            self._parts[part.id] = top
            for s in sections_of(part.id):
                item = QTreeWidgetItem(top)
                item.setData(0, _ID, s.id)
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
                self._items[s.id] = item
        self.outline.expandAll()
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.reset_button = QPushButton()
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.outline, 1)
        row = QHBoxLayout()
        row.addWidget(self.progress_label, 1)
        row.addWidget(self.reset_button)
        lv.addLayout(row)

        # right: the page and its exercise, and the glossary
        self.page = CoursePage()
        self.exercise = CourseExerciseCard(self.model)
        self.page_split = QSplitter(Qt.Orientation.Vertical)
        self.page_split.addWidget(self.page)
        self.page_split.addWidget(self.exercise)
        self.page_split.setStretchFactor(0, 1)
        self.page_split.setStretchFactor(1, 0)
        self.page_split.setChildrenCollapsible(False)
        self.page_split.setSizes([10000, 1])  # the exercise card takes what it needs, the page the rest
        self.glossary = CourseGlossary()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.page_split, "")
        self.tabs.addTab(self.glossary, "")

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(left)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([300, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.split)

        self.outline.currentItemChanged.connect(self._outline_changed)
        self.model.sectionChanged.connect(self._show_section)
        self.model.progressChanged.connect(self._show_progress)
        self.model.exerciseChanged.connect(self._fit_exercise)
        self.page.showRequested.connect(self.show_example)
        self.page.termRequested.connect(self.show_term)
        self.reset_button.clicked.connect(self.ask_reset_progress)
        self.retranslate()
        self._show_section(self.model.section_id)

    # -- actions (also used by tests) --

    def select_section(self, section_id: str) -> None:
        """Show section ``section_id``."""
        self.model.select(section_id)
        self.tabs.setCurrentIndex(0)

    def show_example(self, example_id: str) -> bool:
        """Show me: open the example's panel in the example's state."""
        return show_example(self.ctx, example_id)

    def show_term(self, term: str) -> None:
        """Open the glossary filtered to ``term``."""
        self.glossary.show_term(term)
        self.tabs.setCurrentWidget(self.glossary)

    def ask_reset_progress(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, _("Reset progress"),
                          _("Forget every exercise you have solved?"),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        if box.exec() == QMessageBox.StandardButton.Yes:
            self.model.reset_progress()

    # -- view updates --

    def _outline_changed(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        sid = item.data(0, _ID) if item is not None else None
        if sid:
            self.model.select(str(sid))

    def _show_section(self, section_id: str) -> None:
        item = self._items[section_id]
        if self.outline.currentItem() is not item:
            self.outline.setCurrentItem(item)
        self.render_page()
        self.exercise.refresh()

    def render_page(self) -> None:
        """Compose the current section's page (language, theme and progress as they are now)."""
        view = section_view(self.model.section_id)
        notes = {ex["id"]: missing(ex["id"]) for ex in view["examples"]}
        bar = self.page.verticalScrollBar().value()
        # the application's palette is the theme (a widget's own may lag behind during a switch)
        self.page.setHtml(page_html(view, QApplication.palette(), self.model.solved(self.model.section_id), notes))
        self.page.verticalScrollBar().setValue(bar if self.page.property("shown") == self.model.section_id else 0)
        self.page.setProperty("shown", self.model.section_id)

    def _show_progress(self) -> None:
        ok = QColor(46, 157, 74)
        for s in SECTIONS:
            item = self._items[s.id]
            solved = self.model.solved(s.id)
            item.setText(1, "✓" if solved else "")
            item.setForeground(1, ok)
        done = sum(1 for s in SECTIONS if self.model.solved(s.id))
        self.progress_label.setText(_("{done} of {total} sections solved").format(done=done, total=len(SECTIONS)))
        self.render_page()

    def retranslate(self) -> None:
        for key, titled in [(p.id, p) for p in PARTS] + [(s.id, s) for s in SECTIONS]:
            item = self._parts.get(key) or self._items[key]
            first, second = title_pair(titled.shown_zh, titled.title_en)
            item.setText(0, first)
            item.setData(0, SECOND_LINE, second)
            item.setToolTip(0, hover_title(titled.shown_zh, titled.title_en))
        self.tabs.setTabText(0, _("Section"))
        self.tabs.setTabText(1, _("Glossary"))
        self.reset_button.setText(_("Reset progress"))
        self.reset_button.setToolTip(_("Forget every exercise you have solved"))
        self.exercise.retranslate()
        self.glossary.retranslate()
        self._show_progress()
        self._fit_exercise()

    def _fit_exercise(self) -> None:
        """Give the exercise card the height its wrapped text needs (a splitter does not ask for it)."""
        total = sum(self.page_split.sizes())
        width = self.page_split.width()
        if total <= 0 or width <= 0:
            return
        need = self.exercise.layout().totalHeightForWidth(width)
        need = max(need, self.exercise.minimumSizeHint().height())
        need = min(need, int(total * 0.6))
        self.page_split.setSizes([total - need, need])

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_exercise()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not getattr(self, "_sized", False) and self.width() > 0:
            self._sized = True  # once: later the user's own splitter drags are kept
            left = max(210, min(320, int(self.width() * 0.27)))
            self.split.setSizes([left, self.width() - left])
        self._fit_exercise()

    def changeEvent(self, event) -> None:  # noqa: N802
        # a theme switch changes the palette: the page's colours come from it
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) and hasattr(self, "page"):
            self.render_page()
        super().changeEvent(event)

    def current_section(self) -> str:
        return self.model.section_id

    def section_title(self) -> str:
        s = section(self.model.section_id)
        return both_titles(s.shown_zh, s.title_en)
