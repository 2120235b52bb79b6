"""The GUI's side of translations: Qt's own strings, live switching, CJK fonts, term hints.

Texts come from :mod:`engine.i18n` (one gettext catalogue for the engine and the GUI). Switching
language live works in two passes, so no panel is rebuilt and nothing the user did is lost:

1. :func:`retranslate_tree` walks every widget, action and pyqtgraph label; any text that is a
   catalogue text in the old language is replaced by the same text in the new one.
2. Each open panel's :meth:`~gui.panel.Panel.retranslate` re-renders the texts it composes itself
   (numbers inside sentences, HTML pages).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Callable

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QAbstractSpinBox,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QTreeWidget,
    QWidget,
)

from engine import i18n
from engine.i18n import LANGUAGES, _

__all__ = [
    "LANGUAGES",
    "apply_language",
    "retranslate_tree",
    "swap_text",
    "chinese_font_family",
    "CJK_FONT_HINT",
    "mark_term",
    "term_hint",
    "set_text",
    "set_tooltip",
    "keep_items_whole",
]

log = logging.getLogger(__name__)

#: Said once, in English on purpose (a reader without a CJK font cannot read the Chinese).
CJK_FONT_HINT = (
    "No Chinese font was found, so Chinese text may show as boxes. Install one, for example "
    "'sudo apt-get install fonts-noto-cjk' (Debian/Ubuntu) or 'fonts-wqy-microhei', then restart ConvStudio."
)

_qt_translators: list[QTranslator] = []
_TERM_PROPERTY = "convstudio_term"
_COMPOSED_PROPERTY = "convstudio_composed"
#: widget key → {setter: (msgid, fields, markup, text last shown)}
_composed: dict[int, dict[str, tuple[str, dict, str, str]]] = {}
_next_composed = [0]
_GETTERS = {"setText": "text", "setToolTip": "toolTip"}


def _render(msgid: str, fields: dict, markup: str) -> str:
    text = _(msgid).format(**fields) if fields else _(msgid)
    return markup.format(text=text) if markup else text


def _remember(widget: QWidget, setter: str, msgid: str, fields: dict, markup: str) -> str:
    text = _render(msgid, fields, markup)
    key = widget.property(_COMPOSED_PROPERTY)
    if not isinstance(key, int):
        _next_composed[0] += 1
        key = _next_composed[0]
        widget.setProperty(_COMPOSED_PROPERTY, key)
        widget.destroyed.connect(lambda _obj=None, k=key: _composed.pop(k, None))
    _composed.setdefault(key, {})[setter] = (msgid, fields, markup, text)
    return text


def set_text(widget: QWidget, msgid: str, markup: str = "", /, **fields) -> None:
    """``widget.setText(_(msgid).format(**fields))``, re-rendered on every language switch.

    ``msgid`` is an English source text marked with ``N_``; ``markup`` (optional) wraps the result,
    e.g. ``"<span style='color:#b03020'>{text}</span>"``. Field values are shown as given. A later
    plain ``setText`` wins: the remembered text is only re-rendered while it is still the one shown.
    """
    widget.setText(_remember(widget, "setText", msgid, fields, markup))


def set_tooltip(widget: QWidget, msgid: str, markup: str = "", /, **fields) -> None:
    """Like :func:`set_text`, for the tooltip."""
    widget.setToolTip(_remember(widget, "setToolTip", msgid, fields, markup))


def _rerender_composed(w: QWidget) -> set[str]:
    """Re-render the texts set with :func:`set_text`/:func:`set_tooltip`; the setters handled."""
    key = w.property(_COMPOSED_PROPERTY)
    entries = _composed.get(key) if isinstance(key, int) else None
    done: set[str] = set()
    for setter, (msgid, fields, markup, shown) in list((entries or {}).items()):
        if getattr(w, _GETTERS[setter])() != shown:  # replaced by a plain setText since
            del entries[setter]
            continue
        text = _render(msgid, fields, markup)
        getattr(w, setter)(text)
        entries[setter] = (msgid, fields, markup, text)
        done.add(setter)
    return done


_WRAPPED = re.compile(r"^((?:<[^<>]+>)+)([^<>]+)((?:</[^<>]+>)+)$")


def swap_text(text: str, old: str, new: str) -> str:
    """``text`` shown in language ``old``, shown in ``new`` instead (unchanged if it is not a catalogue text).

    A catalogue text wrapped in markup (``<b>Layer</b>``) is swapped inside its tags.
    """
    if not text:
        return text
    source = i18n.source_text(text, old)
    if source is not None:
        return i18n.translate_to(source, new)
    wrapped = _WRAPPED.match(text)
    if wrapped:
        inner = i18n.source_text(wrapped.group(2), old)
        if inner is not None:
            return wrapped.group(1) + i18n.translate_to(inner, new) + wrapped.group(3)
    return text


def _install_qt_translators(code: str) -> None:
    """Qt's own strings (standard dialogs, context menus) in ``code``."""
    app = QCoreApplication.instance()
    if app is None:
        return
    for tr in _qt_translators:
        app.removeTranslator(tr)
    _qt_translators.clear()
    if code == i18n.DEFAULT_LANGUAGE:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return
    QLocale.setDefault(QLocale(code))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase", "qt"):
        tr = QTranslator(app)
        if tr.load(f"{name}_{code}", folder):
            app.installTranslator(tr)
            _qt_translators.append(tr)
            break  # qt_xx is a meta catalogue that loads qtbase; one is enough


def _swap_property(obj, getter: str, setter: str, old: str, new: str) -> None:
    value = getattr(obj, getter)()
    if isinstance(value, str) and value:
        swapped = swap_text(value, old, new)
        if swapped != value:
            getattr(obj, setter)(swapped)


def _retranslate_widget(w: QWidget, old: str, new: str) -> None:
    composed = _rerender_composed(w)
    if "setToolTip" not in composed:
        _swap_property(w, "toolTip", "setToolTip", old, new)
    _swap_property(w, "statusTip", "setStatusTip", old, new)
    _swap_property(w, "whatsThis", "setWhatsThis", old, new)
    if w.isWindow():
        _swap_property(w, "windowTitle", "setWindowTitle", old, new)
    if isinstance(w, (QLabel, QAbstractButton)) and "setText" not in composed:
        _swap_property(w, "text", "setText", old, new)
    if isinstance(w, QLineEdit):
        _swap_property(w, "placeholderText", "setPlaceholderText", old, new)
    if isinstance(w, QTextEdit):
        _swap_property(w, "placeholderText", "setPlaceholderText", old, new)
    if isinstance(w, QGroupBox):
        _swap_property(w, "title", "setTitle", old, new)
    if isinstance(w, QAbstractSpinBox):
        for getter, setter in (("prefix", "setPrefix"), ("suffix", "setSuffix"), ("specialValueText", "setSpecialValueText")):
            if hasattr(w, getter):
                _swap_property(w, getter, setter, old, new)
    if isinstance(w, QTabWidget):
        for i in range(w.count()):
            w.setTabText(i, swap_text(w.tabText(i), old, new))
            w.setTabToolTip(i, swap_text(w.tabToolTip(i), old, new))
    if isinstance(w, QComboBox):
        for i in range(w.count()):
            w.setItemText(i, swap_text(w.itemText(i), old, new))
            tip = w.itemData(i, role=3)  # Qt.ToolTipRole
            if isinstance(tip, str) and tip:
                w.setItemData(i, swap_text(tip, old, new), 3)
    if isinstance(w, QListWidget):
        for i in range(w.count()):
            item = w.item(i)
            item.setText(swap_text(item.text(), old, new))
            item.setToolTip(swap_text(item.toolTip(), old, new))
    if isinstance(w, QTableWidget):
        for getter in (w.horizontalHeaderItem, w.verticalHeaderItem):
            count = w.columnCount() if getter == w.horizontalHeaderItem else w.rowCount()
            for i in range(count):
                item = getter(i)
                if item is not None:
                    item.setText(swap_text(item.text(), old, new))
                    item.setToolTip(swap_text(item.toolTip(), old, new))
    if isinstance(w, QTreeWidget):
        header = w.headerItem()
        for c in range(w.columnCount()):
            header.setText(c, swap_text(header.text(c), old, new))
    term = w.property(_TERM_PROPERTY)
    if isinstance(term, str) and term:
        w.setToolTip(term_hint(term, w.property(_TERM_PROPERTY + "_tip") or ""))


def _retranslate_plots(w: QWidget, old: str, new: str) -> None:
    """Titles, axis labels, legends and text items of pyqtgraph views inside ``w``."""
    pg = sys.modules.get("pyqtgraph")
    if pg is None or not hasattr(pg, "GraphicsView"):  # not loaded: no plots to retranslate
        return
    if not isinstance(w, pg.GraphicsView):
        return
    scene = w.scene()
    if scene is None:
        return
    for item in scene.items():
        if isinstance(item, pg.AxisItem):
            text = item.labelText
            if text:
                swapped = swap_text(text, old, new)
                if swapped != text:
                    item.setLabel(text=swapped, units=item.labelUnits or None, **item.labelStyle)
        elif isinstance(item, pg.LabelItem):
            text = item.text
            if text:
                swapped = swap_text(text, old, new)
                if swapped != text:
                    item.setText(swapped, **item.opts)
        elif isinstance(item, pg.TextItem):
            text = item.toPlainText()
            swapped = swap_text(text, old, new)
            if swapped != text:
                item.setText(swapped)


def retranslate_tree(root: QWidget, old: str, new: str) -> None:
    """Re-translate every catalogue text shown inside ``root`` (widgets, actions, plots)."""
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        try:
            _retranslate_widget(w, old, new)
            _retranslate_plots(w, old, new)
        except RuntimeError:  # a widget deleted meanwhile
            continue
    for act in root.findChildren(QAction):
        _swap_property(act, "text", "setText", old, new)
        _swap_property(act, "toolTip", "setToolTip", old, new)
        _swap_property(act, "statusTip", "setStatusTip", old, new)


def apply_language(code: str, roots: list[QWidget] = (), after: Callable[[str], None] | None = None) -> str:
    """Switch the whole app to ``code`` (engine messages, Qt's strings, the texts on screen).

    Returns the shipped language chosen. ``after(code)`` runs once the widgets are re-translated
    (the window uses it to let each panel re-render its own composed texts).
    """
    old = i18n.language()
    chosen = i18n.set_language(code)
    _install_qt_translators(chosen)
    if chosen != old:
        for root in roots:
            retranslate_tree(root, old, chosen)
    if after is not None:
        after(chosen)
    return chosen


def chinese_font_family() -> str | None:
    """A font family that can show Simplified Chinese, or None if the system has none."""
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    return families[0] if families else None


def term_hint(term_en: str, extra: str = "") -> str:
    """Tooltip for a key term: the other language's word (and ``extra``, translated)."""
    from engine.course.glossary import lookup  # imported late: the glossary is course data

    entry = lookup(term_en)
    base = _(extra) if extra else ""
    if entry is None:
        return base
    split = lambda text: [t.strip() for t in text.replace(";", ",").split(",")]  # noqa: E731
    en_forms, zh_forms = split(entry.en), split(entry.zh)
    if term_en.strip() in en_forms and len(en_forms) == len(zh_forms):  # "max pooling" → "最大池化", not the whole row
        k = en_forms.index(term_en.strip())
        entry = type(entry)(en_forms[k], zh_forms[k])
    other = entry.en if i18n.language() != i18n.DEFAULT_LANGUAGE else entry.zh_text
    hint = _("In English: {term}").format(term=other) if i18n.language() != i18n.DEFAULT_LANGUAGE else f"中文：{other}"
    return f"{base}\n{hint}" if base else hint


def mark_term(widget: QWidget, term_en: str, tip: str = "") -> None:
    """Give ``widget`` a tooltip naming glossary term ``term_en`` in the other language; kept on language switches.

    ``tip`` is an English source text shown above the hint (translated when shown).
    """
    widget.setProperty(_TERM_PROPERTY, term_en)
    widget.setProperty(_TERM_PROPERTY + "_tip", tip)
    try:
        widget.setToolTip(term_hint(term_en, tip))
    except ImportError:
        widget.setToolTip(_(tip) if tip else "")


_WORD_JOINER = "\u2060"


def keep_items_whole(text: str, separator: str = " · ") -> str:
    """``text`` with line breaks allowed only at ``separator``: a word joiner (U+2060, invisible)
    between the characters of each item stops Qt from wrapping inside a Chinese word such as 填充."""
    return separator.join(_WORD_JOINER.join(item) for item in text.split(separator))
