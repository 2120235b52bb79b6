"""Live faces: camera frames → recognition, and webcam enrollment with auto-capture.

Both are jobs (generators) run off the GUI thread. Each processed frame is
yielded as a :class:`FrameResult` partial; the GUI draws the newest one.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np

from ..jobs import Job, Progress
from ..i18n import _
from .db import FaceDatabase
from .enroll import enroll_face
from .match import DEFAULT_THRESHOLD, GalleryCache, Identification
from .pipeline import Face, FacePipeline

__all__ = [
    "CameraUnavailable",
    "FrameResult",
    "CaptureGate",
    "camera_frames",
    "recognize_frames",
    "recognize_image",
    "enroll_from_frames",
]


class CameraUnavailable(RuntimeError):
    """No camera could be opened or read."""

    def __init__(self, index: int, reason: str = ""):
        self.index = index
        if reason:
            text = _("No camera available (camera {index}: {reason}). Connect a webcam, close other "
                     "programs that use it, or work from photos instead.").format(index=index, reason=reason)
        else:
            text = _("No camera available (camera {index}). Connect a webcam, close other "
                     "programs that use it, or work from photos instead.").format(index=index)
        super().__init__(text)


@dataclass
class FrameResult:
    """One processed frame: the image (H, W, 3) uint8, its faces, their identities (None when enrolling), FPS."""

    image: np.ndarray
    faces: list[Face]
    identities: list[Identification] | None = None
    fps: float = 0.0
    message: str = ""
    captured: int = 0


def camera_frames(index: int = 0, width: int = 640, height: int = 480) -> Iterator[np.ndarray]:
    """RGB frames from a camera (OpenCV). Raises :class:`CameraUnavailable`; releases the camera when closed."""
    import cv2

    cap = cv2.VideoCapture(index)
    try:
        if not cap.isOpened():
            raise CameraUnavailable(index, _("it could not be opened"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        first = True
        while True:
            ok, frame = cap.read()
            if not ok or frame is None:
                if first:
                    raise CameraUnavailable(index, _("it delivered no picture"))
                return
            first = False
            yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    finally:
        cap.release()


class _Fps:
    def __init__(self, window: int = 20):
        self._times: deque[float] = deque(maxlen=window)

    def tick(self) -> float:
        self._times.append(time.perf_counter())
        if len(self._times) < 2:
            return 0.0
        return (len(self._times) - 1) / max(self._times[-1] - self._times[0], 1e-9)


def recognize_image(pipeline: FacePipeline, cache: GalleryCache, image: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> FrameResult:
    """Detect, embed (one batch) and identify every face in one image."""
    faces = pipeline.analyze(image)
    ids = cache.get().identify(np.stack([f.descriptor for f in faces]), threshold) if faces else []
    return FrameResult(image, faces, ids)


def recognize_frames(
    frames: Iterable[np.ndarray],
    pipeline: FacePipeline,
    cache: GalleryCache,
    threshold: Callable[[], float] | float = DEFAULT_THRESHOLD,
) -> Job[int]:
    """A job: recognise faces in every frame until the frames end or the job is cancelled.

    ``threshold`` may be a callable so a slider can change it while running.
    Returns the number of frames processed.
    """
    fps = _Fps()
    n = 0
    it = iter(frames)
    try:
        for image in it:
            tau = threshold() if callable(threshold) else threshold
            result = recognize_image(pipeline, cache, image, tau)
            result.fps = fps.tick()
            n += 1
            yield Progress(None, _("{n} face(s), {fps:.1f} FPS").format(n=len(result.faces), fps=result.fps), partial=result)
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
    return n


@dataclass
class CaptureGate:
    """When a webcam frame may become an enrollment sample.

    Exactly one face, at least ``min_size`` pixels across, sharpness (variance
    of the Laplacian of the chip) at least ``min_sharpness``, and at least
    ``min_change`` (descriptor distance) away from the previous captured
    sample so the samples are not near-duplicates.
    """

    min_size: float = 80.0
    min_sharpness: float = 30.0
    min_change: float = 0.12
    previous: list[np.ndarray] = field(default_factory=list)

    def check(self, faces: list[Face]) -> tuple[bool, str]:
        """(accept, reason): the reason tells the user what to change."""
        if not faces:
            return False, _("No face in view")
        if len(faces) > 1:
            return False, _("{n} faces in view: only the person enrolling should be in the picture").format(n=len(faces))
        f = faces[0]
        if f.quality.size < self.min_size:
            return False, _("Come closer: the face is {size:.0f} px, {needed:.0f} px needed").format(
                size=f.quality.size, needed=self.min_size)
        if f.quality.sharpness < self.min_sharpness:
            return False, _("Hold still: the image is blurred (sharpness {sharpness:.0f} < {needed:.0f})").format(
                sharpness=f.quality.sharpness, needed=self.min_sharpness)
        if self.previous:
            d = float(np.linalg.norm(self.previous[-1].astype(np.float64) - f.descriptor))
            if d < self.min_change:
                return False, _("Turn your head a little: too similar to the last sample (distance {d:.2f})").format(d=d)
        return True, _("Captured")

    def accept(self, face: Face) -> None:
        self.previous.append(face.descriptor.copy())


def enroll_from_frames(
    frames: Iterable[np.ndarray],
    pipeline: FacePipeline,
    db: FaceDatabase,
    name: str,
    count: int = 5,
    gate: CaptureGate | None = None,
) -> Job[int]:
    """A job: watch frames and store a sample each time the gate accepts one, until ``count`` are stored.

    Each sample is committed when captured (a crash keeps those). Returns the number stored.
    """
    gate = gate or CaptureGate()
    fps = _Fps()
    stored = 0
    it = iter(frames)
    try:
        for image in it:
            faces = pipeline.analyze(image)
            ok, reason = gate.check(faces)
            if ok:
                enroll_face(db, pipeline, name, faces[0], source="camera")
                gate.accept(faces[0])
                stored += 1
                reason = _("Captured sample {stored}/{count}").format(stored=stored, count=count)
            result = FrameResult(image, faces, None, fps.tick(), reason, stored)
            yield Progress(stored / count, reason, partial=result)
            if stored >= count:
                break
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
    return stored
