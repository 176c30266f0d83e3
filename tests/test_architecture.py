"""The house's arrows: no import cycles between first-party modules, and the domain imports no edge.

Every import counts, at module level or inside a function (an import moved into a function
only hides a cycle). Packages' `__init__` modules are not edges of their own.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "application", "projections", "search", "publishing", "web", "stores", "schemas", "gongshi",
            "gongshi_verify")
#: What the domain may not import (ARCHITECTURE.md: "Domain code does not import web, search or storage code").
NOT_FOR_THE_DOMAIN = ("application", "projections", "search", "publishing", "web", "stores", "gongshi")


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph(found: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the first-party modules it imports anywhere in its text."""
    graph: dict[str, set[str]] = {name: set() for name in found}
    for name, path in found.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in found else node.module
                           for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in found:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_first_party_import_cycles():
    found = cycles(import_graph(modules()))
    assert not found, (
        f"import cycles: {found}. Move what both sides need into a module they both import "
        "(an import inside a function does not break a cycle, it hides it)")


def test_the_domain_imports_no_application_storage_search_or_web_code():
    graph = import_graph(modules())
    wrong = sorted(f"{m} -> {t}" for m, targets in graph.items() if m.split(".")[0] == "domain"
                   for t in targets if t.split(".")[0] in NOT_FOR_THE_DOMAIN)
    assert not wrong, f"the domain must not import these (pass what it needs in as arguments instead): {wrong}"


def test_web_does_not_import_the_composition_root():
    graph = import_graph(modules())
    wrong = sorted(f"{m} -> {t}" for m, targets in graph.items() if m.split(".")[0] == "web"
                   for t in targets if t.split(".")[0] == "gongshi")
    assert not wrong, f"web must not import gongshi/ (web/context.py says what web needs of an instance): {wrong}"


def test_the_cycle_check_finds_a_cycle_hidden_in_a_function(tmp_path):
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "a.py").write_text("import domain.b\n", encoding="utf-8")
    (tmp_path / "domain" / "b.py").write_text("def f():\n    from domain import a\n", encoding="utf-8")
    for package in PACKAGES[1:]:
        (tmp_path / package).mkdir()
    assert cycles(import_graph(modules(tmp_path))) == [["domain.a", "domain.b"]]
