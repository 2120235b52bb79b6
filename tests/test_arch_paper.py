"""The papers' AlexNet, Inception-v1 and ImageNet NiN: shapes, parameters and MACs against torch."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from engine.arch import zoo
from engine.arch.bottleneck import PRESETS, bottleneck
from engine.arch.summary import summarize_zoo


def _forward_shapes(model, x):
    seen = {}

    def hook(name):
        def record(module, args, y):
            seen.setdefault(name, tuple(y.shape[1:]))  # returns None: the output is left alone

        return record

    hooks = [m.register_forward_hook(hook(n)) for n, m in model.named_modules() if n]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return seen


def _conv_linear_macs(summary):
    return sum(r.macs for r in summary.leaves() if r.type.startswith(("Conv", "Linear")) and not r.training_only)


def _flops(model, shape):
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, *shape, device="meta"))
    return counter.get_total_flops()


def test_alexnet_paper_walks_the_note_and_counts_exactly():
    spec = zoo.spec("alexnet-paper")
    assert spec.input_shape == (3, 227, 227)
    assert "⌊(224−11)/4⌋+1 = 54" in spec.info
    model = zoo.build("alexnet-paper", device="meta")
    s = summarize_zoo("alexnet-paper")
    convs_pools = [r.output_shape for r in s.leaves() if r.type in ("Conv2d", "MaxPool2d")]
    assert convs_pools == [(96, 55, 55), (96, 27, 27), (256, 27, 27), (256, 13, 13), (384, 13, 13),
                           (384, 13, 13), (256, 13, 13), (256, 6, 6)]
    assert s.row("flatten").output_shape == (9216,)
    assert [r.output_shape for r in s.leaves() if r.type == "Linear"] == [(4096,), (4096,), (1000,)]
    total = sum(p.numel() for p in model.parameters())
    assert s.total_params == s.inference_params == total == 62_378_344
    assert _conv_linear_macs(s) * 2 == _flops(model, spec.input_shape)
    assert "torchvision" in zoo.spec("alexnet").title


def test_inception_v1_paper_has_5x5_branches_and_training_only_heads():
    assert zoo.names().index("inception-v1-paper") < zoo.names().index("googlenet")
    assert zoo.DEFAULT_GOOGLENET == "inception-v1-paper"
    assert "3×3 in place of 5×5" in zoo.spec("googlenet").title
    model = zoo.build("inception-v1-paper")
    b = model.inception3a
    assert b.branch3[1][0].kernel_size == (5, 5) and b.branch3[1][0].out_channels == 32
    outs = [getattr(model, n)(torch.zeros(1, c, 28, 28)).shape[1] for n, c in (("inception3a", 192), ("inception3b", 256))]
    assert outs == [256, 480]
    s = summarize_zoo("inception-v1-paper")
    assert s.row("inception5b").output_shape == (1024, 7, 7) and s.row("inception4e").output_shape == (832, 14, 14)
    assert s.row("aux1").training_only and s.row("aux1").output_shape == (1000,)
    aux = sum(p.numel() for n in ("aux1", "aux2") for p in getattr(model, n).parameters())
    total = sum(p.numel() for p in model.parameters())
    assert s.total_params == total and s.inference_params == total - aux
    # the eval forward never runs the auxiliary heads
    ran = _forward_shapes(model.eval(), torch.zeros(1, 3, 224, 224))
    assert "aux1" not in ran and "aux2" not in ran
    out = model.train()(torch.zeros(2, 3, 224, 224))
    assert out.logits.shape == out.aux1.shape == out.aux2.shape == (2, 1000)
    meta = zoo.build("inception-v1-paper", device="meta")
    assert _conv_linear_macs(s) * 2 == _flops(meta, (3, 224, 224))


def test_nin_imagenet_ends_in_6x6x1000_and_parameter_free_global_pooling():
    s = summarize_zoo("nin-imagenet")
    assert s.row("block4").output_shape == (1000, 6, 6)
    assert s.row("gap").output_shape == (1000, 1, 1) and s.row("gap").params == 0
    assert s.output_shape == (1000,)
    model = zoo.build("nin-imagenet", device="meta")
    assert s.total_params == sum(p.numel() for p in model.parameters())
    assert _conv_linear_macs(s) * 2 == _flops(model, (3, 224, 224))
    assert "nin" in zoo.names()  # the CIFAR-10 model stays beside it


def test_activation_column_equals_forward_numel():
    model = zoo.build("lenet5")
    x = torch.randn(1, 1, 32, 32)
    outs = {n: shape for n, shape in _forward_shapes(model, x).items()}
    outs = {n: int(torch.Size(shape).numel()) for n, shape in outs.items()}
    s = summarize_zoo("lenet5", device="cpu")
    for r in s.rows:
        assert r.activations == outs[r.name], r.name
    assert [s.row(n).activations for n in ("c1", "s2", "c3", "s4", "f6")] == [4704, 1176, 1600, 400, 84]
    assert s.to_dict()["rows"][0]["activations"] == 4704


def test_bottleneck_formulas_are_true_equations():
    r = bottleneck(**PRESETS["inception-5x5"], bias=True)
    assert r.params_direct_formula == "(5·5·256+1)·64 = 409,664"
    assert r.params_reduced_formula == "(1·1·256+1)·32 + (5·5·32+1)·64 = 59,488"
    assert (5 * 5 * 256 + 1) * 64 == r.params_direct
    c5 = torch.nn.Conv2d(256, 64, 5)
    assert r.params_direct == sum(p.numel() for p in c5.parameters())
    assert r.connections_direct_formula == "(5·5·256+1)·64·n² = 409,664·n²"
    assert r.connections_reduced_formula == "((1·1·256+1)·32 + (5·5·32+1)·64)·n² = 59,488·n²"
    plain = bottleneck(**PRESETS["inception-5x5"])
    assert plain.params_direct_formula == "5·5·256·64 = 409,600"
    assert plain.params_reduced_formula == "1·1·256·32 + 5·5·32·64 = 59,392"
    assert plain.connections_direct == 409_664  # connections count the bias either way
    lines = r.formula_lines()
    assert "5·5·256·64 = 409,664" not in " ".join(lines)
    assert any("409,664·n²" in line for line in lines) and any("MACs" in line for line in lines)
