"""Saving what the pipeline sees: PNG snapshots, MP4 recordings, JSON lines."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

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
        raise RecordError(f"{path}: could not write the snapshot ({exc})") from None


class VideoRecorder:
    """Writes RGB frames to an MP4 (OpenCV, ``mp4v``). The size is fixed by the first
    frame; later frames of another size are resized to it. The file is opened at the
    first frame; :meth:`write` raises :class:`RecordError` when it cannot be written."""

    def __init__(self, path: str | os.PathLike, fps: float = 30.0):
        self.path = Path(path)
        self.fps = float(fps) if fps and fps > 0 else 30.0
        self.frames = 0
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None

    def write(self, rgb: np.ndarray) -> None:
        if self._writer is None:
            h, w = rgb.shape[:2]
            self._size = (w - w % 2, h - h % 2)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RecordError(f"{self.path}: could not create its folder ({exc})") from None
            writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, self._size)
            if not writer.isOpened():
                raise RecordError(f"{self.path}: could not open an MP4 writer (is the folder writable and the name *.mp4?)")
            self._writer = writer
        if (rgb.shape[1], rgb.shape[0]) != self._size:
            rgb = cv2.resize(rgb, self._size, interpolation=cv2.INTER_AREA)
        self._writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        self.frames += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __enter__(self) -> "VideoRecorder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class JsonlExporter:
    """Appends one JSON object per frame: ``{"frame": i, ...Detections.to_dict(), **extra}``."""

    def __init__(self, path: str | os.PathLike, include_raw: bool = True):
        self.path = Path(path)
        self.include_raw = include_raw
        self.lines = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "w", encoding="utf-8")
        except OSError as exc:
            raise RecordError(f"{self.path}: could not open for writing ({exc})") from None

    def write(self, frame_index: int, detections: Detections, **extra: Any) -> None:
        record = {"frame": int(frame_index), **detections.to_dict(self.include_raw), **extra}
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.lines += 1

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> "JsonlExporter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
