"""The installed package (not only this checkout) carries the translations: build the wheel, install it
into a fresh virtual environment (tests/wheel_env.py), and start the window in Chinese offscreen."""

from __future__ import annotations

import os
import subprocess

import pytest

from wheel_env import installed  # noqa: F401  (a fixture)


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
def test_wheel_installs_catalogues_and_starts_in_chinese(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    run = subprocess.run([str(installed.python), "-c", _PROBE], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in run.stdout.splitlines() if " " in line)
    assert str(installed.env_dir) in lines["ENGINE"], "the probe must use the installed wheel, not the checkout"
    assert lines["SIDEBAR"].split("|")[:3] == ["欢迎", "课程", "示例"]
    assert lines["MENU"] == "文件(&F)"
