"""The modules of ``guardrail.policy`` import each other without a circle.

A circle (even one hidden behind ``TYPE_CHECKING``) means two modules share
something that belongs in a third; ``problems.py`` is that third for the loader
and the detectors section.
"""

from __future__ import annotations

import ast
from pathlib import Path

import guardrail.policy.load

POLICY = Path(guardrail.policy.load.__file__).parent


def _imports_within_policy() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(POLICY.glob("*.py")):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("guardrail.policy."):
                    found.add(node.module.split(".")[2])
        graph[path.stem] = found
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in trail:
                cycles.append(trail[trail.index(target):] + [target])
            elif target in graph:
                visit(target, trail + [target])

    for start in graph:
        visit(start, [start])
    return cycles


def test_the_graph_sees_the_loader_imports() -> None:
    graph = _imports_within_policy()
    assert {"build", "merge", "problems", "schema"} <= graph["load"]
    assert {"problems", "schema"} <= graph["detectors"]


def test_no_import_circle_inside_guardrail_policy() -> None:
    assert _cycles(_imports_within_policy()) == []


def test_detectors_do_not_import_the_loader() -> None:
    assert "load" not in _imports_within_policy()["detectors"]
