"""One site bundle says what a playbook adds to a site; the plugin and the Markdown export both carry it out.

Real builds of the default project: what the bundle lists is what `rolebook build` publishes and what
`rolebook export --format markdown` writes, byte for byte, so neither can add or drop a file of its own.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
import yaml

from generator.core.model import SiteConfig
from generator.core.project import load_playbook
from generator.render.incident_assets import OFFLINE_JS_PATH
from generator.site.build import build_site
from generator.site.bundle import MARKDOWN_EXTENSIONS, make_bundle

from .sitekit import REPO_ROOT, copy_project, rolebook

PLUGIN = REPO_ROOT / "generator" / "site" / "plugin.py"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | bytes], list[str]]:
    """The default project, its bundle's files (cards laid out) and its brand files' paths."""
    project = copy_project(tmp_path_factory.mktemp("bundle") / "project")
    bundle = make_bundle(project, load_playbook(project), site_url="https://example.org/playbook/")
    bundle.wait_for_cards()
    return project, dict(bundle.files), sorted(bundle.brand_files)


def _page_html(path: str) -> str:
    stem = path.removesuffix(".md")
    return "index.html" if stem == "index" else f"{stem.removesuffix('/index')}/index.html"


def test_the_built_site_publishes_exactly_the_bundle(
    made: tuple[Path, dict[str, str | bytes], list[str]],
) -> None:
    project, files, _ = made
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    for path, content in files.items():
        if path.endswith(".md"):
            assert (site / _page_html(path)).is_file(), path
        else:  # assets, downloads and cards: the same bytes
            data = content.encode() if isinstance(content, str) else content
            assert (site / path).read_bytes() == data, path
    pages = {p.relative_to(site).as_posix() for p in site.rglob("index.html")}
    own = [p.relative_to(project / "docs").as_posix() for p in (project / "docs").rglob("*.md")]
    assert own  # the project's own pages are published beside the bundle's, and nothing else is
    assert pages == {_page_html(p) for p in [*own, *(p for p in files if p.endswith(".md"))]}


def test_the_markdown_export_writes_exactly_the_bundle(
    made: tuple[Path, dict[str, str | bytes], list[str]], tmp_path: Path
) -> None:
    project, files, brand = made
    result = rolebook("export", "--format", "markdown", "-o", str(tmp_path / "md"), cwd=project)
    assert result.returncode == 0, result.stderr
    docs = tmp_path / "md" / "docs"
    written = {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}
    own = {p.relative_to(project / "docs").as_posix() for p in (project / "docs").rglob("*") if p.is_file()}
    # all but the bootstrap that registers the service worker: the export is built without rolebook, so
    # without a worker, and lists incident mode's script itself
    assert OFFLINE_JS_PATH in files
    assert set(written) == (set(files) - {OFFLINE_JS_PATH}) | set(brand) | own
    for path, content in files.items():
        if path == OFFLINE_JS_PATH:
            continue
        assert written[path] == (content.encode() if isinstance(content, str) else content), path
    config = yaml.safe_load((tmp_path / "md" / "mkdocs.yml").read_text("utf-8"))
    names = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    assert names == [name for name, _ in MARKDOWN_EXTENSIONS]
    assert config["extra_css"][0] == "assets/rolebook.css"


def test_brand_files_and_settings_reach_the_site(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    (project / "brand").mkdir()
    (project / "brand" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    (project / "brand" / "extra.css").write_text(".md-header { border: 0; }\n", "utf-8")
    config = project / "site_config" / "playbook.yaml"
    text = config.read_text("utf-8")
    assert "branding:" not in text
    config.write_text(
        text + "branding:\n  logo: brand/logo.svg\n  extra_css: [brand/extra.css]\n"
        "  palette: {primary: teal, accent: amber}\n",
        "utf-8",
    )
    bundle = make_bundle(project, load_playbook(project))
    bundle.cancel()
    assert sorted(bundle.brand_files) == ["assets/brand/brand/extra.css", "assets/brand/brand/logo.svg"]
    assert bundle.extra_css == ["assets/rolebook.css", "assets/brand/brand/extra.css"]
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    index = (project / "site" / "index.html").read_text("utf-8")
    assert 'href="assets/brand/brand/extra.css"' in index and 'data-md-color-primary="teal"' in index
    assert (project / "site" / "assets" / "brand" / "brand" / "logo.svg").is_file()


def test_a_page_at_a_generated_path_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    (project / "docs" / "raci.md").write_text("# mine\n", "utf-8")
    with pytest.raises(
        Exception, match=r"docs/raci\.md:1:1: error: has the same path as a page rolebook generates"
    ):
        make_bundle(project, load_playbook(project), project / "docs")


def test_the_plugin_only_maps_events() -> None:
    """At most 120 lines, and no module-level state: a build hands its playbook to the plugin instance."""
    text = PLUGIN.read_text("utf-8")
    assert len(text.splitlines()) <= 120
    tree = ast.parse(text)
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Global)]
    assigned = [t.id for n in tree.body if isinstance(n, ast.Assign | ast.AnnAssign) for t in _targets(n)]
    assert assigned == ["log"]


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.Name]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [t for t in targets if isinstance(t, ast.Name)]


def test_a_given_playbook_is_used_for_its_own_project_only(tmp_path: Path) -> None:
    """Two builds in one process: the playbook validated for the first project never reaches the second."""
    first, second = copy_project(tmp_path / "a"), copy_project(tmp_path / "b")
    playbook = load_playbook(first)
    renamed = dataclasses.replace(
        playbook,
        config=SiteConfig.model_validate(
            {**playbook.config.model_dump(mode="json"), "title": "First Org Playbook"}
        ),
    )
    build_site(first, tmp_path / "site-a", renamed)
    build_site(second, tmp_path / "site-b")
    assert "First Org" in (tmp_path / "site-a" / "index.html").read_text("utf-8")
    assert "First Org" not in (tmp_path / "site-b" / "index.html").read_text("utf-8")


def test_the_markdown_export_refuses_a_page_at_a_generated_path_too(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    (project / "docs" / "raci.md").write_text("# My RACI\n", "utf-8")
    for args in (["build"], ["export", "--format", "markdown", "-o", str(tmp_path / "md")]):
        result = rolebook(*args, cwd=project)
        assert result.returncode == 1, args
        assert "docs/raci.md:1:1: error: has the same path as a page rolebook generates" in result.stderr, (
            args
        )
    assert not (tmp_path / "md").exists()
