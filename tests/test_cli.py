"""The convstudio command line: info, models, screenshots."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn
from PIL import Image

from engine import weights
from gui.main import main

ROOT = Path(__file__).resolve().parents[1]


def test_info_json(capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["torch"] == torch.__version__
    assert info["device"] == "cpu" or info["cuda_available"]
    assert Path(info["weights_dir"]).is_dir()


def test_models_list_json(capsys):
    assert main(["models", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = {r["name"] for r in rows}
    assert "ssdlite320_mobilenet_v3_large" in names
    assert all(r["status"] == "missing" for r in rows)


def test_models_import_and_verify(capsys, tmp_path, monkeypatch):
    def build():
        return nn.Linear(2, 2)

    entry = weights.WeightsEntry("lin2", "test", "linear", build, "https://example.invalid/lin2-abcdef12.pth", 0.01, "abcdef12", "t", "t")
    monkeypatch.setitem(weights.REGISTRY, "lin2", entry)
    f = tmp_path / "w.pth"
    torch.save(build().state_dict(), f)
    assert main(["models", "import", "lin2", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "imported"
    assert main(["models", "verify", "lin2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"lin2": "imported"}
    assert main(["models", "import", "nope", str(f)]) == 1


def test_bad_device_is_reported(capsys):
    assert main(["--device", "tpu", "info"]) == 2
    assert "device" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert main(["--device", "cuda", "info"]) == 2
        assert "no CUDA device" in capsys.readouterr().err


def test_screenshots_writes_a_nonblank_png_per_panel(tmp_path):
    out = tmp_path / "shots"
    proc = subprocess.run(
        [sys.executable, "-m", "gui.main", "screenshots", str(out), "--size", "1024x700", "--only", "welcome", "models", "--theme", "dark"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from gui.context import make_settings

    assert make_settings().value("theme") is None, "screenshots must not change the user's settings"
    for panel_id in ("welcome", "models"):
        img = np.asarray(Image.open(out / f"{panel_id}.png").convert("RGB"))
        assert img.shape[:2] == (700, 1024)
        assert img.std() > 5, f"{panel_id}.png looks blank"


def test_screenshots_leave_the_users_face_database_alone(tmp_path):
    from engine.face.db import default_db_path

    proc = subprocess.run(
        [sys.executable, "-m", "gui.main", "screenshots", str(tmp_path / "shots"), "--only", "faces"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "shots" / "faces.png").is_file()
    assert not default_db_path().exists(), "screenshots created a face database in the user's data folder"


def test_models_import_of_an_unknown_name_reads_plainly(capsys, tmp_path):
    f = tmp_path / "w.pth"
    torch.save({"w": torch.zeros(1)}, f)
    assert main(["models", "import", "nope", str(f)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("convstudio: unknown weights 'nope'; known: ")


def test_screenshots_name_an_unknown_panel(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "gui.main", "screenshots", str(tmp_path / "shots"), "--only", "welcome", "nosuch"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 1
    assert "nosuch" in proc.stdout and "unknown panel" in proc.stdout and "grid_detector" in proc.stdout
    assert (tmp_path / "shots" / "welcome.png").exists()


def test_json_output_keeps_non_ascii_text_readable(capsys):
    """--json writes names like 王小明 as UTF-8, not \\u escapes, and stays valid JSON."""
    import json as _json

    from engine.cli import print_json

    print_json({"name": "王小明", "shape": "55×55×96"})
    out = capsys.readouterr().out
    assert "王小明" in out and "\\u" not in out
    assert _json.loads(out) == {"name": "王小明", "shape": "55×55×96"}


def test_faces_list_json_prints_chinese_names(tmp_path, capsys):
    from engine.face.db import FaceDatabase
    from gui.main import main

    db_path = tmp_path / "people.db"
    with FaceDatabase(db_path) as db:
        db.add_person("王小明")
    assert main(["faces", "--db", str(db_path), "list", "--json"]) == 0
    out = capsys.readouterr().out
    assert "王小明" in out
