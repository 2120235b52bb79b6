"""A full disk: every writer says "no space left on <folder>" in one line, exits non-zero,
leaves no partial or temporary file, and keeps an older file of the same name as it was."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from engine import files, weights
from engine.io import save_image
from gui.main import main

OLD = b"an older file that must survive\n"


def _in(folder: Path, path) -> bool:
    try:
        return Path(path).resolve().parent == folder.resolve()
    except (OSError, TypeError, ValueError):
        return False


@pytest.fixture
def full_disk(monkeypatch):
    """``full_disk(folder, layer)``: writes into ``folder`` fail with ENOSPC, either when the data
    is pushed to the disk (``fsync``, layer "write") or at the final rename (layer "rename")."""

    def arm(folder: Path, layer: str) -> None:
        if layer == "write":
            real_fsync = os.fsync

            def fsync(fd):
                if _in(folder, os.readlink(f"/proc/self/fd/{fd}")):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return real_fsync(fd)

            monkeypatch.setattr(os, "fsync", fsync)
        else:
            real_replace = os.replace

            def replace(src, dst, *a, **k):
                if _in(folder, dst):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src))
                return real_replace(src, dst, *a, **k)

            monkeypatch.setattr(os, "replace", replace)

    return arm


def _out_folder(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A folder holding only an older ``name``."""
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / name
    target.write_bytes(OLD)
    return folder, target


def _check(capsys, folder: Path, target: Path, rc: int) -> None:
    err = capsys.readouterr().err
    assert rc != 0
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if "no space left" in line]
    assert len(lines) == 1 and lines[0].rstrip().endswith(f"no space left on {folder}"), err[-500:]
    assert target.read_bytes() == OLD  # the older file is untouched
    assert sorted(p.name for p in folder.iterdir()) == [target.name]  # no partial or temporary file


@pytest.fixture
def photo(tmp_path) -> Path:
    p = tmp_path / "photo.png"
    save_image(p, (np.random.default_rng(0).random((40, 56, 3)) * 255).astype(np.uint8))
    return p


# -- the helper itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("layer", ["write", "rename"])
def test_atomic_write_keeps_the_old_file_and_no_temporary(tmp_path, full_disk, layer):
    folder, target = _out_folder(tmp_path, "a.bin")
    full_disk(folder, layer)
    with pytest.raises(OSError) as info:
        with files.atomic_write(target) as fh:
            fh.write(b"new data" * 1000)
    assert info.value.errno == errno.ENOSPC and Path(info.value.filename) == target
    assert files.describe_os_error(info.value) == f"no space left on {folder}"
    assert target.read_bytes() == OLD and [p.name for p in folder.iterdir()] == ["a.bin"]


def test_atomic_write_replaces_on_success(tmp_path):
    folder, target = _out_folder(tmp_path, "a.txt")
    with files.atomic_write(target, "w") as fh:
        fh.write("new")
    assert target.read_text() == "new" and [p.name for p in folder.iterdir()] == ["a.txt"]


def test_describe_os_error_names_the_cause(tmp_path):
    p = tmp_path / "x" / "f.png"
    assert files.describe_os_error(OSError(errno.EACCES, "Permission denied"), p) == f"no permission to write in {p.parent}"
    assert files.describe_os_error(OSError(errno.EROFS, "Read-only"), p) == f"{p.parent} is on a read-only disk"
    assert "does not exist" in files.describe_os_error(OSError(errno.ENOENT, "No such file"), p)
    assert files.describe_os_error(OSError(errno.EDQUOT, "Quota"), p) == f"no space left on {p.parent}"


def test_save_torch_turns_the_disk_error_into_enospc(tmp_path, full_disk):
    folder, target = _out_folder(tmp_path, "m.pt")
    full_disk(folder, "write")
    with pytest.raises(OSError) as info:
        files.save_torch({"w": torch.zeros(1000)}, target)
    assert info.value.errno == errno.ENOSPC
    assert target.read_bytes() == OLD and [p.name for p in folder.iterdir()] == ["m.pt"]


# -- every command that writes --------------------------------------------------------------------


@pytest.mark.parametrize("layer", ["write", "rename"])
def test_conv_filter(tmp_path, capsys, full_disk, photo, layer):
    folder, target = _out_folder(tmp_path, "map.png")
    full_disk(folder, layer)
    _check(capsys, folder, target, main(["conv", "filter", str(photo), str(target)]))


@pytest.mark.parametrize("name, layer", [("a.gif", "write"), ("a.gif", "rename"), ("a.mp4", "rename")])
def test_conv_export(tmp_path, capsys, full_disk, name, layer):
    folder, target = _out_folder(tmp_path, name)
    full_disk(folder, layer)
    _check(capsys, folder, target, main(["conv", "export", str(target), "--max-frames", "3"]))


@pytest.mark.parametrize("layer", ["write", "rename"])
def test_models_import(tmp_path, capsys, full_disk, monkeypatch, layer):
    entry = weights.WeightsEntry("lin2", "test", "linear", lambda: nn.Linear(2, 2), "https://example.invalid/lin2-abcdef12.pth",
                                 0.01, "abcdef12", "t", "t")
    monkeypatch.setitem(weights.REGISTRY, "lin2", entry)
    f = tmp_path / "w.pth"
    torch.save(nn.Linear(2, 2).state_dict(), f)
    target = weights.installed_path("lin2")
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(OLD)
    full_disk(folder, layer)
    _check(capsys, folder, target, main(["models", "import", "lin2", str(f)]))


def test_arch_train_digits(tmp_path, capsys, full_disk):
    from engine.train.digits import trained_path

    target = trained_path()
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(OLD)
    full_disk(folder, "write")
    _check(capsys, folder, target, main(["arch", "train-digits", "--epochs", "1"]))


def test_yolo_train(tmp_path, capsys, full_disk):
    folder, target = _out_folder(tmp_path, "grid.pt")
    full_disk(folder, "write")
    rc = main(["yolo", "train", "--steps", "1", "--scenes", "4", "--val-scenes", "2", "--minutes", "1", "-o", str(target)])
    _check(capsys, folder, target, rc)


def test_style_train(tmp_path, capsys, full_disk):
    folder, target = _out_folder(tmp_path, "s.pth")
    full_disk(folder, "write")
    rc = main(["style", "train", "sample:" + _a_sample(), "-o", str(target), "--steps", "1", "--size", "32",
               "--batch-size", "1", "--backbone", "random", "--checkpoint-every", "0"])
    _check(capsys, folder, target, rc)


def test_style_apply(tmp_path, capsys, full_disk, photo):
    from engine.style import TransformerNet, save_transformer

    model = save_transformer(TransformerNet(), tmp_path / "net.pth")
    folder, target = _out_folder(tmp_path, "photo_styled.png")
    full_disk(folder, "write")
    _check(capsys, folder, target, main(["style", "apply", str(model), str(photo), "-o", str(folder)]))


@pytest.mark.parametrize("flag, name, layer", [("--export", "d.jsonl", "write"), ("--export", "d.jsonl", "rename"),
                                               ("--save-video", "v.mp4", "rename")])
def test_detect_outputs(tmp_path, capsys, full_disk, flag, name, layer):
    folder, target = _out_folder(tmp_path, name)
    full_disk(folder, layer)
    rc = main(["detect", "demo", "--weights", "random", "--frames", "2", "--every-frame", flag, str(target)])
    _check(capsys, folder, target, rc)


def _a_sample() -> str:
    from engine.samples import SAMPLE_PHOTOS

    return next(iter(SAMPLE_PHOTOS))


# -- a real full disk -------------------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs; skipped where mounting is not permitted."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("needs Linux mount(8) for a real full disk")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {r.stderr.strip() or r.returncode}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_real_full_disk(tiny_disk, capsys, photo):
    target = tiny_disk / "map.png"
    target.write_bytes(OLD)
    # The 800×600 feature map does not fit next to it on 64 KiB.
    big = photo.parent / "big.png"
    save_image(big, (np.random.default_rng(1).random((600, 800, 3)) * 255).astype(np.uint8))
    _check(capsys, tiny_disk, target, main(["conv", "filter", str(big), str(target), "--rgb"]))
    video = tiny_disk / "v.mp4"
    video.write_bytes(OLD)
    target.unlink()
    rc = main(["detect", "demo", "--weights", "random", "--frames", "12", "--every-frame", "--save-video", str(video)])
    _check(capsys, tiny_disk, video, rc)


def test_models_download(tmp_path, capsys, full_disk, monkeypatch):
    import hashlib

    served = tmp_path / "served.pth"
    torch.save(nn.Linear(2, 2).state_dict(), served)
    digest = hashlib.sha256(served.read_bytes()).hexdigest()
    entry = weights.WeightsEntry("lin2", "test", "linear", lambda: nn.Linear(2, 2), served.as_uri(), 0.01, digest[:8], "t", "t")
    monkeypatch.setitem(weights.REGISTRY, "lin2", entry)
    target = weights.installed_path("lin2")
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(OLD)
    full_disk(folder, "write")
    _check(capsys, folder, target, main(["models", "download", "lin2"]))


def test_conv_export_gif_encoder_failure_on_a_full_disk_names_the_disk(tmp_path, capsys, monkeypatch):
    """PIL's GIF encoder failing ("quantization error") while the disk is full: the disk is named."""
    from PIL import Image

    folder, target = _out_folder(tmp_path, "a.gif")
    real_save = Image.Image.save

    def save(self, fp, format=None, **kw):
        if format == "GIF":
            raise ValueError("quantization error")
        return real_save(self, fp, format, **kw)

    monkeypatch.setattr(Image.Image, "save", save)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(1 << 30, 1 << 30, 0))
    _check(capsys, folder, target, main(["conv", "export", str(target)]))


def test_conv_export_gif_encoder_failure_with_space_left_is_one_line(tmp_path, capsys, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image.Image, "save", lambda self, fp, format=None, **kw: (_ for _ in ()).throw(
        ValueError("quantization error")))
    rc = main(["conv", "export", str(tmp_path / "a.gif")])
    err = capsys.readouterr().err
    assert rc != 0 and "Traceback" not in err and "not enough memory to encode the GIF" in err
    assert not list(tmp_path.iterdir())


def test_screenshots_on_a_full_disk_name_the_disk(tmp_path, capsys, full_disk, qapp):
    folder, target = _out_folder(tmp_path, "welcome.png")
    full_disk(folder, "write")
    rc = main(["screenshots", str(folder), "--only", "welcome"])
    out = capsys.readouterr()
    assert rc == 1 and "libpng" not in out.err + out.out
    assert f"welcome          FAILED: no space left on {folder}" in out.out
    assert target.read_bytes() == OLD and sorted(p.name for p in folder.iterdir()) == ["welcome.png"]
