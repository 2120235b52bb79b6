"""Reading a learner's answer: numbers, shapes ("4x4", "4×4×2"), lists and yes/no, in English or Chinese.

Full-width characters (２，３５９，８０８, （４，４，２）, ０．２５, ３＊３＊１６) read as their ASCII
forms; thousands may be grouped with commas, spaces, apostrophes or underscores (2,359,808).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from fractions import Fraction
from typing import Any

__all__ = ["normalize", "parse_number", "parse_numbers", "parse_shape", "parse_yes_no", "decimals_of",
           "within_precision"]

_NUM = re.compile(r"[-+]?\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?")
_THOUSANDS = re.compile(r"(?<=\d)[,_' \u00a0\u202f\u2009](?=\d{3}(?!\d))")
#: multiplication signs people type between the axes of a shape
_TIMES = str.maketrans({"×": "x", "✕": "x", "⨯": "x", "╳": "x", "X": "x", "*": "x", "·": "x", "⋅": "x", "•": "x"})


def normalize(answer: Any) -> str:
    """``answer`` as plain ASCII-ish text: full-width forms folded (NFKC), minus signs and Chinese commas unified."""
    text = unicodedata.normalize("NFKC", str(answer)).strip()
    text = text.replace("−", "-").replace("–", "-").replace("、", ",")
    # a full stop between digits is a decimal point (０。２５)
    return re.sub(r"(?<=\d)。(?=\d)", ".", text)


def _number(token: str) -> float:
    if "/" in token:
        num, den = token.split("/")
        return float(Fraction(num)) / float(Fraction(den)) if float(den) else math.nan
    return float(token)


def parse_number(answer: Any) -> float | None:
    """One number from ``answer``: 3, "3", "6,176", "０．２５", "1/7", "14.3%" (→ 0.143). None if there is not exactly one."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float)):
        return float(answer)
    text = _THOUSANDS.sub("", normalize(answer))
    found = _NUM.findall(text)
    if len(found) != 1:
        return None
    value = _number(found[0])
    return value / 100 if text.endswith("%") else value


def decimals_of(answer: Any) -> int | None:
    """How many decimal places a single-number answer was written with (None for fractions, percentages, non-numbers)."""
    if isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
        return None
    text = _THOUSANDS.sub("", normalize(answer))
    found = _NUM.findall(text)
    if len(found) != 1 or "/" in found[0] or text.endswith("%"):
        return None
    return len(found[0].split(".")[1]) if "." in found[0] else 0


def parse_numbers(answer: Any) -> list[float] | None:
    """Every number in ``answer`` in reading order (a list, a JSON list, or text such as "[[9, 2], [6, 3]]" or "9 2; 6 3")."""
    if isinstance(answer, (list, tuple)):
        out: list[float] = []
        for a in answer:
            inner = parse_numbers(a)
            if inner is None:
                return None
            out.extend(inner)
        return out
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        return [float(answer)]
    text = normalize(answer)
    if text.startswith("["):
        try:
            return parse_numbers(json.loads(text))
        except (json.JSONDecodeError, TypeError):
            pass  # not JSON ("[9 2; 6 3]"): read the numbers in the text
    found = _NUM.findall(text)
    return [_number(t) for t in found] if found else None


def parse_shape(answer: Any) -> list[int] | None:
    """A shape: "4x4", "4×4×2", "4 * 4 * 2", "(4, 4, 2)", "（４，４，２）", [4, 4, 2]. None if it is not whole numbers."""
    if isinstance(answer, (list, tuple)):
        values = [parse_number(a) for a in answer]
    else:
        text = normalize(answer).lower().translate(_TIMES)
        values = [float(t) for t in re.findall(r"\d+(?:\.\d+)?", text)]
    if not values or any(v is None or v != int(v) or v < 0 for v in values):
        return None
    return [int(v) for v in values]


def within_precision(given: float, want: float, decimals: int | None) -> bool:
    """``decimals`` None: exactly equal (counts). Otherwise equal to ``decimals`` places: at most half a unit of the last place apart."""
    if decimals is None:
        return given == want
    return abs(given - want) <= 0.5 * 10.0 ** -decimals + 1e-9


_YES = {"yes", "y", "true", "same", "1", "是", "对", "是的", "相同", "同一人", "同一个人"}
_NO = {"no", "n", "false", "different", "0", "否", "不是", "不", "不同", "不是同一人", "不是同一个人"}


def parse_yes_no(answer: Any) -> bool | None:
    """yes/no, true/false, same/different, 是/否… → True/False; None if unclear."""
    if isinstance(answer, bool):
        return answer
    text = normalize(answer).lower().rstrip(".!。")
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None
