"""The package-level import graph stays acyclic: a guard for the layout in README, How it works."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import bot

ROOT = Path(bot.__file__).parent


def package_imports() -> dict[str, set[str]]:
    """For each top-level part of `bot` (a package or a module), the other parts it imports, type-only too."""
    graph: defaultdict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        part = path.relative_to(ROOT).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot."):
                target = node.module.split(".")[1]
                if target != part:
                    graph[part].add(target)
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in visiting:
            return [*visiting[visiting.index(node) :], node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph.get(node, ())):
            if (found := visit(target)) is not None:
                return found
        visiting.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        if (found := visit(start)) is not None:
            return found
    return None


def test_no_package_imports_another_that_imports_it_back() -> None:
    assert cycle(package_imports()) is None


def test_the_guard_finds_a_cycle_when_there_is_one() -> None:
    assert cycle({"core": {"storage"}, "storage": {"core"}}) == ["core", "storage", "core"]


def test_the_shared_words_import_nothing_of_ours() -> None:
    assert package_imports().get("shared", set()) == set()
    assert "storage" not in package_imports()["core"]
    assert "transports" not in package_imports()["core"]
