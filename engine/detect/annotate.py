"""Drawing detections on frames (pure functions: they return a new image).

Kept boxes are bold with their class and score; raw candidates before NMS are
drawn thin and faded; a caption gives the counts before and after NMS. Class names
and the caption are in the current language: ASCII text is drawn with OpenCV's
font, other text (Chinese) with a CJK font through Pillow, or in English when no
such font is installed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Sequence

import cv2
import numpy as np

from PIL import Image, ImageDraw

from ..fonts import font, has_cjk_font, needs_cjk
from ..i18n import N_, _
from .class_names import display_class_name
from .types import Detections

__all__ = ["annotate", "class_colour", "PALETTE"]

#: RGB colours cycled by class label
PALETTE: tuple[tuple[int, int, int], ...] = (
    (230, 57, 70), (42, 157, 143), (255, 183, 3), (69, 123, 157), (231, 111, 81), (131, 56, 236),
    (0, 180, 216), (251, 86, 7), (58, 134, 255), (255, 0, 110), (106, 153, 78), (188, 108, 37),
)

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_WHITE = (255, 255, 255)


_PIL_LOCK = threading.Lock()  # one FreeType face is shared by every thread that draws


def _pil_font(scale: float):
    """The CJK font whose characters stand as tall as OpenCV's capitals at ``scale``."""
    return font(max(12, int(round(26 * scale))), True)


def _shown(text: str) -> str | None:
    """``text`` as drawn: unchanged, unless it needs a CJK font and none is installed (then ``None``)."""
    return text if not needs_cjk(text) or has_cjk_font() else None


def _tr(msgid: str) -> str:
    """``msgid`` in the current language, or in English when no installed font can draw the translation."""
    return _shown(_(msgid)) or msgid


def _text_size(text: str, scale: float, thick: int) -> tuple[tuple[int, int], int]:
    """((width, height above the baseline), depth below it) of ``text``, like ``cv2.getTextSize``."""
    if text.isascii():
        return cv2.getTextSize(text, _FONT, scale, thick)
    with _PIL_LOCK:
        left, top, right, bottom = _pil_font(scale).getbbox(text, anchor="ls")
    return (max(1, right - min(0, left)), max(1, -top)), max(0, bottom)


def _put_text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour, thick: int) -> None:
    """Draw ``text`` with its baseline starting at ``org`` (like ``cv2.putText``), anti-aliased, clipped to ``img``."""
    if text.isascii():
        cv2.putText(img, text, org, _FONT, scale, colour, thick, cv2.LINE_AA)
        return
    f = _pil_font(scale)
    with _PIL_LOCK:
        left, top, right, bottom = f.getbbox(text, anchor="ls")
        mask = Image.new("L", (right - left + 2, bottom - top + 2), 0)
        ImageDraw.Draw(mask).text((1 - left, 1 - top), text, font=f, fill=255, anchor="ls")
    alpha = np.asarray(mask, np.float32) / 255.0
    x0, y0 = org[0] + left - 1, org[1] + top - 1
    h, w = img.shape[:2]
    ax0, ay0 = max(0, -x0), max(0, -y0)
    ax1, ay1 = min(alpha.shape[1], w - x0), min(alpha.shape[0], h - y0)
    if ax1 <= ax0 or ay1 <= ay0:
        return
    a = alpha[ay0:ay1, ax0:ax1, None]
    region = img[y0 + ay0 : y0 + ay1, x0 + ax0 : x0 + ax1]
    region[:] = np.round(region * (1.0 - a) + np.asarray(colour, np.float32) * a).astype(np.uint8)


def class_colour(label: int) -> tuple[int, int, int]:
    """The drawing colour of class ``label``."""
    return PALETTE[int(label) % len(PALETTE)]


@lru_cache(maxsize=64)
def _dim_table(bg: tuple[int, int, int]) -> np.ndarray:
    """(256, 1, 3) lookup table darkening a pixel towards ``bg``: v * 2 // 5 + bg * 3 // 5."""
    v = np.arange(256, dtype=np.uint16)[:, None]
    return (v * 2 // 5 + np.array(bg, np.uint16)[None, :] * 3 // 5).astype(np.uint8).reshape(256, 1, 3)


def _text_block_size(lines: Sequence[str], scale: float) -> tuple[int, int, int]:
    """(width, height, line height) in pixels of :func:`_text_block`'s darkened block."""
    thick = max(1, int(round(scale * 2)))
    sizes = [_text_size(t, scale, thick) for t in lines]
    if not sizes:
        return 0, 0, 0
    line_h = max(s[0][1] + s[1] for s in sizes) + 6
    return max(s[0][0] for s in sizes) + 10, line_h * len(lines) + 4, line_h


def _text_block(img: np.ndarray, lines: Sequence[str], x: int, y: int, scale: float, fg=(255, 255, 255), bg=(0, 0, 0)) -> None:
    thick = max(1, int(round(scale * 2)))
    w, h, line_h = _text_block_size(lines, scale)
    if not h:
        return
    sub = img[y : y + h, x : x + w]
    if sub.size:
        cv2.LUT(sub, _dim_table(tuple(int(c) for c in bg)), dst=sub)
    for i, t in enumerate(lines):
        _put_text(img, t, (x + 5, y + (i + 1) * line_h - 4), scale, fg, thick)


class _LabelCache:
    """Rendered box labels, keyed by (text, colour, scale, thickness).

    A label is rendered for reuse the second time it is asked for (a label
    seen once is drawn in place, as cheap as without a cache); the least
    recently used entries are dropped beyond ``size``. Thread-safe.
    """

    def __init__(self, size: int = 2048):
        self.size = size
        self._patches: OrderedDict[tuple, np.ndarray | None] = OrderedDict()
        self._seen: OrderedDict[tuple, None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, th: int, base: int, tw: int) -> np.ndarray | None:
        """The label image for ``key``, or ``None`` when it is to be drawn in place."""
        with self._lock:
            if key in self._patches:
                self._patches.move_to_end(key)
                return self._patches[key]
            if key not in self._seen:
                self._seen[key] = None
                if len(self._seen) > self.size:
                    self._seen.popitem(last=False)
                return None
            del self._seen[key]
        patch = _render_label(key[0], key[1], key[2], key[3], tw, th, base)
        with self._lock:
            self._patches[key] = patch
            if len(self._patches) > self.size:
                self._patches.popitem(last=False)
        return patch

    def clear(self) -> None:
        with self._lock:
            self._patches.clear()
            self._seen.clear()


def _render_label(text: str, colour: tuple[int, int, int], scale: float, thick: int, tw: int, th: int, base: int) -> np.ndarray | None:
    """The (th + base + 3, tw + 7, 3) uint8 image of a box label -- the filled ``colour``
    rectangle with the white text drawn on it exactly as :func:`_draw_kept` draws
    them in place -- or ``None`` when anti-aliased text pixels reach outside the
    rectangle (such a label is always drawn in place).

    The text is rendered with a black margin around the rectangle: white text
    changes every black pixel it covers at all, so an untouched margin proves the
    rectangle holds every pixel the text sets.
    """
    ph, pw, m = th + base + 3, tw + 7, 4
    canvas = np.zeros((ph + 2 * m, pw + 2 * m, 3), np.uint8)
    cv2.rectangle(canvas, (m, m), (m + pw - 1, m + ph - 1), colour, -1)
    inside = canvas[m : m + ph, m : m + pw]
    before = cv2.countNonZero(canvas.reshape(canvas.shape[0], -1)) - cv2.countNonZero(inside.reshape(ph, -1))
    _put_text(canvas, text, (m + 3, m + th + 1), scale, _WHITE, thick)
    after = cv2.countNonZero(canvas.reshape(canvas.shape[0], -1)) - cv2.countNonZero(inside.reshape(ph, -1))
    if before != 0 or after != 0:
        return None
    patch = inside.copy()
    patch.setflags(write=False)
    return patch


_LABELS = _LabelCache()


def _draw_raw(overlay: np.ndarray, boxes: np.ndarray, labels: np.ndarray) -> None:
    """Thin 1-px rectangles for ``boxes`` ((M, 4) int32 xyxy in ``overlay``'s pixels), in order.

    Consecutive boxes of the same colour are drawn by one ``cv2.polylines`` call
    (the same polygons ``cv2.rectangle`` draws), so the result equals drawing
    each rectangle in turn.
    """
    colour_idx = np.asarray(labels, np.int64) % len(PALETTE)
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    corners = np.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=1).astype(np.int32).reshape(-1, 4, 2)
    starts = np.flatnonzero(np.r_[True, colour_idx[1:] != colour_idx[:-1]]).tolist() + [len(colour_idx)]
    for a, b in zip(starts[:-1], starts[1:]):
        cv2.polylines(overlay, list(corners[a:b]), True, PALETTE[int(colour_idx[a])], 1, cv2.LINE_8)


def _label_layout(detections: Detections, scale: float, thick: int, h: int, w: int) -> list[tuple]:
    """Per kept box, in drawing order (ascending score, so the best is drawn last, on top):
    (box xyxy, colour, text, tw, th, base, lx, ty) with the label's text baseline ``ty`` and
    left edge ``lx`` clamped so its filled rectangle stays inside the (h, w) image."""
    tthick = max(1, thick - 1)
    boxes = np.round(detections.boxes).astype(np.int64).tolist()
    colours = (np.asarray(detections.labels, np.int64) % len(PALETTE)).tolist()
    scores = detections.scores.tolist()
    labels = detections.labels.tolist()
    out = []
    for i in np.argsort(np.asarray(detections.scores, np.float64), kind="stable").tolist():
        x1, y1, x2, y2 = boxes[i]
        name = detections.label_name(int(labels[i]))
        text = f"{_shown(display_class_name(name)) or name} {scores[i]:.2f}"
        (tw, th), base = _text_size(text, scale, tthick)
        ty = y1 - 4 if y1 - th - base - 4 >= 0 else y1 + th + base + 4
        ty = max(th + base, min(ty, h - 3))  # the label's rectangle is [ty - th - base, ty + 2]
        lx = max(0, min(x1, w - tw - 7))
        out.append(((x1, y1, x2, y2), PALETTE[colours[i]], text, tw, th, base, lx, ty))
    return out


def _draw_kept(out: np.ndarray, layout: list[tuple], scale: float, thick: int) -> None:
    """Bold boxes with a "class score" label each, in ``layout``'s order (later ones on top)."""
    h, w = out.shape[:2]
    tthick = max(1, thick - 1)
    for (x1, y1, x2, y2), colour, text, tw, th, base, lx, ty in layout:
        cv2.rectangle(out, (x1, y1), (x2, y2), colour, thick, cv2.LINE_8)
        top = ty - th - base
        inside = lx >= 0 and top >= 0 and lx + tw + 6 <= w - 1 and ty + 2 <= h - 1
        patch = _LABELS.get((text, colour, scale, tthick), th, base, tw) if inside else None
        if patch is not None:
            out[top : ty + 3, lx : lx + tw + 7] = patch
        else:
            cv2.rectangle(out, (lx, top), (min(lx + tw + 6, w - 1), ty + 2), colour, -1)
            _put_text(out, text, (lx + 3, ty - base + 1), scale, _WHITE, tthick)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    """Area shared by two xyxy rectangles."""
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def _caption_corner(h: int, w: int, bw: int, bh: int, layout: list[tuple]) -> tuple[int, int]:
    """Top-left of the counts caption: the image corner whose block covers the fewest
    label pixels, then the least box area (top-left when several are free)."""
    labels = [(lx, ty - th - base, lx + tw + 7, ty + 3) for _b, _c, _t, tw, th, base, lx, ty in layout]
    boxes = [b for b, *_rest in layout]
    best, best_cost = (6, 6), None
    for x, y in ((6, 6), (w - bw - 6, 6), (6, h - bh - 6), (w - bw - 6, h - bh - 6)):
        x, y = max(0, x), max(0, y)
        block = (x, y, x + bw, y + bh)
        cost = (sum(_overlap(block, r) for r in labels), sum(_overlap(block, b) for b in boxes))
        if best_cost is None or cost < best_cost:
            best, best_cost = (x, y), cost
    return best


def annotate(
    frame: np.ndarray,
    detections: Detections | None,
    show_raw: bool = True,
    show_counts: bool = True,
    extra_lines: Sequence[str] = (),
) -> np.ndarray:
    """A copy of ``frame`` ((H, W, 3) uint8 RGB) with ``detections`` drawn on it.

    show_raw: draw the candidates before NMS, thin and faded.
    show_counts: a caption with "raw N -> kept M" (plus ``extra_lines``), in the current language.
    Random-weight detections are marked as such on the image. Kept boxes are drawn
    in ascending score (the best on top); labels stay inside the image; the caption
    goes to the corner where it hides the fewest labels, and is drawn under them.
    """
    out = np.ascontiguousarray(frame).copy()
    h, w = out.shape[:2]
    scale = max(0.4, min(1.0, min(h, w) / 900))
    thick = max(2, int(round(min(h, w) / 240)))
    if detections is not None:
        if show_raw and detections.num_raw:
            # thin raw boxes blended at 45% over the region they cover (axis-aligned: no anti-aliasing needed)
            raw = np.round(detections.raw_boxes).astype(np.int32)
            x0, y0 = max(0, int(raw[:, 0].min()) - 1), max(0, int(raw[:, 1].min()) - 1)
            x1m, y1m = min(w, int(raw[:, 2].max()) + 2), min(h, int(raw[:, 3].max()) + 2)
            if x1m > x0 and y1m > y0:
                region = out[y0:y1m, x0:x1m]
                overlay = region.copy()
                _draw_raw(overlay, raw - np.array([x0, y0, x0, y0], np.int32), detections.raw_labels)
                cv2.addWeighted(overlay, 0.45, region, 0.55, 0, dst=region)
    layout = _label_layout(detections, scale, thick, h, w) if detections is not None and len(detections) else []
    if show_counts:
        lines = list(extra_lines)
        if detections is not None:
            lines.insert(0, _tr(N_("raw {raw} -> kept {kept}")).format(raw=detections.num_raw, kept=len(detections)))
            if detections.random_weights:
                lines.insert(0, _tr(N_("RANDOM WEIGHTS: boxes are meaningless")))
        if lines:
            bw, bh, _line = _text_block_size(lines, scale * 0.9)
            x, y = _caption_corner(h, w, bw, bh, layout)
            _text_block(out, lines, x, y, scale * 0.9)
    if layout:
        _draw_kept(out, layout, scale, thick)
    return out
