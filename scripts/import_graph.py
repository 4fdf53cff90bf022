"""Print Calma's import graph and check that its dependencies run one way.

The layers are studio ← bookings ← intake ← owner: bookings may import studio, intake may
import both, the owner's reports read all three, and nothing imports "upwards".
``accounts`` (staff sign-in) builds on studio alone.
No two modules import each other, directly or through others, within an app or across.
Every import counts, including those inside functions: a deferred import is still a
dependency, only hidden from the interpreter's start-up.

    python scripts/import_graph.py            # check; print the violations, exit 1 if any
    python scripts/import_graph.py --edges    # print every edge between project modules
    python scripts/import_graph.py --dot      # the graph for Graphviz, one cluster per app

Migrations are left out: they are a frozen history, and a migration that imports live code
is itself the bug (tests/studio/test_import_graph.py checks that separately).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each app, and the apps it may import. Lower layers first.
ALLOWED: dict[str, frozenset[str]] = {
    "studio": frozenset(),
    "accounts": frozenset({"studio"}),
    "bookings": frozenset({"studio"}),
    "intake": frozenset({"studio", "bookings"}),
    "owner": frozenset({"studio", "bookings", "intake"}),
}
LAYERS = tuple(ALLOWED)


def module_name(path: Path, root: Path = ROOT) -> str:
    """Return the dotted module name of a source file under the project root."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path = ROOT) -> Iterator[Path]:
    """Yield every Python file of the apps, migrations aside."""
    for app in LAYERS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                yield path


def imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Yield (dotted name, line) for every import in a module, relative ones resolved."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # "from bookings import services" imports the module bookings.services.
            for alias in node.names:
                yield f"{prefix}.{alias.name}", node.lineno


def build_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """Return {module: {imported project module: first line}} for the apps."""
    files = list(source_files(root))
    modules = {module_name(path, root): path for path in files}
    graph: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        for target, line in imported_names(tree, name, path.name == "__init__.py"):
            resolved = _resolve(target, modules)
            if resolved and resolved != name:
                graph[name].setdefault(resolved, line)
    return graph


def _resolve(target: str, modules: dict[str, Path]) -> str | None:
    """Return the project module a dotted import name lands in, or None if it is outside."""
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


def app_of(module: str) -> str:
    return module.partition(".")[0]


def layer_violations(graph: dict[str, dict[str, int]]) -> list[str]:
    """Return each import of an app the importing app may not depend on."""
    found = []
    for source, targets in sorted(graph.items()):
        for target, line in sorted(targets.items()):
            home, away = app_of(source), app_of(target)
            if away != home and away not in ALLOWED[home]:
                found.append(f"{source}:{line} imports {target} ({home} may not import {away})")
    return found


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def problems(graph: dict[str, dict[str, int]]) -> list[str]:
    """Return every layer violation and every circle, as lines to print."""
    found = layer_violations(graph)
    found += [f"circle: {' -> '.join(group)}" for group in cycles(graph)]
    return found


def dot(graph: dict[str, dict[str, int]]) -> Iterable[str]:
    yield "digraph calma {"
    yield "  rankdir=BT; node [shape=box, fontsize=10];"
    for app in LAYERS:
        yield f'  subgraph "cluster_{app}" {{ label="{app}";'
        for module in sorted(m for m in graph if app_of(m) == app):
            yield f'    "{module}";'
        yield "  }"
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            yield f'  "{source}" -> "{target}";'
    yield "}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="print every edge")
    parser.add_argument("--dot", action="store_true", help="print the graph for Graphviz")
    args = parser.parse_args(argv)
    graph = build_graph()
    if args.dot:
        print("\n".join(dot(graph)))
        return 0
    if args.edges:
        for source, targets in sorted(graph.items()):
            for target, line in sorted(targets.items()):
                print(f"{source}:{line} -> {target}")
        return 0
    found = problems(graph)
    for line in found:
        print(line)
    edges = sum(len(targets) for targets in graph.values())
    print(f"{len(graph)} modules, {edges} imports, {len(found)} problems", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
