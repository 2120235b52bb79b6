"""The engine's import graph: no circle anywhere (function-level imports included), and the
translation layer at the bottom needs nothing above it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# what the translation layer (engine.i18n and its modules) may import from the engine
I18N_MAY_USE = ("engine", "engine.atomic", "engine.notices")  # both import nothing from the engine (tested below)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(package: str = "engine") -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the modules of ``modules`` it imports anywhere in its text (top level or inside a function)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - (node.level - 1)] + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in modules else base)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle (``[a, b, …, a]``), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_circle_finder_finds_a_circle():
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_imports_made_inside_functions():
    graph = import_graph(_modules())
    assert "engine.arch.paper_models" in graph["engine.arch.zoo"]  # the registry depends on the papers' models
    assert "engine.i18n" in graph["engine.files"]


def test_no_import_circle_in_the_engine():
    circle = find_circle(import_graph(_modules()))
    assert circle is None, "import circle: " + " -> ".join(circle or [])


def test_the_model_registry_has_one_direction():
    graph = import_graph(_modules())
    assert "engine.arch.zoo" not in graph["engine.arch.paper_models"]
    assert "engine.arch.zoo" not in graph["engine.arch.blocks"]


def test_the_translation_layer_needs_nothing_above_it():
    graph = import_graph(_modules())
    upward = {m: sorted(t for t in targets if not t.startswith("engine.i18n") and t not in I18N_MAY_USE)
              for m, targets in graph.items() if m.startswith("engine.i18n")}
    assert "engine.i18n.catalog" in upward
    assert {m: t for m, t in upward.items() if t} == {}


def test_importing_the_translation_layer_loads_nothing_above_it():
    code = (
        "import sys, engine.i18n, engine.i18n.catalog\n"
        "print('ENGINE:' + ','.join(sorted(m for m in sys.modules if m.startswith('engine'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = [l for l in out.stdout.splitlines() if l.startswith("ENGINE:")][-1][len("ENGINE:"):].split(",")
    above = [m for m in loaded if not m.startswith("engine.i18n") and m not in I18N_MAY_USE]
    assert "engine.i18n.catalog" in loaded and above == []


def test_the_lowest_helpers_import_nothing_from_the_engine():
    graph = import_graph(_modules())
    for module in ("engine.atomic", "engine.notices"):
        assert not [t for t in graph[module] if t.startswith("engine") and t != "engine"], module
