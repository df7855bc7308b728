"""The site in a real browser: Debian's chromium driven by Playwright, against the built default site
served on 127.0.0.1. Screenshots of every page land in test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from .sitekit import REPO_ROOT, ROLE_IDS, launched_chromium, needs_chromium, static_server

SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
PAGES = {"home": "", "role": "roles/incident-manager/", "raci": "raci/", "cards": "cards/"}

pytestmark = [pytest.mark.browser, needs_chromium]
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' brings playwright")


@pytest.fixture(scope="module")
def site(default_site: tuple[Path, Path]) -> Iterator[str]:
    """The default site (built once per session, conftest) served on an ephemeral port of 127.0.0.1."""
    with static_server(default_site[1]) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched_chromium() as launched:
        yield launched


class Visit:
    """A page opened with every request, failure and console error recorded."""

    def __init__(self, browser: object, url: str, width: int = 1280, height: int = 900) -> None:
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} {r.status}"))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until="networkidle")

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_load_cleanly_and_stay_on_the_site(browser: object, site: str, name: str) -> None:
    visit = Visit(browser, site + PAGES[name])
    try:
        assert visit.errors == []
        assert visit.failed == []
        host = urlsplit(site).netloc
        assert visit.requests and all(
            urlsplit(u).netloc == host for u in visit.requests if not u.startswith("data:")
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        visit.close()


def test_the_role_map_renders_one_node_per_role(browser: object, site: str) -> None:
    visit = Visit(browser, site)
    try:
        nodes = visit.page.locator("svg.rb-rolemap-svg a.rb-node")
        assert nodes.count() == len(ROLE_IDS)
        roles = sorted(nodes.nth(i).get_attribute("data-role") or "" for i in range(nodes.count()))
        assert roles == sorted(ROLE_IDS)
        for i in range(nodes.count()):
            box = nodes.nth(i).bounding_box()
            assert box is not None and box["width"] > 40 and box["height"] > 10
        assert visit.page.locator("svg.rb-rolemap-svg path.rb-edge").count() > len(ROLE_IDS)
        visit.page.locator("svg a.rb-node[data-role='incident-manager']").click()
        visit.page.wait_for_url("**/roles/incident-manager/")
    finally:
        visit.close()


def test_the_raci_header_stays_in_view_while_scrolling(browser: object, site: str) -> None:
    visit = Visit(browser, site + "raci/", height=700)
    try:
        page = visit.page
        assert (
            page.evaluate("() => getComputedStyle(document.querySelector('.rb-raci thead th')).position")
            == "sticky"
        )
        page.locator("tr[data-activity]").last.scroll_into_view_if_needed()
        assert page.evaluate("() => window.scrollY") > 200  # the page scrolls, not a box of its own
        header = page.locator(".rb-raci thead th").first.bounding_box()
        assert header is not None
        assert abs(header["y"] - 48) < 3  # still in view, just below Material's header bar
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "raci-scrolled.png"))
    finally:
        visit.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_work_on_a_phone(browser: object, site: str, name: str) -> None:
    visit = Visit(browser, site + PAGES[name], width=375, height=740)
    try:
        page = visit.page
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= 375, f"the page is {overflow}px wide on a 375px screen"
        assert visit.errors == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    finally:
        visit.close()


def test_printing_the_cards_page_gives_one_card_per_sheet(browser: object, site: str, tmp_path: Path) -> None:
    visit = Visit(browser, site + "cards/")
    try:
        page = visit.page
        page.emulate_media(media="print")
        hidden = page.evaluate(
            """() => ['.md-header', '.md-sidebar--primary', '.md-footer', '.rb-cards-intro']
                 .map(s => document.querySelector(s))
                 .filter(e => e && getComputedStyle(e).display !== 'none').length"""
        )
        assert hidden == 0
        pdf = tmp_path / "cards.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        reader = PdfReader(pdf)
        assert len(reader.pages) == len(ROLE_IDS)
        for page_pdf in reader.pages:
            assert float(page_pdf.mediabox.width) == pytest.approx(105 * 72 / 25.4, abs=1)
            text = " ".join(page_pdf.extract_text().split())
            assert "Version 1.0" in text
            assert (
                "Incident Response Roles" in text and "Search" not in text
            )  # the card's footer, no site chrome
    finally:
        visit.close()


def test_search_finds_a_role_from_a_word_in_its_responsibilities(browser: object, site: str) -> None:
    visit = Visit(browser, site)
    try:
        page = visit.page
        page.locator("label.md-search__icon, .md-search__input").first.click()
        # Material's search index loads in a worker; type once it says it is ready
        page.wait_for_function(
            "() => { const m = document.querySelector('.md-search-result__meta');"
            " return m && !/Initializing/i.test(m.textContent); }",
            timeout=15000,
        )
        # "oversight" appears in Management and Leadership's responsibilities only
        page.locator("input.md-search__input").press_sequentially("oversight", delay=30)
        hit = page.locator(".md-search-result__item a[href*='roles/management-leadership/']").first
        hit.wait_for(timeout=15000)
        meta = page.locator(".md-search-result__meta").inner_text()
        assert meta.split()[0].isdigit() and int(meta.split()[0]) >= 1
        page.wait_for_timeout(400)  # let the results panel finish fading in for the screenshot
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "search.png"))
    finally:
        visit.close()
