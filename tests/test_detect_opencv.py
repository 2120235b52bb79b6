"""OpenCV's offline detectors on the bundled sample photos."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torchvision.ops import nms

from engine.detect import create_detector, iou
from engine.samples import sample_image

#: the astronaut's face, marked by hand on skimage's 512x512 astronaut photo (xyxy)
ASTRONAUT_FACE = [172.0, 62.0, 272.0, 172.0]


def test_haar_face_finds_the_astronaut():
    det = create_detector("haar_face", device="cpu")
    out = det.detect(sample_image("astronaut"), score_threshold=0.5, iou_threshold=0.3)
    assert out.num_raw > len(out) >= 1  # many overlapping windows collapse under NMS
    best = int(np.argmax(out.scores))
    assert iou(out.boxes[best], ASTRONAUT_FACE) > 0.6
    assert out.class_names == ["face"] and out.labels.tolist() == [0] * len(out)
    assert out.image_size == (512, 512)


def test_haar_kept_is_our_nms_of_the_raw_boxes():
    det = create_detector("haar_face", device="cpu")
    out = det.detect(sample_image("astronaut"), score_threshold=0.5, iou_threshold=0.3)
    ref = nms(torch.from_numpy(out.raw_boxes), torch.from_numpy(out.raw_scores), 0.3).numpy()
    np.testing.assert_array_equal(out.kept_indices, ref)
    assert (out.raw_scores > 0.5).all()
    higher = det.detect(sample_image("astronaut"), score_threshold=0.9, iou_threshold=0.3)
    assert higher.num_raw < out.num_raw


@pytest.mark.parametrize("name, photo", [
    ("haar_cat_face", "chelsea"), ("haar_upper_body", "astronaut"), ("haar_full_body", "rocket"), ("hog_people", "astronaut"),
])
def test_other_opencv_detectors_run(name, photo):
    det = create_detector(name, device="cpu")
    image = sample_image(photo)
    low = det.detect(image, score_threshold=0.0, iou_threshold=0.5)
    assert low.raw_boxes.shape[1] == 4 and low.raw_boxes.dtype == np.float32
    assert len(low) >= 1  # each finds candidates on its photo (Chelsea is a cat; the rocket photo has people)
    ref = nms(torch.from_numpy(low.raw_boxes), torch.from_numpy(low.raw_scores), 0.5).numpy()
    np.testing.assert_array_equal(low.kept_indices, ref)
    h, w = image.shape[:2]
    assert (low.raw_boxes[:, :2] >= -1).all() and (low.raw_boxes[:, 2] <= w + 1).all() and (low.raw_boxes[:, 3] <= h + 1).all()
    assert (low.raw_boxes[:, 2:] > low.raw_boxes[:, :2]).all()
    assert ((low.raw_scores >= 0) & (low.raw_scores <= 1)).all()


def test_hog_finds_a_standing_person():
    # a dark upright figure on a light background, the HOG model's home ground is 64x128 windows
    img = np.full((256, 192, 3), 225, np.uint8)
    import cv2

    cv2.ellipse(img, (96, 70), (14, 17), 0, 0, 360, (40, 40, 40), -1)  # head
    cv2.rectangle(img, (76, 88), (116, 160), (50, 50, 60), -1)  # torso
    cv2.line(img, (84, 160), (78, 225), (50, 50, 60), 14)  # legs
    cv2.line(img, (108, 160), (114, 225), (50, 50, 60), 14)
    cv2.line(img, (78, 92), (64, 150), (50, 50, 60), 10)  # arms
    cv2.line(img, (114, 92), (128, 150), (50, 50, 60), 10)
    det = create_detector("hog_people", device="cpu")
    out = det.detect(img, score_threshold=0.0, iou_threshold=0.3)
    assert out.num_raw >= 1
    best = out.boxes[int(np.argmax(out.scores))]
    assert iou(best, [56, 40, 136, 235]) > 0.3
