"""The worked-example views' engine functions: numbers against independent torch computations, bad input, and
`course check` going through the same functions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.course import EXAMPLES, check, example, run_example
from engine.course.worked_faces import one_shot, triplet, verification_vs_recognition
from engine.course.worked_layers import conv_layer_numbers, dense_vs_conv
from engine.course.worked_style import content_cost, gram_style, total_cost


@pytest.mark.parametrize("hwc,f,k", [((6, 6, 3), 3, 10), ((28, 28, 192), 1, 32), ((32, 32, 1), 5, 6), ((7, 9, 4), 3, 2)])
def test_conv_layer_counts_and_shapes_agree_with_torch(hwc, f, k):
    r = conv_layer_numbers(hwc, f, k)
    h, w, c = hwc
    assert r.params == (f * f * c + 1) * k and r.weights_per_filter == f * f * c and r.params_per_filter == f * f * c + 1
    out = F.conv2d(torch.zeros(1, c, h, w), torch.from_numpy(r.weights), torch.from_numpy(r.bias))
    assert r.output_hwc == (out.shape[2], out.shape[3], out.shape[1])
    assert r.weights.shape == (k, c, f, f) and r.bias.shape == (k,)


def test_the_280_and_6176_examples():
    assert conv_layer_numbers((6, 6, 3), 3, 10).params == 280
    big = conv_layer_numbers((1000, 1000, 3), 3, 10)  # the count does not depend on the image size
    assert big.params == 280 and big.output_hwc == (998, 998, 10)
    r = conv_layer_numbers((28, 28, 192), 1, 32)
    assert r.params == 6_176 and r.output_hwc == (28, 28, 32)


def test_dense_layer_on_1000x1000x3_is_counted_without_allocating_it():
    r = dense_vs_conv((1000, 1000, 3), 1000)
    assert r.inputs == 3_000_000 and r.dense_weights == 3_000_000_000 and r.dense_biases == 1000
    assert r.dense_params == 3_000_001_000 and r.conv.params == 280
    small = dense_vs_conv((4, 5, 3), 7)  # a layer small enough to build for real
    real = torch.nn.Linear(60, 7)
    assert small.dense_params == sum(p.numel() for p in real.parameters())


@pytest.mark.parametrize("call", [
    lambda: conv_layer_numbers((6, 6, 3), 7, 1),
    lambda: conv_layer_numbers((6, 6), 3, 1),
    lambda: conv_layer_numbers((6, 6, 3), 3, 0),
    lambda: dense_vs_conv((10, 10, 3), 0),
    lambda: content_cost([[1, 2]], [[1, 2, 3]]),
    lambda: gram_style([[1, 2, 3]], [[1, 2, 3]], (2, 2)),
    lambda: triplet([0, 0], [1], [2, 2]),
    lambda: one_shot(["Ana"], "Ana"),
])
def test_bad_sizes_are_one_clear_error(call):
    with pytest.raises(ValueError) as info:
        call()
    assert "\n" not in str(info.value) and str(info.value)


def test_content_cost_against_torch():
    a_c, a_g = [[1, 2], [3, 4]], [[1, 0], [3, 5]]
    r = content_cost(a_c, a_g)
    want = 0.5 * float(((torch.tensor(a_c, dtype=torch.float64) - torch.tensor(a_g, dtype=torch.float64)) ** 2).sum())
    assert r.cost == pytest.approx(want) == 2.5
    assert r.sum_squares == 5 and r.difference == [[0, 2], [0, -1]]


def test_gram_and_style_cost_against_torch():
    a_s, a_g = [[1, 1, 1, 1], [0, 0, 0, 0]], [[1, 2, 3, 4], [0, 1, 0, 1]]
    r = gram_style(a_s, a_g, (2, 2))
    m_g, m_s = torch.tensor(a_g, dtype=torch.float64), torch.tensor(a_s, dtype=torch.float64)
    g_g, g_s = m_g @ m_g.T, m_s @ m_s.T  # channels × positions, times its transpose
    assert r.gram_g == g_g.tolist() == [[30, 6], [6, 2]] and r.gram_s == g_s.tolist()
    want = float(((g_s - g_g) ** 2).sum()) / (2 * 2 * 2 * 2) ** 2
    assert r.cost == pytest.approx(want) == pytest.approx(752 / 256)
    rng = np.random.default_rng(3)  # and a random 3×4×5 activation
    s, g = rng.random((5, 12)), rng.random((5, 12))
    r = gram_style(s.tolist(), g.tolist(), (3, 4))
    ts, tg = torch.tensor(s), torch.tensor(g)
    want = float(((ts @ ts.T - tg @ tg.T) ** 2).sum()) / (2 * 3 * 4 * 5) ** 2
    assert r.cost == pytest.approx(want, rel=1e-5)


def test_total_cost():
    r = total_cost(10, 40, 2.0, 0.5)
    assert (r.weighted_content, r.weighted_style, r.total) == (20, 20, 40)


def test_triplet_against_torch():
    r = triplet([0, 0], [0.3, 0.4], [0.6, 0], 0.2)
    assert (r.terms.ap, r.terms.an) == pytest.approx((0.25, 0.36)) and r.terms.loss == pytest.approx(0.09)
    a, p, n = torch.tensor([[0.0, 0]]), torch.tensor([[0.3, 0.4]]), torch.tensor([[0.6, 0.0]])
    want = torch.relu(((a - p) ** 2).sum() - ((a - n) ** 2).sum() + 0.2)
    assert r.torch_loss == pytest.approx(float(want), abs=1e-7)
    assert triplet([0, 0], [0.3, 0.4], [2, 0], 0.2).terms.loss == 0


def test_verification_vs_recognition_distances_are_exact():
    r = verification_vs_recognition([0.5, 0.7], 0.6)
    assert [v.distance for v in r.verifications] == pytest.approx([0.5, 0.7])
    assert [v.same for v in r.verifications] == [True, False]
    assert [i.name for i in r.identifications] == ["Ana", "Unknown"]
    assert all(min(row[1:]) > 0.6 for row in r.distances)  # nobody else is within τ
    assert [row[0] for row in r.distances] == pytest.approx([0.5, 0.7], abs=1e-5)


def test_one_shot_softmax_has_no_place_for_a_sixth_person():
    r = one_shot(["Ana", "Ben", "Chen", "Dina", "Eva"], "Fei")
    assert len(r.softmax_probs) == 5 and sum(r.softmax_probs) == pytest.approx(1.0, abs=1e-6)
    assert r.softmax_guess in r.people_before
    assert (r.softmax_params_before, r.softmax_params_after) == (128 * 5 + 5, 128 * 6 + 6)
    assert not r.before.known and r.after.name == "Fei" and r.after.known
    assert r.newcomer_distances[-1] == pytest.approx(0.3, abs=1e-5)


def test_course_check_runs_the_view_functions_for_these_examples():
    views = [e.id for e in EXAMPLES if e.panel == "course_views"]
    assert len(views) == 10
    for eid in views:
        assert check.COMPUTE[eid].__module__ == "engine.course.checks.views", eid
    fast = [e for e in views if e != "resnet-plain-vs-residual"]
    rows = [r for e in fast for r in run_example(example(e))]
    assert rows and all(r.ok for r in rows), [r for r in rows if not r.ok]


@pytest.mark.parametrize("eid,key,wrong", [("layer-params-280", "params", 270), ("one-by-one-28x28x192", "params", 6_144),
                                           ("fc-input-1000", "weights", 3_000_001_000), ("gram-2-channels", "gram", [[30, 6], [6, 1]]),
                                           ("one-shot-new-person", "softmax_params", [640, 768]), ("content-cost-2x2", "cost", 5.0)])
def test_a_wrong_expected_number_fails_the_check(eid, key, wrong):
    ex = example(eid)
    row = next(r for r in run_example(dataclasses.replace(ex, expected={**ex.expected, key: wrong})) if r.name == key)
    assert not row.ok and row.computed is not None


def test_degradation_check_reads_the_trained_networks(monkeypatch):
    from engine.train import residual

    real = residual.residual_experiment

    def plain_one_layer_deeper(**kw):
        result = yield from real(**{**kw, "epochs": 1, "limit": 128})
        result.curves.depth = 21
        result.curves.plain_params += 1
        return result

    monkeypatch.setattr(residual, "residual_experiment", plain_one_layer_deeper)
    rows = {r.name: r for r in run_example(example("resnet-plain-vs-residual"))}
    assert rows["depth_plain"].computed == 21 and not rows["depth_plain"].ok
    assert rows["same_parameters"].computed is False and rows["depth_residual"].ok
