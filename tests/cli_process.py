"""Run ``convstudio`` (this checkout's) in a child process with a time bound and a memory cap.

A hang fails on the timeout; an attempt to allocate tens of gigabytes fails at once on
the address-space cap instead of swapping the test machine to a halt.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

__all__ = ["ROOT", "run_cli", "start_cli"]

ROOT = Path(__file__).resolve().parents[1]
ADDRESS_SPACE = 6 * 2**30  # torch and OpenCV need about 2-3 GiB of address space to start


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``convstudio ARGS`` to completion; ``subprocess.TimeoutExpired`` when it outlives ``timeout`` seconds."""
    return subprocess.run([sys.executable, "-m", "gui.main", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=_env(), preexec_fn=_cap)


def start_cli(*args: str, **popen) -> subprocess.Popen:
    """``convstudio ARGS`` started in the background (for signals and pipes)."""
    return subprocess.Popen([sys.executable, "-m", "gui.main", *args], cwd=ROOT, env=_env(), preexec_fn=_cap, **popen)
