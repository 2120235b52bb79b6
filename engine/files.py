"""Writing files safely: whole or not at all, and one plain line when the disk says no.

Every writer in the engine goes through :func:`atomic_path` / :func:`atomic_write`:
the data goes to a temporary file in the target's own folder (same disk, so the
final :func:`os.replace` is atomic) and only a complete file takes the target's
name. On any error the temporary file is removed and an older file of the same
name is left untouched. :func:`describe_os_error` turns the usual errors (disk
full, no permission, read-only disk, missing folder) into one translatable line.
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import Any

from .atomic import atomic_path, atomic_write, temp_name
from .i18n import _

__all__ = ["atomic_path", "atomic_write", "save_torch", "temp_name", "describe_os_error", "disk_error", "is_disk_full",
           "check_target"]


def save_torch(obj: Any, path: str | os.PathLike) -> Path:
    """``torch.save(obj)`` to ``path`` atomically.

    The archive is built in memory and written through Python's file layer, so a
    full disk raises ``OSError(ENOSPC)`` (torch's own writer reports it only as
    an "unexpected pos" ``RuntimeError``).
    """
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    p = Path(path)
    with atomic_write(p, "wb") as fh:
        fh.write(buf.getbuffer())
    return p


_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), getattr(errno, "EFBIG", errno.ENOSPC)}


def is_disk_full(exc: BaseException) -> bool:
    """True for the errors that mean "no space left" (``ENOSPC``, a full quota, a file too big for the disk)."""
    return isinstance(exc, OSError) and exc.errno in _NO_SPACE


def check_target(path: str | os.PathLike) -> None:
    """Raise the ``OSError`` that writing ``path`` would end with (missing folder, a folder of that
    name, no permission), so that long work is refused before it starts rather than lost after it."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(target))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    if not os.access(folder, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))


def describe_os_error(exc: OSError, path: str | os.PathLike | None = None) -> str:
    """One translated line for a failed write of ``path`` (default: the file named in ``exc``).

    ``ENOSPC`` → "no space left on <folder>"; ``EACCES``/``EPERM`` → no permission;
    ``EROFS`` → read-only disk; ``ENOENT`` → the folder does not exist; anything
    else names the file and the system's reason.
    """
    target = Path(path) if path is not None else Path(exc.filename) if getattr(exc, "filename", None) else None
    folder = str(target if target is not None and target.is_dir() else target.parent if target is not None else ".")
    code = exc.errno
    if code in _NO_SPACE:
        return _("no space left on {folder}").format(folder=folder)
    if code in (errno.EACCES, errno.EPERM):
        return _("no permission to write in {folder}").format(folder=folder)
    if code == errno.EROFS:
        return _("{folder} is on a read-only disk").format(folder=folder)
    if code == errno.ENOENT:
        return _("cannot write {path}: the folder {folder} does not exist").format(path=target or "", folder=folder)
    reason = exc.strerror or str(exc) or type(exc).__name__
    if target is None:
        return _("cannot write a file: {reason}").format(reason=reason)
    return _("cannot write {path}: {reason}").format(path=target, reason=reason)


def disk_error(path: str | os.PathLike) -> OSError:
    """An ``OSError`` for a writer that failed without saying why (OpenCV's video writer):
    ``ENOSPC`` when the folder's disk is (nearly) full, else ``EIO``."""
    import shutil

    folder = Path(path).parent
    try:
        full = shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        full = False
    code = errno.ENOSPC if full else errno.EIO
    return OSError(code, os.strerror(code), str(path))
