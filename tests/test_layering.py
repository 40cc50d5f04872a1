"""The package layers: each imports only lower ones, and no module takes another's private names.

asnkit is layered bottom-up (the house style of the developers' guide)::

    dms, errors, atomic, version  <  pool  <  rules  <  engine  <  documents
    <  generation  <  sky  <  widgets, accessor, cli, asnkit

Every ``import`` counts, at module level or inside a function (a deferred import
is still a dependency). Run ``python -m pytest tests/test_layering.py -s`` to see
the import graph between packages that the test checks.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import asnkit

PACKAGE = Path(asnkit.__file__).resolve().parent

#: Layer of each top-level part of asnkit (a package, or a module of the root).
LAYERS: dict[str, int] = {
    "dms": 0,
    "errors": 0,
    "atomic": 0,
    "version": 0,
    "deprecation": 0,
    "lazy": 0,
    "data": 0,
    "pool": 1,
    "rules": 2,
    "engine": 3,
    "documents": 4,
    "generation": 5,
    "sky": 6,
    "batch": 6,  # generate_many: many pools, writes folders (above generation)
    "widgets": 7,
    "accessor": 7,
    "cli": 7,
    "__main__": 8,
    "asnkit": 8,  # asnkit/__init__.py: the public names, imported on first use
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _part(module: str) -> str:
    """The top-level part of asnkit a module belongs to (``asnkit.engine.state`` -> engine)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "asnkit"


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports() -> list[tuple[str, str, str | None, int]]:
    """(importing module, imported module, imported name or None, line) of every asnkit import."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "asnkit":
                        out.append((module, alias.name, None, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, node, path.name == "__init__.py")
                if target.split(".")[0] != "asnkit":
                    continue
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    if (PACKAGE.parent / Path(*submodule.split("."))).with_suffix(
                        ".py"
                    ).exists() or (
                        PACKAGE.parent / Path(*submodule.split(".")) / "__init__.py"
                    ).exists():
                        out.append((module, submodule, None, node.lineno))  # a module
                    else:
                        out.append((module, target, alias.name, node.lineno))
    return out


IMPORTS = _imports()


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for importer, imported, _, _ in IMPORTS:
        a, b = _part(importer), _part(imported)
        if a != b:
            graph[a].add(b)
    return graph


def _render(graph: dict[str, set[str]]) -> str:
    order = sorted(graph, key=lambda part: (LAYERS.get(part, 99), part))
    lines = ["import graph between the parts of asnkit (layer: part -> what it imports):"]
    for part in order:
        targets = sorted(graph[part], key=lambda p: (LAYERS.get(p, 99), p))
        lines.append(f"  {LAYERS.get(part, '?')}: {part} -> {', '.join(targets)}")
    return "\n".join(lines)


def test_every_part_has_a_layer():
    parts = {_part(_module_name(path)) for path in PACKAGE.rglob("*.py")}
    assert parts <= set(LAYERS), f"give these a layer in LAYERS: {sorted(parts - set(LAYERS))}"


def test_lower_layers_never_import_higher_ones():
    graph = _graph()
    print("\n" + _render(graph))
    upward = [
        f"{importer} (line {line}) imports {imported}"
        for importer, imported, _, line in IMPORTS
        if LAYERS[_part(importer)] < LAYERS[_part(imported)]
    ]
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_no_cycle_between_packages():
    graph = _graph()
    seen: set[str] = set()
    stack: list[str] = []

    def visit(part: str) -> None:
        if part in stack:
            raise AssertionError("cycle: " + " -> ".join([*stack[stack.index(part) :], part]))
        if part in seen:
            return
        stack.append(part)
        for nxt in sorted(graph.get(part, ())):
            visit(nxt)
        stack.pop()
        seen.add(part)

    for part in sorted(graph):
        visit(part)


def test_dms_imports_nothing_else_from_asnkit():
    outside = {imported for importer, imported, _, _ in IMPORTS if _part(importer) == "dms"}
    assert {_part(m) for m in outside} <= {"dms"}, sorted(outside)


def test_no_private_name_imported_from_another_module():
    private = [
        f"{importer} (line {line}) imports {name} from {imported}"
        for importer, imported, name, line in IMPORTS
        if name is not None
        and name.startswith("_")
        and not name.startswith("__")
        and imported != importer
    ]
    assert not private, "private names used across modules:\n" + "\n".join(private)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("from asnkit.engine.state import AsnState\n", "imports against the layers"),
        ("from asnkit.pool.read import _junk\n", "private names"),
    ],
)
def test_the_checks_catch_a_bad_import(monkeypatch, source, message):
    """A lower-layer module importing upward, or a private name, fails the checks."""
    monkeypatch.setattr(
        "tests.test_layering.IMPORTS",
        [*IMPORTS, *_probe_imports(source, "asnkit.dms._layering_probe")],
    )
    with pytest.raises(AssertionError, match=message):
        if message.startswith("imports"):
            test_lower_layers_never_import_higher_ones()
        else:
            test_no_private_name_imported_from_another_module()


def _probe_imports(source: str, module: str) -> list[tuple[str, str, str | None, int]]:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ImportFrom) and node.module
    return [(module, node.module, alias.name, 1) for alias in node.names]
