"""Logging to a rotating file in the user log folder."""

from __future__ import annotations

import logging
import logging.handlers
import urllib.error
from pathlib import Path

from .paths import log_dir

__all__ = ["setup_logging", "log_file", "is_expected", "log_failure"]


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


def is_expected(exc: BaseException) -> bool:
    """Whether ``exc`` is a situation of the machine rather than a fault of the program:
    no camera or a camera that went away, no network, missing or refused weights, a full or
    read-only disk. Those are worth a warning line in the log, not a traceback."""
    from .detect.sources import SourceError
    from .weights import WeightsError

    return isinstance(exc, (SourceError, WeightsError, urllib.error.URLError, ConnectionError, TimeoutError, OSError))


def log_failure(logger: logging.Logger, what: str, exc: BaseException, details: str = "") -> None:
    """Log a failed job or action: one WARNING line for :func:`is_expected` situations,
    an ERROR with ``details`` (the traceback) for everything else."""
    if is_expected(exc):
        text = " ".join((str(exc) or type(exc).__name__).split())
        logger.warning("%s: %s: %s", what, type(exc).__name__, text)
    else:
        logger.error("%s:\n%s", what, details or repr(exc))
