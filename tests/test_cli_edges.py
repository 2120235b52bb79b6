"""Odd global options and absurd sizes: one line, no traceback, a non-zero exit."""

from __future__ import annotations

import pytest

from tests.cli_process import run_cli


def _one_line(r) -> str:
    lines = [x for x in r.stderr.splitlines() if x.strip() and "propagateSizeHints" not in x]
    assert "Traceback" not in r.stderr and len(lines) == 1, r.stderr[-1500:]
    return lines[0]


def test_unknown_device_without_a_command(tmp_path):
    r = run_cli("--device", "garbage", timeout=60)
    assert r.returncode == 2
    assert _one_line(r).startswith("convstudio: unknown device 'garbage'")


@pytest.mark.parametrize("size", ["99999999999x1", "1x99999999999", "0x10", "16385x10"])
def test_screenshots_size_out_of_range(tmp_path, size):
    r = run_cli("screenshots", str(tmp_path / "shots"), "--size", size, timeout=60)
    assert r.returncode == 2
    assert _one_line(r) == f"convstudio: --size must be between 1x1 and 16384x16384, not {size}"
    assert not (tmp_path / "shots").exists()


def test_yolo_train_threads_are_bounded():
    r = run_cli("yolo", "train", "--threads", "100000", "--steps", "1", timeout=60)
    assert r.returncode == 2
    assert _one_line(r) == "convstudio: --threads must be at most 256, not 100000"
