"""Before the window: is there a display to open it on, and the X11 libraries Qt needs for it?

Without this check Qt aborts with a message about ``xcb-cursor0`` whether the library or the
display is missing. Here each case is said in one line with the way out. No Qt import.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Callable, Mapping

from engine.i18n import _

__all__ = ["DISPLAYLESS_PLATFORMS", "XCB_LIBRARIES", "display_problem", "missing_xcb_packages", "qt_platforms"]

#: Qt platform plugins that draw without a desktop (screenshots, tests, remote frame buffers).
DISPLAYLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"})

#: Libraries Qt's X11 (xcb) platform plugin loads, and the Debian/Ubuntu package of each.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def qt_platforms(env: Mapping[str, str]) -> list[str]:
    """The platform plugins ``QT_QPA_PLATFORM`` asks for, in order (``[]`` when Qt chooses)."""
    value = env.get("QT_QPA_PLATFORM", "").strip()
    return [part.split(":", 1)[0].strip().lower() for part in value.split(";") if part.strip()]


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    """Debian packages of the xcb libraries that cannot be loaded (``[]`` when all are there)."""
    return [package for soname, package in XCB_LIBRARIES.items() if not loads(soname)]


def display_problem(env: Mapping[str, str] | None = None, platform: str | None = None,
                    loads: Callable[[str], bool] = _loads) -> str:
    """One line saying why the window cannot open here, with the way out; "" when it can.

    Only Linux and the BSDs are checked (X11 or Wayland); a displayless Qt platform such as
    ``offscreen`` needs no display.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not (platform.startswith("linux") or "bsd" in platform):
        return ""
    wanted = qt_platforms(env)
    if any(name in DISPLAYLESS_PLATFORMS for name in wanted):
        return ""
    has_x11 = bool(env.get("DISPLAY", "").strip())
    has_wayland = bool(env.get("WAYLAND_DISPLAY", "").strip())
    if wanted:
        usable = [name for name in wanted
                  if (name == "xcb" and has_x11) or (name.startswith("wayland") and has_wayland)]
    else:
        usable = (["wayland"] if has_wayland else []) + (["xcb"] if has_x11 else [])
    if not usable:
        return _("convstudio: no display to open the window on ($DISPLAY and $WAYLAND_DISPLAY are not set). "
                 "Over SSH, connect with ssh -X; without a display, use the command line (convstudio --help) "
                 "or render the panels to PNG: QT_QPA_PLATFORM=offscreen convstudio screenshots DIR")
    if usable[0] == "xcb":
        missing = missing_xcb_packages(loads)
        if missing:
            return _("convstudio: the window needs X11 libraries that are not installed: "
                     "sudo apt-get install {packages}").format(packages=" ".join(missing))
    return ""
