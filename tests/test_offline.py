"""The playbook offline: the service worker a build writes (sw.js) and, in chromium, the site opening from
its cache with the HTTP server stopped, a new build taking over, and `rolebook serve` keeping nothing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from generator.site.offline import SERVE_WORKER, write_worker

from .sitekit import (
    REPO_ROOT,
    ROLE_IDS,
    copy_built,
    free_port,
    http_get,
    launched_chromium,
    needs_chromium,
    rolebook,
    static_server,
    wait_for,
)

SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
SCRIPT = "assets/rolebook-offline.js"


def worker_of(site: Path) -> tuple[str, list[str]]:
    """The version and the file URLs written into ``site``'s sw.js."""
    text = (site / "sw.js").read_text("utf-8")
    version = re.search(r'^const VERSION = "([0-9a-f]+)";$', text, re.M)
    files = re.search(r"^const FILES = (\[.*?\]);$", text, re.M | re.S)
    assert version and files, text[:500]
    return version[1], json.loads(files[1])


def file_of(url: str) -> str:
    """The site file a listed URL stands for (a folder's URL is its index.html)."""
    path = unquote(url).removeprefix("./")
    return path + "index.html" if path.endswith("/") or not path else path


def test_the_worker_lists_the_sites_own_files(default_site: tuple[Path, Path]) -> None:
    _, site = default_site
    _, urls = worker_of(site)
    assert len(urls) == len(set(urls))
    for url in urls:  # relative to the site's root, never another host's
        assert not urlsplit(url).scheme and not urlsplit(url).netloc and not url.startswith("/"), url
    listed = {file_of(url) for url in urls}
    assert all((site / rel).is_file() for rel in listed), sorted(
        r for r in listed if not (site / r).is_file()
    )
    every = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    pages = {rel for rel in every if rel.endswith(".html")}
    assert pages <= listed and {"index.html", "raci/index.html", "404.html"} <= pages
    assert {f"roles/{role}/index.html" for role in ROLE_IDS} <= listed
    assert {"search/search_index.json", "assets/rolebook.css", SCRIPT} <= listed
    assert {rel for rel in every if rel.startswith("downloads/")} <= listed
    assert any(re.fullmatch(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js", rel) for rel in listed)
    # left out: the cards' PDFs, source maps, the search languages the index does not use, the sitemaps,
    # the site marker, and the worker itself
    left_out = every - listed
    assert left_out, "nothing left out"
    for rel in left_out:
        assert (
            rel.endswith((".pdf", ".map", ".gz"))
            or rel.startswith("assets/javascripts/lunr/")
            or rel in {".rolebook-site", "sw.js", "sitemap.xml"}
        ), rel
    assert {rel for rel in every if rel.endswith(".pdf")} and not any(r.endswith(".pdf") for r in listed)


def test_the_same_site_gives_the_same_worker_and_an_edit_a_new_one(
    default_site: tuple[Path, Path], tmp_path: Path
) -> None:
    project = copy_built(default_site, tmp_path / "project")
    site = project / "site"
    first = (site / "sw.js").read_bytes()
    shutil.rmtree(site)
    assert rolebook("build", cwd=project).returncode == 0
    assert (site / "sw.js").read_bytes() == first  # deterministic: the same input, the same bytes
    _edit_summary(project, "support-team", "Rebuilt for the offline test.")
    assert rolebook("build", cwd=project).returncode == 0
    (old_version, old_files), (version, files) = worker_of(default_site[1]), worker_of(site)
    assert version != old_version and files == old_files


def test_pages_as_html_files_are_listed_by_their_own_names(
    default_site: tuple[Path, Path], tmp_path: Path
) -> None:
    project = _html_urls(copy_built(default_site, tmp_path / "project"))
    assert rolebook("build", cwd=project).returncode == 0
    _, urls = worker_of(project / "site")
    assert {"./", "raci.html", "roles/incident-manager.html", "search/search_index.json"} <= set(urls)
    assert not any(url.endswith("/") and url != "./" for url in urls)


def test_serve_writes_a_worker_that_keeps_nothing(default_site: tuple[Path, Path], tmp_path: Path) -> None:
    project = copy_built(default_site, tmp_path / "project")
    with rolebook_serve(project, free_port(), tmp_path / "serve.log") as base:
        assert wait_for(lambda: http_get(base + "sw.js")[0] == 200, 60), (tmp_path / "serve.log").read_text()
        body = http_get(base + "sw.js")[1]
        assert body.decode() == SERVE_WORKER  # no list of files, no fetch handler: it deletes the copy
        assert b"caches.delete" in body and b'"fetch"' not in body and b"FILES" not in body


def test_odd_file_names_stay_site_files_in_the_worker(tmp_path: Path) -> None:
    """A project's own file names reach sw.js as JSON strings of quoted URLs: none ends the string, the
    script or the list, and none points anywhere but at that file of the site."""
    names = [
        'a"b.html',
        "c</script>.js",
        "http:/x.html",
        "javascript:alert(1).html",
        "q?x.html",
        "h#x.html",
        "ü é.html",
    ]
    for name in [*names, "index.html", "sub/index.html", "cards/role.pdf", "x.js.map", ".hidden"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, "utf-8")
    write_worker(tmp_path, serving=False)
    version, urls = worker_of(tmp_path)
    assert sorted(file_of(url) for url in urls) == sorted([*names, "index.html", "sub/index.html"])
    base = "https://docs.example.org/playbook/"
    for url in urls:
        resolved = urlsplit(urljoin(base, url))
        assert (resolved.scheme, resolved.netloc) == ("https", "docs.example.org") and not resolved.query
        assert resolved.path.startswith("/playbook/") and not resolved.fragment
    (tmp_path / "q?x.html").write_text("changed", "utf-8")
    write_worker(tmp_path, serving=False)
    assert worker_of(tmp_path)[0] != version


def _edit_summary(project: Path, role: str, summary: str) -> None:
    path = project / "roles" / f"{role}.yaml"
    text, count = re.subn(r"(?m)^summary: .*$", f"summary: {summary}", path.read_text("utf-8"))
    assert count == 1
    path.write_text(text, "utf-8")


def _html_urls(project: Path) -> Path:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "use_directory_urls: false\n", "utf-8")
    shutil.rmtree(project / "site")
    return project


@contextmanager
def rolebook_serve(project: Path, port: int, log: Path) -> Iterator[str]:
    exe = Path(sys.executable).with_name("rolebook")
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(exe), "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=project, stdout=out, stderr=out
        )
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            server.kill()
            server.wait(timeout=20)


# ---- in chromium ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' brings playwright")
    with launched_chromium() as launched:
        yield launched


CACHES = """async () => {
  const found = {};
  for (const name of await caches.keys()) found[name] = (await (await caches.open(name)).keys()).length;
  return found;
}"""


class Tab:
    """A browser context (one profile: its service workers and caches) with every request and error noted."""

    def __init__(self, chromium: object) -> None:
        phone = {"width": 375, "height": 812}
        self.context = chromium.new_context(viewport=phone)  # type: ignore[attr-defined]
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.context.on("weberror", lambda e: self.errors.append(str(e.error)))
        self.page = self.context.new_page()

    def open(self, url: str) -> object:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        return response

    def caches(self) -> dict[str, int]:
        return dict(self.page.evaluate(CACHES))

    def wait_for_copy(self, base: str, site: Path) -> None:
        """The worker of ``site`` active, its cache filled with its files, and no other cache of this site."""
        version, files = worker_of(site)
        self.page.evaluate("navigator.serviceWorker.ready")
        assert wait_for(lambda: self.caches() == {f"rolebook {base} {version}": len(files)}, 30), (
            self.caches()
        )


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("html_urls", [False, True], ids=["folder-urls", "html-urls"])
def test_after_one_visit_the_playbook_opens_offline(
    chromium: object, default_site: tuple[Path, Path], tmp_path: Path, html_urls: bool
) -> None:
    project = copy_built(default_site, tmp_path / "project")
    if html_urls:
        project = _html_urls(project)
        assert rolebook("build", cwd=project).returncode == 0
    site, port = project / "site", free_port()
    page = (lambda rel: rel.removesuffix("/") + ".html") if html_urls else (lambda rel: rel)
    tab = Tab(chromium)
    try:
        with static_server(site, port) as base:
            tab.open(base)
            tab.wait_for_copy(base, site)
        # the server is stopped: every page comes from the worker's cache
        for rel, heading in [("roles/incident-manager/", "Incident Manager"), ("raci/", "RACI")]:
            response = tab.open(base + page(rel))
            assert response.from_service_worker  # type: ignore[attr-defined]
            assert heading in tab.page.locator("h1").first.inner_text()
            if rel.startswith("roles/"):  # incident mode's script, added after the load event, from the copy
                live = "article input.rb-check-box:not([disabled])"
                tab.page.wait_for_selector(live, timeout=15000)
        tab.page.locator("label[for='__search']").first.click()
        tab.page.keyboard.type("escalat")
        tab.page.wait_for_selector(".md-search-result__item", timeout=15000)
        assert tab.page.locator(".md-search-result__item").count() > 0
        tab.page.wait_for_timeout(500)  # the results fade in: the screenshot shows them whole
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(SHOTS / f"offline-search-{'html' if html_urls else 'folders'}.png"))
        tab.open(base + page("roles/support-team/"))
        tab.page.screenshot(
            path=str(SHOTS / f"offline-role-{'html' if html_urls else 'folders'}.png"), full_page=True
        )
        assert tab.errors == []
        assert all(
            urlsplit(url).netloc == urlsplit(base).netloc
            for url in tab.requests
            if not url.startswith("data:")
        )
    finally:
        tab.context.close()


@pytest.mark.browser
@needs_chromium
def test_a_new_build_takes_over_on_the_next_visit_online(
    chromium: object, default_site: tuple[Path, Path], tmp_path: Path
) -> None:
    project = copy_built(default_site, tmp_path / "project")
    site, port = project / "site", free_port()
    old_version, _ = worker_of(site)
    tab = Tab(chromium)
    try:
        with static_server(site, port) as base:
            tab.open(base)
            tab.wait_for_copy(base, site)
        _edit_summary(project, "support-team", "Rebuilt for the offline test.")
        assert rolebook("build", cwd=project).returncode == 0
        version, _ = worker_of(site)
        assert version != old_version
        with static_server(site, port) as base:
            tab.open(base + "roles/support-team/")  # from the old copy; the browser fetches sw.js anew
            tab.wait_for_copy(base, site)  # the new version's cache, and the old one gone
            tab.open(base + "roles/support-team/")
            assert "Rebuilt for the offline test." in tab.page.locator("article").inner_text()
        tab.open(base + "roles/support-team/")  # and offline, the new version
        assert "Rebuilt for the offline test." in tab.page.locator("article").inner_text()
        assert tab.errors == []
    finally:
        tab.context.close()


@pytest.mark.browser
@needs_chromium
def test_serve_replaces_an_offline_copy_left_at_its_address(
    chromium: object, default_site: tuple[Path, Path], tmp_path: Path
) -> None:
    project = copy_built(default_site, tmp_path / "project")
    # the files dated now: the static server sends no Cache-Control, so the browser's HTTP cache would keep
    # a page built minutes ago fresh for a tenth of its age, and show it in place of the preview's
    now = time.time()
    for path in (project / "site").rglob("*"):
        os.utime(path, (now, now))
    port = free_port()
    tab = Tab(chromium)
    try:
        with static_server(project / "site", port) as base:
            tab.open(base)
            tab.wait_for_copy(base, project / "site")
        _edit_summary(project, "support-team", "Edited while previewing.")
        log = tmp_path / "serve.log"
        with rolebook_serve(project, port, log):
            assert wait_for(lambda: http_get(base + "sw.js")[1].decode() == SERVE_WORKER, 60), log.read_text()
            tab.open(base)  # still from the copy; the browser fetches sw.js and finds the serve worker
            assert wait_for(lambda: tab.caches() == {}, 30), tab.caches()
            tab.open(base + "roles/support-team/")
            assert "Edited while previewing." in tab.page.locator("article").inner_text()
            assert tab.caches() == {}
            assert tab.errors == []
    finally:
        tab.context.close()


@pytest.mark.browser
@needs_chromium
def test_offline_a_page_never_kept_opens_the_sites_404_page(
    chromium: object, default_site: tuple[Path, Path], tmp_path: Path
) -> None:
    """An address the site does not have, opened with the network gone: the site's own 404 page, with the
    status 404, not the browser's error page. The site is served at /playbook/, as its site_url says: its
    404 page links the site's files from there."""
    project = copy_built(default_site, tmp_path / "project")
    served = tmp_path / "served"
    served.mkdir()
    (served / "playbook").symlink_to(project / "site", target_is_directory=True)
    port = free_port()
    tab = Tab(chromium)
    try:
        with static_server(served, port) as server:
            base = server + "playbook/"
            tab.open(base)
            tab.wait_for_copy(base, project / "site")
        missing_pages = ("nonexistent/", "roles/nobody/", "raci.html?x=1")
        for missing in missing_pages:
            response = tab.page.goto(base + missing)
            assert response is not None and response.status == 404, missing
            assert response.from_service_worker  # type: ignore[attr-defined]
            assert tab.page.locator("article h1").first.inner_text() == "404 - Not found"
            assert tab.page.evaluate("document.styleSheets.length") > 0  # the page's styles, from the copy
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(SHOTS / "offline-404.png"))
        # the console notes each page's own status 404, and nothing else fails: every file came from the copy
        assert len(tab.errors) == len(missing_pages) and all("status of 404" in e for e in tab.errors), (
            tab.errors
        )
    finally:
        tab.context.close()
