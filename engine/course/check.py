"""Recompute every worked example with the engine functions the panels use.

Each example id has a checker in :mod:`engine.course.checks` (one module per part of
the course) that rebuilds the panel's inputs from ``example.state`` and runs the
engine; ``expected`` is never read while computing. Where the engine lacks what an
example needs, its rows fail with a reason that starts with "needs", so the gap stays
visible until the capability lands. New checkers plug in with
:func:`engine.course.checks.register`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..i18n import _
from .checks import COMPUTE, Needs
from .checks.registry import plain as _plain
from .examples import EXAMPLES, Example

__all__ = ["CheckRow", "Needs", "run_example", "check_all", "values_match", "COMPUTE"]


@dataclass(frozen=True)
class CheckRow:
    """One number of an example: ``expected`` (from the map), ``computed`` (by the engine), whether they agree."""

    example: str
    name: str
    expected: Any
    computed: Any
    ok: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"example": self.example, "name": self.name, "expected": self.expected,
                "computed": self.computed, "ok": self.ok, "reason": self.reason}


def values_match(expected: Any, computed: Any, rel: float = 1e-6, abs_tol: float = 1e-6) -> bool:
    """Numbers within tolerance, lists element by element, everything else by equality."""
    if isinstance(expected, bool) or isinstance(computed, bool):
        return isinstance(computed, (bool, np.bool_)) and bool(computed) == bool(expected)
    if isinstance(expected, (int, float)) and isinstance(computed, (int, float, np.integer, np.floating)):
        if isinstance(expected, int):  # counts (parameters, shapes, MACs) must agree exactly
            return float(computed) == expected
        return math.isclose(float(expected), float(computed), rel_tol=rel, abs_tol=abs_tol)
    if isinstance(expected, (list, tuple)):
        if not isinstance(computed, (list, tuple)) or len(expected) != len(computed):
            return False
        return all(values_match(e, c, rel, abs_tol) for e, c in zip(expected, computed))
    return expected == computed


def run_example(example: Example) -> list[CheckRow]:
    """One row per expected number: the engine's value beside the map's, and whether they agree."""
    fn = COMPUTE.get(example.id)
    if fn is None:
        reason = _("needs a check for this example")
        return [CheckRow(example.id, k, _plain(v), None, False, reason) for k, v in example.expected.items()]
    try:
        computed = fn(example)
    except Needs as exc:
        return [CheckRow(example.id, k, _plain(v), None, False, str(exc)) for k, v in example.expected.items()]
    except Exception as exc:  # an engine error is a failed check, reported in one line
        reason = _("error: {error}").format(error=f"{type(exc).__name__}: {exc}")
        return [CheckRow(example.id, k, _plain(v), None, False, reason) for k, v in example.expected.items()]
    rows = []
    for key, want in example.expected.items():
        got = computed.get(key)
        if isinstance(got, Needs):
            rows.append(CheckRow(example.id, key, _plain(want), None, False, str(got)))
            continue
        got = _plain(got)
        ok = got is not None and values_match(want, got)
        rows.append(CheckRow(example.id, key, _plain(want), got, ok, "" if ok else _("differs from the course")))
    return rows


def check_all(examples: tuple[Example, ...] | list[Example] = EXAMPLES) -> list[CheckRow]:
    """The rows of every example, in course order."""
    rows: list[CheckRow] = []
    for ex in examples:
        rows.extend(run_example(ex))
    return rows
