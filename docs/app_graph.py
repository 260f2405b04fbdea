"""The dependency graph of the apps under ``danvan/``, as the code has it today.

    .venv/bin/python docs/app_graph.py [--details] [--tests]

Reads every ``.py`` file of every app (its tests apart, unless ``--tests``; migrations included),
finds the imports of other apps' modules, and prints for each app the apps it imports, each marked
by how: ``module`` (at module level, so it runs when the module is imported), ``function`` (inside a
function: usually to dodge a cycle at import time) and ``typing`` (under ``if TYPE_CHECKING:``
only), and the models' foreign keys to another app's model (``relation``: no import shows them).
Then the cycles between apps (without and with the relations; typing imports never count), and
every import or relation that breaks the layer order of ``layers.toml`` (the target contract): an app
importing one above it, or a sibling of its own layer that it must not know. ``--details`` lists
each import (file, line, module imported) under its edge. It reads source only: no Django set-up,
no database. ``docs/layers.md`` is written from its output.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "danvan"
CONTRACT = ROOT / "layers.toml"


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name of the file that imports
    imported: str  # dotted module name imported (as written, resolved if relative)
    line: int
    how: str  # "module", "function", "typing" or "relation" (a model's foreign key)

    @property
    def source_app(self) -> str:
        return self.importer.split(".")[1]

    @property
    def target_app(self) -> str:
        return self.imported.split(".")[1]


def apps() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


KINDS = ("module", "function", "typing", "relation")
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def relation_target(node: ast.AST) -> str | None:
    """``"insight.Issue"`` for ``models.ForeignKey("insight.Issue", ...)``: a dependency between
    apps that no import shows (``settings.AUTH_USER_MODEL`` is left out: swappable by design)."""
    if not isinstance(node, ast.Call):
        return None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if name not in RELATION_FIELDS:
        return None
    target = (
        node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "to"), None)
    )
    if isinstance(target, ast.Constant) and isinstance(target.value, str) and "." in target.value:
        return target.value
    return None


def file_imports(path: Path, *, relations: bool = True) -> list[Import]:
    """Every import of a ``danvan`` module in one file, with where it stands, and (``relations``)
    every model relation to another app's model, as ``how="relation"``."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, how: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for item in child.body:
                    visit_one(item, "typing")
                for item in child.orelse:
                    visit_one(item, how)
            else:
                visit_one(child, how)

    def visit_one(node: ast.AST, how: str) -> None:
        names: list[str] = []
        related = relation_target(node) if relations else None
        if related:
            found.append(Import(module, f"danvan.{related}", node.lineno, "relation"))
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base)
                if node.module:
                    names = [f"{prefix}.{node.module}"]
                else:
                    names = [f"{prefix}.{alias.name}" for alias in node.names]
            elif node.module == "danvan":
                names = [f"danvan.{alias.name}" for alias in node.names]
            elif node.module:
                names = [node.module]
        for name in names:
            if name.startswith("danvan."):
                found.append(Import(module, name, getattr(node, "lineno", 0), how))
        # What a function's body imports is imported when it runs, not with the module.
        inside = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and how == "module"
        visit(node, "function" if inside else how)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), "module")
    return found


def all_imports(with_tests: bool) -> list[Import]:
    result: list[Import] = []
    for app in apps():
        for path in sorted((PACKAGE / app).rglob("*.py")):
            parts = path.relative_to(PACKAGE / app).parts
            if "tests" in parts and not with_tests:
                continue
            result.extend(
                imp
                # A migration's relations repeat its models'.
                for imp in file_imports(path, relations="migrations" not in parts)
                if imp.target_app in apps() and imp.target_app != imp.source_app
            )
    return result


def layer_of() -> dict[str, int]:
    """App → index of its layer in the target contract, 0 at the bottom."""
    contracts = tomllib.loads(CONTRACT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in contracts["contracts"] if c["type"] == "layers")["layers"]
    index: dict[str, int] = {}
    for position, layer in enumerate(reversed(layers)):
        for name in layer.replace("|", " ").replace(":", " ").split():
            index[name.strip("()")] = position
    return index


def independent_pairs() -> set[frozenset[str]]:
    """Pairs of apps that must not import each other: same layer with ``|``, or an
    ``independence`` contract."""
    contracts = tomllib.loads(CONTRACT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    pairs: set[frozenset[str]] = set()
    for contract in contracts["contracts"]:
        groups: list[list[str]] = []
        if contract["type"] == "layers":
            groups = [layer.split("|") for layer in contract["layers"] if "|" in layer]
        elif contract["type"] == "independence":
            groups = [contract["modules"]]
        for group in groups:
            names = [name.strip(" ()").removeprefix("danvan.") for name in group]
            pairs |= {frozenset((a, b)) for a in names for b in names if a != b}
    return pairs


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def print_cycles(title: str, by_edge: dict[tuple[str, str], list[Import]], kinds: set[str]) -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for (source, target), found in by_edge.items():
        if any(imp.how in kinds for imp in found):
            edges[source].add(target)
    print(f"\n# cycles between apps, counting {title}")
    for component in cycles(edges) or [["none"]]:
        print("  " + " <-> ".join(component))
        pairs = [
            f"{a} <-> {b}"
            for a in component
            for b in component
            if a < b and b in edges[a] and a in edges[b]
        ]
        if pairs:
            print("    both ways: " + "; ".join(pairs))


def print_table(by_edge: dict[tuple[str, str], list[Import]], layer: dict[str, int]) -> None:
    """The graph as a Markdown table, top layer first: for each app, the apps it uses and how
    many times, by kind."""
    print("| app | imports at module level (or for typing) | only inside functions | relations |")
    print("|---|---|---|---|")
    for app in sorted(apps(), key=lambda a: (-layer.get(a, -1), a)):
        cells = []
        for kinds in ({"module", "typing"}, {"function"}, {"relation"}):
            uses = []
            for (source, target), found in sorted(
                by_edge.items(), key=lambda item: (-layer.get(item[0][1], -1), item[0][1])
            ):
                count = sum(imp.how in kinds for imp in found)
                if source == app and count:
                    uses.append(f"{target} {count}")
            cells.append(", ".join(uses))
        print(f"| `{app}` | " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="list every import of each edge")
    parser.add_argument("--tests", action="store_true", help="count the apps' tests too")
    parser.add_argument(
        "--markdown", action="store_true", help="only the graph, as a table for docs/layers.md"
    )
    args = parser.parse_args()

    imports = all_imports(args.tests)
    by_edge: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for imp in imports:
        by_edge[(imp.source_app, imp.target_app)].append(imp)
    layer = layer_of()
    siblings = independent_pairs()

    def label(edge: tuple[str, str]) -> str:
        counts: dict[str, int] = defaultdict(int)
        for imp in by_edge[edge]:
            counts[imp.how] += 1
        return ", ".join(f"{how} {counts[how]}" for how in KINDS if counts[how])

    if args.markdown:
        print_table(by_edge, layer)
        return 0
    print(
        "# app -> apps it uses: import statements at module level, in functions, under"
        " TYPE_CHECKING only (typing); model relations (relation)"
    )
    for app in sorted(apps(), key=lambda a: (layer.get(a, -1), a)):
        targets = sorted((t for s, t in by_edge if s == app), key=lambda t: (layer.get(t, -1), t))
        print(f"\n{app} (layer {layer.get(app, '?')})")
        for target in targets or []:
            print(f"  -> {target}: {label((app, target))}")
            if args.details:
                for imp in by_edge[(app, target)]:
                    print(f"       {imp.importer}:{imp.line} {imp.how} {imp.imported}")

    for title, kinds in (
        (
            "imports at module level or in functions: what import-linter sees",
            {"module", "function"},
        ),
        ("the same and the models' relations", {"module", "function", "relation"}),
    ):
        print_cycles(title, by_edge, kinds)

    print("\n# imports and relations that break the target contract (layers.toml)")
    broken = 0
    for (source, target), found in sorted(by_edge.items()):
        upward = layer.get(target, -1) > layer.get(source, -1)
        sibling = frozenset((source, target)) in siblings
        if not (upward or sibling):
            continue
        why = "upward" if upward else "sibling"
        print(f"\n{source} -> {target} ({why}: {label((source, target))})")
        for imp in found:
            broken += 1
            print(f"  {imp.importer}:{imp.line} {imp.how} {imp.imported}")
    print(f"\n{broken} imports and relations break the target contract")
    totals = ", ".join(f"{how} {sum(imp.how == how for imp in imports)}" for how in KINDS)
    print(f"between apps in all: {totals}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
