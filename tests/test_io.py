"""engine.io: every format and mode to RGB uint8, and clear errors for bad files."""

import numpy as np
import pytest
from PIL import Image

from engine.io import ImageLoadError, decode_image, load_image, save_image


@pytest.fixture
def rgb():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(24, 32, 3), dtype=np.uint8)


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif", ".webp"])
def test_lossless_formats_round_trip(tmp_path, rgb, suffix):
    path = tmp_path / f"img{suffix}"
    kwargs = {"lossless": True} if suffix == ".webp" else {}
    Image.fromarray(rgb).save(path, **kwargs)
    out = load_image(path)
    assert out.dtype == np.uint8 and out.shape == (24, 32, 3)
    np.testing.assert_array_equal(out, rgb)


def test_jpeg_is_close(tmp_path):
    smooth = np.zeros((32, 32, 3), np.uint8)
    smooth[:, :, 0] = np.linspace(0, 255, 32, dtype=np.uint8)[None, :]
    path = tmp_path / "a.jpg"
    Image.fromarray(smooth).save(path, quality=95)
    out = load_image(path)
    assert out.shape == (32, 32, 3)
    assert np.abs(out.astype(int) - smooth.astype(int)).mean() < 3


def test_exif_orientation_is_applied(tmp_path, rgb):
    img = Image.fromarray(rgb)  # 32 wide, 24 high
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    path = tmp_path / "rot.jpg"
    img.save(path, exif=exif, quality=95)
    out = load_image(path)
    assert out.shape == (32, 24, 3)


def test_modes_grayscale_rgba_palette_16bit(tmp_path):
    gray = np.arange(64, dtype=np.uint8).reshape(8, 8) * 4
    Image.fromarray(gray, "L").save(tmp_path / "g.png")
    out = load_image(tmp_path / "g.png")
    np.testing.assert_array_equal(out[:, :, 0], gray)
    np.testing.assert_array_equal(out[:, :, 2], gray)

    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = 0  # fully transparent → white background
    rgba[0, 0, 3] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    out = load_image(tmp_path / "a.png")
    assert tuple(out[0, 0]) == (200, 0, 0)
    assert tuple(out[1, 1]) == (255, 255, 255)

    pal = Image.fromarray(gray, "L").convert("P")
    pal.save(tmp_path / "p.png")
    assert load_image(tmp_path / "p.png").shape == (8, 8, 3)

    sixteen = (np.arange(16, dtype=np.uint16).reshape(4, 4) * 4369)  # 0..65535
    Image.fromarray(sixteen).save(tmp_path / "s.png")
    out = load_image(tmp_path / "s.png")
    assert out[0, 0, 0] == 0 and out[3, 3, 0] == 255 and out.dtype == np.uint8


def test_unicode_path(tmp_path, rgb):
    folder = tmp_path / "fotos ñandú 写真"
    folder.mkdir()
    path = folder / "gato é.png"
    Image.fromarray(rgb).save(path)
    np.testing.assert_array_equal(load_image(path), rgb)


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"", "empty"),
        (b"this is not an image at all", "not a recognised image"),
    ],
)
def test_bad_files_raise_clear_error(tmp_path, content, reason):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    assert reason in str(info.value)
    assert str(path) in str(info.value)


def test_truncated_and_missing(tmp_path, rgb):
    path = tmp_path / "t.png"
    Image.fromarray(np.tile(rgb, (8, 8, 1))).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    assert "t.png" in str(info.value)
    with pytest.raises(ImageLoadError, match="no such file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


def test_pixel_limit_refuses_then_allows(tmp_path):
    path = tmp_path / "big.png"
    Image.new("L", (2000, 1000)).save(path)
    with pytest.raises(ImageLoadError, match="megapixel limit"):
        load_image(path, max_pixels=1_000_000)
    assert load_image(path, max_pixels=None).shape == (1000, 2000, 3)


def test_save_png_metadata_and_decode(tmp_path, rgb):
    path = save_image(tmp_path / "o.png", rgb, {"alpha": "1.5", "note": "é"})
    with Image.open(path) as img:
        assert img.text["alpha"] == "1.5" and img.text["note"] == "é"
    np.testing.assert_array_equal(decode_image(path.read_bytes()), rgb)
    assert not list(tmp_path.glob("*.part"))
    with pytest.raises(ValueError):
        save_image(tmp_path / "f.png", rgb.astype(np.float32))
