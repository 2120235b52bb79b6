"""Checkers for object detection: localisation, sliding windows, YOLO grid, IoU, non-max suppression, anchors."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...i18n import _
from ..examples import Example
from .registry import engine_attr, register

__all__: list[str] = []


def _grid_spec(s: dict[str, Any], anchors=((1.0, 1.0),)):
    from ...yolo.grid import GridSpec

    names = tuple(f"class {i}" for i in range(s["classes"]))
    return GridSpec(s["grid"], s["input_size"], tuple(tuple(a) for a in anchors), names)


@register("y-vector-8")
def _y_vector(ex: Example) -> dict[str, Any]:
    from ...yolo.grid import encode_targets

    s = ex.state
    spec = _grid_spec(s, ((0.4, 0.6),))
    enc = encode_targets(np.array([s["box"]]), np.array([s["label"]]), spec)
    return {"length": spec.vector_size, "y": enc.y[0, 0, 0]}


@register("sliding-window-count")
def _window_count(ex: Example) -> dict[str, Any]:
    from ...yolo import sliding

    grid = engine_attr(sliding, "window_grid", _("needs windows of any size in engine.yolo.sliding"))
    n = ex.state["image"]
    rows, cols = grid(n, n, ex.state["window"], ex.state["stride"])
    return {"windows": rows * cols}


@register("sliding-windows-three-sizes")
def _window_sizes(ex: Example) -> dict[str, Any]:
    import torch

    from ...yolo import sliding

    need = _("needs windows of several sizes in engine.yolo.sliding")
    run_sizes = engine_attr(sliding, "sliding_sizes", need)
    n, st = ex.state["image"], ex.state["stride"]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = sliding.WindowClassifier().eval()
    image = sliding.demo_scene(0, n)
    counts = []
    for size in ex.state["windows"]:
        # the panel's call: one size at a time, at the stride it shares (see gui/panels/sliding_sizes_model.py)
        run, = run_sizes(net, image, (size,), (st,))
        classified = int(np.isclose(run.probs.reshape(-1, run.probs.shape[-1]).sum(axis=1), 1.0).sum())
        distinct = len({tuple(int(v) for v in b) for b in run.boxes})
        counts.append(distinct if distinct == classified else -1)  # every window once, each one classified
    return {"windows": counts}


@register("conv-sliding-16x16")
def _conv_sliding(ex: Example) -> dict[str, Any]:
    import torch

    from ...yolo import sliding

    h, w, _c = ex.state["input_hwc"]
    torch.manual_seed(0)
    net = sliding.WindowClassifier().eval()
    image = np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8)
    crops = sliding.sliding_cropped(net, image)
    whole = sliding.sliding_convolutional(sliding.to_convolutional(net), image)
    return {"output_hwc": list(whole.shape), "equals_crops": bool(np.allclose(crops, whole, atol=1e-5))}


@register("yolo-grid-3x3")
def _yolo_grid(ex: Example) -> dict[str, Any]:
    from ...yolo.grid import encode_targets

    s = ex.state
    spec = _grid_spec(s)
    enc = encode_targets(np.array([s["box"]]), np.array([s["label"]]), spec)
    g = enc.y.shape
    a = enc.assignments[0]
    return {"output_hwc": [g[0], g[1], g[2] * g[3]], "cell": [a.row, a.col]}


@register("iou-two-boxes")
def _iou(ex: Example) -> dict[str, Any]:
    from ...detect.nms import iou

    a, b = ex.state["boxes"]
    return {"iou": iou(a, b), "iou_self": iou(a, a)}


@register("nms-five-boxes")
def _nms(ex: Example) -> dict[str, Any]:
    from ...detect import nms

    s = ex.state
    by_hand = engine_attr(nms, "nms_by_hand", _("needs non-max suppression of boxes placed by hand in engine.detect"))
    # one class, so each score is p_c itself; boxes with p_c ≤ the threshold are dropped first
    r = by_hand(s["boxes"], s["scores"], pc_threshold=s["score_threshold"], iou_threshold=s["iou_threshold"])
    return {"kept_scores": [r.scores[i] for i in r.kept]}


@register("anchors-3x3x16")
def _anchors(ex: Example) -> dict[str, Any]:
    from ...yolo.grid import encode_targets

    s = ex.state
    spec = _grid_spec(s, s["anchors"])
    enc = encode_targets(np.array(s["boxes"]), np.array(s["labels"]), spec)
    g = enc.y.shape
    return {"output_hwc": [g[0], g[1], g[2] * g[3]], "anchor_of_each": [a.anchor for a in enc.assignments],
            "both_kept": len(enc.assignments) == 2 and not any(a.overwritten for a in enc.assignments)}
