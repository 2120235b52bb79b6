"""Start-up: commands that are plain arithmetic or text never load torch; the window paints before it does."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cli_process import ROOT, _env

#: What runs in the child: the command, then which heavy modules it left loaded.
PROBE = """
import contextlib, io, json, sys
from gui.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        rc = main(sys.argv[1:])
    except SystemExit as exc:
        rc = exc.code
print(json.dumps({"rc": rc, "torch": "torch" in sys.modules, "qt": "PySide6.QtWidgets" in sys.modules,
                  "printed": len(out.getvalue())}))
"""


def _probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=_env())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [
    ("--help",),
    ("conv", "--help"),
    ("conv", "size", "32", "-f", "5", "-p", "same", "-s", "2", "--pool", "max"),
    ("--shape-order", "hwc", "conv", "size", "6", "-f", "3", "--json"),
    ("course", "list"),
    ("course", "list", "--json"),
    ("course", "show", "padding"),
    ("course", "exercise", "padding"),
    ("course", "exercise", "stride", "--json"),
    ("course", "exercise", "one-layer"),
    ("course", "glossary"),
])
def test_light_commands_never_import_torch(args):
    result = _probe(*args)
    assert result["rc"] == 0
    assert result["printed"] > 0  # the command did its work
    assert not result["torch"], f"convstudio {' '.join(args)} imported torch"
    assert not result["qt"], f"convstudio {' '.join(args)} imported Qt widgets"


def test_a_command_that_computes_still_loads_torch():
    """The probe can fail: a command that runs a real convolution has torch loaded afterwards."""
    result = _probe("course", "exercise", "edge-detection")
    assert result["rc"] == 0 and result["torch"]


def test_conv_package_names_resolve_to_the_same_objects():
    """``engine.conv`` loads its submodules on first use; every name it lists resolves, ``trace`` to the function."""
    import engine.conv as conv
    from engine.conv import pool, trace as trace_function
    from engine.conv.trace import trace as trace_in_module

    assert trace_function is trace_in_module and callable(conv.trace)
    assert conv.PoolSpec is pool.PoolSpec and conv.check_pool is pool.check_pool
    for name in conv.__all__:
        assert getattr(conv, name) is not None, name
    with pytest.raises(AttributeError):
        conv.no_such_name  # noqa: B018
