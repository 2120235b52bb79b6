"""Detection overlays speak the reader's language: class names and the counts caption are
drawn in Chinese (with a CJK font) on frames, snapshots and recorded videos, and fall back
to English only where no Chinese font is installed."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from engine import i18n
from engine.cli import build_parser, run
from engine.detect import annotate as annotate_module
from engine.detect.annotate import annotate, class_colour
from engine.detect.class_names import KNOWN_CLASS_NAMES, display_class_name
from engine.detect.types import Detections
from engine.fonts import font, has_cjk_font
from engine.samples import sample_image

needs_font = pytest.mark.skipif(not has_cjk_font(), reason="no CJK font installed (.ci/run installs fonts-wqy-microhei)")

NAMES = ["__background__", "person", "bicycle", "my own class"]


def _one_box(box, score, label, h=240, w=320) -> Detections:
    boxes = np.asarray([box], np.float32)
    return Detections(
        boxes=boxes, scores=np.asarray([score], np.float32), labels=np.asarray([label]), class_names=NAMES,
        raw_boxes=boxes, raw_scores=np.asarray([score], np.float32), raw_labels=np.asarray([label]),
        kept_indices=np.arange(1), image_size=(h, w),
    )


def _rendered(text: str, size: int, fg, bg) -> np.ndarray:
    """``text`` drawn by Pillow alone with the CJK font, ``fg`` on ``bg``: what the frame should hold."""
    f = font(size, True)
    left, top, right, bottom = f.getbbox(text, anchor="ls")
    img = Image.new("RGB", (right - left + 2, bottom - top + 2), tuple(bg))
    ImageDraw.Draw(img).text((1 - left, 1 - top), text, font=f, fill=tuple(fg), anchor="ls")
    return np.asarray(img)


def _best_match(frame: np.ndarray, patch: np.ndarray) -> float:
    return float(cv2.matchTemplate(frame, patch, cv2.TM_CCOEFF_NORMED).max())


def test_every_known_class_name_is_translated():
    i18n.set_language("zh_CN")
    for name in KNOWN_CLASS_NAMES:
        shown = display_class_name(name)
        assert shown != name and not shown.isascii(), name
    assert display_class_name("my own class") == "my own class"  # a user's model's names are kept


@needs_font
def test_the_label_is_drawn_in_chinese():
    frame = np.full((240, 320, 3), 90, np.uint8)
    det = _one_box([60, 80, 200, 200], 0.91, 1)
    i18n.set_language("zh_CN")
    out = annotate(frame, det, show_raw=False, show_counts=False)
    colour = class_colour(1)
    chinese = _rendered("人 0.91", 12, (255, 255, 255), colour)
    assert _best_match(out, chinese) > 0.9
    i18n.set_language("en")
    english = annotate(frame, det, show_raw=False, show_counts=False)
    assert _best_match(english, chinese) < 0.6  # the English label does not hold the Chinese text
    assert not np.array_equal(out, english)


@needs_font
def test_the_counts_caption_is_drawn_in_chinese():
    frame = np.full((480, 640, 3), 200, np.uint8)
    det = _one_box([300, 200, 500, 400], 0.8, 2, h=480, w=640)
    i18n.set_language("zh_CN")
    out = annotate(frame, det, show_raw=False, show_counts=True)
    scale = max(0.4, min(1.0, 480 / 900)) * 0.9
    size = max(12, int(round(26 * scale)))
    dimmed = int(200 * 2 // 5)  # the caption block darkens the grey frame behind white text
    caption = _rendered("原始 1 → 保留 1", size, (255, 255, 255), (dimmed,) * 3)
    assert _best_match(out, caption) > 0.9


def test_without_a_chinese_font_the_overlay_is_english(monkeypatch):
    frame = np.full((240, 320, 3), 90, np.uint8)
    det = _one_box([60, 80, 200, 200], 0.91, 1)
    english = annotate(frame, det, show_raw=False, show_counts=True)
    monkeypatch.setattr(annotate_module, "has_cjk_font", lambda: False)
    i18n.set_language("zh_CN")
    assert np.array_equal(annotate(frame, det, show_raw=False, show_counts=True), english)


@needs_font
def test_the_recorded_video_carries_the_chinese_caption(tmp_path, capsys, monkeypatch):
    image = tmp_path / "astronaut.png"
    Image.fromarray(sample_image("astronaut")).save(image)
    video = tmp_path / "out.mp4"
    monkeypatch.setenv("CONVSTUDIO_LANG", "zh_CN")
    i18n.set_language("zh_CN")
    code = run(build_parser().parse_args(["detect", str(image), "--model", "haar_face", "--save-video", str(video)]))
    assert code == 0, capsys.readouterr().err
    ok, bgr = cv2.VideoCapture(str(video)).read()
    assert ok
    frame = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    h, w = frame.shape[:2]
    scale = max(0.4, min(1.0, min(h, w) / 900))
    # the face's label: its class name in Chinese, white on the class colour (the video is lossy: a looser match)
    label = _rendered("人脸", max(12, int(round(26 * scale))), (255, 255, 255), class_colour(0))
    english = cv2.cvtColor(np.full(label.shape, class_colour(0), np.uint8), cv2.COLOR_RGB2BGR)
    cv2.putText(english, "face", (3, label.shape[0] - 6), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA)
    assert _best_match(frame, label) > 0.75


def test_the_class_filter_takes_names_in_either_language(qtbot):
    from gui.panels.detection_model import DetectionModel

    model = DetectionModel()
    model.set_class_names(NAMES)
    i18n.set_language("zh_CN")
    model.update(class_filter=("人", "bicycle"))
    assert model.settings().classes == (1, 2)
    assert model.unknown_classes() == []
    assert "自行车" in model.offered_classes()
