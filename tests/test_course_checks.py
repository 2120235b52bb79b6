"""The worked-example checkers: one module per part of the course, and a registry new modules plug into."""

from __future__ import annotations

import pytest

from engine.course import EXAMPLES, check_all, run_example, section
from engine.course.check import COMPUTE
from engine.course.checks import register
from engine.course.checks.registry import COMPUTE as REGISTRY
from engine.course.examples import Example

PART_MODULES = {"basics": "basics", "deep": "deep", "detection": "detection", "faces-style": "faces_style"}


def test_every_example_has_one_checker_in_the_module_of_its_part():
    assert COMPUTE is REGISTRY
    for e in EXAMPLES:
        fn = COMPUTE[e.id]
        module = fn.__module__.rsplit(".", 1)[-1]
        if e.panel == "course_views":  # examples with their own view are checked through that view's function
            assert module == "views", (e.id, fn.__module__)
        else:
            assert module == PART_MODULES[section(e.section).part], (e.id, fn.__module__)


def test_a_second_checker_for_the_same_example_is_refused():
    with pytest.raises(ValueError, match="edge-6x6"):
        register("edge-6x6")(lambda ex: {})
    assert COMPUTE["edge-6x6"].__name__ == "_edge"


def test_a_new_checker_plugs_in_by_registering(monkeypatch):
    monkeypatch.setitem(REGISTRY, "__probe__", None)
    del REGISTRY["__probe__"]  # monkeypatch restores (removes) the id after the test

    @register("__probe__")
    def _probe(ex: Example) -> dict:
        return {"n": ex.state["a"] + ex.state["b"]}

    ex = Example("__probe__", "stride", "convolution", {"a": 2, "b": 3}, {"n": 5}, "probe")
    row, = run_example(ex)
    assert row.ok and row.computed == 5
    wrong, = run_example(Example("__probe__", "stride", "convolution", {"a": 2, "b": 2}, {"n": 5}, "probe"))
    assert not wrong.ok and wrong.computed == 4
    assert "__probe__" not in {r.example for r in check_all()}


# -- checks go through the function the panel calls ------------------------------------------------

def _row(eid: str, key: str):
    from engine.course import example

    return next(r for r in run_example(example(eid)) if r.name == key)


def test_activation_sizes_are_read_from_the_architectures_panels_zoo_model(monkeypatch):
    import dataclasses

    from torch import nn

    from engine.arch import zoo

    assert _row("activation-sizes-lenet-like", "activation_sizes").ok
    spec = zoo.MODELS["lenet-like"]

    def six_filters():  # the same network with 6 first-layer filters: the panel would show 4,704
        m = spec.builder()
        m.conv1, m.conv2 = nn.Conv2d(3, 6, 5), nn.Conv2d(6, 16, 5)
        return m

    monkeypatch.setitem(zoo.MODELS, "lenet-like", dataclasses.replace(spec, builder=six_filters))
    row = _row("activation-sizes-lenet-like", "activation_sizes")
    assert not row.ok and row.computed[:2] == [28 * 28 * 6, 14 * 14 * 6]


def test_window_counts_come_from_the_panels_sliding_run(monkeypatch):
    import dataclasses

    from engine.yolo import sliding

    real = sliding.sliding_sizes
    calls = []

    def one_window_short(net, image, sizes, strides=None):
        calls.append((tuple(sizes), tuple(strides)))
        runs = real(net, image, sizes, strides)
        return [dataclasses.replace(r, boxes=r.boxes[:-1], probs=r.probs.reshape(-1, 4)[:-1]) for r in runs]

    monkeypatch.setattr(sliding, "sliding_sizes", one_window_short)
    row = _row("sliding-windows-three-sizes", "windows")
    assert calls == [((14,), (2,)), ((28,), (2,)), ((42,), (2,))]
    assert not row.ok and row.computed == [675, 360, 143]


def test_plain_and_residual_depths_come_from_the_panels_experiment(monkeypatch):
    from engine.train import residual

    real = residual.residual_experiment

    def deeper_residual(**kw):
        result = yield from real(**kw)
        result.curves.residual_depth = 21
        result.curves.residual_params += 1
        return result

    from engine.course import example

    ex = example("resnet-plain-vs-residual")
    rows = run_example(ex)
    # the example's four numbers: both depths, equal sizes, and the residual net ending lower after training
    assert [r.name for r in rows] == list(ex.expected) == ["depth_plain", "depth_residual", "same_parameters",
                                                            "residual_trains_lower"]
    assert all(r.ok for r in rows), [r for r in rows if not r.ok]
    assert rows[-1].computed is True
    monkeypatch.setattr(residual, "residual_experiment", deeper_residual)
    patched = {r.name: r for r in run_example(ex)}
    assert patched["depth_plain"].ok
    assert patched["depth_residual"].computed == 21 and not patched["depth_residual"].ok
    assert patched["same_parameters"].computed is False and not patched["same_parameters"].ok
