"""Training the grid detector: a short seeded run beats an untrained one; checkpoints, registry, CLI."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from engine.detect import DetectorError, create_detector, detector_choices
from engine.jobs import CancelToken, run_job
from engine.weights import safe_load
from engine.yolo.detector import ensure_registered
from engine.yolo.model import GridNet
from engine.yolo.predict import CheckpointError, GridModel, load_grid_model
from engine.yolo.train import TrainConfig, default_checkpoint_path, evaluate, grid_loss, scene_set, train_job

ensure_registered()  # what the app and the CLI do before using the Detection registry

CONFIG = TrainConfig(grid=7, anchors=2, minutes=30, seed=0, train_scenes=300, val_scenes=40, max_steps=220, batch_size=16)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One short seeded run shared by the tests (written to a file, not the app's folder)."""
    out = tmp_path_factory.mktemp("yolo") / "short.pt"
    progress = []
    outcome = run_job(train_job(CONFIG, output=out, save=False), progress.append)
    return outcome.result, out, progress


def test_short_run_beats_untrained_model(trained):
    result, out, progress = trained
    torch.manual_seed(0)
    untrained = GridModel(GridNet(2, 4, CONFIG.width).eval(), result.spec)
    val = scene_set(CONFIG.val_scenes, CONFIG.seed + 1_000_003, CONFIG.input_size)
    base = evaluate(untrained, val)
    assert base.map50 < 0.05
    assert result.metrics.map50 > base.map50 + 0.3
    assert result.steps == CONFIG.max_steps
    # per-term loss curves were reported and the loss fell
    curves = [p.partial for p in progress if p.partial is not None][-1]
    assert len(curves.step) == len(curves.objectness) == len(curves.box) == len(curves.cls) >= 2
    assert np.mean(curves.total[-3:]) < curves.total[0] / 2


def test_checkpoint_loads_safely_with_metrics(trained):
    result, out, _ = trained
    blob = safe_load(out)
    assert blob["meta"]["map50"] == pytest.approx(result.metrics.map50, abs=1e-4)
    assert blob["meta"]["complete"] is True
    assert blob["meta"]["curves"]["step"] == result.curves.step and len(result.curves.total) >= 2
    model = load_grid_model(out)
    assert model.spec == result.spec
    assert np.allclose(np.asarray(model.spec.anchors), result.anchors)
    # the reloaded model measures the same mAP
    val = scene_set(CONFIG.val_scenes, CONFIG.seed + 1_000_003, CONFIG.input_size)
    assert evaluate(model, val).map50 == pytest.approx(result.metrics.map50, abs=1e-6)
    assert not default_checkpoint_path().exists()  # save=False leaves the app's folder alone


def test_not_a_checkpoint_is_refused(tmp_path):
    bad = tmp_path / "other.pt"
    torch.save({"state_dict": {"w": torch.zeros(2)}}, bad)
    with pytest.raises(CheckpointError):
        load_grid_model(bad)
    with pytest.raises(DetectorError):
        create_detector(f"yolo:{tmp_path / 'missing.pt'}", device="cpu")


def test_registered_detector_returns_boxes_in_original_pixels(trained):
    from engine.scenes import make_scene

    _, out, _ = trained
    det = create_detector(f"yolo:{out}", device="cpu")
    scene = make_scene(7, size=(224, 300))
    d = det.detect(scene.image, score_threshold=0.2, iou_threshold=0.5)
    assert d.image_size == (224, 300) and list(d.class_names) == list(scene.class_names)
    assert d.num_raw >= len(d)
    if len(d):
        assert (d.boxes[:, 2] <= 300).all() and (d.boxes[:, 3] <= 224).all() and (d.boxes >= 0).all()
    anchors = det.anchor_sets((224, 300))[0]
    assert anchors["grid"] == (7, 7) and anchors["boxes"].shape == (7 * 7 * 2, 4)


def test_trained_checkpoint_is_offered_in_the_chooser(trained, capsys):
    _, out, _ = trained
    from engine.yolo.detector import TRAINED_NAME, register_trained

    assert register_trained() is False
    assert TRAINED_NAME not in [n for n, _t, _s in detector_choices()]
    shutil.copy(out, default_checkpoint_path())
    assert register_trained() is True
    offered = {n: t for n, t, _s in detector_choices()}
    assert offered[TRAINED_NAME].startswith("Grid detector (trained in-app)") and "mAP@0.5" in offered[TRAINED_NAME]
    d = create_detector(TRAINED_NAME, device="cpu").detect(np.zeros((90, 120, 3), np.uint8))
    assert d.detector == TRAINED_NAME and d.image_size == (90, 120)
    from gui.main import main

    assert main(["detect", "--list", "--json"]) == 0
    listed = [json.loads(line)["name"] for line in capsys.readouterr().out.splitlines()]
    assert TRAINED_NAME in listed and "yolo:" in listed
    default_checkpoint_path().unlink()
    assert register_trained() is False


def test_cancel_stops_without_a_final_checkpoint():
    cancel = CancelToken()
    seen = []

    def on_progress(p):
        seen.append(p)
        if p.partial is not None:
            cancel.cancel()

    config = TrainConfig(train_scenes=30, val_scenes=5, max_steps=10_000, batch_size=4, minutes=30)
    outcome = run_job(train_job(config), on_progress, cancel)
    assert outcome.cancelled and outcome.last_partial is not None
    assert not default_checkpoint_path().exists()


def test_loss_terms_vanish_for_a_perfect_prediction():
    from engine.yolo.grid import GridSpec, encode_targets

    spec = GridSpec(7, 112, ((1.0, 1.0), (3.0, 1.5)), ("a", "b", "c", "d"))
    y = torch.from_numpy(encode_targets(np.array([[10, 10, 40, 30]]), np.array([2]), spec).y)[None]
    anchors = torch.tensor(spec.anchors)
    raw = torch.full_like(y, -30.0)
    pos = y[..., 0] > 0
    raw[..., 1:5] = 0.0
    t = y[pos][0]
    a = anchors[int(pos.nonzero()[0, 3])]
    raw[pos] = torch.cat([torch.tensor([30.0]), torch.logit(t[1:3].clamp(1e-6, 1 - 1e-6)),
                          torch.log(t[3:4] / a[1]), torch.log(t[4:5] / a[0]), (t[5:] * 60 - 30)])
    terms = grid_loss(raw, y, anchors)
    assert float(terms["total"]) < 1e-3
    worse = grid_loss(torch.zeros_like(y), y, anchors)
    assert float(worse["objectness"]) > 1 and float(worse["class"]) > 1


def test_cli_eval_prints_json(trained, capsys):
    from gui.main import main

    _, out, _ = trained
    assert main(["yolo", "eval", str(out), "--scenes", "10", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0.0 <= result["map50"] <= 1.0 and result["map50_95"] <= result["map50"]
    assert result["images"] == 10
    assert main(["yolo", "eval", str(out.parent / "nope.pt")]) == 1


@pytest.mark.parametrize(
    "argv, phrase",
    [
        (["--steps", "0"], "--steps"),
        (["--scenes", "0"], "--scenes"),
        (["--val-scenes", "0"], "--val-scenes"),
        (["--threads", "-1"], "--threads"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_cli_train_refuses_bad_numbers_in_one_line(argv, phrase, capsys):
    from gui.main import main

    assert main(["yolo", "train", "--minutes", "0.2", "--scenes", "8", "--val-scenes", "2", *argv]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("convstudio:") and phrase in err and "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert not default_checkpoint_path().exists()


def test_cli_train_refuses_a_folder_as_output_before_training(tmp_path, capsys):
    from gui.main import main

    assert main(["yolo", "train", "--minutes", "0.2", "--scenes", "8", "--val-scenes", "2", "-o", str(tmp_path)]) != 0
    err = capsys.readouterr().err.strip()
    assert "is a folder" in err and len(err.splitlines()) == 1
    assert not default_checkpoint_path().exists()  # refused before any training
    assert list(tmp_path.parent.glob("*.part")) == []


@pytest.mark.parametrize("argv, phrase", [(["--scenes", "0"], "--scenes"), (["--seed", "-1"], "--seed")])
def test_cli_eval_refuses_bad_numbers_in_one_line(trained, argv, phrase, capsys):
    from gui.main import main

    _, out, _ = trained
    assert main(["yolo", "eval", str(out), *argv]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("convstudio:") and phrase in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("changes", [{"max_steps": 0}, {"train_scenes": 0}, {"val_scenes": 0}])
def test_train_job_refuses_empty_runs(changes):
    config = TrainConfig(minutes=0.2, train_scenes=8, val_scenes=2)
    for k, v in changes.items():
        setattr(config, k, v)
    with pytest.raises(ValueError, match=">= 1"):
        run_job(train_job(config, save=False), lambda p: None)


@pytest.mark.parametrize("tamper", ["grid", "state"])
def test_tampered_checkpoint_is_refused_in_one_line(trained, tmp_path, tamper):
    _, out, _ = trained
    blob = safe_load(out)
    if tamper == "grid":
        blob["spec"]["grid"] = 0
    else:
        key = list(blob["state_dict"])[-1]
        blob["state_dict"][key] = torch.zeros(3)
    bad = tmp_path / "bad.pt"
    torch.save(blob, bad)
    with pytest.raises(CheckpointError, match="does not fit the grid detector") as info:
        load_grid_model(bad)
    assert "\n" not in str(info.value)
