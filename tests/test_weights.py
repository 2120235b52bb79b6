"""The model manager: registry, download with checksum, import with safety and shape checks."""

import hashlib
import os
import pickle
import socket

import pytest
import torch
from torch import nn

from engine import weights
from engine.jobs import CancelToken, run_job


def tiny_builder():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 1))


@pytest.fixture
def tiny_entry(tmp_path, monkeypatch):
    """A registry entry served from a local file:// URL with its real checksum prefix."""
    src_dir = tmp_path / "server"
    src_dir.mkdir()
    staging = src_dir / "staging.pth"
    torch.save(tiny_builder().state_dict(), staging)
    digest = hashlib.sha256(staging.read_bytes()).hexdigest()
    served = src_dir / f"tiny-{digest[:8]}.pth"
    staging.rename(served)
    entry = weights.WeightsEntry(
        name="tiny", task="test", arch="tiny", builder=tiny_builder, url=served.as_uri(),
        size_mb=served.stat().st_size / 2**20, sha256_prefix=digest[:8], license="test", source="test",
    )
    monkeypatch.setitem(weights.REGISTRY, "tiny", entry)
    return entry, served


def test_registry_lists_torchvision_models_with_checksums():
    names = {e.name for e in weights.entries()}
    assert {"ssdlite320_mobilenet_v3_large", "fcos_resnet50_fpn", "vgg19", "resnet50"} <= names
    for e in weights.entries():
        assert e.url.startswith("https://") and len(e.sha256_prefix) >= 6
        assert e.size_mb > 1
        assert weights.status(e.name) == "missing"
    assert len(weights.entries("detection")) == 6
    with pytest.raises(KeyError, match="known"):
        weights.get_entry("nope")


def test_builders_match_the_published_architecture():
    # The builder must produce the architecture whose keys the published file has.
    model = weights.get_entry("resnet18").builder()
    assert sum(p.numel() for p in model.parameters()) == 11_689_512


def test_download_verifies_and_installs(tiny_entry):
    entry, _ = tiny_entry
    seen = []
    outcome = run_job(weights.download("tiny"), seen.append)
    assert outcome.result.exists() and seen[-1].fraction == 1.0
    assert weights.status("tiny") == "installed"
    assert weights.verify("tiny") == "installed"
    model = weights.load_model("tiny")
    ref = tiny_builder()
    for a, b in zip(model.state_dict().values(), ref.state_dict().values()):
        assert torch.equal(a, b)


def test_checksum_mismatch_leaves_nothing(tiny_entry, monkeypatch):
    entry, served = tiny_entry
    bad = weights.WeightsEntry(**{**entry.__dict__, "sha256_prefix": "00000000"})
    monkeypatch.setitem(weights.REGISTRY, "tiny", bad)
    with pytest.raises(weights.WeightsError, match="Checksum mismatch"):
        run_job(weights.download("tiny"))
    assert weights.status("tiny") == "missing"
    assert not [p for p in weights.weights_dir().iterdir() if ".part" in p.name]


def test_cancelled_download_leaves_nothing(tiny_entry):
    token = CancelToken()
    outcome = run_job(weights.download("tiny"), lambda p: token.cancel(), token)
    assert outcome.cancelled
    assert weights.status("tiny") == "missing"
    assert not [p for p in weights.weights_dir().iterdir() if ".part" in p.name]


def test_network_failure_says_why(tiny_entry):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(weights.WeightsError, match="Download of tiny failed"):
        run_job(weights.download("tiny", url=f"http://127.0.0.1:{port}/tiny.pth", timeout=5))
    assert weights.status("tiny") == "missing"


def test_tampered_file_is_corrupt(tiny_entry):
    run_job(weights.download("tiny"))
    path = weights.installed_path("tiny")
    with open(path, "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00\x01\x02\x03")
    assert weights.verify("tiny") == "corrupt"
    with pytest.raises(weights.WeightsError, match="corrupt"):
        weights.load_model("tiny")


def test_missing_weights_explain_how_to_get_them():
    with pytest.raises(weights.WeightsMissing, match="convstudio models download vgg19"):
        weights.load_model("vgg19")


def test_import_accepts_a_fitting_file(tiny_entry, tmp_path):
    torch.manual_seed(5)
    other = tiny_builder()
    with torch.no_grad():
        for p in other.parameters():
            p.add_(1.0)
    path = tmp_path / "mine.pth"
    torch.save({"state_dict": other.state_dict()}, path)
    weights.import_file("tiny", path)
    assert weights.status("tiny") == "imported"
    loaded = weights.load_model("tiny")
    assert torch.equal(loaded[0].weight, other[0].weight)


def test_import_refuses_wrong_shapes(tiny_entry, tmp_path):
    wrong = nn.Sequential(nn.Conv2d(3, 5, 3), nn.ReLU(), nn.Conv2d(5, 2, 1))
    path = tmp_path / "wrong.pth"
    torch.save(wrong.state_dict(), path)
    with pytest.raises(weights.WeightsError, match="does not fit"):
        weights.import_file("tiny", path)
    assert weights.status("tiny") == "missing"


def test_import_refuses_truncated_and_non_weights(tiny_entry, tmp_path):
    _, served = tiny_entry
    trunc = tmp_path / "trunc.pth"
    trunc.write_bytes(served.read_bytes()[:200])
    with pytest.raises(weights.WeightsError, match="not a readable PyTorch weights file"):
        weights.import_file("tiny", trunc)
    text = tmp_path / "notes.pth"
    text.write_text("hello")
    with pytest.raises(weights.WeightsError):
        weights.import_file("tiny", text)
    empty = tmp_path / "empty.pth"
    empty.write_bytes(b"")
    with pytest.raises(weights.WeightsError, match="empty"):
        weights.import_file("tiny", empty)
    assert weights.status("tiny") == "missing"


class _Payload:
    """A pickle that would run a command when unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_code_carrying_pickle_is_refused_and_not_executed(tiny_entry, tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pth"
    torch.save({"state_dict": tiny_builder().state_dict(), "x": _Payload(marker)}, evil)
    with pytest.raises(weights.WeightsError, match="refused"):
        weights.import_file("tiny", evil)
    assert not marker.exists()
    plain = tmp_path / "evil.pkl"
    plain.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(weights.WeightsError):
        weights.safe_load(plain)
    assert not marker.exists()
    assert weights.status("tiny") == "missing"


def test_garbage_and_object_pickles_get_plain_reasons(tmp_path):
    noise = tmp_path / "noise.pth"
    noise.write_bytes(bytes(torch.randint(0, 256, (4096,), generator=torch.Generator().manual_seed(0), dtype=torch.uint8).tolist()))
    with pytest.raises(weights.WeightsError, match="not a PyTorch weights file"):
        weights.safe_load(noise)
    holder = tmp_path / "holder.pth"
    torch.save({"w": torch.zeros(2), "payload": _Payload(tmp_path / "never")}, holder)
    with pytest.raises(weights.WeightsError, match=r"pickled objects or code \((posix|os)\.system\)"):
        weights.safe_load(holder)


def test_text_files_and_folders_get_plain_reasons(tmp_path):
    text = tmp_path / "notes.pth"
    text.write_text("hi\n")
    with pytest.raises(weights.WeightsError, match="not a PyTorch weights file") as info:
        weights.safe_load(text)
    assert "KeyError" not in str(info.value)
    with pytest.raises(weights.WeightsError, match="is a folder, not a weights file"):
        weights.safe_load(tmp_path)


def test_missing_and_unexpected_tensors_are_counted_not_dumped(tiny_entry, tmp_path):
    big = nn.ModuleDict({f"b{i}": nn.Conv2d(3, 3, 1) for i in range(60)})
    path = tmp_path / "other.pth"
    torch.save(big.state_dict(), path)
    with pytest.raises(weights.WeightsError, match="does not fit") as info:
        weights.import_file("tiny", path)
    text = str(info.value)
    assert "4 tensors missing (0.weight, 0.bias, 2.weight, …)" in text  # the real names of the missing ones
    assert "120 unexpected (b0.weight, b0.bias, b1.weight, …)" in text
    assert len(text) < 300 and "\n" not in text


def test_download_of_an_endless_stream_stops_at_the_known_size():
    import subprocess
    import time

    from cli_process import run_cli

    t0 = time.monotonic()
    proc = run_cli("models", "download", "resnet18", "--url", "file:///dev/zero", timeout=240)  # unbounded: 58 GB in 95 s
    assert time.monotonic() - t0 < 240
    assert proc.returncode == 1, proc.stderr[-1000:]
    assert "more than the expected 44.7 MB" in proc.stderr.strip().splitlines()[-1]
    assert "Traceback" not in proc.stderr
    assert not list(weights.weights_dir().glob("*.part")) and weights.status("resnet18") == "missing"


def test_download_refuses_a_file_larger_than_its_entry(tiny_entry, tmp_path):
    entry, served = tiny_entry
    big = tmp_path / "big.pth"
    big.write_bytes(served.read_bytes() + b"\0" * (weights.download_limit(entry) + 1))
    offered, known = f"{big.stat().st_size / 2**20:.3g}", f"{entry.size_mb:.3g}"
    with pytest.raises(weights.WeightsError, match=f"refused: the server offers {offered} MB, but the file is {known} MB"):
        run_job(weights.download("tiny", url=big.as_uri()))
    assert not list(weights.weights_dir().glob("*.part"))


def test_download_refuses_a_disk_without_room_naming_the_folder(tiny_entry, monkeypatch):
    import shutil

    from gui.main import main

    entry, served = tiny_entry
    real = shutil.disk_usage
    monkeypatch.setattr(weights.shutil, "disk_usage", lambda p: real(p)._replace(free=10 * 2**20))  # 10 MB free
    with pytest.raises(weights.WeightsError, match="Not enough free space in") as info:
        run_job(weights.download("tiny"))
    assert str(weights.weights_dir()) in str(info.value)
    assert not list(weights.weights_dir().glob("*.part")) and weights.status("tiny") == "missing"
