"""Fast style networks: the PyTorch examples' file format, training with checkpoints and resume, applying."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from engine.io import load_image, save_image
from engine.jobs import CancelToken, run_job
from engine.samples import sample_image
from engine.style import (
    FastStylizer,
    StyleModelError,
    TrainParams,
    TransformerNet,
    apply_to_folder,
    load_transformer,
    random_backbone,
    stylize_frames,
    train_style,
)

# Key names of the PyTorch examples' fast_neural_style TransformerNet.
EXAMPLE_KEYS = [
    "conv1.conv2d.weight", "conv1.conv2d.bias", "in1.weight", "in1.bias",
    "conv2.conv2d.weight", "in2.weight", "conv3.conv2d.weight", "in3.bias",
    "res1.conv1.conv2d.weight", "res1.in1.weight", "res1.conv2.conv2d.bias", "res1.in2.bias", "res5.in2.weight",
    "deconv1.conv2d.weight", "in4.weight", "deconv2.conv2d.bias", "in5.bias", "deconv3.conv2d.weight", "deconv3.conv2d.bias",
]


def _example_style_dict(seed: int = 0) -> dict[str, torch.Tensor]:
    """A state dict as an older PyTorch saved the examples' models: with instance-norm running stats."""
    gen = torch.Generator().manual_seed(seed)
    state = {k: torch.randn(v.shape, generator=gen) * 0.05 for k, v in TransformerNet().state_dict().items()}
    for k in list(state):
        if k.endswith(".weight") and ("in" in k.split(".")[-2]):
            prefix = k[: -len("weight")]
            state[prefix + "running_mean"] = torch.zeros(state[k].shape)
            state[prefix + "running_var"] = torch.ones(state[k].shape)
    return state


def test_state_dict_keys_match_the_examples():
    keys = set(TransformerNet().state_dict())
    assert set(EXAMPLE_KEYS) <= keys
    assert not any("running" in k for k in keys)
    assert len(keys) == 2 * 16 + 2 * 15  # 16 convolutions and 15 affine instance norms, weight and bias each


def test_loads_an_examples_file_with_running_stats(tmp_path):
    state = _example_style_dict()
    assert "in1.running_mean" in state and "res3.in2.running_var" in state
    path = tmp_path / "mosaic.pth"
    torch.save(state, path)
    net = load_transformer(path)
    ref = TransformerNet().eval()
    ref.load_state_dict({k: v for k, v in state.items() if "running" not in k})
    x = torch.rand(1, 3, 36, 44) * 255
    with torch.no_grad():
        assert torch.allclose(net(x), ref(x), atol=1e-4)
    assert net(x).shape == x.shape  # also for sizes not divisible by 4


def test_refuses_files_that_are_not_style_networks(tmp_path):
    wrong = tmp_path / "wrong.pth"
    torch.save({"conv1.conv2d.weight": torch.zeros(2, 2)}, wrong)
    with pytest.raises(StyleModelError, match="not a fast style network"):
        load_transformer(wrong)
    code = tmp_path / "code.pth"

    class Payload:
        pass

    with open(code, "wb") as fh:
        pickle.dump({"x": Payload.__name__, "f": print}, fh)
    with pytest.raises(StyleModelError):
        load_transformer(code)


def test_strength_blends_original_and_stylised():
    torch.manual_seed(0)
    stylizer = FastStylizer(TransformerNet(), "cpu")
    img = sample_image("coffee")[:40, :52]
    full = stylizer(img, 1.0).astype(np.float64)
    half = stylizer(img, 0.5).astype(np.float64)
    assert np.array_equal(stylizer(img, 0.0), img)
    assert np.abs(half - (img + full) / 2).max() <= 1.0
    assert not np.array_equal(full, img)


def test_trains_checkpoints_resumes_and_applies(tmp_path):
    style = np.asarray(sample_image("rocket")[::8, ::8])
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("astronaut", "chelsea"):
        save_image(photos / f"{name}.png", sample_image(name)[::4, ::4])
    (photos / "broken.jpg").write_bytes(b"not an image")
    out = tmp_path / "style.pth"
    bb = random_backbone("cpu")
    params = TrainParams(steps=4, batch_size=1, size=48, checkpoint_every=2, report_every=1, backbone="random",
                         style_weight=1e6, content_weight=1.0, learning_rate=1e-2)
    outcome = run_job(train_style(style, photos, out, params, device="cpu", backbone=bb))
    result = outcome.result
    assert result.steps == 4 and [p.step for p in result.curve] == [1, 2, 3, 4]
    assert result.curve[-1].total < result.curve[0].total
    assert out.exists() and result.checkpoint_path.exists() and result.preview.dtype == np.uint8
    net = load_transformer(out)
    # resume: two more steps continue from the checkpoint
    params.steps = 6
    messages = []
    result2 = run_job(train_style(style, photos, out, params, device="cpu", backbone=bb), lambda p: messages.append(p.message)).result
    assert "Resumed from step 4" in messages
    assert [p.step for p in result2.curve] == [1, 2, 3, 4, 5, 6]
    # cancelling keeps a checkpoint of the steps done
    params.steps = 50
    token = CancelToken()
    run_job(train_style(style, photos, tmp_path / "c.pth", params, device="cpu", backbone=bb),
            lambda p: token.cancel() if p.partial else None, token)
    from engine.weights import safe_load

    assert int(safe_load(tmp_path / "c.pth.ckpt")["step"]) == 1
    # apply to a folder (the broken file is skipped)
    written = run_job(apply_to_folder(FastStylizer(net, "cpu"), [photos], tmp_path / "out", 0.8)).result
    assert sorted(p.name for p in written) == ["astronaut_styled.png", "chelsea_styled.png"]
    assert load_image(written[0]).shape == sample_image("astronaut")[::4, ::4].shape


def test_frames_job_stylises_each_frame():
    stylizer = FastStylizer(TransformerNet(), "cpu")
    frames = [np.full((24, 32, 3), v, np.uint8) for v in (10, 200, 90)]
    seen = []
    outcome = run_job(stylize_frames(stylizer, frames, strength=lambda: 0.0), lambda p: seen.append(p.partial))
    assert outcome.result == 3
    assert all(np.array_equal(a, b) for a, b in zip(seen, frames))


def test_a_checkpoint_resumes_only_for_its_own_style_image(tmp_path):
    photos = [sample_image("astronaut")[::8, ::8]]
    out = tmp_path / "s.pth"
    bb = random_backbone("cpu")
    params = TrainParams(steps=1, batch_size=1, size=32, checkpoint_every=1, report_every=1, backbone="random")
    first = np.asarray(sample_image("rocket")[::8, ::8])
    other = np.asarray(sample_image("coffee")[::8, ::8])
    run_job(train_style(first, photos, out, params, device="cpu", backbone=bb))
    params.steps = 2
    with pytest.raises(ValueError, match="different style image"):
        run_job(train_style(other, photos, out, params, device="cpu", backbone=bb))
    # starting over is allowed, and the same image resumes
    assert run_job(train_style(other, photos, out, params, resume=False, device="cpu", backbone=bb)).result.steps == 2
    params.steps = 3
    messages = []
    assert run_job(train_style(other, photos, out, params, device="cpu", backbone=bb), lambda p: messages.append(p.message)).result.steps == 3
    assert "Resumed from step 2" in messages


def test_folder_inputs_with_the_same_name_keep_both_outputs(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    save_image(photos / "shot.png", sample_image("coffee")[::8, ::8])
    save_image(photos / "shot.jpg", sample_image("chelsea")[::8, ::8])
    torch.manual_seed(0)
    written = run_job(apply_to_folder(FastStylizer(TransformerNet(), "cpu"), [photos], tmp_path / "out")).result
    assert len(written) == len(set(written)) == 2
    assert sorted(load_image(p).shape for p in written) == sorted([(50, 75, 3), (38, 57, 3)])
