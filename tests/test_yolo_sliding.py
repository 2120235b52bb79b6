"""Sliding windows: the convolutional twin equals cropping every window."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.jobs import run_job
from engine.yolo.sliding import (
    SLIDING_CLASSES,
    WindowClassifier,
    compare,
    load_classifier,
    make_crops,
    output_size,
    save_classifier,
    sliding_convolutional,
    sliding_cropped,
    to_convolutional,
    train_classifier_job,
    window_of,
)


@pytest.fixture
def net():
    torch.manual_seed(0)
    return WindowClassifier().eval()


def image(h, w, seed=0):
    return (np.random.default_rng(seed).random((h, w, 3)) * 255).astype(np.uint8)


@pytest.mark.parametrize("size,cells", [(16, 2), (28, 8)])
def test_convolutional_equals_cropped(net, size, cells):
    img = image(size, size)
    cropped = sliding_cropped(net, img)
    conv = sliding_convolutional(to_convolutional(net), img)
    assert cropped.shape == conv.shape == (cells, cells, len(SLIDING_CLASSES))
    assert np.abs(cropped - conv).max() < 1e-5
    batched = sliding_cropped(net, img, one_at_a_time=False)
    assert np.abs(batched - conv).max() < 1e-5


def test_output_cell_maps_to_its_window(net):
    img = image(28, 40, seed=1)
    conv = sliding_convolutional(to_convolutional(net), img)
    assert conv.shape[:2] == output_size(28, 40) == (8, 14)
    x1, y1, x2, y2 = window_of(5, 11)
    assert (x1, y1, x2, y2) == (22, 10, 36, 24)
    crop = torch.from_numpy(img[y1:y2, x1:x2]).permute(2, 0, 1).unsqueeze(0).float() / 255
    with torch.no_grad():
        probs = torch.softmax(net(crop), 1)[0].numpy()
    assert np.abs(conv[5, 11] - probs).max() < 1e-5
    with pytest.raises(ValueError):
        output_size(10, 30)


def test_compare_reports_equality_and_timings(net):
    c = compare(net, image(28, 28), repeats=1)
    assert c.max_diff < 1e-5
    assert c.seconds_cropped > 0 and c.seconds_conv > 0 and c.speedup == pytest.approx(c.seconds_cropped / c.seconds_conv)


def test_crops_are_labelled_and_reproducible():
    a, la = make_crops(40, seed=3)
    b, lb = make_crops(40, seed=3)
    assert a.shape == (40, 14, 14, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b) and np.array_equal(la, lb)
    assert set(la.tolist()) <= set(range(len(SLIDING_CLASSES))) and len(set(la.tolist())) > 1


def test_short_training_learns_and_round_trips(tmp_path):
    result = run_job(train_classifier_job(n_train=1200, epochs=2, seed=0)).result
    assert result.accuracy > 0.5  # four classes: chance is about 0.25-0.4
    path = save_classifier(tmp_path / "win.pt", result.net, result.accuracy)
    loaded, acc = load_classifier(path)
    assert acc == pytest.approx(result.accuracy)
    img = image(16, 16)
    assert np.abs(sliding_cropped(loaded, img) - sliding_cropped(result.net, img)).max() == 0
