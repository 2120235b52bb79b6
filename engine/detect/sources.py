"""Frame sources: cameras, video files, images, folders of images, and a demo scene.

Every source yields (H, W, 3) uint8 RGB frames from :meth:`Source.read`
(``None`` at the end of a file). A camera that is missing, busy or unplugged
raises :class:`CameraError` with a plain explanation; :class:`LatestFrameReader`
keeps retrying and resumes when the camera returns.

    source = open_source("demo")        # or "cam:0", "clip.mp4", "photo.jpg", "folder/"
"""

from __future__ import annotations

import contextlib
import glob
import os
import sys
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from ..i18n import _, join_list

__all__ = [
    "SourceError",
    "CameraError",
    "Source",
    "CameraSource",
    "VideoFileSource",
    "ImageSource",
    "FolderSource",
    "DemoSource",
    "CameraInfo",
    "list_cameras",
    "open_source",
    "VIDEO_SUFFIXES",
]

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".gif")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")


class SourceError(RuntimeError):
    """A source could not be opened or stopped delivering frames."""


class CameraError(SourceError):
    """A camera is missing, busy or was unplugged."""


class Source(ABC):
    """A stream of RGB frames.

    ``live``: frames come in real time whether or not anyone reads them
    (cameras, the demo); a reader keeps only the newest. Files are not live:
    they can be read at the detector's pace, every frame.
    ``fps``: the nominal rate (``None`` when unknown). ``loops``: restarts at the end.
    """

    name: str = ""
    live: bool = False
    fps: float | None = None
    frame_count: int | None = None

    def open(self) -> None:
        """Acquire the device or file (raises :class:`SourceError`)."""

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next frame, or ``None`` at the end (raises :class:`SourceError`)."""

    def close(self) -> None:
        """Release the device or file; :meth:`open` may be called again."""

    def __enter__(self) -> "Source":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _bgr_to_rgb(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


# -- cameras --


@dataclass
class CameraInfo:
    """A camera found by :func:`list_cameras`: OpenCV index, OS name, default resolution (w, h)."""

    index: int
    name: str
    resolution: tuple[int, int] | None

    @property
    def label(self) -> str:
        res = f" {self.resolution[0]}×{self.resolution[1]}" if self.resolution else ""
        return _("Camera {index}: {name}").format(index=self.index, name=self.name) + res


def _os_camera_name(index: int) -> str:
    path = f"/sys/class/video4linux/video{index}/name"
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().strip() or f"camera {index}"
    except OSError:
        return f"camera {index}"


def _backend() -> int:
    if sys.platform.startswith("linux"):
        return cv2.CAP_V4L2
    if sys.platform == "darwin":
        return cv2.CAP_AVFOUNDATION
    if sys.platform.startswith("win"):
        return cv2.CAP_DSHOW
    return cv2.CAP_ANY


@contextlib.contextmanager
def _opencv_quiet():
    """OpenCV prints its own WARN lines when a camera index has no device; our message says it once, plainly."""
    logging_api = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging_api is None:
        yield
        return
    level = logging_api.getLogLevel()
    logging_api.setLogLevel(logging_api.LOG_LEVEL_ERROR)
    try:
        yield
    finally:
        logging_api.setLogLevel(level)


def _capture(index: int) -> "cv2.VideoCapture":
    with _opencv_quiet():
        return cv2.VideoCapture(index, _backend())


def _probe(index: int, out: dict) -> None:
    cap = _capture(index)
    try:
        if cap.isOpened():
            w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
            out[index] = (w, h) if w and h else None
    finally:
        cap.release()


def list_cameras(max_index: int = 10, timeout: float = 0.5) -> list[CameraInfo]:
    """Cameras at OpenCV indices ``0 .. max_index-1`` that open, probed in parallel.

    On Linux only indices with a ``/dev/videoN`` node are tried; each probe
    gets ``timeout`` seconds (a hung driver cannot stall the caller). Names come
    from ``/sys/class/video4linux`` where the OS gives them.
    """
    indices = list(range(max_index))
    if sys.platform.startswith("linux"):
        indices = [i for i in indices if os.path.exists(f"/dev/video{i}")]
    found: dict[int, tuple[int, int] | None] = {}
    threads = [threading.Thread(target=_probe, args=(i, found), daemon=True) for i in indices]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return [CameraInfo(i, _os_camera_name(i), found[i]) for i in sorted(dict(found))]


class CameraSource(Source):
    """A webcam by OpenCV index, optionally at a requested resolution (w, h)."""

    live = True

    def __init__(self, index: int = 0, resolution: tuple[int, int] | None = None):
        self.index = int(index)
        self.resolution = resolution
        self.name = f"Camera {self.index}"
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> None:
        if self._cap is not None and self._cap.isOpened():
            return  # already open (checked at start by the caller); a failed read closes it first
        self.close()
        cap = _capture(self.index)
        if not cap.isOpened():
            cap.release()
            raise CameraError(
                _("Camera {index} could not be opened: it is not connected, or another program is using it.").format(index=self.index)
            )
        if self.resolution:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.resolution[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.resolution[1])
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and fps > 0 else None
        self._cap = cap

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            self.open()
        ok, frame = self._cap.read()
        if not ok or frame is None:
            self.close()
            raise CameraError(_("Camera {index} stopped delivering frames (unplugged or taken by another program).").format(index=self.index))
        return _bgr_to_rgb(frame)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


# -- files --


class VideoFileSource(Source):
    """A video file decoded by OpenCV (FFmpeg). ``loop`` restarts at the end."""

    live = False

    def __init__(self, path: str | os.PathLike, loop: bool = False):
        self.path = Path(path)
        self.name = self.path.name
        self.loop = loop
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> None:
        self.close()
        if not self.path.is_file():
            raise SourceError(_("{path}: no such video file").format(path=self.path))
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise SourceError(_("{path}: not a video OpenCV can decode").format(path=self.path))
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and fps > 0 else None
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None
        self._cap = cap

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            self.open()
        ok, frame = self._cap.read()
        if not ok and self.loop:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        return _bgr_to_rgb(frame) if ok and frame is not None else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def _load(path: Path) -> np.ndarray:
    from ..io import ImageLoadError, load_image

    try:
        return load_image(path)
    except ImageLoadError as exc:
        raise SourceError(str(exc)) from None


class ImageSource(Source):
    """One still image, delivered ``repeat`` times (``None`` = forever, so sliders keep acting on it;
    then at ``fps``, 5 by default, since re-reading a still needs no more)."""

    live = False

    def __init__(self, path: str | os.PathLike | None = None, image: np.ndarray | None = None, repeat: int | None = 1, name: str = ""):
        self.path = Path(path) if path is not None else None
        self.name = name or (self.path.name if self.path else "image")
        self._image = image
        self.repeat = repeat
        self.frame_count = repeat
        self.fps = 5.0 if repeat is None else None
        self._given = 0

    def open(self) -> None:
        if self._image is None:
            self._image = _load(self.path)
        self._given = 0

    def read(self) -> np.ndarray | None:
        if self._image is None:
            self.open()
        if self.repeat is not None and self._given >= self.repeat:
            return None
        self._given += 1
        return self._image.copy()


class FolderSource(Source):
    """Every image in a folder, in name order. ``loop`` restarts at the end.

    Unreadable files are skipped: each is tried once and its reason kept in
    ``skipped``; a loop goes on over the readable ones (and ends when none is).
    """

    live = False

    def __init__(self, path: str | os.PathLike, loop: bool = False):
        self.path = Path(path)
        self.name = self.path.name or str(self.path)
        self.loop = loop
        self.files: list[Path] = []
        self.skipped: list[str] = []
        self._unreadable: set[int] = set()
        self._pos = 0

    def open(self) -> None:
        if not self.path.is_dir():
            raise SourceError(_("{path}: no such folder").format(path=self.path))
        self.files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(_("{path}: the folder holds no images ({suffixes})").format(path=self.path, suffixes=join_list(IMAGE_SUFFIXES)))
        self.frame_count = len(self.files)
        self.skipped = []
        self._unreadable = set()
        self._pos = 0

    def read(self) -> np.ndarray | None:
        if not self.files:
            self.open()
        while True:
            if self._pos >= len(self.files):
                if not self.loop or len(self._unreadable) >= len(self.files):
                    return None
                self._pos = 0
            index = self._pos
            self._pos += 1
            if index in self._unreadable:
                continue
            try:
                return _load(self.files[index])
            except SourceError as exc:
                self._unreadable.add(index)
                self.skipped.append(str(exc))


# -- the demo scene --


class _LocalDemo:
    """Coloured shapes bouncing over a sample photo (used when ``engine.scenes`` is absent)."""

    def __init__(self, seed: int, size: tuple[int, int], photo: str, objects: int = 5):
        from ..samples import sample_image

        h, w = size
        rng = np.random.default_rng(seed)
        photo_img = sample_image(photo)
        ph, pw = photo_img.shape[:2]
        scale = max(w / pw, h / ph)  # cover the frame, crop the overflow
        big = cv2.resize(photo_img, (max(w, round(pw * scale)), max(h, round(ph * scale))), interpolation=cv2.INTER_AREA)
        y0, x0 = (big.shape[0] - h) // 2, (big.shape[1] - w) // 2
        self.background = np.ascontiguousarray(big[y0 : y0 + h, x0 : x0 + w])
        self.size = size
        self.movers = [
            (rng.uniform(0, w), rng.uniform(0, h), rng.uniform(-4, 4), rng.uniform(-4, 4), int(rng.uniform(0.06, 0.14) * min(h, w)),
             tuple(int(c) for c in rng.integers(40, 255, 3)), i % 2)
            for i in range(objects)
        ]

    def frame(self, index: int) -> np.ndarray:
        h, w = self.size
        img = self.background.copy()
        for x0, y0, vx, vy, r, colour, kind in self.movers:
            x = abs((x0 + vx * index) % (2 * (w - 2 * r)) - (w - 2 * r)) + r
            y = abs((y0 + vy * index) % (2 * (h - 2 * r)) - (h - 2 * r)) + r
            if kind == 0:
                cv2.circle(img, (int(x), int(y)), r, colour, -1, cv2.LINE_AA)
            else:
                cv2.rectangle(img, (int(x - r), int(y - r)), (int(x + r), int(y + r)), colour, -1)
        return img


class DemoSource(Source):
    """Synthetic objects moving over a sample photo: a camera-free live source.

    Uses :class:`engine.scenes.DemoScene` (labelled shapes) when available.
    Frames are paced at ``fps`` like a camera (``fps=None``: as fast as read).
    ``size`` (height, width) defaults to 480 high at the photo's aspect ratio;
    the default seed keeps the astronaut's face clear of the moving shapes at
    the start, so the face cascade has something to find.
    ``last_truth`` holds the ground-truth boxes and labels of the last frame
    when the scene provides them.
    """

    live = True

    def __init__(self, photo: str = "astronaut", size: tuple[int, int] | None = None, seed: int = 5, fps: float | None = 30.0, objects: int = 4):
        self.photo = photo
        if size is None:  # 480 high, the photo's aspect ratio (width a multiple of 16)
            from ..samples import sample_image

            ph, pw = sample_image(photo).shape[:2]
            size = (480, max(16, int(round(480 * pw / ph / 16)) * 16))
        self.size = (int(size[0]), int(size[1]))
        self.seed = seed
        self.fps = fps
        self.objects = objects
        self.name = f"Demo scene ({photo})"
        self._scene = None
        self._index = 0
        self._next_time = 0.0
        self.last_truth: tuple[np.ndarray, np.ndarray] | None = None

    def open(self) -> None:
        try:
            from ..scenes import DemoScene  # type: ignore[import-not-found]

            self._scene = DemoScene(seed=self.seed, size=self.size, photo=self.photo, objects=self.objects)
        except ImportError:
            self._scene = _LocalDemo(self.seed, self.size, self.photo, self.objects)
        self._index = 0
        self._next_time = time.monotonic()

    def read(self) -> np.ndarray | None:
        if self._scene is None:
            self.open()
        if self.fps:
            now = time.monotonic()
            if self._next_time > now:
                time.sleep(self._next_time - now)
            self._next_time = max(self._next_time + 1.0 / self.fps, time.monotonic() - 1.0 / self.fps)
        out = self._scene.frame(self._index)
        self._index += 1
        if isinstance(out, np.ndarray):
            self.last_truth = None
            return out
        self.last_truth = (out.boxes, out.labels)
        return np.ascontiguousarray(out.image)


def open_source(spec: str, loop: bool = False, resolution: tuple[int, int] | None = None, fps: float | None = 30.0) -> Source:
    """A source from a string: ``demo`` (or ``demo:chelsea``), ``cam:N``, a video, an image, a folder.

    Raises :class:`SourceError` for a path that does not exist or is not a known kind.
    """
    text = str(spec).strip()
    low = text.lower()
    if low == "demo" or low.startswith("demo:"):
        photo = text.split(":", 1)[1] if ":" in text else "astronaut"
        from ..samples import SAMPLE_PHOTOS

        if photo not in SAMPLE_PHOTOS:
            raise SourceError(_("unknown demo photo {photo!r}; choose one of {photos}").format(photo=photo, photos=join_list(SAMPLE_PHOTOS)))
        return DemoSource(photo=photo, fps=fps)
    if low.startswith("cam:") or low.startswith("camera:"):
        try:
            index = int(text.split(":", 1)[1])
        except ValueError:
            raise SourceError(_("{text!r}: a camera is written cam:N with N a number, e.g. cam:0").format(text=text)) from None
        return CameraSource(index, resolution)
    path = Path(os.path.expanduser(text))
    if path.is_dir():
        return FolderSource(path, loop=loop)
    if not path.exists():
        matches = glob.glob(text)
        if matches:
            raise SourceError(_("{text}: no such file or folder (did you mean {match}?)").format(text=text, match=matches[0]))
        raise SourceError(_("{text}: no such file or folder").format(text=text))
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return ImageSource(path, repeat=None if loop else 1)
    if suffix in VIDEO_SUFFIXES:
        return VideoFileSource(path, loop=loop)
    raise SourceError(_("{path}: not a known image or video type").format(path=path))
