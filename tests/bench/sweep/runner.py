"""Runs one case as ``python -m gui.main --device cpu ...`` in a child process and lists its problems."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time

from .cases import MAX_ERR_LINES, NO_DAC, RECIPE, ROOT, Case, Result, limit_child

__all__ = ["run_case"]


def run_case(case: Case, base_env: dict[str, str]) -> Result:
    """Run ``case`` with ``base_env`` (plus its own variables) and judge its exit, stderr and checks."""
    env = {**base_env, **case.env}
    cmd = [sys.executable, "-m", "gui.main", "--device", "cpu", *case.args]
    if case.no_dac:
        cmd = NO_DAC + cmd
    if case.setup:
        case.setup()
    t0 = time.monotonic()
    timed_out = False
    rc: int | None
    if case.special == "pipe":
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=limit_child)
        proc.stdout.readline()
        proc.stdout.close()  # the reader goes away
        try:
            err = proc.stderr.read().decode(errors="replace") if proc.wait(timeout=case.timeout) is not None else ""
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            timed_out, err = True, ""
        out, rc = "", proc.returncode
    elif case.special in {"sigint", "sigterm"}:
        # a second after the work has started (its first progress output), not during Python's start-up
        err_file = tempfile.TemporaryFile()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err_file, preexec_fn=limit_child)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            err_file.seek(0)
            if err_file.read():
                break
            time.sleep(0.2)
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT if case.special == "sigint" else signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            timed_out = True
        err_file.seek(0)
        out, err, rc = "", err_file.read().decode(errors="replace"), proc.returncode
    else:
        try:
            r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=case.timeout, preexec_fn=limit_child)
            out, err, rc = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace"), r.returncode
        except subprocess.TimeoutExpired as e:
            timed_out, rc = True, None
            out = (e.stdout or b"").decode(errors="replace")
            err = (e.stderr or b"").decode(errors="replace")
    elapsed = time.monotonic() - t0
    # the model-file refusal ends with a deliberate how-to-save recipe: not counted as error lines
    # a progress bar redraws itself with \r: count what a terminal would show, the last redraw of each line
    shown = [x.split("\r")[-1] if x.split("\r")[-1].strip() else x.strip("\r").split("\r")[-1] for x in err.split("\n")]
    lines = [x for x in shown if x.strip() and x.strip() not in RECIPE]
    tb = "Traceback" in err or "Traceback" in out
    problems = []
    if tb:
        problems.append("traceback")
    if timed_out:
        problems.append(f"timeout {case.timeout:.0f}s")
    if rc is not None and rc < 0 and case.special not in {"sigint", "sigterm"}:
        problems.append(f"killed by signal {-rc}")
    if rc not in (0, None) and len(lines) > MAX_ERR_LINES and case.special not in {"sigint", "sigterm"}:
        problems.append(f"{len(lines)} stderr lines")
    if rc not in (0, None) and not lines and case.special != "pipe":
        problems.append("silent failure")
    if case.nonzero and rc == 0 and not case.special:
        problems.append("exit 0 on bad input")
    if case.nonzero is False and rc not in (0, None) and not case.special:
        problems.append(f"exit {rc} on acceptable input")
    if case.special in {"sigint", "sigterm"} and not timed_out:
        if rc == 0 and case.special == "sigterm":
            pass
        if rc is not None and rc < 0 and case.special == "sigint":
            problems.append(f"died of signal {-rc} without a message")
        if rc == 0:
            problems.append(f"ran on after {case.special}")
        elif not lines or not lines[-1].startswith("convstudio"):
            problems.append(f"no closing line after {case.special}")
    if case.special == "pipe" and rc not in (0, None, 141, -13):
        problems.append(f"exit {rc} after the reader left")
    if case.check:
        msg = case.check()
        if msg:
            problems.append(msg)
    tail = "\n".join(lines[-4:])[-600:]
    return Result(case, rc, tb, len(lines), elapsed, timed_out, problems, tail)
