"""dlib face models in PyTorch, checked against dlib 19.24's own outputs.

tests/fixtures/face/reference.json and chips/*.png come from the C++ program in
tests/fixtures/face/make_reference/ (run build_and_run.sh to regenerate them).
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import cv2
import numpy as np
import pytest

from engine.face import (DlibFormatError, Embedder, FaceAnalyzer, FaceModelsMissing, MMODFaceDetector,
                         ShapePredictor, align_face, face_chip_details, face_distance, models_files)
from engine.face import files as face_files
from engine.face.dlib_format import DlibReader, decode_ints, parse_dnn, read_dnn, read_shape_predictor
from engine.face.mmod import pyramid_rects
from engine.io import load_image
from tests.fixtures.face.make_reference.inputs import extra_chips, reference_images

FIXTURES = Path(__file__).parent / "fixtures" / "face"
REF = json.loads((FIXTURES / "reference.json").read_text())
FACES = [(name, k, face) for name, info in REF["images"].items() for k, face in enumerate(info["faces"])]


@pytest.fixture(scope="module")
def images() -> dict[str, np.ndarray]:
    return reference_images()


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(device="cpu")


@pytest.fixture(scope="module")
def detector() -> MMODFaceDetector:
    return MMODFaceDetector(device="cpu")


@pytest.fixture(scope="module")
def predictor() -> ShapePredictor:
    return ShapePredictor()


def _chip(face: dict) -> np.ndarray:
    return load_image(FIXTURES / "chips" / f"{face['chip']}.png")


# ----------------------------------------------------------------------------- files and format


def test_models_files_found_without_importing_the_package():
    files = models_files()
    assert files.recognition.name == "dlib_face_recognition_resnet_model_v1.dat"
    assert files.detector.name == "mmod_human_face_detector.dat"
    assert files.landmarks5.name == "shape_predictor_5_face_landmarks.dat"
    assert all(p.is_file() for p in (files.recognition, files.detector, files.landmarks5))


def test_models_files_missing_package_is_a_clear_error(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(face_files.metadata, "distribution", missing)
    with pytest.raises(FaceModelsMissing, match="pip install face_recognition_models"):
        models_files()


def test_models_folder_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(face_files.ENV_VAR, str(tmp_path))
    with pytest.raises(FaceModelsMissing, match="lacks"):
        models_files()
    monkeypatch.delenv(face_files.ENV_VAR)
    source = models_files()
    for p in (source.recognition, source.detector, source.landmarks5):
        (tmp_path / p.name).symlink_to(p)
    monkeypatch.setenv(face_files.ENV_VAR, str(tmp_path))
    assert models_files().detector == tmp_path / "mmod_human_face_detector.dat"


def _encode_int(v: int) -> bytes:
    """dlib's integer encoding, written from the format description (serialize.h)."""
    mag = abs(v).to_bytes(max(1, (abs(v).bit_length() + 7) // 8), "little")
    return bytes([len(mag) | (0x80 if v < 0 else 0)]) + mag


def test_reader_integers_floats_strings_bools():
    data = (_encode_int(5) + _encode_int(-300) + _encode_int(2**40 + 7)
            + _encode_int(3) + _encode_int(-1)  # float 3 * 2**-1
            + _encode_int(-5) + _encode_int(32000)  # +inf
            + _encode_int(4) + b"con_" + b"1" + b"0")
    r = DlibReader(data)
    assert (r.int(), r.int(), r.int()) == (5, -300, 2**40 + 7)
    assert r.float() == 1.5
    assert r.float() == float("inf")
    assert r.string() == "con_"
    assert (r.bool(), r.bool()) == (True, False)
    assert r.at_end()
    with pytest.raises(DlibFormatError):
        DlibReader(b"\x05\x01").int()  # 5 value bytes announced, 1 present


def test_vectorised_integer_decoding_matches_sequential():
    rng = np.random.default_rng(1)
    values = [int(v) for v in rng.integers(-2**40, 2**40, 500)] + [0, 1, -1, 255, 256]
    data = b"".join(_encode_int(v) for v in values)
    assert decode_ints(data).tolist() == values
    with pytest.raises(DlibFormatError):
        decode_ints(data[:-1])


def test_dnn_files_parse_to_dlib_architectures():
    files = models_files()
    rec = read_dnn(files.recognition)
    assert rec.loss.kind == "loss_metric"
    assert rec.input.params["size"] == (150, 150)
    np.testing.assert_allclose(rec.input.params["mean"], (122.782, 117.001, 104.298), atol=1e-4)
    kinds = rec.kinds()
    assert kinds.count("con") == 29 and kinds.count("add_prev") == 14 and kinds[-1] == "fc"
    assert rec.layers[0].arrays["weight"].shape == (32, 3, 7, 7)
    assert rec.layers[-1].arrays["weight"].shape == (256, 128)

    det = read_dnn(files.detector)
    assert det.loss.kind == "loss_mmod"
    assert det.loss.params["detector_windows"][0][:2] == (80, 80)
    assert det.input.kind == "input_rgb_image_pyramid"
    assert [layer.params["kernel"] for layer in det.layers if layer.kind == "con"] == [(5, 5)] * 6 + [(9, 9)]

    with pytest.raises(DlibFormatError):
        parse_dnn(files.detector.read_bytes()[:-10])


def test_shape_predictor_file():
    sp = read_shape_predictor(models_files().landmarks5)
    assert sp.initial_shape.shape == (10,)
    assert len(sp.forests) == len(sp.anchor_idx) == len(sp.deltas) == 15
    forest = sp.forests[0]
    assert forest.leaves.shape[0] == forest.idx1.shape[0] == 500
    assert forest.leaves.shape[1] == forest.idx1.shape[1] + 1
    assert sp.anchor_idx[0].max() < 5 and sp.deltas[0].shape == (len(sp.anchor_idx[0]), 2)
    assert max(int(f.idx1.max()) for f in sp.forests) < len(sp.anchor_idx[0])


# ----------------------------------------------------------------------------- against dlib


def test_descriptors_match_dlib(embedder):
    chips = [_chip(face) for _, _, face in FACES] + list(extra_chips().values())
    ref = [face["descriptor"] for _, _, face in FACES] + [REF["chips"][name] for name in extra_chips()]
    ours = embedder.embed_chips(np.stack(chips), batch_size=4)
    assert ours.shape == (len(chips), 128) and ours.dtype == np.float32
    dist = np.linalg.norm(ours - np.array(ref, np.float32), axis=1)
    assert dist.max() < 0.01, dist


def test_mmod_boxes_match_dlib(detector, images):
    for name, info in REF["images"].items():
        found = detector.detect(images[name])
        assert len(found) == len(info["faces"]), name
        for ours, ref in zip(found, info["faces"]):
            assert np.abs(np.array(ours.box) - ref["box"]).max() <= 2, (name, ours, ref["box"])
            assert abs(ours.score - ref["score"]) < 0.02, (name, ours.score, ref["score"])


def test_mmod_upsampling_finds_small_faces(detector, images):
    half = cv2.resize(images["astronaut"], (256, 256), interpolation=cv2.INTER_AREA)  # face ~48 px
    assert detector.detect(half) == []
    found = detector.detect(half, upsample=1)
    assert len(found) == 1
    expected = (np.array(REF["images"]["astronaut"]["faces"][0]["box"]) + 0.5) / 2 - 0.5
    assert np.abs(np.array(found[0].box) - expected).max() <= 2
    with pytest.raises(ValueError):
        detector.detect(half, upsample=-1)


def test_mmod_small_and_bad_images(detector):
    assert detector.detect(np.zeros((3, 4, 3), np.uint8)) == []
    assert detector.detect(np.full((40, 40, 3), 128, np.uint8)) == []
    with pytest.raises(ValueError, match="uint8 RGB"):
        detector.detect(np.zeros((40, 40), np.uint8))


def test_pyramid_layout_fits_the_canvas():
    rects, h, w = pyramid_rects(512, 512)
    assert rects[0] == (11, 11, 522, 522)
    for (l, t, r, b), (l2, t2, r2, b2) in zip(rects, rects[1:]):
        assert (r2 - l2 + 1) == int(5 / 6 * (r - l + 1))  # each level 5/6 of the previous
    for l, t, r, b in rects:
        assert 0 <= l <= r < w and 0 <= t <= b < h
    assert (rects[-1][3] - rects[-1][1] + 1) >= 5


def test_landmarks_match_dlib(predictor, images):
    for name, _, face in FACES:
        pts = predictor.predict(images[name], face["box"])
        assert pts.shape == (5, 2)
        assert np.abs(pts - face["landmarks"]).max() < 1.0, name
        # dlib rounds its landmarks to whole pixels
        assert np.array_equal(np.floor(pts + 0.5), face["landmarks"]), name


def test_aligned_chips_match_dlib(images):
    for name, _, face in FACES:
        details = face_chip_details(np.array(face["landmarks"], float))
        np.testing.assert_allclose(details.rect, face["chip_rect"], atol=1e-4)
        assert abs(details.angle - face["chip_angle"]) < 1e-6
        chip = align_face(images[name], np.array(face["landmarks"], float))
        assert chip.shape == (150, 150, 3) and chip.dtype == np.uint8
        assert np.abs(chip.astype(int) - _chip(face)).max() <= 1, name


def test_align_rejects_bad_landmarks():
    with pytest.raises(ValueError):
        face_chip_details(np.zeros((68, 2)))


# ----------------------------------------------------------------------------- identity


def test_same_person_close_different_person_far(images):
    analyzer = FaceAnalyzer(device="cpu")
    desc = {}
    for name in ("astronaut", "astronaut_flip", "astronaut_zoom", "camera"):
        faces = analyzer.analyze(images[name])
        assert len(faces) == 1, name
        desc[name] = faces[0].descriptor
        ref = REF["images"][name]["faces"][0]["descriptor"]
        assert np.linalg.norm(desc[name] - ref) < 0.01, name  # the whole pipeline agrees with dlib
    assert analyzer.analyze(images["coffee"]) == []
    same = face_distance(desc["astronaut"], np.stack([desc["astronaut_flip"], desc["astronaut_zoom"]]))
    assert (same < 0.6).all(), same
    assert face_distance(desc["astronaut"], desc["camera"])[0, 0] > 0.6


def test_embedder_rejects_wrong_chip_shape(embedder):
    with pytest.raises(ValueError, match="150"):
        embedder.embed_chips(np.zeros((2, 100, 100, 3), np.uint8))
