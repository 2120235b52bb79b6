"""Identification and verification against brute force; calibration on synthetic
descriptors with known separation; PCA; triplet loss; the adaptation head."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import norm
from sklearn.metrics import roc_curve as sk_roc_curve

from engine.face.calibration import (
    PairDistances,
    calibrate,
    equal_error_rate,
    pair_distances,
    pca_2d,
    roc_curve,
    threshold_for_far,
)
from engine.face.db import FaceDatabase, NewSample
from engine.face.match import UNKNOWN, Gallery, GalleryCache, confidence, verify
from engine.face.triplet import AdaptationHead, finetune_head, triplet_loss, triplet_terms
from engine.jobs import run_job


def _clusters(people: int, per: int, spread: float, dim: int = 128, seed: int = 0):
    """Descriptors around one random centre per person (centres ~1 apart, like dlib's)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1 / np.sqrt(2 * dim) * 1.0, (people, dim)) * np.sqrt(2)
    x = np.repeat(centres, per, axis=0) + rng.normal(0, spread / np.sqrt(dim), (people * per, dim))
    labels = [f"p{i}" for i in range(people) for _ in range(per)]
    return x.astype(np.float32), labels


def _brute_force(gallery_x, labels, q):
    d = np.sqrt(((q[:, None, :].astype(np.float64) - gallery_x[None].astype(np.float64)) ** 2).sum(-1))
    names = sorted(set(labels))
    lab = np.array(labels)
    per_person = np.stack([d[:, lab == n].min(axis=1) for n in names], axis=1)
    return d, names, per_person


def test_identify_matches_brute_force():
    x, labels = _clusters(people=30, per=4, spread=0.4, seed=1)
    rng = np.random.default_rng(2)
    q = x[rng.choice(len(x), 10)] + rng.normal(0, 0.02, (10, 128)).astype(np.float32)
    q = np.concatenate([q, rng.normal(0, 1, (3, 128)).astype(np.float32)])  # far from everyone
    g = Gallery.from_labels(x, labels, device="cpu")
    np.testing.assert_allclose(g.distances(q).numpy(), _brute_force(x, labels, q)[0], atol=2e-4)
    results = g.identify(q, threshold=0.6, k=3)
    _, names, per_person = _brute_force(x, labels, q)
    for r, row in zip(results, per_person):
        order = np.argsort(row)
        assert [c.name for c in r.top] == [names[i] for i in order[:3]]
        np.testing.assert_allclose([c.distance for c in r.top], row[order[:3]], atol=2e-4)
        assert r.nearest == names[order[0]]
        assert r.known == (row[order[0]] <= 0.6)
        assert r.name == (names[order[0]] if r.known else UNKNOWN)
        assert r.confidence == pytest.approx(confidence(row[order[0]], 0.6), abs=1e-3)
    assert all(r.known for r in results[:10]) and not any(r.known for r in results[10:])


def test_top_people_when_one_person_crowds_the_nearest_samples():
    rng = np.random.default_rng(7)
    x, labels = _clusters(people=6, per=3, spread=0.4, seed=8)
    crowd = x[0] + rng.normal(0, 0.01, (200, 128)).astype(np.float32)  # 200 samples of p0 right by the query
    gx = np.concatenate([x, crowd])
    gl = labels + ["p0"] * 200
    q = x[:1] + 0.001
    g = Gallery.from_labels(gx, gl, device="cpu")
    r = g.identify(q, k=3)[0]
    _, names, per_person = _brute_force(gx, gl, q)
    order = np.argsort(per_person[0])
    assert [c.name for c in r.top] == [names[i] for i in order[:3]]
    np.testing.assert_allclose([c.distance for c in r.top], per_person[0, order[:3]], atol=2e-4)


def test_identify_one_sample_per_person_and_empty_gallery():
    x, labels = _clusters(people=5, per=1, spread=0.1)
    g = Gallery.from_labels(x, labels, device="cpu")
    r = g.identify(x[3])[0]
    assert r.name == "p3" and r.distance == pytest.approx(0, abs=1e-3) and len(r.top) == 3
    empty = Gallery(np.zeros((0, 128), np.float32), np.zeros(0, np.int64), [], device="cpu")
    r = empty.identify(x[0])[0]
    assert r.name == UNKNOWN and not r.known and r.top == ()


def test_verify_and_confidence():
    a = np.zeros(128, np.float32)
    b = a.copy()
    b[0] = 0.5
    v = verify(a, b)
    assert v.distance == pytest.approx(0.5) and v.same and v.confidence > 0.9
    b[0] = 0.7
    v = verify(a, b, threshold=0.6)
    assert not v.same and v.confidence < 0.1
    assert confidence(0.6, 0.6) == pytest.approx(0.5)
    c = confidence(np.linspace(0, 1.2, 50), 0.6)
    assert np.all(np.diff(c) < 0)


def test_gallery_cache_rebuilds_only_after_changes(tmp_path):
    path = tmp_path / "f.db"
    db = FaceDatabase(path)
    other = FaceDatabase(path)  # e.g. the CLI enrolling while the GUI recognises
    x, labels = _clusters(people=3, per=2, spread=0.3)
    chip = np.zeros((150, 150, 3), np.uint8)
    for v, n in zip(x[:4], labels[:4]):
        db.add_sample(n, NewSample(v, chip))
    cache = GalleryCache(db, device="cpu")
    assert cache.get().identify(x[0])[0].name == "p0"
    cache.get()
    assert cache.builds == 1
    other.add_sample("p2", NewSample(x[4], chip))
    assert cache.get().identify(x[4])[0].name == "p2"
    assert cache.builds == 2
    db.remove_person("p2")
    assert cache.get().identify(x[4])[0].nearest != "p2"
    assert cache.builds == 3
    db.close()
    other.close()


def test_pair_distances_counts_and_values():
    x, labels = _clusters(people=4, per=3, spread=0.3)
    pairs = pair_distances(x, labels)
    assert pairs.same.size == 4 * 3 and pairs.different.size == 12 * 11 // 2 - 12
    d = np.linalg.norm(x[0] - x[1])
    assert np.min(np.abs(pairs.same - d)) < 1e-5


def test_eer_on_gaussian_distances_matches_theory():
    rng = np.random.default_rng(0)
    pairs = PairDistances(np.sort(rng.normal(0.5, 0.1, 20000)), np.sort(rng.normal(0.7, 0.1, 20000)))
    eer, thr = equal_error_rate(pairs)
    assert eer == pytest.approx(norm.cdf(-1.0), abs=0.01)  # 0.1587 for means 1 sd apart from the midpoint
    assert thr == pytest.approx(0.6, abs=0.01)
    # ROC agrees with scikit-learn's (scores = -distance, positives = same-person pairs)
    y = np.r_[np.ones(pairs.same.size), np.zeros(pairs.different.size)]
    fpr, tpr, _ = sk_roc_curve(y, -np.r_[pairs.same, pairs.different])
    roc = roc_curve(pairs)
    k = np.searchsorted(roc.far, 0.05)
    assert roc.tar[k] == pytest.approx(np.interp(roc.far[k], fpr, tpr), abs=0.005)
    sk_eer = fpr[np.argmin(np.abs(fpr - (1 - tpr)))]
    assert eer == pytest.approx(sk_eer, abs=0.002)


def test_threshold_for_far_hits_the_target():
    rng = np.random.default_rng(1)
    pairs = PairDistances(np.sort(rng.normal(0.45, 0.08, 3000)), np.sort(rng.normal(0.85, 0.08, 5000)))
    for far in (0.0, 0.001, 0.01, 0.1):
        t = threshold_for_far(pairs, far)
        achieved = np.mean(pairs.different <= t)
        assert achieved <= far + 1e-12
        assert np.mean(pairs.different <= t + 0.01) > achieved or far == 0.0  # not needlessly strict
    with pytest.raises(ValueError):
        threshold_for_far(PairDistances(np.ones(3), np.zeros(0)), 0.01)
    # the same photo enrolled under two names: a different-person pair at distance 0 -- τ is 0, never negative
    tied = PairDistances(np.array([0.3, 0.4]), np.array([0.0, 0.9, 1.0]))
    assert threshold_for_far(tied, 0.0) == 0.0


def test_calibrate_separated_and_overlapping_people():
    x, labels = _clusters(people=8, per=5, spread=0.3, seed=3)
    cal = calibrate(x, labels)
    assert cal.eer == 0.0 and cal.people == 8 and cal.samples == 40
    assert cal.pairs.same.max() < cal.eer_threshold < cal.pairs.different.min() or cal.eer == 0
    far, frr = cal.rates_at(cal.eer_threshold)
    assert far == 0.0 and frr == 0.0
    y, ly = _clusters(people=8, per=5, spread=2.5, seed=3)  # clusters overlap
    assert 0.05 < calibrate(y, ly).eer < 0.5


def test_far_warning_when_too_few_pairs_to_measure_it():
    x, labels = _clusters(people=3, per=2, spread=0.3, seed=4)  # 12 different-person pairs
    cal = calibrate(x, labels)
    assert cal.pairs.different.size == 12
    text = cal.far_warning(0.001)
    assert text is not None and "12 different-person pair" in text and "1000 pairs" in text
    assert cal.far_warning(0.1) is None  # 12 pairs resolve 1/12 < 10 %
    assert cal.far_warning(0.05) is not None  # ...but not 5 % (needs 20)
    assert cal.far_warning(0.0) is None


def test_pca_2d_matches_sklearn():
    from sklearn.decomposition import PCA

    x, _ = _clusters(people=6, per=5, spread=0.5, seed=4)
    pts, ratio = pca_2d(x)
    ref = PCA(2).fit(x.astype(np.float64))
    ref_pts = ref.transform(x.astype(np.float64))
    for a in range(2):
        assert abs(np.corrcoef(pts[:, a], ref_pts[:, a])[0, 1]) > 0.9999
    np.testing.assert_allclose(ratio, ref.explained_variance_ratio_, rtol=1e-6)
    assert pca_2d(x[:1])[0].shape == (1, 2)


def test_triplet_terms_and_loss():
    a = np.zeros(4)
    p = np.array([0.3, 0, 0, 0])
    n = np.array([0, 0.5, 0, 0])
    t = triplet_terms(a, p, n, margin=0.2)
    assert t.ap == pytest.approx(0.09) and t.an == pytest.approx(0.25) and t.loss == pytest.approx(0.04)
    assert triplet_terms(a, p, n * 2, margin=0.2).loss == 0.0
    batch = torch.tensor(np.stack([a, a]), dtype=torch.float32)
    pos = torch.tensor(np.stack([p, p]), dtype=torch.float32)
    neg = torch.tensor(np.stack([n, n * 2]), dtype=torch.float32)
    assert float(triplet_loss(batch, pos, neg, 0.2)) == pytest.approx(0.02, abs=1e-6)


def test_adaptation_head_starts_as_identity_and_improves_eer():
    head = AdaptationHead(128)
    x = torch.randn(5, 128)
    assert torch.equal(head(x), x)
    # people separated along a few directions, buried under large shared nuisance directions
    rng = np.random.default_rng(5)
    people, per = 10, 9
    ident = np.zeros((people, 128))
    ident[:, :8] = rng.normal(0, 0.25, (people, 8))
    emb = np.repeat(ident, per, axis=0) + np.concatenate(
        [rng.normal(0, 0.03, (people * per, 8)), rng.normal(0, 0.12, (people * per, 120))], axis=1
    )
    labels = [f"p{i}" for i in range(people) for _ in range(per)]
    result = run_job(finetune_head(emb.astype(np.float32), labels, epochs=150, margin=0.2, lr=0.01)).result
    assert result.held_out == people * (per // 3)
    assert result.losses[-1] < result.losses[0]
    assert result.eer_after < result.eer_before
    with pytest.raises(ValueError, match="two people"):
        run_job(finetune_head(emb[:3].astype(np.float32), ["a", "a", "b"]))


def test_cli_calibrate_apply_list_remove(tmp_path, capsys):
    import json

    from gui.main import main

    path = tmp_path / "cli.db"
    x, labels = _clusters(people=4, per=4, spread=0.3, seed=9)
    chip = np.zeros((150, 150, 3), np.uint8)
    with FaceDatabase(path) as db:
        for v, n in zip(x, labels):
            db.add_sample(n, NewSample(v, chip))
    capsys.readouterr()
    assert main(["faces", "--db", str(path), "calibrate", "--far", "0.01", "--apply", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["people"] == 4 and out["same_pairs"] == 4 * 6 and out["applied"] and out["far"] <= 0.01
    assert out["different_pairs"] == 96 and "cannot be measured" in out["warning"]  # 96 pairs cannot resolve 1 %
    assert main(["faces", "--db", str(path), "calibrate", "--far", "0.05"]) == 0
    assert "caution" not in capsys.readouterr().out
    with FaceDatabase(path) as db:
        assert float(db.get_setting("threshold")) == pytest.approx(out["threshold"], abs=1e-6)
    assert main(["faces", "--db", str(path), "list", "--json"]) == 0
    assert [p["samples"] for p in json.loads(capsys.readouterr().out)] == [4, 4, 4, 4]
    assert main(["faces", "--db", str(path), "remove", "nobody"]) == 1
    assert "no enrolled person" in capsys.readouterr().err
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"x" * 5000)
    assert main(["faces", "--db", str(bad), "list"]) == 1
    assert str(bad) in capsys.readouterr().err
