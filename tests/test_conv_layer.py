"""One CNN layer in the lab's engine: ReLU step, 32 channels and 1×1 filters, large kernels,
arithmetic for any size, pooling straight on a grid, and the translation demo; numbers against torch."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine import conv
from engine.conv.arith import coverage_extremes, coverage_line

NOTE_GRID = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]


def test_relu_step_equals_conv_bias_relu():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(3, 7, 7)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    t = conv.trace(x, w, b, stride=2, padding=1, relu=True)
    ref = F.relu(F.conv2d(torch.tensor(x)[None], torch.tensor(w), torch.tensor(b), stride=2, padding=1))[0]
    assert torch.allclose(t.output.double(), ref, atol=1e-5)
    pre = F.conv2d(torch.tensor(x)[None], torch.tensor(w), torch.tensor(b), stride=2, padding=1)[0]
    assert torch.allclose(t.pre_activation.double(), pre, atol=1e-5)
    assert (pre < 0).any()  # the example really has negatives for ReLU to clip
    for step in t.steps:
        assert step.relu and step.activated == pytest.approx(max(step.total, 0.0))
    plain = conv.trace(x, w, b, stride=2, padding=1)
    assert torch.allclose(plain.output.double(), pre, atol=1e-5) and plain.steps[0].activated == plain.steps[0].total
    code = conv.pytorch_code(x, w, b, 2, 1, relu=True)
    scope: dict = {}
    exec(code, scope)
    assert torch.allclose(scope["y"][0].double(), ref, atol=1e-4)


def test_32_channel_1x1_layer_is_a_fully_connected_layer_per_pixel():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 6, 6))
    w = rng.normal(size=(5, 32, 1, 1))
    b = rng.normal(size=5)
    t = conv.trace(x, w, b, relu=True)  # the lab's trace runs 32 channels
    ref = F.relu(F.conv2d(torch.tensor(x)[None], torch.tensor(w), torch.tensor(b)))[0]
    assert t.output.shape == (5, 6, 6) and torch.allclose(t.output.double(), ref, atol=1e-5)
    v = conv.pointwise_view(x, w, b)
    assert v.weights_per_output == 32 and v.params == (32 + 1) * 5
    assert torch.allclose(v.output.double(), ref, atol=1e-5)
    per_pixel = F.relu(F.linear(torch.tensor(x).reshape(32, 36).T, torch.tensor(w[:, :, 0, 0]), torch.tensor(b)))
    assert np.allclose(np.maximum(v.pre_activation, 0), per_pixel.numpy())
    vec, weights, value = v.dot(2, 3, 4)
    assert np.array_equal(vec, x[:, 2, 3]) and value == pytest.approx(float(vec @ weights + b[4]))
    assert conv.input_preset("random integers", 6, 32).shape == (32, 6, 6)
    with pytest.raises(ValueError, match="1..32"):
        conv.input_preset("random integers", 6, 33)


def test_kernel_11_stride_4_and_any_size_arithmetic():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(1, 23, 23)), conv.filter_preset("vertical edge", 11, 1)[None]
    t = conv.trace(x, w, stride=4)
    ref = F.conv2d(torch.tensor(x)[None], torch.tensor(w), stride=4)[0]
    assert t.out_size == (4, 4) and torch.allclose(t.output.double(), ref, atol=1e-5)
    assert conv.output_size(227, 11, 0, 4) == 55 and conv.output_size(224, 11, 0, 4) == 54
    t0 = time.perf_counter()
    big = 10**12
    assert conv.output_size(big, 11, 0, 4) == (big - 11) // 4 + 1
    assert coverage_extremes(big, 11, 0, 4) == (0, 3)
    assert time.perf_counter() - t0 < 5  # instant, not a loop over 10¹² pixels
    rng = np.random.default_rng(3)
    for _i in range(300):
        n, f, p, s, d = (int(rng.integers(1, 60)), int(rng.integers(1, 12)), int(rng.integers(0, 5)),
                         int(rng.integers(1, 6)), int(rng.integers(1, 3)))
        try:
            line = coverage_line(n, f, p, s, d)
        except ValueError:
            continue
        assert coverage_extremes(n, f, p, s, d) == (int(line.min()), int(line.max()))


def test_conv_size_cli_handles_227_and_huge_sizes(capsys):
    import json

    from engine.cli import build_parser, run

    assert run(build_parser().parse_args(["conv", "size", "227", "-f", "11", "-s", "4", "--json"])) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["output"] == 55 and data["shape_order"] == "chw"
    t0 = time.perf_counter()
    assert run(build_parser().parse_args(["conv", "size", str(10**12), "-f", "11", "-s", "4", "--json"])) == 0
    assert json.loads(capsys.readouterr().out)["output"] == (10**12 - 11) // 4 + 1
    assert time.perf_counter() - t0 < 10


def test_pooling_straight_on_the_notes_grid():
    mx = conv.pool_trace(NOTE_GRID, "max", 2, 2)
    av = conv.pool_trace(NOTE_GRID, "avg", 2, 2)
    g = torch.tensor(NOTE_GRID, dtype=torch.float32)[None, None]
    assert mx.output[0].tolist() == [[9, 2], [6, 3]] == F.max_pool2d(g, 2, 2)[0, 0].tolist()
    assert av.output[0].tolist() == F.avg_pool2d(g, 2, 2)[0, 0].tolist() == [[3.75, 1.25], [3.75, 2.0]]


def test_shift_demo_feature_map_moves_and_max_pooling_absorbs():
    img = np.zeros((12, 12))
    img[2:10, 3:5] = 10.0  # a bar two pixels wide
    k = [[1, 0, -1]] * 3
    d = conv.shift_demo(img, k, 1, ("max", 2, 2))
    x = torch.tensor(img, dtype=torch.float32)[None, None]
    xs = torch.zeros_like(x)
    xs[..., 1:] = x[..., :-1]
    w = torch.tensor(k, dtype=torch.float32)[None, None]
    assert torch.allclose(d.shifted, xs[0])
    assert torch.allclose(d.feature, F.conv2d(x, w)[0]) and torch.allclose(d.shifted_feature, F.conv2d(xs, w)[0])
    assert torch.allclose(d.shifted_pooled, F.max_pool2d(F.conv2d(xs, w), 2, 2)[0])
    assert d.feature_shift_error == 0.0  # the map moved by exactly one column
    assert torch.equal(d.shifted_feature[..., 1:], d.feature[..., :-1])
    assert d.pooled_unchanged_fraction > d.feature_unchanged_fraction
    far = conv.shift_demo(img, k, (0, 5), "max")
    assert far.pooled_unchanged_fraction < d.pooled_unchanged_fraction


def test_lab_model_runs_32_channels_1x1_relu_and_11x11(qtbot):
    from gui.panels.convolution_model import ConvLabModel

    m = ConvLabModel()
    m.set_input_preset("random integers")
    m.set_channels(32)
    m.set_kernel_size(1)
    m.set_kernel_preset("identity")
    m.bias[:] = -144.0  # about the mean of 32 summed digits: some outputs fall below 0
    m.set_relu(True)
    assert m.anim is not None and m.anim.conv.in_channels == 32
    x, w = torch.tensor(m.input)[None], torch.tensor(m.weights)
    ref = F.relu(F.conv2d(x, w, torch.tensor(m.bias)))[0]
    assert torch.allclose(m.anim.conv.output.double(), ref, atol=1e-5) and (ref == 0).any()
    assert "F.relu" in m.code()
    m.set_n(23)
    m.set_kernel_size(11)
    m.set_stride(4)
    assert m.f == 11 and m.anim.conv.out_size == (4, 4)
    with pytest.raises(ValueError):
        m.set_channels(33)
