"""Whole-or-nothing file writes, with nothing above them: the lowest layer of the engine.

:func:`atomic_path` / :func:`atomic_write` write to a temporary file in the
target's own folder (same disk, so the final :func:`os.replace` is atomic); only
a complete file takes the target's name, and on any error the temporary file
is removed and an older file of the same name is left untouched.

This module imports nothing from ConvStudio, so the translation layer
(:mod:`engine.i18n`) can use it too; :mod:`engine.files` re-exports it next to
the translated error messages.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

__all__ = ["atomic_path", "atomic_write", "temp_name"]


def temp_name(path: str | os.PathLike) -> Path:
    """A fresh hidden name next to ``path`` that keeps its suffix (writers pick the format from it)."""
    p = Path(path)
    return p.with_name(f".{p.stem}.{secrets.token_hex(4)}.part{p.suffix}")


def _remove(p: Path) -> None:
    try:
        p.unlink()
    except FileNotFoundError:
        pass
    except OSError:  # the original error matters more than a failed clean-up
        pass


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; when the block ends without error it becomes ``path``.

    For writers that want a file name (PIL, imageio, OpenCV). If the block
    raises, or the rename fails, the temporary file is removed and the
    exception propagates; an existing ``path`` is never touched before the rename.
    """
    target = Path(path)
    tmp = temp_name(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        if exc.filename is None or str(exc.filename) == str(tmp):  # name the file the user asked for
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc
        raise
    except BaseException:
        _remove(tmp)
        raise


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Yield an open temporary file next to ``path``; on success it is flushed to disk and renamed to ``path``.

    ``mode`` is ``"w"``/``"wb"`` (text defaults to UTF-8). Errors that only show
    when the data reaches the disk (flush, fsync, close) are raised here
    too, so a full disk never leaves a truncated ``path``.
    """
    if mode not in ("w", "wb", "wt"):
        raise ValueError(f"atomic_write writes new files ('w' or 'wb'), not mode {mode!r}")
    if "b" not in mode and encoding is None:
        encoding = "utf-8"
    with atomic_path(path) as tmp:
        with open(tmp, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
