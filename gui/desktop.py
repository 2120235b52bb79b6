"""``convstudio desktop install|uninstall``: ConvStudio in the desktop's application menu.

Writes the desktop entry (with the absolute path of this installation's ``convstudio``), the
AppStream metainfo and the icon (SVG, plus 64, 128 and 256 px PNGs drawn from it with Qt) into the
user's XDG data folder (``$XDG_DATA_HOME``, default ``~/.local/share``). No Qt import until icons
are drawn.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from engine.i18n import _

__all__ = ["APP_ID", "ICON_SIZES", "data_home", "install", "launcher", "packaging_dir", "register", "uninstall"]

APP_ID = "io.github.convstudio.ConvStudio"
#: Raster icon sizes written next to the SVG (menus and docks that do not draw SVG use them).
ICON_SIZES = (64, 128, 256)


def packaging_dir() -> Path:
    """The desktop entry, the AppStream metainfo and the screenshots, inside the installed package."""
    return Path(__file__).resolve().parent / "packaging"


def data_home(env: dict[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME`` when it is an absolute path (the XDG rule), else ``~/.local/share``."""
    env = os.environ if env is None else env
    value = env.get("XDG_DATA_HOME", "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def launcher() -> str:
    """The ``Exec=`` command: this installation's ``convstudio`` script by absolute path.

    Looked for where it was started from, next to the interpreter, in the scripts folders of this
    Python, then on PATH; the interpreter with ``-m gui.main`` when there is none (a source checkout).
    """
    candidates = [Path(sys.argv[0]) if sys.argv and Path(sys.argv[0]).name.startswith("convstudio") else None,
                  Path(sys.executable).parent / "convstudio"]
    for scheme in (None, f"{os.name}_user"):
        try:
            candidates.append(Path(sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")) / "convstudio")
        except KeyError:
            pass
    found = shutil.which("convstudio")
    candidates.append(Path(found) if found else None)
    for path in candidates:
        if path is not None and path.is_file() and os.access(path, os.X_OK):
            return _quote(str(path.resolve()))
    return f"{_quote(str(Path(sys.executable).resolve()))} -m gui.main"


def _quote(path: str) -> str:
    """A path as a desktop-entry Exec argument (quoted when it has characters that need it)."""
    if all(c.isalnum() or c in "/._-+" for c in path):
        return path
    escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return f'"{escaped}"'


def _targets(home: Path) -> dict[str, Path]:
    icons = home / "icons" / "hicolor"
    targets = {
        "desktop": home / "applications" / f"{APP_ID}.desktop",
        "metainfo": home / "metainfo" / f"{APP_ID}.metainfo.xml",
        "svg": icons / "scalable" / "apps" / f"{APP_ID}.svg",
    }
    for size in ICON_SIZES:
        targets[f"png{size}"] = icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    return targets


def _desktop_entry(exec_line: str) -> str:
    lines = []
    for line in (packaging_dir() / f"{APP_ID}.desktop").read_text(encoding="utf-8").splitlines():
        lines.append(f"Exec={exec_line}" if line.startswith("Exec=") else line)
    return "\n".join(lines) + "\n"


def _render_png(svg: Path, size: int, target: Path) -> None:
    """Draw ``svg`` at ``size``×``size`` into a PNG with Qt's SVG renderer (offscreen)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        _render_png.app = QGuiApplication(["convstudio", "-platform", "offscreen"])  # type: ignore[attr-defined]
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    if not image.save(str(target), "PNG"):
        raise OSError(_("could not write {path}").format(path=target))


def install(home: Path | None = None) -> dict[str, Path]:
    """Write the desktop entry, metainfo and icons under ``home`` (default :func:`data_home`). Returns what was written."""
    targets = _targets(home or data_home())
    for path in targets.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    targets["desktop"].write_text(_desktop_entry(launcher()), encoding="utf-8")
    shutil.copyfile(packaging_dir() / f"{APP_ID}.metainfo.xml", targets["metainfo"])
    svg = Path(__file__).resolve().parent / "resources" / "icon.svg"
    shutil.copyfile(svg, targets["svg"])
    for size in ICON_SIZES:
        _render_png(svg, size, targets[f"png{size}"])
    _refresh_menus(targets["desktop"].parent)
    return targets


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what :func:`install` wrote under ``home``. Returns the files removed."""
    removed = []
    targets = _targets(home or data_home())
    for path in targets.values():
        if path.is_file():
            path.unlink()
            removed.append(path)
    _refresh_menus(targets["desktop"].parent)
    return removed


def _refresh_menus(applications: Path) -> None:
    """Tell the desktop the menu changed, where the tool for it is installed (menus also notice by themselves)."""
    tool = shutil.which("update-desktop-database")
    if tool and applications.is_dir():
        subprocess.run([tool, "-q", str(applications)], check=False, capture_output=True, timeout=60)


def _run(args: argparse.Namespace) -> int:
    if args.action == "install":
        targets = install()
        print(_("Added ConvStudio to the application menu: {path}").format(path=targets["desktop"]))
        print(_("It starts: {command}").format(command=launcher()))
        return 0
    removed = uninstall()
    if removed:
        print(_("Removed ConvStudio from the application menu ({n} files)").format(n=len(removed)))
    else:
        print(_("ConvStudio was not in the application menu of {folder}").format(folder=data_home()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``desktop`` subcommand to the command line."""
    p = sub.add_parser("desktop", help=_("add ConvStudio to the desktop's application menu, or remove it (XDG_DATA_HOME)"))
    p.add_argument("action", choices=("install", "uninstall"))
    p.set_defaults(func=_run)
