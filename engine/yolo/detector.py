"""The grid detector behind ``engine.detect``'s interface and registry.

Importing this module registers:

* ``yolo:PATH`` (a prefix): any checkpoint written by ``convstudio yolo train``;
* ``yolo_grid`` -- "Grid detector (trained in-app)" -- the checkpoint the app
  trained last (``engine.paths.trained_dir() / "yolo_grid.pt"``), listed only
  while that file exists (:func:`register_trained` refreshes it after training).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..i18n import N_, _
from ..detect.registry import DETECTORS, register_detector, register_refresher
from ..detect.types import Candidates, Detector, DetectorError
from ..scenes import CLASS_NAMES
from .grid import GridSpec, decode_grid
from .model import STRIDE, GridNet
from .predict import CheckpointError, GridModel, letterbox, load_grid_model
from .train import default_checkpoint_path

__all__ = ["GridDetector", "TRAINED_NAME", "TRAINED_TITLE", "trained_title", "register_trained", "ensure_registered"]

TRAINED_NAME = "yolo_grid"
TRAINED_TITLE = N_("Grid detector (trained in-app)")


class GridDetector(Detector):
    """A trained grid detector as an ``engine.detect.Detector``.

    candidates(): letterbox to the network's square input, one forward pass,
    every (cell, anchor) slot whose score p_c x class probability exceeds the
    threshold becomes a raw box in original pixels; the shared ``detect()``
    then runs per-class NMS.
    """

    default_score = 0.3

    def __init__(self, model: GridModel, name: str, random_weights: bool = False):
        self.model = model
        self.name = name
        self.class_names = list(model.class_names)
        self.device = model.device
        self.random_weights = random_weights

    @property
    def meta(self) -> dict:
        """Checkpoint metadata (``map50``, ``map50_95``, ``minutes``, ``steps`` ...)."""
        return self.model.meta

    def candidates(self, image: np.ndarray, score_threshold: float) -> Candidates:
        t0 = time.perf_counter()
        square, scale, pad = letterbox(image, self.model.spec.input_size)
        batch = torch.from_numpy(square).permute(2, 0, 1).unsqueeze(0)
        t1 = time.perf_counter()
        y = self.model.grids(batch)[0].cpu()
        t2 = time.perf_counter()
        boxes, scores, labels, _slots = decode_grid(y, self.model.spec, score_threshold)
        h, w = image.shape[:2]
        boxes = boxes.clone()
        boxes[:, 0::2] = ((boxes[:, 0::2] - pad[0]) / scale).clamp(0, w)
        boxes[:, 1::2] = ((boxes[:, 1::2] - pad[1]) / scale).clamp(0, h)
        return Candidates(boxes, scores, labels.to(torch.int64), {"preprocess_ms": (t1 - t0) * 1e3, "model_ms": (t2 - t1) * 1e3})

    def anchor_sets(self, image_size: tuple[int, int]) -> list[dict[str, Any]] | None:
        h, w = int(image_size[0]), int(image_size[1])
        spec = self.model.spec
        scale = spec.input_size / max(h, w)
        pad_x, pad_y = (spec.input_size - round(w * scale)) // 2, (spec.input_size - round(h * scale)) // 2
        s, cell = spec.grid, spec.cell
        anchors = spec.anchor_array() * cell
        out = []
        for r in range(s):
            for c in range(s):
                cx, cy = (c + 0.5) * cell, (r + 0.5) * cell
                for aw, ah in anchors:
                    out.append([cx - aw / 2, cy - ah / 2, cx + aw / 2, cy + ah / 2])
        boxes = np.asarray(out, np.float32)
        boxes[:, 0::2] = (boxes[:, 0::2] - pad_x) / scale
        boxes[:, 1::2] = (boxes[:, 1::2] - pad_y) / scale
        stride = cell / scale
        return [{"stride": (stride, stride), "grid": (s, s), "boxes": boxes}]


def _random_model(path: Path | None, device: torch.device) -> GridModel:
    """The architecture with random weights (the checkpoint's geometry when readable)."""
    spec = None
    if path is not None and path.exists():
        try:
            spec = load_grid_model(path).spec
        except Exception:
            spec = None
    if spec is None:
        spec = GridSpec(7, 7 * STRIDE, ((1.5, 1.5), (3.0, 1.6)), CLASS_NAMES)
    torch.manual_seed(0)
    net = GridNet(spec.num_anchors, spec.num_classes).to(device).eval()
    return GridModel(net, spec, {}, device)


def _load(path: Path, name: str, weights: str, device: torch.device) -> GridDetector:
    from ..weights import WeightsError

    if weights == "random":
        return GridDetector(_random_model(path, device), name, random_weights=True)
    if not path.exists():
        raise DetectorError(_("{path}: no such grid-detector checkpoint; train one with: convstudio yolo train -o {name}").format(path=path, name=path.name))
    try:
        return GridDetector(load_grid_model(path, device), name)
    except (CheckpointError, WeightsError) as exc:
        raise DetectorError(str(exc)) from None


def _prefix_factory(suffix: str, weights: str = "installed", device: torch.device | str = "cpu") -> GridDetector:
    return _load(Path(suffix).expanduser(), f"yolo:{suffix}", weights, torch.device(device))


def trained_title(path: Path | None = None) -> str:
    """The chooser title, with the mAP measured when the checkpoint was trained."""
    path = path or default_checkpoint_path()
    try:
        meta = load_grid_model(path).meta
    except Exception:
        return TRAINED_TITLE
    if "map50" in meta:
        return f"{TRAINED_TITLE}, mAP@0.5 {float(meta['map50']):.2f}"
    return TRAINED_TITLE


def _trained_factory(weights: str = "installed", device: torch.device | str = "cpu") -> GridDetector:
    return _load(default_checkpoint_path(), TRAINED_NAME, weights, torch.device(device))


def register_trained() -> bool:
    """List ``yolo_grid`` in the registry while the app's trained checkpoint exists; True when listed."""
    path = default_checkpoint_path()
    if path.exists():
        register_detector(
            TRAINED_NAME,
            _trained_factory,
            title=trained_title(path),
            group="trained",
            description="YOLO-style grid detector for circles, squares, triangles and cars, trained in the Grid detector panel",
        )
        return True
    DETECTORS.pop(TRAINED_NAME, None)
    return False


def ensure_registered() -> None:
    """Make ``engine.detect`` load this module's entries (idempotent)."""
    from ..detect.registry import DETECTOR_MODULES

    if __name__ not in DETECTOR_MODULES:
        DETECTOR_MODULES.append(__name__)


register_detector(
    "yolo:",
    _prefix_factory,
    title=N_("Grid detector from a checkpoint file (yolo:PATH)"),
    group="trained",
    description="a YOLO-style grid detector for circles, squares, triangles and cars, trained with 'convstudio yolo train' or the Grid detector panel",
)
register_trained()
register_refresher(register_trained)  # listed while the checkpoint exists, also after it was deleted or trained elsewhere
