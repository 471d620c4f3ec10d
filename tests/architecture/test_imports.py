"""The project's top-level packages depend on each other in one direction only: no import cycle between them.

Every import in every module counts, those inside functions too (an import deferred to dodge a cycle is
still a cycle). The allowed direction, from the wiring down: backend -> notifications -> aspirasi -> realtime,
and aspirasi -> messaging (text messages: no models, imports no app of the project).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("backend", "notifications", "open311", "aspirasi", "messaging", "realtime", "bench")


def _imports(path: Path) -> set[str]:
    """The top-level project packages `path` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in PACKAGES)
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        directory = ROOT / package
        if not directory.is_dir():
            continue
        edges = set()
        for path in directory.rglob("*.py"):
            if "migrations" not in path.parts:  # snapshots: they import nothing of the app's code that matters
                edges |= _imports(path)
        graph[package] = edges - {package}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in `graph` as a path of package names, or None."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target] if target in path else [*path, target]
            if target not in state and (found := visit(target, [*path, target])):
                return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node, [node])):
            return found
    return None


def test_no_import_cycle_between_the_projects_packages():
    cycle = _cycle(_graph())
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize(
    ("graph", "expected"),
    [({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]), ({"a": {"b"}, "b": {"c"}, "c": set()}, None)],
)
def test_the_check_finds_a_cycle(graph, expected):
    assert _cycle(graph) == expected
