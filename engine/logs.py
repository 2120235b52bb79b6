"""Logging to a rotating file in the user log folder."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .paths import log_dir

__all__ = ["setup_logging", "log_file"]


def log_file() -> Path:
    """Path of the current log file."""
    return log_dir() / "convstudio.log"


def setup_logging(level: int = logging.INFO) -> Path:
    """Send the ``convstudio``/engine/gui loggers to a rotating file (1 MB x 5). Idempotent."""
    root = logging.getLogger()
    path = log_file()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    return path
