"""Start-up times of the command line and the window, against a bare ``import PySide6.QtWidgets``.

    python tests/bench/startup.py [--runs 5] [--no-window]

Each figure is the median wall time of ``--runs`` fresh processes (warm: the files are in the page
cache after the first run, which is not counted). The window is started offscreen with
``CONVSTUDIO_QUIT_AFTER=paint``: the time is taken when it reports its first painted frame.
The ratio is against the bare PySide6 import, so figures from a busy machine stay comparable.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOAL_FIRST_PAINT = 1.5  # seconds, warm

COMMANDS = [
    ("--help", ["--help"]),
    ("conv size", ["conv", "size", "32", "-f", "5", "-p", "same", "--pool", "max"]),
    ("course list", ["course", "list"]),
    ("course show", ["course", "show", "padding"]),
    ("course exercise", ["course", "exercise", "stride", "--seed", "3"]),
]


def _env() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OMP_NUM_THREADS": "1"}
    env.setdefault("CONVSTUDIO_HOME", str(Path(os.environ.get("TMPDIR", "/tmp")) / "convstudio-bench-startup"))
    return env


def _wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=300)
    return time.perf_counter() - start


def _first_paint() -> tuple[float, float]:
    """(seconds from launch until the window reports its first frame, the app's own figure)."""
    env = {**_env(), "CONVSTUDIO_QUIT_AFTER": "paint", "PYTHONUNBUFFERED": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "gui.main"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("convstudio: first paint"):
            seen = time.perf_counter() - start
            own = float(line.split()[3])
            break
    else:
        raise RuntimeError("the window did not report its first paint")
    proc.wait(timeout=120)
    return seen, own


def _median(fn, runs: int) -> float:
    fn()  # warm the page cache
    return statistics.median(fn() for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-window", action="store_true", help="only the command line")
    args = parser.parse_args()
    python = [sys.executable]
    bare = _median(lambda: _wall(python + ["-c", "import PySide6.QtWidgets"]), args.runs)
    torch = _median(lambda: _wall(python + ["-c", "import torch"]), max(1, args.runs // 2))
    print(f"{'what':<34} {'seconds':>8} {'× bare':>7}")
    print(f"{'python -c import PySide6.QtWidgets':<34} {bare:8.2f} {1.0:7.1f}")
    print(f"{'python -c import torch':<34} {torch:8.2f} {torch / bare:7.1f}")
    for name, argv in COMMANDS:
        t = _median(lambda argv=argv: _wall(python + ["-m", "gui.main", *argv]), args.runs)
        print(f"{'convstudio ' + name:<34} {t:8.2f} {t / bare:7.1f}")
    if not args.no_window:
        _first_paint()
        pairs = [_first_paint() for _ in range(args.runs)]
        seen = statistics.median(p[0] for p in pairs)
        own = statistics.median(p[1] for p in pairs)
        verdict = "within" if seen <= GOAL_FIRST_PAINT else "over"
        print(f"{'window: first paint (offscreen)':<34} {seen:8.2f} {seen / bare:7.1f}   "
              f"(app's own count from process start {own:.2f} s; goal {GOAL_FIRST_PAINT} s: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
