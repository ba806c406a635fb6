"""The package graph of src/sxr has no cycle, and no package imports one above it (docs/architecture.md).

The graph is read from the source, not from what happens to be imported at run time: every `import sxr.X`,
`from sxr.X... import`, `from sxr import X` and relative import in a file under `src/sxr/Y/` (or in
`src/sxr/Y.py`) is an edge Y -> X, wherever it stands (a function-level import hides a cycle from Python,
not from this test).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "sxr"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


@dataclass
class PackageGraph:
    """Edges between top-level packages of sxr, each with the lines that make it."""

    packages: set[str] = field(default_factory=set)
    edges: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    why: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, source: str, target: str, where: str) -> None:
        if source != target:
            self.edges[source].add(target)
            self.why[(source, target)].append(where)


def _imported(node: ast.Import | ast.ImportFrom, module: list[str], is_package: bool) -> list[str]:
    """The dotted names an import statement in `module` brings in."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        # `from . import x` in a module means its own package; in an __init__ it means the package itself.
        base = module if is_package else module[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join([*base, *([node.module] if node.module else [])])
    else:
        prefix = node.module or ""
    # `from sxr import staff` names a package; `from sxr.staff import views` names a module of it.
    return [f"{prefix}.{alias.name}" for alias in node.names] if prefix == "sxr" else [prefix]


def package_graph(source: Path) -> PackageGraph:
    """The graph between the top-level packages (and modules) of the `sxr` tree at `source`."""
    graph = PackageGraph()
    for path in sorted(source.rglob("*.py")):
        relative = path.relative_to(source)
        if relative == Path("__init__.py"):
            continue
        package = relative.parts[0].removesuffix(".py")
        graph.packages.add(package)
        is_package = path.name == "__init__.py"
        module = ["sxr", *relative.with_suffix("").parts]
        if is_package:
            module = module[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported(node, module, is_package):
                parts = name.split(".")
                if parts[0] == "sxr" and len(parts) > 1:
                    graph.add(package, parts[1], f"src/sxr/{relative}:{node.lineno} imports {name}")
    return graph


def cycles(graph: PackageGraph) -> list[list[str]]:
    """One cycle (as a closed path) for each strongly connected group of more than one package."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan; the graph has a few dozen nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph.packages | set(graph.edges)):
        if node not in index:
            visit(node)
    return [_a_cycle_in(graph, group) for group in groups]


def _a_cycle_in(graph: PackageGraph, group: set[str]) -> list[str]:
    start = min(group)
    # Breadth-first from `start` back to itself, inside the group: the shortest cycle through it.
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph.edges[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {sorted(group)}")


def describe(graph: PackageGraph, cycle: list[str]) -> str:
    lines = [" -> ".join(cycle)]
    for source, target in pairwise(cycle):
        lines.append(f"  {source} -> {target}:")
        lines += [f"    {where}" for where in graph.why[(source, target)][:5]]
    return "\n".join(lines)


def documented_layers(text: str) -> list[tuple[str, list[str]]]:
    """The layers of docs/architecture.md's "Layer order" block, lowest first: (name, packages)."""
    section = text.split("## Layer order", 1)[1]
    block = re.search(r"```text\n(.*?)```", section, re.DOTALL)
    assert block is not None, "docs/architecture.md: no ```text block under ## Layer order"
    layers = []
    for line in block.group(1).strip().splitlines():
        name, _, packages = line.partition(":")
        layers.append((name.strip(), [p.strip() for p in packages.split(",") if p.strip()]))
    return list(reversed(layers))


def test_the_package_graph_has_no_cycle() -> None:
    graph = package_graph(SOURCE)
    found = cycles(graph)
    assert not found, "package cycles in src/sxr (see docs/architecture.md):\n" + "\n".join(
        describe(graph, cycle) for cycle in found
    )


def test_every_package_imports_only_its_own_layer_or_below() -> None:
    graph = package_graph(SOURCE)
    layers = documented_layers(ARCHITECTURE.read_text(encoding="utf-8"))
    layer_of = {package: level for level, (_name, packages) in enumerate(layers) for package in packages}
    listed = [package for _name, packages in layers for package in packages]
    assert len(listed) == len(set(listed)), "docs/architecture.md lists a package in two layers"
    unlisted = sorted(graph.packages - set(layer_of))
    assert not unlisted, f"add {unlisted} to the layer order in docs/architecture.md"
    upward = [
        f"{source} ({layers[layer_of[source]][0]}) -> {target} ({layers[layer_of[target]][0]}):\n    "
        + "\n    ".join(graph.why[(source, target)][:5])
        for source in sorted(graph.edges)
        for target in sorted(graph.edges[source])
        if target in layer_of and layer_of[target] > layer_of[source]
    ]
    assert not upward, "imports that point up a layer (docs/architecture.md):\n" + "\n".join(upward)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "sxr" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "sxr"


def test_a_cycle_is_found_and_named_with_its_lines(tmp_path: Path) -> None:
    source = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "cases/__init__.py": "",
            "cases/views.py": "def page():\n    from sxr.evidence.services import add\n",
            "evidence/__init__.py": "",
            "evidence/services.py": "from ..cases import models\nfrom sxr import clock\n",
            "cases/models.py": "import sxr.clock\n",
            "clock.py": "",
        },
    )
    graph = package_graph(source)
    assert dict(graph.edges) == {"cases": {"evidence", "clock"}, "evidence": {"cases", "clock"}}
    [cycle] = cycles(graph)
    assert cycle == ["cases", "evidence", "cases"]
    text = describe(graph, cycle)
    assert "src/sxr/cases/views.py:2 imports sxr.evidence.services" in text
    assert "src/sxr/evidence/services.py:1 imports sxr.cases" in text


def test_the_layer_block_is_read_lowest_first() -> None:
    text = "## Layer order\n\n```text\ntop: app\nbottom: config, db\n```\n"
    assert documented_layers(text) == [("bottom", ["config", "db"]), ("top", ["app"])]
