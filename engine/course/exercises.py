"""Exercises with fresh numbers: ``make_exercise(section_id, seed)`` and a forgiving checker.

Every section has a generator in :mod:`.exercise_gen`; the same seed gives the same
exercise. Answers may be written as numbers ("6,176", "0.25", "1/7"), shapes
("4x4", "4×4×2"), lists ("[[9, 2], [6, 3]]", "9 2 6 3"), yes/no (also 是/否) or a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import _
from .answers import numbers_close, parse_number, parse_numbers, parse_shape, parse_yes_no

__all__ = ["Verdict", "Exercise", "make_exercise", "KINDS"]

#: How an answer is read: one number, a shape, a list of numbers, yes/no, or one word from a list.
KINDS = ("number", "shape", "numbers", "yesno", "choice")


@dataclass(frozen=True)
class Verdict:
    """The result of checking an answer: ``ok``, a one-line ``message`` and the worked ``solution``."""

    ok: bool
    message: str
    solution: str


@dataclass(frozen=True)
class Exercise:
    """One exercise: the ``prompt``, the right ``answer`` (a number, a list or a bool/str), its ``solution`` text."""

    section: str
    seed: int
    prompt: str
    answer: Any
    solution: str
    kind: str = "number"
    tolerance: float = 0.01

    @property
    def answer_text(self) -> str:
        """The right answer as a learner would write it."""
        if self.kind == "shape":
            return "×".join(str(v) for v in self.answer)
        if self.kind == "yesno":
            return _("yes") if self.answer else _("no")
        if self.kind == "numbers":
            return "[" + ", ".join(_fmt(v) for v in self.answer) + "]"
        if self.kind == "choice":
            return _(str(self.answer))
        return _fmt(self.answer)

    def check(self, answer: Any) -> Verdict:
        """Is ``answer`` right? Returns a :class:`Verdict` with the worked solution either way."""
        ok = self._matches(answer)
        if ok is None:
            msg = {
                "number": _("Give one number."),
                "shape": _("Give a shape such as 4×4×2."),
                "numbers": _("Give a list of numbers such as [1, 2, 3]."),
                "yesno": _("Answer yes or no."),
                "choice": _("Answer with one of the names."),
            }[self.kind]
            return Verdict(False, msg, self.solution)
        if ok:
            return Verdict(True, _("Correct."), self.solution)
        return Verdict(False, _("Not quite: the answer is {answer}.").format(answer=self.answer_text), self.solution)

    def _matches(self, answer: Any) -> bool | None:
        if self.kind == "number":
            v = parse_number(answer)
            return None if v is None else numbers_close(v, float(self.answer), self.tolerance)
        if self.kind == "shape":
            got = parse_shape(answer)
            if got is None:
                return None
            want = list(self.answer)
            # a single-channel volume may be written without its ×1
            return got == want or (want[-1] == 1 and got == want[:-1])
        if self.kind == "numbers":
            got = parse_numbers(answer)
            if got is None:
                return None
            want = [float(v) for v in self.answer]
            return len(got) == len(want) and all(numbers_close(g, w, self.tolerance) for g, w in zip(got, want))
        if self.kind == "yesno":
            got = parse_yes_no(answer)
            return None if got is None else got == bool(self.answer)
        text = str(answer).strip().casefold()
        if not text:
            return None
        return text in {str(self.answer).casefold(), _(str(self.answer)).casefold()}

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "seed": self.seed, "kind": self.kind, "prompt": self.prompt,
                "answer": self.answer, "answer_text": self.answer_text, "solution": self.solution}


def _fmt(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    f = float(v)
    if f == int(f) and abs(f) < 1e15:
        return f"{int(f):,}" if abs(f) >= 10000 else str(int(f))
    return f"{f:.4g}"


def make_exercise(section_id: str, seed: int = 0) -> Exercise:
    """A fresh exercise for a section; the same seed gives the same numbers.

    Raises :class:`~engine.course.sections.UnknownSection`.
    """
    import numpy as np

    from .exercise_gen import GENERATORS
    from .sections import section

    section(section_id)
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, sum(map(ord, section_id))])
    prompt, answer, solution, kind, *rest = GENERATORS[section_id](rng)
    tolerance = rest[0] if rest else 0.01
    return Exercise(section_id, int(seed), prompt, answer, solution, kind, tolerance)
