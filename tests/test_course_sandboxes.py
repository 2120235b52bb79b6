"""Hand-driven examples of the course: face distance scales, style loss names, colour shifts,
sliding windows of several sizes, the grid/anchor encoder and step-through NMS."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision

from engine.augment import ColourShift, colour_shift
from engine.detect.nms import nms_by_hand
from engine.face.match import distance_formula, from_display_distance, threshold_in, to_display_distance, verify
from engine.yolo.sandbox import SANDBOX_CLASSES, encode_objects
from engine.yolo.sliding import WindowClassifier, sliding_cropped, sliding_sizes, window_grid


def test_face_distance_shown_squared_or_not():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=128), rng.normal(size=128)
    d = verify(a, b).distance
    assert d == pytest.approx(float(torch.dist(torch.tensor(a), torch.tensor(b))))
    assert to_display_distance(d, squared=True) == pytest.approx(float(((a - b) ** 2).sum()))
    assert to_display_distance(d, "euclidean") == pytest.approx(d)
    assert threshold_in(0.6, True) == pytest.approx(0.36) and threshold_in(0.6, "euclidean") == 0.6
    assert from_display_distance(0.36, "squared") == pytest.approx(0.6)
    for dist in (0.3, 0.59, 0.61, 1.2):  # the decision is the same on either scale
        assert (dist <= 0.6) == (to_display_distance(dist, True) <= threshold_in(0.6, True))
    assert distance_formula(True).endswith("‖²")
    with pytest.raises(ValueError, match="euclidean or squared"):
        threshold_in(0.6, "cosine")


def test_style_records_name_weighted_terms_and_keep_costs():
    from engine.jobs import run_job
    from engine.samples import sample_image
    from engine.style import StyleParams, random_backbone, stylize
    from engine.style.losses import content_loss

    content = sample_image("chelsea")[::6, ::6]
    style = content[:, ::-1].copy()
    params = StyleParams(size=40, steps=2, report_every=1, optimizer="adam", init="noise", backbone="random",
                         alpha=2.0, beta=3.0, gamma=0.0, multiscale=False,
                         content_layer="conv2_1", style_layers={"conv1_1": 1.0})
    messages = []
    job = stylize(content, style, params, backbone=random_backbone("cpu", seed=0), device="cpu")
    result = run_job(job, lambda p: messages.append(p.message)).result
    rec = result.losses[0]
    assert rec.weighted_content == pytest.approx(2.0 * rec.content_cost, rel=1e-5)
    assert rec.weighted_style == pytest.approx(3.0 * rec.style_cost, rel=1e-5)
    assert rec.content == rec.weighted_content and rec.content_cost > 0
    assert any("α·J_content" in m and "β·J_style" in m for m in messages)
    assert not any("(content " in m for m in messages)
    from dataclasses import asdict

    keys = asdict(rec)
    assert {"weighted_content", "weighted_style", "content_cost", "style_cost"} <= set(keys)


def test_hand_dialled_colour_shift_exact_pixels():
    img = np.array([[[100, 100, 100], [250, 10, 0]], [[0, 255, 128], [5, 15, 240]]], dtype=np.uint8)
    out = colour_shift(img, 20, -20, 20)
    assert out.tolist() == [[[120, 80, 120], [255, 0, 20]], [[20, 235, 148], [25, 0, 255]]]
    f = torch.tensor(img).permute(2, 0, 1).float() / 255
    assert torch.allclose(ColourShift(20, -20, 20)(f) * 255, torch.tensor(out).permute(2, 0, 1).float(), atol=1e-3)
    with pytest.raises(ValueError):
        colour_shift(img[..., :2], 20, 0, 0)


def test_sliding_windows_of_three_sizes_count_and_time():
    torch.manual_seed(0)
    net = WindowClassifier().eval()
    img = (np.random.default_rng(0).random((40, 48, 3)) * 255).astype(np.uint8)
    runs = sliding_sizes(net, img, sizes=(14, 21, 28))
    assert [r.size for r in runs] == [14, 21, 28] and [r.stride for r in runs] == [2, 3, 4]
    assert [r.crops for r in runs] == [window_grid(40, 48, r.size, r.stride)[0] * window_grid(40, 48, r.size, r.stride)[1] for r in runs]
    assert runs[0].crops == 14 * 18 and runs[0].crops > runs[1].crops > runs[2].crops
    assert all(r.seconds > 0 for r in runs)
    assert np.allclose(runs[0].probs, sliding_cropped(net, img), atol=1e-6)  # the 14-px size is the classic run
    last = runs[2]
    x0, y0 = 4 * (last.cols - 1), 4 * (last.rows - 1)
    assert tuple(last.boxes[-1]) == (x0, y0, x0 + 28, y0 + 28)
    assert sliding_sizes(net, img, sizes=(64,))[0].crops == 0


def test_grid_encoding_two_objects_in_one_cell_with_two_anchors():
    objs = [("pedestrian", (130, 110, 170, 190)), ("car", (100, 130, 200, 170))]
    r = encode_objects(objs, grid=3, anchors=2, image_size=300)
    assert r.output_shape == (3, 3, 16) and r.y.shape == (3, 3, 2, 8)
    assert r.shared_cells() == [(1, 1)]
    assert [a.anchor for a in r.assignments] == [0, 1] and not any(a.overwritten for a in r.assignments)
    cell = r.cell(1, 1)
    assert cell[:8].tolist() == pytest.approx([1, 0.5, 0.5, 0.8, 0.4, 1, 0, 0])  # pedestrian in the tall anchor
    assert cell[8:].tolist() == pytest.approx([1, 0.5, 0.5, 0.4, 1.0, 0, 1, 0])  # car in the wide anchor
    assert r.cell_vectors.sum() == pytest.approx(cell.sum())  # every other cell is empty
    one = encode_objects(objs, grid=3, anchors=1)
    assert one.output_shape == (3, 3, 8) and one.assignments[0].overwritten  # one anchor: the car overwrites
    for s in (7, 13, 19):
        assert encode_objects(objs, grid=s).output_shape == (s, s, 16)
    assert SANDBOX_CLASSES == ("pedestrian", "car", "motorcycle")
    with pytest.raises(ValueError, match="pedestrian, car or motorcycle"):
        encode_objects([("bus", (0, 0, 10, 10))])


def test_nms_by_hand_the_notes_five_boxes():
    boxes = [[10, 10, 110, 60], [14, 12, 112, 64], [8, 6, 106, 58], [200, 30, 300, 80], [204, 34, 306, 86]]
    p_c = [0.9, 0.6, 0.7, 0.8, 0.7]
    classes = [[0.0, 1.0, 0.0]] * 5  # all cars
    r = nms_by_hand(boxes, p_c, classes, pc_threshold=0.6, iou_threshold=0.5)
    assert r.discarded == [1]
    assert r.kept == [0, 3] and [r.scores[i] for i in r.kept] == pytest.approx([0.9, 0.8])
    assert [s.keeper for s in r.steps] == [0, 3] and r.steps[0].suppressed == [2] and r.steps[1].suppressed == [4]
    alive = [i for i in range(5) if i not in r.discarded]
    tv = torchvision.ops.nms(torch.tensor(boxes, dtype=torch.float32)[alive], torch.tensor(r.scores, dtype=torch.float32)[alive], 0.5)
    assert [alive[i] for i in tv.tolist()] == r.kept
    assert len(r.explain()) == 3
    # score = p_c × c_i: a weak class probability lowers the order
    r2 = nms_by_hand(boxes[:2], [0.9, 0.8], [[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]], per_class=False)
    assert r2.scores == pytest.approx([0.45, 0.8]) and r2.kept == [1]
