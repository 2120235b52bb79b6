"""``convstudio stylize`` and ``convstudio style train|apply`` write real files."""

from __future__ import annotations

import json

import numpy as np
import torch
from PIL import Image

from engine.io import load_image, save_image
from engine.samples import sample_image
from engine.style import TransformerNet, save_transformer
from gui.main import main


def test_stylize_writes_a_png_with_its_parameters(tmp_path, capsys):
    out = tmp_path / "cat.png"
    code = main(["stylize", "sample:chelsea", "sample:mosaic", "-o", str(out), "--size", "64", "--steps", "6",
                 "--report-every", "3", "--backbone", "random", "--preserve-colors", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["backbone"] == "random" and report["wall_seconds"] > 0
    assert [r["step"] for r in report["losses"]][:3] == [1, 2, 3] and len(report["losses"]) >= 6
    assert all(r["total"] > 0 for r in report["losses"])
    img = load_image(out)
    assert img.shape == (43, 64, 3)
    with Image.open(out) as png:
        params = json.loads(png.text["convstudio:style-params"])
    assert params["size"] == 64 and params["steps"] == 6 and params["preserve_colors"] == "luminance"
    assert params["backbone"] == "random"
    with Image.open(out) as png:
        assert (png.text["convstudio:content"], png.text["convstudio:style"]) == ("sample:chelsea", "sample:mosaic")


def test_stylize_reports_bad_input_plainly(tmp_path, capsys):
    code = main(["stylize", "sample:nope", "sample:mosaic", "-o", str(tmp_path / "x.png"), "--backbone", "random"])
    assert code == 1
    assert "unknown sample 'nope'" in capsys.readouterr().err
    code = main(["stylize", "sample:chelsea", str(tmp_path / "missing.jpg"), "-o", str(tmp_path / "x.png")])
    assert code == 1 and "no such file" in capsys.readouterr().err
    code = main(["stylize", "sample:chelsea", "sample:mosaic", "-o", str(tmp_path / "big.png"), "--size", "300000",
                 "--backbone", "random", "--json"])
    assert code == 1
    assert "suggested_size" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert not (tmp_path / "big.png").exists()


def test_style_apply_and_train(tmp_path, capsys):
    torch.manual_seed(0)
    model = save_transformer(TransformerNet(), tmp_path / "net.pth")
    photo = tmp_path / "coffee.png"
    save_image(photo, sample_image("coffee")[::8, ::8])
    code = main(["style", "apply", str(model), str(photo), "-o", str(tmp_path / "out"), "--strength", "0.5", "--json"])
    assert code == 0
    written = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["written"]
    out = load_image(written[0])
    assert out.shape == (50, 75, 3) and not np.array_equal(out, load_image(photo))
    photos = tmp_path / "photos"
    photos.mkdir()
    save_image(photos / "a.png", sample_image("astronaut")[::8, ::8])
    code = main(["style", "train", "sample:mosaic", "--images", str(photos), "-o", str(tmp_path / "m.pth"), "--steps", "2",
                 "--batch-size", "1", "--size", "32", "--backbone", "random", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["steps"] == 2 and (tmp_path / "m.pth").exists()


def test_stylize_refuses_bad_flags_before_any_work(tmp_path, capsys):
    base = ["stylize", "sample:chelsea", "sample:mosaic", "--size", "48", "--steps", "2", "--backbone", "random"]
    cases = [
        (["--style-layers", "conv1_1=abc"], "'conv1_1=abc' is not LAYER=WEIGHT"),
        (["--style-layers", "conv1_1=1,foo"], "unknown layer(s) foo"),
        (["--content-layer", "conv9_9"], "unknown layer(s) conv9_9"),
        (["--report-every", "0"], "report every must be at least 1"),
        (["--beta", "-5"], "β must be zero or positive"),
    ]
    for extra, message in cases:
        out = tmp_path / "x.png"
        assert main(base + ["-o", str(out)] + extra) == 1, extra
        assert message in capsys.readouterr().err, extra
        assert not out.exists()
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image")
    assert main(["stylize", str(bad), "sample:mosaic", "-o", str(tmp_path / "x.png"), "--json"]) == 1
    assert "not a recognised image format" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])["error"]


def test_stylize_output_folder_is_made_or_refused_before_the_run(tmp_path, capsys):
    nested = tmp_path / "new" / "folder" / "cat.png"
    base = ["stylize", "sample:chelsea", "sample:mosaic", "--size", "48", "--steps", "2", "--backbone", "random"]
    assert main(base + ["-o", str(nested)]) == 0
    assert load_image(nested).shape == (32, 48, 3)
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    assert main(base + ["-o", str(blocker / "cat.png"), "--json"]) == 1
    captured = capsys.readouterr()
    assert "cannot write" in captured.err and "Traceback" not in captured.err
    assert "cannot write" in json.loads(captured.out.strip().splitlines()[-1])["error"]


def test_style_train_and_apply_report_an_unwritable_output(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    torch.manual_seed(0)
    model = save_transformer(TransformerNet(), tmp_path / "net.pth")
    photo = tmp_path / "p.png"
    save_image(photo, sample_image("coffee")[::8, ::8])
    assert main(["style", "apply", str(model), str(photo), "-o", str(blocker / "out"), "--json"]) == 1
    captured = capsys.readouterr()
    assert "cannot write" in json.loads(captured.out.strip().splitlines()[-1])["error"] and "Traceback" not in captured.err
    code = main(["style", "train", "sample:mosaic", "--images", str(tmp_path), "-o", str(blocker / "m.pth"), "--steps", "30",
                 "--checkpoint-every", "1000", "--batch-size", "1", "--size", "32", "--backbone", "random"])
    assert code == 1 and "cannot write" in capsys.readouterr().err


def test_style_train_and_apply_refuse_bad_settings_plainly(tmp_path, capsys):
    base = ["style", "train", "sample:mosaic", "-o", str(tmp_path / "m.pth"), "--backbone", "random", "--batch-size", "1"]
    cases = [
        (["--steps", "0"], "steps must be at least 1"),
        (["--steps", "1", "--batch-size", "0"], "batch size must be at least 1"),
        (["--steps", "1", "--size", "8"], "at least 16 px for layers down to conv4_x"),
        (["--steps", "1", "--style-weight", "-1"], "must be zero or positive"),
    ]
    for extra, message in cases:
        assert main(base + extra) == 1, extra
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, extra
        assert not (tmp_path / "m.pth").exists()
    torch.manual_seed(0)
    model = save_transformer(TransformerNet(), tmp_path / "net.pth")
    photo = tmp_path / "p.png"
    save_image(photo, sample_image("coffee")[::8, ::8])
    assert main(["style", "apply", str(model), str(photo), "-o", str(tmp_path / "out"), "--strength", "3"]) == 1
    assert "--strength must be between 0" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_style_apply_to_an_empty_folder_says_so(tmp_path, capsys):
    model = save_transformer(TransformerNet(), tmp_path / "net.pth")
    empty = tmp_path / "x.png"  # a folder, even if named like an image
    empty.mkdir()
    code = main(["style", "apply", str(model), str(empty), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0] == f"convstudio: no image files in {empty}"
