"""The pull-request workflow: rolebook diff on real git repositories, review cadence, hooks, CI files."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from .sitekit import REPO_ROOT, copy_project, rolebook, soup

GIT_ENV = ["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *GIT_ENV, *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "repo")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "defaults")
    return project


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def diff(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = rolebook("diff", *args, cwd=repo)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def report(repo: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = diff(repo, "main", *args, "--format", "json")
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_no_change(repo: Path) -> None:
    result = diff(repo, "main")
    assert result.returncode == 0
    assert (
        result.stdout
        == "## Playbook changes: `main` → `working tree`\n\nNo change to the playbook or its cards.\n"
    )


def test_roles_added_removed_and_renamed(repo: Path) -> None:
    edit(repo, "roles/incident-manager.yaml", "name: Incident Manager", "name: Incident Commander")
    scribe = (repo / "roles" / "support-team.yaml").read_text("utf-8")
    scribe = scribe.replace("name: Support Team", "name: Scribe").replace("short: SUP", "short: SCR")
    (repo / "roles" / "scribe.yaml").write_text(scribe, "utf-8")
    data = report(repo)
    assert data["added"] == ["Scribe"]
    assert data["renamed"] == [
        {"id": "incident-manager", "from": "Incident Manager", "to": "Incident Commander"}
    ]
    assert data["removed"] == []
    markdown = diff(repo, "main").stdout
    assert "**Roles added:** Scribe" in markdown
    assert "**Role renamed:** Incident Manager → Incident Commander" in markdown


def test_removed_role_between_two_revisions(repo: Path) -> None:
    scribe = (repo / "roles" / "support-team.yaml").read_text("utf-8")
    scribe = scribe.replace("name: Support Team", "name: Scribe").replace("short: SUP", "short: SCR")
    (repo / "roles" / "scribe.yaml").write_text(scribe, "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a scribe")
    git(repo, "checkout", "-q", "-b", "no-scribe")
    (repo / "roles" / "scribe.yaml").unlink()
    git(repo, "commit", "-q", "-am", "no scribe after all")
    data = json.loads(diff(repo, "main", "no-scribe", "--format", "json").stdout)
    assert data["base"] == "main" and data["head"] == "no-scribe"
    assert data["removed"] == ["Scribe"] and data["added"] == []
    assert "**Roles removed:** Scribe" in diff(repo, "main", "no-scribe").stdout


def test_each_kind_of_role_change(repo: Path) -> None:
    edit(repo, "roles/support-team.yaml", "  - Explaining technical impact in customer terms.\n", "")
    edit(
        repo,
        "roles/support-team.yaml",
        "responsibilities:\n",
        "responsibilities:\n  - Keep the status page current.\n",
    )
    edit(repo, "roles/support-team.yaml", "  respond:\n", "  respond:\n    - Pin the approved wording.\n")
    edit(repo, "roles/support-team.yaml", "handoff:\n", "handoff:\n  - Customers promised a call back.\n")
    edit(
        repo,
        "roles/support-team.yaml",
        "backups:\n  - communication-lead\n",
        "backups:\n  - operations-team\n",
    )
    edit(
        repo,
        "roles/support-team.yaml",
        "    when: A customer needs an answer beyond the approved wording.\n",
        "    when: A customer asks for a refund.\n",
    )
    [role] = report(repo)["roles"]
    assert role["id"] == "support-team"
    assert role["changes"] == [
        "responsibility added: “Keep the status page current.”",
        "handoff item added: “Customers promised a call back.”",
        "backup added: “Operations Team”",
        "backup removed: “Communication Lead”",
        "skill removed: “Explaining technical impact in customer terms.”",
        "respond checklist item added: “Pin the approved wording.”",
        "escalates to Communication Lead: when changed to “A customer asks for a refund.”",
    ]
    edit(
        repo,
        "roles/support-team.yaml",
        "  - role: communication-lead\n    how:",
        "  - role: operations-team\n    how:",
    )
    changes = report(repo)["roles"][0]["changes"]
    assert (
        "now works with Operations Team" in changes and "no longer works with Communication Lead" in changes
    )


def test_raci_changes_are_spelled_out(repo: Path) -> None:
    edit(
        repo,
        "roles/activities.yaml",
        "raci: {incident-manager: A, operations-team: R, subject-matter-experts: C, communication-lead: I, management-leadership: I}",
        "raci: {incident-manager: R, operations-team: A, subject-matter-experts: C, communication-lead: I}",
    )
    edit(
        repo,
        "roles/activities.yaml",
        "  - id: update-playbook\n",
        "  - id: notify-legal\n    name: Notify the legal team\n    phase: respond\n    raci: {management-leadership: A, communication-lead: R}\n  - id: update-playbook\n",
    )
    text = (repo / "roles" / "activities.yaml").read_text("utf-8")
    start = text.index("  - id: share-incident-report")
    end = text.index("  - id: notify-legal")
    (repo / "roles" / "activities.yaml").write_text(text[:start] + text[end:], "utf-8")
    data = report(repo)
    assert data["activities"] == [
        "activity added: Notify the legal team",
        "activity removed: Share the incident report with stakeholders and customers",
        "Declare the incident and set its severity: Accountable moves from Incident Manager to Operations Team",
        "Declare the incident and set its severity: Incident Manager is now Responsible",
        "Declare the incident and set its severity: Operations Team is no longer Responsible",
        "Declare the incident and set its severity: Management and Leadership is no longer Informed",
    ]
    assert "### RACI" in diff(repo, "main").stdout


def test_a_card_that_stops_fitting_is_reported(repo: Path) -> None:
    extra = "".join(f"    - Check dashboard {n} and write down what it shows.\n" for n in range(25))
    edit(repo, "roles/support-team.yaml", "  first_actions:\n", "  first_actions:\n" + extra)
    data = report(repo)
    [card] = data["cards"]
    assert card["file"] == "roles/support-team.yaml" and card["severity"] == "error"
    assert card["message"].startswith("the Support Team card no longer fits: the front of the A6")
    assert "mm too tall" in card["message"]
    assert diff(repo, "main", "--no-cards", "--format", "json").stdout.count("mm too tall") == 0


def test_an_invalid_side_is_reported_not_a_traceback(repo: Path) -> None:
    edit(repo, "roles/support-team.yaml", "responsibilities:", "responsibilites:")
    result = diff(repo, "main")
    assert result.returncode == 1
    assert "### :x: `working tree` is invalid" in result.stdout
    assert "roles/support-team.yaml:5:1: error: unknown field 'responsibilites'" in result.stdout
    data = json.loads(diff(repo, "main", "--format", "json").stdout)
    assert data["valid"] is False and list(data["problems"]) == ["working tree"]


def test_bad_revision_and_no_repository(repo: Path, tmp_path: Path) -> None:
    result = diff(repo, "no-such-branch")
    assert result.returncode == 1 and "unknown git revision 'no-such-branch'" in result.stderr
    outside = copy_project(tmp_path / "plain")
    result = rolebook("diff", "main", cwd=outside)
    assert result.returncode == 1 and "git" in result.stderr and "Traceback" not in result.stderr


def test_a_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    top = tmp_path / "monorepo"
    project = copy_project(top / "ops" / "playbook")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "x")
    edit(project, "roles/incident-manager.yaml", "name: Incident Manager", "name: Incident Commander")
    result = rolebook("diff", "main", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Incident Manager → Incident Commander" in result.stdout


# --- review cadence -----------------------------------------------------------------------------


def test_an_overdue_review_warns_and_fails_under_strict(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (repo / "roles" / "support-team.yaml").read_text("utf-8")
    line = text.splitlines().index("  last_reviewed: 2026-11-26") + 1
    edit(repo, "roles/support-team.yaml", "  last_reviewed: 2026-11-26", "  last_reviewed: 2025-10-01")
    result = rolebook("validate", cwd=repo)
    assert result.returncode == 0
    expected = (
        f"roles/support-team.yaml:{line}:3: warning: role 'support-team' (Support Team) is overdue for review: "
        "last reviewed 2025-10-01, due 2026-10-01 (every 12 months); owner @incident-program"
    )
    assert result.stdout.splitlines() == [expected]
    strict = rolebook("validate", "--strict", cwd=repo)
    assert strict.returncode == 1
    assert strict.stdout.splitlines() == [expected.replace(": warning: ", ": error: ")]
    # the period comes from site_config
    settings = repo / "site_config" / "playbook.yaml"
    settings.write_text(settings.read_text("utf-8") + "review_period_months: 24\n", "utf-8")
    assert rolebook("validate", "--strict", cwd=repo).returncode == 0
    # and an ageing review never stops the site
    monkeypatch.setenv("ROLEBOOK_TODAY", "2031-01-01")
    assert rolebook("build", cwd=repo).returncode == 0


def test_role_pages_show_owner_and_review_date(default_site: tuple[Path, Path]) -> None:
    _, site = default_site
    meta = soup(site / "roles" / "support-team" / "index.html").find("p", class_="rb-role-meta")
    assert (
        meta.get_text(" ", strip=True)
        == "Abbreviation SUP · Reports to Communication Lead · Owner @incident-program · Last reviewed 2026-11-26"
    )


# --- hooks and CI files -------------------------------------------------------------------------


def test_pre_commit_hook_runs_rolebook_validate() -> None:
    [hook] = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "rolebook-validate"
    assert hook["entry"] == "rolebook validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.match(hook["files"], "roles/incident-manager.yaml") and not re.match(hook["files"], "README.md")


@pytest.mark.parametrize("workflow", [".github/workflows/playbook.yml", "scaffold/playbook-workflow.yml"])
def test_workflow_validates_comments_builds_and_publishes(workflow: str) -> None:
    data = yaml.safe_load((REPO_ROOT / workflow).read_text("utf-8"))
    triggers = data[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    steps = data["jobs"]["check"]["steps"]
    runs = "\n".join(str(step.get("run", "")) for step in steps)
    assert "rolebook validate --strict --format github" in runs
    assert 'rolebook diff "origin/$BASE_REF" HEAD' in runs  # posted by playbook-comment (test_workflows)
    assert "[ -s playbook-report/playbook-diff.md ] ||" in runs  # a report even when the diff is empty
    assert "rolebook build" in runs and "rolebook cards" in runs
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in steps)
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == ".cache/rolebook"  # where rolebook keeps laid-out cards
    assert steps.index(cache) < next(
        i for i, step in enumerate(steps) if "rolebook build" in step.get("run", "")
    )
    assert any(step.get("uses", "").startswith("actions/upload-pages-artifact") for step in steps)
    publish = data["jobs"]["publish"]
    assert publish["steps"][0]["uses"].startswith("actions/deploy-pages")


def test_a_playbook_new_in_this_change_is_all_added(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    top.mkdir()
    (top / "README.md").write_text("x\n", "utf-8")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "before the playbook")
    project = copy_project(top / "playbook")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "the playbook")
    data = json.loads(diff(project, "HEAD~1", "HEAD", "--format", "json", "--no-cards").stdout)
    assert data["valid"] is True
    assert len(data["added"]) == 6 and data["removed"] == []
    assert any(line.startswith("activity added: ") for line in data["activities"])


def test_committed_links_and_look_alike_branch_names(repo: Path) -> None:
    (repo / "host.md").symlink_to("/etc/hostname")  # outside roles/, docs/...: left out (test_revisions)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a link")
    git(repo, "branch", "feature/x")
    git(repo, "checkout", "-q", "-b", "feature_x")
    (repo / "roles" / "scribe.yaml").write_text(
        (repo / "roles" / "support-team.yaml")
        .read_text("utf-8")
        .replace("name: Support Team", "name: Scribe")
        .replace("short: SUP", "short: SCR"),
        "utf-8",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "scribe")
    data = json.loads(diff(repo, "feature_x", "feature/x", "--format", "json", "--no-cards").stdout)
    assert data["removed"] == ["Scribe"] and data["valid"] is True


def test_a_review_date_at_the_end_of_the_calendar(repo: Path) -> None:
    edit(repo, "roles/support-team.yaml", "  last_reviewed: 2026-11-26", "  last_reviewed: 9999-12-01")
    result = rolebook("validate", cwd=repo)
    assert (
        result.returncode == 0 and "Traceback" not in result.stderr and "internal error" not in result.stderr
    )
