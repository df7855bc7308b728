"""Only the site adapter talks to a site engine.

MkDocs 1.x is unmaintained and its successors differ (ProperDocs runs the plugin, Zensical runs none):
the model, the renderer, the cards, the exports and the review must not depend on any of them, so that
one engine can be swapped for another by changing generator/site alone. Checked twice: by reading the
imports of every module (inside functions too), and by running the commands that make no site and
looking at what they loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render import front_matter
from tests.sitekit import rolebook

PACKAGE = Path(__file__).parent.parent / "generator"
ENGINES = frozenset({"mkdocs", "material", "properdocs", "zensical"})
# generator/site's modules that map the site bundle onto MkDocs (and so ProperDocs) and run it
ADAPTER = frozenset(
    f"site/{name}.py"
    for name in (
        "plugin",
        "build",
        "serve",
        "mkdocs_mapping",
        "offline",
        "page_cache",
        "search_cache",
        "swap",
    )
)


def engine_imports(root: Path) -> dict[str, list[str]]:
    """Module (path under ``root``) -> the engine modules it imports, wherever the import stands."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            hits = [name for name in names if name.split(".")[0] in ENGINES]
            if hits:
                found.setdefault(path.relative_to(root).as_posix(), []).extend(hits)
    return found


def test_only_the_site_adapter_imports_an_engine() -> None:
    outside = {module: names for module, names in engine_imports(PACKAGE).items() if module not in ADAPTER}
    assert outside == {}
    assert "site/plugin.py" in engine_imports(PACKAGE)  # the check reads real imports


def test_the_check_finds_an_engine_import_anywhere(tmp_path: Path) -> None:
    """Positive control: imports inside a function, from a submodule and of Material are found."""
    (tmp_path / "render").mkdir()
    (tmp_path / "render" / "page.py").write_text(
        "def meta(text):\n    from mkdocs.utils.meta import get_data\n    return get_data(text)\n", "utf-8"
    )
    (tmp_path / "cards.py").write_text(
        "import material.plugins.search, yaml\nfrom . import mkdocs\n", "utf-8"
    )
    assert engine_imports(tmp_path) == {
        "cards.py": ["material.plugins.search"],
        "render/page.py": ["mkdocs.utils.meta"],
    }


# What each command that makes no site loaded, read in the process that ran it.
_PROBE = """
import json, sys
from generator.cli import cli
try:
    cli.main(sys.argv[2:], standalone_mode=False)
except SystemExit:
    pass
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[1])))
print("LOADED " + json.dumps(loaded))
"""


@pytest.fixture(scope="module")
def own_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("boundary")
    made = rolebook("init", "org", "--organization", "Boundary Test", cwd=root)
    assert made.returncode == 0, made.stderr
    project = root / "org"
    for step in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "x"],
    ):
        subprocess.run(["git", *step], cwd=project, check=True, capture_output=True)
    return project


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["cards", "-o", "cards.pdf"],
        ["export", "--format", "json", "-o", "playbook.json"],
        ["export", "--format", "xlsx", "-o", "raci.xlsx"],
        ["export", "--format", "markdown", "-o", "exported"],
        ["export", "--format", "zensical", "-o", "exported-for-zensical"],
        ["export", "--format", "rootly", "-o", "roles.tf.json"],
        ["diff", "HEAD"],
        ["schema"],
    ],
    ids=lambda command: "-".join(command[:3:2] if command[0] == "export" else command[:1]),
)
def test_commands_that_make_no_site_load_no_engine(own_project: Path, command: list[str]) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(sorted(ENGINES)), *command],
        cwd=own_project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    said = [line for line in ran.stdout.splitlines() if line.startswith("LOADED ")]
    assert said, ran.stderr[-2000:]
    assert json.loads(said[-1].removeprefix("LOADED ")) == []
    if command[0] in ("cards", "export") and command[-1] != "-":
        assert (own_project / command[-1]).exists(), ran.stderr[-2000:]  # the command did its work


def test_a_site_build_does_load_the_engine(own_project: Path) -> None:
    """Positive control for the probe: the build goes through MkDocs."""
    ran = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(sorted(ENGINES)), "build", "-d", "built"],
        cwd=own_project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert '"mkdocs"' in ran.stdout, ran.stderr[-2000:]


# The front matter is read as MkDocs reads it: the renderer's check of what a page may set there must
# see what MkDocs will see. Compared with MkDocs' own reader here (tests may import it).
_PAGES = [
    "---\nhide: [toc]\n---\n# Title\n",
    "---\nhide:\n  - navigation\n...\n\nText",
    "---  \ntitle: x\n---\t\nbody",
    "---\n- a list\n---\nbody",
    "---\n: not yaml [\n---\nbody",
    "---\nhide: [toc]\n",
    "Title: A page\nhide: toc\n    more\n\n# Heading",
    "title: one\ntitle: two\n\tcontinued\nnot a key line\n\nrest",
    "   key: three spaces\n\nrest",
    "    key: four spaces is code\n\nrest",
    "# Heading\ntitle: later\n",
    "\n\ntitle: after blank lines\n",
    "a:b\r\nc: d\r\n\r\nbody\r\nmore",
    "",
    "\n",
    "key:\n",
]


def _mkdocs_reads(text: str) -> tuple[str, dict[str, object]]:
    from mkdocs.utils.meta import get_data

    return get_data(text)


@pytest.mark.parametrize("text", _PAGES)
def test_front_matter_is_read_as_mkdocs_reads_it(text: str) -> None:
    assert front_matter.split(text) == _mkdocs_reads(text)


_piece = st.sampled_from(
    ["---", "...", "--- ", "\n", "\r\n", "\r", "    ", "\t", " ", "key", "Hide", "_x-1", ":", ": ", "[toc]",
     "- a", "# H", "{", "'", '"', "é", "\x85", "\u2028"]
)  # fmt: skip
_line = st.sampled_from(
    ["---", "...", "--- ", "", "hide: [toc]", "title: x", "Key: a: b", "    more", "\tmore", "- item", "# Title",
     "text", "x: [", "   k: v", "hide:", "  - toc"]
)  # fmt: skip
_page = st.one_of(
    st.lists(_piece, max_size=24).map("".join),
    st.tuples(st.lists(_line, max_size=10).map("\n".join), st.sampled_from(["", "\n", "\n\nbody\n"])).map(
        "".join
    ),
)


@settings(max_examples=400, deadline=None)
@given(_page)
def test_front_matter_agrees_with_mkdocs_on_generated_pages(text: str) -> None:
    assert front_matter.split(text) == _mkdocs_reads(text)
