"""LeNet-5 on the digits, and the plain-versus-residual experiment."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch

from engine.cli import build_parser, run
from engine.jobs import CancelToken, run_job
from engine.samples import load_digits
from engine.train import digits as dg
from engine.train.residual import DeepDigitsNet, residual_experiment
from engine.weights import WeightsError


def test_lenet5_reaches_95_percent_and_is_saved_and_reused():
    partials = []
    outcome = run_job(dg.train_digits(epochs=8, seed=0), on_progress=lambda p: partials.append(p))
    result = outcome.result
    assert result is not None and not outcome.cancelled
    assert result.accuracy >= 0.95, result.accuracy
    assert result.test_size == 360

    # Live metrics grew as training went on; the last one carries the confusion matrix.
    metrics = [p.partial for p in partials if p.partial is not None]
    assert len(metrics) > 8
    assert len(metrics[0].train_loss) < len(metrics[-1].train_loss)
    final = metrics[-1]
    assert final.epochs == list(range(1, 9))
    assert final.train_loss[-1] < final.train_loss[0]
    conf = final.confusion
    assert conf.shape == (10, 10) and conf.sum() == 360
    assert np.trace(conf) / conf.sum() == pytest.approx(result.accuracy, abs=1e-6)
    assert final.test_accuracy[-1] == pytest.approx(result.accuracy, abs=1e-6)

    # Saved, and read back through safe_load into the zoo's LeNet-5 with the same accuracy.
    assert result.path == dg.trained_path() and result.path.exists()
    model, meta = dg.load_trained_lenet()
    split = dg.digits_split(0)
    _, acc, _ = dg.evaluate(model, split.x_test, split.y_test)
    assert acc == pytest.approx(result.accuracy, abs=1e-6)
    assert meta["accuracy"] == pytest.approx(result.accuracy) and meta["epochs"] == 8
    assert np.array_equal(np.asarray(meta["confusion"]), conf)


def test_split_is_seeded_stratified_and_disjoint():
    a, b, c = dg.digits_split(0), dg.digits_split(0), dg.digits_split(1)
    assert np.array_equal(a.test_index, b.test_index)
    assert not np.array_equal(a.test_index, c.test_index)
    assert not set(a.train_index) & set(a.test_index)
    assert len(a.train_index) + len(a.test_index) == 1797
    counts = np.bincount(a.y_test.numpy(), minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37
    assert a.x_train.shape[1:] == (1, 32, 32)
    assert float(a.x_train.min()) >= -1.0 and float(a.x_train.max()) <= 1.0


def test_digit_image_and_preprocess_match_training_tensors():
    images, _ = load_digits()
    for index in (0, 5, 1796):
        x = dg.preprocess_digit(dg.digit_image(index))
        expected = dg.digits_to_tensor(images[index : index + 1])
        assert x.shape == (1, 1, 32, 32)
        torch.testing.assert_close(x, expected, atol=1 / 127.5 + 1e-6, rtol=0)


def test_preprocess_inverts_dark_ink_on_light_paper():
    paper = np.full((64, 48, 3), 250, np.uint8)
    paper[20:44, 20:28] = 10  # a dark stroke
    x = dg.preprocess_digit(paper)
    assert x.shape == (1, 1, 32, 32)
    assert float(x[0, 0, 16, 16]) > 0.5  # the stroke is bright, as in the training digits
    assert float(x[0, 0, 2, 2]) < -0.9  # paper became black


def test_cancelled_training_saves_nothing():
    token = CancelToken()
    seen = []

    def on_progress(p):
        seen.append(p)
        if len(seen) == 3:
            token.cancel()

    outcome = run_job(dg.train_digits(epochs=5), on_progress=on_progress, cancel=token)
    assert outcome.cancelled and outcome.result is None
    assert outcome.last_partial is not None and outcome.last_partial.train_loss
    assert not dg.trained_path().exists()
    with pytest.raises(dg.DigitsModelMissing):
        dg.load_trained_lenet()


def test_load_refuses_files_with_code(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("never run",))

    bad = tmp_path / "lenet5_digits.pt"
    with open(bad, "wb") as fh:
        pickle.dump({"state_dict": Payload()}, fh)
    with pytest.raises(WeightsError):
        dg.load_trained_lenet(bad)
    wrong = tmp_path / "wrong.pt"
    torch.save({"state_dict": {"c1.weight": torch.zeros(3)}, "meta": {}}, wrong)
    with pytest.raises(WeightsError):
        dg.load_trained_lenet(wrong)


def test_cli_train_digits_json(capsys):
    parser = build_parser()
    args = parser.parse_args(["arch", "train-digits", "--epochs", "1", "--json"])
    assert run(args) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["epochs"] == 1 and out["test_size"] == 360
    assert 0.5 < out["accuracy"] <= 1.0
    assert np.trace(np.asarray(out["confusion"])) == round(out["accuracy"] * 360)
    assert dg.trained_path().exists()


def test_residual_and_plain_nets_differ_only_by_shortcuts():
    plain, resid = DeepDigitsNet(False), DeepDigitsNet(True)
    assert plain.depth == resid.depth == 20
    assert [p.shape for p in plain.parameters()] == [p.shape for p in resid.parameters()]
    x = torch.randn(2, 1, 8, 8)
    assert plain(x).shape == resid(x).shape == (2, 10)
    resid.load_state_dict(plain.state_dict())
    assert not torch.allclose(plain.eval()(x), resid.eval()(x))  # same weights, the shortcuts change the output


def test_residual_experiment_short_schedule_returns_both_curves():
    partials = []
    outcome = run_job(residual_experiment(epochs=2, seed=0, limit=640), on_progress=lambda p: partials.append(p))
    result = outcome.result
    curves = result.curves
    assert len(curves.steps) == len(curves.plain_loss) == len(curves.residual_loss) >= 10
    assert all(np.isfinite(curves.plain_loss)) and all(np.isfinite(curves.residual_loss))
    assert curves.steps == sorted(curves.steps) and curves.steps[-1] == pytest.approx(2.0)
    assert sum(1 for p in partials if p.partial is not None and p.partial.steps) >= 10
    # The degradation problem, seeded: the plain 20-layer net trains worse than the residual one.
    late = len(curves.steps) // 2
    assert np.mean(curves.plain_loss[late:]) > np.mean(curves.residual_loss[late:])
    assert result.plain_final_loss > result.residual_final_loss
