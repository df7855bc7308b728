"""The RACI page as a responder uses it: the whole matrix on the page with its head in view while the page
scrolls, the role names in the head on a laptop, a phone and paper, each phase printed with its rows, and
one role's letters at a time without JavaScript. Built for real (the default playbook, a new organization
with long role names, and one with more roles than the grid takes), then read as HTML, in chromium, and
printed to PDF. Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
import unicodedata
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from generator.render.renderer import GRID_ROLE_LIMIT

from .sitekit import REPO_ROOT, launched_chromium, load_yaml, needs_chromium, rolebook, soup, static_server

SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
HEADER_BAR = 48  # Material's header bar: 2.4rem of its 20px root font

# A new organization's roles: its own ids, names up to the 80 characters a name may have, and characters
# that HTML must escape.
LONG_ROLES = {
    "duty-officer": (
        "Regional Emergency Operations Centre Duty Officer for the North and Coast Areas",
        "REOC",
    ),
    "clinical-safety": ("Clinical Safety Officer", "CSO"),
    "ehr-platform": ("Electronic Health Record Platform Engineering On-Call Engineer", "EHR"),
    "network": ('Network & Telephony "Core" Team (< 24h)', "NET"),
    "vendor-liaison": ("Third-Party Vendor and Supplier Liaison", "VEND"),
    "press": ("Press Office", "PR"),
    "wards": ("Ward Managers and Senior Nursing Staff on Duty at Every Affected Hospital Site", "WARD"),
    "privacy": ("Information Governance and Data Protection Officer", "DPO"),
    "exec": ("Executive Director on Call", "EXEC"),
}
LONG_PHASES = (
    ("triage", "Triage", "The first half hour."),
    ("contain", "Contain", "Stopping the harm."),
    ("restore", "Restore", "Bringing services back."),
    ("learn", "Learn", "After the incident."),
)


def _long_activities() -> list[dict[str, Any]]:
    """Eight activities per phase, each with one Accountable, one Responsible and one Informed role."""
    ids = list(LONG_ROLES)
    out: list[dict[str, Any]] = []
    for phase, name, _ in LONG_PHASES:
        for k in range(8):
            n = len(out)
            raci = {ids[(2 * n) % len(ids)]: "A", ids[(2 * n + 1) % len(ids)]: "R"}
            raci.setdefault(ids[(n + 4) % len(ids)], "I")
            out.append({"id": f"{phase}-{k}", "name": f"{name} step {k + 1}", "phase": phase, "raci": raci})
    return out


def make_long_names_org(root: Path) -> Path:
    """`rolebook init`, the default roles replaced by LONG_ROLES, their phases and activities; built."""
    result = rolebook("init", "org", "--organization", "Northshore Regional Health", cwd=root)
    assert result.returncode == 0, result.stderr
    project = root / "org"
    for path in (project / "roles").glob("*.yaml"):
        path.unlink()
    for rid, (name, short) in LONG_ROLES.items():
        role = f"""\
            name: {json.dumps(name)}
            short: {short}
            summary: Takes part in the response.
            responsibilities: [Does what the role is for.]
            review: {{owner: "@northshore", last_reviewed: 2026-11-20}}
            """
        (project / "roles" / f"{rid}.yaml").write_text(textwrap.dedent(role), "utf-8")
    activities = {"activities": _long_activities()}
    (project / "roles" / "activities.yaml").write_text(json.dumps(activities, indent=1), "utf-8")
    config = project / "site_config" / "playbook.yaml"
    settings = config.read_text("utf-8").split("\nrole_order:")[0]
    ids = ", ".join(LONG_ROLES)
    phases = "".join(f"\n  - {{id: {i}, name: {n}, description: {d}}}" for i, n, d in LONG_PHASES)
    config.write_text(
        f"{settings}\nrole_order: [{ids}]\nphases:{phases}\n"
        f"severities:\n  - {{id: major, name: Major, description: Care is affected., roles: [{ids}]}}\n",
        "utf-8",
    )
    (project / "site_config" / "contacts.yaml").write_text("contacts: {}\n", "utf-8")
    built = rolebook("build", cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    return project


@pytest.fixture(scope="module")
def long_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The new organization with long role names, built: its site folder."""
    return make_long_names_org(tmp_path_factory.mktemp("raci-long")) / "site"


def _default_rows(project: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """The default playbook's phases, activities and role order, from its files."""
    settings = load_yaml(project / "site_config" / "playbook.yaml")
    activities = load_yaml(project / "roles" / "activities.yaml")["activities"]
    return settings["phases"], activities, settings["role_order"]


def _role_names(project: Path, order: list[str]) -> dict[str, tuple[str, str]]:
    names = {}
    for rid in order:
        data = load_yaml(project / "roles" / f"{rid}.yaml")
        names[rid] = (data["name"], data["short"])
    return names


# --- the page as built ----------------------------------------------------------------------------


def test_the_matrix_is_on_the_page_with_a_head_that_keeps_in_view(default_site: tuple[Path, Path]) -> None:
    _, site = default_site
    page = soup(site / "raci" / "index.html")
    matrix = page.select_one("article .rb-raci-matrix")
    assert matrix is not None and matrix.select("table.rb-raci") == [matrix.find("table")]
    assert page.select(".rb-raci-wrap, .rb-raci-matrix [role=region]") == []  # no box of its own to scroll
    css = (site / "assets" / "rolebook-raci.css").read_text("utf-8")
    assert re.search(r"table\.rb-raci thead th ?\{[^}]*position: ?sticky; ?top: ?2\.4rem;", css)  # minified
    matrix_rules = [rule for rule in re.findall(r"[^{}]*\{[^}]*\}", css) if "rb-raci" in rule]
    assert matrix_rules and not [
        r for r in matrix_rules if re.search(r"overflow(-y)?: ?(auto|scroll)|max-height: ?\d+vh", r)
    ]


def test_the_head_and_the_key_name_every_role(default_site: tuple[Path, Path]) -> None:
    project, site = default_site
    _, _, order = _default_rows(project)
    names = _role_names(project, order)
    page = soup(site / "raci" / "index.html")
    heads = page.select("table.rb-raci thead th[data-role]")
    assert [th["data-role"] for th in heads] == order
    for th in heads:
        name, short = names[th["data-role"]]
        assert th.select_one(".rb-raci-name").get_text() == name
        assert th.find("abbr").get_text() == short and th.find("abbr")["title"] == name
        assert th.find("a")["href"] == f"../roles/{th['data-role']}/"
    # the key above the matrix: a labelled radio button per role, after "All roles", which is chosen
    show = page.select_one(".rb-raci-matrix > fieldset.rb-raci-show")
    assert show is not None and show.find("legend").get_text(" ", strip=True).startswith(
        "Show the letters of"
    )
    labels = show.find_all("label", recursive=False)
    assert " ".join(labels[0].get_text().split()) == "All roles"
    assert labels[0].find("input").has_attr("checked")
    assert [label.find("input")["value"] for label in labels[1:]] == order
    for label in labels[1:]:
        name, short = names[label.find("input")["value"]]
        assert " ".join(label.get_text().split()) == f"{short} {name}"
        assert label.find("input")["type"] == "radio" and not label.find("input").has_attr("checked")
    assert {label.find("input")["name"] for label in labels} == {"rb-raci-show"}


def test_a_cell_says_its_letter_to_the_stylesheet(default_site: tuple[Path, Path]) -> None:
    project, site = default_site
    _, activities, _ = _default_rows(project)
    page = soup(site / "raci" / "index.html")
    for activity in activities:
        row = page.select_one(f"tr[data-activity='{activity['id']}']")
        for td in row.find_all("td"):
            letter = activity["raci"].get(td["data-role"])
            assert td.get("data-letter") == (
                {"A/R": "AR", "RA": "AR"}.get(letter, letter) if letter else None
            )


def test_the_stylesheet_covers_every_column_the_grid_can_have(default_site: tuple[Path, Path]) -> None:
    css = (default_site[1] / "assets" / "rolebook-raci.css").read_text("utf-8")
    css = re.sub(r"\s*>\s*", " > ", css).replace("( > ", "(> ")  # the stylesheet is minified: spaced again
    # the role's button is the nth label (the first is "All roles"), its column the nth cell of a row
    for n in range(2, GRID_ROLE_LIMIT + 2):
        chosen = f".rb-raci-matrix:has(> .rb-raci-show > label:nth-of-type({n}) > input:checked)"
        assert f"{chosen} > table.rb-raci tr > :nth-child(n+2):not(:nth-child({n}))" in css
        assert f"{chosen} > table.rb-raci tr[data-activity]:not(:has(> :nth-child({n})[data-letter]))" in css
    assert "label:nth-of-type(" + str(GRID_ROLE_LIMIT + 2) + ")" not in css
    page = soup(default_site[1] / "raci" / "index.html")
    assert not page.select("article style:not([media=print])")  # the page holds no style of its own


def test_long_and_odd_names_are_escaped_and_whole(long_org: Path) -> None:
    html = (long_org / "raci" / "index.html").read_text("utf-8")
    page = soup(long_org / "raci" / "index.html")
    name, short = LONG_ROLES["network"]
    escaped = "Network &amp; Telephony &#34;Core&#34; Team (&lt; 24h)"
    assert (
        f'title="{escaped}"' in html and f"{escaped}</span>" in html and f"</abbr> {escaped}</label>" in html
    )
    matrix = html[html.index('<div class="rb-raci-matrix">') : html.index("</table>")]
    assert '"Core"' not in matrix  # never a bare quote, which would end an attribute
    th = page.select_one("thead th[data-role='network']")
    assert th.select_one(".rb-raci-name").get_text() == name and th.find("a")["title"] == name
    label = page.select_one("fieldset.rb-raci-show input[value='network']").parent
    assert " ".join(label.get_text().split()) == f"{short} {name}"
    for rid, (long_name, _) in LONG_ROLES.items():  # every name whole in the head and in the key
        assert page.select_one(f"thead th[data-role='{rid}'] .rb-raci-name").get_text() == long_name
        assert long_name in page.select_one(f"fieldset.rb-raci-show input[value='{rid}']").parent.get_text()


@pytest.fixture(scope="module")
def many_roles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A playbook with one role more than the grid takes, built: its site folder."""
    from benchmarks.synth import make_org

    project = make_org(GRID_ROLE_LIMIT + 1, tmp_path_factory.mktemp("raci-many") / "org")
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "site"


def test_with_many_roles_each_role_links_to_its_own_letters(many_roles: Path) -> None:
    page = soup(many_roles / "raci" / "index.html")
    assert page.select(".rb-raci-wrap, fieldset.rb-raci-show") == []
    tables = page.select("table.rb-raci--list")
    assert tables and all(table.parent.name == "article" for table in tables)  # no box of their own to scroll
    assert not page.select("table.rb-raci thead th[data-role]")
    links = page.select("details.rb-raci-roles li a")
    assert len(links) == GRID_ROLE_LIMIT + 1
    for n, link in enumerate(links):
        assert link["href"] == f"../roles/role-{n:04d}/#raci" and link.get_text() == f"Role {n:04d}"
        role_page = soup(many_roles / "roles" / f"role-{n:04d}" / "index.html")
        section = role_page.find("h2", id="raci")
        assert section is not None
        assert section.find_next("table").select("a[href*='raci/#act-']")  # the role's letters, linked


# --- in a browser -----------------------------------------------------------------------------------


def in_browser(test: Any) -> Any:
    """Mark a test as one driving Debian's chromium; skipped where chromium is absent."""
    return pytest.mark.browser(needs_chromium(test))


@pytest.fixture(scope="module")
def serve() -> Iterator[Any]:
    """serve(site folder) -> its URL on an ephemeral port of 127.0.0.1; every server stops with the module."""
    with ExitStack() as servers:
        yield lambda folder: servers.enter_context(static_server(folder))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' brings playwright")
    with launched_chromium() as launched:
        yield launched


@dataclass
class Visit:
    """The RACI page of a served site, opened at a width, with the page's errors recorded."""

    page: Any
    errors: list[str]

    @classmethod
    def open(cls, browser: Any, url: str, width: int, *, script: bool = True) -> Visit:
        context = browser.new_context(
            viewport={"width": width, "height": 900 if width > 600 else 740}, java_script_enabled=script
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(url + "raci/", wait_until="networkidle")
        return cls(page, errors)

    def shot(self, name: str, *, full_page: bool = False) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)

    def close(self) -> None:
        self.page.context.close()


INNER_SCROLLERS = """() => [document.querySelector('.rb-raci-matrix'),
    ...document.querySelectorAll('.rb-raci-matrix *')].filter(e => {
      const s = getComputedStyle(e);
      return /auto|scroll/.test(s.overflowY) && e.scrollHeight > e.clientHeight;
    }).map(e => e.tagName + '.' + e.className)"""


@in_browser
@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("org", ["default", "long-names"])
def test_the_head_stays_in_view_down_to_the_last_row(
    browser: Any,
    serve: Any,
    default_site: tuple[Path, Path],
    request: pytest.FixtureRequest,
    org: str,
    width: int,
) -> None:
    site = default_site[1] if org == "default" else request.getfixturevalue("long_org")
    visit = Visit.open(browser, serve(site), width)
    page = visit.page
    try:
        height = page.viewport_size["height"]
        assert page.evaluate(INNER_SCROLLERS) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # the table fits
        page.locator("tr[data-activity]").last.scroll_into_view_if_needed()
        page.mouse.wheel(0, 200)  # and a little further, as a reader would
        page.wait_for_timeout(100)
        # the page scrolled (not a box inside it) well past the table's own top
        assert (
            page.evaluate("() => document.querySelector('table.rb-raci').getBoundingClientRect().top") < -300
        )
        last = page.locator("tr[data-activity]").last.bounding_box()
        assert last is not None and 0 <= last["y"] < height
        expected = _shown_names(default_site[0]) if org == "default" else list(LONG_ROLES.values())
        heads = page.locator("table.rb-raci thead th[data-role]")
        assert heads.count() == len(expected)
        bottom = 0.0
        for i in range(heads.count()):
            box = heads.nth(i).bounding_box()
            assert box is not None and HEADER_BAR - 1 <= box["y"] <= HEADER_BAR + 1, box  # just below the bar
            assert box["height"] < height / 3
            bottom = max(bottom, box["y"] + box["height"])
            assert heads.nth(i).locator(".rb-raci-name").is_visible()
        assert last["y"] >= bottom - 1  # the last row is not under the head
        # every role's name is in the head: the default ones whole; a long one begun there, whole in the key
        names = page.eval_on_selector_all(
            "thead th[data-role] .rb-raci-head",
            "els => els.map(e => [e.innerText, e.scrollWidth <= e.clientWidth + 1])",
        )
        assert [" ".join(text.split()) for text, _ in names] == [f"{s} {n}" for n, s in expected]
        if org == "default":
            assert all(whole for _, whole in names), names
        else:
            assert not all(whole for _, whole in names)  # the longest are cut short in the head ...
            for name, _ in LONG_ROLES.values():  # ... and whole in the key above the matrix
                assert page.locator("fieldset.rb-raci-show label", has_text=name).is_visible()
        assert visit.errors == []
        visit.shot(f"raci-{org}-{width}-scrolled")
    finally:
        visit.close()


@in_browser
@pytest.mark.parametrize("width", [1280, 375])
def test_a_link_to_one_activity_lands_below_the_head(
    browser: Any, serve: Any, default_site: tuple[Path, Path], width: int
) -> None:
    """Role pages link to their activities' rows (raci/#act-...): the row shows, not hidden by the head."""
    activities = _default_rows(default_site[0])[1]
    target = activities[len(activities) // 2]["id"]
    visit = Visit.open(browser, serve(default_site[1]), width)
    page = visit.page
    try:
        page.goto(page.url + f"#act-{target}")
        page.wait_for_timeout(300)
        row = page.locator(f"tr#act-{target}").bounding_box()
        head = page.locator("table.rb-raci thead th[data-role]").first.bounding_box()
        assert row is not None and head is not None
        assert (
            head["y"] + head["height"] <= row["y"] + 1
            and row["y"] + row["height"] <= page.viewport_size["height"]
        )
    finally:
        visit.close()


def _shown_names(project: Path) -> list[tuple[str, str]]:
    order = load_yaml(project / "site_config" / "playbook.yaml")["role_order"]
    return list(_role_names(project, order).values())


VISIBLE = """sel => [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length > 0)
    .map(e => e.dataset.activity || e.dataset.phase || e.dataset.role)"""


def _expect_one_role(page: Any, rid: str, activities: list[dict[str, Any]], phases: list[str]) -> None:
    """Only ``rid``'s column, only the activities it has a letter in, only their phases."""
    mine = sorted((a for a in activities if rid in a["raci"]), key=lambda a: phases.index(a["phase"]))
    assert page.evaluate(VISIBLE, "thead th[data-role]") == [rid]
    assert page.evaluate(VISIBLE, "tr[data-activity]") == [a["id"] for a in mine]
    assert page.evaluate(VISIBLE, "tbody[data-phase]") == [
        p for p in phases if any(a["phase"] == p for a in mine)
    ]
    cells = page.evaluate(
        """() => [...document.querySelectorAll('tr[data-activity]')].filter(r => r.getClientRects().length)
             .map(r => [...r.querySelectorAll('td')].filter(c => c.getClientRects().length)
             .map(c => c.dataset.role + '=' + c.textContent))"""
    )
    labels = {"AR": "A/R", "RA": "A/R"}
    assert cells == [[f"{rid}={labels.get(a['raci'][rid], a['raci'][rid])}"] for a in mine]


@in_browser
@pytest.mark.parametrize("width", [1280, 375])
def test_one_roles_letters_without_javascript(
    browser: Any, serve: Any, default_site: tuple[Path, Path], width: int
) -> None:
    project, site = default_site
    phases, activities, order = _default_rows(project)
    phase_ids = [p["id"] for p in phases if any(a["phase"] == p["id"] for a in activities)]
    visit = Visit.open(browser, serve(site), width, script=False)
    page = visit.page
    try:
        everything = page.evaluate(VISIBLE, "tr[data-activity]")
        assert len(everything) == len(activities)
        names = _role_names(project, order)
        # by mouse: the role's own button, labelled with its abbreviation and name
        name, short = names["communication-lead"]
        page.get_by_role("radio", name=f"{short} {name}", exact=True).check()
        _expect_one_role(page, "communication-lead", activities, phase_ids)
        if width < 600:  # on a phone the letter stands beside the activity, the name across the head
            row = page.locator("tr[data-activity]:visible").first
            th, td = row.locator("th").bounding_box(), row.locator("td:visible").bounding_box()
            assert td["x"] > th["x"] + th["width"] - 1 and abs(td["y"] - th["y"]) < 2
            visit.shot("raci-one-role-phone", full_page=True)
        # by keyboard: the buttons are one group, arrows move the choice
        all_roles = page.get_by_role("radio", name="All roles", exact=True)
        all_roles.check()
        assert page.evaluate(VISIBLE, "tr[data-activity]") == everything
        all_roles.focus()
        page.keyboard.press("ArrowRight")
        first_name, first_short = names[order[0]]
        assert page.get_by_role("radio", name=f"{first_short} {first_name}", exact=True).is_checked()
        _expect_one_role(page, order[0], activities, phase_ids)
        page.keyboard.press("ArrowRight")
        _expect_one_role(page, order[1], activities, phase_ids)
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        assert all_roles.is_checked() and page.evaluate(VISIBLE, "tr[data-activity]") == everything
        assert page.evaluate(VISIBLE, "thead th[data-role]") == order
        assert visit.errors == []
    finally:
        visit.close()


def _pdf_pages(path: Path) -> list[str]:
    """Each page's text, its ligatures (ﬁ) undone and its white space made single spaces."""
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in PdfReader(path).pages]


def _print(visit: Visit, pdf: Path, shot: str) -> list[str]:
    page = visit.page
    page.emulate_media(media="print")
    artefacts = page.evaluate(
        """() => [...document.querySelectorAll('.rb-raci-matrix *')]
             .filter(e => /sticky|fixed/.test(getComputedStyle(e).position)).map(e => e.tagName)"""
    )
    assert artefacts == []  # nothing sticks or floats on paper
    assert page.evaluate("() => getComputedStyle(document.querySelector('table.rb-raci thead')).display") == (
        "table-header-group"
    )
    assert page.evaluate(
        "() => [...document.querySelectorAll('.rb-raci-show input')].every(e => !e.getClientRects().length)"
    )
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    if shutil.which("pdftoppm"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob(f"{shot}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / shot)], check=True, timeout=120)
    return _pdf_pages(pdf)


def _first_page(pages: list[str], text: str) -> int:
    found = [n for n, page in enumerate(pages) if text in page]
    assert found, f"{text!r} is on no page"
    return found[0]


@in_browser
def test_printed_each_phase_keeps_its_rows_and_every_sheet_names_the_roles(
    browser: Any, serve: Any, default_site: tuple[Path, Path], tmp_path: Path
) -> None:
    project, site = default_site
    phases, activities, order = _default_rows(project)
    visit = Visit.open(browser, serve(site), 1280)
    try:
        pages = _print(visit, tmp_path / "raci.pdf", "raci-print")
    finally:
        visit.close()
    assert len(pages) >= 2
    for phase in phases:
        rows = [a for a in activities if a["phase"] == phase["id"]]
        if rows:
            heading = f"{phase['name'].upper()} {phase['description']}"
            assert _first_page(pages, heading) == _first_page(pages, rows[0]["name"]), phase["id"]
    table_pages = range(_first_page(pages, "Activity"), len(pages))
    assert list(table_pages) == list(range(len(pages)))  # the head is on every sheet, from the first
    for name, short in _role_names(project, order).values():
        for n in table_pages:
            assert f"{short} {name}" in pages[n], (n, name)
        assert pages[0].count(f"{short} {name}") == 2  # in the key and in the head


@in_browser
def test_printed_long_names_keep_phases_whole_and_repeat_the_head(
    browser: Any, serve: Any, long_org: Path, tmp_path: Path
) -> None:
    visit = Visit.open(browser, serve(long_org), 1280)
    try:
        pages = _print(visit, tmp_path / "raci.pdf", "raci-long-names-print")
    finally:
        visit.close()
    activities = _long_activities()
    for phase, name, description in LONG_PHASES:
        first = next(a for a in activities if a["phase"] == phase)
        last = [a for a in activities if a["phase"] == phase][-1]
        at = _first_page(pages, f"{name.upper()} {description}")
        assert at == _first_page(pages, first["name"]) == _first_page(pages, last["name"])  # a phase whole
    for n in range(_first_page(pages, "Activity"), len(pages)):
        for name, short in LONG_ROLES.values():
            assert f"{short} {name.split()[0]}" in pages[n], (n, short)  # the head: begun on every sheet
    for name, short in LONG_ROLES.values():
        assert f"{short} {name}" in pages[0]  # whole in the key
