"""Start-up: commands that are plain arithmetic or text never load torch; the window paints before it does."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cli_process import ROOT, _env

#: What runs in the child: the command, then which heavy modules it left loaded.
PROBE = """
import contextlib, io, json, sys
from gui.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        rc = main(sys.argv[1:])
    except SystemExit as exc:
        rc = exc.code
print(json.dumps({"rc": rc, "torch": "torch" in sys.modules, "qt": "PySide6.QtWidgets" in sys.modules,
                  "printed": len(out.getvalue())}))
"""


def _probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=_env())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [
    ("--help",),
    ("conv", "--help"),
    ("conv", "size", "32", "-f", "5", "-p", "same", "-s", "2", "--pool", "max"),
    ("--shape-order", "hwc", "conv", "size", "6", "-f", "3", "--json"),
    ("course", "list"),
    ("course", "list", "--json"),
    ("course", "show", "padding"),
    ("course", "exercise", "padding"),
    ("course", "exercise", "stride", "--json"),
    ("course", "exercise", "one-layer"),
    ("course", "glossary"),
])
def test_light_commands_never_import_torch(args):
    result = _probe(*args)
    assert result["rc"] == 0
    assert result["printed"] > 0  # the command did its work
    assert not result["torch"], f"convstudio {' '.join(args)} imported torch"
    assert not result["qt"], f"convstudio {' '.join(args)} imported Qt widgets"


def test_a_command_that_computes_still_loads_torch():
    """The probe can fail: a command that runs a real convolution has torch loaded afterwards."""
    result = _probe("course", "exercise", "edge-detection")
    assert result["rc"] == 0 and result["torch"]


def test_conv_package_names_resolve_to_the_same_objects():
    """``engine.conv`` loads its submodules on first use; every name it lists resolves, ``trace`` to the function."""
    import engine.conv as conv
    from engine.conv import pool, trace as trace_function
    from engine.conv.trace import trace as trace_in_module

    assert trace_function is trace_in_module and callable(conv.trace)
    assert conv.PoolSpec is pool.PoolSpec and conv.check_pool is pool.check_pool
    for name in conv.__all__:
        assert getattr(conv, name) is not None, name
    with pytest.raises(AttributeError):
        conv.no_such_name  # noqa: B018


def test_a_name_deleted_from_the_conv_package_stays_deleted_until_set_again():
    import engine.conv as conv

    shift_demo = conv.shift_demo
    del conv.shift_demo
    try:
        assert not hasattr(conv, "shift_demo")
    finally:
        conv.shift_demo = shift_demo
    assert conv.shift_demo is shift_demo


#: The window in a child process: what it shows at the first frame, and once torch has loaded.
WINDOW_PROBE = """
import json, sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QLabel
from gui.app import ensure_app
from gui.window import MainWindow

app = ensure_app()
settings = QSettings(sys.argv[1], QSettings.Format.IniFormat)
window = MainWindow(settings=settings)
seen = {}

def painted():
    seen["torch_at_paint"] = "torch" in sys.modules
    seen["plots_at_paint"] = "pyqtgraph" in sys.modules
    seen["device_at_paint"] = window.device_label.text()
    seen["menu_at_paint"] = [a.text() for a in window.device_menu.actions()]
    seen["welcome_at_paint"] = window.panels["welcome"].device_text.text()
    window.switch_to("course")  # the course needs no torch: built at once
    seen["course_panel"] = type(window.current_panel()).__name__
    seen["torch_after_course"] = "torch" in sys.modules
    window.switch_to("convolution")  # a panel that needs torch, asked for while it loads
    page = window.stack.currentWidget()
    seen["waiting_page"] = page.text() if isinstance(page, QLabel) else type(page).__name__
    seen["panel_while_waiting"] = type(window.current_panel()).__name__

def loaded():
    seen["panel_after"] = type(window.current_panel()).__name__
    seen["device_after"] = window.device_label.text()
    seen["menu_after"] = [a.text() for a in window.device_menu.actions()]
    seen["welcome_after"] = window.panels["welcome"].device_text.text()
    app.quit()

window.firstPainted.connect(painted)
window.torchLoaded.connect(loaded)
window.show()
QTimer.singleShot(int(sys.argv[2]) * 1000, app.quit)
app.exec()
print(json.dumps(seen))
"""


def test_window_paints_before_torch_and_builds_torch_panels_once_it_has_loaded(tmp_path):
    done = subprocess.run([sys.executable, "-c", WINDOW_PROBE, str(tmp_path / "settings.ini"), "280"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=_env())
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["torch_at_paint"] is False
    assert seen["plots_at_paint"] is False
    assert "loading" in seen["device_at_paint"].lower()
    assert seen["menu_at_paint"] == ["Loading PyTorch…"]
    assert "loading" in seen["welcome_at_paint"].lower()
    assert seen["course_panel"] == "CoursePanel" and seen["torch_after_course"] is False
    assert "waiting for PyTorch" in seen["waiting_page"] and seen["panel_while_waiting"] == "NoneType"
    assert "panel_after" in seen, f"torch did not load in time: {seen} {done.stderr[-2000:]}"
    assert seen["panel_after"] == "ConvolutionPanel"
    assert seen["device_after"].startswith(("CPU", "CUDA", "Apple"))
    assert seen["menu_after"][:2] == ["auto", "cpu"]
    assert seen["device_after"] in seen["welcome_after"]


def test_quit_after_first_paint_reports_the_time_and_exits_cleanly(tmp_path):
    env = {**_env(), "CONVSTUDIO_QUIT_AFTER": "paint"}
    done = subprocess.run([sys.executable, "-m", "gui.main"], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stdout.splitlines() if x.startswith("convstudio: first paint")]
    assert line, done.stdout
    seconds = float(line[0].split()[3])
    assert 0 < seconds < 120


def test_sidebar_registry_matches_the_panel_classes():
    """The sidebar is drawn from the registry before any panel module loads; it must say what the classes say."""
    from gui.panels import PANELS, load_panel_classes, panel_entries

    entries = panel_entries()
    assert entries == list(PANELS) and len({e.spec for e in entries}) == len(entries)
    for entry, cls in zip(entries, load_panel_classes(strict=True)):
        assert (entry.panel_id, entry.title, entry.summary, entry.accepts_images) == (
            cls.panel_id, cls.title, cls.summary, cls.accepts_images), entry.spec
    light = {e.panel_id for e in entries if not e.needs_torch}
    assert light == {"welcome", "course"}


OPEN_PROBE = """
import json, sys
from PySide6.QtCore import QSettings, QTimer
from gui.app import ensure_app
from gui.open_example import open_window

app = ensure_app()
window = open_window("edge-6x6", settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
seen = {}

def painted():
    page = window.stack.currentWidget()
    seen["shown"] = type(page.widget() if hasattr(page, "widget") else page).__name__
    seen["current"] = type(window.current_panel()).__name__
    QTimer.singleShot(0, lambda: (seen.update(device=window.device_label.text()), app.quit()))

window.firstPainted.connect(painted)
QTimer.singleShot(240000, app.quit)
app.exec()
print(json.dumps(seen))
"""


def test_convstudio_open_shows_the_examples_panel_in_its_first_frame(tmp_path):
    """A worked example's panel is built at once, torch or not: its first frame is the panel, not a waiting page."""
    done = subprocess.run([sys.executable, "-c", OPEN_PROBE, str(tmp_path / "settings.ini")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=_env())
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["shown"] == seen["current"] == "ConvolutionPanel"
    assert seen["device"].startswith(("CPU", "CUDA", "Apple"))  # torch came with the panel: the window says so


BROKEN_TORCH_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[2])  # a torch that fails to import
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QLabel
from gui.app import ensure_app
from gui.window import MainWindow

app = ensure_app()
window = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
window._quiet_dialogs = True
seen = {}

def failed(error):
    window.switch_to("detection")
    page = window.stack.currentWidget()
    seen.update(error=error, device=window.device_label.text(), status=window.statusBar().currentMessage(),
                menu=[a.text() for a in window.device_menu.actions()],
                page=page.text() if isinstance(page, QLabel) else type(page).__name__)
    window.switch_to("course")
    seen["course"] = type(window.current_panel()).__name__
    app.quit()

window.torch.failed.connect(failed)
window.show()
QTimer.singleShot(120000, app.quit)
app.exec()
print(json.dumps(seen))
"""


def test_a_torch_that_fails_to_load_is_said_and_the_course_still_opens(tmp_path):
    broken = tmp_path / "broken"
    (broken / "torch").mkdir(parents=True)
    (broken / "torch" / "__init__.py").write_text("raise ImportError('libtorch_cpu.so: cannot open shared object file')\n")
    done = subprocess.run([sys.executable, "-c", BROKEN_TORCH_PROBE, str(tmp_path / "settings.ini"), str(broken)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=_env())
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["error"] == "ImportError: libtorch_cpu.so: cannot open shared object file"
    assert seen["device"] == "PyTorch not loaded" and seen["menu"] == ["PyTorch not loaded"]
    assert seen["status"].startswith("PyTorch could not be loaded: ImportError: libtorch_cpu.so")
    assert seen["page"] == "Detection needs PyTorch, which could not be loaded: " + seen["error"]
    assert seen["course"] == "CoursePanel"
