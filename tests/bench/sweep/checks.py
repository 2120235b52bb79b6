"""Checks a case runs after its child process: each returns a problem text, or "" when all is well."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

__all__ = ["VICTIM", "victim_unchanged", "no_new_files", "whole_png_or_nothing", "damaged", "kept_aside"]

VICTIM = b"a file the user owns; a model must never write it\n"


def victim_unchanged(victim: Path) -> Callable[[], str]:
    def check() -> str:
        return "" if victim.read_bytes() == VICTIM else "the victim file was written by a model's graph"

    return check


def no_new_files(folder: Path, allowed: set[str]) -> Callable[[], str]:
    def check() -> str:
        extra = sorted(x.name for x in folder.iterdir() if x.name not in allowed) if folder.is_dir() else []
        return f"left {extra} in {folder.name}" if extra else ""
    return check


def whole_png_or_nothing(folder: Path) -> Callable[[], str]:
    def check() -> str:
        from PIL import Image

        for f in folder.iterdir():
            try:
                with Image.open(f) as im:
                    im.load()
            except Exception as exc:  # noqa: BLE001 - any failure to read is the finding
                return f"{f.name} is not a whole PNG: {exc}"
        return ""
    return check


def damaged(path: Path, kind: str, blob: bytes | None = None) -> None:
    """Make ``path`` a damaged stored file of ``kind``: fifo, dev-zero, folder, huge, or the bytes ``blob``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    elif kind == "huge":
        path.write_bytes(b" " * (8 << 20))
    else:
        path.write_bytes(blob or b"")


def kept_aside(path: Path, keeps: Callable[[], str] | None = None) -> Callable[[], str]:
    """The damaged file was moved to ``<name>.damaged-<time>`` (and ``keeps`` finds what was salvaged)."""
    def check() -> str:
        if not list(path.parent.glob(path.name + ".damaged-*")):
            return f"{path.name} was not kept aside"
        return keeps() if keeps else ""
    return check

