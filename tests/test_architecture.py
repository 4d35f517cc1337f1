"""The layer rules of docs/architecture.md, read from the imports with ``ast``.

A newcomer learns the design from the folder names; these tests keep the folders honest:
no import cycles, imports run downwards only, Scrapy and Twisted only in the crawl-facing
packages, the store imports nothing above the bottom layer, and no private module or name
is used from another package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOTS = ("linkcrawl", "spiders", "pipelines")
BOTTOM = {"linkcrawl", "linkcrawl.items", "linkcrawl.verdict", "linkcrawl.vocab",
          "linkcrawl.keys", "linkcrawl.text", "linkcrawl.errors", "linkcrawl.config"}
# Layer of each package: a module imports only from its own package or a lower layer.
LAYERS = {
    "bottom": 0, "linkcrawl.web": 1, "linkcrawl.classify": 2, "linkcrawl.navigate": 2,
    "linkcrawl.analysis": 3, "linkcrawl.store": 4, "linkcrawl.history": 5,
    "linkcrawl.report": 6, "linkcrawl.crawl": 6, "linkcrawl.sources": 6, "linkcrawl.ops": 7,
    "linkcrawl.cli": 8, "spiders": 8, "pipelines": 8,
}
FRAMEWORKS = ("scrapy", "twisted", "scrapy_playwright", "scrapy_redis", "playwright")
FRAMEWORK_PACKAGES = ("linkcrawl.crawl", "linkcrawl.ops", "linkcrawl.cli", "spiders",
                      "pipelines")
STORE_MAY_IMPORT = {"linkcrawl.keys", "linkcrawl.vocab", "linkcrawl.errors", "linkcrawl"}


def _modules() -> dict[str, Path]:
    found = {}
    for root in ROOTS:
        for path in sorted((REPO / root).rglob("*.py")):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(name: str) -> Iterator[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import of module ``name``,
    TYPE_CHECKING blocks included (they are imports a reader follows too)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".")
                if not _is_package(name):
                    parts = parts[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            names = [a.name for a in node.names]
            submodules = [n for n in names if f"{base}.{n}" in MODULES]
            for sub in submodules:  # `from pkg import module` imports the module
                yield f"{base}.{sub}", []
            rest = [n for n in names if n not in submodules]
            if rest or not submodules:
                yield base, rest


def _internal(target: str) -> str | None:
    """The project module ``target`` names, or None for third-party and stdlib."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _package(name: str) -> str:
    if name in BOTTOM:
        return "bottom"
    for package in sorted(LAYERS, key=len, reverse=True):
        if name == package or name.startswith(package + "."):
            return package
    raise AssertionError(f"{name} is in no package of the layer table")


GRAPH = {
    name: {t for imported, _ in _imports(name) if (t := _internal(imported)) and t != name}
    for name in MODULES
}


def test_every_module_has_a_layer() -> None:
    for name in MODULES:
        assert _package(name) in LAYERS


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_imports_run_downwards() -> None:
    wrong = []
    for name, targets in GRAPH.items():
        mine = _package(name)
        for target in targets:
            theirs = _package(target)
            if theirs != mine and LAYERS[theirs] >= LAYERS[mine]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_frameworks_only_in_crawl_facing_packages(name: str) -> None:
    if _package(name) in FRAMEWORK_PACKAGES:
        return
    used = sorted({imported for imported, _ in _imports(name)
                   if imported.split(".")[0] in FRAMEWORKS})
    assert used == [], f"{name} imports {used}"


def test_store_imports_only_the_bottom_layer() -> None:
    for name, targets in GRAPH.items():
        if _package(name) != "linkcrawl.store":
            continue
        above = sorted(t for t in targets
                       if _package(t) != "linkcrawl.store" and t not in STORE_MAY_IMPORT)
        assert above == [], f"{name} imports {above}"


def test_no_private_names_across_packages() -> None:
    crossing = []
    for name in MODULES:
        for imported, names in _imports(name):
            target = _internal(imported)
            if target is None or _package(target) == _package(name):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if any(part.startswith("_") and part != "__init__" for part in target.split(".")):
                private.append(target)
            crossing.extend(f"{name} -> {target}:{n}" for n in private)
    assert crossing == []


def test_the_rules_catch_a_cycle() -> None:
    """The cycle finder sees a cycle through two modules (so a passing run means something)."""
    saved = {k: set(v) for k, v in GRAPH.items()}
    try:
        GRAPH["linkcrawl.web.urls"].add("linkcrawl.web.domains")
        GRAPH["linkcrawl.web.domains"].add("linkcrawl.web.urls")
        assert ["linkcrawl.web.domains", "linkcrawl.web.urls"] in _cycles()
    finally:
        GRAPH.clear()
        GRAPH.update(saved)
