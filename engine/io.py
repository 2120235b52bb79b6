"""Image loading and saving with clear errors.

:func:`load_image` reads JPEG, PNG, BMP, TIFF, WebP (anything Pillow decodes),
applies EXIF orientation and converts every mode (grayscale, RGBA, 16-bit,
palette, CMYK) to an RGB ``uint8`` array of shape (H, W, 3). Every failure --
missing, empty, corrupt, truncated, not an image, too large -- raises
:class:`ImageLoadError` naming the file and the reason.
"""

from __future__ import annotations

import io as _io
import os
import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .files import atomic_write
from .i18n import _

__all__ = [
    "ImageLoadError",
    "MAX_PIXELS",
    "IMAGE_SUFFIXES",
    "load_image",
    "decode_image",
    "to_rgb_uint8",
    "save_image",
    "is_image_path",
    "printable",
]

#: Default refusal limit (decompression-bomb guard): 100 megapixels.
MAX_PIXELS = 100_000_000

#: File suffixes offered in open dialogs and folder scans.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")

# We apply our own pixel limit before decoding; Pillow's global one would
# otherwise warn or refuse at its own (different) threshold.
Image.MAX_IMAGE_PIXELS = None


class ImageLoadError(ValueError):
    """An image could not be loaded. ``path`` and ``reason`` say which and why."""

    def __init__(self, path: str | os.PathLike | None, reason: str):
        self.path = str(path) if path is not None else "<bytes>"
        self.reason = reason
        super().__init__(_("Cannot open image {file}: {reason}").format(file=self.path, reason=reason))


def is_image_path(path: str | os.PathLike) -> bool:
    """True when the path's suffix is one of :data:`IMAGE_SUFFIXES`."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def to_rgb_uint8(img: Image.Image) -> np.ndarray:
    """Convert a Pillow image of any mode to an (H, W, 3) uint8 RGB array."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        if mode.startswith("I;16"):
            arr = arr / 257.0  # 16-bit full scale to 8-bit
        else:
            lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
            arr = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        gray = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        # Transparent areas become white, as viewers show them on light pages.
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return np.ascontiguousarray(np.asarray(img.convert("RGB"), dtype=np.uint8))


def _open_checked(img: Image.Image, label: str | os.PathLike | None, max_pixels: int | None) -> np.ndarray:
    width, height = img.size
    if width <= 0 or height <= 0:
        raise ImageLoadError(label, _("the image has no pixels"))
    if max_pixels is not None and width * height > max_pixels:
        raise ImageLoadError(
            label,
            _("{width}x{height} is {mp:.0f} megapixels, over the {limit:.0f} megapixel limit "
              "(a possible decompression bomb); raise max_pixels to open it anyway").format(
                width=width, height=height, mp=width * height / 1e6, limit=max_pixels / 1e6),
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img.load()
            img = ImageOps.exif_transpose(img)
            return to_rgb_uint8(img)
    except (OSError, SyntaxError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__
        if "truncated" in reason.lower():
            reason = _("the file is truncated ({reason})").format(reason=reason)
        raise ImageLoadError(label, reason) from None
    except MemoryError:
        raise ImageLoadError(label, _("not enough memory to decode it")) from None


#: What PIL's format plugins raise for a header they cannot make sense of, besides ``OSError``.
_HEADER_ERRORS = (ValueError, SyntaxError, EOFError, IndexError, struct.error, ZeroDivisionError)


def printable(text: str) -> str:
    """``text`` with what a file name that is not valid UTF-8 brings (lone surrogates) shown as U+FFFD,
    so it can be printed, logged or stored as UTF-8 text."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that no byte of a file name made
        return text.encode("utf-8", "replace").decode("utf-8")


def load_image(path: str | os.PathLike, max_pixels: int | None = MAX_PIXELS) -> np.ndarray:
    """Load an image file as an (H, W, 3) uint8 RGB array.

    ``max_pixels`` bounds width*height before decoding (``None`` lifts it).
    Raises :class:`ImageLoadError` for any problem.
    """
    p = Path(path)
    if not p.exists():
        raise ImageLoadError(p, _("no such file"))
    if p.is_dir():
        raise ImageLoadError(p, _("it is a folder, not a file"))
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ImageLoadError(p, exc.strerror or str(exc)) from None
    if size == 0:
        raise ImageLoadError(p, _("the file is empty"))
    try:
        with Image.open(p) as img:
            return _open_checked(img, p, max_pixels)
    except UnidentifiedImageError:
        raise ImageLoadError(p, _("not a recognised image format (or the file is corrupt)")) from None
    except PermissionError:
        raise ImageLoadError(p, _("permission denied")) from None
    except OSError as exc:
        raise ImageLoadError(p, exc.strerror or str(exc)) from None
    except _HEADER_ERRORS as exc:  # a header PIL rejects while opening (a PGM with maxval 0, …)
        raise ImageLoadError(p, _("a damaged image header ({reason})").format(reason=str(exc) or type(exc).__name__)) from None


def decode_image(data: bytes, max_pixels: int | None = MAX_PIXELS, label: str = "<bytes>") -> np.ndarray:
    """Decode encoded image bytes (e.g. a stored JPEG) to RGB uint8."""
    if not data:
        raise ImageLoadError(label, _("no data"))
    try:
        with Image.open(_io.BytesIO(data)) as img:
            return _open_checked(img, label, max_pixels)
    except UnidentifiedImageError:
        raise ImageLoadError(label, _("not a recognised image format (or the data is corrupt)")) from None
    except (OSError, *_HEADER_ERRORS) as exc:
        raise ImageLoadError(label, _("a damaged image header ({reason})").format(reason=str(exc) or type(exc).__name__)) from None


def save_image(path: str | os.PathLike, rgb: np.ndarray, metadata: dict[str, str] | None = None, quality: int = 95) -> Path:
    """Save an (H, W, 3) or (H, W) uint8 array. PNG files carry ``metadata`` as text chunks.

    The file is written to a temporary name and renamed, so a failure never
    leaves a half-written image behind.
    """
    p = Path(path)
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8:
        raise ValueError(_("save_image expects uint8 pixels, got {dtype}").format(dtype=arr.dtype))
    img = Image.fromarray(arr)
    suffix = p.suffix.lower()
    kwargs: dict = {}
    fmt = None
    if suffix == ".png":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        for key, value in (metadata or {}).items():
            info.add_text(printable(str(key)), printable(str(value)))  # a text chunk holds UTF-8, never raw bytes
        kwargs["pnginfo"] = info
        fmt = "PNG"
    elif suffix in (".jpg", ".jpeg"):
        kwargs["quality"] = quality
        fmt = "JPEG"
    else:
        fmt = Image.registered_extensions().get(suffix)
        if fmt is None:
            raise ValueError(_("unsupported image suffix {suffix}").format(suffix=repr(suffix)))
    with atomic_write(p, "wb") as fh:  # a full disk leaves neither a truncated image nor a temporary file
        img.save(fh, format=fmt, **kwargs)
    return p
