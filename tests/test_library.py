"""The library of optional roles (issue 19): each added with one line, `extends: library/<id>`, as complete
as a default role, bringing its activities and letters into the RACI matrix and engaged at the severity
levels; adapted like a default; its problems reported at the line that brings it in."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from .conftest import write_tree
from .sitekit import REPO_ROOT, copy_project, edit, rolebook, soup

LIBRARY = sorted(p.stem for p in (REPO_ROOT / "library" / "roles").glob("*.yaml"))


def library(kind: str, rid: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO_ROOT / "library" / kind / f"{rid}.yaml").read_text("utf-8"))  # type: ignore[no-any-return]


def matrix(project: Path) -> dict[str, dict[str, str]]:
    """The RACI export read back: activity name -> role name -> letter."""
    out = project / "raci.csv"
    assert rolebook("export", "--format", "csv", "-o", str(out), cwd=project).returncode == 0
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8"))))
    return {row[0]: dict(zip(rows[0][2:], row[2:], strict=True)) for row in rows[1:]}


def test_the_library_holds_the_common_optional_roles() -> None:
    assert {"deputy", "scribe", "customer-liaison", "internal-liaison", "security-lead"} <= set(LIBRARY)


@pytest.mark.parametrize("rid", LIBRARY)
def test_one_line_adds_a_complete_role_with_its_part_of_the_matrix(tmp_path: Path, rid: str) -> None:
    project = copy_project(tmp_path / "p")
    (project / "roles" / f"{rid}.yaml").write_text(f"extends: library/{rid}\n", "utf-8")
    result = rolebook("validate", "--strict", cwd=project)
    assert result.returncode == 0 and result.stdout == "", result.stdout
    assert "ok: 7 roles" in result.stderr
    assert rolebook("build", cwd=project).returncode == 0
    role = library("roles", rid)
    page = soup(project / "site" / "roles" / rid / "index.html").find("article")
    assert page is not None and len(page.get_text(" ").split()) >= 1000
    for field in ("time_targets", "scripts", "decision_rights", "conflicts", "anti_patterns", "guidance"):
        assert role.get(field), (rid, field)
    assert role["card"]["first_actions"] and role["checklists"] and role["handoff"]
    # its activities, with its letter, and its letters in the playbook's activities
    brought = library("activities", rid)
    rows = matrix(project)
    for activity in brought["activities"]:
        assert rows[activity["name"]][role["name"]] == activity["raci"][rid].replace("AR", "A/R")
    default_names = {
        a["id"]: a["name"]
        for a in yaml.safe_load((REPO_ROOT / "roles/activities.yaml").read_text())["activities"]
    }
    for activity_id, letter in brought.get("joins", {}).items():
        assert rows[default_names[activity_id]][role["name"]] == letter
    # engaged at every level: the severity page lists it
    severities = soup(project / "site" / "severities" / "index.html").find("article")
    assert len(severities.select(f'a[href$="roles/{rid}/"]')) == 3
    cards = rolebook("cards", "--role", rid, "--back", "-o", str(tmp_path / "card.pdf"), cwd=project)
    assert cards.returncode == 0, cards.stderr


def test_every_library_role_together(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    for rid in LIBRARY:
        (project / "roles" / f"{rid}.yaml").write_text(f"extends: library/{rid}\n", "utf-8")
    result = rolebook("validate", "--strict", cwd=project)
    assert result.returncode == 0 and result.stdout == "", result.stdout
    assert f"ok: {6 + len(LIBRARY)} roles" in result.stderr


def test_a_library_role_is_adapted_like_a_default(tmp_path: Path) -> None:
    """The adapting guide's example: under an id of its own, a letter changed, an activity taken out, and
    engaged only where the settings name it."""
    project = copy_project(tmp_path / "p")
    write_tree(
        project,
        {
            "roles/incident-scribe.yaml": """\
                extends: library/scribe
                name: Incident Scribe
                checklists:
                  respond:
                    add: [Post the timeline to the incident channel every hour.]
                """,
        },
    )
    activities = project / "roles" / "activities.yaml"
    text = activities.read_text("utf-8")
    # the default project's activity file is a whole list: make it an overlay of the defaults
    activities.write_text(
        "extends: default\n"
        "change:\n  open-channel: {raci: {incident-scribe: I}}\n"
        "remove: [prepare-review-timeline]\n",
        "utf-8",
    )
    config = project / "site_config" / "playbook.yaml"
    settings = config.read_text("utf-8")
    first = "    roles: [incident-manager, subject-matter-experts, communication-lead, operations-team, support-team, management-leadership]\n"
    assert first in settings
    config.write_text(settings.replace(first, first.replace("]", ", incident-scribe]"), 1), "utf-8")
    result = rolebook("validate", "--strict", cwd=project)
    assert result.returncode == 0 and result.stdout == "", result.stdout
    rows = matrix(project)
    assert rows["Open the incident channel and record"]["Incident Scribe"] == "I"
    assert rows["Keep the incident timeline"]["Incident Scribe"] == "R"
    assert "Prepare the timeline for the post-incident review" not in rows
    assert rolebook("build", cwd=project).returncode == 0
    severities = soup(project / "site" / "severities" / "index.html").find("article")
    assert len(severities.select('a[href$="roles/incident-scribe/"]')) == 1  # SEV1 only
    page = soup(project / "site" / "roles" / "incident-scribe" / "index.html").get_text(" ")
    assert "Post the timeline to the incident channel every hour." in page
    assert text  # the project's own activities were a list of its own, replaced above


def test_library_problems_are_reported_where_the_role_is_added(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    (project / "roles" / "scribe.yaml").write_text("# our scribe\nextends: library/scrib\n", "utf-8")
    result = rolebook("validate", cwd=project)
    assert result.returncode == 1
    assert "roles/scribe.yaml:2:10: error: no library role 'scrib' (did you mean 'scribe'?)" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_playbook_with_ids_of_its_own_is_told_what_to_mend(tmp_path: Path) -> None:
    """A playbook without the default ids: every id the library role names is an error at its extends
    line, with the edit that mends it."""
    project = tmp_path / "p"
    write_tree(
        project,
        {
            "site_config/playbook.yaml": """\
                organization: Northwind
                demo: true
                version: "1"
                published: 2026-01-01
                intro: Our roles.
                """,
            "roles/commander.yaml": """\
                name: Commander
                short: CMD
                summary: Runs the response.
                responsibilities: [Runs it.]
                backups: [scribe]
                review: {owner: "@ops", last_reviewed: 2026-11-01}
                """,
            "roles/activities.yaml": """\
                activities:
                  - {id: lead, name: Lead the response, phase: respond, raci: {commander: AR, scribe: C}}
                """,
            "roles/scribe.yaml": "extends: library/scribe\n",
        },
    )
    result = rolebook("validate", cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("roles/scribe.yaml:1:1: error: escalates_to names unknown role 'incident-manager'")
        and "escalates_to: {remove: [incident-manager]}" in line
        for line in lines
    ), result.stdout
    # its activity needs the Accountable role it names; the others' letters are left out
    assert any(
        "activity 'keep-timeline'" in line and "unknown role 'incident-manager'" in line for line in lines
    )
    assert not any("unknown role 'operations-team'" in line for line in lines if "activities.yaml" in line)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("rid", LIBRARY)
def test_each_library_file_has_the_shape_the_loader_reads(rid: str) -> None:
    """The library ships with rolebook: its activity files hold activities, joins and levels, each valid."""
    from generator.core.model import Activity

    brought = library("activities", rid)
    assert set(brought) <= {"activities", "joins", "engaged"}
    for activity in brought["activities"]:
        checked = Activity.model_validate(activity)
        assert checked.raci.get(rid) in ("R", "C", "I"), activity["id"]  # Accountable: a default role
    defaults = {
        a["id"] for a in yaml.safe_load((REPO_ROOT / "roles/activities.yaml").read_text())["activities"]
    }
    assert set(brought.get("joins", {})) <= defaults
    assert set(brought.get("joins", {}).values()) <= {"R", "C", "I"}
    role = library("roles", rid)
    assert "reports_to" not in role and "extends" not in role


def test_a_library_role_renamed_is_renamed_in_its_text(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    write_tree(project, {"roles/timekeeper.yaml": "extends: library/deputy\nname: Timekeeper\nshort: TK\n"})
    result = rolebook("validate", "--strict", cwd=project)
    assert result.returncode == 0 and result.stdout == "", result.stdout
    out = tmp_path / "playbook.json"
    assert rolebook("export", "--format", "json", "-o", str(out), cwd=project).returncode == 0
    role = next(r for r in json.loads(out.read_text("utf-8"))["roles"] if r["id"] == "timekeeper")
    text = json.dumps({k: v for k, v in role.items() if k not in ("id", "name", "short")})
    assert "Deputy" not in text and "Timekeeper" in text


def test_a_library_role_follows_a_default_built_under_another_id(tmp_path: Path) -> None:
    """A project whose Incident Manager is `commander` (built on the default): the library's links and
    activities name the commander."""
    project = tmp_path / "p"
    assert rolebook("init", str(project), cwd=tmp_path).returncode == 0
    (project / "roles" / "incident-manager.yaml").unlink()
    write_tree(
        project,
        {
            "roles/commander.yaml": "extends: default/incident-manager\nname: Commander\nshort: CMD\n",
            "roles/scribe.yaml": "extends: library/scribe\n",
        },
    )
    result = rolebook("validate", cwd=project)
    library_lines = [line for line in result.stdout.splitlines() if "library/" in line]
    assert not [line for line in library_lines if "incident-manager" in line], library_lines
    rows = matrix(project) if result.returncode == 0 else {}
    assert result.returncode == 1  # the defaults' own activities still name incident-manager
    assert not rows


def test_a_level_that_lists_no_roles_still_engages_every_role(tmp_path: Path) -> None:
    """A level with `roles: []` engages every role; a library role added to the playbook leaves it so."""
    project = copy_project(tmp_path / "p")
    third = "    roles: [incident-manager, subject-matter-experts, communication-lead, operations-team]\n"
    edit(project / "site_config" / "playbook.yaml", third, "    roles: []\n")
    (project / "roles" / "scribe.yaml").write_text("extends: library/scribe\n", "utf-8")
    result = rolebook("validate", "--strict", cwd=project)
    assert result.returncode == 0 and result.stdout == "", result.stdout
