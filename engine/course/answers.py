"""Reading a learner's answer: numbers, shapes ("4x4", "4×4×2"), lists and yes/no, in English or Chinese."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from typing import Any

__all__ = ["parse_number", "parse_numbers", "parse_shape", "parse_yes_no", "numbers_close"]

_NUM = re.compile(r"[-−+]?\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?")
_THOUSANDS = re.compile(r"(?<=\d)[,_ ](?=\d{3}\b)")


def _number(token: str) -> float:
    token = token.replace("−", "-")
    if "/" in token:
        num, den = token.split("/")
        return float(Fraction(num)) / float(Fraction(den)) if float(den) else math.nan
    return float(token)


def parse_number(answer: Any) -> float | None:
    """One number from ``answer``: 3, "3", "6,176", "0.25", "1/7", "14.3%" (→ 0.143). None if there is not exactly one."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float)):
        return float(answer)
    text = _THOUSANDS.sub("", str(answer).strip())
    found = _NUM.findall(text)
    if len(found) != 1:
        return None
    value = _number(found[0])
    return value / 100 if text.endswith("%") else value


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
    text = str(answer).strip()
    if text.startswith("["):
        try:
            return parse_numbers(json.loads(text))
        except (json.JSONDecodeError, TypeError):
            pass  # not JSON ("[9 2; 6 3]"): read the numbers in the text
    found = _NUM.findall(text)
    return [_number(t) for t in found] if found else None


def parse_shape(answer: Any) -> list[int] | None:
    """A shape: "4x4", "4×4×2", "4 * 4 * 2", "(4, 4, 2)", [4, 4, 2]. None if it is not whole numbers."""
    if isinstance(answer, (list, tuple)):
        values = [parse_number(a) for a in answer]
    else:
        text = str(answer).strip().lower().replace("×", "x").replace("*", "x")
        values = [float(t) for t in re.findall(r"\d+(?:\.\d+)?", text)]
    if not values or any(v is None or v != int(v) or v < 0 for v in values):
        return None
    return [int(v) for v in values]


_YES = {"yes", "y", "true", "same", "1", "是", "对", "是的", "相同", "同一人", "同一个人"}
_NO = {"no", "n", "false", "different", "0", "否", "不是", "不", "不同", "不是同一人", "不是同一个人"}


def parse_yes_no(answer: Any) -> bool | None:
    """yes/no, true/false, same/different, 是/否… → True/False; None if unclear."""
    if isinstance(answer, bool):
        return answer
    text = str(answer).strip().lower().rstrip(".!。")
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def numbers_close(a: float, b: float, tolerance: float) -> bool:
    """Equal within ``tolerance`` (absolute) or 0.1 % (relative, for large numbers)."""
    return math.isclose(a, b, abs_tol=tolerance, rel_tol=1e-3)
