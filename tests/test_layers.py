"""generator/ is layered: each package imports only from its own layer and those below it, and no
module imports another that (directly or not) imports it back. Imports inside functions and under
``TYPE_CHECKING`` count: they are arrows all the same.

    errors, diagnostics, cache, output, dates   the base every layer may use
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
    ("errors", "diagnostics", "cache", "output", "dates"),
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


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path, modules: set[str]) -> set[str]:
    """The package's modules that ``path`` imports, wherever the import statement stands."""
    name = _module_name(path, root)
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


def _graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    paths = {_module_name(p, root): p for p in root.rglob("*.py")}
    return {name: _imports(path, root, set(paths)) for name, path in paths.items()}


def _layer(module: str) -> str:
    return module.split(".")[1] if "." in module else "generator"


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module != "generator"
        for target in targets
        if target != "generator" and RANK[_layer(target)] > RANK[_layer(module)]
    )


def import_circles(graph: dict[str, set[str]]) -> list[str]:
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
    return [" -> ".join(c) for c in circles]


def test_every_package_has_a_layer() -> None:
    layers = {_layer(m) for m in _graph()} - {"generator"}
    assert layers - set(RANK) == set(), "a new package or top-level module needs a place in LAYERS"


def test_imports_only_go_down() -> None:
    assert upward_imports(_graph()) == []


def test_no_import_circle() -> None:
    assert import_circles(_graph()) == []


def test_no_import_by_name_goes_around_the_check() -> None:
    """importlib and __import__ with a module name would import unseen by the checks above."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and any(
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and arg.value.startswith("generator")
                for arg in node.args
            ):
                called = ast.unparse(node.func)
                if called.endswith(("import_module", "__import__")):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert found == []


def test_the_checks_find_an_upward_import_and_a_circle(tmp_path: Path) -> None:
    """Positive control: a small package with one import up (inside a function) and one circle."""
    root = tmp_path / "generator"
    files = {
        "__init__.py": "",
        "errors.py": "",
        "core/__init__.py": "",
        "core/model.py": "def later():\n    from generator.site import bundle\n",
        "core/a.py": "from . import b\n",
        "core/b.py": "from generator.core.a import something\n",
        "site/__init__.py": "",
        "site/bundle.py": "from generator.core import model\nfrom ..errors import Problem\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    graph = _graph(root)
    assert graph["generator.site.bundle"] == {"generator.core", "generator.core.model", "generator.errors"}
    assert upward_imports(graph) == [
        "generator.core.model imports generator.site",
        "generator.core.model imports generator.site.bundle",
    ]
    assert import_circles(graph) == [
        "generator.core.a -> generator.core.b -> generator.core.a",
        "generator.core.model -> generator.site.bundle -> generator.core.model",
    ]


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("generator.core.playbook", "generator.review.diff"),  # the model imported the diff
        ("generator.render.renderer", "generator.exports.formats"),  # for one constant
        ("generator.site.plugin", "generator.site.build"),  # the old circle: build -> plugin -> build
        ("generator.cards.pdf", "generator.site.build"),  # and plugin -> cards -> build
    ],
)
def test_the_arrows_the_issue_named_are_gone(importer: str, imported: str) -> None:
    graph = _graph()
    assert imported not in graph[importer]
    assert "generator.commands" in graph["generator.cli"]  # while the graph sees real imports
