"""Drawing detections: the fast drawing equals drawing every box in turn with OpenCV,
raw boxes are faded, kept boxes bold with labels; the fast pre- and post-processing
give exactly what the straightforward computation gives."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.detect.annotate import PALETTE, annotate, class_colour
from engine.detect.types import Detections

NAMES = ["__background__", "person", "bicycle", "a rather long class name", "car"] + [f"c{i}" for i in range(5, 30)]


def _detections(rng: np.random.Generator, h: int, w: int, n_raw: int, n_kept: int, random_weights: bool = False) -> Detections:
    """Random boxes, partly outside the image, with labels in short runs (as detectors emit them)."""
    x = rng.uniform(-0.1 * w, 1.05 * w, (n_raw, 2))
    y = rng.uniform(-0.1 * h, 1.05 * h, (n_raw, 2))
    boxes = np.stack([x.min(1), y.min(1), x.max(1), y.max(1)], 1).astype(np.float32)
    labels = rng.integers(1, len(NAMES) + 3, n_raw)[np.sort(rng.integers(0, n_raw, n_raw))].astype(np.int64)
    scores = rng.uniform(0.3, 1.0, n_raw).astype(np.float32)
    keep = rng.choice(n_raw, n_kept, replace=False).astype(np.int64)
    return Detections(
        boxes=boxes[keep], scores=scores[keep], labels=labels[keep], class_names=NAMES,
        raw_boxes=boxes, raw_scores=scores, raw_labels=labels, kept_indices=keep,
        image_size=(h, w), random_weights=random_weights,
    )


def _reference(frame: np.ndarray, det: Detections, show_raw: bool = True) -> np.ndarray:
    """Every box drawn in turn with cv2: raw ones thin on an overlay blended at 45 %,
    then each kept box bold, lowest score first, with its filled label (kept inside the
    image) and white anti-aliased text."""
    font = cv2.FONT_HERSHEY_SIMPLEX
    out = frame.copy()
    h, w = out.shape[:2]
    scale = max(0.4, min(1.0, min(h, w) / 900))
    thick = max(2, int(round(min(h, w) / 240)))
    if show_raw and det.num_raw:
        raw = np.round(det.raw_boxes).astype(np.int32)
        x0, y0 = max(0, int(raw[:, 0].min()) - 1), max(0, int(raw[:, 1].min()) - 1)
        x1m, y1m = min(w, int(raw[:, 2].max()) + 2), min(h, int(raw[:, 3].max()) + 2)
        region = out[y0:y1m, x0:x1m]
        overlay = region.copy()
        for (x1, y1, x2, y2), label in zip(raw.tolist(), det.raw_labels.tolist()):
            cv2.rectangle(overlay, (x1 - x0, y1 - y0), (x2 - x0, y2 - y0), class_colour(label), 1, cv2.LINE_8)
        cv2.addWeighted(overlay, 0.45, region, 0.55, 0, dst=region)
    order = np.argsort(det.scores, kind="stable")
    for box, score, label in zip(det.boxes[order].tolist(), det.scores[order].tolist(), det.labels[order].tolist()):
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        colour = class_colour(label)
        cv2.rectangle(out, (x1, y1), (x2, y2), colour, thick, cv2.LINE_8)
        text = f"{det.label_name(int(label))} {score:.2f}"
        (tw, th), base = cv2.getTextSize(text, font, scale, max(1, thick - 1))
        ty = y1 - 4 if y1 - th - base - 4 >= 0 else y1 + th + base + 4
        ty = min(max(ty, th + base), h - 3)
        lx = min(max(x1, 0), w - tw - 7)
        lx = max(lx, 0)
        cv2.rectangle(out, (lx, ty - th - base), (min(lx + tw + 6, w - 1), ty + 2), colour, -1)
        cv2.putText(out, text, (lx + 3, ty - base + 1), font, scale, (255, 255, 255), max(1, thick - 1), cv2.LINE_AA)
    return out


@pytest.mark.parametrize("h,w,n_raw,n_kept", [(480, 640, 300, 88), (720, 1280, 120, 30), (45, 70, 20, 6)])
def test_annotate_equals_drawing_each_box_in_turn(h, w, n_raw, n_kept):
    rng = np.random.default_rng(h)
    frame = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    for trial in range(3):
        det = _detections(rng, h, w, n_raw, n_kept)
        for show_raw in (True, False):
            got = annotate(frame, det, show_raw=show_raw, show_counts=False)
            np.testing.assert_array_equal(got, _reference(frame, det, show_raw), err_msg=f"trial {trial} raw {show_raw}")
    # labels seen before are pasted from rendered copies: the same pixels again
    for _ in range(2):
        np.testing.assert_array_equal(annotate(frame, det, show_counts=False), _reference(frame, det))


def test_label_rendering_stays_inside_its_background_or_is_not_reused():
    from engine.detect.annotate import _render_label

    font = cv2.FONT_HERSHEY_SIMPLEX
    for text, scale, thick in (("person 0.87", 0.533, 1), ("a rather long class name 1.00", 1.0, 3), ("Wj 0.50", 0.4, 1)):
        (tw, th), base = cv2.getTextSize(text, font, scale, thick)
        patch = _render_label(text, (42, 157, 143), scale, thick, tw, th, base)
        assert patch is not None and patch.shape == (th + base + 3, tw + 7, 3) and not patch.flags.writeable
        assert (patch.min(axis=2) > 200).sum() > 10  # white text on the colour
    # a background too small for the text: never reused
    (tw, th), base = cv2.getTextSize("person", font, 1.0, 2)
    assert _render_label("person", (42, 157, 143), 1.0, 2, tw // 2, th, base) is None


def test_raw_boxes_faded_kept_boxes_bold_and_labelled():
    h, w = 240, 320
    frame = np.full((h, w, 3), 90, np.uint8)
    raw = np.array([[40, 150, 150, 230], [200, 120, 300, 230]], np.float32)
    det = Detections(
        boxes=raw[1:], scores=np.array([0.87], np.float32), labels=np.array([2]), class_names=NAMES,
        raw_boxes=raw, raw_scores=np.array([0.6, 0.87], np.float32), raw_labels=np.array([1, 2]),
        kept_indices=np.array([1]), image_size=(h, w), random_weights=True,
    )
    out = annotate(frame, det)
    np.testing.assert_array_equal(frame, 90)  # input untouched
    # the raw-only box: its left edge is a blend of background and class colour, not either
    edge = out[190, 40].astype(int)
    expected = np.round(0.45 * np.array(class_colour(1)) + 0.55 * 90).astype(int)
    assert np.all(np.abs(edge - expected) <= 1) and not np.array_equal(edge, class_colour(1))
    assert np.array_equal(out[190, 41], frame[190, 41])  # 1 px thin
    # the kept box: full colour, 2 px thick, with a filled label holding white text
    colour = class_colour(2)
    assert np.array_equal(out[180, 200], colour) and np.array_equal(out[180, 201], colour)
    (tw, th), base = cv2.getTextSize("bicycle 0.87", cv2.FONT_HERSHEY_SIMPLEX, 0.4, 1)
    label = out[120 - 4 - th - base : 120 - 4 + 3, 200 : 200 + tw + 7]  # above the box
    assert (np.all(label == colour, axis=2)).mean() > 0.5 and (label.min(axis=2) > 200).sum() > 20
    assert not np.any(np.all(out[120 - 4 - th - base - 1, 200 : 200 + tw + 7] == colour, axis=1))  # nothing above it
    # the caption: counts on a darkened block with white text
    caption = out[6:40, 6:120]
    assert (caption.max(axis=2) < 90).mean() > 0.5 and (caption.min(axis=2) > 200).sum() > 20
    assert len(PALETTE) > 2


def test_fast_preprocessing_is_the_straightforward_normalisation():
    from engine.detect.torchvision_detectors import TorchvisionDetector

    torch.manual_seed(0)
    det = TorchvisionDetector("ssdlite320_mobilenet_v3_large", weights="random")
    image = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    got = det._preprocess(image)
    small = cv2.resize(image, (320, 320), interpolation=cv2.INTER_LINEAR)
    t = (torch.from_numpy(small).permute(2, 0, 1).float() - det._mean) / det._std
    want = det.model.transform.batch_images([t], size_divisible=det.model.transform.size_divisible)
    assert got.image_sizes == [(320, 320)] and got.tensors.is_contiguous()
    torch.testing.assert_close(got.tensors, want, rtol=0, atol=0)


def test_ssd_post_processing_equals_a_loop_over_every_class():
    """The present-class shortcut changes nothing, NaN scores included."""
    from torchvision.ops import boxes as box_ops

    from engine.detect.torchvision_detectors import TorchvisionDetector

    torch.manual_seed(0)
    det = TorchvisionDetector("ssdlite320_mobilenet_v3_large", weights="random")
    m = det.model
    n = 3234
    anchors = torch.rand(n, 2) * 300
    anchors = torch.cat([anchors, anchors + torch.rand(n, 2) * 60 + 1], 1)
    out = {"reg": torch.randn(n, 4) * 0.5, "logits": torch.randn(n, 91) * 3.0, "anchors": anchors}
    out["logits"][7, 5] = float("nan")
    for thr in (0.9, 0.5, 0.05):
        boxes, scores, labels = det._post_ssd(out, (320, 320), thr)
        ref_b = box_ops.clip_boxes_to_image(m.box_coder.decode_single(out["reg"], out["anchors"]), (320, 320))
        probs = F.softmax(out["logits"], dim=-1)
        bs, ss, ls = [], [], []
        for label in range(1, 91):
            s = probs[:, label]
            keep = s > thr
            s, b = s[keep], ref_b[keep]
            s, idx = s.topk(min(m.topk_candidates, s.numel()))
            bs.append(b[idx])
            ss.append(s)
            ls.append(torch.full_like(s, label, dtype=torch.int64))
        torch.testing.assert_close(boxes, torch.cat(bs), rtol=0, atol=0)
        torch.testing.assert_close(scores, torch.cat(ss), rtol=0, atol=0)
        assert labels.tolist() == torch.cat(ls).tolist()
        assert len(scores) > 0


def _two_boxes(boxes, scores, labels, h=240, w=320) -> Detections:
    boxes = np.asarray(boxes, np.float32)
    n = len(boxes)
    return Detections(
        boxes=boxes, scores=np.asarray(scores, np.float32), labels=np.asarray(labels), class_names=NAMES,
        raw_boxes=boxes, raw_scores=np.asarray(scores, np.float32), raw_labels=np.asarray(labels),
        kept_indices=np.arange(n), image_size=(h, w),
    )


def _label_rect(text: str, x1: int, y1: int, h: int = 240) -> tuple[int, int, int, int]:
    """Where a label above (x1, y1) sits at the 0.4 scale of a 240-high frame: top, bottom, left, right."""
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.4, 1)
    return y1 - 4 - th - base, y1 - 4 + 3, x1, x1 + tw + 7


def test_the_best_label_is_drawn_on_top():
    frame = np.full((240, 320, 3), 90, np.uint8)
    # the detector lists the best first; the weaker box's label lands on the same spot
    det = _two_boxes([[60, 80, 200, 200], [60, 80, 190, 210]], [0.91, 0.62], [1, 2])
    out = annotate(frame, det, show_raw=False, show_counts=False)
    top, bottom, left, right = _label_rect("person 0.91", 60, 80)
    label = out[top:bottom, left:right]
    best, weaker = np.all(label == class_colour(1), axis=2).mean(), np.all(label == class_colour(2), axis=2).mean()
    assert best > 0.5 and best > weaker


def test_labels_at_the_right_edge_stay_inside_the_image():
    h, w = 240, 320
    frame = np.full((h, w, 3), 90, np.uint8)
    det = _two_boxes([[w - 30, 100, w - 1, 180]], [0.88], [3])  # "a rather long class name 0.88" is far wider than 30 px
    out = annotate(frame, det, show_raw=False, show_counts=False)
    (tw, th), base = cv2.getTextSize("a rather long class name 0.88", cv2.FONT_HERSHEY_SIMPLEX, 0.4, 1)
    row = out[100 - 4 - th // 2]
    covered = np.any(row != 90, axis=1)  # label colour or its text, never the grey background
    # the whole label is on the picture: its run of colour and text ends at the right edge and is full width
    assert covered[w - 1] and covered[w - tw - 6 : w].all()


def test_the_counts_caption_leaves_a_top_left_label_readable():
    h, w = 240, 320
    frame = np.full((h, w, 3), 90, np.uint8)
    det = _two_boxes([[4, 30, 150, 150]], [0.95], [1])  # label at the top-left corner, where the caption used to go
    out = annotate(frame, det, show_raw=False, show_counts=True)
    top, bottom, left, right = _label_rect("person 0.95", 4, 30)
    label = out[top:bottom, left:right]
    assert np.all(label == class_colour(1), axis=2).mean() > 0.5 and (label.min(axis=2) > 200).sum() > 10
    # the caption is still drawn, in a free corner: a darkened block with white text
    without = annotate(frame, det, show_raw=False, show_counts=False)
    changed = np.any(out != without, axis=2)
    ys, xs = np.nonzero(changed)
    assert len(ys) > 100 and not (ys.min() < bottom and xs.min() < right)
