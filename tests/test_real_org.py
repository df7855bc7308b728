"""A real organization's playbook: nothing of rolebook's defaults shows, A and R on one role, its own name
everywhere, example values reported, editors' pages off, escalation and consistency rules."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from pypdf import PdfReader

from generator.exports.formats import PlaybookExport

from .foreign import ORGANIZATION, SITE_NAME, make_foreign_playbook
from .sitekit import REPO_ROOT, ROLE_IDS, copy_project, rolebook, soup

DEFAULT_NAMES = [
    yaml.safe_load((REPO_ROOT / "roles" / f"{rid}.yaml").read_text("utf-8"))["name"] for rid in ROLE_IDS
]
DEFAULT_SHORTS = [
    yaml.safe_load((REPO_ROOT / "roles" / f"{rid}.yaml").read_text("utf-8"))["short"] for rid in ROLE_IDS
]
# What must never show in a converted playbook's outputs: the defaults' roles, their ids and
# abbreviations, the demonstration's title, organization, addresses and date, and rolebook's guides.
LEFTOVERS = re.compile(
    "|".join(
        [
            *(re.escape(name) for name in DEFAULT_NAMES),
            *(re.escape(rid) for rid in ROLE_IDS),
            r"Incident Response Roles",
            r"Example Organization",
            r"example\.org",
            r"github\.com/example",
            r"2024-04-15",
            r"Changes from the defaults",
            r"The role file format",
            r"Adapting the playbook",
            r"Limits and bad input",
        ]
    )
)
ABBREVIATIONS = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in DEFAULT_SHORTS) + r")\b")


def ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr


def leftovers(text: str, *, words: bool) -> list[str]:
    found = [m.group(0) for m in LEFTOVERS.finditer(text)]
    return found + ([m.group(0) for m in ABBREVIATIONS.finditer(text)] if words else [])


@pytest.fixture(scope="module")
def northwind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_foreign_playbook(tmp_path_factory.mktemp("org"))
    validate = rolebook("validate", "--strict", cwd=project)
    assert validate.returncode == 0 and validate.stdout == "", validate.stdout + validate.stderr
    ok(rolebook("build", "--strict", cwd=project))
    ok(rolebook("cards", "-o", "cards.pdf", cwd=project))
    for fmt, out in (
        ("csv", "raci.csv"),
        ("json", "playbook.json"),
        ("xlsx", "raci.xlsx"),
        ("markdown", "md"),
    ):
        ok(rolebook("export", "--format", fmt, "-o", out, cwd=project))
    return project


def test_no_default_shows_in_any_output(northwind: Path) -> None:
    site = northwind / "site"
    own = [p for p in site.rglob("*") if p.is_file() and "assets/javascripts" not in p.as_posix()]
    pages = [p for p in own if p.suffix == ".html"]
    assert len(pages) >= 10
    for path in own:
        if path.suffix in (".html", ".json", ".xml", ".csv", ".css", ".svg", ".txt"):
            assert leftovers(path.read_text("utf-8"), words=False) == [], path
    for page in pages:
        assert leftovers(soup(page).get_text(" "), words=True) == [], page
    search = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    assert leftovers(json.dumps(search["docs"], ensure_ascii=False), words=True) == []
    cards = " ".join(page.extract_text() for page in PdfReader(northwind / "cards.pdf").pages)
    assert leftovers(cards, words=True) == []
    for export in ("raci.csv", "playbook.json"):
        assert leftovers((northwind / export).read_text("utf-8"), words=True) == [], export
    book = load_workbook(northwind / "raci.xlsx")
    cells = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value)
    assert leftovers(cells, words=True) == []
    for path in (northwind / "md").rglob("*"):
        if path.is_file() and path.suffix in (".md", ".yml", ".html", ".css", ".csv", ".json"):
            assert leftovers(path.read_text("utf-8"), words=True) == [], path


def test_the_organization_names_the_site_the_export_and_the_cards(northwind: Path) -> None:
    site = northwind / "site"
    for page in site.rglob("*.html"):
        if page.parent.name == "404" or page.name == "404.html":
            continue
        title = soup(page).find("title").get_text()
        assert title == SITE_NAME or title.endswith(f" - {SITE_NAME}"), (page, title)
        assert soup(page).select_one(".md-header__topic").get_text(strip=True) == SITE_NAME
    exported = yaml.safe_load((northwind / "md" / "mkdocs.yml").read_text("utf-8"))
    assert exported["site_name"] == SITE_NAME
    for page in PdfReader(northwind / "cards.pdf").pages:
        text = " ".join(page.extract_text().split())
        assert SITE_NAME in text and "Version 2.3 · 2026-11-30" in text


def test_accountable_and_responsible_on_one_role_everywhere(northwind: Path) -> None:
    raci = soup(northwind / "site" / "raci" / "index.html")
    cell = raci.select_one("tr[data-activity='declare'] td[data-role='incident-commander']")
    assert cell.get_text(strip=True) == "A/R" and "Accountable and Responsible" in cell["title"]
    for activity, role in (("keep-timeline", "scribe"), ("clinical-impact", "clinical-liaison")):  # A/R, RA
        assert raci.select_one(f"tr[data-activity='{activity}'] td[data-role='{role}']").get_text() == "A/R"
    page = soup(northwind / "site" / "roles" / "scribe" / "index.html").get_text(" ")
    assert "A/R Accountable and Responsible" in " ".join(page.split())
    rows = {
        row["activity"]: row
        for row in csv.DictReader(io.StringIO((northwind / "raci.csv").read_text("utf-8")))
    }
    assert rows["Keep the incident timeline"]["Scribe"] == "A/R"
    data = json.loads((northwind / "playbook.json").read_text("utf-8"))
    PlaybookExport.model_validate(data)
    declare = next(a for a in data["activities"] if a["id"] == "declare")
    assert declare["raci"]["incident-commander"] == "A/R"
    sheet = load_workbook(northwind / "raci.xlsx")["RACI"]
    assert "A/R" in [c.value for row in sheet.iter_rows() for c in row]


def test_an_ar_counts_as_the_one_a_and_an_r(tmp_path: Path) -> None:
    project = make_foreign_playbook(tmp_path)
    activities = project / "roles" / "activities.yaml"
    text = activities.read_text("utf-8")
    activities.write_text(
        text.replace(
            "raci: {scribe: A/R, incident-commander: I}", "raci: {scribe: AR, incident-commander: A}"
        ).replace(
            "raci: {comms-officer: AR, incident-commander: C}",
            "raci: {comms-officer: C, incident-commander: I}",
        ),
        "utf-8",
    )
    result = rolebook("validate", cwd=project)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert any(
        "'keep-timeline'" in line and "2 Accountable roles (scribe, incident-commander)" in line
        for line in lines
    )
    assert any("'send-updates'" in line and "no Accountable role" in line for line in lines)
    assert any("'send-updates'" in line and "no Responsible role" in line for line in lines)


def test_example_values_are_warnings_until_set_and_strict_fails(tmp_path: Path) -> None:
    ok(rolebook("init", "p", "--organization", "Acme", cwd=tmp_path))
    project = tmp_path / "p"
    result = rolebook("validate", cwd=project)
    assert result.returncode == 0
    warnings = result.stdout.splitlines()
    mkdocs = (project / "mkdocs.yml").read_text("utf-8").splitlines()
    site_line = next(i for i, line in enumerate(mkdocs, 1) if line.startswith("site_url:"))
    assert warnings[0].startswith(f"mkdocs.yml:{site_line}:11: warning: site_url is still the example value")
    assert warnings[1].startswith(
        f"mkdocs.yml:{site_line + 1}:11: warning: repo_url is still the example value"
    )
    contacts = (project / "site_config" / "contacts.yaml").read_text("utf-8").splitlines()
    emails = [i for i, line in enumerate(contacts, 1) if "@example.org" in line]
    assert [w.split(": warning")[0] for w in warnings[2:]] == [
        f"site_config/contacts.yaml:{n}:12" for n in emails
    ]
    strict = rolebook("validate", "--strict", cwd=project)
    assert strict.returncode == 1 and "7 errors" in strict.stderr
    assert "--strict" in (project / ".github" / "workflows" / "playbook.yml").read_text("utf-8")
    # set the real values: nothing is left to report
    (project / "mkdocs.yml").write_text(
        "\n".join(mkdocs)
        .replace("https://example.org/playbook/", "https://playbook.acme.internal/")
        .replace("https://github.com/example/rolebook", "https://git.acme.internal/playbook"),
        "utf-8",
    )
    (project / "site_config" / "contacts.yaml").write_text(
        "\n".join(contacts).replace("@example.org", "@acme.internal"), "utf-8"
    )
    assert rolebook("validate", "--strict", cwd=project).returncode == 0


def test_the_demonstration_playbook_says_so_and_passes_strict(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "demo")
    result = rolebook("validate", "--strict", cwd=project)
    assert result.returncode == 0 and result.stdout == "", result.stdout
    settings = project / "site_config" / "playbook.yaml"
    settings.write_text(settings.read_text("utf-8").replace("demo: true\n", ""), "utf-8")
    result = rolebook("validate", cwd=project)
    assert "site_url is still the example value" in result.stdout
    assert "still the example value incident-managers@example.org" in result.stdout


def test_editors_pages_are_off_until_turned_on(tmp_path: Path) -> None:
    ok(rolebook("init", "p", "--organization", "Acme", cwd=tmp_path))
    project = tmp_path / "p"
    ok(rolebook("build", cwd=project))
    site = project / "site"
    index = (site / "search" / "search_index.json").read_text("utf-8")
    assert "role file format" not in index and "Changes from the defaults" not in index
    assert not (site / "editing-this-playbook").exists()
    assert "Editing this playbook" not in (site / "index.html").read_text("utf-8")
    with (project / "site_config" / "playbook.yaml").open("a", encoding="utf-8") as settings:
        settings.write("editing: {guides: true, changes: true}\n")
    ok(rolebook("build", cwd=project))
    nav = soup(site / "index.html").select("nav.md-nav--primary a.md-nav__link")
    assert "Editing this playbook" in soup(site / "index.html").select_one("nav.md-nav--primary").get_text(
        " "
    )
    assert any(a.get_text(strip=True) == "The role file format" for a in nav)
    guide = site / "editing-this-playbook" / "file-format" / "index.html"
    assert "rolebook validate --strict" in guide.read_text("utf-8")
    assert (
        soup(guide).select_one("a.md-content__button[href*='edit']") is None
    )  # nothing to edit in the project
    assert "unchanged" in soup(site / "editing-this-playbook" / "changes" / "index.html").get_text(" ")
    assert "The role file format" in (site / "search" / "search_index.json").read_text("utf-8")


def test_the_top_of_the_escalation_path_and_a_role_without_one(tmp_path: Path) -> None:
    project = make_foreign_playbook(tmp_path)
    role = project / "roles" / "comms-officer.yaml"
    role.write_text(
        role.read_text("utf-8").replace(
            "escalates_to:\n  - {role: incident-commander, when: A message needs a decision.}\n", ""
        ),
        "utf-8",
    )
    result = rolebook("validate", cwd=project)
    assert result.stdout.splitlines() == [
        "roles/comms-officer.yaml:1:1: warning: engaged at a severity level but escalates to no one, and no role "
        "escalates to it: add escalates_to with the role to call and when"
    ]
    ok(rolebook("build", cwd=project))
    top = " ".join(soup(project / "site" / "roles" / "exec-on-call" / "index.html").get_text(" ").split())
    assert (
        "This role is the top of the escalation path: Incident Commander , Clinical Liaison escalate to it"
        in top
    )
    none = " ".join(soup(project / "site" / "roles" / "comms-officer" / "index.html").get_text(" ").split())
    assert "No escalation is listed for this role." in none and "top of the escalation path" not in none


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), "utf-8")


def test_consistency_rules(tmp_path: Path) -> None:
    project = make_foreign_playbook(tmp_path)
    activities = project / "roles" / "activities.yaml"
    _rewrite(activities, "phase: stabilize, severities: [p1],", "phase: stabilize,")
    _rewrite(activities, "phase: follow-up,", "phase: follow-up, severities: [p3],")
    settings = project / "site_config" / "playbook.yaml"
    _rewrite(
        project / "roles" / "clinical-liaison.yaml", "backups: [comms-officer]", "backups: [exec-on-call]"
    )
    result = rolebook("validate", cwd=project)
    lines = result.stdout.splitlines()
    text = activities.read_text("utf-8").splitlines()
    diversion = next(i for i, line in enumerate(text, 1) if "raci: {exec-on-call: A" in line)
    review = next(i for i, line in enumerate(text, 1) if "severities: [p3]" in line)
    p2 = next(
        i
        for i, line in enumerate(settings.read_text("utf-8").splitlines(), 1)
        if "clinical-liaison, comms-officer]" in line
    )
    assert lines == [
        f"roles/activities.yaml:{diversion}:{text[diversion - 1].index('exec-on-call') + 1}: warning: activity 'authorize-diversion' is Accountable to "
        "'exec-on-call', which severity p2 does not engage: engage 'exec-on-call' there (site_config severities) "
        "or list the levels the activity applies at (severities: [...])",
        f"roles/activities.yaml:{review}:{text[review - 1].index('p3') + 1}: error: unknown severity level 'p3'",
        f"site_config/playbook.yaml:{p2}:{settings.read_text('utf-8').splitlines()[p2 - 1].index('clinical-liaison') + 1}: "
        "warning: severity 'p2' engages 'clinical-liaison' but none of its backups ('exec-on-call'): engage one "
        "of them, so someone can take the role over",
    ]
    assert result.returncode == 1


def test_a_foreign_playbook_keeps_its_words_through_init(tmp_path: Path) -> None:
    """The intro and severities of the converted playbook are its own: nothing of the demonstration's."""
    project = make_foreign_playbook(tmp_path)
    settings = textwrap.dedent((project / "site_config" / "playbook.yaml").read_text("utf-8"))
    assert ORGANIZATION in settings and "title:" not in settings


def test_the_converted_playbook_through_a_pull_request(tmp_path: Path) -> None:
    """A change to the converted playbook, as `rolebook diff` explains it to the reviewer."""
    from .test_pr_workflow import git

    project = make_foreign_playbook(tmp_path)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "converted")
    _rewrite(project / "roles" / "scribe.yaml", "name: Scribe", "name: Recorder")
    settings = project / "site_config" / "playbook.yaml"
    _rewrite(settings, "scribe, clinical-liaison, comms-officer]\n", "scribe, comms-officer]\n")
    _rewrite(settings, 'version: "2.3"', 'version: "2.4"')
    _rewrite(settings, "published: 2026-11-30", "published: 2026-12-04")
    _rewrite(project / "site_config" / "contacts.yaml", "nwh-ic-primary", "nwh-ic-rotation")
    _rewrite(
        project / "roles" / "activities.yaml",
        "raci: {incident-commander: AR, technical-lead: C, scribe: I}",
        "raci: {incident-commander: A, technical-lead: R, scribe: I}",
    )
    git(project, "commit", "-q", "-am", "recorder")
    result = rolebook("diff", "HEAD~1", "HEAD", "--format", "json", cwd=project)
    ok(result)
    report = json.loads(result.stdout)
    assert report["renamed"] == [{"id": "scribe", "from": "Scribe", "to": "Recorder"}]
    assert report["roles"] == []  # the rename is one line, not one per mention
    assert report["settings"] == [
        "version changed from “2.3” to “2.4”",
        "published date changed from 2026-11-30 to 2026-12-04",
    ]
    assert report["severities"] == ["P2 Degraded: Clinical Liaison no longer engaged"]
    assert report["contacts"] == [
        "Incident Commander contact: pager changed from “nwh-ic-primary” to “nwh-ic-rotation”"
    ]
    assert (
        "Declare the incident and its priority: Incident Commander is no longer Responsible"
        in report["activities"]
    )
    assert report["leftover_mentions"] == [
        {
            "name": "Scribe",
            "now": "Recorder",
            "places": [{"file": "site_config/playbook.yaml", "fields": ["intro"]}],
        }
    ]
    assert report["cards_to_reprint"] == [
        "Incident Commander", "Technical Lead", "Recorder", "Clinical Liaison", "Comms Officer", "Executive on Call"
    ]  # fmt: skip
    markdown = rolebook("diff", "HEAD~1", "HEAD", cwd=project)
    ok(markdown)
    assert leftovers(markdown.stdout, words=True) == []


def test_a_r_in_the_matrix_for_many_roles(tmp_path: Path) -> None:
    """Above the grid's limit the RACI lists the roles per letter: an A/R role stands under A and R."""
    from benchmarks.synth import make_org
    from generator.core.project import load_playbook
    from generator.render.renderer import GRID_ROLE_LIMIT, render_site

    project = make_org(GRID_ROLE_LIMIT + 5, tmp_path / "org")
    _rewrite(
        project / "roles" / "activities.yaml",
        "raci: {role-0000: A, role-0001: R, role-0002: C, role-0003: I}",
        "raci: {role-0000: AR, role-0002: C, role-0003: I}",
    )
    raci = soup_of(render_site(load_playbook(project))["raci.md"])
    row = raci.select_one("tr[data-activity='act-00000']")
    for letter in ("A", "R"):
        cell = row.select_one(f"td[data-letter='{letter}']")
        assert cell.select_one("a[data-role='role-0000']") is not None
        assert cell.select_one(".rb-letter--AR").get_text() == "A/R"
    assert row.select_one("td[data-letter='C'] a")["data-role"] == "role-0002"


def soup_of(markdown: str) -> BeautifulSoup:
    return BeautifulSoup(markdown, "html.parser")


def test_an_activity_limited_to_some_levels_says_so(northwind: Path) -> None:
    raci = soup(northwind / "site" / "raci" / "index.html")
    row = raci.select_one("tr[data-activity='authorize-diversion'] th")
    assert "Only at: P1 Patient care affected" in row.get_text(" ")
    assert raci.select_one("tr[data-activity='diagnose'] .rb-raci-levels") is None  # every level
    page = " ".join(soup(northwind / "site" / "roles" / "exec-on-call" / "index.html").get_text(" ").split())
    assert "Authorize ambulance diversion (only at P1 Patient care affected)" in page


def test_a_renamed_default_leaves_no_short_form_of_its_old_name(tmp_path: Path) -> None:
    """The defaults name a role only by its name or abbreviation, so a rename reaches every mention."""
    ok(rolebook("init", "p", "--organization", "Acme", cwd=tmp_path))
    project = tmp_path / "p"
    role = project / "roles" / "management-leadership.yaml"
    role.write_text(role.read_text("utf-8") + "name: Executive Team\nshort: EXEC\n", "utf-8")
    # A4 cards list their key points where they fit; the site's cards page shows every section of them
    settings = project / "site_config" / "playbook.yaml"
    settings.write_text(settings.read_text("utf-8") + "cards:\n  size: a4\n", "utf-8")
    ok(rolebook("build", cwd=project))
    ok(rolebook("cards", "-o", "cards.pdf", cwd=project))
    texts = [soup(page).get_text(" ") for page in (project / "site").rglob("*.html")]
    texts += [page.extract_text() for page in PdfReader(project / "cards.pdf").pages]
    for text in texts:
        assert "Management" not in text and not re.search(r"\bMGT\b", text)
    assert any("Keep stakeholders and EXEC informed" in " ".join(t.split()) for t in texts)


def test_a_backup_that_is_no_role_is_one_error_not_more_warnings(tmp_path: Path) -> None:
    project = make_foreign_playbook(tmp_path)
    _rewrite(
        project / "roles" / "clinical-liaison.yaml", "backups: [comms-officer]", "backups: [ward-manager]"
    )
    result = rolebook("validate", cwd=project)
    assert [line.split(": ", 1)[1] for line in result.stdout.splitlines()] == [
        "error: backups names unknown role 'ward-manager'"
    ]
