"""Saving what the pipeline sees: PNG snapshots, MP4 recordings, JSON lines."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..files import describe_os_error, disk_error, temp_name
from ..i18n import _
from .types import Detections

__all__ = ["save_snapshot", "VideoRecorder", "JsonlExporter", "RecordError"]


class RecordError(RuntimeError):
    """A recording or export file could not be written."""


def save_snapshot(path: str | os.PathLike, rgb: np.ndarray, detections: Detections | None = None) -> Path:
    """Write ``rgb`` to a PNG; the detections go into its text metadata (JSON)."""
    from ..io import save_image

    meta = {"detections": json.dumps(detections.to_dict(include_raw=False))} if detections is not None else {}
    try:
        return save_image(path, rgb, meta)
    except OSError as exc:
        raise RecordError(describe_os_error(exc, path)) from None


class VideoRecorder:
    """Writes RGB frames to an MP4 (OpenCV, ``mp4v``). The size is fixed by the first
    frame; later frames of another size are resized to it. Frames go to a temporary
    file next to ``path`` that takes its name only when :meth:`close` finds every
    frame on disk; otherwise it is removed (an older file of that name stays) and
    :class:`RecordError` says why in one line (a full disk: "no space left on …")."""

    def __init__(self, path: str | os.PathLike, fps: float = 30.0):
        self.path = Path(path)
        self.fps = float(fps) if fps and fps > 0 else 30.0
        self.frames = 0
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None
        self._tmp: Path | None = None

    def write(self, rgb: np.ndarray) -> None:
        if self._writer is None:
            h, w = rgb.shape[:2]
            self._size = (w - w % 2, h - h % 2)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RecordError(describe_os_error(exc, self.path)) from None
            self._tmp = temp_name(self.path)
            writer = cv2.VideoWriter(str(self._tmp), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, self._size)
            if not writer.isOpened():
                self._discard()
                raise RecordError(_("{path}: could not open an MP4 writer (is the folder writable and the name *.mp4?)").format(path=self.path))
            self._writer = writer
        if (rgb.shape[1], rgb.shape[0]) != self._size:
            rgb = cv2.resize(rgb, self._size, interpolation=cv2.INTER_AREA)
        log = cv2.utils.logging
        level = log.getLogLevel()
        log.setLogLevel(min(level, log.LOG_LEVEL_ERROR))  # a failed frame is reported once, by close()
        try:
            self._writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        finally:
            log.setLogLevel(level)
        self.frames += 1

    def _discard(self) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def close(self) -> None:
        """Finish the file; raises :class:`RecordError` (and keeps nothing) if it is incomplete."""
        if self._writer is None:
            return
        self._writer.release()
        self._writer = None
        tmp = self._tmp
        try:
            # OpenCV's writer never reports a failed write: count what reached the disk.
            stored = _frames_in(tmp)
            if stored < self.frames:
                raise disk_error(self.path)
            os.replace(tmp, self.path)
            self._tmp = None
        except OSError as exc:
            self._discard()
            raise RecordError(describe_os_error(exc, self.path)) from None

    def abort(self) -> None:
        """Stop without keeping anything (the temporary file is removed)."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        self._discard()

    def __enter__(self) -> "VideoRecorder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _frames_in(path: Path) -> int:
    """Frames OpenCV finds in ``path`` (0 if unreadable); FFmpeg's own complaints about a
    broken file are kept off the terminal, the caller reports in one line."""
    try:
        saved = os.dup(2)
    except OSError:
        saved = None
    try:
        if saved is not None:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
        cap = cv2.VideoCapture(str(path))
        stored = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if cap.isOpened() else 0
        cap.release()
        return stored
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


class JsonlExporter:
    """Writes one JSON object per frame: ``{"frame": i, ...Detections.to_dict(), **extra}``.

    Lines go to a temporary file next to ``path``, renamed on :meth:`close`; a
    failed write (disk full) raises :class:`RecordError` in one line, removes the
    temporary file and leaves an older ``path`` as it was.
    """

    def __init__(self, path: str | os.PathLike, include_raw: bool = True):
        self.path = Path(path)
        self.include_raw = include_raw
        self.lines = 0
        self._tmp = temp_name(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self._tmp, "w", encoding="utf-8")
        except OSError as exc:
            raise RecordError(describe_os_error(exc, self.path)) from None

    def write(self, frame_index: int, detections: Detections, **extra: Any) -> None:
        record = {"frame": int(frame_index), **detections.to_dict(self.include_raw), **extra}
        try:
            self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as exc:
            self.abort()
            raise RecordError(describe_os_error(exc, self.path)) from None
        self.lines += 1

    def close(self) -> None:
        """Flush to disk and rename into place; raises :class:`RecordError` if that fails."""
        if self._fh.closed:
            return
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.abort()
            raise RecordError(describe_os_error(exc, self.path)) from None

    def abort(self) -> None:
        """Close and remove the temporary file; ``path`` is not touched."""
        try:
            self._fh.close()
        except OSError:
            pass
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> "JsonlExporter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
