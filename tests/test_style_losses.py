"""Gram matrix, content/style/TV costs and colour conversions against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.style import colors
from engine.style.losses import content_loss, gram_matrix, style_layer_loss, style_loss, total_loss, tv_loss
from engine.style.memory import MemoryRefused, check_memory, estimate_bytes, largest_fitting_size


def test_gram_matrix_by_hand():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 1, 2)  # C=2, H=1, W=2
    g = gram_matrix(a)
    assert g.shape == (1, 2, 2)
    assert torch.equal(g[0], torch.tensor([[5.0, 11.0], [11.0, 25.0]]))


def test_gram_matrix_matches_einsum():
    a = torch.randn(2, 5, 4, 3, generator=torch.Generator().manual_seed(1))
    ref = torch.einsum("nchw,ndhw->ncd", a, a)
    assert torch.allclose(gram_matrix(a), ref, atol=1e-5)


def test_gram_matrix_of_a_channels_last_activation():
    a = torch.randn(1, 6, 5, 7, generator=torch.Generator().manual_seed(2))
    cl = a.contiguous(memory_format=torch.channels_last)
    assert torch.allclose(gram_matrix(cl), gram_matrix(a), atol=1e-5)
    a.requires_grad_(True)
    cl = a.contiguous(memory_format=torch.channels_last)
    gram_matrix(cl).sum().backward()
    ref = a.detach().clone().requires_grad_(True)
    gram_matrix(ref).sum().backward()
    assert torch.allclose(a.grad, ref.grad, atol=1e-5)


def test_content_loss_by_hand():
    c = torch.tensor([1.0, 2.0, 3.0]).reshape(1, 3, 1, 1)
    g = torch.tensor([0.0, 2.0, 5.0]).reshape(1, 3, 1, 1)
    assert content_loss(c, g).item() == pytest.approx(0.5 * (1 + 0 + 4))


def test_style_layer_loss_normalisation():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 1, 2)  # Gram [[5, 11], [11, 25]]
    target = torch.tensor([[[6.0, 11.0], [11.0, 23.0]]])
    # squared differences 1 + 4 = 5; (2 * n_H * n_W * n_C)^2 = (2*1*2*2)^2 = 64
    assert style_layer_loss(target, a).item() == pytest.approx(5 / 64)


def test_style_loss_weights_layers():
    gen = torch.Generator().manual_seed(0)
    feats = {"conv1_1": torch.randn(1, 3, 4, 4, generator=gen), "conv2_1": torch.randn(1, 6, 2, 2, generator=gen)}
    grams = {k: gram_matrix(torch.randn(v.shape, generator=gen)) for k, v in feats.items()}
    expect = 0.3 * style_layer_loss(grams["conv1_1"], feats["conv1_1"]) + 0.7 * style_layer_loss(grams["conv2_1"], feats["conv2_1"])
    got = style_loss(grams, feats, {"conv1_1": 0.3, "conv2_1": 0.7})
    assert got.item() == pytest.approx(expect.item(), rel=1e-6)
    only_first = style_loss(grams, feats, {"conv1_1": 1.0, "conv2_1": 0.0})
    assert only_first.item() == pytest.approx(style_layer_loss(grams["conv1_1"], feats["conv1_1"]).item(), rel=1e-6)


def test_tv_loss_by_hand():
    x = torch.tensor([[0.0, 1.0], [3.0, 5.0]]).reshape(1, 1, 2, 2)
    # vertical (3-0)^2 + (5-1)^2 = 25, horizontal (1-0)^2 + (5-3)^2 = 5
    assert tv_loss(x).item() == pytest.approx(30.0)


def test_total_loss_weights():
    j, c, s, t = total_loss(torch.tensor(1.0), torch.tensor(2.0), torch.tensor(0.5), alpha=2.0, beta=3.0, gamma=4.0)
    assert (j.item(), c.item(), s.item(), t.item()) == (10.0, 2.0, 6.0, 2.0)


def test_ycbcr_round_trip_and_reference():
    rgb = np.random.default_rng(0).integers(0, 256, (8, 9, 3), dtype=np.uint8)
    ycc = colors.rgb_to_ycbcr(rgb)
    # JPEG (BT.601 full range) luma of pure red, green and blue
    prim = colors.rgb_to_ycbcr(np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], dtype=np.uint8))
    assert np.allclose(prim[0, :, 0], [0.299, 0.587, 0.114])
    assert np.allclose(colors.ycbcr_to_rgb(ycc) * 255, rgb, atol=1e-6)
    assert np.allclose(colors.yiq_to_rgb(colors.rgb_to_yiq(rgb)) * 255, rgb, atol=1e-6)


def test_combine_luminance_keeps_chroma():
    rng = np.random.default_rng(1)
    # colours chosen so the recombined pixels stay inside the RGB gamut (no clipping)
    content = rng.integers(100, 150, (16, 16, 3), dtype=np.uint8)
    result = rng.integers(100, 150, (16, 16, 3), dtype=np.uint8)
    out = colors.combine_luminance(result, content)
    a, b = colors.rgb_to_ycbcr(out), colors.rgb_to_ycbcr(content)
    assert np.abs(a[..., 1:] - b[..., 1:]).max() < 2.5 / 255
    assert np.abs(a[..., 0] - colors.rgb_to_ycbcr(result)[..., 0]).max() < 2.5 / 255


def test_histogram_matching_moves_style_colours_to_content():
    rng = np.random.default_rng(2)
    content = np.clip(rng.normal((200, 60, 40), 20, (32, 32, 3)), 0, 255).astype(np.uint8)
    style = np.clip(rng.normal((40, 80, 220), 20, (32, 32, 3)), 0, 255).astype(np.uint8)
    matched = colors.match_histogram(style, content)
    assert np.allclose(matched.reshape(-1, 3).mean(0), content.reshape(-1, 3).mean(0), atol=3)


def test_memory_guard_refuses_with_a_size_that_fits():
    layers = ["conv4_2", "conv1_1", "conv5_1"]
    with pytest.raises(MemoryRefused) as info:
        check_memory(4096, 4096, layers, "cpu", available=2 * 2**30)
    err = info.value
    assert "4096 px" in str(err) and "fits" in str(err)
    assert 0 < err.suggested_size < 4096
    assert estimate_bytes(err.suggested_size, err.suggested_size, layers) <= 2 * 2**30
    assert estimate_bytes(err.suggested_size + 64, err.suggested_size + 64, layers) > 0.85 * 2 * 2**30
    with pytest.raises(MemoryRefused) as none:
        check_memory(512, 512, layers, "cpu", available=1000)
    assert none.value.suggested_size == 0 and "does not fit" in str(none.value)
    assert largest_fitting_size(512, 512, layers, 10**12) == 512


@pytest.mark.parametrize("channels_last", [False, True])
def test_gram_gradient_matches_autograd_and_finite_differences(channels_last):
    gen = torch.Generator().manual_seed(3)
    a = torch.randn(2, 5, 4, 3, generator=gen, dtype=torch.float64)
    if channels_last:
        a = a.contiguous(memory_format=torch.channels_last)
    a.requires_grad_(True)
    weights = torch.randn(2, 5, 5, generator=gen, dtype=torch.float64)

    def reference(x):
        flat = x.reshape(2, 5, 12)
        return torch.bmm(flat, flat.transpose(1, 2))

    torch.testing.assert_close(gram_matrix(a), reference(a.detach()))
    (gram_matrix(a) * weights).sum().backward()
    ours = a.grad.clone()
    a.grad = None
    (reference(a) * weights).sum().backward()
    torch.testing.assert_close(ours, a.grad)
    assert torch.autograd.gradcheck(gram_matrix, (a.detach().clone().requires_grad_(True),))
