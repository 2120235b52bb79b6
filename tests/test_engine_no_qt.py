"""The engine is a GUI-free library: importing any of it must not load Qt."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import engine

ROOT = Path(__file__).resolve().parents[1]


def _engine_modules() -> list[str]:
    names = ["engine"]
    for info in pkgutil.walk_packages(engine.__path__, prefix="engine."):
        names.append(info.name)
    return names


def test_every_engine_module_imports_without_qt():
    modules = _engine_modules()
    assert "engine.weights" in modules and "engine.cli" in modules
    code = (
        "import importlib, sys\n"
        f"mods = {modules!r}\n"
        "for m in mods: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'superqt', 'qtpy'))\n"
        "print('QT:' + ','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    line = [l for l in out.stdout.splitlines() if l.startswith("QT:")][-1]
    assert line == "QT:", f"engine imported Qt modules: {line[3:]}"


def test_gui_imports_engine_not_the_reverse():
    offenders = []
    for path in (ROOT / "engine").rglob("*.py"):
        text = path.read_text("utf-8")
        for needle in ("import gui", "from gui", "PySide6", "shiboken6", "pyqtgraph"):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert not offenders, offenders
