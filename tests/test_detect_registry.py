"""The detector registry: fixed names, prefixed names (``yolo:PATH``), choices, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.detect import DETECTORS, Candidates, Detector, DetectorError, create_detector, detector_choices, register_detector


class Fixed(Detector):
    def __init__(self, path: str, device):
        self.name = f"grid:{path}"
        self.path = path
        self.class_names = ["circle", "square"]
        self.device = torch.device(device)

    def candidates(self, image, score_threshold):
        boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [30.0, 30.0, 40.0, 40.0]])
        scores = torch.tensor([0.9, 0.8, 0.7])
        labels = torch.tensor([0, 0, 1])
        keep = scores > score_threshold
        return Candidates(boxes[keep], scores[keep], labels[keep], {"model_ms": 1.0})


@pytest.fixture
def grid_prefix():
    register_detector("grid:", lambda suffix, weights, device: Fixed(suffix, device), title="Grid", group="trained",
                      choices=lambda: [("a.pt", "Grid A")])
    yield
    DETECTORS.pop("grid:", None)


def test_prefixed_names_reach_their_factory(grid_prefix):
    det = create_detector("grid:models/a.pt", device="cpu")
    assert isinstance(det, Fixed) and det.path == "models/a.pt"
    out = det.detect(np.zeros((50, 50, 3), np.uint8), score_threshold=0.75, iou_threshold=0.5)
    assert out.num_raw == 2 and len(out) == 1 and out.detector == "grid:models/a.pt"
    out = det.detect(np.zeros((50, 50, 3), np.uint8), score_threshold=0.5, iou_threshold=0.5, classes=[1])
    assert out.raw_labels.tolist() == [1] and out.labels.tolist() == [1]
    assert ("grid:a.pt", "Grid A") in [(n, t) for n, t, _ in detector_choices()]


def test_errors_are_clear(grid_prefix):
    with pytest.raises(DetectorError, match="unknown detector 'nope'"):
        create_detector("nope")
    with pytest.raises(DetectorError, match="give a value after 'grid:'"):
        create_detector("grid:")
    with pytest.raises(DetectorError, match="weights must be one of"):
        create_detector("haar_face", weights="trained")
    det = create_detector("haar_face", device="cpu")
    with pytest.raises(DetectorError, match=r"\(H, W, 3\) uint8"):
        det.detect(np.zeros((10, 10), np.uint8))


def test_the_trained_grid_detector_is_listed_only_while_its_checkpoint_exists(tmp_path, monkeypatch):
    """The registry follows the file: a checkpoint deleted (or another data folder) unlists yolo_grid."""
    from engine.detect.registry import detector_choices
    from engine.yolo.train import default_checkpoint_path

    path = default_checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"placeholder: listing only checks that the file exists")
    assert "yolo_grid" in [name for name, _title, _spec in detector_choices()]
    path.unlink()
    assert "yolo_grid" not in [name for name, _title, _spec in detector_choices()]
