"""Which exercises a learner has answered correctly, per section, kept in a small JSON file.

The file lives in the config folder (:func:`engine.paths.config_dir`) and is
written atomically (a temporary file, then ``os.replace``), so a crash never
leaves half a file. A damaged file is read as empty progress, not an error.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from ..i18n import _

__all__ = ["Progress", "progress_path", "parse_progress", "MAX_BYTES"]

_FILE = "course_progress.json"
_VERSION = 1
#: A progress file is a few KiB; anything beyond this is not one.
MAX_BYTES = 1 << 20
_MAX_COUNT = 10**9  # attempts and seeds above this are not a person's
_SECTION_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def progress_path() -> Path:
    """Where the course progress is stored."""
    from ..paths import config_dir

    return config_dir() / _FILE


def _count(value: Any) -> int | None:
    """``value`` as a count (an int, not a bool, between 0 and 10⁹), else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_COUNT:
        return None
    return value


def _entry(raw: Any) -> tuple[dict[str, Any] | None, bool]:
    """One section's entry checked field by field: (what is usable, whether anything was wrong)."""
    if not isinstance(raw, dict):
        return None, True
    bad = False
    seeds_raw = raw.get("correct_seeds", [])
    if not isinstance(seeds_raw, list):
        seeds_raw, bad = [], True
    seeds = sorted({s for s in seeds_raw if _count(s) is not None})
    bad = bad or len(seeds) != len(seeds_raw)
    attempts = _count(raw.get("attempts", 0))
    if attempts is None:
        attempts, bad = len(seeds), True  # at least one attempt per solved exercise
    last = raw.get("last", 0.0)
    if isinstance(last, bool) or not isinstance(last, (int, float)) or not math.isfinite(last) or last < 0:
        last, bad = 0.0, True
    bad = bad or bool(set(raw) - {"correct_seeds", "attempts", "last"})
    return {"correct_seeds": seeds, "attempts": max(attempts, len(seeds)), "last": float(last)}, bad


def parse_progress(data: bytes) -> tuple[dict[str, dict[str, Any]], bool]:
    """The sections in a progress file's bytes: (every usable entry, whether anything was wrong).

    Never raises: undecodable text, JSON nested too deep, wrong types, infinite numbers and
    unknown fields are dropped and reported as damage; the valid entries are kept. Trailing
    zero bytes or junk after the JSON object (a crash while writing) cost nothing.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text, bad = data.decode("utf-8", errors="replace"), True
    else:
        bad = False
    try:
        raw, end = json.JSONDecoder().raw_decode(text.lstrip())
        bad = bad or bool(text.lstrip()[end:].strip())
    except (ValueError, RecursionError):
        return {}, True
    sections = raw.get("sections") if isinstance(raw, dict) else None
    if not isinstance(sections, dict) or raw.get("version") != _VERSION:
        return {}, True
    out: dict[str, dict[str, Any]] = {}
    for sid, entry in sections.items():
        checked, wrong = _entry(entry)
        bad = bad or wrong or not _SECTION_ID.match(sid)
        if checked is not None and _SECTION_ID.match(sid):
            out[sid] = checked
    return out, bad


class Progress:
    """Correct answers per section: ``record(section, seed, ok)``, ``solved(section)``, ``reset()``.

    Every change is saved at once to ``path`` (default :func:`progress_path`). A damaged file
    is kept aside (``course_progress.json.damaged-<time>``), the user is told in one line, and
    the entries that were still valid are saved again as the progress.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else progress_path()
        self._writable = True
        self._data: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        from ..stored import DamagedFile, keep_aside, read_stored

        try:
            data = read_stored(self.path, MAX_BYTES)
        except DamagedFile as exc:
            data, reason = None, str(exc)
            out: dict[str, dict[str, Any]] = {}
        else:
            if data is None:
                return {}
            out, bad = parse_progress(data)
            if not bad:
                return out
            reason = _("not a valid progress file")
        what = _("the course progress file")
        n = sum(len(e["correct_seeds"]) for e in out.values())
        salvaged = (_("kept: {n} correct answer(s) in {sections} section(s)").format(n=n, sections=len(out)) if out
                    else _("progress starts afresh"))
        if keep_aside(self.path, reason, what, salvaged) is None:
            self._writable = False  # never write over a file that could not be kept aside
            return out
        if out:
            try:
                self._data = out
                self._save()
            except OSError:
                pass  # the next record() says why, if the disk still refuses
        return out

    def _save(self) -> None:
        if not self._writable:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": _VERSION, "sections": self._data}, ensure_ascii=False, indent=1, sort_keys=True)
        fd, tmp = tempfile.mkstemp(prefix=".course_progress.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def record(self, section_id: str, seed: int, correct: bool) -> None:
        """Count an attempt at exercise ``(section_id, seed)``; remember the seed when it was answered correctly."""
        entry = self._data.setdefault(section_id, {"correct_seeds": [], "attempts": 0, "last": 0.0})
        entry["attempts"] += 1
        entry["last"] = time.time()
        if correct and seed not in entry["correct_seeds"]:
            entry["correct_seeds"] = sorted(entry["correct_seeds"] + [int(seed)])
        self._save()

    def solved(self, section_id: str) -> int:
        """How many different exercises of the section were answered correctly."""
        return len(self._data.get(section_id, {}).get("correct_seeds", []))

    def attempts(self, section_id: str) -> int:
        """How many answers were checked in the section."""
        return int(self._data.get(section_id, {}).get("attempts", 0))

    def sections_done(self) -> list[str]:
        """Sections with at least one correct answer."""
        return sorted(s for s in self._data if self.solved(s))

    def reset(self, section_id: str | None = None) -> None:
        """Forget one section's progress, or everything."""
        if section_id is None:
            self._data = {}
        else:
            self._data.pop(section_id, None)
        self._save()

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return json.loads(json.dumps(self._data))
