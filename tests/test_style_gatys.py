"""The Gatys optimisation with the offline random backbone: it really transfers style, keeps colours, cancels cleanly."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.jobs import CancelToken, run_job
from engine.samples import sample_image
from engine.style import (
    MemoryRefused,
    StyleParams,
    gram_matrix,
    load_backbone,
    random_backbone,
    scale_sizes,
    style_sample,
    stylize,
)
from engine.style.colors import rgb_to_ycbcr
from engine.style.gatys import resize_long_side, weights_for_strength


@pytest.fixture(scope="module")
def images():
    return sample_image("chelsea"), style_sample("mosaic")


@pytest.fixture(scope="module")
def backbone():
    return random_backbone("cpu", seed=0)


def _t(rgb):
    return torch.from_numpy(np.array(rgb, dtype=np.float32)).permute(2, 0, 1).unsqueeze(0) / 255


def test_vgg19_missing_falls_back_with_a_plain_notice():
    choice = load_backbone("vgg19", "cpu")
    assert choice.is_fallback and choice.backbone.name == "random"
    assert "not installed" in choice.notice and "lower-quality fallback" in choice.notice
    assert "models download vgg19" in choice.notice
    assert choice.backbone.layer_names[:3] == ["conv1_1", "conv1_2", "conv2_1"] and choice.backbone.layer_names[-1] == "conv5_4"


def test_random_backbone_is_seeded():
    x = torch.rand(1, 3, 32, 32)
    a = random_backbone(seed=5)(x, ["conv3_1"])["conv3_1"]
    b = random_backbone(seed=5)(x, ["conv3_1"])["conv3_1"]
    c = random_backbone(seed=6)(x, ["conv3_1"])["conv3_1"]
    assert torch.equal(a, b) and not torch.allclose(a, c)


def test_vgg19_layer_names_follow_torchvision_features():
    import torchvision

    from engine.style import vgg19_backbone

    tv = torchvision.models.vgg19(weights=None).eval()
    bb = vgg19_backbone("cpu", model=tv)
    x = torch.rand(1, 3, 40, 40)
    got = bb(x, ["conv1_2", "conv3_4", "conv5_1"])
    y = (x - bb.mean) / bb.std
    ref = {}
    for i, m in enumerate(tv.features):
        y = m(y.clone())
        ref[i] = y
    # torchvision indices of the ReLUs after conv1_2, conv3_4, conv5_1
    assert torch.allclose(got["conv1_2"], ref[3], atol=1e-5)
    assert torch.allclose(got["conv3_4"], ref[17], atol=1e-5)
    assert torch.allclose(got["conv5_1"], ref[29], atol=1e-5)


def test_style_loss_falls_tenfold_and_output_grams_move_to_the_style(images, backbone):
    content, style = images
    params = StyleParams(size=64, steps=40, style_strength=1.0, backbone="random", report_every=10)
    outcome = run_job(stylize(content, style, params, backbone=backbone, device="cpu"))
    result = outcome.result
    first, last = result.losses[0], result.losses[-1]
    assert first.style / last.style >= 10, (first.style, last.style)
    assert last.total < first.total
    assert result.image.shape == (43, 64, 3) and result.image.dtype == np.uint8
    # The output's Gram matrices are closer to the style's than the content's are.
    layers = list(params.style_layers)
    c_img = resize_long_side(content, 64)
    s_img = resize_long_side(style, 64)
    with torch.no_grad():
        fs = backbone(_t(s_img), layers)
        fc = backbone(_t(c_img), layers)
        fo = backbone(_t(result.image), layers)
    for layer in layers:
        gs, gc, go = (gram_matrix(f[layer]) / f[layer][0].numel() for f in (fs, fc, fo))
        assert torch.dist(go, gs) < torch.dist(gc, gs), layer


def test_preserve_colours_keeps_the_content_chroma(images, backbone):
    content, style = images
    ref = resize_long_side(content, 64)

    def chroma_error(mode: str) -> float:
        params = StyleParams(size=64, steps=8, style_strength=1.0, backbone="random", preserve_colors=mode, report_every=8)
        out = run_job(stylize(content, style, params, backbone=backbone, device="cpu")).result.image
        return float(np.abs(rgb_to_ycbcr(out)[..., 1:] - rgb_to_ycbcr(ref)[..., 1:]).mean())

    kept = chroma_error("luminance")
    changed = chroma_error("none")
    assert kept < 1.5 / 255, kept
    assert changed > 3 * kept
    assert chroma_error("luminance-yiq") < 3 / 255


def test_cancel_keeps_the_best_image_so_far(images, backbone):
    content, style = images
    token = CancelToken()
    seen = []

    def on_progress(p):
        if p.partial is not None:
            seen.append(p.partial)
            token.cancel()

    params = StyleParams(size=48, steps=100, backbone="random", report_every=5, optimizer="adam", learning_rate=0.05)
    outcome = run_job(stylize(content, style, params, backbone=backbone, device="cpu"), on_progress, token)
    assert outcome.cancelled and outcome.result is None
    partial = outcome.last_partial
    assert partial is seen[-1] and partial.step == 5
    assert partial.best.shape == partial.image.shape == (32, 48, 3)
    totals = [r.total for r in partial.losses]
    assert len(totals) == 5
    # the best image is the one that scored the lowest loss, which Adam's first steps keep lowering
    assert min(totals) == totals[-1] or not np.array_equal(partial.best, partial.image)


def test_memory_guard_refuses_an_impossible_size(images, backbone):
    content, style = images
    job = stylize(content, style, StyleParams(size=200_000, backbone="random"), backbone=backbone, device="cpu")
    with pytest.raises(MemoryRefused) as info:
        next(job)
    assert "200000 px needs about" in str(info.value)
    small = stylize(content, style, StyleParams(size=512, backbone="random"), backbone=backbone, device="cpu", available_memory=700 * 2**20)
    with pytest.raises(MemoryRefused) as offered:
        next(small)
    assert 0 < offered.value.suggested_size < 512


def test_coarse_to_fine_scales_and_strength_mapping():
    assert scale_sizes(2048) == [256, 512, 1024, 2048]
    assert scale_sizes(1000) == [500, 1000]
    assert scale_sizes(512) == [512]
    a0, b0, _ = weights_for_strength(0.0, "random", 512, 512)
    a1, b1, _ = weights_for_strength(1.0, "random", 512, 512)
    _, b_big, _ = weights_for_strength(1.0, "random", 1024, 1024)
    assert a0 == a1 == 1.0 and b1 > b0 and b_big == pytest.approx(4 * b1)


def test_multiscale_run_ends_at_the_requested_size(images, backbone):
    content, style = images
    params = StyleParams(size=520, steps=2, backbone="random", report_every=2, multiscale=True,
                         content_layer="conv2_1", style_layers={"conv1_1": 1.0})
    # a couple of steps with shallow layers: checks the hand-over between scales, not quality
    result = run_job(stylize(content[::4, ::4], style, params, backbone=backbone, device="cpu")).result
    assert max(result.image.shape[:2]) == 520
    assert sorted({r.scale for r in result.losses}) == [260, 520]


def test_initialisation_from_content_style_or_noise(images, backbone):
    content, style = images
    first = {}
    for init in ("content", "style", "noise"):
        params = StyleParams(size=48, steps=1, report_every=1, optimizer="adam", init=init, backbone="random")
        first[init] = run_job(stylize(content, style, params, backbone=backbone, device="cpu")).result.losses[0]
    assert first["content"].content == 0.0  # the first evaluation is at the photo itself
    assert first["style"].content > 0 and first["style"].style < first["content"].style / 2  # starts from the painting
    assert first["noise"].tv > 5 * max(first["content"].tv, first["style"].tv)  # uniform noise is rough


def test_too_thin_an_image_for_the_deepest_layer_is_refused_plainly(images, backbone):
    content, style = images  # content 300×451: at 40 px its short side is 27 px, conv5_x needs 32
    with pytest.raises(ValueError, match="only 27 px on its short side"):
        run_job(stylize(content, style, StyleParams(size=40, steps=1, backbone="random"), backbone=backbone, device="cpu"))
    with pytest.raises(ValueError, match="style image is only"):
        run_job(stylize(content, style[:20], StyleParams(size=64, steps=1, backbone="random"), backbone=backbone, device="cpu"))
    # shallower layers need less: the same 40 px run works with layers down to conv4_x
    shallow = StyleParams(size=40, steps=1, backbone="random", content_layer="conv4_1", style_layers={"conv1_1": 1.0, "conv4_1": 1.0})
    assert run_job(stylize(content, style, shallow, backbone=backbone, device="cpu")).result.image.shape == (27, 40, 3)
