"""Fast style networks at the edges of image size: the smallest image they take, and photos
too big to run whole (tiles sharing the whole image's instance-norm statistics)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import engine.style.fast_apply as fast  # the tiling lives here
from engine.io import save_image
from engine.samples import sample_image
from engine.style import FastStylizer, ImageTooSmall, TransformerNet, min_input_side, save_transformer
from gui.main import main


def _lively_net(seed: int = 0) -> TransformerNet:
    """Random weights whose output varies (a fresh net's output is nearly flat) and whose norms matter."""
    torch.manual_seed(seed)
    net = TransformerNet()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.InstanceNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
        net.deconv3.conv2d.weight.mul_(40)
        net.deconv3.conv2d.bias.fill_(128)
    return net.eval()


def _photo(h: int, w: int) -> np.ndarray:
    return np.ascontiguousarray(sample_image("coffee")[:h, :w])


# -- too small ----------------------------------------------------------------------------------


def test_the_minimum_side_is_the_real_one():
    m = min_input_side()
    net = TransformerNet().eval()
    with torch.no_grad():
        assert net(torch.rand(1, 3, m, m)).shape == (1, 3, m, m)
        assert net(torch.rand(1, 3, m, 3 * m + 1)).shape == (1, 3, m, 3 * m + 1)
        for shape in ((m - 1, m - 1), (m - 1, 64), (64, m - 1)):
            with pytest.raises(RuntimeError):
                net(torch.rand(1, 3, *shape))


def test_the_stylizer_refuses_an_image_under_the_minimum_in_one_line():
    m = min_input_side()
    st = FastStylizer(TransformerNet(), "cpu")
    assert st(np.zeros((m, m, 3), np.uint8)).shape == (m, m, 3)
    with pytest.raises(ImageTooSmall) as info:
        st(np.zeros((m - 1, 40, 3), np.uint8))
    text = str(info.value)
    assert "\n" not in text and f"{m - 1}×40 px" in text and f"at least {m}×{m} px" in text


def test_style_apply_and_train_refuse_a_1x1_image(tmp_path, capsys):
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    save_image(tiny / "one.png", np.zeros((1, 1, 3), np.uint8))
    model = save_transformer(TransformerNet(), tmp_path / "net.pth")
    assert main(["style", "apply", str(model), str(tiny / "one.png"), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "one.png is 1×1 px (H×W); a fast style network needs at least 5×5 px" in err
    base = ["-o", str(tmp_path / "m.pth"), "--steps", "1", "--size", "32", "--batch-size", "1", "--backbone", "random"]
    assert main(["style", "train", "sample:mosaic", "--images", str(tiny), *base]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip().splitlines()[-1].endswith("needs at least 5×5 px")
    assert main(["style", "train", str(tiny / "one.png"), *base]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip().splitlines()[-1].endswith("need at least 16×16 px")
    assert not (tmp_path / "m.pth").exists()


# -- too big: tiles -----------------------------------------------------------------------------


@pytest.mark.parametrize("strength", [1.0, 0.6])
def test_tiles_give_the_untiled_result(strength):
    net = _lively_net()
    img = _photo(203, 261)  # sides not multiples of 4 or of the tile
    st = FastStylizer(net, "cpu", tile=96)
    whole = st(img, strength, tiled=False)
    assert whole.std() > 5  # a picture, not a flat field
    tiled = st(img, strength, tiled=True)
    diff = np.abs(whole.astype(int) - tiled.astype(int))
    assert diff.max() <= 1 and diff.mean() < 0.01


def test_tiles_without_enough_context_would_show_seams(monkeypatch):
    net = _lively_net()
    img = _photo(203, 261)
    st = FastStylizer(net, "cpu", tile=96)
    whole = st(img, tiled=False)
    monkeypatch.setattr(fast, "TILE_MARGIN", 8)
    assert np.abs(whole.astype(int) - st(img, tiled=True).astype(int)).max() > 10


def test_a_big_photo_never_runs_whole(monkeypatch):
    net = _lively_net()
    img = _photo(300, 400)
    st = FastStylizer(net, "cpu", max_pixels=20_000, tile=64)
    seen: list[tuple[int, int]] = []
    real = fast._with_fixed_norms

    def spy(n, stats):
        fixed = real(n, stats)
        fixed.conv1.register_forward_pre_hook(lambda m, inp: seen.append(tuple(inp[0].shape[-2:])))
        return fixed

    monkeypatch.setattr(fast, "_with_fixed_norms", spy)
    stats_sizes: list[tuple[int, int]] = []
    st.net.conv1.register_forward_pre_hook(lambda m, inp: stats_sizes.append(tuple(inp[0].shape[-2:])))
    out = st(img)
    assert out.shape == img.shape
    side = 64 + 2 * fast.TILE_MARGIN
    assert len(seen) == 5 * 7 and all(h <= side and w <= side for h, w in seen)
    # One pass of the whole (shrunken) image for the statistics; the tiles' net is a copy that carries the hook along.
    assert len(stats_sizes) == 1 + len(seen) and stats_sizes[0][0] * stats_sizes[0][1] <= 20_000 * 1.02
    # Statistics from the shrunken copy: close to the whole-image result, not equal.
    whole = st(img, tiled=False)
    assert np.abs(whole.astype(float) - out.astype(float)).mean() < 8


def test_the_fast_style_panel_model_shows_a_too_small_photo_unstylised(qtbot, tmp_path):
    from gui.panels.style_transfer_model import FastStyleModel

    model = FastStyleModel()
    model.load_network(save_transformer(TransformerNet(), tmp_path / "net.pth"))
    model.set_input(np.full((3, 40, 3), 7, np.uint8))
    assert model.output.shape == (3, 40, 3) and "at least 5×5 px" in model.notice
    model.set_input(_photo(24, 32))
    assert model.notice == "" and model.output.shape == (24, 32, 3)
