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
def make_window(qtbot, tmp_path):
    """Builds main windows; every one is closed when the test ends.

    ``make_window(panel_classes=None, *, settings="own", faces_db=True, size=(1280, 800), show=True)``:
    ``panel_classes`` defaults to every registered panel; ``settings="own"`` gives the window its own
    settings file in ``tmp_path`` (with ``faces_db``, pointing the Faces panel at ``tmp_path/faces.db``),
    ``None`` leaves the app's default settings (in the test's own ``CONVSTUDIO_HOME``) or pass a
    ``QSettings``; ``size`` None keeps Qt's size; ``show`` False leaves it hidden.
    """
    from PySide6.QtCore import QSettings

    from gui.panels import load_panel_classes
    from gui.window import MainWindow

    made = []

    def make(panel_classes=None, *, settings="own", faces_db=True, size=(1280, 800), show=True):
        if settings == "own":
            settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
            if faces_db:
                settings.setValue("faces/db", str(tmp_path / "faces.db"))
        options = {"settings": settings} if settings is not None else {}
        win = MainWindow(panel_classes=panel_classes if panel_classes is not None else load_panel_classes(strict=True), **options)
        win._quiet_dialogs = True
        qtbot.addWidget(win)
        if size is not None:
            win.resize(*size)
        if show:
            win.show()
        made.append(win)
        return win

    yield make
    for win in made:
        win.close()


@pytest.fixture
def window(make_window):
    """The whole main window (every registered panel) at 1280×800, with its own settings and face database.

    Built by :func:`make_window` (use it for another size, panel list or settings). Language and shape
    notation are reset after each test by ``_english_by_default``.
    """
    return make_window()


@pytest.fixture
def make_panel(qtbot, tmp_path):
    """One panel on its own (no main window), with its own job runner; cleaned up when the test ends.

    ``make_panel(PanelClass, size=(1100, 750), *, settings="own", collect_errors=False, shutdown=True,
    wait_exposed=False)``: ``settings="own"`` is a settings file in ``tmp_path``, ``"app"`` the app's
    (in the test's own ``CONVSTUDIO_HOME``); with ``collect_errors`` the error dialogs are kept in
    ``panel.errors`` as (title, text). At the end: ``panel.shutdown()`` (unless ``shutdown=False``),
    then up to 5 s for its jobs.
    """
    from PySide6.QtCore import QSettings

    from gui.context import AppContext, make_settings
    from gui.jobs import JobRunner

    made = []

    def make(panel_class, size=(1100, 750), *, settings="own", collect_errors=False, shutdown=True, wait_exposed=False):
        qsettings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat) if settings == "own" else make_settings()
        runner = JobRunner()
        errors: list[tuple[str, str]] = []
        if collect_errors:
            ctx = AppContext(runner, qsettings, show_error=lambda title, text, details="": errors.append((title, text)))
        else:
            ctx = AppContext(jobs=runner, settings=qsettings)
        panel = panel_class(ctx)
        if collect_errors:
            panel.errors = errors
        qtbot.addWidget(panel)
        panel.resize(*size)
        panel.show()
        if wait_exposed:
            qtbot.waitExposed(panel)
        made.append((panel, runner, shutdown))
        return panel

    yield make
    for panel, runner, shutdown in made:
        if shutdown:
            panel.shutdown()
        runner.wait_all(5000)


@pytest.fixture
def image_file(tmp_path):
    """Writes a test image and returns its path: the one place for the pictures tests make.

    ``image_file(name="photo.png", rgb=None, *, value=100, size=(32, 32), sample=None)``: ``rgb`` an
    (H, W, 3) uint8 array, else ``sample`` a bundled sample photo's name (``"astronaut"``, ``"coffee"``…),
    else a flat grey image of ``size`` (H, W) at ``value``. ``name`` may hold folders below ``tmp_path``.
    """
    import numpy as np

    from engine.io import save_image

    def write(name="photo.png", rgb=None, *, value=100, size=(32, 32), sample=None):
        if rgb is None and sample is not None:
            from engine.samples import sample_image

            rgb = sample_image(sample)
        if rgb is None:
            rgb = np.full((*size, 3), value, np.uint8)
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return save_image(path, rgb)

    return write
