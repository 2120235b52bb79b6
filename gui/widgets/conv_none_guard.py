"""Protection against a reference-count fault in some PySide6 builds.

With PySide6 6.12.0 on CPython 3.11, every call of a Qt method that returns
``void`` hands back ``None`` without taking a reference, so each call lowers
``None``'s reference count by one; after a few hundred thousand calls (seconds
of animation painting) Python aborts with "none_dealloc: deallocating None".
CPython 3.12+ makes ``None`` immortal, which hides the fault. :func:`guard_none`
probes for the fault and, only when it is present, raises ``None``'s count far
out of reach, which is what 3.12 does.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["none_leaks", "guard_none"]

_GUARDED = False


def none_leaks() -> bool:
    """True when void Qt method calls drop a reference to ``None`` in this process."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 32


def guard_none() -> bool:
    """Apply the protection if needed (once per process); returns whether it was applied."""
    global _GUARDED
    if _GUARDED or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return _GUARDED
    if none_leaks():
        ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
        _GUARDED = True
    return _GUARDED
