"""Fonts for text the engine draws into pictures (animation frames, detection overlays).

OpenCV's built-in fonts have only ASCII glyphs and DejaVu has no Chinese, so text with
Chinese characters is drawn with a CJK font found among the system's fonts
(Noto Sans CJK or WenQuanYi, the packages the app names when none is installed).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from PIL import ImageFont

__all__ = ["CJK_FONTS", "font", "font_for", "needs_cjk", "has_cjk_font"]

log = logging.getLogger(__name__)

#: Fonts tried for text with Chinese characters: (file, face index in a collection).
CJK_FONTS: tuple[tuple[str, int], ...] = (
    ("NotoSansCJK-Regular.ttc", 2), ("NotoSansCJKsc-Regular.otf", 0), ("wqy-microhei.ttc", 0), ("wqy-zenhei.ttc", 0),
)
_LATIN_FONTS: tuple[tuple[str, int], ...] = (("DejaVuSans.ttf", 0),)


def needs_cjk(text: str) -> bool:
    """Whether ``text`` holds CJK characters or full-width punctuation (code points from U+2E80)."""
    return any(ord(ch) >= 0x2E80 for ch in text)


@lru_cache(maxsize=64)
def _truetype(size: int, cjk: bool) -> ImageFont.FreeTypeFont | None:
    for name, index in CJK_FONTS if cjk else _LATIN_FONTS:
        try:
            return ImageFont.truetype(name, size, index=index)
        except OSError:
            continue
    return None


@lru_cache(maxsize=32)
def font(size: int, cjk: bool = False) -> ImageFont.ImageFont:
    """A font of ``size`` pixels: a CJK one when ``cjk`` and one is installed, else DejaVu Sans, else PIL's own."""
    found = _truetype(size, True) if cjk else None
    return found or _truetype(size, False) or ImageFont.load_default(size=size)


def font_for(text: str, size: int) -> ImageFont.ImageFont:
    """A font that has the glyphs of ``text`` (a CJK one when it holds Chinese), at ``size`` pixels."""
    return font(size, needs_cjk(text))


@lru_cache(maxsize=1)
def has_cjk_font() -> bool:
    """Whether a CJK font is installed (logged once when it is not)."""
    found = _truetype(16, True) is not None
    if not found:
        log.warning("No Chinese font found (install fonts-noto-cjk or fonts-wqy-microhei); pictures are labelled in English.")
    return found
