"""The checkers of the worked examples, one module per part of the course.

``basics`` (convolution basics), ``deep`` (deep networks), ``detection``,
``faces_style`` and ``views`` (the examples the Worked examples panel shows in its own
views, checked through the same engine functions as those views); every other module in this package is imported too, so new
checkers plug in by living here and using :func:`register`.
"""

from __future__ import annotations

import importlib
import pkgutil

from .registry import COMPUTE, Needs, register

__all__ = ["COMPUTE", "Needs", "register", "load_all"]

_LOADED = False


def load_all() -> dict:
    """Import every checker module of the package once; returns :data:`COMPUTE`."""
    global _LOADED
    if not _LOADED:
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if info.name != "registry" and not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        _LOADED = True
    return COMPUTE


load_all()
