"""Translations: the catalogue tooling, the engine's language state, and live switching in the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QSpinBox

from engine import i18n
from engine.i18n import catalog
from gui.panels import load_panel_classes
from gui.window import MainWindow


def test_compiled_catalogue_matches_its_sources():
    """The shipped .mo is exactly what the .po files compile to (it cannot drift)."""
    assert catalog.mo_path("zh_CN").read_bytes() == catalog.compile_mo("zh_CN")
    assert catalog.compile_mo("zh_CN") == catalog.compile_mo("zh_CN")  # deterministic


def test_catalogue_is_complete_and_sound():
    """Every text of the engine and the GUI has a Chinese translation; no translation drops or renames a
    {field}, no text has two translations, no _() of an f-string, and the .mo is up to date."""
    problems = catalog.check("zh_CN")
    assert not problems, "\n".join(map(str, problems))


def test_fields_problem_is_detected(tmp_path, monkeypatch):
    po = tmp_path / "zh_CN" / "x.po"
    po.parent.mkdir()
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Stride {s}"\nmsgstr "步长 {t}"\n', "utf-8")
    monkeypatch.setattr(catalog, "catalogue_dir", lambda: tmp_path)
    merged, _problems = catalog.load_translations("zh_CN")
    assert merged == {"Stride {s}": "步长 {t}"}
    assert catalog._fields("Stride {s}") != catalog._fields(merged["Stride {s}"])


@pytest.mark.parametrize("name, code", [("zh_CN.UTF-8", "zh_CN"), ("zh-Hans", "zh_CN"), ("zh", "zh_CN"),
                                         ("zh_TW.UTF-8", "en"), ("en_GB.UTF-8", "en"), ("", "en"), ("C", "en")])
def test_locale_names_map_to_shipped_languages(name, code):
    assert i18n.normalize_language(name) == code


def test_system_language_follows_the_environment(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.system_language() == "zh_CN"
    monkeypatch.setenv("LANGUAGE", "en_US:zh_CN")
    assert i18n.system_language() == "en"


def test_engine_texts_follow_the_language():
    assert i18n._("Cancel") == "Cancel"
    i18n.set_language("zh_CN")
    assert i18n._("Cancel") == "取消"
    assert i18n._("Compute device: {device}").format(device="cpu") == "计算设备：cpu"
    assert i18n.source_text("取消", "zh_CN") == "Cancel"
    assert i18n.translate_to("Cancel", "en") == "Cancel"
    i18n.set_language("en")
    assert i18n._("Cancel") == "Cancel"


def test_listeners_hear_changes():
    heard = []
    i18n.add_listener(heard.append)
    try:
        i18n.set_language("zh_CN")
        i18n.set_language("zh_CN")  # no change, no call
        i18n.set_language("en")
    finally:
        i18n.remove_listener(heard.append)
    assert heard == ["zh_CN", "en"]


@pytest.fixture
def window(make_window):
    return make_window(faces_db=False, size=None, show=False)


def _sidebar_texts(win):
    return [win.sidebar.item(i).text() for i in range(win.sidebar.count())]


def test_live_switch_translates_window_and_keeps_panel_state(window):
    window.switch_to("convolution")
    panel = window.panel("convolution")
    spins = [s for s in panel.findChildren(QSpinBox) if s.isEnabled() and s.maximum() > s.minimum()]
    assert spins
    spin = spins[0]
    target = spin.maximum() if spin.value() != spin.maximum() else spin.minimum()
    spin.setValue(target)
    assert "Convolution" in _sidebar_texts(window)

    window.set_language("zh_CN")
    assert "卷积" in _sidebar_texts(window) and "Convolution" not in _sidebar_texts(window)
    menus = [a.text() for a in window.menuBar().actions()]
    assert "文件(&F)" in menus and "&File" not in menus
    assert window.cancel_button.text() == "取消"
    assert spin.value() == target  # nothing the user set is lost
    assert window.settings.value("language") == "zh_CN"
    # Qt's own strings follow (standard buttons and dialogs).
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") != "Cancel"

    window.set_language("en")
    assert "Convolution" in _sidebar_texts(window)
    assert not any("\u4e00" <= ch <= "\u9fff" for t in _sidebar_texts(window) for ch in t)
    assert [a.text() for a in window.menuBar().actions()][0] == "&File"
    assert spin.value() == target


def test_language_choice_persists(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    first = MainWindow(panel_classes=load_panel_classes(strict=True)[:2], settings=settings)
    qtbot.addWidget(first)
    first.set_language("zh_CN")
    first.close()
    i18n.set_language("en")
    second = MainWindow(panel_classes=load_panel_classes(strict=True)[:2], settings=settings)
    qtbot.addWidget(second)
    assert i18n.language() == "zh_CN"
    assert _sidebar_texts(second)[0] == "欢迎"
    second.close()


def test_first_start_follows_the_system_locale(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    classes = [c for c in load_panel_classes(strict=True) if c.panel_id in ("welcome", "convolution")]
    win = MainWindow(panel_classes=classes, settings=settings)
    qtbot.addWidget(win)
    assert _sidebar_texts(win)[1] == "卷积"
    win.close()


def test_missing_chinese_font_is_said_once_in_english(window, monkeypatch):
    import gui.window as window_module

    monkeypatch.setattr(window_module, "chinese_font_family", lambda: None)
    window._font_warned = False
    window.set_language("zh_CN")
    assert window._font_warned
    assert "fonts-noto-cjk" in window.statusBar().currentMessage()
    assert window.warn_missing_chinese_font() is False  # once only


def test_composed_texts_rerender_on_a_switch_until_replaced(qtbot):
    from PySide6.QtWidgets import QLabel

    from engine.i18n import N_
    from gui.i18n import retranslate_tree, set_text, set_tooltip

    label = QLabel()
    qtbot.addWidget(label)
    set_text(label, N_("Compute device: {device}"), "<i>{text}</i>", device="cpu")
    set_tooltip(label, N_("{job} failed"), job="X")
    assert label.text() == "<i>Compute device: cpu</i>"
    i18n.set_language("zh_CN")
    retranslate_tree(label, "en", "zh_CN")
    assert label.text() == "<i>计算设备：cpu</i>" and label.toolTip() == "X 失败"
    label.setText("Cancel")  # a plain text set later wins over the remembered one
    i18n.set_language("en")
    retranslate_tree(label, "zh_CN", "en")
    assert label.text() == "Cancel" and label.toolTip() == "X failed"


def test_key_terms_show_the_other_language_on_hover(qtbot):
    from PySide6.QtWidgets import QLabel

    from gui.i18n import mark_term, retranslate_tree

    label = QLabel("Stride")
    qtbot.addWidget(label)
    mark_term(label, "max pooling")
    assert "最大池化" in label.toolTip()
    i18n.set_language("zh_CN")
    retranslate_tree(label, "en", "zh_CN")
    assert label.toolTip() == "英文：max pooling"


def _shadowed_translations(root):
    """(file, line, function) where a function binds ``_`` locally and also calls ``_()``."""
    import ast

    hits = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            args = fn.args
            binds = any(a.arg == "_" for a in args.args + args.kwonlyargs + args.posonlyargs)
            calls = False
            in_comprehension = {id(n) for comp in ast.walk(fn) if isinstance(comp, ast.comprehension) for n in ast.walk(comp.target)}
            for node in ast.walk(fn):
                if id(node) in in_comprehension:  # a comprehension's variable lives in its own scope
                    continue
                if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                    binds = True
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
                    calls = True
            if binds and calls:
                hits.append(f"{path}:{fn.lineno} {getattr(fn, 'name', 'lambda')}")
    return hits


def test_no_function_shadows_the_translation_function():
    """``x, _ = …`` in a function that also calls ``_()`` raises UnboundLocalError at run time."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    hits = _shadowed_translations(root / "engine") + _shadowed_translations(root / "gui")
    assert not hits, "\n".join(hits)


def test_shape_notation_setting_is_app_wide_and_persists(window):
    from engine import shapes

    assert shapes.display_order() == "hwc"  # the course's order by default
    assert shapes.format_shape((96, 55, 55)) == "55×55×96 (H×W×C)"
    seen = []
    window.panel("convolution").retranslate = lambda: seen.append(shapes.display_order())
    window.set_shape_order("chw")
    assert shapes.format_shape((96, 55, 55)) == "96×55×55 (C×H×W)"
    assert seen == ["chw"] and window.settings.value("shape_order") == "chw"
    window.set_language("zh_CN")
    titles = [a.text() for a in window._shape_actions.values()]
    assert titles == ["H×W×C（课程）", "C×H×W（PyTorch）"]
    window.set_shape_order("hwc")
