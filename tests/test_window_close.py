"""Closing the window leaves no running QThread, whoever started it (Qt aborts the process otherwise)."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.cli_process import ROOT, _cap, _env

SCRIPT = r"""
import sys, time
from PySide6.QtCore import QSettings
from gui.app import ensure_app
from gui.window import MainWindow

app = ensure_app()
w = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
w.show()
for pid in w.panel_ids():
    w.switch_to(pid)
    app.processEvents()

def slow():  # a job that does not reach its first yield for a while (a model being loaded)
    time.sleep(4)
    yield None

w.jobs.start(slow(), "slow")
w.panel("detection").start()  # the detection loop, in its own thread
app.processEvents()
w.close()
print("closed", flush=True)
"""


def test_a_script_that_shows_every_panel_and_closes_exits_cleanly(tmp_path):
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "settings.ini")], cwd=ROOT,
                       env={**_env(), "CONVSTUDIO_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)},
                       capture_output=True, text=True, timeout=600, preexec_fn=_cap)
    assert "QThread: Destroyed" not in r.stderr
    assert r.returncode == 0 and "closed" in r.stdout, r.stderr[-2000:]


def test_close_waits_for_every_thread(window, qtbot):
    from gui.jobs import running_threads

    def slow():
        time.sleep(3.5)  # longer than any fixed wait the window used to allow
        yield None

    window.jobs.start(slow(), "slow")
    other = type(window.jobs)()  # a job started by someone else's runner
    other.start(slow(), "elsewhere")
    window.switch_to("detection")
    window.panel("detection").start()
    qtbot.wait(50)
    assert running_threads()
    window.close()
    assert running_threads() == []


def test_open_example_stops_promptly_on_sigterm(tmp_path):
    import signal

    home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-m", "gui.main", "open", "edge-6x6"], cwd=ROOT,
                            env={**_env(), "CONVSTUDIO_HOME": str(home)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_cap)
    log = home / "logs" / "convstudio.log"
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if log.is_file() and "showing example edge-6x6" in log.read_text(errors="replace"):
                break
            time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read()[-2000:]
        time.sleep(1.0)  # idle in the event loop, where no Python code runs by itself
        proc.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert time.monotonic() - t0 < 30
    assert proc.returncode == 143 and "Traceback" not in err and "Terminated" not in err
    assert err.strip().splitlines()[-1] == "convstudio: stopped (terminated)"
