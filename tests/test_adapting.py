"""Adapting the defaults: init, overlays, renames, template overrides, branding, the changes page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from .sitekit import REPO_ROOT, ROLE_IDS, copy_project, rolebook, soup, sweep


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project made by `rolebook init`: every role and the activities extend the defaults."""
    target = tmp_path / "playbook"
    result = rolebook("init", str(target), "--organization", "Acme Rockets", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return target


def write(project: Path, rel: str, text: str) -> None:
    (project / rel).parent.mkdir(parents=True, exist_ok=True)
    (project / rel).write_text(textwrap.dedent(text), "utf-8")


CHANGES = Path("site/editing-this-playbook/changes/index.html")


def show_changes(project: Path) -> None:
    """Turn on the changes-from-the-defaults page (off by default: the responders' site holds the playbook)."""
    with (project / "site_config" / "playbook.yaml").open("a", encoding="utf-8") as settings:
        settings.write("editing: {changes: true}\n")


def build(project: Path) -> None:
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr


def errors(project: Path) -> list[str]:
    result = rolebook("validate", cwd=project)
    return [line for line in result.stdout.splitlines() if ": error: " in line]


def article_text(page: Path) -> str:
    return " ".join(soup(page).find("article").get_text(" ").split())


# --- init ---------------------------------------------------------------------------------------


def test_init_writes_a_project_that_builds(project: Path) -> None:
    names = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert names == sorted(
        [
            ".github/workflows/playbook.yml",
            ".github/workflows/playbook-comment.yml",
            ".gitignore",
            "README.md",
            "mkdocs.yml",
            "templates/README.md",
            "roles/activities.yaml",
            *(f"roles/{r}.yaml" for r in ROLE_IDS),
            "site_config/contacts.yaml",
            "site_config/playbook.yaml",
            "schema/activities.schema.json",
            "schema/incident-log.schema.json",
            "schema/playbook-export.schema.json",
            "schema/role.schema.json",
            "schema/site-config.schema.json",
            "docs/.gitkeep",
        ]
    )
    assert (project / "roles" / "support-team.yaml").read_text("utf-8").rstrip().endswith("extends: default")
    build(project)
    assert "Acme Rockets" in article_text(project / "site" / "index.html")
    assert len(list((project / "site" / "roles").glob("*/index.html"))) == len(ROLE_IDS)
    # the responders' site holds the playbook only: no guides, no changes page, in pages or search
    assert not (project / "site" / "changes").exists()
    assert not (project / "site" / "editing-this-playbook").exists()
    assert "Editing" not in (project / "site" / "search" / "search_index.json").read_text("utf-8")


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine", "utf-8")
    result = rolebook("init", str(target), cwd=tmp_path)
    assert result.returncode == 1
    assert "not an empty folder" in result.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text("utf-8") == "mine"


@pytest.mark.slow  # builds a wheel and installs it
def test_init_from_a_regular_install_outside_the_repository(tmp_path: Path) -> None:
    """Build a wheel, install it (not editable) into a folder of its own, and use only that copy."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO_ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [wheel] = wheels.glob("rolebook-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for shipped in (
        "generator/_defaults/templates/pages/role.md.j2",
        "generator/_defaults/roles/incident-manager.yaml",
        "generator/_defaults/site_config/playbook.yaml",
        "generator/_defaults/mkdocs.yml",
        "generator/_defaults/scaffold/README.md",
    ):
        assert shipped in names
    installed = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(installed), str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    env = {**os.environ, "PYTHONPATH": str(installed)}
    cli = [sys.executable, "-c", "import sys, generator.cli as c; sys.argv[0] = 'rolebook'; c.main()"]
    where = subprocess.run(
        [sys.executable, "-c", "import generator; print(generator.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert where.stdout.startswith(str(installed))
    target = tmp_path / "elsewhere" / "playbook"

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], env=env, capture_output=True, text=True, cwd=cwd, timeout=600)

    assert run("init", str(target), cwd=tmp_path).returncode == 0
    result = run("build", cwd=target)
    assert result.returncode == 0, result.stderr
    assert (target / "site" / "roles" / "incident-manager" / "index.html").is_file()
    result = run("cards", "-o", "cards.pdf", cwd=target)
    assert result.returncode == 0, result.stderr
    assert len(PdfReader(target / "cards.pdf").pages) == len(ROLE_IDS)


# --- overlays -----------------------------------------------------------------------------------


def test_overlay_edits_lists_relations_checklists_and_card(project: Path) -> None:
    show_changes(project)
    write(
        project,
        "roles/support-team.yaml",
        """\
        extends: default
        summary: Supports customers in every time zone.
        responsibilities:
          remove: [Help users understand how the incident affects them.]
          replace:
            "Handle customer inquiries and incident reports as they come in.": Handle the ticket queue.
          add: [Keep the status page subscribers current.]
        checklists:
          respond:
            add: [Pin the approved wording in the queue.]
        works_with:
          remove: [incident-manager]
          add: [{role: operations-team, how: Match customer reports with known symptoms.}]
        backups:
          add: [operations-team]
        card:
          first_actions:
            add: [Switch the phone line to the incident message.]
        """,
    )
    assert errors(project) == []
    build(project)
    text = article_text(project / "site" / "roles" / "support-team" / "index.html")
    assert "Supports customers in every time zone." in text
    assert "Help users understand how the incident affects them." not in text
    assert "Handle customer inquiries and incident reports" not in text and "Handle the ticket queue." in text
    assert "Keep the status page subscribers current." in text
    assert "Pin the approved wording in the queue." in text
    assert "Match customer reports with known symptoms." in text
    assert "Relay customer concerns" not in text  # the works-with entry for the Incident Manager is gone
    assert "Provide customer and end-user support throughout the incident." in text  # untouched default
    cards = rolebook("cards", "-o", "c.pdf", "--role", "support-team", cwd=project)
    assert cards.returncode == 0, cards.stderr
    assert "Switch the phone line" in PdfReader(project / "c.pdf").pages[0].extract_text()
    changes = article_text(project / CHANGES)
    assert "responsibility added: “Keep the status page subscribers current.”" in changes
    assert "now works with Operations Team" in changes and "no longer works with Incident Manager" in changes


def test_overlay_problems_are_located(project: Path) -> None:
    write(
        project,
        "roles/support-team.yaml",
        """\
        extends: default
        responsibilities:
          remove: [Handle customer inquiries and incident reports as they come.]
          insert: [x]
        works_with:
          remove: [incident-managr]
        """,
    )
    write(project, "roles/scribe.yaml", "extends: default\nname: Scribe\n")
    write(project, "roles/a-role.yaml", "extends: b-role\n")
    write(project, "roles/b-role.yaml", "extends: a-role\n")
    write(project, "roles/c-role.yaml", "extends: nobody\n")
    found = errors(project)
    assert (
        "roles/support-team.yaml:3:12: error: cannot remove 'Handle customer inquiries and incident reports as they come.': the base has no such entry in 'responsibilities' (did you mean 'Handle customer inquiries and incident reports as they come in.'?)"
        in found
    )
    assert (
        "roles/support-team.yaml:4:3: error: to edit the list 'responsibilities', use add, remove or replace (found 'insert')"
        in found
    )
    assert (
        "roles/support-team.yaml:6:12: error: cannot remove 'incident-managr': the base has no such entry in 'works_with' (did you mean 'incident-manager'?)"
        in found
    )
    assert any(
        line.startswith(
            "roles/scribe.yaml:1:10: error: no default role 'scribe' (did you mean 'library/scribe'?); the defaults are:"
        )
        for line in found
    )
    assert any(re.match(r"roles/[ab]-role\.yaml:1:10: error: extension cycle: ", line) for line in found)
    assert "roles/c-role.yaml:1:10: error: extends unknown role 'nobody'" in found


def test_a_role_built_on_a_default_and_one_on_a_project_role(project: Path) -> None:
    write(project, "roles/scribe.yaml", "extends: default/communication-lead\nname: Scribe\nshort: SCR\n")
    write(project, "roles/night-scribe.yaml", "extends: scribe\nname: Night Scribe\nshort: NSC\n")
    assert errors(project) == []
    build(project)
    scribe = article_text(project / "site" / "roles" / "scribe" / "index.html")
    night = article_text(project / "site" / "roles" / "night-scribe" / "index.html")
    assert "Manages communication throughout the incident response process." in scribe
    assert "Manages communication throughout the incident response process." in night
    # a new role built on another renames nothing: the Communication Lead keeps its name
    assert "Communication Lead" in article_text(
        project / "site" / "roles" / "incident-manager" / "index.html"
    )


def test_activity_overlay_adds_removes_and_changes(project: Path) -> None:
    show_changes(project)
    write(
        project,
        "roles/activities.yaml",
        """\
        extends: default
        add:
          - {id: notify-legal, name: Notify the legal team, phase: respond, raci: {management-leadership: A, communication-lead: R}}
        remove: [share-incident-report]
        change:
          declare-incident:
            raci: {operations-team: A, incident-manager: R, management-leadership: null}
        """,
    )
    assert errors(project) == []
    build(project)
    raci = soup(project / "site" / "raci" / "index.html")
    rows = {tr["data-activity"]: tr for tr in raci.select("tr[data-activity]")}
    assert "notify-legal" in rows and "share-incident-report" not in rows
    declare = {td["data-role"]: td.get_text(strip=True) for td in rows["declare-incident"].find_all("td")}
    assert declare["operations-team"] == "A" and declare["incident-manager"] == "R"
    assert declare["management-leadership"] == ""
    changes = article_text(project / CHANGES)
    assert (
        "Declare the incident and set its severity: Accountable moves from Incident Manager to Operations Team"
        in changes
    )
    assert "activity added: Notify the legal team" in changes


def test_activity_overlay_problems_are_located(project: Path) -> None:
    write(
        project,
        "roles/activities.yaml",
        """\
        extends: default
        add:
          - {id: declare-incident, name: Again, phase: detect, raci: {incident-manager: A, operations-team: R}}
        remove: [no-such-activity]
        change:
          declare-incidnt: {name: X}
        """,
    )
    assert errors(project) == [
        "roles/activities.yaml:3:10: error: activity 'declare-incident' is already in the base; use 'change' to adjust it",
        "roles/activities.yaml:4:10: error: cannot remove activity 'no-such-activity': the base has no such activity",
        "roles/activities.yaml:6:3: error: cannot change activity 'declare-incidnt': the base has no such activity (did you mean 'declare-incident'?)",
    ]


# --- renames ------------------------------------------------------------------------------------


def test_a_renamed_role_is_renamed_everywhere(project: Path) -> None:
    show_changes(project)
    write(project, "roles/incident-manager.yaml", "extends: default\nname: Incident Commander\nshort: IC\n")
    build(project)
    site = project / "site"
    assert soup(site / "roles" / "incident-manager" / "index.html").find("h1").get_text(strip=True).rstrip(
        "¶"
    ) == ("Incident Commander")
    raci = soup(site / "raci" / "index.html")
    header = raci.select_one("thead th[data-role='incident-manager'] abbr")
    assert header["title"] == "Incident Commander" and header.get_text() == "IC"
    node = soup(site / "index.html").select_one("svg a.rb-node[data-role='incident-manager'] text")
    assert node.get_text() == "Incident Commander"
    ops = article_text(site / "roles" / "operations-team" / "index.html")
    assert "follow the Incident Commander's instructions" in ops
    for page in [*site.glob("roles/*/index.html"), site / "raci" / "index.html", site / "index.html"]:
        assert "Incident Manager" not in article_text(page), page
    cards = rolebook("cards", "-o", "c.pdf", cwd=project)
    assert cards.returncode == 0
    text = " ".join(page.extract_text() for page in PdfReader(project / "c.pdf").pages)
    assert "Incident Commander" in text and "Incident Manager" not in text
    assert "Tell the IC what you see" in text  # the abbreviation follows too
    changes = article_text(project / CHANGES)
    assert "name changed from “Incident Manager” to “Incident Commander”" in changes
    assert "checklist" not in changes  # mentions that merely follow the rename are not listed as changes


# --- templates ----------------------------------------------------------------------------------


def test_a_template_override_can_extend_the_built_in(project: Path) -> None:
    write(
        project,
        "templates/pages/role.md.j2",
        """\
        {% extends "!default/pages/role.md.j2" %}
        {% block contacts %}
        {{ super() }}
        Out of hours, call the switchboard.
        {% endblock %}
        """,
    )
    build(project)
    text = article_text(project / "site" / "roles" / "support-team" / "index.html")
    assert "Out of hours, call the switchboard." in text
    assert "Responsibilities" in text and "Chat" not in text  # the rest is the built-in page


def test_a_template_override_replaces_the_built_in(project: Path) -> None:
    write(project, "templates/pages/severities.md.j2", "# How bad is it\n\nAsk the Incident Manager.\n")
    build(project)
    assert article_text(project / "site" / "severities" / "index.html").startswith("How bad is it")


def test_a_missing_template_lists_every_folder_searched(project: Path) -> None:
    write(project, "templates/pages/index.md.j2", '{% include "partials/missing.html.j2" %}\n')
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    match = re.search(r"template 'partials/missing\.html\.j2' not found; searched: (.*)", result.stderr)
    assert match, result.stderr
    searched = match[1].split(", ")
    assert searched[0] == str(project / "templates")
    assert searched[-1].endswith("templates") and len(searched) == 2


# --- settings -----------------------------------------------------------------------------------


def test_branding_logo_palette_and_css(project: Path) -> None:
    write(project, "assets/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>\n')
    write(project, "assets/acme.css", ".md-header { border-bottom: 4px solid #000; }\n")
    settings = project / "site_config" / "playbook.yaml"
    settings.write_text(
        settings.read_text("utf-8")
        + "branding:\n  logo: assets/logo.svg\n  palette: {primary: deep orange, accent: amber}\n"
        + "  extra_css: [assets/acme.css]\nreview_period_months: 6\n",
        "utf-8",
    )
    build(project)
    site = project / "site"
    assert (site / "assets" / "brand" / "assets" / "logo.svg").is_file()
    assert (site / "assets" / "brand" / "assets" / "acme.css").read_text("utf-8").startswith(".md-header")
    home = soup(site / "index.html")
    assert home.find("body")["data-md-color-primary"] == "deep-orange"
    assert home.find("img", src=re.compile(r"assets/brand/assets/logo\.svg$")) is not None
    assert home.find("link", href=re.compile(r"assets/brand/assets/acme\.css$")) is not None
    # the brand's stylesheet comes after rolebook's (written into the page), so its rules win
    head = [
        tag
        for tag in home.find("head").find_all(["style", "link"])
        if tag.name == "style" or "css" in str(tag)
    ]
    ours = next(i for i, tag in enumerate(head) if tag.name == "style" and ".rb-letter{" in tag.get_text())
    brand = next(i for i, tag in enumerate(head) if "acme.css" in str(tag.get("href", "")))
    assert ours < brand


def test_a_missing_branding_file_is_located(project: Path) -> None:
    settings = project / "site_config" / "playbook.yaml"
    text = settings.read_text("utf-8") + "branding:\n  logo: assets/nope.svg\n"
    settings.write_text(text, "utf-8")
    line = len(text.splitlines())
    assert errors(project) == [
        f"site_config/playbook.yaml:{line}:9: error: no file 'assets/nope.svg' in the project"
    ]


def test_the_repository_itself_has_no_changes_from_the_defaults(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    show_changes(project)
    build(project)
    assert "unchanged" in article_text(project / CHANGES)


@pytest.mark.parametrize(
    "name",
    sweep(
        ["Acme: Rockets", "yes", 'Say "hi"', "Ünïcode 🚀", "Acme #1 Rockets", "- x", "123", "'quoted'"],
        keep=4,
    ),
)
def test_init_takes_any_one_line_organization_name(tmp_path: Path, name: str) -> None:
    target = tmp_path / "p"
    assert rolebook("init", str(target), "--organization", name, cwd=tmp_path).returncode == 0
    assert rolebook("validate", cwd=target).returncode == 0
    from generator.core.project import load_playbook

    assert load_playbook(target).config.organization == name


def test_overlay_problems_point_at_the_overlay_lines(project: Path) -> None:
    write(
        project,
        "roles/support-team.yaml",
        """\
        extends: default
        works_with:
          add:
            - role: nobody
              how: hi
        """,
    )
    write(
        project,
        "roles/activities.yaml",
        """\
        extends: default
        add:
          - {id: new-one, name: New, phase: respond, raci: {ghost: A, incident-manager: R}}
        change:
          declare-incident: 5
        """,
    )
    write(project, "roles/incident-manager.yaml", 'extends: default\nname: "Incident <b>Boss</b>"\n')
    assert errors(project) == [
        "roles/activities.yaml:3:60: error: activity 'new-one' (New) names unknown role 'ghost'",
        "roles/activities.yaml:5:21: error: the change to activity 'declare-incident' lists the fields that change",
        "roles/incident-manager.yaml:2:7: error: 'name': raw HTML is not allowed in playbook text (found "
        "'<b>Boss</b>'); use Markdown, or write '&lt;' for a literal '<'",
        "roles/support-team.yaml:4:13: error: works_with names unknown role 'nobody'",
    ]


def test_a_null_takes_an_entry_out(project: Path) -> None:
    write(
        project,
        "roles/incident-manager.yaml",
        "extends: default\nchecklists:\n  review: null\nskills: null\n",
    )
    assert errors(project) == []
    build(project)
    text = article_text(project / "site" / "roles" / "incident-manager" / "index.html")
    assert "Schedule a blameless post-incident review" not in text
    assert "Confirm the incident is real" in text


def test_a_rename_leaves_code_and_links_alone(project: Path) -> None:
    write(
        project,
        "roles/incident-manager.yaml",
        """\
        extends: default
        name: Incident Commander
        short: IC
        skills:
          add: ["Knows the [IM runbook](https://wiki.example.org/IM/runbook) and `page --team IM`."]
        """,
    )
    build(project)
    page = soup(project / "site" / "roles" / "incident-manager" / "index.html")
    link = page.find("a", string="IC runbook")
    assert link is not None and link["href"] == "https://wiki.example.org/IM/runbook"
    assert page.find("code", string="page --team IM") is not None


def test_the_changes_page_does_not_depend_on_hash_seeds(project: Path) -> None:
    show_changes(project)
    write(
        project,
        "roles/support-team.yaml",
        """\
        extends: default
        works_with:
          remove: [incident-manager, communication-lead]
          add:
            - {role: operations-team, how: One.}
            - {role: subject-matter-experts, how: Two.}
            - {role: management-leadership, how: Three.}
        """,
    )
    pages = set()
    for seed in ("1", "2", "3"):
        os.environ["PYTHONHASHSEED"] = seed
        try:
            build(project)
        finally:
            del os.environ["PYTHONHASHSEED"]
        pages.add((project / CHANGES).read_text("utf-8"))
    assert len(pages) == 1


def test_init_says_what_to_set_next(tmp_path: Path) -> None:
    result = rolebook("init", str(tmp_path / "p"), cwd=tmp_path)
    made = sum(1 for path in (tmp_path / "p").rglob("*") if path.is_file())
    assert made >= 20
    assert result.stderr.strip() == (
        f"created {made} files in {tmp_path / 'p'}; set site_url and repo_url in {tmp_path / 'p' / 'mkdocs.yml'} "
        f"and the contacts in {tmp_path / 'p' / 'site_config' / 'contacts.yaml'} (rolebook validate lists every "
        f"example value left), then: cd {tmp_path / 'p'} && rolebook build"
    )
    config = (tmp_path / "p" / "mkdocs.yml").read_text("utf-8")
    assert "# Set these two: the cards' QR codes open pages under site_url" in config
