"""Shapes printed in the course's H×W×C or PyTorch's C×H×W, in the engine and on the command line."""

from __future__ import annotations

import pytest
import torch

from engine.shapes import format_batch_shape, format_shape, order_label, reorder


def test_format_shape_both_orders_and_batches():
    y = torch.nn.Conv2d(3, 96, 11, stride=4)(torch.zeros(1, 3, 227, 227))
    assert format_shape(y.shape[1:]) == "55×55×96 (H×W×C)"
    assert format_shape(y.shape[1:], order="chw") == "96×55×55 (C×H×W)"
    assert format_batch_shape(y.shape) == "1×55×55×96 (N×H×W×C)"
    assert format_batch_shape(y.shape, order="chw") == "1×96×55×55 (N×C×H×W)"
    assert format_shape((55, 55, 96), order="chw", source="hwc") == "96×55×55 (C×H×W)"
    assert format_shape((9216,)) == "9216" and format_shape(None) == ""
    assert reorder(reorder((96, 55, 55), "hwc"), "chw", source="hwc") == (96, 55, 55)
    assert order_label("hwc") == "H×W×C"
    with pytest.raises(ValueError, match="hwc or chw"):
        format_shape((3, 4, 5), order="whc")


def _cli(capsys, *argv):
    from engine.cli import build_parser, run

    rc = run(build_parser().parse_args(list(argv)))
    return rc, capsys.readouterr().out


def test_cli_shape_order_in_conv_size_and_arch_summary(capsys):
    rc, out = _cli(capsys, "conv", "size", "227", "-f", "11", "-s", "4", "--c-in", "3", "--c-out", "96")
    assert rc == 0 and "3×227×227 → 96×55×55 (C×H×W)" in out  # PyTorch's order by default
    rc, out = _cli(capsys, "--shape-order", "hwc", "conv", "size", "227", "-f", "11", "-s", "4", "--c-in", "3", "--c-out", "96")
    assert rc == 0 and "227×227×3 → 55×55×96 (H×W×C)" in out
    rc, out = _cli(capsys, "--shape-order", "hwc", "arch", "summary", "alexnet-paper", "--leaves")
    assert rc == 0
    assert "input 227×227×3 (H×W×C)" in out and "Output (H×W×C)" in out
    conv1 = next(line for line in out.splitlines() if line.startswith("features.0 "))
    assert "55×55×96" in conv1 and "290,400" in conv1  # shape and activations 55·55·96
    rc, out = _cli(capsys, "arch", "summary", "alexnet-paper", "--leaves")
    assert "Output (C×H×W)" in out and "96×55×55" in out
