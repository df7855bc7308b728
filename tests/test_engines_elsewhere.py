"""The playbook where MkDocs' plugin does not run as under MkDocs, on a real organization's own roles:

- Zensical, which runs no third-party plugin, builds `rolebook export --format zensical`: every part of the
  site (pages, RACI, role map, downloads, cards, styles), links that lead where they should.
- Backstage TechDocs builds with mkdocs-techdocs-core beside the plugin (in a virtual environment of its
  own, as Backstage's generator has: techdocs-core pins its own Material), and its reader, which drops
  every script and <style> element of a page, leaves pages a responder can still work from.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from tests.foreign import OWN_ROLES, make_foreign_playbook
from tests.sitekit import launched_chromium, needs_chromium, rolebook, soup, static_server

REPO = Path(__file__).parent.parent
MOUNT = "a/b/"  # the site is served below a path, as an internal site often is: no link may climb out
_URL = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.IGNORECASE)


def broken_links(site: Path) -> list[str]:
    """Every relative href and src of every page that does not lead to a file of the site (404.html, whose
    links start from site_url by design, aside)."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel == "404.html":
            continue
        here = posixpath.dirname(f"/{MOUNT}{rel}")
        for node in LexborHTMLParser(page.read_text("utf-8")).css("[href], [src]"):
            for attr in ("href", "src"):
                value = node.attributes.get(attr) or ""
                path = unquote(urlsplit(value).path)
                if not path or _URL.match(value):
                    continue
                target = posixpath.normpath(posixpath.join(here, path))
                inside = f"{target}/".startswith(f"/{MOUNT}")
                file = site / f"{target}/".removeprefix(f"/{MOUNT}")
                if not inside or not (file.is_file() or (file / "index.html").is_file()):
                    broken.append(f"{rel}: {value}")
    return broken


def foreign_resources(site: Path) -> list[str]:
    """What a page would fetch from another host: stylesheets, scripts, images, frames, fonts."""
    found = []
    for page in sorted(site.rglob("*.html")):
        tree = LexborHTMLParser(page.read_text("utf-8"))
        for node in tree.css("link[href], script[src], img[src], iframe[src], source[src]"):
            value = node.attributes.get("href") or node.attributes.get("src") or ""
            rel = (node.attributes.get("rel") or "").lower()
            if node.tag == "link" and rel in ("canonical", "alternate", "prev", "next"):
                continue  # addresses of pages, not fetched
            if _URL.match(value) and not value.startswith("data:"):
                found.append(f"{page.relative_to(site)}: {value}")
    return found


def run(*command: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def northwind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_foreign_playbook(tmp_path_factory.mktemp("elsewhere"))


def _export(project: Path, fmt: str, target: Path) -> Path:
    said = rolebook("export", "--format", fmt, "-o", str(target), cwd=project)
    assert said.returncode == 0, said.stderr
    return target


def _zensical_build(project: Path) -> Path:
    built = run(str(Path(sys.executable).with_name("zensical")), "build", cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Traceback" not in built.stderr
    return project / "site"


# ---- Zensical ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zensical_site(northwind: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    exported = _export(northwind, "zensical", tmp_path_factory.mktemp("zensical") / "export")
    assert "`zensical build`" in (exported / "mkdocs.yml").read_text("utf-8")
    return _zensical_build(exported)


def test_zensical_builds_every_part_of_the_export(
    zensical_site: Path, northwind: Path, tmp_path: Path
) -> None:
    site = zensical_site
    for rid in OWN_ROLES:
        page = soup(site / "roles" / rid / "index.html")
        assert page.h1 is not None and page.h1.get_text(strip=True)
        assert page.select("article li"), rid  # its lists: responsibilities, first actions, checklists
        assert (site / "cards" / f"{rid}.pdf").read_bytes().startswith(b"%PDF-")
    # the RACI matrix: a row per activity, a column per role, the letters styled by their own sheet
    raci = soup(site / "raci" / "index.html")
    activities = json.loads(rolebook("export", "--format", "json", cwd=northwind).stdout)["activities"]
    assert len(raci.select("tr[data-activity]")) == len(activities)
    assert {th["data-role"] for th in raci.select("th[data-role]")} == set(OWN_ROLES)
    assert raci.select(".rb-sheets link[href$='rolebook-raci.css']")
    assert soup(site / "roles" / "incident-commander" / "index.html").select(".rb-checklist .rb-check")
    # the role map: a node per role, each a link to its page
    home = soup(site / "index.html")
    assert len(home.select(".admonition > ol > li")) == 3  # "Incident now?": three steps
    nodes = home.select("svg a.rb-node")
    assert {node["data-role"] for node in nodes} == set(OWN_ROLES)
    # the downloads are the exports themselves
    for name, fmt in (("raci.csv", "csv"), ("playbook.json", "json")):
        exported = rolebook("export", "--format", fmt, cwd=northwind).stdout
        assert (site / "downloads" / name).read_text("utf-8") == exported
    assert (site / "downloads" / "raci.xlsx").read_bytes().startswith(b"PK")
    # the styles: the base sheet on every page, after the theme's
    for page in (
        site / "index.html",
        site / "raci" / "index.html",
        site / "roles" / OWN_ROLES[0] / "index.html",
    ):
        assert LexborHTMLParser(page.read_text("utf-8")).css_first("link[href$='assets/rolebook.css']"), page
    assert broken_links(site) == []
    assert foreign_resources(site) == []


def test_the_mkdocs_export_is_for_mkdocs_and_the_zensical_one_for_zensical(
    northwind: Path, tmp_path: Path
) -> None:
    """Zensical reads a link in a page's HTML as relative to its Markdown file, MkDocs as written: each
    export writes them for its engine, and the link check sees the difference (its positive control)."""
    plain = _export(northwind, "markdown", tmp_path / "plain")
    built = run(sys.executable, "-m", "mkdocs", "build", cwd=plain)
    assert built.returncode == 0, built.stderr
    assert broken_links(plain / "site") == []
    shutil.rmtree(plain / "site")
    wrong = broken_links(_zensical_build(plain))
    assert any("rolebook-raci.css" in link for link in wrong)
    assert any(link.startswith("roles/") for link in wrong)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' brings playwright")
    with launched_chromium() as launched:
        yield launched


def _mounted(site: Path, tmp_path: Path) -> Path:
    root = tmp_path / "served"
    shutil.copytree(site, root / MOUNT)
    return root


R_BACKGROUND = "rgb(219, 234, 254)"  # --rb-r-bg of rolebook.css: a Responsible letter's cell


@needs_chromium
@pytest.mark.browser
def test_the_zensical_site_in_a_browser(zensical_site: Path, tmp_path: Path, chromium: Any) -> None:
    with static_server(_mounted(zensical_site, tmp_path)) as base:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        asked: list[str] = []
        context.on("request", lambda request: asked.append(request.url))
        page = context.new_page()
        page.goto(f"{base}{MOUNT}raci/")
        cell = page.locator("td.rb-letter--R, td[data-letter='R']").first
        assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == R_BACKGROUND
        page.goto(f"{base}{MOUNT}")
        assert page.locator("svg a.rb-node").first.bounding_box()["height"] > 10  # the role map is drawn
        page.goto(f"{base}{MOUNT}roles/{OWN_ROLES[0]}/")
        page.wait_for_selector("text=No incident running")  # incident mode's script runs here
        context.close()
    assert [url for url in asked if not url.startswith(base)] == []


# ---- Backstage TechDocs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def techdocs_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with mkdocs-techdocs-core and rolebook, as Backstage's TechDocs generator runs."""
    venv = tmp_path_factory.mktemp("techdocs") / "venv"
    made = run(sys.executable, "-m", "venv", str(venv), cwd=REPO)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = run(
        str(python), "-m", "pip", "install", "-q", "-e", str(REPO), "mkdocs-techdocs-core>=1.5,<2", cwd=REPO
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return python


@pytest.fixture(scope="module")
def techdocs_site(techdocs_python: Path, northwind: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("techdocs-project") / "northwind"
    shutil.copytree(northwind, project, ignore=shutil.ignore_patterns("site", ".cache"))
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("  - search\n", "  - techdocs-core\n"), "utf-8")
    role = project / "roles" / "clinical-liaison.yaml"  # an emoji techdocs-core would fetch from a CDN
    role.write_text(role.read_text("utf-8").replace("what to do.", "what to do :fire:."), "utf-8")
    assert "  - techdocs-core\n  - rolebook\n" in config.read_text("utf-8")
    built = run(str(techdocs_python), "-m", "mkdocs", "build", cwd=project)
    assert built.returncode == 0, built.stderr[-3000:]
    assert "Traceback" not in built.stderr
    return project / "site"


@pytest.mark.slow
def test_techdocs_core_builds_beside_the_plugin(techdocs_site: Path) -> None:
    site = techdocs_site
    assert json.loads((site / "techdocs_metadata.json").read_text("utf-8"))["site_name"]
    for rid in OWN_ROLES:
        assert (site / "roles" / rid / "index.html").is_file()
        assert (site / "cards" / f"{rid}.pdf").is_file()
    assert "what to do \U0001f525." in (site / "roles" / "clinical-liaison" / "index.html").read_text("utf-8")
    # the Markdown reads as under MkDocs, though techdocs-core adds a list extension that nests lists at
    # other indents: "Incident now?" has its three steps, and a line for each level in the second
    home = soup(site / "index.html")
    steps = home.select(".admonition > ol > li")
    levels = json.loads((site / "downloads" / "playbook.json").read_text("utf-8"))["severities"]
    assert len(steps) == 3 and not home.select(".admonition li ul, .admonition li ol")
    assert all(level["name"] in steps[1].get_text() for level in levels)
    assert broken_links(site) == []
    assert foreign_resources(site) == []


MATERIAL_CSS = re.compile(r"main\.[A-Fa-f0-9]{8}\.min\.css$")


def _as_backstage_shows_it(site: Path, target: Path) -> Path:
    """The site with what Backstage's TechDocs reader removes from each page removed (its sanitizer:
    DOMPurify with <style> forbidden, and every <link> dropped but Material's main stylesheet): every
    script, every <style> element, every other stylesheet link, every event attribute."""
    shutil.copytree(site, target / MOUNT)
    for page in (target / MOUNT).rglob("*.html"):
        tree = LexborHTMLParser(page.read_text("utf-8"))
        for node in tree.css("script, style, noscript"):
            node.decompose()
        for node in tree.css("link"):
            if not MATERIAL_CSS.search(node.attributes.get("href") or ""):
                node.decompose()
        for node in tree.css("*"):
            for name in [a for a in node.attributes if a.lower().startswith("on")]:
                del node.attrs[name]
        page.write_text(tree.html or "", "utf-8")
    return target


@pytest.mark.slow
@needs_chromium
@pytest.mark.browser
def test_techdocs_pages_are_useful_without_scripts(
    techdocs_site: Path, tmp_path: Path, chromium: Any
) -> None:
    """Without rolebook's scripts and stylesheets: what to do is there, nothing asks for what is gone."""
    with static_server(_as_backstage_shows_it(techdocs_site, tmp_path / "served")) as base:
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{base}{MOUNT}roles/incident-commander/")
        # what to do first is on the page, readable, and the checklists show their boxes
        first = page.locator("article ol li").first
        assert first.is_visible() and first.inner_text().strip()
        assert page.locator(".rb-check-box").first.is_visible()
        # nothing on it asks for a script that is not there
        assert page.locator("article button:visible").count() == 0
        assert page.get_by_text("No incident running").count() == 0
        # the matrix: the letters as text; the switch, which needs the matrix's stylesheet, not shown
        page.goto(f"{base}{MOUNT}raci/")
        letters = page.locator("table.rb-raci td[data-letter]")
        assert letters.first.is_visible() and letters.first.inner_text().strip() in (
            "R",
            "A",
            "A/R",
            "C",
            "I",
        )
        assert page.locator(".rb-raci-show").is_hidden()
        # the role map draws with its own attributes: white boxes, dark names; its switch is not shown and
        # the list of who works with whom is
        page.goto(f"{base}{MOUNT}")
        box = page.locator("svg a.rb-node rect").first
        assert box.evaluate("e => getComputedStyle(e).fill") == "rgb(255, 255, 255)"
        name = page.locator("svg a.rb-node text").first
        assert name.evaluate("e => getComputedStyle(e).fill") == "rgb(17, 17, 17)" and name.is_visible()
        assert page.locator("label[for^='rb-rolemap-show']").first.is_hidden()
        assert page.locator("ul.rb-rolemap-list").is_visible()
        page.goto(f"{base}{MOUNT}severities/")
        assert page.locator("article table").first.is_visible()
        context.close()
