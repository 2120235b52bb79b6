"""torchvision's COCO detectors with their post-processing re-done in the open.

The network runs exactly as torchvision's (its transform, backbone, heads,
anchor generator and box coder); the post-processing that torchvision keeps
inside ``model.eval()(images)`` -- decode, clip, per-class score threshold and
top-k -- is repeated here so the candidates *before* NMS are returned. NMS
itself is done by :meth:`Detector.detect` with ``batched_nms``, so the kept
set equals torchvision's own output at the same thresholds.

Families: SSD (``ssdlite320_mobilenet_v3_large``), RetinaNet, FCOS and
Faster R-CNN (both MobileNetV3 variants and ResNet-50 v2).
"""

from __future__ import annotations

import copy
import math
import time
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.transform import resize_boxes
from torchvision.ops import boxes as box_ops

from ..i18n import _
from ..device import autocast
from .registry import register_detector
from .types import Candidates, Detector, DetectorError

__all__ = ["TorchvisionDetector", "TORCHVISION_MODELS", "coco_categories"]

#: registry name -> (family, title)
TORCHVISION_MODELS: dict[str, tuple[str, str]] = {
    "ssdlite320_mobilenet_v3_large": ("ssd", "SSDlite 320 MobileNetV3 (COCO)"),
    "fasterrcnn_mobilenet_v3_large_320_fpn": ("rcnn", "Faster R-CNN MobileNetV3 320 (COCO)"),
    "fasterrcnn_mobilenet_v3_large_fpn": ("rcnn", "Faster R-CNN MobileNetV3 (COCO)"),
    "fasterrcnn_resnet50_fpn_v2": ("rcnn", "Faster R-CNN ResNet-50 v2 (COCO)"),
    "retinanet_resnet50_fpn_v2": ("retinanet", "RetinaNet ResNet-50 v2 (COCO)"),
    "fcos_resnet50_fpn": ("fcos", "FCOS ResNet-50 (COCO)"),
}


def coco_categories(name: str) -> list[str]:
    """The 91 COCO category names torchvision's detectors use (index 0 = background)."""
    from .. import weights

    entry = weights.get_entry(name)
    import torchvision

    enum = entry.source[len("torchvision.models."):]
    return list(torchvision.models.get_weight(enum).meta["categories"])


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class TorchvisionDetector(Detector):
    """One of torchvision's COCO detectors (see :data:`TORCHVISION_MODELS`).

    weights: ``"installed"`` loads the pretrained weights through
    :func:`engine.weights.load_model` (raises ``WeightsMissing`` when absent);
    ``"random"`` builds the architecture with random weights.
    half: run the network under float16 autocast on CUDA (post-processing stays float32).
    exact: pre-process with torchvision's own transform (normalise at full
    size, then resize in float), so results are bit-identical to
    ``model.eval()(images)``. The default resizes the uint8 frame first with
    OpenCV (bilinear, to the same size torchvision picks) and normalises the
    small image: the same operations in the cheaper order, equal up to rounding.
    """

    default_score = 0.5

    def __init__(self, name: str, weights: str = "installed", device: torch.device | str = "cpu", half: bool = True, exact: bool = False):
        if name not in TORCHVISION_MODELS:
            raise DetectorError(_("{name!r} is not a torchvision detector").format(name=name))
        from .. import weights as manager

        self.name = name
        self.family = TORCHVISION_MODELS[name][0]
        self.device = torch.device(device)
        self.random_weights = weights == "random"
        if self.random_weights:
            model = manager.get_entry(name).builder()
        else:
            model = manager.load_model(name, "cpu")
        self.model = model.eval().to(self.device)
        self.half = bool(half) and self.device.type == "cuda"
        self.exact = exact
        t = self.model.transform
        self._mean = torch.tensor(t.image_mean, device=self.device).view(3, 1, 1) * 255.0
        self._std = torch.tensor(t.image_std, device=self.device).view(3, 1, 1) * 255.0
        self.class_names = coco_categories(name)

    # -- the network, as torchvision runs it --

    def _input_size(self, h: int, w: int) -> tuple[int, int]:
        """The (height, width) torchvision's transform resizes an h×w image to."""
        t = self.model.transform
        if t.fixed_size is not None:
            return int(t.fixed_size[1]), int(t.fixed_size[0])
        min_size, max_size = float(t.min_size[-1]), float(t.max_size)
        scale = min(min_size / min(h, w), max_size / max(h, w))
        return int(math.floor(h * scale)), int(math.floor(w * scale))

    def _preprocess(self, image: np.ndarray):
        if self.exact:
            t = torch.from_numpy(np.ascontiguousarray(image)).to(self.device, non_blocking=True)
            t = t.permute(2, 0, 1).float().div_(255.0)
            images, _targets = self.model.transform([t])
            return images
        h, w = self._input_size(image.shape[0], image.shape[1])
        small = image if (h, w) == image.shape[:2] else cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)
        t = torch.from_numpy(np.ascontiguousarray(small)).to(self.device, non_blocking=True)
        divisible = self.model.transform.size_divisible
        if h % divisible == 0 and w % divisible == 0:
            # the batch torchvision would build is this image unpadded: write it in place,
            # channel-planar first so the normalisation runs over contiguous memory
            batch = torch.empty((1, 3, h, w), dtype=torch.float32, device=self.device)
            batch[0].copy_(t.permute(2, 0, 1))
            batch[0].sub_(self._mean).div_(self._std)
            return ImageList(batch, [(h, w)])
        t = (t.permute(2, 0, 1).float() - self._mean) / self._std
        batch = self.model.transform.batch_images([t], size_divisible=divisible)
        return ImageList(batch, [(h, w)])

    @torch.inference_mode()
    def candidates(self, image: np.ndarray, score_threshold: float) -> Candidates:
        t0 = time.perf_counter()
        images = self._preprocess(image)
        _sync(self.device)
        t1 = time.perf_counter()
        with autocast(self.device, self.half):
            out = getattr(self, f"_forward_{self.family}")(images)
        _sync(self.device)
        t2 = time.perf_counter()
        boxes, scores, labels = getattr(self, f"_post_{self.family}")(out, images.image_sizes[0], float(score_threshold))
        original = (int(image.shape[0]), int(image.shape[1]))
        orig_boxes = resize_boxes(boxes, images.image_sizes[0], original)
        _sync(self.device)
        t3 = time.perf_counter()
        timings = {"preprocess_ms": (t1 - t0) * 1e3, "model_ms": (t2 - t1) * 1e3, "decode_ms": (t3 - t2) * 1e3}
        return Candidates(orig_boxes, scores, labels, timings, nms_boxes=boxes)

    # SSD: softmax over classes, per-class threshold and top-k
    def _forward_ssd(self, images) -> dict[str, Any]:
        m = self.model
        features = m.backbone(images.tensors)
        features = list(features.values()) if isinstance(features, dict) else [features]
        head = m.head(features)
        anchors = m.anchor_generator(images, features)
        return {"reg": head["bbox_regression"][0].float(), "logits": head["cls_logits"][0].float(), "anchors": anchors[0].float()}

    def _post_ssd(self, out, image_size, thr):
        m = self.model
        boxes = m.box_coder.decode_single(out["reg"], out["anchors"])
        boxes = box_ops.clip_boxes_to_image(boxes, image_size)
        scores = F.softmax(out["logits"], dim=-1)
        # classes with a score above the threshold somewhere (a column maximum is one
        # contiguous pass; NaN maxima count as present and the exact test below drops them)
        present = (~(scores.amax(0)[1:] <= thr)).nonzero().flatten().add(1).tolist()
        bs, ss, ls = [], [], []
        for label in present:
            score = scores[:, label]
            keep = score > thr
            score, box = score[keep], boxes[keep]
            score, idx = score.topk(min(m.topk_candidates, score.numel()))
            bs.append(box[idx])
            ss.append(score)
            ls.append(torch.full_like(score, label, dtype=torch.int64))
        return self._cat(bs, ss, ls)

    # RetinaNet and FCOS: sigmoid scores per level, top-k per level
    def _forward_retinanet(self, images) -> dict[str, Any]:
        m = self.model
        features = list(m.backbone(images.tensors).values())
        head = m.head(features)
        anchors = m.anchor_generator(images, features)
        per_level = [x.size(2) * x.size(3) for x in features]
        a = head["cls_logits"].size(1) // sum(per_level)
        split = [hw * a for hw in per_level]
        out = {k: [t.float() for t in v[0].split(split, dim=0)] for k, v in head.items()}
        out["anchors"] = list(anchors[0].float().split(split))
        return out

    _forward_fcos = _forward_retinanet

    def _post_retinanet(self, out, image_size, thr, fcos: bool = False):
        m = self.model
        bs, ss, ls = [], [], []
        for level in range(len(out["anchors"])):
            logits = out["cls_logits"][level]
            num_classes = logits.shape[-1]
            if fcos:
                scores = torch.sqrt(torch.sigmoid(logits) * torch.sigmoid(out["bbox_ctrness"][level])).flatten()
            else:
                scores = torch.sigmoid(logits).flatten()
            keep = scores > thr
            scores = scores[keep]
            idxs = torch.where(keep)[0]
            scores, order = scores.topk(min(m.topk_candidates, idxs.numel()))
            idxs = idxs[order]
            anchor_idxs = torch.div(idxs, num_classes, rounding_mode="floor")
            reg, anc = out["bbox_regression"][level][anchor_idxs], out["anchors"][level][anchor_idxs]
            boxes = m.box_coder.decode(reg, anc) if fcos else m.box_coder.decode_single(reg, anc)
            bs.append(box_ops.clip_boxes_to_image(boxes, image_size))
            ss.append(scores)
            ls.append(idxs % num_classes)
        return self._cat(bs, ss, ls)

    def _post_fcos(self, out, image_size, thr):
        return self._post_retinanet(out, image_size, thr, fcos=True)

    # Faster R-CNN: proposals (the RPN's own NMS is part of the network), then per-class boxes
    def _forward_rcnn(self, images) -> dict[str, Any]:
        m = self.model
        features = m.backbone(images.tensors)
        proposals, _losses = m.rpn(images, features)
        rh = m.roi_heads
        feats = rh.box_head(rh.box_roi_pool(features, proposals, images.image_sizes))
        logits, reg = rh.box_predictor(feats)
        return {"logits": logits.float(), "reg": reg.float(), "proposals": [p.float() for p in proposals]}

    def _post_rcnn(self, out, image_size, thr):
        rh = self.model.roi_heads
        boxes = rh.box_coder.decode(out["reg"], out["proposals"])
        scores = F.softmax(out["logits"], -1)
        boxes = box_ops.clip_boxes_to_image(boxes, image_size)
        labels = torch.arange(scores.shape[-1], device=scores.device).view(1, -1).expand_as(scores)
        boxes, scores, labels = boxes[:, 1:].reshape(-1, 4), scores[:, 1:].reshape(-1), labels[:, 1:].reshape(-1)
        inds = torch.where(scores > thr)[0]
        boxes, scores, labels = boxes[inds], scores[inds], labels[inds]
        keep = box_ops.remove_small_boxes(boxes, min_size=1e-2)
        return boxes[keep], scores[keep], labels[keep]

    def _cat(self, bs, ss, ls):
        if not bs:
            dev = self.device
            return torch.zeros((0, 4), device=dev), torch.zeros((0,), device=dev), torch.zeros((0,), dtype=torch.int64, device=dev)
        return torch.cat(bs), torch.cat(ss), torch.cat(ls)

    # -- anchors for the teaching view --

    def _feature_maps(self, tensors: torch.Tensor) -> list[torch.Tensor]:
        """Stand-ins for the backbone's feature maps on ``tensors`` (1, 3, H, W): the right
        shapes, no values. The shapes come from running a copy of the backbone on the
        meta device, which computes no numbers (a ResNet-50 FPN at 800 px takes seconds
        on a CPU otherwise); anchor generators read only the shapes."""
        backbone = copy.deepcopy(self.model.backbone).to("meta")
        out = backbone(tensors.to("meta"))
        out = list(out.values()) if isinstance(out, dict) else [out]
        zero = torch.zeros((), dtype=tensors.dtype, device=tensors.device)
        return [zero.expand(f.shape) for f in out]

    @torch.inference_mode()
    def anchor_sets(self, image_size: tuple[int, int]) -> list[dict[str, Any]] | None:
        m = self.model
        h, w = int(image_size[0]), int(image_size[1])
        images = self._preprocess(np.zeros((h, w, 3), np.uint8))
        features = self._feature_maps(images.tensors)
        generator = m.rpn.anchor_generator if self.family == "rcnn" else m.anchor_generator
        anchors = generator(images, features)[0].float()
        per_loc = generator.num_anchors_per_location()
        sizes = [(f.shape[-2], f.shape[-1]) for f in features]
        counts = [r * c * a for (r, c), a in zip(sizes, per_loc)]
        ih, iw = images.image_sizes[0]
        levels = []
        for (rows, cols), a, chunk in zip(sizes, per_loc, anchors.split(counts)):
            boxes = resize_boxes(chunk, images.image_sizes[0], (h, w)).cpu().numpy()
            levels.append({"grid": (int(rows), int(cols)), "stride": (h / rows, w / cols), "per_cell": int(a), "boxes": boxes})
        return levels


def _factory(name: str):
    def build(weights: str = "installed", device: torch.device | str = "cpu") -> TorchvisionDetector:
        return TorchvisionDetector(name, weights=weights, device=device)

    return build


for _name, (_family, _title) in TORCHVISION_MODELS.items():
    register_detector(_name, _factory(_name), title=_title, weights_entry=_name, group="torchvision")
