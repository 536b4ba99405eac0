"""The import graph of ``src/territoires``: arrows point one way, and there is no cycle.

Every ``import`` and ``from ... import`` statement counts, at the top of a module or inside a
function (a lazy import is an arrow all the same). A package's own ``__init__`` imported from
inside the package is not an arrow: that is how a package re-exports its names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "territoires"
PACKAGE = "territoires"


def _modules() -> dict[str, Path]:
    found = {}
    for path in SOURCE.rglob("*.py"):
        parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module of the package that ``name`` (a module or a name in one) is."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    """The modules of the package that ``module`` imports, anywhere in its code."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([base] if base else [])])
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            target = _resolve(name)
            if target is None or target == module or not target.startswith(PACKAGE):
                continue
            if module.startswith(target + ".") and MODULES[target].name == "__init__.py":
                continue  # the package's own __init__: a re-export, not an arrow
            targets.add(target)
    return targets


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_is_read() -> None:
    """The graph holds the package's modules and the arrows everyone knows are there."""
    assert "territoires.io.writers" in GRAPH["territoires.io"]
    assert "territoires.plugins" in GRAPH["territoires.export"]


def test_cycles_are_found() -> None:
    """The cycle finder finds a cycle, lazy or not, when there is one."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_there_is_no_import_cycle() -> None:
    """No module imports, directly or not, a module that imports it back."""
    assert _cycles(GRAPH) == []


def test_nothing_imports_the_command_line() -> None:
    """The command line is the only shell: no module of the library imports it."""
    importers = sorted(m for m, targets in GRAPH.items() if "territoires.cli" in targets)
    assert importers == ["territoires.__main__"]


@pytest.mark.parametrize(
    "engine",
    [
        "territoires.model",
        "territoires.eligibility",
        "territoires.indicators",
        "territoires.disclosure",
        "territoires.measures",
        "territoires.report",
        "territoires.plugins",
        "territoires.geo",
        "territoires.registry",
        "territoires.subsidies",
    ],
)
def test_what_computes_never_reads_or_writes_files(engine: str) -> None:
    """Engines compute and ``territoires.io`` owns files: no engine module imports io."""
    rooms = [m for m in GRAPH if m == engine or m.startswith(engine + ".")]
    assert rooms
    reaching = {m: sorted(t for t in GRAPH[m] if t.startswith("territoires.io")) for m in rooms}
    assert {m: t for m, t in reaching.items() if t} == {}


def test_the_model_imports_nothing_else_of_the_package() -> None:
    """The domain model depends on nothing but itself and the leaf modules below it."""
    below = {
        "territoires._enum",
        "territoires.exceptions",
        "territoires.limits",
        "territoires.problems",
    }
    for module, targets in GRAPH.items():
        if module.startswith("territoires.model"):
            outside = {t for t in targets if not t.startswith("territoires.model")}
            assert outside <= below, (module, outside - below)
