"""Run engine job generators in worker threads and deliver their progress on the GUI thread.

A job (see :mod:`engine.jobs`) runs in a :class:`JobThread`. Progress records
are queued and delivered in batches through a queued signal, so a job that
yields thousands of times a second cannot flood the event loop:
``on_progress`` sees every record in order, ``on_partial`` only the newest
partial result of each batch (rendering every video frame would fall behind).
Cancel closes the generator at its next yield.

A job's end is delivered while its thread is still returning from ``run``;
the thread is therefore kept alive (no Qt parent, a reference held here)
until it has really finished, and :meth:`JobRunner.wait_all` waits for it:
a window closed or deleted right after a job's callback must not destroy a
running QThread (Qt aborts on that).
"""

from __future__ import annotations

import atexit
import logging
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, Signal

from engine.jobs import Progress
from engine.logs import is_expected, log_failure

__all__ = ["JobThread", "JobHandle", "JobRunner", "track_thread", "stop_all_threads", "running_threads"]

log = logging.getLogger(__name__)

#: Threads started and not yet finished, whoever started them (keeps their wrappers alive).
_LIVE: set["JobThread"] = set()


#: Other worker threads (the detection loop…) with the call that asks each to stop.
_OTHERS: dict[QThread, Callable[[], None]] = {}
_others_lock = threading.Lock()


def _retire(thread: "JobThread") -> None:
    _LIVE.discard(thread)
    thread.deleteLater()


def track_thread(thread: QThread, stop: Callable[[], None]) -> None:
    """Have :func:`stop_all_threads` stop ``thread`` (by calling ``stop``) and wait for it, until it has finished."""
    with _others_lock:
        _OTHERS[thread] = stop
    thread.finished.connect(lambda t=thread: _untrack(t), Qt.ConnectionType.DirectConnection)


def _untrack(thread: QThread) -> None:
    with _others_lock:
        _OTHERS.pop(thread, None)


def running_threads() -> list[QThread]:
    """Every job thread and tracked worker thread still running, whoever started it."""
    with _others_lock:
        others = list(_OTHERS)
    found = []
    for t in [*list(_LIVE), *others]:
        try:
            if shiboken6.isValid(t) and t.isRunning():
                found.append(t)
        except RuntimeError:
            pass
    return found


def stop_all_threads() -> None:
    """Ask every running job thread and tracked worker to stop, and wait until each has finished.

    Called when the window closes and again when the application quits: Qt aborts the whole
    process when a QThread object is destroyed while its thread still runs, so there is no
    time limit here; a job stops at its next yield.
    """
    with _others_lock:
        others = dict(_OTHERS)
    for t in list(_LIVE):
        if shiboken6.isValid(t):
            t.cancel()
    for t, stop in others.items():
        try:
            stop()
        except RuntimeError:  # its Python side is gone already
            pass
    for t in running_threads():
        try:
            t.wait()
        except RuntimeError:
            pass


atexit.register(stop_all_threads)  # a script that never closes its window: still no running thread at exit


class JobThread(QThread):
    """A thread that drives one job generator."""

    batchReady = Signal()
    succeeded = Signal(object)
    failed = Signal(object, str)
    cancelledWith = Signal(object)

    def __init__(self, job, parent: QObject | None = None):
        super().__init__(parent)
        self._job = job
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._queue: list[Progress] = []
        self._signalled = False
        self.last_partial: Any = None

    def cancel(self) -> None:
        """Ask the job to stop at its next yield."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def take_batch(self) -> list[Progress]:
        """The progress records queued since the last call (GUI thread)."""
        with self._lock:
            batch, self._queue = self._queue, []
            self._signalled = False
        return batch

    def run(self) -> None:  # worker thread
        job = self._job
        try:
            while True:
                if self._cancel.is_set():
                    job.close()
                    self.cancelledWith.emit(self.last_partial)
                    return
                progress = next(job)
                if not isinstance(progress, Progress):
                    progress = Progress(None, "", progress)
                if progress.partial is not None:
                    self.last_partial = progress.partial
                with self._lock:
                    self._queue.append(progress)
                    emit = not self._signalled
                    self._signalled = True
                if emit:
                    self.batchReady.emit()
        except StopIteration as stop:
            self.succeeded.emit(stop.value)
        except BaseException as exc:  # reported to the GUI; the thread must not die silently
            text = traceback.format_exc()
            log_failure(log, "job failed", exc, text)
            self.failed.emit(exc, text)


@dataclass
class JobHandle:
    """A running job: its label, thread and callbacks."""

    label: str
    thread: JobThread
    on_progress: Callable[[Progress], None] | None = None
    on_partial: Callable[[Any], None] | None = None
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException, str], None] | None = None
    on_cancelled: Callable[[Any], None] | None = None
    fraction: float | None = None
    message: str = ""
    finished: bool = field(default=False)

    def cancel(self) -> None:
        self.thread.cancel()

    @property
    def running(self) -> bool:
        return not self.finished


class JobRunner(QObject):
    """Starts jobs and tracks them; the status bar listens to its signals."""

    changed = Signal()  # a job started, progressed or ended
    errorOccurred = Signal(str, str, str)  # label, message, traceback

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._handles: list[JobHandle] = []
        self._threads: set[JobThread] = set()  # started and not finished, ended jobs included

    def start(
        self,
        job,
        label: str = "Working",
        on_progress: Callable[[Progress], None] | None = None,
        on_partial: Callable[[Any], None] | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException, str], None] | None = None,
        on_cancelled: Callable[[Any], None] | None = None,
    ) -> JobHandle:
        """Run ``job`` (a generator) in a worker thread. Callbacks run on the GUI thread.

        ``on_error`` defaults to reporting through :attr:`errorOccurred` (the
        window shows a dialog). ``on_cancelled`` receives the last partial result.
        """
        thread = JobThread(job)  # no parent: deleting the runner must not destroy a running thread
        handle = JobHandle(label, thread, on_progress, on_partial, on_done, on_error, on_cancelled)
        thread.batchReady.connect(lambda h=handle: self._alive() and self._deliver(h))
        thread.succeeded.connect(lambda result, h=handle: self._alive() and self._succeeded(h, result))
        thread.failed.connect(lambda exc, tb, h=handle: self._alive() and self._failed(h, exc, tb))
        thread.cancelledWith.connect(lambda partial, h=handle: self._alive() and self._cancelled(h, partial))
        thread.finished.connect(lambda t=thread: self._thread_finished(t))
        self._handles.append(handle)
        self._threads.add(thread)
        _LIVE.add(thread)
        thread.start()
        self.changed.emit()
        return handle

    # -- delivery (GUI thread) --

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    def _thread_finished(self, thread: JobThread) -> None:
        self._threads.discard(thread)
        _retire(thread)

    def _deliver(self, h: JobHandle) -> None:
        batch = h.thread.take_batch()
        if not batch or h.finished:
            return
        newest_partial = None
        for progress in batch:
            if progress.fraction is not None:
                h.fraction = progress.fraction
            if progress.message:
                h.message = progress.message
            if progress.partial is not None:
                newest_partial = progress.partial
            if h.on_progress is not None:
                h.on_progress(progress)
        if newest_partial is not None and h.on_partial is not None:
            h.on_partial(newest_partial)
        self.changed.emit()

    def _end(self, h: JobHandle) -> None:
        self._deliver(h)
        h.finished = True
        if h in self._handles:
            self._handles.remove(h)
        self.changed.emit()

    def _succeeded(self, h: JobHandle, result: Any) -> None:
        self._end(h)
        if h.on_done is not None:
            h.on_done(result)

    def _failed(self, h: JobHandle, exc: BaseException, tb: str) -> None:
        self._end(h)
        if h.on_error is not None:
            h.on_error(exc, tb)
        else:
            # no camera, no network, a full disk: the message says it all, a traceback would only alarm
            self.errorOccurred.emit(h.label, str(exc) or type(exc).__name__, "" if is_expected(exc) else tb)

    def _cancelled(self, h: JobHandle, partial: Any) -> None:
        self._end(h)
        if h.on_cancelled is not None:
            h.on_cancelled(partial)

    # -- queries and control --

    def active(self) -> list[JobHandle]:
        """Running jobs, oldest first."""
        return list(self._handles)

    def current(self) -> JobHandle | None:
        """The most recently started running job."""
        return self._handles[-1] if self._handles else None

    def cancel_all(self) -> None:
        for h in self._handles:
            h.cancel()

    def wait_all(self, msecs: int | None = 5000) -> bool:
        """Cancel and wait for every job's thread (used at shutdown), ended jobs still returning included.

        ``msecs`` bounds the wait for each thread (None: until it has finished). True if all stopped.
        """
        for h in list(self._handles):
            h.cancel()
        ok = True
        for thread in list(self._threads):
            ok = (thread.wait() if msecs is None else thread.wait(msecs)) and ok
        return ok
