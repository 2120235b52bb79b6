"""Checkers for deep networks: LeNet-5, AlexNet, VGG-16, NiN, ResNet, 1×1 convolutions, Inception, data augmentation."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...i18n import _
from ..examples import Example
from .registry import engine_attr, hwc, many_channels, register, zoo_summary

__all__: list[str] = []


@register("lenet5-params")
def _lenet5(ex: Example) -> dict[str, Any]:
    s = zoo_summary("lenet5")
    return {"params": s.total_params, "shapes_hwc": [hwc(s.row(n).output_shape) for n in ("c1", "s2", "c3", "s4")]}


@register("alexnet-paper-shapes")
def _alexnet_paper(ex: Example) -> dict[str, Any]:
    s = zoo_summary(ex.state["model"], ex.state["input_hwc"])
    leaves = s.leaves()
    spatial = [hwc(r.output_shape) for r in leaves if r.type in ("Conv2d", "MaxPool2d")]
    dense = [r.output_shape[-1] for r in leaves if r.type == "Linear"]
    flat = [r.output_shape[-1] for r in leaves if r.type == "Flatten"]
    return {"shapes_hwc": spatial, "flatten": flat[0] if flat else None, "dense": dense}


@register("alexnet-224-vs-227")
def _alexnet_224(ex: Example) -> dict[str, Any]:
    from ... import conv

    s = ex.state
    return {f"out_{n}": conv.output_size(n, s["f"], s["padding"], s["stride"]) for n in s["n"]}


@register("vgg16-params")
def _vgg16(ex: Example) -> dict[str, Any]:
    return {"params": zoo_summary("vgg16").total_params}


@register("nin-imagenet-gap")
def _nin_imagenet(ex: Example) -> dict[str, Any]:
    s = zoo_summary(ex.state["model"], ex.state["input_hwc"])
    convs = [r for r in s.leaves() if r.type == "Conv2d"]
    gaps = [r for r in s.leaves() if r.type in ("AdaptiveAvgPool2d", "AvgPool2d")]
    return {"last_conv_hwc": hwc(convs[-1].output_shape), "classes": s.output_shape[-1],
            "gap_params": gaps[-1].params if gaps else None}


@register("resnet50-projections")
def _resnet50(ex: Example) -> dict[str, Any]:
    s = zoo_summary("resnet50")
    proj = [r for r in s.rows if r.name.endswith(".downsample")]
    first = s.row(proj[0].name + ".0")
    return {"projection_blocks": len(proj), "first_projection_hwc": hwc(first.output_shape),
            "first_projection_weights": first.own_params}


@register("one-by-one-6x6x32")
def _one_by_one_32(ex: Example) -> dict[str, Any]:
    from ... import conv

    s = ex.state
    x = many_channels(s["n"], s["channels"])
    w = np.random.default_rng(1).standard_normal((s["filters"], s["channels"], 1, 1))
    t = conv.trace(x, w)
    return {"output_hwc": hwc(t.output.shape), "weights_per_filter": int(t.steps[0].products.size)}


@register("inception-bottleneck-params", "inception-bottleneck-macs")
def _bottleneck(ex: Example) -> dict[str, Any]:
    from ...arch.bottleneck import PRESETS, bottleneck

    p = PRESETS[ex.state["calculator"]]
    plain, biased = bottleneck(**p), bottleneck(**p, bias=True)
    return {"params_direct": plain.params_direct, "params_reduced": plain.params_reduced,
            "with_bias_direct": biased.params_direct, "with_bias_reduced": biased.params_reduced,
            "macs_direct": plain.macs_direct, "macs_reduced": plain.macs_reduced}


@register("inception-v1-paper")
def _inception_paper(ex: Example) -> dict[str, Any]:
    from torch import nn

    from ...arch import zoo

    s = zoo_summary(ex.state["model"])
    model = zoo.build(ex.state["model"], device="meta")
    fives = [m for m in model.modules() if isinstance(m, nn.Conv2d) and tuple(m.kernel_size) == (5, 5)]
    return {"conv5x5_count": len(fives), "classes": s.output_shape[-1]}


@register("mirror-flip")
def _mirror(ex: Example) -> dict[str, Any]:
    import torch

    from ...augment import AugmentConfig, build_pipeline

    row = ex.state["image_row"]
    img = torch.tensor([[row] * 2] * 3, dtype=torch.uint8)  # (3, 2, W)
    cfg = AugmentConfig(mirror=True, mirror_p=ex.state["mirror_p"], crop=False, colour_shift=False)
    out = build_pipeline(cfg, (2, len(row)))(img)
    return {"mirrored_row": out[0, 0]}


@register("colour-shift-manual")
def _colour_manual(ex: Example) -> dict[str, Any]:
    from ... import augment

    shift = engine_attr(augment, "colour_shift", _("needs colour offsets set by hand in engine.augment (they are random only)"))
    image = np.array(ex.state["pixel"], dtype=np.uint8).reshape(1, 1, 3)  # one pixel, H×W×C
    return {"pixel_after": shift(image, *ex.state["colour_offsets"])[0, 0]}
