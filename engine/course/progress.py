"""Which exercises a learner has answered correctly, per section, kept in a small JSON file.

The file lives in the config folder (:func:`engine.paths.config_dir`) and is
written atomically (a temporary file, then ``os.replace``), so a crash never
leaves half a file. A damaged file is read as empty progress, not an error.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["Progress", "progress_path"]

_FILE = "course_progress.json"
_VERSION = 1


def progress_path() -> Path:
    """Where the course progress is stored."""
    from ..paths import config_dir

    return config_dir() / _FILE


class Progress:
    """Correct answers per section: ``record(section, seed, ok)``, ``solved(section)``, ``reset()``.

    Every change is saved at once to ``path`` (default :func:`progress_path`).
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else progress_path()
        self._data: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            raw = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        sections = raw.get("sections") if isinstance(raw, dict) else None
        if not isinstance(sections, dict):
            return {}
        out: dict[str, dict[str, Any]] = {}
        for sid, entry in sections.items():
            if isinstance(entry, dict):
                seeds = [int(s) for s in entry.get("correct_seeds", []) if isinstance(s, int)]
                out[str(sid)] = {"correct_seeds": sorted(set(seeds)), "attempts": int(entry.get("attempts", 0) or 0),
                                 "last": float(entry.get("last", 0) or 0)}
        return out

    def _save(self) -> None:
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
