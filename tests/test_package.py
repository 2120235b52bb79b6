"""The package, not only the checkout: the wheel's contents, and the installed app run from outside the checkout.

Desktop-file and AppStream validators and Xvfb are Debian packages (desktop-file-utils, appstream, xvfb);
without them those checks are skipped, except on CI (``CONVSTUDIO_CI=1``, set by ``.ci/run``, which installs them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from wheel_env import ROOT, installed, run_installed  # noqa: F401  (installed: a fixture)

pytestmark = pytest.mark.slow

APP_ID = "io.github.convstudio.ConvStudio"
#: The wheel holds code, catalogues, icons and screenshots; torch and the rest are dependencies.
MAX_WHEEL_BYTES = 5 * 2**20


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CONVSTUDIO_CI"):
            pytest.fail(f"{name} is not installed; .ci/run installs it")
        pytest.skip(f"{name} is not installed")
    return path


def _source_files() -> set[str]:
    """Every file of the two packages in the checkout that the wheel must carry."""
    names = set()
    for package in ("engine", "gui"):
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                names.add(path.relative_to(ROOT).as_posix())
    return names


def test_wheel_carries_code_catalogues_course_icon_and_desktop_data(installed):
    wheel = installed.wheel
    assert wheel.stat().st_size < MAX_WHEEL_BYTES, f"{wheel.name}: {wheel.stat().st_size} bytes"
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = _source_files() - names
    assert not missing, f"in the checkout but not in the wheel: {sorted(missing)}"
    for required in (
        "gui/resources/icon.svg",
        f"gui/packaging/{APP_ID}.desktop",
        f"gui/packaging/{APP_ID}.metainfo.xml",
        "gui/packaging/screenshots/window.png",
        "engine/i18n/zh_CN/LC_MESSAGES/convstudio.mo",
        "engine/i18n/zh_CN/common.po",
        "engine/course/sections.py",
        "engine/course/examples.py",
        "engine/course/exercises.py",
        "engine/course/glossary.py",
    ):
        assert required in names, required
    dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert f"{dist_info}/licenses/LICENSE" in names or f"{dist_info}/LICENSE" in names
    tops = {n.split("/")[0] for n in names if not n.startswith(dist_info)}
    assert tops == {"engine", "gui"}, tops
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "convstudio = gui.main:main" in entry_points


def test_installed_app_runs_from_outside_the_checkout(installed, tmp_path):
    where = subprocess.run([str(installed.python), "-c", "import engine, gui; print(engine.__file__); print(gui.__file__)"],
                           capture_output=True, text=True, timeout=120, cwd=tmp_path,
                           env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert where.returncode == 0, where.stderr
    for line in where.stdout.split():
        assert Path(line).is_relative_to(installed.env_dir), "the installed wheel must be used, not the checkout"
    info = run_installed(installed, "info", "--json", cwd=tmp_path)
    assert info.returncode == 0, info.stderr[-3000:]
    assert json.loads(info.stdout)
    check = run_installed(installed, "course", "check", cwd=tmp_path)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    shots = run_installed(installed, "screenshots", str(tmp_path / "shots"), "--lang", "zh_CN", "--only", "welcome", "course",
                          cwd=tmp_path)
    assert shots.returncode == 0, shots.stdout[-3000:] + shots.stderr[-3000:]
    for panel in ("welcome", "course"):
        assert (tmp_path / "shots" / f"{panel}.png").stat().st_size > 10_000


def test_installed_app_has_its_window_icon(installed, tmp_path):
    probe = ("from gui.app import ensure_app\n"
             "app = ensure_app()\n"
             "icon = app.windowIcon()\n"
             "print(icon.isNull(), icon.pixmap(64, 64).isNull(), app.desktopFileName(), app.applicationName())\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([str(installed.python), "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", APP_ID, "ConvStudio"]


def test_desktop_install_writes_valid_entry_metainfo_and_icons(installed, tmp_path):
    xdg = tmp_path / "xdg"
    done = run_installed(installed, "desktop", "install", cwd=tmp_path, env={"XDG_DATA_HOME": str(xdg)})
    assert done.returncode == 0, done.stderr
    entry = xdg / "applications" / f"{APP_ID}.desktop"
    text = entry.read_text(encoding="utf-8")
    assert f"Exec={installed.script.resolve()}\n" in text
    assert "StartupWMClass=ConvStudio\n" in text and "Categories=Education;\n" in text
    assert (xdg / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    from PySide6.QtGui import QImage

    for size in (64, 128, 256):
        image = QImage(str(xdg / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # drawn, not an empty square
    metainfo = xdg / "metainfo" / f"{APP_ID}.metainfo.xml"
    assert metainfo.is_file()

    validate = subprocess.run([_tool("desktop-file-validate"), str(entry)], capture_output=True, text=True, timeout=60)
    assert validate.returncode == 0 and not validate.stdout.strip(), validate.stdout + validate.stderr
    appstream = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(metainfo)],
                               capture_output=True, text=True, timeout=120)
    assert appstream.returncode == 0, appstream.stdout + appstream.stderr

    gone = run_installed(installed, "desktop", "uninstall", cwd=tmp_path, env={"XDG_DATA_HOME": str(xdg)})
    assert gone.returncode == 0, gone.stderr
    assert not entry.exists() and not metainfo.exists()
    assert not list((xdg / "icons").rglob(f"{APP_ID}.*"))


def test_installed_app_opens_its_real_window_under_xvfb(installed, tmp_path):
    xvfb = _tool("xvfb-run")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update({"CONVSTUDIO_QUIT_AFTER": "ready", "OMP_NUM_THREADS": "1", "CONVSTUDIO_HOME": str(tmp_path / "home")})
    done = subprocess.run([xvfb, "-a", "-s", "-screen 0 1280x800x24", str(installed.script)], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "convstudio: ready" in done.stdout, done.stdout + done.stderr[-3000:]
