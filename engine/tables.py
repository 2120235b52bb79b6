"""Plain-text tables for the command line, aligned by display width.

A Chinese character takes two terminal columns (East Asian Wide and Fullwidth characters), so
padding with ``len`` misaligns every column after one: these helpers count columns instead.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, Sequence

__all__ = ["display_width", "pad", "format_table"]


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: 2 for East Asian wide and full-width characters, 0 for combining marks."""
    width = 0
    for ch in str(text):
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: object, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` columns (on the left when ``right``)."""
    text = str(text)
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def format_table(rows: Iterable[Sequence[object]], header: Sequence[object] | None = None,
                 right: Iterable[int] = (), gap: str = "  ", rule: bool = False) -> list[str]:
    """Lines of an aligned table: ``right`` are the column indexes aligned right (numbers).

    ``header`` comes first (with a rule of dashes under it when ``rule``); trailing spaces are stripped.
    """
    body = [[str(c) for c in row] for row in rows]
    head = [str(c) for c in header] if header is not None else None
    every = ([head] if head else []) + body
    if not every:
        return []
    columns = max(len(r) for r in every)
    widths = [max((display_width(r[i]) for r in every if i < len(r)), default=0) for i in range(columns)]
    right = set(right)

    def line(cells: Sequence[str]) -> str:
        return gap.join(pad(c, widths[i], i in right) for i, c in enumerate(cells)).rstrip()

    out = []
    if head:
        out.append(line(head))
        if rule:
            out.append("-" * (sum(widths) + len(gap) * (columns - 1)))
    out.extend(line(r) for r in body)
    return out
