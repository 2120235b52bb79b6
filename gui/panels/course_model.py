"""State of the Course panel: the section shown, its exercise (seed, typed answer, verdict) and the progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.course import PARTS, SECTIONS, Exercise, Verdict, make_exercise, section_ids, sections_of
from engine.course.progress import Progress

__all__ = ["CourseModel", "SETTINGS_SECTION"]

#: Settings key of the last section shown (the Welcome panel's "continue").
SETTINGS_SECTION = "course/section"


class CourseModel(QObject):
    """The course's state, with change signals.

    Texts are never stored: the exercise is rebuilt from ``(section, seed)`` and the
    verdict from the checked answer, so both follow a language switch. Correct answers
    are recorded in :class:`engine.course.progress.Progress` (a JSON file in the config folder).
    """

    sectionChanged = Signal(str)
    exerciseChanged = Signal()
    progressChanged = Signal()

    def __init__(self, settings=None, progress_path: str | Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._settings = settings
        self.progress = Progress(progress_path)
        saved = str(settings.value(SETTINGS_SECTION, "")) if settings is not None else ""
        self.section_id = saved if saved in section_ids() else SECTIONS[0].id
        self.seeds: dict[str, int] = {}
        self.answer = ""
        self.checked_answer: str | None = None

    # -- section --

    def select(self, section_id: str) -> None:
        """Show section ``section_id`` (remembered in the settings). Raises KeyError for an unknown id."""
        if section_id not in section_ids():
            raise KeyError(section_id)
        if self._settings is not None:
            self._settings.setValue(SETTINGS_SECTION, section_id)
        if section_id == self.section_id:
            return
        self.section_id = section_id
        self.answer, self.checked_answer = "", None
        self.sectionChanged.emit(section_id)
        self.exerciseChanged.emit()

    # -- exercise --

    @property
    def seed(self) -> int:
        return self.seeds.get(self.section_id, 0)

    def exercise(self) -> Exercise:
        """The current section's exercise, in the current language."""
        return make_exercise(self.section_id, self.seed)

    def set_answer(self, text: str) -> None:
        """Remember the typed (not yet checked) answer."""
        self.answer = text

    def check(self, text: str | None = None) -> Verdict:
        """Check ``text`` (default: the typed answer); a correct answer is recorded in the progress."""
        if text is not None:
            self.answer = text
        verdict = self.exercise().check(self.answer)
        self.checked_answer = self.answer
        if self.answer.strip():
            self.progress.record(self.section_id, self.seed, verdict.ok)
            self.progressChanged.emit()
        self.exerciseChanged.emit()
        return verdict

    def verdict(self) -> Verdict | None:
        """The verdict of the last checked answer (recomposed in the current language), or None."""
        if self.checked_answer is None:
            return None
        return self.exercise().check(self.checked_answer)

    def new_numbers(self) -> None:
        """A fresh exercise for the section (the next seed)."""
        self.seeds[self.section_id] = self.seed + 1
        self.answer, self.checked_answer = "", None
        self.exerciseChanged.emit()

    # -- progress --

    def solved(self, section_id: str) -> int:
        """Exercises of the section answered correctly."""
        return self.progress.solved(section_id)

    def part_progress(self, part_id: str) -> tuple[int, int]:
        """(sections with a solved exercise, sections) of one of the note's parts."""
        secs = sections_of(part_id)
        return sum(1 for s in secs if self.progress.solved(s.id)), len(secs)

    def parts(self) -> list[str]:
        return [p.id for p in PARTS]

    def reset_progress(self) -> None:
        """Forget every correct answer."""
        self.progress.reset()
        self.progressChanged.emit()
