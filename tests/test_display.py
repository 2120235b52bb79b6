"""No display, or no X11 libraries: one line with the way out, before Qt aborts with a misleading message."""

from __future__ import annotations

import os
import subprocess
import sys

from cli_process import ROOT

from gui.display import XCB_LIBRARIES, display_problem, missing_xcb_packages, qt_platforms


def _all_there(soname: str) -> bool:
    return True


def test_no_display_is_said_in_one_line_with_the_way_out():
    text = display_problem({}, "linux", _all_there)
    assert "\n" not in text
    assert "$DISPLAY" in text and "ssh -X" in text and "QT_QPA_PLATFORM=offscreen convstudio screenshots" in text


def test_a_display_or_an_offscreen_platform_is_enough():
    assert display_problem({"DISPLAY": ":0"}, "linux", _all_there) == ""
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", lambda so: False) == ""  # Wayland needs no xcb
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", lambda so: False) == ""
    assert display_problem({"QT_QPA_PLATFORM": "vnc:size=800x600"}, "linux", lambda so: False) == ""
    assert display_problem({}, "darwin", lambda so: False) == ""
    assert display_problem({}, "win32", lambda so: False) == ""


def test_the_platform_asked_for_must_have_its_display():
    assert "ssh -X" in display_problem({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux", _all_there)
    assert "ssh -X" in display_problem({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, "linux", _all_there)
    assert display_problem({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"}, "linux", _all_there) == ""
    assert qt_platforms({"QT_QPA_PLATFORM": " Wayland ; xcb:foo=1"}) == ["wayland", "xcb"]


def test_missing_xcb_libraries_are_named_by_their_package():
    absent = {"libxcb-cursor.so.0", "libxcb-icccm.so.4"}
    text = display_problem({"DISPLAY": ":0"}, "linux", lambda so: so not in absent)
    assert "\n" not in text
    assert text.endswith("sudo apt-get install libxcb-cursor0 libxcb-icccm4")
    assert missing_xcb_packages(lambda so: so not in absent) == ["libxcb-cursor0", "libxcb-icccm4"]
    assert len(set(XCB_LIBRARIES.values())) == len(XCB_LIBRARIES)


def test_convstudio_without_a_display_exits_with_one_line():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "gui.main"], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "ssh -X" in lines[0], done.stderr
    assert "xcb-cursor0" not in done.stderr and "Traceback" not in done.stderr
