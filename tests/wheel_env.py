"""The wheel, built from a clean copy of this checkout and installed into a fresh virtual environment.

The environment gets the wheel only (``--no-deps``); its dependencies are reached in the environment
running the tests, through a ``.pth`` file that lists that environment's site-packages. So it works
from the system Python, from a virtual environment (where ``system_site_packages`` would reach the
base interpreter, not the outer environment) and from pipx alike. The checkout itself is never on
the installed environment's path.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["ROOT", "Installed", "build_wheel", "installed_wheel", "make_env", "outer_site_dirs", "run_installed"]

ROOT = Path(__file__).resolve().parents[1]
#: Not part of a source tree: build outputs and caches left in the checkout must not reach the wheel.
_ROOT_ONLY = {".git", "build", "dist", ".venv", "venv", ".pytest_cache", "out", "screenshots", ".whl", "tests"}


def _not_source(folder: str, names: list[str]) -> set[str]:
    at_root = Path(folder).resolve() == ROOT
    return {n for n in names if (at_root and n in _ROOT_ONLY) or n == "__pycache__" or n.endswith((".pyc", ".egg-info"))}


@dataclass(frozen=True)
class Installed:
    """A wheel and the environment it is installed in."""

    wheel: Path
    env_dir: Path
    python: Path
    script: Path


def outer_site_dirs() -> list[str]:
    """Where the interpreter running the tests finds its dependencies: its site-packages, and folders that
    ``.pth`` files of those added (editable installs of dependencies). The checkout itself is left out."""
    dirs = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    dirs += [p for p in sys.path if p and os.path.isdir(p) and not Path(p).resolve().is_relative_to(ROOT)]
    return [d for d in dict.fromkeys(dirs) if os.path.isdir(d)]


def build_wheel(dest: Path) -> Path:
    """Build the wheel from a clean copy of the checkout (no stale ``build/`` files); returns its path."""
    source = dest / "source"
    shutil.copytree(ROOT, source, ignore=_not_source)
    wheels = dest / "wheels"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(source), "-w", str(wheels)],
        capture_output=True, text=True, timeout=600, cwd=dest,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return next(wheels.glob("convstudio-*.whl"))


def make_env(env_dir: Path) -> Path:
    """A fresh virtual environment that also reaches this interpreter's site-packages; returns its python."""
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    # Lines of a .pth file are appended to sys.path after the environment's own site-packages: the wheel wins.
    Path(purelib, "_outer_site_packages.pth").write_text("\n".join(outer_site_dirs()) + "\n", encoding="utf-8")
    return python


def installed_wheel(dest: Path) -> Installed:
    """Build the wheel and install it, without dependencies, into a new environment under ``dest``."""
    wheel = build_wheel(dest)
    env_dir = dest / "venv"
    python = make_env(env_dir)
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return Installed(wheel, env_dir, python, env_dir / "bin" / "convstudio")


def run_installed(installed: Installed, *args: str, cwd: Path, env: dict[str, str] | None = None,
                  timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the installed ``convstudio ARGS`` from ``cwd`` (outside the checkout), offscreen unless ``env`` says otherwise."""
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    base.update({"QT_QPA_PLATFORM": "offscreen", "OMP_NUM_THREADS": "1", "CONVSTUDIO_HOME": str(cwd / "home")})
    base.update(env or {})
    base = {k: v for k, v in base.items() if v is not None}
    return subprocess.run([str(installed.script), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=base)


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Installed:
    """The wheel installed into a fresh environment, once per test run."""
    return installed_wheel(tmp_path_factory.mktemp("wheel"))
