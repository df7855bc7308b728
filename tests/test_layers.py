"""generator/ is layered: each package imports only from its own layer and those below it, and no
module imports another that (directly or not) imports it back. Imports inside functions and under
``TYPE_CHECKING`` count: they are arrows all the same.

    errors, diagnostics, cache, output   the base every layer may use
    core/        loading, the model, overlays, rules, the project read into a Playbook
    render/      the one renderer: Playbook -> {path: text}, the Jinja sandbox, card HTML
    cards/       quick cards as PDF
    exports/     CSV, XLSX, JSON, the JSON Schemas
    review/      diffs, git revisions, the pull-request report, review cadence
    site/        the site bundle, the MkDocs plugin, build and serve, the Markdown export
    newproject/  rolebook init
    commands     what the commands that span layers do (validate, build, cards, export)
    cli          the command line, on top
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "generator"
LAYERS = (
    ("errors", "diagnostics", "cache", "output"),
    ("core",),
    ("render",),
    ("cards",),
    ("exports",),
    ("review",),
    ("site",),
    ("newproject",),
    ("commands",),
    ("cli",),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The generator modules that ``path`` imports, wherever the import statement stands."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in modules and t != name}
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: _imports(path, set(paths)) for name, path in paths.items()}


def _layer(module: str) -> str:
    return module.split(".")[1] if "." in module else "generator"


def test_every_package_has_a_layer() -> None:
    layers = {_layer(m) for m in _graph()} - {"generator"}
    assert layers - set(RANK) == set(), "a new package or top-level module needs a place in LAYERS"


def test_imports_only_go_down() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if module != "generator"
        for target in targets
        if target != "generator" and RANK[_layer(target)] > RANK[_layer(module)]
    )
    assert upward == []


def test_no_import_circle() -> None:
    graph = _graph()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert [" -> ".join(c) for c in circles] == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("generator.core.playbook", "generator.review.diff"),
        ("generator.render.renderer", "generator.exports.formats"),
    ],
)
def test_the_checks_see_an_upward_import(importer: str, imported: str) -> None:
    """The arrows the architecture issue named are gone, and the check would see them."""
    graph = _graph()
    assert imported not in graph[importer]
    assert RANK[_layer(imported)] > RANK[_layer(importer)]
