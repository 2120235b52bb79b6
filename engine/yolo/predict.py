"""Running a trained grid detector: letterbox, forward, decode, threshold, per-class NMS.

Boxes come back in the ORIGINAL image's pixels. The candidates before NMS
(every slot above the score threshold) are kept alongside the final set so
views can show what non-max suppression removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
from torchvision.ops import batched_nms

from ..i18n import _
from ..files import save_torch
from .grid import GridSpec, activate, decode_grid
from .model import GridNet

__all__ = [
    "CHECKPOINT_FORMAT",
    "CheckpointError",
    "GridPrediction",
    "GridModel",
    "letterbox",
    "load_grid_model",
    "save_checkpoint",
    "checked_meta",
]

CHECKPOINT_FORMAT = "convstudio-yolo-grid/1"


class CheckpointError(ValueError):
    """A file is not a usable grid-detector checkpoint."""


@dataclass(frozen=True)
class GridPrediction:
    """Detections for one image (boxes xyxy in original pixels).

    raw_*: candidates above the score threshold, before NMS.
    boxes (N, 4) float32, scores (N,), labels (N,) int64: kept after per-class NMS.
    y: (S, S, B, 5+K) the activated grid (p_c, b_x, b_y, b_h, b_w, class probabilities).
    """

    boxes: np.ndarray
    scores: np.ndarray
    labels: np.ndarray
    raw_boxes: np.ndarray
    raw_scores: np.ndarray
    raw_labels: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...] = ()
    scale: float = 1.0
    pad: tuple[float, float] = (0.0, 0.0)


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, float, tuple[float, float]]:
    """Fit (H, W, 3) uint8 into a ``size`` square keeping aspect ratio, grey padding.

    Returns (square image, scale, (pad_x, pad_y)); an original point p maps to
    ``p * scale + pad``.
    """
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(_("expected an (H, W, 3) image, got shape {shape}").format(shape=image.shape))
    h, w = image.shape[:2]
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    out = np.full((size, size, 3), 114, np.uint8)
    py, px = (size - nh) // 2, (size - nw) // 2
    out[py : py + nh, px : px + nw] = resized
    return out, scale, (float(px), float(py))


def save_checkpoint(path: str | Path, net: GridNet, spec: GridSpec, meta: dict) -> Path:
    """Write a checkpoint loadable with ``engine.weights.safe_load`` (tensors, numbers, strings only)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = {
        "format": CHECKPOINT_FORMAT,
        "spec": spec.to_dict(),
        "width": int(net.width),
        "state_dict": {k: v.detach().cpu() for k, v in net.state_dict().items()},
        "meta": meta,
    }
    save_torch(blob, path)  # whole or not at all: nothing half-written is left behind
    return path


@dataclass
class GridModel:
    """A grid detector ready to run: network, grid geometry and checkpoint metadata."""

    net: GridNet
    spec: GridSpec
    meta: dict = field(default_factory=dict)
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.spec.class_names

    def anchors_tensor(self) -> torch.Tensor:
        return torch.as_tensor(self.spec.anchor_array(), dtype=torch.float32, device=self.device)

    @torch.no_grad()
    def grids(self, batch: torch.Tensor) -> torch.Tensor:
        """Activated grids for (N, 3, size, size) uint8 or 0..1 float input: (N, S, S, B, 5+K)."""
        self.net.eval()
        x = batch.to(self.device)
        x = x.float() / 255.0 if x.dtype == torch.uint8 else x.float()
        return activate(self.net(x), self.anchors_tensor())

    def predict(
        self,
        image: np.ndarray,
        score_threshold: float = 0.3,
        iou_threshold: float = 0.5,
        max_detections: int = 100,
    ) -> GridPrediction:
        """Detect objects in an (H, W, 3) uint8 RGB image of any size."""
        square, scale, pad = letterbox(image, self.spec.input_size)
        batch = torch.from_numpy(square).permute(2, 0, 1).unsqueeze(0)
        y = self.grids(batch)[0].cpu()
        return self.decode(y, image.shape[:2], scale, pad, score_threshold, iou_threshold, max_detections)

    def decode(
        self,
        y: torch.Tensor,
        image_hw: tuple[int, int],
        scale: float = 1.0,
        pad: tuple[float, float] = (0.0, 0.0),
        score_threshold: float = 0.3,
        iou_threshold: float = 0.5,
        max_detections: int = 100,
    ) -> GridPrediction:
        """One activated grid (S, S, B, 5+K) to boxes in an image of size ``image_hw``."""
        boxes, scores, labels, _slots = decode_grid(y, self.spec, score_threshold)
        boxes = boxes.clone()
        boxes[:, 0::2] = ((boxes[:, 0::2] - pad[0]) / scale).clamp(0, image_hw[1])
        boxes[:, 1::2] = ((boxes[:, 1::2] - pad[1]) / scale).clamp(0, image_hw[0])
        keep = batched_nms(boxes, scores, labels, iou_threshold)[:max_detections]
        return GridPrediction(
            boxes=boxes[keep].numpy().astype(np.float32),
            scores=scores[keep].numpy().astype(np.float32),
            labels=labels[keep].numpy().astype(np.int64),
            raw_boxes=boxes.numpy().astype(np.float32),
            raw_scores=scores.numpy().astype(np.float32),
            raw_labels=labels.numpy().astype(np.int64),
            y=y.numpy(),
            class_names=self.spec.class_names,
            scale=scale,
            pad=pad,
        )


def load_grid_model(path: str | Path, device: torch.device | str | None = None) -> GridModel:
    """Load a checkpoint written by :func:`save_checkpoint` (through ``engine.weights.safe_load``).

    Raises :class:`CheckpointError` when the file is not a grid-detector
    checkpoint; ``engine.weights.WeightsError`` when it cannot be read at all.
    """
    from ..weights import safe_load

    blob = safe_load(Path(path))
    if not isinstance(blob, dict) or blob.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(_("{path} is not a ConvStudio grid-detector checkpoint").format(path=path))
    try:
        spec = GridSpec.from_dict(blob["spec"])
        if spec.grid < 1 or spec.input_size < spec.grid or not spec.anchors or min(min(a) for a in spec.anchors) <= 0:
            raise ValueError(f"impossible grid geometry (S={spec.grid}, input {spec.input_size} px, anchors {spec.anchors})")
        net = GridNet(spec.num_anchors, spec.num_classes, int(blob["width"]))
        net.load_state_dict(blob["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        detail = "; ".join(lines[1:3] if len(lines) > 1 else lines)  # torch puts a header line before the reasons
        raise CheckpointError(_("{path} does not fit the grid detector: {detail}").format(path=path, detail=detail[:300])) from None
    dev = torch.device(device) if device is not None else torch.device("cpu")
    net.to(dev).eval()
    return GridModel(net, spec, checked_meta(blob.get("meta")), dev)


def _curves_ok(value) -> bool:
    from ..stored import is_number_list

    keys = ("step", "objectness", "box", "cls", "total")
    return (isinstance(value, dict) and all(is_number_list(value.get(k)) for k in keys)
            and len({len(value[k]) for k in keys}) == 1)


def checked_meta(raw) -> dict:
    """A grid checkpoint's metadata with only the known fields of the right type (a file may hold anything)."""
    from ..stored import checked_fields, is_count, is_number

    return checked_fields(raw, {
        "complete": lambda v: isinstance(v, bool), "steps": is_count, "minutes": is_number, "map50": is_number,
        "map50_95": is_number, "val_scenes": is_count, "val_seed": is_count, "threads": is_count,
        "per_class_ap50": lambda v: isinstance(v, dict) and len(v) <= 1000 and all(
            isinstance(k, str) and is_number(x) for k, x in v.items()),
        "config": lambda v: isinstance(v, dict), "curves": _curves_ok,
    })
