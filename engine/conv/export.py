"""Export the convolution animation as an animated GIF or an MP4 video."""

from __future__ import annotations

import errno
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..files import atomic_path, disk_error
from ..i18n import _
from ..jobs import Job, Progress, run_job
from .animation import Animation, frame_layout
from .render import render_frame

__all__ = ["EXPORT_FORMATS", "MAX_EXPORT_PIXELS", "ExportResult", "auto_cell", "export_job", "export_animation", "frame_indices"]

#: File suffixes :func:`export_animation` writes.
EXPORT_FORMATS = (".gif", ".mp4")


@dataclass(frozen=True)
class ExportResult:
    """A written animation: path, number of frames, frame size in pixels, frames per second."""

    path: Path
    frames: int
    width: int
    height: int
    fps: float


def frame_indices(total: int, max_frames: int | None = None) -> list[int]:
    """The step indices exported: all ``total`` steps, or ``max_frames`` of them evenly spread (last one kept)."""
    if total <= 0:
        return []
    if max_frames is None or max_frames >= total:
        return list(range(total))
    if max_frames < 2:
        return [total - 1]
    return sorted({round(i * (total - 1) / (max_frames - 1)) for i in range(max_frames)})


def _even(frame: np.ndarray, block: int) -> np.ndarray:
    h, w = frame.shape[:2]
    ph, pw = (-h) % block, (-w) % block
    if not ph and not pw:
        return frame
    return np.pad(frame, ((0, ph), (0, pw), (0, 0)), constant_values=255)


MAX_CELL = 200  # pixels; larger cells only make huge frames
#: Pixels rendered in all frames together (a GIF keeps them all in memory): about 1.5 GB of RGB.
MAX_EXPORT_PIXELS = 2**29


def auto_cell(anim: Animation, target: int = 320) -> int:
    """A cell size (8..26 px) that keeps the padded input grid near ``target`` pixels a side."""
    hp, wp = anim.conv.padded.shape[1:]
    return int(max(8, min(26, target // max(hp, wp))))


def export_job(anim: Animation, path: str | Path, fps: float = 4.0, cell: int | None = None, max_frames: int | None = 600) -> Job[ExportResult]:
    """Write every step of ``anim`` (or ``max_frames`` of them) to ``path`` (.gif or .mp4), yielding progress.

    cell: pixel size of a grid cell (default :func:`auto_cell`).
    MP4 frames are padded (white) to a multiple of 16 pixels so no encoder
    rescales them. Raises ``ValueError`` for another suffix, fps ≤ 0,
    max_frames < 1 or a cell outside 1..MAX_CELL pixels. A
    cancelled export removes the partial file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"export writes {' or '.join(EXPORT_FORMATS)} files, not {path.name!r}")
    if not fps > 0:
        raise ValueError(f"frames per second must be positive, got {fps}")
    if max_frames is not None and max_frames < 1:
        raise ValueError(f"an export needs at least 1 frame, got max_frames={max_frames}")
    steps = frame_indices(len(anim), max_frames)
    cell = cell or auto_cell(anim)
    if not 1 <= cell <= MAX_CELL:
        raise ValueError(f"cell size must be 1..{MAX_CELL} pixels, got {cell}")
    layout = frame_layout(anim, cell)
    width, height = int(np.ceil(layout.width)), int(np.ceil(layout.height))
    if len(steps) * width * height > MAX_EXPORT_PIXELS:
        raise ValueError(
            _("{frames} frames of {w}×{h} pixels are too many to render (at most {limit} million pixels in all); "
              "lower the number of frames, the cell size or the input size").format(
                frames=len(steps), w=width, h=height, limit=MAX_EXPORT_PIXELS // 10**6)
        )
    # Frames go to a temporary file next to ``path``, renamed when complete: a cancel,
    # a full disk or an encoder failure leaves neither a partial file nor a changed old one.
    with atomic_path(path) as tmp:
        if suffix == ".mp4":
            import imageio.v2 as imageio

            writer = imageio.get_writer(str(tmp), fps=fps, codec="libx264", quality=8, macro_block_size=16, ffmpeg_log_level="fatal")  # our own line says why it failed
            try:
                frame = None
                for i, k in enumerate(steps):
                    frame = _even(render_frame(anim, k, cell, layout), 16)
                    writer.append_data(frame)
                    yield Progress((i + 1) / len(steps), _("frame {i} of {n}").format(i=i + 1, n=len(steps)))
                writer.close()
            except (OSError, RuntimeError) as exc:
                if getattr(exc, "errno", None) is None:  # ffmpeg died: its pipe error does not say why
                    full = disk_error(path)
                    if full.errno == errno.ENOSPC:
                        raise full from None
                raise
            finally:
                writer.close()
            h, w = frame.shape[:2]
        else:
            images = []
            for i, k in enumerate(steps):
                images.append(Image.fromarray(render_frame(anim, k, cell, layout)))
                yield Progress((i + 1) / len(steps), _("frame {i} of {n}").format(i=i + 1, n=len(steps)))
            # encoded in memory first: PIL's encoder failing for want of memory ("quantization error") is
            # told apart from the disk refusing the bytes, which only Python's own write reports (ENOSPC)
            encoded = io.BytesIO()
            try:
                images[0].save(encoded, format="GIF", save_all=True, append_images=images[1:], duration=max(20, int(round(1000 / fps))), loop=0, optimize=False)
            except (MemoryError, ValueError) as exc:
                full = disk_error(path)
                if full.errno == errno.ENOSPC:
                    raise full from None
                raise ValueError(_("not enough memory to encode the GIF ({reason}); export fewer frames or a smaller cell").format(
                    reason=str(exc) or type(exc).__name__)) from None
            with open(tmp, "wb") as fh:
                fh.write(encoded.getbuffer())
                fh.flush()
                os.fsync(fh.fileno())
            w, h = images[0].size
    return ExportResult(path, len(steps), w, h, fps)


def export_animation(anim: Animation, path: str | Path, fps: float = 4.0, cell: int | None = None, max_frames: int | None = 600) -> ExportResult:
    """:func:`export_job` run to completion in this thread."""
    return run_job(export_job(anim, path, fps, cell, max_frames)).result  # type: ignore[return-value]
