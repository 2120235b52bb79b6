"""Reading what the app stores (progress, settings, manifests, caches) without trusting it.

Every small file ConvStudio keeps for itself is read through :func:`read_stored`:
only a regular file is read (a FIFO does not hang the reader, a link to ``/dev/zero``
does not fill the memory), and never more than a stated number of bytes. A file
that cannot be used as it is is kept aside by :func:`keep_aside` under
``<name>.damaged-<time>`` — nothing is deleted — and the user is told once, in one
line, through :func:`notify`. The caller then carries on with what it could salvage.

Notices go through :mod:`engine.notices` (re-exported here): the command line prints
them to stderr, the window shows them in its status bar.
"""

from __future__ import annotations

import errno
import logging
import math
import os
import stat
import time
from pathlib import Path
from typing import Any, Callable

from .i18n import _
from .notices import notices_to_stderr, notify, set_notice_handler, take_notices

__all__ = ["DamagedFile", "read_stored", "keep_aside", "notify", "set_notice_handler", "take_notices",
           "damaged_name", "check_stored", "notices_to_stderr", "checked_fields", "is_number", "is_count", "is_text",
           "is_number_list"]

log = logging.getLogger(__name__)


class DamagedFile(ValueError):
    """A stored file that cannot be used as it is; the message says why in a few words (not the file's name)."""


def _check_fd(fd: int, path: Path, limit: int) -> os.stat_result:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise DamagedFile(_("not a regular file"))
    if st.st_size > limit:
        raise DamagedFile(_("larger than {limit} KiB").format(limit=max(limit // 1024, 1)))
    return st


def _open(path: Path) -> int:
    # O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer
    return os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))


def read_stored(path: str | os.PathLike, limit: int) -> bytes | None:
    """The bytes of ``path``; None when there is no such file.

    Raises :class:`DamagedFile` when ``path`` is not a regular file (a FIFO, a device, a
    folder, a link to one of those), holds more than ``limit`` bytes, or cannot be read.
    """
    p = Path(path)
    try:
        fd = _open(p)
    except FileNotFoundError:
        if os.path.lexists(p):  # a dangling link: nothing to read, but something to keep aside
            raise DamagedFile(_("a link to nothing")) from None
        return None
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise DamagedFile(_("not a regular file")) from None
        raise DamagedFile(_("unreadable: {reason}").format(reason=exc.strerror or exc)) from None
    try:
        _check_fd(fd, p, limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            block = os.read(fd, min(1 << 16, limit + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
        if size > limit:  # it grew while being read
            raise DamagedFile(_("larger than {limit} KiB").format(limit=max(limit // 1024, 1)))
        return b"".join(chunks)
    except OSError as exc:
        raise DamagedFile(_("unreadable: {reason}").format(reason=exc.strerror or exc)) from None
    finally:
        os.close(fd)


def check_stored(path: str | os.PathLike, limit: int) -> None:
    """Raise :class:`DamagedFile` unless ``path`` is absent or a regular file of at most ``limit`` bytes.

    For files another library reads itself (Qt's settings): checked, not read.
    """
    p = Path(path)
    try:
        fd = _open(p)
    except FileNotFoundError:
        if os.path.lexists(p):
            raise DamagedFile(_("a link to nothing")) from None
        return
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise DamagedFile(_("not a regular file")) from None
        raise DamagedFile(_("unreadable: {reason}").format(reason=exc.strerror or exc)) from None
    try:
        _check_fd(fd, p, limit)
    finally:
        os.close(fd)


def damaged_name(path: str | os.PathLike, when: float | None = None) -> Path:
    """``<path>.damaged-<YYYYmmdd-HHMMSS>`` (with ``-2``, ``-3``… when that name is taken)."""
    p = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if when is None else when))
    candidate = p.with_name(f"{p.name}.damaged-{stamp}")
    k = 2
    while os.path.lexists(candidate):
        candidate = p.with_name(f"{p.name}.damaged-{stamp}-{k}")
        k += 1
    return candidate


def keep_aside(path: str | os.PathLike, reason: str, what: str, salvaged: str = "") -> Path | None:
    """Rename the damaged ``path`` to :func:`damaged_name` and tell the user once, in one line.

    ``what`` names the file for the user ("the course progress"), ``reason`` says what is wrong
    and ``salvaged`` what was kept from it. Returns the new name, or None when the rename failed
    (the line then says the file was left where it is).
    """
    p = Path(path)
    target = damaged_name(p)
    reason = " ".join(str(reason).split())
    try:
        os.rename(p, target)
    except OSError as exc:
        notify(_("{what} could not be read ({reason}) nor moved aside ({error}); it was left as it is").format(
            what=what, reason=reason, error=exc.strerror or exc))
        return None
    line = _("{what} was damaged ({reason}); it was kept as {name}").format(what=what, reason=reason, name=target.name)
    if salvaged:
        line += _("; {salvaged}").format(salvaged=salvaged)
    notify(line)
    return target


# -- fields of metadata stored inside a file (checkpoints): each one checked before it is used --

def is_number(value: Any) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_count(value: Any) -> bool:
    """A whole number from 0 to 10⁹ (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**9


def is_text(value: Any) -> bool:
    """A string of at most 1000 characters."""
    return isinstance(value, str) and len(value) <= 1000


def is_number_list(value: Any, limit: int = 10**6) -> bool:
    """A list of at most ``limit`` finite numbers."""
    return isinstance(value, list) and len(value) <= limit and all(is_number(v) for v in value)


def checked_fields(raw: Any, fields: dict[str, Callable[[Any], bool]]) -> dict[str, Any]:
    """The entries of ``raw`` (a dict read from a file) named in ``fields`` whose value passes its check.

    Everything else — unknown names, wrong types, infinities, ``raw`` not being a dict — is dropped, so
    code that shows a stored value never meets one it cannot format.
    """
    if not isinstance(raw, dict):
        return {}
    return {k: raw[k] for k, ok in fields.items() if k in raw and ok(raw[k])}
