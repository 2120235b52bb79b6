"""Test set-up: isolated data folders, one torch thread, offscreen Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def convstudio_home(tmp_path, monkeypatch):
    """Every test gets its own data/config/log folders."""
    home = tmp_path / "convstudio-home"
    monkeypatch.setenv("CONVSTUDIO_HOME", str(home))
    return home


@pytest.fixture(scope="session", autouse=True)
def _torch_threads():
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch):
    """Tests start in English whatever the machine's locale; a test that switches language is undone."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    from engine import i18n, shapes

    i18n.set_language("en")
    yield
    i18n.set_language("en")
    shapes.set_display_order(shapes.DEFAULT_ORDER)


@pytest.fixture
def window(qtbot, tmp_path):
    """The whole main window (every registered panel) at 1280×800, with its own settings and face database.

    Test modules that need a different window define their own ``window`` fixture, which takes precedence.
    Language and shape notation are reset after each test by ``_english_by_default``.
    """
    from PySide6.QtCore import QSettings

    from gui.panels import load_panel_classes
    from gui.window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("faces/db", str(tmp_path / "faces.db"))
    win = MainWindow(panel_classes=load_panel_classes(strict=True), settings=settings)
    win._quiet_dialogs = True
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    win.close()
