"""The installed package (not only this checkout) carries the translations: build the wheel, install it
into a fresh virtual environment, and start the window in Chinese offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_PROBE = r"""
import os, sys, tempfile
os.environ["CONVSTUDIO_HOME"] = tempfile.mkdtemp()
import engine, gui
from PySide6.QtCore import QSettings
from gui.app import ensure_app
from gui.panels import load_panel_classes
from gui.window import MainWindow
app = ensure_app()
s = QSettings(os.path.join(os.environ["CONVSTUDIO_HOME"], "s.ini"), QSettings.Format.IniFormat)
s.setValue("language", "zh_CN")
w = MainWindow(panel_classes=load_panel_classes(strict=True)[:3], settings=s)
print("ENGINE", engine.__file__)
print("SIDEBAR", "|".join(w.sidebar.item(i).text() for i in range(w.sidebar.count())))
print("MENU", w.menuBar().actions()[0].text())
"""


@pytest.mark.slow
def test_wheel_installs_catalogues_and_starts_in_chinese(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(ROOT), "-w", str(wheels)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(wheels.glob("convstudio-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    run = subprocess.run([str(py), "-c", _PROBE], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in run.stdout.splitlines() if " " in line)
    assert str(env_dir) in lines["ENGINE"], "the probe must use the installed wheel, not the checkout"
    assert lines["SIDEBAR"].split("|")[:3] == ["欢迎", "课程", "卷积"]
    assert lines["MENU"] == "文件(&F)"
