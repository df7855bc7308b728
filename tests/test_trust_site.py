"""No value of a playbook file becomes markup or script: every field carries a payload (tests/payloads.py),
the site is built by rolebook and, exported, by plain MkDocs, then read as HTML and opened in chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from .payloads import poison
from .sitekit import copy_project, mkdocs, rolebook, soup, static_server
from .test_browser import browser, sync_api

__all__ = ["browser"]  # the fixture, shared with the browser tests

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
ACTIVE_ELEMENTS = {"iframe", "object", "embed", "frame", "base", "textarea", "img"}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The poisoned playbook built by rolebook, and its Markdown export built by plain MkDocs."""
    project = copy_project(tmp_path_factory.mktemp("trust") / "project")
    poison(project)
    checked = rolebook("validate", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr  # every payload passes validation
    built = rolebook("build", cwd=project)
    assert built.returncode == 0, built.stderr
    exported = rolebook("export", "--format", "markdown", "-o", "exported", cwd=project)
    assert exported.returncode == 0, exported.stderr
    plain = mkdocs("build", "--strict", cwd=project / "exported")
    assert plain.returncode == 0, plain.stderr
    return {"rolebook": project / "site", "mkdocs": project / "exported" / "site"}


def _problems(site: Path) -> list[str]:
    found: list[str] = []
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        where = page.relative_to(site).as_posix()
        html = soup(page)
        for element in html.find_all(True):
            for name, value in element.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                if name.lower().startswith("on"):
                    found.append(f"{where}: <{element.name} {name}={text!r}>")
                squeezed = re.sub(r"[\s\x00-\x1f]", "", text).lower()
                if name.lower() in URL_ATTRIBUTES and squeezed.startswith(
                    ("javascript:", "vbscript:", "data:")
                ):
                    found.append(f"{where}: <{element.name} {name}={text!r}>")
            if element.name in ACTIVE_ELEMENTS and element.name != "img":
                found.append(f"{where}: <{element.name}>")
            if element.name == "img" and "alert" in str(element):
                found.append(f"{where}: {element}")
            if element.name == "script" and "alert" in (element.get("src", "") + element.text):
                found.append(f"{where}: {element}")
        title = html.find("title")
        assert title is not None and not title.find(True), f"{where}: markup inside <title>"
    return found


@pytest.mark.parametrize("builder", ["rolebook", "mkdocs"])
def test_no_payload_becomes_markup_in_any_page(sites: dict[str, Path], builder: str) -> None:
    assert _problems(sites[builder]) == []


@pytest.mark.parametrize("builder", ["rolebook", "mkdocs"])
def test_names_read_back_exactly_as_written(sites: dict[str, Path], builder: str) -> None:
    """Escaped where placed, not mangled: the page title and heading show the role's name as its author wrote it."""
    page = soup(sites[builder] / "roles" / "communication-lead" / "index.html")
    heading = page.find("h1")
    assert heading is not None
    name = heading.get_text().rstrip("¶").strip()
    written = yaml.safe_load(
        (sites["rolebook"].parent / "roles" / "communication-lead.yaml").read_text("utf-8")
    )
    assert name == written["name"] and any(mark in name for mark in ("<", "&", "'", '"'))
    title = page.find("title")
    assert title is not None and title.get_text().startswith(name + " - ")
    nav = [a.get_text(" ", strip=True) for a in page.select("nav a")]
    assert name in nav


def test_the_search_index_holds_text_not_markup(sites: dict[str, Path]) -> None:
    index = json.loads((sites["rolebook"] / "search" / "search_index.json").read_text("utf-8"))
    assert any("alert(1)" in doc["title"] for doc in index["docs"])  # the payloads are indexed, as text
    for doc in index["docs"]:
        for field in ("title", "text"):  # Material shows both as HTML
            fragment = BeautifulSoup(doc[field], "html.parser")
            assert not fragment.find_all(["img", "script", "svg", "iframe", "object"]), doc[field][:200]
            for element in fragment.find_all(True):
                assert not [a for a in element.attrs if a.lower().startswith("on")], str(element)


@pytest.fixture(scope="module")
def served(sites: dict[str, Path]) -> Iterator[dict[str, str]]:
    with ExitStack() as servers:
        yield {builder: servers.enter_context(static_server(folder)) for builder, folder in sites.items()}


# Installed before any script of the page: every dialog a payload could open is recorded instead.
RECORD_DIALOGS = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__dialogs.push(name + "(" + args.join(",") + ")"); };
}
"""
EVENT_ATTRIBUTES = (
    "() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
    ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"
)


def _search(page: Any, words: str) -> None:
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && !/Initializing/i.test(m.textContent); }",
        timeout=15000,
    )
    page.locator("input.md-search__input").press_sequentially(words, delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    page.wait_for_timeout(400)


@pytest.mark.browser
@pytest.mark.slow  # every page of both sites in chromium
@pytest.mark.parametrize("builder", ["rolebook", "mkdocs"])
def test_no_script_runs_in_chromium(
    browser: Any, sites: dict[str, Path], served: dict[str, str], builder: str
) -> None:
    """Every page opened, every focusable element focused and the search used with a payload's words:
    no dialog opens, no page error happens, and no element carries an event attribute."""
    assert sync_api is not None
    pages = sorted(p.relative_to(sites[builder]).as_posix() for p in sites[builder].rglob("index.html"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_DIALOGS)
    try:
        for rel in pages:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on("dialog", lambda d, errors=errors: (errors.append(f"dialog {d.message}"), d.dismiss()))
            page.goto(served[builder] + rel.removesuffix("index.html"), wait_until="networkidle")
            page.evaluate(
                "() => document.querySelectorAll('a, button, input, [tabindex]').forEach(e => e.focus())"
            )
            if rel == "index.html":
                _search(page, "onerror")
            assert page.evaluate(EVENT_ATTRIBUTES) == [], rel
            assert page.evaluate("() => window.__dialogs") == [], rel
            assert errors == [], rel
            page.close()
    finally:
        context.close()
