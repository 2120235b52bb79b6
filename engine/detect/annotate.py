"""Drawing detections on frames (pure functions: they return a new image).

Kept boxes are bold with their class and score; raw candidates before NMS are
drawn thin and faded; a caption gives the counts before and after NMS.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from .types import Detections

__all__ = ["annotate", "class_colour", "PALETTE"]

#: RGB colours cycled by class label
PALETTE: tuple[tuple[int, int, int], ...] = (
    (230, 57, 70), (42, 157, 143), (255, 183, 3), (69, 123, 157), (231, 111, 81), (131, 56, 236),
    (0, 180, 216), (251, 86, 7), (58, 134, 255), (255, 0, 110), (106, 153, 78), (188, 108, 37),
)

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def class_colour(label: int) -> tuple[int, int, int]:
    """The drawing colour of class ``label``."""
    return PALETTE[int(label) % len(PALETTE)]


def _text_block(img: np.ndarray, lines: Sequence[str], x: int, y: int, scale: float, fg=(255, 255, 255), bg=(0, 0, 0)) -> None:
    thick = max(1, int(round(scale * 2)))
    sizes = [cv2.getTextSize(t, _FONT, scale, thick) for t in lines]
    if not sizes:
        return
    w = max(s[0][0] for s in sizes) + 10
    line_h = max(s[0][1] + s[1] for s in sizes) + 6
    h = line_h * len(lines) + 4
    sub = img[y : y + h, x : x + w]
    sub[:] = (sub.astype(np.uint16) * 2 // 5 + np.array(bg, np.uint16) * 3 // 5).astype(np.uint8)
    for i, t in enumerate(lines):
        cv2.putText(img, t, (x + 5, y + (i + 1) * line_h - 4), _FONT, scale, fg, thick, cv2.LINE_AA)


def annotate(
    frame: np.ndarray,
    detections: Detections | None,
    show_raw: bool = True,
    show_counts: bool = True,
    extra_lines: Sequence[str] = (),
) -> np.ndarray:
    """A copy of ``frame`` ((H, W, 3) uint8 RGB) with ``detections`` drawn on it.

    show_raw: draw the candidates before NMS, thin and faded.
    show_counts: a caption with "raw N → kept M" (plus ``extra_lines``).
    Random-weight detections are marked as such on the image.
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
                for (x1, y1, x2, y2), label in zip(raw.tolist(), detections.raw_labels.tolist()):
                    cv2.rectangle(overlay, (x1 - x0, y1 - y0), (x2 - x0, y2 - y0), class_colour(label), 1, cv2.LINE_8)
                cv2.addWeighted(overlay, 0.45, region, 0.55, 0, dst=region)
        for box, score, label in zip(detections.boxes.tolist(), detections.scores.tolist(), detections.labels.tolist()):
            x1, y1, x2, y2 = (int(round(v)) for v in box)
            colour = class_colour(label)
            cv2.rectangle(out, (x1, y1), (x2, y2), colour, thick, cv2.LINE_8)
            text = f"{detections.label_name(int(label))} {score:.2f}"
            (tw, th), base = cv2.getTextSize(text, _FONT, scale, max(1, thick - 1))
            ty = y1 - 4 if y1 - th - base - 4 >= 0 else y1 + th + base + 4
            cv2.rectangle(out, (x1, ty - th - base), (min(x1 + tw + 6, w - 1), ty + 2), colour, -1)
            cv2.putText(out, text, (x1 + 3, ty - base + 1), _FONT, scale, (255, 255, 255), max(1, thick - 1), cv2.LINE_AA)
    if show_counts:
        lines = list(extra_lines)
        if detections is not None:
            lines.insert(0, f"raw {detections.num_raw} -> kept {len(detections)}")
            if detections.random_weights:
                lines.insert(0, "RANDOM WEIGHTS: boxes are meaningless")
        if lines:
            _text_block(out, lines, 6, 6, scale * 0.9)
    return out
