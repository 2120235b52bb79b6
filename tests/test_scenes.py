"""Synthetic scenes: reproducible, exact boxes, demo frames with ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from engine.scenes import CLASS_NAMES, DemoScene, Scene, make_background, make_scene, make_scenes, render_sprite


def test_same_seed_same_scene_and_different_seed_differs():
    a, b, c = make_scene(11), make_scene(11), make_scene(12)
    assert np.array_equal(a.image, b.image)
    assert np.array_equal(a.boxes, b.boxes) and np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.image, c.image)
    first = make_scenes(3, seed=4)
    again = make_scenes(3, seed=4)
    assert all(np.array_equal(x.image, y.image) for x, y in zip(first, again))


def test_scene_types_and_boxes_inside_image():
    for seed in range(20):
        s = make_scene(seed, size=(96, 128))
        assert isinstance(s, Scene)
        assert s.image.shape == (96, 128, 3) and s.image.dtype == np.uint8
        assert s.boxes.dtype == np.float32 and s.boxes.shape == (len(s), 4)
        assert s.labels.dtype == np.int64 and s.labels.shape == (len(s),)
        assert s.class_names == CLASS_NAMES
        assert (s.boxes[:, 0] >= 0).all() and (s.boxes[:, 2] <= 128).all()
        assert (s.boxes[:, 1] >= 0).all() and (s.boxes[:, 3] <= 96).all()
        assert (s.boxes[:, 2] > s.boxes[:, 0]).all() and (s.boxes[:, 3] > s.boxes[:, 1]).all()


def test_boxes_are_tight_around_the_drawn_object():
    # on a flat background, the object's pixels differ from the background exactly inside its box
    rng = np.random.default_rng(0)
    for label in range(len(CLASS_NAMES)):
        sprite = render_sprite(label, 30, rng)
        assert sprite.mask[0].any() and sprite.mask[-1].any()
        assert sprite.mask[:, 0].any() and sprite.mask[:, -1].any()
    car = render_sprite(CLASS_NAMES.index("car"), 30, rng)
    assert car.shape[1] > 1.5 * car.shape[0]


def test_one_object_on_gradient_box_matches_changed_pixels():
    s = make_scene(3, size=(64, 64), objects=(1, 1), background="gradient")
    bg = make_background((64, 64), np.random.default_rng(3), "gradient")
    changed = np.argwhere((s.image != bg).any(axis=2))
    y0, x0 = changed.min(axis=0)
    y1, x1 = changed.max(axis=0) + 1
    assert np.allclose(s.boxes[0], [x0, y0, x1, y1], atol=1)


def test_overlaps_stay_partial():
    import torch
    from torchvision.ops import box_iou

    for s in make_scenes(30, seed=2):
        if len(s) > 1:
            iou = box_iou(torch.from_numpy(s.boxes), torch.from_numpy(s.boxes)).fill_diagonal_(0)
            assert float(iou.max()) <= 0.3 + 1e-6


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        make_scene(0, size=(8, 8))
    with pytest.raises(ValueError):
        make_background((32, 32), np.random.default_rng(0), "plaid")
    with pytest.raises(ValueError):
        render_sprite(9, 20, np.random.default_rng(0))


def test_demo_frames_random_access_and_motion():
    demo = DemoScene(seed=5, size=(120, 160), objects=5)
    f3 = demo.frame(3)
    again = DemoScene(seed=5, size=(120, 160), objects=5).frame(3)
    assert np.array_equal(f3.image, again.image) and np.array_equal(f3.boxes, again.boxes)
    seq = list(demo.frames(4))
    assert np.array_equal(seq[3].image, f3.image)
    later = demo.frame(40)
    assert not np.array_equal(later.boxes, f3.boxes)
    assert (later.boxes[:, 2] <= 160).all() and (later.boxes[:, 3] <= 120).all() and (later.boxes >= 0).all()
    assert set(f3.labels.tolist()) == set(range(4))
