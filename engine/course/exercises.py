"""Exercises with fresh numbers: ``make_exercise(section_id, seed)`` and a strict checker that names the mistake.

Every section has a generator in :mod:`.exercise_gen`; the same seed gives the same
exercise. Counts (parameters, sizes, windows) must be exact; real-valued answers are
compared at the precision the prompt asks for ("to 2 decimal places"). Answers may be
written as numbers ("6,176", "２，３５９，８０８", "0.25", "1/7"), shapes ("4x4", "4×4×2",
"（４，４，２）", 3×3×2×8 for 3×3×16), lists ("[[9, 2], [6, 3]]", "9 2 6 3"), yes/no (also 是/否)
or a name. A wrong answer that matches a typical mistake (biases forgotten, off by one,
H and W swapped…) gets a verdict that says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..i18n import N_, _
from .answers import decimals_of, parse_number, parse_numbers, parse_shape, parse_yes_no, within_precision

__all__ = ["Verdict", "Exercise", "Mistake", "make_exercise", "KINDS", "MISTAKES"]

#: How an answer is read: one number, a shape, a list of numbers, yes/no, or one word from a list.
KINDS = ("number", "shape", "numbers", "yesno", "choice")

#: Typical mistakes: key → what the verdict says (translated when shown).
MISTAKES: dict[str, str] = {
    "no_bias": N_("That is the count without the biases: each filter (or unit) has one bias."),
    "bias_added": N_("That adds biases, but the question counts weights only."),
    "bias_twice": N_("The biases are counted twice: one bias per filter (or unit)."),
    "off_by_one": N_("Off by one: check the + 1 in o = ⌊(n + 2p − f)/s⌋ + 1."),
    "off_by_one_pixels": N_("Off by one: a box from x1 to x2 is x2 − x1 wide (corners are not pixels to count)."),
    "padding_once": N_("Padding is added on both sides: use 2p, not p."),
    "no_floor": N_("Round down: the formula takes the floor of (n + 2p − f)/s."),
    "no_stride": N_("Divide by the stride: the kernel jumps s pixels at a time."),
    "hw_swapped": N_("H and W are swapped: height comes first."),
    "chw_order": N_("That is C×H×W order; the question asks for H×W×C."),
    "wrong_depth": N_("The depth of the output is the number of filters, not the input's channels."),
    "no_pool": N_("The pooling layer is missing: it halves the height and width."),
    "no_channels": N_("The channels are missing: each filter spans all input channels."),
    "inputs_not_weights": N_("That is the number of inputs; every unit has one weight per input."),
    "positions": N_("Parameters do not depend on the image size: do not multiply by the positions."),
    "kernel_not_1x1": N_("A projection shortcut is 1×1: one weight per input channel and output channel."),
    "no_bottleneck": N_("That is the count without the bottleneck."),
    "one_side": N_("That is the count along one side; the windows fill a square, so square it."),
    "per_anchor": N_("Each anchor box needs its own 5 + classes numbers: multiply by the number of anchors."),
    "unsquared": N_("That is the distance itself; the question asks for the squared distance."),
    "not_squared": N_("The differences must be squared before adding them."),
    "abs_sum": N_("That is the sum of the absolute differences; square them instead."),
    "no_half": N_("The ½ in front is missing."),
    "no_margin": N_("The margin α is missing."),
    "no_clamp": N_("The loss is never negative: it is max(…, 0)."),
    "weights_swapped": N_("α weights the content cost and β the style cost: they are swapped."),
    "no_weights": N_("The costs are weighted: multiply J_content by α and J_style by β."),
    "union_twice": N_("The union counts the overlap once: area(A) + area(B) − intersection."),
    "not_clipped": N_("Colour values are clipped to 0..255."),
    "sign": N_("The sign is flipped: the kernel's left column is +1 and its right column −1."),
    "one_row": N_("Each window covers three rows of the image: three times the difference."),
    "other_pool": N_("That is the other kind of pooling."),
    "sum_not_mean": N_("That is each window's sum; average pooling divides it by 4."),
    "column_order": N_("Read the result row by row."),
    "corner": N_("b_x and b_y are the box's centre, not its corner."),
    "image_units": N_("In this grid the centre is given relative to its cell, and b_h, b_w in cell widths."),
    "pixels": N_("Positions are fractions of the image, not pixels."),
    "no_score_filter": N_("First drop the boxes with p_c ≤ 0.6."),
    "pc_strict": N_("A box with p_c exactly 0.6 is dropped too (p_c ≤ 0.6)."),
    "iou_strict": N_("A box with IoU exactly 0.5 with the kept box is suppressed (IoU ≥ 0.5)."),
    "nearest_beyond": N_("The nearest person is farther than τ, so the photo is of someone unknown."),
    "not_nearest": N_("Pick the person at the smallest distance."),
    "at_threshold": N_("At exactly τ the rule says same person (d ≤ τ)."),
    "diagonal": N_("That is a diagonal entry (a channel with itself); G_12 pairs channel 1 with channel 2."),
    "other_sign": N_("Adding the offset, not subtracting it."),
}


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer of one exercise and the key of what it shows (see :data:`MISTAKES`)."""

    value: Any
    key: str


@dataclass(frozen=True)
class Verdict:
    """The result of checking an answer: ``ok``, a one-line ``message`` and the worked ``solution``.
    ``mistake``: the key of the recognised mistake, or ""."""

    ok: bool
    message: str
    solution: str
    mistake: str = ""


@dataclass(frozen=True)
class Exercise:
    """One exercise: the ``prompt``, the right ``answer`` (a number, a list or a bool/str), its ``solution`` text.

    ``decimals``: None for exact answers (counts, shapes); otherwise the places the prompt asks for.
    ``mistakes``: typical wrong answers of these numbers, each with what it shows.
    """

    section: str
    seed: int
    prompt: str
    answer: Any
    solution: str
    kind: str = "number"
    decimals: int | None = None
    mistakes: tuple[Mistake, ...] = field(default=())

    @property
    def answer_text(self) -> str:
        """The right answer as a learner would write it."""
        if self.kind == "shape":
            return "×".join(str(v) for v in self.answer)
        if self.kind == "yesno":
            return _("yes") if self.answer else _("no")
        if self.kind == "numbers":
            return "[" + ", ".join(self._fmt(v) for v in self.answer) + "]"
        if self.kind == "choice":
            return _(str(self.answer))
        return self._fmt(self.answer)

    def _fmt(self, v: Any) -> str:
        f = float(v)
        if self.decimals is not None:
            return f"{f:.{self.decimals}f}"
        if f == int(f) and abs(f) < 1e15:
            return f"{int(f):,}" if abs(f) >= 10000 else str(int(f))
        return f"{f:.6g}"

    def check(self, answer: Any) -> Verdict:
        """Is ``answer`` right? Returns a :class:`Verdict` with the worked solution either way."""
        ok = self.matches(answer)
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
        key = self.diagnose(answer)
        why = _(MISTAKES[key]) + " " if key else ""
        if key == "" and self._too_coarse(answer):
            return Verdict(False, _("Give the answer to {d} decimal places.").format(d=self.decimals), self.solution,
                           "precision")
        return Verdict(False, _("Not quite. {why}The answer is {answer}.").format(why=why, answer=self.answer_text),
                       self.solution, key)

    # -- comparing ---------------------------------------------------------------------------

    def _parse(self, answer: Any) -> Any:
        if self.kind == "number":
            return parse_number(answer)
        if self.kind == "shape":
            return parse_shape(answer)
        if self.kind == "numbers":
            return parse_numbers(answer)
        if self.kind == "yesno":
            return parse_yes_no(answer)
        text = str(answer).strip().casefold()
        return text or None

    def _same(self, got: Any, want: Any) -> bool:
        """``got`` (parsed) is ``want`` at this exercise's precision, in any accepted notation."""
        if self.kind == "number":
            return math.isfinite(got) and within_precision(got, float(want), self.decimals)
        if self.kind == "shape":
            want = [int(v) for v in want]
            if got == want or (want[-1] == 1 and got == want[:-1]):  # a single channel may be left out
                return True
            head = len(want) - 1
            # the depth written as a product of factors: 3×3×2×8 for 3×3×16
            return len(got) > len(want) and got[:head] == want[:head] and math.prod(got[head:]) == want[-1]
        if self.kind == "numbers":
            return len(got) == len(want) and all(
                math.isfinite(g) and within_precision(g, float(w), self.decimals) for g, w in zip(got, want))
        if self.kind == "yesno":
            return got == bool(want)
        return got in {str(want).casefold(), _(str(want)).casefold()}

    def matches(self, answer: Any) -> bool | None:
        """True if right, False if wrong, None if ``answer`` cannot be read as this kind."""
        got = self._parse(answer)
        return None if got is None else self._same(got, self.answer)

    def diagnose(self, answer: Any) -> str:
        """The key of the typical mistake ``answer`` shows, or "" (declared mistakes first, then generic ones)."""
        got = self._parse(answer)
        if got is None:
            return ""
        for m in self.mistakes:
            if self._same(got, m.value):
                return m.key
        if self.kind == "number" and self.decimals is None and abs(got - float(self.answer)) == 1:
            return "off_by_one"
        if self.kind == "shape" and len(got) == 3 == len(self.answer):
            h, w, c = (int(v) for v in self.answer)
            if got == [c, h, w]:
                return "chw_order"
            if got == [w, h, c]:
                return "hw_swapped"
        return ""

    def _too_coarse(self, answer: Any) -> bool:
        """A real answer written with fewer places than asked, right at the places it has."""
        if self.kind != "number" or self.decimals is None:
            return False
        places = decimals_of(answer)
        got = parse_number(answer)
        return places is not None and got is not None and places < self.decimals and within_precision(
            got, float(self.answer), places)

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "seed": self.seed, "kind": self.kind, "prompt": self.prompt,
                "answer": self.answer, "answer_text": self.answer_text, "solution": self.solution,
                "decimals": self.decimals}


def _with_precision(prompt: str, decimals: int | None) -> str:
    """The prompt, followed by the precision it asks for (real-valued answers only)."""
    if decimals is None:
        return prompt
    return _("{prompt} Give it to {d} decimal places.").format(prompt=prompt, d=decimals)


def make_exercise(section_id: str, seed: int = 0) -> Exercise:
    """A fresh exercise for a section; the same seed gives the same numbers.

    Numbers whose typical mistakes could not be told from the answer at the asked
    precision are drawn again, so no listed mistake is ever accepted.
    Raises :class:`~engine.course.sections.UnknownSection`.
    """
    import numpy as np

    from .exercise_gen import GENERATORS
    from .sections import section

    section(section_id)
    ex = None
    for attempt in range(64):
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, sum(map(ord, section_id)), attempt][: 3 if attempt else 2])
        prompt, answer, solution, kind, *rest = GENERATORS[section_id](rng)
        opts = rest[0] if rest else {}
        decimals = opts.get("decimals")
        ex = Exercise(section_id, int(seed), _with_precision(prompt, decimals), answer, solution, kind, decimals)
        mistakes = []
        clash = False
        for value, key in opts.get("mistakes", ()):
            if _equal(value, answer) or any(_equal(value, m.value) for m in mistakes):
                continue  # the right answer with these numbers (not a mistake here), or a value already explained
            if ex._same(ex._parse(value) if kind != "choice" else str(value).casefold(), answer):
                clash = True  # a wrong answer the asked precision cannot tell apart: draw again
                break
            mistakes.append(Mistake(value, key))
        if not clash and kind == "number" and decimals is not None:
            a = float(answer)
            # doubled, halved, square-rooted, squared or negated answers must also stay apart at this precision
            clash = any(abs(v - a) > 1e-12 and within_precision(v, a, decimals)
                        for v in (2 * a, a / 2, math.sqrt(abs(a)), a * a, -a))
        if not clash:
            return Exercise(section_id, int(seed), ex.prompt, answer, solution, kind, decimals, tuple(mistakes))
    raise RuntimeError(f"no exercise for {section_id} seed {seed} keeps its mistakes apart")  # pragma: no cover


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-12
    return a == b
