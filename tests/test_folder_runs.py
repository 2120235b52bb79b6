"""Folder runs go on past an odd file (a name that is not UTF-8, a damaged header) and count it at the end."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.io import ImageLoadError, load_image, printable, save_image
from tests.cli_process import run_cli

ODD_NAME = b"odd\xff name.png".decode("utf-8", "surrogateescape")  # what Python makes of a non-UTF-8 file name
PGM_MAXVAL_0 = b"P5\n4 4\n0\n" + bytes(16)


def _photo(size: int = 96) -> Image.Image:
    from skimage import data

    return Image.fromarray(data.astronaut()).resize((size, size))


@pytest.fixture
def odd_folder(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    _photo().save(folder / ODD_NAME)
    _photo().save(folder / "plain.png")
    (folder / "zero.png").write_bytes(PGM_MAXVAL_0)  # a PGM with maxval 0, named as a PNG
    return folder


def test_a_pgm_with_maxval_0_is_an_image_load_error(tmp_path):
    f = tmp_path / "zero.pgm"
    f.write_bytes(PGM_MAXVAL_0)
    with pytest.raises(ImageLoadError, match="damaged image header"):
        load_image(f)


def test_save_image_stores_a_non_utf8_name_in_its_text_chunk(tmp_path):
    out = save_image(tmp_path / ODD_NAME, np.zeros((4, 4, 3), np.uint8), {"convstudio:source": ODD_NAME})
    with Image.open(out) as im:
        assert im.text["convstudio:source"] == "odd\ufffd name.png"
    assert printable("plain") == "plain" and printable("\ud800x") == "?x"


def test_style_apply_folder_goes_on_and_counts(tmp_path, odd_folder):
    from engine.style.fast import TransformerNet, save_transformer

    model = save_transformer(TransformerNet(), tmp_path / "net.pth")
    out = tmp_path / "out"
    r = run_cli("--device", "cpu", "style", "apply", str(model), str(odd_folder), "-o", str(out), timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    names = sorted(os.listdir(out))
    assert names == sorted(["odd\udcff name_styled.png", "plain_styled.png"])
    assert "skipped 1 file(s)" in r.stdout and "wrote 2 image(s)" in r.stdout
    skipped = [x for x in r.stderr.splitlines() if "zero.png" in x and "skipped" in x]
    assert len(skipped) == 1  # one line for the damaged file


def test_detect_folder_goes_on_and_counts(odd_folder):
    r = run_cli("--device", "cpu", "detect", str(odd_folder), "--model", "haar_face", timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert len([x for x in r.stdout.splitlines() if x.startswith("frame")]) == 2
    assert "2 image(s) read, 1 file(s) skipped" in r.stderr


def test_faces_import_folder_with_odd_names(tmp_path):
    from skimage import data

    root = tmp_path / "people"
    photo = Image.fromarray(data.astronaut())
    (root / "eileen").mkdir(parents=True)
    photo.save(root / "eileen" / ODD_NAME)
    (root / "eileen" / "zero.png").write_bytes(PGM_MAXVAL_0)
    odd_person = root / b"b\xffob".decode("utf-8", "surrogateescape")
    odd_person.mkdir()
    photo.save(odd_person / "x.png")
    db = tmp_path / "f.db"
    r = run_cli("--device", "cpu", "faces", "--db", str(db), "--detector", "haar", "import-folder", str(root),
                timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "2 sample(s) enrolled for 2 person(s); 1 photo(s) skipped" in r.stdout + r.stderr
    r = run_cli("faces", "--db", str(db), "list", timeout=120)
    assert "b\ufffdob" in r.stdout and "eileen" in r.stdout
