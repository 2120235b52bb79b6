"""Long-running work as generators that yield progress.

A *job* is a generator that yields :class:`Progress` records and returns its
result. Whoever drives it (the GUI's worker thread, the CLI, a script) can stop
it between yields: closing the generator raises ``GeneratorExit`` at the
current ``yield``, so ``finally`` blocks clean up. The last partial result
yielded stays with the driver, which is how "Cancel keeps the best so far"
works.

    def train(...) -> Job[Model]:
        for epoch in range(n):
            ...
            yield Progress((epoch + 1) / n, f"epoch {epoch + 1}", partial=curve)
        return model
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Generator, Generic, TypeVar

__all__ = ["Progress", "Job", "Cancelled", "CancelToken", "run_job", "JobOutcome"]

R = TypeVar("R")


@dataclass
class Progress:
    """One progress report.

    fraction: 0..1, or ``None`` when the amount of work is unknown.
    message: a short human-readable status line.
    partial: an optional partial result (an image, a curve point, a frame).
    """

    fraction: float | None
    message: str = ""
    partial: Any = None


Job = Generator[Progress, None, R]


class Cancelled(Exception):
    """Raised by :func:`run_job` when the job was cancelled before finishing."""

    def __init__(self, last_partial: Any = None):
        super().__init__("cancelled")
        self.last_partial = last_partial


class CancelToken:
    """A thread-safe flag the driver sets to ask a job to stop at its next yield."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass
class JobOutcome(Generic[R]):
    """What :func:`run_job` returns: the result and the last partial seen."""

    result: R | None
    last_partial: Any
    cancelled: bool


def run_job(
    job: Job[R],
    on_progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> JobOutcome[R]:
    """Drive a job to completion in the calling thread.

    Calls ``on_progress`` for every yielded record and stops at the next yield
    once ``cancel`` is set (the generator is closed, so its ``finally`` runs).
    Exceptions raised by the job propagate unchanged.
    """
    last_partial = None
    try:
        while True:
            if cancel is not None and cancel.cancelled:
                job.close()
                return JobOutcome(None, last_partial, True)
            progress = next(job)
            if progress.partial is not None:
                last_partial = progress.partial
            if on_progress is not None:
                on_progress(progress)
    except StopIteration as stop:
        return JobOutcome(stop.value, last_partial, False)
    except BaseException:
        job.close()  # Ctrl+C or an error in the callback: the job's finally runs now (partial files removed)
        raise
