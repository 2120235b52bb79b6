"""Find widgets whose text does not fit: clipped buttons, labels, group titles, combo texts,
elided tabs and table columns, and widgets that reach outside their parent.

``clipped_texts(root)`` walks every widget shown on screen under ``root`` and returns one line
per problem (empty when everything fits). Used by the 1024×700 layout tests in both languages.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QStyle,
    QTabBar,
    QTableView,
    QToolButton,
    QTreeView,
    QWidget,
)

__all__ = ["clipped_texts"]

SLACK = 3  # pixels of rounding a layout may take from a widget's size hint without cutting its text


def _shown(w: QWidget) -> bool:
    return w.isVisible() and not w.visibleRegion().isEmpty() and w.width() > 0 and w.height() > 0


def _name(w: QWidget) -> str:
    text = ""
    for attr in ("text", "title", "currentText"):
        fn = getattr(w, attr, None)
        if callable(fn):
            try:
                text = fn()
                break
            except TypeError:
                continue
    return f"{type(w).__name__} {w.objectName() or ''}{text[:40]!r}"


def _label_problem(label: QLabel) -> str | None:
    if not label.text() or not label.pixmap().isNull():
        return None
    full_text = getattr(label, "full_text", None)
    if callable(full_text):  # a path label may elide in the middle when its tooltip holds the whole text
        return None if label.toolTip() == full_text() else "elides its text without a tooltip holding it whole"
    if label.wordWrap():
        need = label.heightForWidth(label.contentsRect().width() + 2 * label.margin()) if label.hasHeightForWidth() else -1
        if need > label.height() + SLACK:
            return f"needs {need} px of height, has {label.height()}"
        return None
    hint = label.sizeHint().width()
    if hint > label.width() + SLACK:
        return f"needs {hint} px of width, has {label.width()}"
    return None


def _button_problem(button: QAbstractButton) -> str | None:
    if not button.text():
        return None
    fm = button.fontMetrics()
    text_w = fm.horizontalAdvance(button.text().replace("&&", "\0").replace("&", "").replace("\0", "&"))
    if isinstance(button, (QCheckBox, QRadioButton)):
        hint = button.sizeHint().width()
        if hint > button.width() + SLACK:
            return f"needs {hint} px of width, has {button.width()}"
        return None
    icon_w = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    room = button.contentsRect().width() - icon_w - 4  # a little room for the frame
    if text_w > room:
        return f"text needs {text_w} px, has {room}"
    return None


def _combo_problem(combo: QComboBox) -> str | None:
    text = combo.currentText()
    if not text or combo.isEditable():
        return None
    need = combo.fontMetrics().horizontalAdvance(text) + 24  # the arrow and the frame
    if need > combo.width() + SLACK:
        return f"current text needs {need} px, has {combo.width()}"
    return None


def _tab_problems(bar: QTabBar) -> list[str]:
    out = []
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        need, got = bar.tabSizeHint(i).width(), bar.tabRect(i).width()
        if need > got + SLACK:
            out.append(f"tab {bar.tabText(i)!r} needs {need} px, has {got}")
        elif not bar.rect().contains(bar.tabRect(i).adjusted(SLACK, 0, -SLACK, 0)):
            out.append(f"tab {bar.tabText(i)!r} lies outside its bar (scrolled away)")
    return out


def _view_problems(view: QAbstractItemView) -> list[str]:
    out = []
    if isinstance(view, (QTableView, QTreeView)):
        if view.horizontalScrollBar().isVisible():
            out.append("needs horizontal scrolling")
        header: QHeaderView = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
        model = view.model()
        if model is None or header.isHidden():
            return out
        # wrapped cells in rows sized to their contents are read whole, however narrow the column
        wraps = isinstance(view, QTableView) and view.wordWrap() and view.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.ResizeToContents
        for c in range(model.columnCount()):
            if header.isSectionHidden(c):
                continue
            width = header.sectionSize(c)
            title = str(model.headerData(c, Qt.Orientation.Horizontal) or "")
            margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
            need_header = header.fontMetrics().horizontalAdvance(title.split("\n")[0]) + 2 * margin
            if title and "\n" not in title and need_header > width + SLACK:
                out.append(f"column {title!r} header needs {need_header} px, has {width}")
            if view.textElideMode() != Qt.TextElideMode.ElideNone and not wraps:
                need = view.sizeHintForColumn(c)
                if need > width + SLACK:
                    out.append(f"column {title!r} cells need {need} px, have {width}")
    return out


def _outside_parent(w: QWidget) -> str | None:
    parent = w.parentWidget()
    if parent is None or w.isWindow():
        return None
    grand = parent.parentWidget()
    if isinstance(grand, QAbstractScrollArea) and parent is grand.viewport():
        return None  # a scroll area's content is meant to be larger than its viewport
    if isinstance(parent, QTabBar) or isinstance(w, QTabBar):
        return None
    inner = QRect(parent.rect())
    g = w.geometry()
    if not inner.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(g):
        return f"geometry {g.getRect()} reaches outside its parent's {inner.getRect()}"
    return None


def clipped_texts(root: QWidget) -> list[str]:
    """One line per widget under ``root`` whose text is cut, elided or outside its parent."""
    problems: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not _shown(w):
            continue
        found: list[str] = []
        if isinstance(w, QLabel):
            p = _label_problem(w)
            found += [p] if p else []
        elif isinstance(w, (QPushButton, QCheckBox, QRadioButton, QToolButton)):
            p = _button_problem(w)
            found += [p] if p else []
        elif isinstance(w, QComboBox):
            p = _combo_problem(w)
            found += [p] if p else []
        elif isinstance(w, QGroupBox) and w.title():
            need = w.fontMetrics().horizontalAdvance(w.title()) + 16
            if need > w.width() + SLACK:
                found.append(f"title needs {need} px, has {w.width()}")
        elif isinstance(w, QTabBar):
            found += _tab_problems(w)
        elif isinstance(w, QAbstractItemView):
            found += _view_problems(w)
        fits = getattr(w, "captions_fit", None)  # widgets that paint their own captions say whether they fit
        if callable(fits) and not fits():
            found.append("painted captions are cut or run together")
        p = _outside_parent(w)
        found += [p] if p else []
        problems += [f"{_name(w)}: {p}" for p in found]
    return problems
