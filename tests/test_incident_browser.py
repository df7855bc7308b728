"""Incident mode in a real browser: Debian's chromium driven by Playwright against built sites served on
127.0.0.1. Ticks, incidents, the assignment board, the log's exports (read back from the downloads and
the clipboard, and checked against the JSON Schema), pages without JavaScript, print, and hostile text.
Screenshots and printed pages land in test-artifacts/screenshots/."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cmarkgfm
import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup
from cmarkgfm.cmark import Options
from pypdf import PdfReader

from generator.exports.incident_log import IncidentLog

from .sitekit import (
    REPO_ROOT,
    ROLE_IDS,
    copy_project,
    free_port,
    launched_chromium,
    mkdocs,
    needs_chromium,
    rolebook,
)

SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
SCHEMA = REPO_ROOT / "schema" / "incident-log.schema.json"
TIME = r"\d\d:\d\d"
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"

pytestmark = [pytest.mark.browser, needs_chromium]
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' brings playwright")
expect = sync_api.expect


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(folder: Path, port: int = 0) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(_Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site(default_site: tuple[Path, Path]) -> Iterator[str]:
    """The default site (built once per session, conftest), served."""
    yield from _serve(default_site[1])


# Hostile text: in the playbook (as validation lets it through: raw HTML written as character references,
# Markdown link syntax), in the markup of a page of the project's own, and typed into the page.
ROLE_NAME = "&lt;img src=x onerror=alert(1)&gt; [IM](https://evil.example/)"
ITEM_TEXT = "Confirm &lt;img src=x onerror=alert(2)&gt; and \\[click\\](https://evil.example/x) now"
ITEM_SHOWN = "Confirm <img src=x onerror=alert(2)> and [click](https://evil.example/x) now"
PAGE_ROLE = "<img src=x onerror=alert(5)> [Drill](https://evil.example/)"
PAGE_ITEM = "Call <img src=x onerror=alert(6)> [now](https://evil.example/)"
TYPED = "<img src=x onerror=alert(3)> [x](javascript:alert(4))"
INITIALS = "<b>x</b>"
# A page of the project's own in the markup the role pages' checklists follow (notes/incident-contract.md).
DRILL_PAGE = """\
# Drill

<div class="rb-during" data-rb-role="drill-role" data-rb-role-name="&lt;img src=x onerror=alert(5)&gt; [Drill](https://evil.example/)">
<ul class="rb-checklist" data-rb-role="drill-role" data-rb-box="first-5-minutes">
<li class="rb-check" id="check-drill-role-call" data-rb-item="call" data-rb-phase="detect"><label><input type="checkbox" class="rb-check-box" disabled> <span class="rb-check-text">Call &lt;img src=x onerror=alert(6)&gt; [now](https://evil.example/)</span></label> <span class="rb-check-within">within 5 minutes</span> <span class="rb-check-done"></span></li>
<li class="rb-check" id="check-drill-role-page" data-rb-item="page" data-rb-phase="detect"><label><input type="checkbox" class="rb-check-box" disabled> <span class="rb-check-text">Page the team.</span></label> <span class="rb-check-done"></span></li>
</ul>
</div>
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default playbook with hostile text in a role's name and a checklist item, and a page of its own
    in the checklists' markup with hostile text in the role's name and an item; built and served."""
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    role_file = project / "roles" / "incident-manager.yaml"
    role = yaml.safe_load(role_file.read_text("utf-8"))
    role["name"] = ROLE_NAME
    first = role["checklists"]["detect"][0]
    if isinstance(first, dict):
        first["text"] = ITEM_TEXT
    else:
        role["checklists"]["detect"][0] = {"id": "declare", "text": ITEM_TEXT}
    role_file.write_text(yaml.safe_dump(role, allow_unicode=True, sort_keys=False, width=1000), "utf-8")
    (project / "docs" / "drill.md").write_text(DRILL_PAGE, "utf-8")
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    yield from _serve(project / "site")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as launched:
        yield launched


class Session:
    """One browser profile on one site: every request, console error, page error and dialog recorded."""

    def __init__(self, browser: Any, base: str, width: int = 1280, height: int = 900, **options: Any) -> None:
        self.base = base
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height}, **options)
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.url} {r.status}"))

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path, wait_until="networkidle")
        return self.page

    def check_clean(self) -> None:
        """No error, no dialog, and no request to another host (a download's blob: address is the page's own)."""
        assert self.problems == []
        assert self.requests
        others = [u for u in self.requests if not u.startswith((self.base, "blob:" + self.base, "data:"))]
        assert others == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser: Any, site: str) -> Iterator[Session]:
    visit = Session(browser, site, permissions=["clipboard-read", "clipboard-write"])
    yield visit
    try:
        visit.check_clean()
    finally:
        visit.close()


def _shot(page: Any, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=full_page)


def _print(page: Any, name: str, tmp_path: Path) -> PdfReader:
    """The page printed to PDF, its first sheet kept as a PNG with the screenshots."""
    pdf = tmp_path / f"{name}.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    page.emulate_media(media="screen")
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(SHOTS / name)],
        check=True,
        timeout=60,
    )
    return PdfReader(pdf)


def _item(page: Any, n: int) -> Any:
    return page.locator("article li.rb-check").nth(n)


def _tick(page: Any, n: int, on: bool = True) -> str:
    """Tick (or untick) the page's n-th checklist item; return its text."""
    item = _item(page, n)
    item.locator("input.rb-check-box").set_checked(on)
    return " ".join(item.locator(".rb-check-text").inner_text().split())


def _download(page: Any, label: str) -> str:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    return Path(info.value.path()).read_text("utf-8")


# --- how a page loads incident mode ---------------------------------------------------------------------

ASKED = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const asked = (end) => performance.getEntriesByType("resource").filter((e) => e.name.endsWith(end))
    .map((e) => e.startTime);
  return { load: nav.loadEventStart, bootstrap: asked("/assets/rolebook-offline.js"), incident: asked("/assets/rolebook.js"),
    css: asked("/assets/rolebook.css"), incidentCss: asked("/assets/rolebook-incident.css") };
}"""
WORKER_URL = "navigator.serviceWorker.ready.then((r) => r.active.scriptURL)"


def test_the_checklists_become_live_after_the_load_event(session: Session) -> None:
    """The page holds the bootstrap and the base stylesheet (site/inline_assets.py) and asks for no file of
    rolebook's before the load event; after it the bootstrap asks for incident mode's script, which makes
    the boxes live and adds its stylesheet, and registers the service worker."""
    page = session.page
    page.goto(session.base + "roles/incident-manager/", wait_until="load")
    boxes = page.locator("article ul.rb-checklist:not(.rb-checklist--static) input.rb-check-box")
    expect(boxes.last).to_be_enabled()
    assert boxes.count() >= 5 and all(boxes.nth(i).is_enabled() for i in range(boxes.count()))
    # before and after an incident (prepare, review): boxes to print, which record nothing
    static = page.locator("article ul.rb-checklist--static input.rb-check-box")
    assert static.count() == 5 and not any(static.nth(i).is_enabled() for i in range(static.count()))
    asked = page.evaluate(ASKED)
    assert asked["bootstrap"] == [] and asked["css"] == []
    assert len(asked["incident"]) == 1 and asked["incident"][0] >= asked["load"]
    assert len(asked["incidentCss"]) == 1 and asked["incidentCss"][0] >= asked["load"]
    assert page.evaluate("document.documentElement.classList.contains('rb-js')")
    assert page.evaluate(WORKER_URL) == session.base + "sw.js"
    _tick(page, 0)
    expect(_item(page, 0).locator(".rb-check-done")).to_have_text(re.compile(rf"^{TIME}$"))


def test_a_page_without_checklists_does_not_ask_for_the_script(session: Session) -> None:
    page = session.open("raci/")
    assert page.evaluate(WORKER_URL) == session.base + "sw.js"  # the worker is registered all the same
    assert page.evaluate(ASKED)["incident"] == []  # the page's own requests (the worker keeps a copy of it)
    assert not page.evaluate("document.documentElement.classList.contains('rb-js')")


@pytest.fixture(scope="module")
def export_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default playbook's Markdown export built by plain MkDocs (no rolebook, so no sw.js), served."""
    work = tmp_path_factory.mktemp("export")
    project = copy_project(work / "project")
    result = rolebook("export", "--format", "markdown", "-o", str(work / "md"), cwd=project)
    assert result.returncode == 0, result.stderr
    built = mkdocs("build", "-q", "--site-dir", str(work / "site"), cwd=work / "md")
    assert built.returncode == 0, built.stderr
    yield from _serve(work / "site")


def test_the_exports_pages_run_incident_mode_without_a_worker(browser: Any, export_site: str) -> None:
    """The export's pages load incident mode's script deferred, and no bootstrap: nothing asks for a sw.js
    the export does not have (its 404 would be a console error)."""
    visit = Session(browser, export_site)
    try:
        for path in ("roles/incident-manager/", "board/", "incident-log/", "raci/"):
            page = visit.open(path)
            if path != "raci/":
                expect(page.locator(".rb-bar-status")).to_contain_text("No incident running.")
        page = visit.open("roles/incident-manager/")
        _tick(page, 0)
        expect(_item(page, 0).locator(".rb-check-done")).to_have_text(re.compile(rf"^{TIME}$"))
        assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
        assert not [url for url in visit.requests if url.endswith(("/sw.js", "rolebook-offline.js"))]
        visit.check_clean()
    finally:
        visit.close()


def test_with_instant_navigation_a_role_page_reached_from_another_gets_live_checklists(
    browser: Any, tmp_path: Path
) -> None:
    """Material's instant navigation replaces the page without loading it: the bootstrap, told of each page
    by the theme, adds incident mode's script on the first that needs it."""
    project, port = copy_project(tmp_path / "project"), free_port()
    config = project / "mkdocs.yml"
    text = config.read_text("utf-8").replace(
        "    - navigation.sections\n", "    - navigation.instant\n    - navigation.sections\n"
    )
    # the theme takes the pages it may replace from the sitemap, by the site's address with its port
    text = re.sub(r"(?m)^site_url: .*$", f"site_url: http://127.0.0.1:{port}/", text)
    config.write_text(text, "utf-8")
    assert rolebook("build", cwd=project).returncode == 0
    server = _serve(project / "site", port)
    visit = Session(browser, next(server))
    try:
        page = visit.open("raci/")
        assert page.evaluate(ASKED)["incident"] == []
        page.evaluate("window.rbSamePage = true")  # kept only if the page is not loaded anew
        page.locator("article table.rb-raci thead a[href*='incident-manager']").first.click()
        expect(page.locator("h1").first).to_contain_text("Incident Manager")
        expect(page.locator(".rb-bar-status")).to_contain_text("No incident running.")
        expect(page.locator("article input.rb-check-box").first).to_be_enabled()
        assert page.evaluate("window.rbSamePage === true")  # the theme replaced the page: no load event
        assert len(page.evaluate(ASKED)["incident"]) == 1
        visit.check_clean()
    finally:
        visit.close()
        next(server, None)


# --- ticks ---------------------------------------------------------------------------------------------


def test_a_tick_shows_its_time_and_initials_and_survives_a_reload(session: Session) -> None:
    page = session.open("roles/incident-manager/")
    expect(page.locator(".rb-bar-status")).to_contain_text("No incident running.")
    boxes = page.locator("article ul.rb-checklist:not(.rb-checklist--static) input.rb-check-box")
    expect(boxes.last).to_be_enabled()
    assert boxes.count() >= 5 and all(boxes.nth(i).is_enabled() for i in range(boxes.count()))
    page.locator(".rb-bar-initials").fill("AB")
    _tick(page, 0)
    done = _item(page, 0).locator(".rb-check-done")
    expect(done).to_have_text(re.compile(rf"^{TIME} · AB$"))
    stamp = done.locator("time").get_attribute("datetime") or ""
    assert re.fullmatch(ISO, stamp) and stamp[11:16] == done.inner_text()[:5]
    # the tick started an incident, named by its date and time
    expect(page.locator(".rb-bar-status")).to_contain_text(f"Incident running: Incident {stamp[:10]}")
    _shot(page, "incident-role-ticked.png", full_page=False)
    page.reload(wait_until="networkidle")
    assert _item(page, 0).locator("input.rb-check-box").is_checked()
    expect(_item(page, 0).locator(".rb-check-done")).to_have_text(done.inner_text())
    assert not _item(page, 1).locator("input.rb-check-box").is_checked()
    expect(page.locator(".rb-bar-initials")).to_have_value("AB")
    _tick(page, 0, on=False)
    expect(_item(page, 0).locator(".rb-check-done")).to_have_text("")
    page.reload(wait_until="networkidle")
    assert not _item(page, 0).locator("input.rb-check-box").is_checked()


def test_ticks_on_another_page_reach_this_one(browser: Any, site: str) -> None:
    """Two tabs of one browser: a tick in one shows in the other without a reload."""
    visit = Session(browser, site)
    try:
        page = visit.open("roles/operations-team/")
        other = visit.context.new_page()
        other.goto(site + "roles/operations-team/", wait_until="networkidle")
        _tick(other, 0)
        expect(_item(page, 0).locator("input.rb-check-box")).to_be_checked()
        expect(_item(page, 0).locator(".rb-check-done")).to_have_text(re.compile(rf"^{TIME}$"))
        visit.check_clean()
    finally:
        visit.close()


def test_two_playbooks_on_one_origin_keep_their_incidents_apart(
    browser: Any, default_site: tuple[Path, Path], tmp_path: Path
) -> None:
    for name in ("first", "second"):
        shutil.copytree(default_site[1], tmp_path / name)
    server = _serve(tmp_path)
    base = next(server)
    visit = Session(browser, base)
    try:
        page = visit.open("first/roles/incident-manager/")
        _tick(page, 0)
        expect(page.locator(".rb-bar-status")).to_contain_text("Incident running")
        page = visit.open("second/roles/incident-manager/")
        expect(page.locator(".rb-bar-status")).to_contain_text("No incident running.")
        assert not _item(page, 0).locator("input.rb-check-box").is_checked()
        keys = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('rolebook:'))")
        assert keys == [f"rolebook:incidents:{base}first/"]
        visit.check_clean()
    finally:
        visit.close()
        next(server, None)


def test_a_phone_gets_large_tap_targets(browser: Any, site: str) -> None:
    visit = Session(browser, site, width=375, height=812, is_mobile=True, has_touch=True)
    try:
        page = visit.open("roles/incident-manager/")
        for n in range(3):
            box = _item(page, n).bounding_box()
            label = _item(page, n).locator("label").bounding_box()
            assert box and label and box["height"] >= 44 and label["height"] >= 44
        _item(page, 1).locator(".rb-check-text").tap()  # the text is part of the target
        expect(_item(page, 1).locator("input.rb-check-box")).to_be_checked()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.locator(".rb-bar").scroll_into_view_if_needed()
        _shot(page, "incident-role-phone-bar.png", full_page=False)
        page.evaluate(
            "window.scrollBy(0, document.querySelector('li.rb-check').getBoundingClientRect().top - 160)"
        )
        page.wait_for_timeout(400)  # the theme's header finishes its change of title
        _shot(page, "incident-role-phone.png", full_page=False)
        visit.check_clean()
    finally:
        visit.close()


# --- incidents ---------------------------------------------------------------------------------------------


def _start(page: Any, name: str, severity: str) -> None:
    page.get_by_role("button", name="Start an incident").click()
    form = page.locator("form.rb-bar-form")
    expect(form.locator("select option")).to_have_count(
        4
    )  # "not set" and the three levels, from the site data
    form.locator("input").fill(name)
    form.locator("select").select_option(label=severity)
    form.get_by_role("button", name="Start", exact=True).click()


def _end(page: Any) -> None:
    end = page.locator("button.rb-bar-end")
    expect(end).to_have_text("End incident")
    end.click()
    expect(end).to_have_text("Really end it?")  # asked once more, without a dialog
    end.click()


def test_an_incident_starts_ends_and_is_listed_and_resumed(session: Session) -> None:
    page = session.open("incident-log/")
    expect(page.locator(".rb-log")).to_contain_text("No incident is recorded")
    _start(page, "Checkout errors", "SEV2 Major")
    status = page.locator(".rb-bar-status")
    expect(status).to_contain_text("Incident running: Checkout errors")
    expect(page.locator("select.rb-bar-sev")).to_have_value("sev2")
    expect(page.locator(".rb-log-facts")).to_contain_text("SEV2 Major")
    page.goto(session.base + "roles/support-team/", wait_until="networkidle")
    _tick(page, 0)
    _end(page)
    expect(status).to_have_text(re.compile(r"^No incident running\."))
    assert (
        not _item(page, 0).locator("input.rb-check-box").is_checked()
    )  # the ended incident's ticks are its own
    page.reload(wait_until="networkidle")
    past = page.get_by_role("button", name="Past incidents (1)")
    past.click()
    listed = page.locator(".rb-past")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Checkout errors")
    expect(listed).to_contain_text("SEV2 Major · 1 ticked")
    listed.get_by_role("button", name="Resume").click()
    expect(status).to_contain_text("Incident running: Checkout errors")
    expect(_item(page, 0).locator("input.rb-check-box")).to_be_checked()
    page.goto(session.base + "incident-log/", wait_until="networkidle")
    actions = page.locator("table.rb-log-activity tbody td:nth-child(5)").all_inner_texts()
    assert actions == ["started", "severity", "ticked", "ended", "resumed"]


# --- the board ---------------------------------------------------------------------------------------------


def _field(page: Any, role: str, field: str) -> Any:
    return page.locator(f"tr[data-rb-role='{role}'] input[data-rb-field='{field}']")


def test_the_board_is_filled_kept_and_highlights_the_engaged_roles(session: Session) -> None:
    page = session.open("board/")
    expect(page.locator(".rb-bar-status")).to_contain_text("Filling in the board starts one.")
    _field(page, "incident-manager", "holder").fill("Alice Example")
    page.keyboard.press("Tab")
    since = _field(page, "incident-manager", "since")
    expect(since).to_have_value(re.compile(rf"^{TIME}$"))  # a holder's time, filled in when left empty
    _field(page, "incident-manager", "handed_to").fill("Bob Example")
    _field(page, "incident-manager", "at").fill("14:30")
    page.keyboard.press("Tab")
    _field(page, "support-team", "holder").fill("Carol")
    page.keyboard.press("Tab")
    page.locator("select.rb-bar-sev").select_option("sev3")
    rows = page.locator("table.rb-board tbody tr")
    engaged = [r for r in rows.all() if "rb-engaged" in (r.get_attribute("class") or "")]
    idle = [r for r in rows.all() if "rb-idle" in (r.get_attribute("class") or "")]
    sev3 = next(
        s
        for s in yaml.safe_load((REPO_ROOT / "site_config" / "playbook.yaml").read_text("utf-8"))[
            "severities"
        ]
        if s["id"] == "sev3"
    )
    assert [r.get_attribute("data-rb-role") for r in engaged] == sev3["roles"]
    assert len(engaged) + len(idle) == rows.count() and idle
    expect(page.locator(".rb-board-note")).to_contain_text("engaged at SEV3 Minor")
    expect(page.locator("[data-rb-fill=severity]")).to_have_text("SEV3 Minor")
    _shot(page, "incident-board.png")
    page.reload(wait_until="networkidle")
    assert _field(page, "incident-manager", "holder").input_value() == "Alice Example"
    assert _field(page, "incident-manager", "handed_to").input_value() == "Bob Example"
    assert _field(page, "incident-manager", "at").input_value() == "14:30"
    assert _field(page, "support-team", "holder").input_value() == "Carol"
    expect(page.locator("table.rb-board tr[data-rb-role='support-team']")).to_have_class(
        re.compile("rb-idle")
    )
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "incident-board-phone.png")


def test_the_board_prints_on_one_landscape_sheet_of_blanks(session: Session, tmp_path: Path) -> None:
    page = session.open("board/")
    _field(page, "communication-lead", "holder").fill("Dana")
    page.keyboard.press("Tab")
    page.emulate_media(media="print")
    shown = page.evaluate(
        """() => [...document.querySelectorAll('.rb-bar, .rb-btn, .md-header, .md-sidebar--primary')]
             .filter(e => getComputedStyle(e).display !== 'none').length"""
    )
    assert shown == 0
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('.rb-board-input'));"
        " return [s.borderTopWidth, s.borderBottomStyle, s.appearance]; }"
    )
    assert style == ["0px", "solid", "none"]  # an underlined blank
    reader = _print(page, "incident-board-print", tmp_path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Dana" in text and "Management and Leadership" in text


# --- the log and its exports -----------------------------------------------------------------------------------


def test_the_log_exports_every_tick_and_the_board_as_markdown_and_json(
    session: Session, tmp_path: Path
) -> None:
    page = session.open("roles/incident-manager/")
    page.locator(".rb-bar-initials").fill("AB")
    first = _tick(page, 0)
    second = _tick(page, 1)
    _tick(page, 1, on=False)
    page.goto(session.base + "roles/communication-lead/", wait_until="networkidle")
    page.locator(".rb-bar-initials").fill("CL")
    third = _tick(page, 0)
    page.goto(session.base + "board/", wait_until="networkidle")
    _field(page, "incident-manager", "holder").fill("Alice Example")
    page.keyboard.press("Tab")
    page.locator("select.rb-bar-sev").select_option("sev1")
    page.goto(session.base + "incident-log/", wait_until="networkidle")
    rows = page.locator("table.rb-log-activity tbody tr")
    expect(rows).to_have_count(7)
    _shot(page, "incident-log.png")

    log = json.loads(_download(page, "Download JSON"))
    jsonschema.validate(log, json.loads(SCHEMA.read_text("utf-8")))
    IncidentLog.model_validate(log)
    assert log["playbook"]["title"] == "Incident Response Roles"
    assert log["incident"]["severity"] == {"id": "sev1", "name": "SEV1 Critical"}
    assert log["incident"]["ended"] is None
    activity = log["activity"]
    assert [(e["action"], e.get("role"), e["text"], e["initials"]) for e in activity] == [
        ("started", None, "Incident started by a tick on a role page", "AB"),
        ("ticked", "incident-manager", first, "AB"),
        ("ticked", "incident-manager", second, "AB"),
        ("unticked", "incident-manager", second, "AB"),
        ("ticked", "communication-lead", third, "CL"),
        ("assigned", "incident-manager", "Holder: Alice Example", "CL"),
        ("severity", None, "Severity: SEV1 Critical", "CL"),
    ]
    times = [e["time"] for e in activity]
    assert times == sorted(times) and all(re.fullmatch(ISO, t) for t in times)
    assert activity[1]["role_name"] == "Incident Manager" and activity[4]["role_name"] == "Communication Lead"
    assert activity[1]["key"] == "incident-manager/" + activity[1]["item"]
    [assigned] = log["assignments"]
    assert assigned["role"] == "incident-manager" and assigned["holder"] == "Alice Example"
    assert re.fullmatch(TIME, assigned["since"])

    markdown = _download(page, "Download Markdown")
    page.get_by_role("button", name="Copy as Markdown").click()
    expect(page.locator(".rb-log-said")).to_have_text("Copied the log as Markdown.")
    copied = page.evaluate("navigator.clipboard.readText()")
    without_export_time = functools.partial(re.sub, r"(?m)^- Exported: .*$", "")
    assert without_export_time(copied) == without_export_time(markdown)
    assert markdown.startswith(f"# Incident log: Incident {log['incident']['started'][:10]} ")
    assert "- Severity: SEV1 Critical\n" in markdown and "- Ended: still running\n" in markdown
    html = BeautifulSoup(cmarkgfm.github_flavored_markdown_to_html(markdown), "html.parser")
    [assignments, table] = html.select("table")
    assert [td.get_text() for td in assignments.select("tbody td")][:2] == [
        "Incident Manager",
        "Alice Example",
    ]
    cells = [[td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")]
    assert [c[1:] for c in cells] == [
        [e.get("role_name", ""), e["text"], e["initials"], e["action"]] for e in activity
    ]
    assert all(re.fullmatch(TIME, c[0]) for c in cells)


def test_copying_works_without_the_clipboard_api(session: Session) -> None:
    page = session.open("roles/operations-team/")
    _tick(page, 0)
    page.goto(session.base + "incident-log/", wait_until="networkidle")
    page.evaluate("Object.defineProperty(navigator, 'clipboard', { value: undefined })")
    page.get_by_role("button", name="Copy as Markdown").click()
    expect(page.locator(".rb-log-said")).to_have_text("Copied the log as Markdown.")  # through a text area


# --- without JavaScript -----------------------------------------------------------------------------------------


def test_without_javascript_the_pages_are_static_forms_that_print(
    browser: Any, site: str, tmp_path: Path
) -> None:
    visit = Session(browser, site, java_script_enabled=False)
    try:
        page = visit.open("roles/incident-manager/")
        boxes = page.locator("article input.rb-check-box")
        assert boxes.count() >= 5
        assert all(boxes.nth(i).is_disabled() and not boxes.nth(i).is_checked() for i in range(boxes.count()))
        assert page.locator(".rb-bar").count() == 0
        page.emulate_media(media="print")
        appearance = page.evaluate("getComputedStyle(document.querySelector('.rb-check-box')).appearance")
        assert appearance == "none"  # an empty square, not the browser's greyed-out box
        _print(page, "incident-role-print", tmp_path)

        page = visit.open("incident-log/")
        expect(page.locator(".rb-nojs-note")).to_be_visible()
        expect(page.locator(".rb-nojs-note")).to_contain_text("The live log needs JavaScript")
        expect(page.locator("table.rb-blank-table")).to_be_visible()
        expect(page.locator("table.rb-blank-table tbody tr")).to_have_count(15)
        reader = _print(page, "incident-log-blank-print", tmp_path)
        assert len(reader.pages) == 1 and "Notable activity" in reader.pages[0].extract_text()

        page = visit.open("board/")
        inputs = page.locator("table.rb-board input")
        assert inputs.count() == 24 and all(inputs.nth(i).is_disabled() for i in range(inputs.count()))
        expect(page.locator(".rb-nojs-note")).to_be_visible()
        assert visit.problems == []
    finally:
        visit.close()


def test_with_javascript_the_no_script_parts_are_hidden(session: Session) -> None:
    page = session.open("incident-log/")
    expect(page.locator(".rb-nojs-note")).to_be_hidden()
    expect(page.locator("table.rb-blank-table")).to_be_hidden()


# --- hostile text -----------------------------------------------------------------------------------------------


def test_hostile_names_items_and_typing_stay_text_in_the_page_and_the_exports(
    browser: Any, hostile_site: str
) -> None:
    visit = Session(browser, hostile_site)
    try:
        page = visit.open("roles/incident-manager/")
        page.locator(".rb-bar-initials").fill(INITIALS)
        item = page.locator("article li.rb-check", has_text="Confirm <img")
        item.locator("input.rb-check-box").check()
        done = item.locator(".rb-check-done")
        expect(done).to_have_text(re.compile(rf"^{TIME} · <b>x</b>$"))
        assert done.locator("b").count() == 0
        page = visit.open("drill/")
        page.locator("article li.rb-check").first.locator("input.rb-check-box").check()
        assert page.locator(".rb-bar").evaluate(
            "bar => bar.nextElementSibling.classList.contains('rb-during')"
        )
        page = visit.open("board/")
        _field(page, "incident-manager", "holder").fill(TYPED)
        page.keyboard.press("Tab")
        page.get_by_role("button", name="End incident").click()
        page.get_by_role("button", name="Really end it?").click()
        page.get_by_role("button", name="Start an incident").click()
        page.locator("form.rb-bar-form input").fill(TYPED)
        page.locator("form.rb-bar-form button[type=submit]").click()
        page.goto(visit.base + "incident-log/", wait_until="networkidle")
        page.locator(".rb-log-pick select").select_option(index=1)  # the first incident, with the ticks
        page.get_by_role("button", name="Past incidents (1)").click()

        texts = " ".join(page.locator("article").all_inner_texts())
        for shown in (ITEM_SHOWN, PAGE_ITEM, PAGE_ROLE, f"Holder: {TYPED}", INITIALS, ROLE_NAME):
            assert shown in texts, shown
        assert page.locator("img[src='x'], article b, a[href^='javascript'], a[href*='evil']").count() == 0
        expect(page.locator(".rb-bar-status strong")).to_have_text(TYPED)

        log = json.loads(_download(page, "Download JSON"))
        IncidentLog.model_validate(log)
        values = [value for entry in log["activity"] for value in entry.values()]
        for typed in (ITEM_SHOWN, PAGE_ITEM, PAGE_ROLE, ROLE_NAME, INITIALS, TYPED):
            assert typed in values, typed
        markdown = _download(page, "Download Markdown")
        html = BeautifulSoup(
            cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE),
            "html.parser",
        )
        assert html.select("img, a, b, script") == []  # even a renderer that lets raw HTML through
        cells = {td.get_text() for td in html.select("td")}
        assert {ITEM_SHOWN, PAGE_ITEM, PAGE_ROLE, ROLE_NAME, INITIALS, f"Holder: {TYPED}"} <= cells
        assert TYPED in {td.get_text() for td in html.select("table")[0].select("td")}  # the board's holder
        visit.check_clean()
    finally:
        visit.close()


# --- ids and keys that are names of Object.prototype, and tampered storage ------------------------------

# An organization of ten roles and four severity levels; one role's id is "constructor", which a plain
# object finds on its prototype.
EXTRA_ROLES = {
    "constructor": "Constructor Liaison Coordinator",
    "security-lead": "Security Incident Lead",
    "legal-counsel": "Legal and Regulatory Counsel",
    "customer-success-liaison": "Customer Success Liaison",
}


def _ten_roles(project: Path) -> Path:
    """The default project grown to ten roles, engaged at four severity levels, each with three contacts."""
    model = yaml.safe_load((project / "roles" / "support-team.yaml").read_text("utf-8"))
    for rid, name in EXTRA_ROLES.items():
        role = {**model, "name": name, "short": rid[:3].upper()}
        (project / "roles" / f"{rid}.yaml").write_text(yaml.safe_dump(role, sort_keys=False), "utf-8")
    activities_file = project / "roles" / "activities.yaml"
    activities = yaml.safe_load(activities_file.read_text("utf-8"))
    activities["activities"][0]["raci"].update({rid: "I" for rid in EXTRA_ROLES})
    activities_file.write_text(yaml.safe_dump(activities, sort_keys=False), "utf-8")
    config_file = project / "site_config" / "playbook.yaml"
    config = yaml.safe_load(config_file.read_text("utf-8"))
    order = [*config["role_order"], *EXTRA_ROLES]
    config["role_order"] = order
    low = {"id": "sev4", "name": "SEV4 Low", "description": "Cosmetic.", "respond_within": "1 day"}
    config["severities"] = [
        {**config["severities"][0], "roles": list(order)},
        {**config["severities"][1], "roles": list(order)},
        {**config["severities"][2], "roles": order[:8]},
        {**low, "update_every": "once a week", "roles": order[:5]},
    ]
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    contacts_file = project / "site_config" / "contacts.yaml"
    contacts = yaml.safe_load(contacts_file.read_text("utf-8"))
    for rid in EXTRA_ROLES:
        contacts["contacts"][rid] = {
            "channel": f"#{rid}-escalations",
            "pager": f"{rid}-primary",
            "email": f"{rid}@example.org",
        }
    contacts_file.write_text(yaml.safe_dump(contacts, sort_keys=False), "utf-8")
    return project


@pytest.fixture(scope="module")
def ten_role_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = _ten_roles(copy_project(tmp_path_factory.mktemp("ten-roles") / "project"))
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    yield from _serve(project / "site")


def test_a_role_called_constructor_is_ticked_assigned_and_exported(browser: Any, ten_role_site: str) -> None:
    visit = Session(browser, ten_role_site)
    try:
        page = visit.open("roles/constructor/")
        _tick(page, 0)
        expect(_item(page, 0).locator(".rb-check-done")).to_have_text(re.compile(rf"^{TIME}$"))
        page = visit.open("board/")
        _field(page, "constructor", "holder").fill("Zed")
        page.keyboard.press("Tab")
        expect(_field(page, "constructor", "since")).to_have_value(re.compile(rf"^{TIME}$"))
        page.reload(wait_until="networkidle")
        expect(_field(page, "constructor", "holder")).to_have_value("Zed")
        page.goto(ten_role_site + "incident-log/", wait_until="networkidle")
        log = json.loads(_download(page, "Download JSON"))
        jsonschema.validate(log, json.loads(SCHEMA.read_text("utf-8")))
        [assigned] = log["assignments"]
        assert (assigned["role"], assigned["role_name"], assigned["holder"]) == (
            "constructor",
            EXTRA_ROLES["constructor"],
            "Zed",
        )
        assert [(e["action"], e.get("role")) for e in log["activity"]][1:] == [
            ("ticked", "constructor"),
            ("assigned", "constructor"),
        ]
        visit.check_clean()
    finally:
        visit.close()


AT = "2024-05-01T10:00:00+02:00"
# Storage as a hand or another program may leave it: every part in a wrong shape, keys that are names of
# Object.prototype, objects whose String() throws, and one tick and one board entry that are sound.
TAMPERED: dict[str, Any] = {
    "v": 1,
    "current": "i1",
    "initials": {"toString": "x"},
    "incidents": [
        None,
        7,
        "x",
        {"id": {"toString": "x"}, "started": AT},
        {"id": "i0", "started": "yesterday", "events": "none"},
        {
            "id": "i1",
            "name": {"toString": "x"},
            "sev": {"id": {}, "name": []},
            "started": AT + " [x](https://evil.example/) @everyone",
            "ended": "never",
            "events": [
                None,
                5,
                "x",
                [],
                {"kind": "", "at": AT},
                {"kind": "ticked", "at": "soon", "role": "incident-manager", "item": "declare"},
                {"kind": "ticked", "at": AT, "role": "__proto__", "item": "x", "key": "__proto__"},
                {"kind": "assigned", "at": AT, "role": "incident-manager", "field": "__proto__"},
                {"kind": "started", "at": AT, "text": "Incident started", "initials": ["A"]},
                {
                    "kind": "ticked",
                    "at": AT,
                    "role": "incident-manager",
                    "item": "ITEM",
                    "key": "__proto__",
                    "text": {"toString": "x"},
                    "roleName": 5,
                },
            ],
            "board": {
                "__proto__": {"holder": "P"},
                "constructor": {"holder": {"toString": "x"}},
                "toString": {"holder": "T"},
                "incident-manager": "a string",
                "support-team": {"holder": "Sam", "name": {"toString": "x"}, "since": 5},
            },
        },
    ],
}


def _store(page: Any, base: str, value: str) -> None:
    """``value`` kept as this playbook's incidents, and the page loaded anew."""
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [f"rolebook:incidents:{base}", value])
    page.reload(wait_until="networkidle")


def test_tampered_storage_is_read_into_shape(session: Session) -> None:
    page = session.open("roles/incident-manager/")
    item = str(_item(page, 0).get_attribute("data-rb-item"))
    _store(page, session.base, json.dumps(TAMPERED).replace('"ITEM"', json.dumps(item)))
    # the sound tick shows; the incident, its name unreadable, is named by its first time
    expect(page.locator(".rb-bar-status")).to_contain_text("Incident running: Incident 2024-05-01 10:00")
    expect(_item(page, 0).locator("input.rb-check-box")).to_be_checked()
    expect(_item(page, 0).locator(".rb-check-done")).to_have_text("10:00")
    page.goto(session.base + "board/", wait_until="networkidle")
    expect(_field(page, "support-team", "holder")).to_have_value("Sam")
    expect(_field(page, "support-team", "since")).to_have_value("5")
    expect(_field(page, "incident-manager", "holder")).to_have_value("")
    _field(page, "incident-manager", "holder").fill("Ann")  # its entry was a string
    page.keyboard.press("Tab")
    expect(_field(page, "incident-manager", "since")).to_have_value(re.compile(rf"^{TIME}$"))
    page.goto(session.base + "incident-log/", wait_until="networkidle")
    expect(page.locator(".rb-log-facts")).to_contain_text("Incident 2024-05-01 10:00")
    log = json.loads(_download(page, "Download JSON"))
    jsonschema.validate(log, json.loads(SCHEMA.read_text("utf-8")))
    IncidentLog.model_validate(log)
    assert log["incident"]["started"] == AT and log["incident"]["ended"] is None
    assert log["incident"]["severity"] is None
    assert [(e["action"], e.get("key"), e["text"]) for e in log["activity"]][:2] == [
        ("started", None, "Incident started"),
        ("ticked", f"incident-manager/{item}", ""),
    ]
    assert {a["role"]: a["holder"] for a in log["assignments"]} == {
        "incident-manager": "Ann",
        "support-team": "Sam",
    }
    markdown = _download(page, "Download Markdown")
    html = BeautifulSoup(cmarkgfm.github_flavored_markdown_to_html(markdown), "html.parser")
    assert "Started: 2024-05-01 10:00 (UTC+02:00)" in [li.get_text() for li in html.select("li")]


STORED = {
    "not-json": "not JSON",
    "null": "null",
    "array": "[1, 2]",
    "incidents-object": json.dumps({"v": 1, "incidents": {"a": 1}, "current": 5}),
    "null-event": json.dumps(
        {"v": 1, "current": "a", "incidents": [{"id": "a", "started": AT, "events": [None]}]}
    ),
    "name-object": json.dumps(
        {
            "v": 1,
            "current": "a",
            "incidents": [
                {"id": "a", "started": AT, "name": {"toString": "x"}, "board": {"support-team": "x"}}
            ],
        }
    ),
    "odd-shapes": json.dumps(
        {
            "v": 1,
            "incidents": [
                {"id": "a", "started": AT, "events": [{"kind": "ticked", "at": AT}], "board": ["x"]},
                {"id": "a", "started": {}},
            ],
        }
    ),
}


@pytest.mark.parametrize("stored", STORED.values(), ids=STORED.keys())
def test_any_stored_value_gives_working_pages(session: Session, stored: str) -> None:
    page = session.open("roles/incident-manager/")
    _store(page, session.base, stored)
    for path in ("roles/incident-manager/", "board/", "incident-log/"):
        page.goto(session.base + path, wait_until="networkidle")
        expect(page.locator(".rb-bar-status")).not_to_be_empty()
    expect(page.locator(".rb-log")).not_to_be_empty()
    if page.locator(".rb-log-facts").count():
        expect(page.get_by_role("button", name="Download JSON")).to_be_visible()
        jsonschema.validate(
            json.loads(_download(page, "Download JSON")), json.loads(SCHEMA.read_text("utf-8"))
        )
    page.goto(session.base + "roles/incident-manager/", wait_until="networkidle")
    _tick(page, 1)  # and the incident goes on
    expect(_item(page, 1).locator(".rb-check-done")).to_have_text(re.compile(rf"^{TIME}"))


# --- the Markdown export makes no link, mention or reference ---------------------------------------------

LINKY = {
    "incident-manager": "Mail user@evil.example or mailto:x@evil.example",
    "subject-matter-experts": "xmpp:a@evil.example",
    "communication-lead": "@everyone and @org/team",
    "operations-team": "owner/repo#1 and #2",
    "support-team": "https://evil.example/x and www.evil.example",
    "management-leadership": "_www.evil.example, ftp://evil.example",
}
WORD_JOINER = "\u2060"


def test_the_markdown_export_makes_no_link_mention_or_reference(session: Session) -> None:
    """GitHub's Markdown (cmarkgfm with its extensions) links addresses however the @ is escaped, and GitHub
    finds @mentions and owner/repo#1 references in the rendered text: the export keeps every one of them
    text, and the text reads as typed."""
    page = session.open("board/")
    _start(page, "Paged @everyone, see owner/repo#3", "SEV2 Major")
    for role, typed in LINKY.items():
        _field(page, role, "holder").fill(typed)
        page.keyboard.press("Tab")
    page.goto(session.base + "incident-log/", wait_until="networkidle")
    log = json.loads(_download(page, "Download JSON"))
    assert {a["role"]: a["holder"] for a in log["assignments"]} == LINKY  # the JSON keeps the text as it is
    markdown = _download(page, "Download Markdown")
    html = BeautifulSoup(cmarkgfm.github_flavored_markdown_to_html(markdown), "html.parser")
    assert html.select("a") == []
    rendered = html.get_text()
    # GitHub's mentions and references: an @ or a # right before a name or a number
    assert not re.search(r"@[A-Za-z0-9]", rendered) and not re.search(r"#\d", rendered)
    readable = {td.get_text().replace(WORD_JOINER, "") for td in html.select("td")}
    assert set(LINKY.values()) <= readable
    assert {f"Holder: {typed}" for typed in LINKY.values()} <= readable
    title = html.select_one("h1")
    assert title is not None and title.get_text().replace(WORD_JOINER, "") == (
        "Incident log: Paged @everyone, see owner/repo#3"
    )


# --- print -------------------------------------------------------------------------------------------------


def _pdf(page: Any, path: Path, paper: str) -> PdfReader:
    page.emulate_media(media="print")
    page.pdf(path=str(path), format=paper, prefer_css_page_size=True)
    page.emulate_media(media="screen")
    return PdfReader(path)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_board_of_ten_roles_prints_on_one_landscape_sheet(
    browser: Any, ten_role_site: str, tmp_path: Path, paper: str
) -> None:
    visit = Session(browser, ten_role_site)
    try:
        page = visit.open("board/")
        assert page.locator("table.rb-board tbody tr").count() == 10
        _field(page, "customer-success-liaison", "holder").fill("Dana")
        page.keyboard.press("Tab")
        reader = _pdf(page, tmp_path / f"board-{paper}.pdf", paper)
        if paper == "A4":
            _print(page, "incident-board-ten-roles-print", tmp_path)
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert float(box.width) > float(box.height)
        text = " ".join(reader.pages[0].extract_text().split())
        assert "Dana" in text and "Customer Success Liaison" in text and "Legal and Regulatory" in text
        assert "sev1 SEV1 Critical" in text  # the key to the levels, printed by their ids in the rows
        visit.check_clean()
    finally:
        visit.close()


def _words(pdf: Path) -> list[list[tuple[float, float, str]]]:
    """Each page's words with their left and right edges, in points (poppler's pdftotext)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, timeout=60, capture_output=True, text=True
    ).stdout
    pages = BeautifulSoup(out, "html.parser").select("page")
    return [
        [(float(str(w["xmin"])), float(str(w["xmax"])), w.get_text()) for w in p.select("word")]
        for p in pages
    ]


ROLES_FOR_LOG = ("incident-manager", "communication-lead", "management-leadership")
LONG_VALUES = {
    "holder": "Alexandra Example-Longname",
    "since": "14:05",
    "handed_to": "bartholomew.example-longname@example.org",
    "at": "2024-05-01T16:30:00+02:00",
}


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_printed_logs_tables_fit_the_sheet(session: Session, tmp_path: Path, paper: str) -> None:
    page = session.open("board/")
    for role in ROLES_FOR_LOG:
        for field, value in LONG_VALUES.items():
            _field(page, role, field).fill(value)
            page.keyboard.press("Tab")
    page.goto(session.base + "incident-log/", wait_until="networkidle")
    pdf = tmp_path / f"log-{paper}.pdf"
    reader = _pdf(page, pdf, paper)
    width = float(reader.pages[0].mediabox.width)
    words = _words(pdf)
    margin = min(x0 for page_words in words for x0, _, _ in page_words)  # the sheet's margins are even
    beyond = [w for page_words in words for w in page_words if w[1] > width - margin + 1]
    assert beyond == []  # nothing cut off at the right edge
    assert [w[2] for w in words[0]].count("At") == 1  # the assignments' last column, printed
    # laid out as wide as the sheet's text (A4's, the narrower), no table scrolls sideways out of sight
    page.set_viewport_size({"width": 600, "height": 900})
    page.emulate_media(media="print")
    hidden = page.evaluate(
        "[...document.querySelectorAll('.rb-table-wrap')].map((w) => w.scrollWidth - w.clientWidth)"
    )
    assert hidden == [0, 0]


def test_no_printed_role_page_ends_with_a_heading(session: Session, tmp_path: Path) -> None:
    """Printed, a heading goes over to the next sheet with the block it introduces ("Escalate to" with its
    table), on A4 and Letter, for every role of the default playbook."""
    headings_js = """() => [...document.querySelectorAll('article :is(h1, h2, h3, h4, h5, h6)')].map((h) => {
      const c = h.cloneNode(true); c.querySelectorAll('.headerlink').forEach((a) => a.remove());
      return c.textContent.trim(); })"""
    ends = []
    for rid in ROLE_IDS:
        page = session.open(f"roles/{rid}/")
        headings = set(page.evaluate(headings_js))
        assert "Escalate to" in headings
        for paper in ("A4", "Letter"):
            reader = _pdf(page, tmp_path / f"{rid}-{paper}.pdf", paper)
            assert len(reader.pages) > 1
            for n, sheet in enumerate(reader.pages[:-1]):
                lines = [line.strip() for line in sheet.extract_text().splitlines() if line.strip()]
                if lines and lines[-1] in headings:
                    ends.append((rid, paper, n + 1, lines[-1]))
    assert ends == []
