"""Reading frames off a source: newest-frame-wins in a thread, or every frame in order.

:class:`LatestFrameReader` reads in its own thread into a one-slot buffer: a
frame that arrives while the previous one has not been taken replaces it and
counts as dropped, so whoever takes frames always gets the newest and delay
never builds up. When the source fails (camera unplugged or busy) the error is
reported in :attr:`LatestFrameReader.error` and the reader retries every
``retry_interval`` seconds until the source comes back.

:class:`SequentialReader` reads in the caller's thread at the caller's pace:
every frame of a file, nothing dropped.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from .sources import Source, SourceError

__all__ = ["Frame", "LatestFrameReader", "SequentialReader"]


@dataclass
class Frame:
    """A frame taken from a source: ``image`` (H, W, 3) uint8 RGB, its ``index`` in
    the source's stream, ``captured`` (``time.monotonic()`` when it was read) and
    ``read_ms`` (time the source took to deliver/decode it)."""

    image: np.ndarray
    index: int
    captured: float
    read_ms: float


class LatestFrameReader:
    """Reads ``source`` in a background thread and keeps only the newest frame.

    Non-live sources (files) are paced at their nominal ``fps`` (30 when
    unknown) so they play like a stream; live ones (cameras, the demo) pace themselves.
    """

    def __init__(self, source: Source, retry_interval: float = 1.0, default_fps: float = 30.0):
        self.source = source
        self.retry_interval = retry_interval
        self.default_fps = default_fps
        self.dropped = 0
        self.frames_read = 0
        self.error: str | None = None
        self.finished = False
        self._slot: Frame | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "LatestFrameReader":
        """Start the reading thread (returns self)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"reader:{self.source.name}", daemon=True)
        self._thread.start()
        return self

    def _fail(self, exc: BaseException) -> None:
        with self._cond:
            self.error = str(exc) or type(exc).__name__
            self._cond.notify_all()
        try:
            self.source.close()
        except Exception:  # closing a broken device must not kill the reader
            pass
        self._stop.wait(self.retry_interval)

    def _run(self) -> None:
        opened = False
        period = None if self.source.live else 1.0 / (self.source.fps or self.default_fps)
        next_time = time.monotonic()
        index = 0
        try:
            while not self._stop.is_set():
                if not opened:
                    try:
                        self.source.open()
                        opened = True
                        if not self.source.live:
                            period = 1.0 / (self.source.fps or self.default_fps)
                    except SourceError as exc:
                        self._fail(exc)
                        continue
                if period is not None:
                    delay = next_time - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        break
                    next_time = max(next_time + period, time.monotonic() - period)
                t0 = time.perf_counter()
                try:
                    image = self.source.read()
                except SourceError as exc:
                    opened = False
                    self._fail(exc)
                    continue
                except Exception as exc:  # a driver error of any kind: report and retry
                    opened = False
                    self._fail(SourceError(f"{self.source.name}: {exc}"))
                    continue
                read_ms = (time.perf_counter() - t0) * 1000.0
                with self._cond:
                    if image is None:
                        self.finished = True
                        self._cond.notify_all()
                        break
                    if self._slot is not None:
                        self.dropped += 1
                    self._slot = Frame(image, index, time.monotonic(), read_ms)
                    self.frames_read += 1
                    self.error = None
                    self._cond.notify_all()
                index += 1
        finally:
            try:
                self.source.close()
            except Exception:
                pass
            with self._cond:
                self.finished = True if self._stop.is_set() or self.finished else self.finished
                self._cond.notify_all()

    def get(self, timeout: float | None = None) -> Frame | None:
        """Take the newest frame, waiting up to ``timeout`` seconds for one.

        Returns ``None`` on timeout, at the end of the stream, or while the
        source is failing (see :attr:`error`).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._slot is None and not self.finished:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)
            frame, self._slot = self._slot, None
            return frame

    def stop(self, timeout: float = 2.0) -> None:
        """Stop reading and release the source."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> "LatestFrameReader":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class SequentialReader:
    """Every frame of ``source`` in order, read when asked (no thread, no drops)."""

    def __init__(self, source: Source):
        self.source = source
        self.dropped = 0
        self.frames_read = 0
        self.error: str | None = None
        self.finished = False
        self._opened = False

    def start(self) -> "SequentialReader":
        return self

    def get(self, timeout: float | None = None) -> Frame | None:
        if self.finished:
            return None
        if not self._opened:
            self.source.open()
            self._opened = True
        t0 = time.perf_counter()
        image = self.source.read()
        if image is None:
            self.finished = True
            return None
        frame = Frame(image, self.frames_read, time.monotonic(), (time.perf_counter() - t0) * 1000.0)
        self.frames_read += 1
        return frame

    def stop(self, timeout: float = 2.0) -> None:
        self.source.close()
        self._opened = False
