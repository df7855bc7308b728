"""The assignment board to print: `rolebook cards --board` writes an ICS 203-style organization assignment
sheet and an ICS 214-style activity log sheet, on A4 or US Letter; real PDFs read back with pypdf."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from benchmarks.synth import make_org
from generator.cards.layout import weasy_html
from generator.core.project import load_playbook
from generator.render.board_content import BOARD_HTML, PAPERS, Paper, render_board
from generator.render.renderer import RenderOptions

from .foreign import OWN_ROLES, make_foreign_playbook
from .sitekit import REPO_ROOT, ROLE_IDS, copy_project, load_yaml, own_template, rolebook

PAGE_PT = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
DEFAULT_NAMES = [load_yaml(REPO_ROOT / "roles" / f"{rid}.yaml")["name"] for rid in ROLE_IDS]
PAGE_NUMBER = re.compile(r"Page (\d+) of (\d+)")


def _text(page: object) -> str:
    """A page's text on one line, with the board's unbreakable hyphens and spaces as plain ones."""
    said: str = page.extract_text()  # type: ignore[attr-defined]
    return " ".join(said.replace("\u2011", "-").replace("\xa0", " ").split())


def _board(project: Path, *args: str) -> tuple[PdfReader, list[str], str]:
    """Run `rolebook cards --board` in ``project``: the PDF it wrote (-o, or the default), each page's
    text, and what it said."""
    result = rolebook("cards", "--board", *args, cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = Path(args[args.index("-o") + 1]) if "-o" in args else project / "assignment-board.pdf"
    reader = PdfReader(out)
    return reader, [_text(page) for page in reader.pages], result.stderr


def _severities(project: Path) -> list[dict]:  # type: ignore[type-arg]
    levels = load_yaml(project / "site_config" / "playbook.yaml")["severities"]
    assert isinstance(levels, list)
    return levels


def _check_every_page(texts: list[str], *edition: str) -> None:
    """Each page carries the edition and its number out of all."""
    for number, text in enumerate(texts, start=1):
        for part in edition:
            assert part in text, (number, part, text)
        assert PAGE_NUMBER.findall(text) == [(str(number), str(len(texts)))], text


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("board") / "project")


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_both_sheets_on_the_paper_asked_for(project: Path, tmp_path: Path, paper: str) -> None:
    args = ("--paper", paper, "-o", str(tmp_path / "board.pdf")) if paper == "letter" else ()
    reader, texts, said = _board(project, *args)  # A4 by default, to assignment-board.pdf by default
    label = "US Letter" if paper == "letter" else "A4"
    assert re.search(rf"wrote 2 pages \(.*{label}\) to .*\S*board\.pdf$", said.strip()), said
    assert len(texts) == 2  # six roles: one sheet each
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(PAGE_PT[paper][0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(PAGE_PT[paper][1], abs=1)
    _check_every_page(texts, "Example Organization", "Version 1.0", "2024-04-15", "Incident Response Roles")
    assignment, log = texts
    assert "Organization assignment list" in assignment and "Incident name" in assignment
    assert "Operational period from" in assignment and "Operational period to" in assignment
    assert "Prepared by" in assignment and "Prepared by" in log
    for name in DEFAULT_NAMES:  # in the order of the site
        assert name in assignment
    assert [assignment.index(name) for name in DEFAULT_NAMES] == sorted(
        assignment.index(name) for name in DEFAULT_NAMES
    )
    levels = _severities(project)
    for level in levels:
        assert f"{level['id']} = {level['name']}" in assignment
    # a tick for each level engaging each role, every one and no other (and one in the key saying so)
    assert assignment.count("✓") == 1 + sum(len(level["roles"]) for level in levels)
    contacts = load_yaml(project / "site_config" / "contacts.yaml")["contacts"]
    for contact in contacts.values():
        for key, shown in (("channel", "Chat {}"), ("pager", "Pager {}"), ("email", "{}")):
            if key in contact:
                assert shown.format(contact[key]) in assignment
    for heading in ("Activity log", "RESOURCES ASSIGNED", "Date/time Notable activities", "Home team"):
        assert heading in log
    assert "Contact in the playbook" not in log  # the activity log is a sheet of its own


@pytest.mark.parametrize("paper", PAPERS.values(), ids=PAPERS.keys())
def test_the_activity_log_fills_its_page_and_no_more(paper: Paper) -> None:
    playbook = load_playbook(REPO_ROOT)
    html = render_board(playbook, RenderOptions(), paper)[BOARD_HTML]
    pages = len(weasy_html(html).render().pages)
    assert pages == 2
    blank = "<tr><td></td><td></td></tr>\n"
    last = html.rindex(blank)
    one_more = html[:last] + blank + html[last:]  # a row more than the page holds
    assert len(weasy_html(one_more).render().pages) == pages + 1


def test_a_real_organization_shows_its_own_roles_and_levels_only(tmp_path: Path) -> None:
    project = make_foreign_playbook(tmp_path)
    _, texts, _ = _board(project, "-o", str(tmp_path / "board.pdf"))
    _check_every_page(texts, "Northwind Health Incident Response", "Version 2.3", "2026-11-30")
    everything = " ".join(texts)
    for rid in OWN_ROLES:
        assert load_yaml(project / "roles" / f"{rid}.yaml")["name"] in texts[0]
    for level in _severities(project):
        assert level["name"] in texts[0]
    assert "Chat #nwh-incident" in texts[0] and "Pager nwh-ic-primary" in texts[0]
    assert texts[0].count("✓") == 1 + 6 + 5
    for default in [*DEFAULT_NAMES, "Example", "SEV1", "SEV2", "example.org", "2024-04-15", "Version 1.0"]:
        assert default not in everything, default


def test_a_large_playbook_runs_the_assignment_list_over_pages_with_its_header(tmp_path: Path) -> None:
    roles = 120
    project = make_org(roles, tmp_path / "org")
    settings = project / "site_config" / "playbook.yaml"
    data = yaml.safe_load(settings.read_text("utf-8"))
    ids = [f"role-{i:04d}" for i in range(roles)]
    data["severities"] += [  # six levels: one column lists each role's
        {"id": f"lvl{k}", "name": f"Level {k} of six", "description": "A level.", "roles": list(ids)}
        for k in range(2, 7)
    ]
    settings.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    _, texts, said = _board(project, "-o", str(tmp_path / "board.pdf"))
    assert len(texts) >= 5 and f"wrote {len(texts)} pages" in said
    assignment, log = texts[:-1], texts[-1]
    assert "Notable activities" in log and not any("Notable activities" in t for t in assignment)
    _check_every_page(texts, "Synthetic Playbook", "Bench", "Version 1.0", "2026-11-26")
    for text in assignment:  # the table's header on every page it runs over
        assert "Role Engaged at Contact in the playbook Assigned to Name Phone / contact" in text, text
    for i in range(roles):  # each role on one page, its name and abbreviation together: no row is split
        holding = [text for text in assignment if f"Role {i:04d} R{i:04d} sev1, lvl2" in text]
        assert len(holding) == 1, i
    for level in ("SEV1", *(f"Level {k} of six" for k in range(2, 7))):
        assert level in assignment[0]
    assert "Prepared by" in assignment[-1] and "Prepared by" in log


def test_the_same_playbook_gives_the_same_bytes(project: Path, tmp_path: Path) -> None:
    _board(project, "-o", str(tmp_path / "one.pdf"))
    _board(project, "-o", str(tmp_path / "two.pdf"))
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()


def test_a_project_template_changes_the_board(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    override = own_template(
        project,
        "cards/board.html.j2",
        '{% extends "!default/cards/board.html.j2" %}\n'
        "{% block assignment_head %}<h1>Who holds which role at {{ site.organization }}</h1>{% endblock %}\n",
    )
    _, texts, _ = _board(project, "-o", str(tmp_path / "board.pdf"))
    assert "Who holds which role at Example Organization" in texts[0]
    assert "Organization assignment list" not in texts[0] and "Activity log" in texts[1]
    override.write_text("<h1>{{ site.no_such_setting.deeper }}</h1>\n", "utf-8")
    result = rolebook("cards", "--board", "-o", str(tmp_path / "broken.pdf"), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"^templates/cards/board\.html\.j2:1(:\d+)?: error: ", result.stderr, re.M), (
        result.stderr
    )
    assert not (tmp_path / "broken.pdf").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--board", "--role", "incident-manager"), "--role chooses quick cards; --board prints"),
        (("--board", "--size", "a6"), "--size chooses quick cards"),
        (("--board", "--no-back"), "--back chooses quick cards"),
        (("--paper", "letter"), "--paper chooses the assignment board's paper: use it with --board"),
        (("--board", "--paper", "a5"), "'a5' is not one of 'a4', 'letter'"),
    ],
)
def test_options_that_do_not_go_together_are_refused(
    project: Path, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    result = rolebook("cards", *args, "-o", str(tmp_path / "x.pdf"), cwd=project)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_an_invalid_playbook_or_output_writes_nothing(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    out = tmp_path / "board.pdf"
    out.write_bytes(b"the previous print run")
    role = project / "roles" / "support-team.yaml"
    text = role.read_text("utf-8")
    role.write_text(text.replace("\nshort: SUP\n", "\nshort: far too long an abbreviation\n"), "utf-8")
    assert role.read_text("utf-8") != text
    result = rolebook("cards", "--board", "-o", str(out), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"^roles/support-team\.yaml:\d+:\d+: error: .*short", result.stderr, re.M), result.stderr
    assert out.read_bytes() == b"the previous print run"

    role.write_text(text, "utf-8")
    (tmp_path / "a-file").write_text("not a folder", "utf-8")
    target = tmp_path / "a-file" / "board.pdf"  # in a folder that cannot be made
    result = rolebook("cards", "--board", "-o", str(target), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(rf"^error: {re.escape(str(target))}: cannot write", result.stderr, re.M), result.stderr
    assert out.read_bytes() == b"the previous print run"
