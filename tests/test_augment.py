"""Augmentation engine: seeded grids, each operation's behaviour, and the exported code round trip."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
import torch

from engine.augment import (
    IMAGENET_EIGVAL,
    IMAGENET_EIGVEC,
    AugmentConfig,
    AugmentError,
    augment_grid,
    build_pipeline,
    to_code,
)


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    rng = np.random.default_rng(0)
    img = np.zeros((48, 64, 3), np.uint8)
    img[..., 0] = np.linspace(0, 255, 64, dtype=np.uint8)[None, :]
    img[..., 1] = np.linspace(0, 255, 48, dtype=np.uint8)[:, None]
    img[..., 2] = rng.integers(0, 256, (48, 64), dtype=np.uint8)
    return img


def _off() -> AugmentConfig:
    return AugmentConfig(mirror=False, crop=False, colour_shift=False)


def _run_code(code: str, image: np.ndarray, n: int, seed: int) -> list[np.ndarray]:
    namespace: dict = {}
    exec(compile(code, "<augmentation code>", "exec"), namespace)  # noqa: S102 (the code under test)
    transform = namespace["transform"]
    x = torch.from_numpy(image).permute(2, 0, 1).contiguous()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return [transform(x).permute(1, 2, 0).numpy() for _ in range(n)]


def test_code_round_trip_reproduces_the_grid(image):
    config = AugmentConfig(
        mirror=True, crop=True, crop_scale=(0.3, 0.9), crop_ratio=(0.5, 2.0), rotation=True, rotation_degrees=25.0,
        shear=True, shear_degrees=12.0, elastic=True, elastic_alpha=30.0, elastic_sigma=4.0,
        colour_shift=True, colour_offset=40.0, pca=True, pca_std=0.3,
    )
    grid = augment_grid(image, config, 6, seed=11)
    code = to_code(config, image.shape[:2])
    assert "from torchvision.transforms import v2" in code
    assert "v2.ElasticTransform" in code and "v2.RandomResizedCrop" in code
    again = _run_code(code, image, 6, seed=11)
    assert len(grid) == len(again) == 6
    for a, b in zip(grid, again):
        assert a.shape == image.shape
        np.testing.assert_array_equal(a, b)
    # The samples differ from each other and from the input: the pipeline really augments.
    assert not np.array_equal(grid[0], grid[1])
    assert not np.array_equal(grid[0], image)


def test_code_for_plain_v2_pipeline_has_no_custom_classes(image):
    config = AugmentConfig(mirror=True, crop=True, colour_shift=False, size=(32, 40))
    code = to_code(config, image.shape[:2])
    assert "class " not in code
    out = _run_code(code, image, 3, seed=2)
    assert all(o.shape == (32, 40, 3) for o in out)
    np.testing.assert_array_equal(np.stack(out), np.stack(augment_grid(image, config, 3, seed=2)))


def test_seed_reproducible_and_caller_rng_untouched(image):
    config = AugmentConfig(rotation=True)
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = augment_grid(image, config, 4, seed=5)
    assert torch.equal(torch.rand(1), expected_next)
    b = augment_grid(image, config, 4, seed=5)
    c = augment_grid(image, config, 4, seed=6)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_mirror_always_flips(image):
    config = _off()
    config.mirror, config.mirror_p = True, 1.0
    out = augment_grid(image, config, 2, seed=0)
    for o in out:
        np.testing.assert_array_equal(o, image[:, ::-1])


def test_channel_offsets_are_constant_per_channel_and_bounded(image):
    config = _off()
    config.colour_shift, config.colour_offset = True, 30.0
    mid = np.full((8, 8, 3), 128, np.uint8)  # no clipping at mid grey
    for out in augment_grid(mid, config, 5, seed=3):
        diff = out.astype(int) - 128
        for ch in range(3):
            assert len(np.unique(diff[..., ch])) == 1
        assert np.abs(diff).max() <= 30
    assert any(np.abs(o.astype(int) - 128).max() > 0 for o in augment_grid(mid, config, 5, seed=3))


def test_pca_lighting_follows_alexnet_formula():
    config = _off()
    config.pca, config.pca_std = True, 0.5
    mid = np.full((4, 4, 3), 128, np.uint8)
    (out,) = augment_grid(mid, config, 1, seed=9)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(9)
        alpha = torch.randn(3) * 0.5
    expected = (torch.tensor(IMAGENET_EIGVEC) @ (alpha * torch.tensor(IMAGENET_EIGVAL)) * 255).numpy()
    got = out[0, 0].astype(float) - 128
    np.testing.assert_allclose(got, np.clip(np.round(128 + expected), 0, 255) - 128, atol=0.5)


def test_crop_keeps_size_and_rotation_rotates(image):
    config = _off()
    config.crop = True
    assert all(o.shape == image.shape for o in augment_grid(image, config, 3, seed=1))
    config = _off()
    config.rotation, config.rotation_degrees = True, 90.0
    out = augment_grid(image, config, 3, seed=4)
    assert all(o.shape == image.shape for o in out)
    assert any((o == 0).all(axis=2).sum() > 20 for o in out)  # rotated corners are filled with black


def test_pipeline_lists_only_enabled_steps():
    config = AugmentConfig(mirror=False, crop=False, colour_shift=False, shear=True)
    names = [type(t).__name__ for t in build_pipeline(config, (32, 32)).transforms]
    assert names == ["RandomAffine"]


@pytest.mark.parametrize(
    "changes",
    [{"crop_scale": (0.8, 0.2)}, {"mirror_p": 1.5}, {"rotation_degrees": -1.0}, {"elastic_sigma": 0.0}, {"colour_offset": 300.0}],
)
def test_bad_settings_raise_clear_errors(image, changes):
    config = AugmentConfig(**changes)
    with pytest.raises(AugmentError):
        augment_grid(image, config, 1)
    with pytest.raises(AugmentError):
        to_code(config)


def test_bad_image_raises(image):
    with pytest.raises(AugmentError):
        augment_grid(image[..., 0], AugmentConfig(), 1)
    with pytest.raises(AugmentError):
        augment_grid(image, AugmentConfig(), 0)


def test_config_dict_round_trip():
    config = AugmentConfig(rotation=True, crop_scale=(0.2, 0.7))
    assert AugmentConfig.from_dict(config.to_dict()) == config


def test_hand_dialled_shift_in_the_grid_and_in_the_exported_code(image):
    from engine.augment import colour_shift

    hand = AugmentConfig(mirror=False, crop=False, colour_shift=False, hand_shift=True, hand_offsets=(20.0, -20.0, 20.0))
    grid = augment_grid(image, hand, 3, seed=4)
    expected = np.clip(image.astype(int) + np.array([20, -20, 20]), 0, 255).astype(np.uint8)
    for tile in grid:  # deterministic: every sample is the same purple-shifted image
        np.testing.assert_array_equal(tile, expected)
    np.testing.assert_array_equal(grid[0], colour_shift(image, 20, -20, 20))
    code = to_code(hand, image.shape[:2])
    assert "ColourShift(r=20.0, g=-20.0, b=20.0)," in code and "class ColourShift(torch.nn.Module):" in code
    assert "AugmentError" not in code and not re.search(r"(?<!\w)_\(", code)  # stand-alone: no app names in the copied code
    np.testing.assert_array_equal(_run_code(code, image, 1, seed=4)[0], expected)
    # beside the random offsets and a crop: the copied code still gives the very pixels of the grid
    mixed = AugmentConfig(mirror=True, crop=True, colour_shift=True, colour_offset=30.0, hand_shift=True, hand_offsets=(-40.0, 0.0, 60.0))
    np.testing.assert_array_equal(np.stack(_run_code(to_code(mixed, image.shape[:2]), image, 4, seed=9)),
                                  np.stack(augment_grid(image, mixed, 4, seed=9)))
    # off, or all offsets zero: not in the pipeline
    assert "ColourShift" not in to_code(AugmentConfig(hand_shift=False, hand_offsets=(20.0, 0.0, 0.0)))
    assert "ColourShift" not in to_code(AugmentConfig(hand_shift=True, hand_offsets=(0.0, 0.0, 0.0)))
    with pytest.raises(AugmentError):
        AugmentConfig(hand_shift=True, hand_offsets=(300.0, 0.0, 0.0)).validate()


def test_panel_colour_shift_by_hand_tints_the_first_tile(qtbot):
    from PySide6.QtGui import QImage

    from gui.context import AppContext, make_settings
    from gui.jobs import JobRunner
    from gui.panels.augmentation import AugmentationPanel

    runner = JobRunner()
    panel = AugmentationPanel(AppContext(jobs=runner, settings=make_settings(), switch_to=lambda _pid: None))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(panel.screenshot_ready, timeout=30000)
    for flag in ("mirror", "crop", "colour_shift", "rotation", "shear", "elastic", "pca"):
        panel.flags[flag].setChecked(False)
    panel.flags["hand_shift"].setChecked(True)
    for i, value in enumerate((20.0, -20.0, 20.0)):
        panel.values[f"hand_offsets.{i}"].setValue(value)
    qtbot.waitUntil(lambda: not panel.model.busy and panel.model.config.hand_offsets == (20.0, -20.0, 20.0), timeout=30000)
    qtbot.waitUntil(lambda: not panel.model.busy, timeout=30000)
    original = panel.model.image
    expected = np.clip(original.astype(int) + np.array([20, -20, 20]), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(panel.model.samples[0], expected)
    tile = panel.grid._tiles[0][1].convertToFormat(QImage.Format.Format_RGB888)
    h, w = expected.shape[:2]
    shown = np.frombuffer(tile.constBits(), np.uint8).reshape(h, tile.bytesPerLine())[:, : w * 3].reshape(h, w, 3)
    np.testing.assert_array_equal(shown, expected)  # what the grid draws
    assert "ColourShift(r=20.0, g=-20.0, b=20.0)" in panel.code_view.toPlainText()
    runner.wait_all(10000)


def test_course_example_dials_the_colour_shift_by_hand(qtbot):
    from gui.panels.augmentation_model import AugmentationModel
    from gui.panels.course_examples import missing

    class _NoJobs:
        def start(self, *args, **kwargs):
            return None

    model = AugmentationModel(_NoJobs())
    model.apply_example({"colour_offsets": [20, -20, 20], "pixel": [100, 100, 100]})
    cfg = model.config
    assert cfg.hand_shift and cfg.hand_offsets == (20.0, -20.0, 20.0) and not cfg.colour_shift
    pixel = np.full((1, 1, 3), 100, np.uint8)
    assert augment_grid(pixel, replace(cfg, crop=False), 1)[0][0, 0].tolist() == [120, 80, 120]  # the course's numbers
    assert missing("colour-shift-manual") == ""  # the example bar no longer says the panel lacks it
