"""Checkers for convolution basics: edges, padding, stride, volumes, one layer, pooling, why convolutions."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ...i18n import _
from ..examples import Example
from .registry import Needs, engine_attr, hwc, register, zoo_summary

__all__: list[str] = []


def _trace_relu(x, w, bias):
    """(pre-activation, activation) of one CNN layer, both (C_out, H_out, W_out), from the lab's trace."""
    from ... import conv

    if "relu" not in inspect.signature(conv.trace).parameters:
        raise Needs(_("needs a ReLU step in engine.conv (bias + ReLU after the convolution)"))
    t = conv.trace(x, w, bias, relu=True)
    # the lab shows each step's value after ReLU; read them back in output order
    post = np.array([step.activated for step in t.steps]).reshape(tuple(t.output.shape))
    return t.pre_activation, post


@register("edge-6x6", "edge-6x6-mirrored")
def _edge(ex: Example) -> dict[str, Any]:
    from ... import conv

    x = conv.input_preset(ex.state["input"], ex.state["n"])
    if ex.state.get("mirrored"):
        x = x[:, :, ::-1].copy()
    k = conv.kernel_preset(ex.state["kernel"], ex.state["f"])
    t = conv.trace(x, k[None, None], padding=ex.state.get("padding", 0), stride=ex.state.get("stride", 1))
    return {"output_hwc": hwc(t.output.shape), "output": t.output[0]}


@register("padding-6x6")
def _padding(ex: Example) -> dict[str, Any]:
    from ... import conv

    n, f = ex.state["n"], ex.state["f"]
    x = conv.input_preset("random integers", n, rng=np.random.default_rng(0))
    k = conv.kernel_preset("vertical edge", f)[None, None]
    valid, padded = (conv.trace(x, k, padding=p) for p in ex.state["paddings"])
    return {"valid_out": valid.out_size[0], "padded_in": padded.padded.shape[-1], "padded_out": padded.out_size[0],
            "same_p_f3": conv.same_padding(3), "same_p_f5": conv.same_padding(5)}


@register("stride-7x7", "stride-6x6-valid")
def _stride(ex: Example) -> dict[str, Any]:
    from ... import conv

    s = ex.state
    x = conv.input_preset("random integers", s["n"], rng=np.random.default_rng(0))
    t = conv.trace(x, conv.kernel_preset("vertical edge", s["f"])[None, None], stride=s["stride"], padding=s["padding"])
    return {"output": t.out_size[0]}


@register("volume-6x6x3")
def _volume(ex: Example) -> dict[str, Any]:
    from ... import conv

    s = ex.state
    x = conv.input_preset("random integers", s["n"], channels=s["channels"], rng=np.random.default_rng(0))
    one, two = (conv.trace(x, np.stack([conv.filter_preset("vertical edge", s["f"], s["channels"])] * k)) for k in s["filters"])
    return {"one_filter_hwc": hwc(one.output.shape), "two_filters_hwc": hwc(two.output.shape),
            "products_per_step": int(one.steps[0].products.size)}


@register("red-vertical-edge")
def _red_edge(ex: Example) -> dict[str, Any]:
    from ... import conv

    w = conv.red_vertical_edge(3)
    x = np.zeros((3, 6, 6))
    x[0] = conv.input_preset("vertical edge 6×6", 6)[0]
    x[1:] = np.random.default_rng(0).integers(0, 10, (2, 6, 6))  # green and blue must not matter
    t = conv.trace(x, w[None] if w.ndim == 3 else w)
    return {"green_kernel_sum": float(np.abs(w.reshape(3, -1)[1]).sum()),
            "blue_kernel_sum": float(np.abs(w.reshape(3, -1)[2]).sum()), "output_row": t.output[0, 0]}


@register("relu-step")
def _relu(ex: Example) -> dict[str, Any]:
    from ... import conv

    x = conv.input_preset(ex.state["input"], 6)[:, :, ::-1].copy()
    k = conv.kernel_preset(ex.state["kernel"], 3)[None, None]
    pre, post = _trace_relu(x, k, [ex.state["bias"]])
    return {"pre_activation_row": pre[0, 0], "activation_row": post[0, 0]}


@register("pool-max-4x4", "pool-avg-4x4")
def _pool(ex: Example) -> dict[str, Any]:
    from ... import conv

    # the grid is pooled as it is, with no convolution first (a 2-D grid is one channel)
    t = conv.pool_trace(ex.state["input"], ex.state["pool"], ex.state["f"], ex.state["stride"])
    return {"output": t.output[0]}


@register("pool-global-7x7x1000")
def _global_pool(ex: Example) -> dict[str, Any]:
    from ... import conv

    from torch import nn

    from ...arch.summary import summarize

    h, w, c = ex.state["input_hwc"]
    t = conv.pool_trace(np.random.default_rng(0).random((c, h, w)), "global")
    layer = summarize(nn.Sequential(nn.AdaptiveAvgPool2d(1)), (c, h, w))
    return {"output_hwc": hwc(t.output.shape), "params": layer.total_params}


@register("sharing-6x6-3x3")
def _sharing(ex: Example) -> dict[str, Any]:
    from ... import conv

    s = ex.state
    cmp = conv.compare_params(s["n"], s["channels"], s["f"], s["filters"])
    x = conv.input_preset("random integers", s["n"], rng=np.random.default_rng(0))
    t = conv.trace(x, conv.kernel_preset("vertical edge", s["f"])[None, None])
    return {"conv_params": cmp.conv_total, "dense_params": cmp.dense_total,
            "inputs_per_output": int(t.steps[0].window.size), "inputs": int(np.prod(cmp.in_shape))}


@register("activation-sizes-lenet-like")
def _activation_sizes(ex: Example) -> dict[str, Any]:
    from ...arch import summary

    # the Architectures panel's table of the zoo's "lenet-like": the layers that change the volume
    s = zoo_summary("lenet-like")
    rows = [r for r in s.leaves() if r.type in ("Conv2d", "MaxPool2d", "Linear")]
    if not rows or not hasattr(summary.LayerRow, "activations"):
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


@register("translation-shift-2")
def _translation(ex: Example) -> dict[str, Any]:
    from ... import conv

    need = _("needs a translation-invariance demo in engine.conv")
    demo = engine_attr(conv, "shift_demo", need)
    shift_image = engine_attr(getattr(conv, "shift", None), "shift_image", need)
    s = ex.state
    # a random image has no repeating pattern, so only the true shift lines the maps up
    x = conv.input_preset("random integers", 12, rng=np.random.default_rng(0))
    r = demo(x, conv.kernel_preset(s["kernel"], 3), shift_px=s["shift_px"], pool=(s["pool"], s["f"], s["stride"]))
    return {"feature_map_shift": _measured_shift(r.feature, r.shifted_feature, shift_image),
            "pooled_shift": _measured_shift(r.pooled, r.shifted_pooled, shift_image)}
