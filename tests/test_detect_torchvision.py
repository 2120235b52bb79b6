"""Our post-processing of torchvision's detectors equals torchvision's own output (random weights)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.detect import create_detector
from engine.detect.torchvision_detectors import TorchvisionDetector
from engine.samples import sample_image
from engine.weights import WeightsMissing


def _image() -> np.ndarray:
    return np.ascontiguousarray(sample_image("astronaut")[::2, ::3])  # 256 x 171: not square


def _compare(det: TorchvisionDetector, score: float, image: np.ndarray) -> tuple[dict, object]:
    model = det.model
    if hasattr(model, "roi_heads"):
        model.roi_heads.score_thresh = score
        nms_thresh, cap = model.roi_heads.nms_thresh, model.roi_heads.detections_per_img
    else:
        model.score_thresh = score
        nms_thresh, cap = model.nms_thresh, model.detections_per_img
    with torch.inference_mode():
        ref = model([torch.from_numpy(image).permute(2, 0, 1).float() / 255.0])[0]
    ours = det.detect(image, score, nms_thresh, max_detections=cap)
    return ref, ours


def test_ssdlite_kept_set_equals_torchvision():
    torch.manual_seed(0)
    det = TorchvisionDetector("ssdlite320_mobilenet_v3_large", weights="random", exact=True)
    with torch.no_grad():  # spread the class scores so that many boxes pass the threshold
        for p in det.model.head.classification_head.parameters():
            p.normal_(0.0, 2.0)
    ref, ours = _compare(det, 0.2, _image())
    assert len(ref["boxes"]) > 10
    assert ours.num_raw > len(ours)  # NMS removed something
    torch.testing.assert_close(torch.from_numpy(ours.boxes), ref["boxes"], rtol=0, atol=0)
    torch.testing.assert_close(torch.from_numpy(ours.scores), ref["scores"], rtol=0, atol=0)
    assert ours.labels.tolist() == ref["labels"].tolist()
    assert ours.random_weights and ours.to_dict()["weights"] == "random"
    # raw candidates: every one above the threshold, kept ones among them
    assert (ours.raw_scores > 0.2).all()
    np.testing.assert_array_equal(ours.raw_boxes[ours.kept_indices], ours.boxes)


def test_fasterrcnn_kept_set_equals_torchvision():
    torch.manual_seed(1)
    det = TorchvisionDetector("fasterrcnn_mobilenet_v3_large_320_fpn", weights="random", exact=True)
    ref, ours = _compare(det, 0.0112, _image())
    assert len(ref["boxes"]) > 10
    torch.testing.assert_close(torch.from_numpy(ours.boxes), ref["boxes"], rtol=0, atol=0)
    torch.testing.assert_close(torch.from_numpy(ours.scores), ref["scores"], rtol=0, atol=0)
    assert ours.labels.tolist() == ref["labels"].tolist()


def test_fast_preprocessing_close_to_exact():
    torch.manual_seed(0)
    fast = TorchvisionDetector("ssdlite320_mobilenet_v3_large", weights="random")
    exact = TorchvisionDetector("ssdlite320_mobilenet_v3_large", weights="random", exact=True)
    exact.model.load_state_dict(fast.model.state_dict())
    image = _image()
    ia, ib = fast._preprocess(image), exact._preprocess(image)
    assert ia.image_sizes == ib.image_sizes and ia.tensors.shape == ib.tensors.shape
    # same resize and normalisation, in the cheaper order: differences are interpolation rounding
    assert (ia.tensors - ib.tensors).abs().mean() < 0.05


def test_anchor_sets_cover_the_image():
    torch.manual_seed(0)
    det = create_detector("ssdlite320_mobilenet_v3_large", weights="random", device="cpu")
    levels = det.anchor_sets((240, 320))
    assert len(levels) == 6  # SSDlite's six feature maps
    for level in levels:
        rows, cols = level["grid"]
        assert level["boxes"].shape == (rows * cols * level["per_cell"], 4)
    first = levels[0]["boxes"]
    centres = (first[:, :2] + first[:, 2:]) / 2
    assert 0 <= centres[:, 0].min() and centres[:, 0].max() <= 320
    assert 0 <= centres[:, 1].min() and centres[:, 1].max() <= 240


def test_missing_weights_raise_clear_error():
    with pytest.raises(WeightsMissing, match="models download ssdlite320_mobilenet_v3_large"):
        create_detector("ssdlite320_mobilenet_v3_large", weights="installed", device="cpu")


@pytest.mark.parametrize("name", ["ssdlite320_mobilenet_v3_large", "fasterrcnn_mobilenet_v3_large_320_fpn", "retinanet_resnet50_fpn_v2"])
def test_anchor_sets_equal_the_anchors_of_a_real_forward(name):
    torch.manual_seed(0)
    det = create_detector(name, weights="random", device="cpu")
    t = det.model.transform
    if t.fixed_size is None:  # keep the reference forward cheap: a 160 px network input
        t.min_size, t.max_size = (160,), 240
    size = (150, 200)
    levels = det.anchor_sets(size)
    m = det.model
    with torch.inference_mode():
        images = det._preprocess(np.zeros((*size, 3), np.uint8))
        feats = m.backbone(images.tensors)
        feats = list(feats.values()) if isinstance(feats, dict) else [feats]
        generator = m.rpn.anchor_generator if hasattr(m, "rpn") else m.anchor_generator
        ref = generator(images, feats)[0]
    assert [lv["grid"] for lv in levels] == [tuple(f.shape[-2:]) for f in feats]
    from torchvision.models.detection.transform import resize_boxes

    ref = resize_boxes(ref, images.image_sizes[0], size).numpy()
    np.testing.assert_array_equal(np.concatenate([lv["boxes"] for lv in levels]), ref)
