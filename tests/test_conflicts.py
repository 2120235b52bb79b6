"""'engine' and 'gui' are generic names: a package of the same name from another distribution is named in one line."""

from __future__ import annotations

import subprocess
import sys
import types

from cli_process import ROOT, _env

from gui.conflicts import conflict


def test_convstudios_own_packages_pass():
    assert conflict() == ""


def test_a_foreign_engine_package_is_named_with_its_distribution():
    foreign = types.ModuleType("engine")
    foreign.__file__ = "/site-packages/engine/__init__.py"
    real = __import__("importlib").import_module

    text = conflict(lambda name: foreign if name == "engine" else real(name), lambda name: ["engine-sim"])
    assert "\n" not in text
    assert "'engine' package at /site-packages/engine/__init__.py is not ConvStudio's, installed by engine-sim" in text
    assert "virtual environment" in text


def test_start_up_stops_with_one_line_when_engine_is_someone_elses(tmp_path):
    other = tmp_path / "engine"
    other.mkdir()
    (other / "__init__.py").write_text("VERSION = '9.9'\n")
    probe = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); from gui.main import main; sys.exit(main(['--help']))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, env=_env())
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"'engine' package at {other / '__init__.py'} is not ConvStudio's" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
