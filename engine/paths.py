"""Where ConvStudio keeps its data: weights, databases, trained models, logs.

The locations follow the platform's conventions (platformdirs). Setting the
environment variable ``CONVSTUDIO_HOME`` puts everything under one folder,
which is what tests and portable installs use.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["data_dir", "weights_dir", "trained_dir", "log_dir", "config_dir"]

_APP = "ConvStudio"


def _home() -> Path | None:
    value = os.environ.get("CONVSTUDIO_HOME")
    return Path(value).expanduser() if value else None


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """The user data folder (created on first use)."""
    home = _home()
    return _ensure(home / "data" if home else Path(platformdirs.user_data_dir(_APP, appauthor=False)))


def weights_dir() -> Path:
    """Folder holding downloaded or imported pretrained weights."""
    return _ensure(data_dir() / "weights")


def trained_dir() -> Path:
    """Folder holding models trained inside the app (digits LeNet, YOLO grid, styles)."""
    return _ensure(data_dir() / "trained")


def log_dir() -> Path:
    """Folder holding the rotating log files."""
    home = _home()
    return _ensure(home / "logs" if home else Path(platformdirs.user_log_dir(_APP, appauthor=False)))


def config_dir() -> Path:
    """Folder for small configuration files the engine writes."""
    home = _home()
    return _ensure(home / "config" if home else Path(platformdirs.user_config_dir(_APP, appauthor=False)))
