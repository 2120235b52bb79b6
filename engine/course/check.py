"""Recompute every worked example with the engine functions the panels use.

Each example id has a compute function here that rebuilds the panel's inputs
from ``example.state`` and runs the engine (``engine.conv``, ``engine.arch``,
``engine.detect.nms``, ``engine.yolo``, ``engine.face``, ``engine.style``,
``engine.augment``); ``expected`` is never read while computing. Where the
engine lacks what an example needs, its rows fail with a reason that starts
with "needs", so the gap stays visible until the capability lands.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..i18n import _
from .examples import EXAMPLES, Example

__all__ = ["CheckRow", "Needs", "run_example", "check_all", "values_match", "COMPUTE"]


class Needs(Exception):
    """The engine lacks a capability the example needs (the message says which)."""


@dataclass(frozen=True)
class CheckRow:
    """One number of an example: ``expected`` (from the map), ``computed`` (by the engine), whether they agree."""

    example: str
    name: str
    expected: Any
    computed: Any
    ok: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"example": self.example, "name": self.name, "expected": self.expected,
                "computed": self.computed, "ok": self.ok, "reason": self.reason}


def values_match(expected: Any, computed: Any, rel: float = 1e-6, abs_tol: float = 1e-6) -> bool:
    """Numbers within tolerance, lists element by element, everything else by equality."""
    if isinstance(expected, bool) or isinstance(computed, bool):
        return isinstance(computed, (bool, np.bool_)) and bool(computed) == bool(expected)
    if isinstance(expected, (int, float)) and isinstance(computed, (int, float, np.integer, np.floating)):
        if isinstance(expected, int):  # counts (parameters, shapes, MACs) must agree exactly
            return float(computed) == expected
        return math.isclose(float(expected), float(computed), rel_tol=rel, abs_tol=abs_tol)
    if isinstance(expected, (list, tuple)):
        if not isinstance(computed, (list, tuple)) or len(expected) != len(computed):
            return False
        return all(values_match(e, c, rel, abs_tol) for e, c in zip(expected, computed))
    return expected == computed


def _plain(value: Any) -> Any:
    """Numpy/torch values as plain Python (ints stay ints) for display and JSON."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return int(round(f)) if abs(f - round(f)) < 1e-9 and abs(f) < 2**53 else round(f, 9)
    return value


def _hwc(shape_chw: Any) -> list[int]:
    """A (C, H, W) shape in the note's H×W×C order; other ranks unchanged."""
    s = [int(v) for v in shape_chw]
    return [s[1], s[2], s[0]] if len(s) == 3 else s


# -- capabilities the examples probe ---------------------------------------------------------

def _zoo_summary(name: str, input_hwc: list[int] | None = None):
    from ..arch import summary, zoo

    if name not in zoo.MODELS:
        raise Needs(_("needs the architecture '{name}' in engine.arch.zoo").format(name=name))
    shape = None if input_hwc is None else (input_hwc[2], input_hwc[0], input_hwc[1])
    return summary.summarize_zoo(name, shape)


def _engine(module: Any, name: str, need: str) -> Any:
    """``module.name``, or :class:`Needs` with ``need`` when the engine does not have it."""
    found = getattr(module, name, None)
    if found is None:
        raise Needs(need)
    return found


def _trace_relu(x, w, bias):
    """(pre-activation, activation) of one CNN layer, both (C_out, H_out, W_out), from the lab's trace."""
    from .. import conv

    if "relu" not in inspect.signature(conv.trace).parameters:
        raise Needs(_("needs a ReLU step in engine.conv (bias + ReLU after the convolution)"))
    t = conv.trace(x, w, bias, relu=True)
    # the lab shows each step's value after ReLU; read them back in output order
    post = np.array([step.activated for step in t.steps]).reshape(tuple(t.output.shape))
    return t.pre_activation, post


def _many_channels(n: int, channels: int):
    from .. import conv

    try:
        return conv.input_preset("random integers", n, channels=channels, rng=np.random.default_rng(0))
    except ValueError:
        raise Needs(_("needs input channels up to {c} in engine.conv (the lab allows 1 or 3)").format(c=channels)) from None


# -- compute functions, one per example --------------------------------------------------------

def _fc_input(ex: Example) -> dict[str, Any]:
    from .. import conv

    h, w, c = ex.state["input_hwc"]
    # a convolution whose kernel covers the whole image is a fully connected layer
    cmp = conv.compare_params(h, c, h, ex.state["hidden_units"], bias=False)
    return {"inputs": int(np.prod(cmp.in_shape)), "weights": cmp.dense_weights}


def _edge(ex: Example) -> dict[str, Any]:
    from .. import conv

    x = conv.input_preset(ex.state["input"], ex.state["n"])
    if ex.state.get("mirrored"):
        x = x[:, :, ::-1].copy()
    k = conv.kernel_preset(ex.state["kernel"], ex.state["f"])
    t = conv.trace(x, k[None, None], padding=ex.state.get("padding", 0), stride=ex.state.get("stride", 1))
    return {"output_hwc": _hwc(t.output.shape), "output": t.output[0]}


def _padding(ex: Example) -> dict[str, Any]:
    from .. import conv

    n, f = ex.state["n"], ex.state["f"]
    x = conv.input_preset("random integers", n, rng=np.random.default_rng(0))
    k = conv.kernel_preset("vertical edge", f)[None, None]
    valid, padded = (conv.trace(x, k, padding=p) for p in ex.state["paddings"])
    return {"valid_out": valid.out_size[0], "padded_in": padded.padded.shape[-1], "padded_out": padded.out_size[0],
            "same_p_f3": conv.same_padding(3), "same_p_f5": conv.same_padding(5)}


def _stride(ex: Example) -> dict[str, Any]:
    from .. import conv

    s = ex.state
    x = conv.input_preset("random integers", s["n"], rng=np.random.default_rng(0))
    t = conv.trace(x, conv.kernel_preset("vertical edge", s["f"])[None, None], stride=s["stride"], padding=s["padding"])
    return {"output": t.out_size[0]}


def _volume(ex: Example) -> dict[str, Any]:
    from .. import conv

    s = ex.state
    x = conv.input_preset("random integers", s["n"], channels=s["channels"], rng=np.random.default_rng(0))
    one, two = (conv.trace(x, np.stack([conv.filter_preset("vertical edge", s["f"], s["channels"])] * k)) for k in s["filters"])
    return {"one_filter_hwc": _hwc(one.output.shape), "two_filters_hwc": _hwc(two.output.shape),
            "products_per_step": int(one.steps[0].products.size)}


def _red_edge(ex: Example) -> dict[str, Any]:
    from .. import conv

    w = conv.red_vertical_edge(3)
    x = np.zeros((3, 6, 6))
    x[0] = conv.input_preset("vertical edge 6×6", 6)[0]
    x[1:] = np.random.default_rng(0).integers(0, 10, (2, 6, 6))  # green and blue must not matter
    t = conv.trace(x, w[None] if w.ndim == 3 else w)
    return {"green_kernel_sum": float(np.abs(w.reshape(3, -1)[1]).sum()),
            "blue_kernel_sum": float(np.abs(w.reshape(3, -1)[2]).sum()), "output_row": t.output[0, 0]}


def _layer_params(ex: Example) -> dict[str, Any]:
    from .. import conv

    return {"params": conv.conv_params(ex.state["f"], ex.state["channels"], ex.state["filters"])}


def _relu(ex: Example) -> dict[str, Any]:
    from .. import conv

    x = conv.input_preset(ex.state["input"], 6)[:, :, ::-1].copy()
    k = conv.kernel_preset(ex.state["kernel"], 3)[None, None]
    pre, post = _trace_relu(x, k, [ex.state["bias"]])
    return {"pre_activation_row": pre[0, 0], "activation_row": post[0, 0]}


def _pool(ex: Example) -> dict[str, Any]:
    from .. import conv

    # the grid is pooled as it is, with no convolution first (a 2-D grid is one channel)
    t = conv.pool_trace(ex.state["input"], ex.state["pool"], ex.state["f"], ex.state["stride"])
    return {"output": t.output[0]}


def _global_pool(ex: Example) -> dict[str, Any]:
    from .. import conv

    from torch import nn

    from ..arch.summary import summarize

    h, w, c = ex.state["input_hwc"]
    t = conv.pool_trace(np.random.default_rng(0).random((c, h, w)), "global")
    layer = summarize(nn.Sequential(nn.AdaptiveAvgPool2d(1)), (c, h, w))
    return {"output_hwc": _hwc(t.output.shape), "params": layer.total_params}


def _sharing(ex: Example) -> dict[str, Any]:
    from .. import conv

    s = ex.state
    cmp = conv.compare_params(s["n"], s["channels"], s["f"], s["filters"])
    x = conv.input_preset("random integers", s["n"], rng=np.random.default_rng(0))
    t = conv.trace(x, conv.kernel_preset("vertical edge", s["f"])[None, None])
    return {"conv_params": cmp.conv_total, "dense_params": cmp.dense_total,
            "inputs_per_output": int(t.steps[0].window.size), "inputs": int(np.prod(cmp.in_shape))}


def _lenet_like_model():
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(3, 8, 5), nn.MaxPool2d(2), nn.Conv2d(8, 16, 5), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10))


def _activation_sizes(ex: Example) -> dict[str, Any]:
    from ..arch import summary

    s = summary.summarize(_lenet_like_model(), (3, 32, 32), name="lenet-like")
    rows = [r for r in s.leaves() if r.type != "Flatten"]
    if not rows or not hasattr(rows[0], "activations"):
        raise Needs(_("needs an activation-size column in engine.arch.summary"))
    return {"activation_sizes": [r.activations for r in rows]}


def _measured_shift(before, after, shift_image) -> int | None:
    """The smallest k ≥ 0 such that ``after`` equals ``before`` moved k columns right (the k filled columns aside)."""
    width = int(before.shape[-1])
    for k in range(width):
        moved = shift_image(before, 0, k)
        if bool(np.allclose(after[..., k:].numpy(), moved[..., k:].numpy(), atol=1e-6)):
            return k
    return None


def _translation(ex: Example) -> dict[str, Any]:
    from .. import conv

    need = _("needs a translation-invariance demo in engine.conv")
    demo = _engine(conv, "shift_demo", need)
    shift_image = _engine(getattr(conv, "shift", None), "shift_image", need)
    s = ex.state
    # a random image has no repeating pattern, so only the true shift lines the maps up
    x = conv.input_preset("random integers", 12, rng=np.random.default_rng(0))
    r = demo(x, conv.kernel_preset(s["kernel"], 3), shift_px=s["shift_px"], pool=(s["pool"], s["f"], s["stride"]))
    return {"feature_map_shift": _measured_shift(r.feature, r.shifted_feature, shift_image),
            "pooled_shift": _measured_shift(r.pooled, r.shifted_pooled, shift_image)}


def _lenet5(ex: Example) -> dict[str, Any]:
    s = _zoo_summary("lenet5")
    return {"params": s.total_params, "shapes_hwc": [_hwc(s.row(n).output_shape) for n in ("c1", "s2", "c3", "s4")]}


def _alexnet_paper(ex: Example) -> dict[str, Any]:
    s = _zoo_summary(ex.state["model"], ex.state["input_hwc"])
    leaves = s.leaves()
    spatial = [_hwc(r.output_shape) for r in leaves if r.type in ("Conv2d", "MaxPool2d")]
    dense = [r.output_shape[-1] for r in leaves if r.type == "Linear"]
    flat = [r.output_shape[-1] for r in leaves if r.type == "Flatten"]
    return {"shapes_hwc": spatial, "flatten": flat[0] if flat else None, "dense": dense}


def _alexnet_224(ex: Example) -> dict[str, Any]:
    from .. import conv

    s = ex.state
    return {f"out_{n}": conv.output_size(n, s["f"], s["padding"], s["stride"]) for n in s["n"]}


def _vgg16(ex: Example) -> dict[str, Any]:
    return {"params": _zoo_summary("vgg16").total_params}


def _nin_imagenet(ex: Example) -> dict[str, Any]:
    s = _zoo_summary(ex.state["model"], ex.state["input_hwc"])
    convs = [r for r in s.leaves() if r.type == "Conv2d"]
    gaps = [r for r in s.leaves() if r.type in ("AdaptiveAvgPool2d", "AvgPool2d")]
    return {"last_conv_hwc": _hwc(convs[-1].output_shape), "classes": s.output_shape[-1],
            "gap_params": gaps[-1].params if gaps else None}


def _resnet50(ex: Example) -> dict[str, Any]:
    s = _zoo_summary("resnet50")
    proj = [r for r in s.rows if r.name.endswith(".downsample")]
    first = s.row(proj[0].name + ".0")
    return {"projection_blocks": len(proj), "first_projection_hwc": _hwc(first.output_shape),
            "first_projection_weights": first.own_params}


def _plain_vs_residual(ex: Example) -> dict[str, Any]:
    from ..train.residual import DeepDigitsNet

    plain, resid = DeepDigitsNet(False, ex.state["width"]), DeepDigitsNet(True, ex.state["width"])
    count = [sum(p.numel() for p in m.parameters()) for m in (plain, resid)]
    # only the shortcuts differ, so the training curves compare like with like
    return {"depth_plain": plain.depth, "depth_residual": resid.depth, "same_parameters": count[0] == count[1]}


def _one_by_one_32(ex: Example) -> dict[str, Any]:
    from .. import conv

    s = ex.state
    x = _many_channels(s["n"], s["channels"])
    w = np.random.default_rng(1).standard_normal((s["filters"], s["channels"], 1, 1))
    t = conv.trace(x, w)
    return {"output_hwc": _hwc(t.output.shape), "weights_per_filter": int(t.steps[0].products.size)}


def _one_by_one_192(ex: Example) -> dict[str, Any]:
    from .. import conv

    s = ex.state
    o = conv.output_size(s["n"], s["f"])
    return {"output_hwc": [o, o, s["filters"]], "params": conv.conv_params(s["f"], s["channels"], s["filters"])}


def _bottleneck(ex: Example) -> dict[str, Any]:
    from ..arch.bottleneck import PRESETS, bottleneck

    p = PRESETS[ex.state["calculator"]]
    plain, biased = bottleneck(**p), bottleneck(**p, bias=True)
    return {"params_direct": plain.params_direct, "params_reduced": plain.params_reduced,
            "with_bias_direct": biased.params_direct, "with_bias_reduced": biased.params_reduced,
            "macs_direct": plain.macs_direct, "macs_reduced": plain.macs_reduced}


def _inception_paper(ex: Example) -> dict[str, Any]:
    from torch import nn

    from ..arch import zoo

    s = _zoo_summary(ex.state["model"])
    model = zoo.build(ex.state["model"], device="meta")
    fives = [m for m in model.modules() if isinstance(m, nn.Conv2d) and tuple(m.kernel_size) == (5, 5)]
    return {"conv5x5_count": len(fives), "classes": s.output_shape[-1]}


def _mirror(ex: Example) -> dict[str, Any]:
    import torch

    from ..augment import AugmentConfig, build_pipeline

    row = ex.state["image_row"]
    img = torch.tensor([[row] * 2] * 3, dtype=torch.uint8)  # (3, 2, W)
    cfg = AugmentConfig(mirror=True, mirror_p=ex.state["mirror_p"], crop=False, colour_shift=False)
    out = build_pipeline(cfg, (2, len(row)))(img)
    return {"mirrored_row": out[0, 0]}


def _colour_manual(ex: Example) -> dict[str, Any]:
    from .. import augment

    shift = _engine(augment, "colour_shift", _("needs colour offsets set by hand in engine.augment (they are random only)"))
    image = np.array(ex.state["pixel"], dtype=np.uint8).reshape(1, 1, 3)  # one pixel, H×W×C
    return {"pixel_after": shift(image, *ex.state["colour_offsets"])[0, 0]}


def _grid_spec(s: dict[str, Any], anchors=((1.0, 1.0),)):
    from ..yolo.grid import GridSpec

    names = tuple(f"class {i}" for i in range(s["classes"]))
    return GridSpec(s["grid"], s["input_size"], tuple(tuple(a) for a in anchors), names)


def _y_vector(ex: Example) -> dict[str, Any]:
    from ..yolo.grid import encode_targets

    s = ex.state
    spec = _grid_spec(s, ((0.4, 0.6),))
    enc = encode_targets(np.array([s["box"]]), np.array([s["label"]]), spec)
    return {"length": spec.vector_size, "y": enc.y[0, 0, 0]}


def _window_count(ex: Example) -> dict[str, Any]:
    from ..yolo import sliding

    grid = _engine(sliding, "window_grid", _("needs windows of any size in engine.yolo.sliding"))
    n = ex.state["image"]
    rows, cols = grid(n, n, ex.state["window"], ex.state["stride"])
    return {"windows": rows * cols}


def _window_sizes(ex: Example) -> dict[str, Any]:
    from ..yolo import sliding

    need = _("needs windows of several sizes in engine.yolo.sliding")
    _engine(sliding, "sliding_sizes", need)
    # the panel's run lays out each size with window_grid; classifying ~1,200 crops adds nothing to the count
    grid = _engine(sliding, "window_grid", need)
    n, st = ex.state["image"], ex.state["stride"]
    return {"windows": [int(np.prod(grid(n, n, size, st))) for size in ex.state["windows"]]}


def _conv_sliding(ex: Example) -> dict[str, Any]:
    import torch

    from ..yolo import sliding

    h, w, _c = ex.state["input_hwc"]
    torch.manual_seed(0)
    net = sliding.WindowClassifier().eval()
    image = np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8)
    crops = sliding.sliding_cropped(net, image)
    whole = sliding.sliding_convolutional(sliding.to_convolutional(net), image)
    return {"output_hwc": list(whole.shape), "equals_crops": bool(np.allclose(crops, whole, atol=1e-5))}


def _yolo_grid(ex: Example) -> dict[str, Any]:
    from ..yolo.grid import encode_targets

    s = ex.state
    spec = _grid_spec(s)
    enc = encode_targets(np.array([s["box"]]), np.array([s["label"]]), spec)
    g = enc.y.shape
    a = enc.assignments[0]
    return {"output_hwc": [g[0], g[1], g[2] * g[3]], "cell": [a.row, a.col]}


def _iou(ex: Example) -> dict[str, Any]:
    from ..detect.nms import iou

    a, b = ex.state["boxes"]
    return {"iou": iou(a, b), "iou_self": iou(a, a)}


def _nms(ex: Example) -> dict[str, Any]:
    from ..detect import nms

    s = ex.state
    by_hand = _engine(nms, "nms_by_hand", _("needs non-max suppression of boxes placed by hand in engine.detect"))
    # one class, so each score is p_c itself; boxes with p_c ≤ the threshold are dropped first
    r = by_hand(s["boxes"], s["scores"], pc_threshold=s["score_threshold"], iou_threshold=s["iou_threshold"])
    return {"kept_scores": [r.scores[i] for i in r.kept]}


def _anchors(ex: Example) -> dict[str, Any]:
    from ..yolo.grid import encode_targets

    s = ex.state
    spec = _grid_spec(s, s["anchors"])
    enc = encode_targets(np.array(s["boxes"]), np.array(s["labels"]), spec)
    g = enc.y.shape
    return {"output_hwc": [g[0], g[1], g[2] * g[3]], "anchor_of_each": [a.anchor for a in enc.assignments],
            "both_kept": len(enc.assignments) == 2 and not any(a.overwritten for a in enc.assignments)}


def _unit(d: float, dim: int = 128) -> tuple[np.ndarray, np.ndarray]:
    a = np.zeros(dim)
    b = np.zeros(dim)
    b[0] = d
    return a, b


def _verify(ex: Example) -> dict[str, Any]:
    from ..face.match import verify

    out = {}
    for d in ex.state["distances"]:
        out[f"same_at_{str(d).replace('.', '_')}"] = verify(*_unit(d), threshold=ex.state["threshold"]).same
    return out


def _one_shot(ex: Example) -> dict[str, Any]:
    from ..face.match import Gallery

    s = ex.state
    rng = np.random.default_rng(0)
    people = s["gallery"] + [s["new_person"]]
    emb = rng.standard_normal((len(people), 128)) * 0.2  # one descriptor per person, far apart
    gallery = Gallery.from_labels(emb, people, device="cpu")
    query = emb[-1] + 0.01
    ident = gallery.identify(query[None], threshold=s["threshold"])[0]
    return {"recognised": ident.name, "people": len(gallery.names)}


def _siamese(ex: Example) -> dict[str, Any]:
    from ..face import match

    d = match.face_distance(*_unit(ex.state["distance"]))
    out: dict[str, Any] = {"distance": d}
    need = _("needs a squared-distance conversion in engine.face.match")
    show = getattr(match, "to_display_distance", None)
    threshold_in = getattr(match, "threshold_in", None)
    out["squared"] = Needs(need) if show is None else show(d, "squared")
    out["threshold_squared"] = Needs(need) if threshold_in is None else threshold_in(ex.state["threshold"], "squared")
    return out


def _triplet(ex: Example) -> dict[str, Any]:
    from ..face.triplet import triplet_terms

    s = ex.state
    t = triplet_terms(np.array(s["anchor"]), np.array(s["positive"]), np.array(s["negative"]), s["margin"])
    return {"ap": t.ap, "an": t.an, "loss": t.loss}


def _total_cost(ex: Example) -> dict[str, Any]:
    import torch

    from ..style.losses import total_loss

    s = ex.state
    j, *_terms = total_loss(torch.tensor(s["content"]), torch.tensor(s["style"]), torch.tensor(0.0), s["alpha"], s["beta"], 0.0)
    return {"total": float(j)}


def _content(ex: Example) -> dict[str, Any]:
    import torch

    from ..style.losses import content_loss

    a_c = torch.tensor(ex.state["a_C"], dtype=torch.float32)[None, None]
    a_g = torch.tensor(ex.state["a_G"], dtype=torch.float32)[None, None]
    return {"cost": float(content_loss(a_c, a_g))}


def _gram(ex: Example) -> dict[str, Any]:
    import torch

    from ..style.losses import gram_matrix, style_layer_loss

    h, w = ex.state["hw"]
    a_g = torch.tensor(ex.state["a_G"], dtype=torch.float64).view(1, -1, h, w)
    a_s = torch.tensor(ex.state["a_S"], dtype=torch.float64).view(1, -1, h, w)
    return {"gram": gram_matrix(a_g)[0], "style_cost": float(style_layer_loss(gram_matrix(a_s), a_g))}


#: example id → its compute function.
COMPUTE: dict[str, Callable[[Example], dict[str, Any]]] = {
    "fc-input-1000": _fc_input, "edge-6x6": _edge, "edge-6x6-mirrored": _edge, "padding-6x6": _padding,
    "stride-7x7": _stride, "stride-6x6-valid": _stride, "volume-6x6x3": _volume, "red-vertical-edge": _red_edge,
    "layer-params-280": _layer_params, "relu-step": _relu, "pool-max-4x4": _pool, "pool-avg-4x4": _pool,
    "pool-global-7x7x1000": _global_pool, "sharing-6x6-3x3": _sharing,
    "activation-sizes-lenet-like": _activation_sizes, "translation-shift-2": _translation,
    "lenet5-params": _lenet5, "alexnet-paper-shapes": _alexnet_paper, "alexnet-224-vs-227": _alexnet_224,
    "vgg16-params": _vgg16, "nin-imagenet-gap": _nin_imagenet, "resnet50-projections": _resnet50, "resnet-plain-vs-residual": _plain_vs_residual,
    "one-by-one-6x6x32": _one_by_one_32, "one-by-one-28x28x192": _one_by_one_192,
    "inception-bottleneck-params": _bottleneck, "inception-bottleneck-macs": _bottleneck,
    "inception-v1-paper": _inception_paper, "mirror-flip": _mirror, "colour-shift-manual": _colour_manual,
    "y-vector-8": _y_vector, "sliding-window-count": _window_count, "sliding-windows-three-sizes": _window_sizes,
    "conv-sliding-16x16": _conv_sliding, "yolo-grid-3x3": _yolo_grid, "iou-two-boxes": _iou,
    "nms-five-boxes": _nms, "anchors-3x3x16": _anchors, "verify-threshold": _verify,
    "one-shot-new-person": _one_shot, "siamese-squared-distance": _siamese, "triplet-loss": _triplet,
    "style-total-cost": _total_cost, "content-cost-2x2": _content, "gram-2-channels": _gram,
}


def run_example(example: Example) -> list[CheckRow]:
    """One row per expected number: the engine's value beside the map's, and whether they agree."""
    fn = COMPUTE.get(example.id)
    if fn is None:
        reason = _("needs a check for this example")
        return [CheckRow(example.id, k, _plain(v), None, False, reason) for k, v in example.expected.items()]
    try:
        computed = fn(example)
    except Needs as exc:
        return [CheckRow(example.id, k, _plain(v), None, False, str(exc)) for k, v in example.expected.items()]
    except Exception as exc:  # an engine error is a failed check, reported in one line
        reason = _("error: {error}").format(error=f"{type(exc).__name__}: {exc}")
        return [CheckRow(example.id, k, _plain(v), None, False, reason) for k, v in example.expected.items()]
    rows = []
    for key, want in example.expected.items():
        got = computed.get(key)
        if isinstance(got, Needs):
            rows.append(CheckRow(example.id, key, _plain(want), None, False, str(got)))
            continue
        got = _plain(got)
        ok = got is not None and values_match(want, got)
        rows.append(CheckRow(example.id, key, _plain(want), got, ok, "" if ok else _("differs from the course")))
    return rows


def check_all(examples: tuple[Example, ...] | list[Example] = EXAMPLES) -> list[CheckRow]:
    """The rows of every example, in course order."""
    rows: list[CheckRow] = []
    for ex in examples:
        rows.extend(run_example(ex))
    return rows
