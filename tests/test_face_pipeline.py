"""The face pipeline end to end (MMOD or Haar → landmarks → chip → descriptor), enrollment
messages (no face, several faces, tiny face, corrupt image), photo enrollment, folder
import, webcam auto-capture rules and the CLI."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from engine.face.db import FaceDatabase
from engine.face.enroll import enroll_images, import_folder
from engine.face.live import CaptureGate, enroll_from_frames, recognize_frames
from engine.face.match import GalleryCache
from engine.face.pipeline import (
    Face,
    FacePipeline,
    FaceQuality,
    FaceTooSmall,
    NoFaceFound,
    SeveralFaces,
    face_at,
    sharpness,
)
from engine.io import ImageLoadError, save_image
from engine.jobs import run_job
from engine.samples import sample_image


@pytest.fixture(scope="module")
def mmod():
    return FacePipeline("mmod", device="cpu")


@pytest.fixture(scope="module")
def haar():
    return FacePipeline("haar", device="cpu")


@pytest.fixture(scope="module")
def astronaut_faces(mmod):
    return mmod.analyze(sample_image("astronaut"))


def _two_people() -> np.ndarray:
    """The astronaut and the cameraman side by side (two different people)."""
    return np.ascontiguousarray(np.concatenate([sample_image("astronaut"), sample_image("camera")], axis=1))


def test_analyze_returns_complete_faces(mmod, astronaut_faces):
    from engine.face.align import align_face
    from engine.face.resnet import Embedder

    assert len(astronaut_faces) == 1
    f = astronaut_faces[0]
    assert f.box.shape == (4,) and f.box.dtype == np.float32
    x0, y0, x1, y1 = f.box
    assert 150 < x0 < x1 < 290 and 50 < y0 < y1 < 190  # the astronaut's face
    assert f.landmarks.shape == (5, 2)
    assert np.all((f.landmarks[:, 0] > x0 - 10) & (f.landmarks[:, 0] < x1 + 10))
    assert f.chip.shape == (150, 150, 3) and f.chip.dtype == np.uint8
    np.testing.assert_array_equal(f.chip, align_face(sample_image("astronaut"), np.floor(f.landmarks + 0.5)))
    assert f.descriptor.shape == (128,) and f.descriptor.dtype == np.float32
    ref = Embedder(device="cpu").embed_chips(f.chip[None])[0]
    np.testing.assert_allclose(f.descriptor, ref, atol=1e-4)
    assert f.quality.size == pytest.approx(min(x1 - x0, y1 - y0))
    assert f.quality.sharpness == pytest.approx(sharpness(f.chip))


def test_batched_descriptors_per_frame_equal_single(mmod):
    faces = mmod.analyze(_two_people())
    assert len(faces) == 2
    singles = np.stack([mmod.embed_chips(f.chip[None])[0] for f in faces])
    np.testing.assert_allclose(np.stack([f.descriptor for f in faces]), singles, atol=1e-4)
    # the two people are farther apart than dlib's threshold; the mirrored astronaut is close
    assert np.linalg.norm(faces[0].descriptor - faces[1].descriptor) > 0.6
    flipped = mmod.analyze(np.ascontiguousarray(sample_image("astronaut")[:, ::-1]))[0]
    left = faces[0] if faces[0].box[0] < 512 else faces[1]
    assert np.linalg.norm(flipped.descriptor - left.descriptor) < 0.6


def test_haar_detector_with_shape_predictor(haar, astronaut_faces):
    faces = haar.analyze(sample_image("astronaut"))
    assert len(faces) == 1
    ref = astronaut_faces[0]
    assert np.abs(faces[0].box - ref.box).max() < 15  # same face as the CNN detector, slightly different framing
    assert np.abs(faces[0].landmarks - ref.landmarks).max() < 6
    assert np.linalg.norm(faces[0].descriptor - ref.descriptor) < 0.2


def test_no_face_message(mmod):
    with pytest.raises(NoFaceFound, match="No face found in coffee.png"):
        mmod.enrollment_face(sample_image("coffee"), label="coffee.png")


def test_several_faces_then_pick(mmod):
    image = _two_people()
    with pytest.raises(SeveralFaces, match="2 faces found") as err:
        mmod.enrollment_face(image)
    faces = err.value.faces
    assert len(faces) == 2 and all(f.descriptor.shape == (128,) for f in faces)
    right = max(range(2), key=lambda i: faces[i].box[0])
    cx = float(faces[right].box[0] + faces[right].box[2]) / 2
    cy = float(faces[right].box[1] + faces[right].box[3]) / 2
    assert face_at(faces, cx, cy) == right
    chosen = mmod.enrollment_face(image, pick=(cx, cy))
    np.testing.assert_allclose(chosen.descriptor, faces[right].descriptor, atol=1e-4)
    assert mmod.enrollment_face(image, pick=right).box[0] > 512


def test_tiny_face_message(haar, mmod):
    small = cv2.resize(sample_image("astronaut"), (200, 200), interpolation=cv2.INTER_AREA)
    with pytest.raises(FaceTooSmall, match="only 3[0-9] pixels across; at least 48") as err:
        haar.enrollment_face(small, label="small.png")
    assert err.value.size < 48
    with pytest.raises(FaceTooSmall):
        mmod.enrollment_face(sample_image("astronaut"), min_size=200)


def test_corrupt_image_and_bad_arrays(mmod, tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(ImageLoadError, match="broken.jpg"):
        mmod.analyze_file(bad)
    with pytest.raises(ValueError, match="uint8"):
        mmod.analyze(np.zeros((10, 10), np.float32))
    with pytest.raises(ValueError, match="unknown face detector"):
        FacePipeline("hog")


def test_enroll_images_reports_each_problem(mmod, tmp_path):
    good = save_image(tmp_path / "astro.png", sample_image("astronaut"))
    none = save_image(tmp_path / "coffee.png", sample_image("coffee"))
    two = save_image(tmp_path / "two.png", _two_people())
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"garbage")
    with FaceDatabase(tmp_path / "f.db") as db:
        report = run_job(enroll_images(db, mmod, "Eileen", [good, none, two, broken])).result
        assert [a[1] for a in report.added] == [str(good)]
        problems = dict(report.problems)
        assert "No face found" in problems[str(none)]
        assert "2 faces found" in problems[str(two)]
        assert "broken.png" in problems[str(broken)]
        assert len(report.several) == 1 and len(report.several[0][3]) == 2
        s = db.samples("Eileen")[0]
        assert s.source == str(good) and s.size > 80 and s.sharpness > 10
        assert db.chip(s.id).shape == (150, 150, 3)


def test_import_folder_and_identify(mmod, tmp_path):
    root = tmp_path / "people"
    (root / "Eileen Collins").mkdir(parents=True)
    (root / "Cameraman").mkdir()
    (root / "empty").mkdir()
    save_image(root / "Eileen Collins" / "a.png", sample_image("astronaut"))
    save_image(root / "Eileen Collins" / "b.png", np.ascontiguousarray(sample_image("astronaut")[40:, 30:]))
    save_image(root / "Cameraman" / "c.png", sample_image("camera"))
    with FaceDatabase(tmp_path / "f.db") as db:
        report = run_job(import_folder(db, mmod, root)).result
        assert {p.name: p.samples for p in db.people()} == {"Cameraman": 1, "Eileen Collins": 2}
        assert report.problems == []
        cache = GalleryCache(db, mmod.model_id, device="cpu")
        frames = [np.ascontiguousarray(sample_image("astronaut")[:, ::-1]), _two_people()]
        outcome = run_job(recognize_frames(frames, mmod, cache, 0.6))
        assert outcome.result == 2
        last = outcome.last_partial
        names = sorted(r.name for r in last.identities)
        assert names == ["Cameraman", "Eileen Collins"]
        assert all(r.distance < 0.6 and len(r.top) == 2 for r in last.identities)
        # a person not enrolled is Unknown
        db.remove_person("Cameraman")
        r = run_job(recognize_frames([sample_image("camera")], mmod, cache, 0.6)).last_partial.identities[0]
        assert r.name == "Unknown" and r.nearest == "Eileen Collins" and r.distance > 0.6


def _fake_face(size: float, sharp: float, desc: np.ndarray) -> Face:
    return Face(np.array([0, 0, size, size], np.float32), 1.0, np.zeros((5, 2), np.float32), np.zeros((150, 150, 3), np.uint8), desc, FaceQuality(size, sharp))


def test_capture_gate_rules():
    gate = CaptureGate(min_size=80, min_sharpness=30, min_change=0.12)
    d = np.zeros(128, np.float32)
    assert gate.check([]) == (False, "No face in view")
    ok, why = gate.check([_fake_face(100, 50, d), _fake_face(100, 50, d)])
    assert not ok and "2 faces" in why
    ok, why = gate.check([_fake_face(60, 50, d)])
    assert not ok and "closer" in why
    ok, why = gate.check([_fake_face(100, 5, d)])
    assert not ok and "blurred" in why
    assert gate.check([_fake_face(100, 50, d)])[0]
    gate.accept(_fake_face(100, 50, d))
    near = d.copy()
    near[0] = 0.05
    ok, why = gate.check([_fake_face(100, 50, near)])
    assert not ok and "too similar" in why
    far = d.copy()
    far[0] = 0.3
    assert gate.check([_fake_face(100, 50, far)])[0]


def test_webcam_enrollment_from_frames(mmod, tmp_path):
    astro = sample_image("astronaut")
    blurred = cv2.GaussianBlur(astro, (0, 0), 6)
    frames = [sample_image("coffee"), _two_people(), blurred, astro, astro.copy(), np.ascontiguousarray(astro[:, ::-1])]
    with FaceDatabase(tmp_path / "f.db") as db:
        outcome = run_job(enroll_from_frames(frames, mmod, db, "Eileen", count=2, gate=CaptureGate(min_size=80, min_sharpness=30, min_change=0.1)))
        assert outcome.result == 2
        # coffee: no face; two people: refused; blurred: refused; astro: captured; same frame again: near-duplicate; mirrored: captured
        assert [s.source for s in db.samples("Eileen")] == ["camera", "camera"]


def test_cli_round_trip(tmp_path, capsys):
    from gui.main import main

    db = tmp_path / "cli.db"
    astro = save_image(tmp_path / "astro.png", sample_image("astronaut"))
    cam = save_image(tmp_path / "cam.png", sample_image("camera"))
    two = save_image(tmp_path / "two.png", _two_people())

    def run(*args) -> dict | list:
        capsys.readouterr()
        assert main(["faces", "--db", str(db), *args, "--json"] if args[0] not in ("enroll", "verify", "identify") else ["faces", "--db", str(db), args[0], "--json", *args[1:]]) == 0
        return json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    assert run("enroll", "Eileen", str(astro))["added"][0]["person"] == "Eileen"
    assert run("enroll", "Cameraman", str(cam))["added"][0]["person"] == "Cameraman"
    assert [p["name"] for p in run("list")] == ["Cameraman", "Eileen"]
    ident = run("identify", str(two))[0]["faces"]
    assert sorted(f["name"] for f in ident) == ["Cameraman", "Eileen"]
    v = run("verify", str(astro), str(cam))
    assert v["same"] is False and v["distance"] > 0.6
    out = tmp_path / "export.db"
    assert run("export", str(out))["samples"] == 2
    assert run("remove", "Cameraman")["samples"] == 1
    assert run("import", str(out))["samples_added"] == 1
    assert main(["faces", "--db", str(db), "calibrate"]) == 1  # one sample per person: no same-person pairs
    assert "two or more samples" in capsys.readouterr().err


def test_cli_enroll_chooses_among_several_faces_with_at(tmp_path, capsys):
    from gui.main import main

    db = tmp_path / "cli.db"
    two = save_image(tmp_path / "two.png", _two_people())
    capsys.readouterr()
    assert main(["faces", "--db", str(db), "enroll", "--json", "Cameraman", str(two)]) == 1
    problem = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["problems"][0]
    assert "--at X,Y" in problem["message"] and len(problem["faces"]) == 2
    right = max(problem["faces"], key=lambda b: b[0])
    at = f"{(right[0] + right[2]) / 2:.0f},{(right[1] + right[3]) / 2:.0f}"
    assert main(["faces", "--db", str(db), "enroll", "--json", "--at", at, "Cameraman", str(two)]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["added"][0]["person"] == "Cameraman"
    assert main(["faces", "--db", str(db), "enroll", "--notes", "the MIT photo", "--at", at, "Cameraman", str(two)]) == 0
    capsys.readouterr()
    assert main(["faces", "--db", str(db), "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["notes"] == "the MIT photo"
    with FaceDatabase(db) as d:
        d.remove_sample(d.samples("Cameraman")[-1].id)  # the second, identical sample
    with FaceDatabase(db) as d:
        (s,) = d.samples("Cameraman")
        assert s.box is not None and s.box[0] == pytest.approx(right[0], abs=0.1)
    with pytest.raises(SystemExit):
        main(["faces", "--db", str(db), "enroll", "--at", "left", "X", str(two)])
    assert "X,Y" in capsys.readouterr().err


def test_cli_identify_json_is_strict_json_when_nobody_is_enrolled(tmp_path, capsys):
    """No enrolled sample means no distance: null in the JSON, not the non-standard Infinity."""
    from gui.main import main

    astro = save_image(tmp_path / "astro.png", sample_image("astronaut"))
    capsys.readouterr()
    assert main(["faces", "--db", str(tmp_path / "empty.db"), "identify", "--json", str(astro)]) == 0
    captured = capsys.readouterr()

    def refuse(token):
        raise AssertionError(f"non-standard JSON constant {token}")

    (item,) = json.loads(captured.out, parse_constant=refuse)
    (face,) = item["faces"]
    assert face["name"] == "Unknown" and face["distance"] is None and face["top"] == []
    assert "nobody is enrolled" in captured.err


def test_a_large_photo_is_searched_on_a_bounded_copy_with_the_same_face(mmod):
    """A 6000x4000 photo: the detector sees at most MAX_DETECT_SIDE pixels, the box comes back in
    original pixels where the face is, and landmarks/chip from the original give the same person."""
    from engine.face.pipeline import MAX_DETECT_SIDE

    small = sample_image("astronaut")  # 512x512, the face at its original scale
    (ref,) = mmod.analyze(small)
    k = 4000 / 512
    canvas = np.full((4000, 6000, 3), 90, np.uint8)
    canvas[:, :4000] = cv2.resize(small, (4000, 4000), interpolation=cv2.INTER_CUBIC)

    pipe = FacePipeline("mmod", device="cpu")
    real = pipe.detector
    seen = []

    class Spy:
        def detect(self, image, threshold=0.0, upsample=0):
            seen.append(image.shape)
            return real.detect(image, threshold, upsample)

    pipe._detector = Spy()
    (face,) = pipe.analyze(canvas)
    assert seen and max(seen[0][:2]) <= MAX_DETECT_SIDE
    # the box of the same face seen at the detector's scale, in original pixels
    copy = cv2.resize(canvas, (2000, 1333), interpolation=cv2.INTER_AREA)
    at_scale = mmod.detector.detect(copy, 0.0, 0)[0]
    np.testing.assert_allclose(face.box, np.asarray(at_scale.box) * 3.0, atol=2.0)
    # and where the face is at its original scale (MMOD's box sizes step by 6/5 between scales)
    inter = np.prod(np.clip(np.minimum(face.box[2:] / k, ref.box[2:]) - np.maximum(face.box[:2] / k, ref.box[:2]), 0, None))
    union = np.prod(face.box[2:] / k - face.box[:2] / k) + np.prod(ref.box[2:] - ref.box[:2]) - inter
    assert inter / union > 0.7
    np.testing.assert_allclose(face.box[:2] / k, ref.box[:2], atol=4.0)
    assert np.linalg.norm(face.descriptor - ref.descriptor) < 0.1
