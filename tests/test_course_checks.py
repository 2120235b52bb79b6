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
        if module in PART_MODULES.values():
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
