"""Text naming roles the playbook does not have, and problems in inherited values (issue 15, items 5, 6).

Every test runs the installed `rolebook` on a project made by `rolebook init` (or a copy of this
repository's playbook) and reads the located diagnostics back from `validate --format json`.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from .sitekit import REPO_ROOT, ROLE_IDS, copy_project, rolebook

DEFAULTS = "(rolebook defaults)/roles"
NOT_A_ROLE = "which is not a role of this playbook"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "playbook"
    result = rolebook("init", str(target), "--organization", "Acme Rockets", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return target


def diagnostics(project: Path) -> list[str]:
    """Every diagnostic of one `rolebook validate` run, as `file:line:col: severity: message`."""
    result = rolebook("validate", "--format", "json", cwd=project)
    found = json.loads(result.stdout)["diagnostics"]
    return [f"{d['file']}:{d['line']}:{d['col']}: {d['severity']}: {d['message']}" for d in found]


def mentions(project: Path) -> list[str]:
    return [d for d in diagnostics(project) if NOT_A_ROLE in d]


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the only line of ``path`` holding ``text``."""
    lines = [i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line]
    assert len(lines) == 1, (path, text, lines)
    return lines[0]


def default_line(role: str, text: str) -> int:
    return line_of(REPO_ROOT / "roles" / f"{role}.yaml", text)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), "utf-8")


def drop_recover_phase(playbook: Path) -> None:
    """Take the phase 'recover' out of the settings (its entry: the item and its indented lines)."""
    text = playbook.read_text("utf-8")
    new = re.sub(r"^  - id: recover\n(?:    .*\n)*", "", text, count=1, flags=re.M)
    assert new != text
    playbook.write_text(new, "utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + textwrap.dedent(text), "utf-8")


def exported_roles(project: Path) -> dict[str, Any]:
    result = rolebook("export", "--format", "json", "-o", "playbook.json", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((project / "playbook.json").read_text("utf-8"))
    return {role["id"]: role for role in data["roles"]}


# --- mentions -----------------------------------------------------------------------------------


def test_the_default_playbook_and_a_fresh_project_name_only_their_own_roles(project: Path) -> None:
    assert rolebook("validate", cwd=REPO_ROOT).returncode == 0
    assert mentions(REPO_ROOT) == []
    assert mentions(project) == []


def test_inherited_text_naming_a_default_role_left_out(project: Path) -> None:
    (project / "roles" / "communication-lead.yaml").unlink()
    im_extends = line_of(project / "roles" / "incident-manager.yaml", "extends:")
    st_extends = line_of(project / "roles" / "support-team.yaml", "extends:")
    found = mentions(project)
    left_out = f"'Communication Lead', {NOT_A_ROLE} (a default role left out)"

    def inherited(file: str, extends: int, where: str, text: str) -> str:
        line = default_line(file, text)
        return (
            f"roles/{file}.yaml:{extends}:1: warning: inherited text names {left_out}: {where}, "
            f"from {DEFAULTS}/{file}.yaml:{line}; replace or remove it in this file"
        )

    expected = [
        inherited("incident-manager", im_extends, "card.first_actions item 3", "Set the first update time"),
        inherited("incident-manager", im_extends, "checklists.detect item 3", "Set the first stakeholder"),
        inherited(
            "incident-manager", im_extends, "responsibilities item 3", "together with the Communication"
        ),
        inherited(
            "support-team", st_extends, "checklists.prepare item 1", "Know how to reach the Communication"
        ),
    ]
    for line in expected:
        assert line in found
    # one warning for each text value, and only in the files that inherit such text
    assert len(found) == len(set(found))
    assert {d.split(":")[0] for d in found} == {"roles/incident-manager.yaml", "roles/support-team.yaml"}
    counts = {
        f: sum(d.startswith(f"roles/{f}.yaml:") for d in found) for f in ("incident-manager", "support-team")
    }
    for role, count in counts.items():
        data = (REPO_ROOT / "roles" / f"{role}.yaml").read_text("utf-8")
        # each mention in these defaults is in a value of its own line
        assert count == sum("Communication Lead" in line or " CL " in line for line in data.splitlines())


def test_own_text_naming_a_role_left_out_is_located_where_it_is_written(project: Path) -> None:
    (project / "roles" / "communication-lead.yaml").unlink()
    playbook = project / "site_config" / "playbook.yaml"
    edit(
        playbook,
        "description: Limited impact with a workaround available; handled within business hours.",
        "description: Limited impact; the communication lead tells the CL channel `CL` and the CLI users.",
    )
    append(
        project / "roles" / "support-team.yaml",
        """\
        handoff:
          add:
            - Tell the CL, then the Communication Lead, then the CLs again.
        """,
    )
    append(
        project / "roles" / "activities.yaml",
        """\
        add:
          - id: brief-press
            name: Brief the press with the Communication Lead
            phase: respond
            raci: {management-leadership: A, support-team: R}
        """,
    )
    found = mentions(project)
    severity = line_of(playbook, "the communication lead tells")
    handoff = line_of(project / "roles" / "support-team.yaml", "Tell the CL")
    activity = line_of(project / "roles" / "activities.yaml", "Brief the press")
    why = f"{NOT_A_ROLE} (a default role left out)"
    for line in [
        f"site_config/playbook.yaml:{severity}:18: warning: names 'Communication Lead', {why}",
        f"site_config/playbook.yaml:{severity}:18: warning: names 'CL', {why}",
        f"roles/support-team.yaml:{handoff}:7: warning: names 'CL', {why}",
        f"roles/support-team.yaml:{handoff}:7: warning: names 'Communication Lead', {why}",
        f"roles/activities.yaml:{activity}:11: warning: names 'Communication Lead', {why}",
    ]:
        assert line in found
    # once per text value: the CL written three times in the handoff item is one warning
    assert sum(d.startswith(f"roles/support-team.yaml:{handoff}:") for d in found) == 2
    assert sum(d.startswith(f"site_config/playbook.yaml:{severity}:") for d in found) == 2


def test_a_same_id_rename_renames_inherited_text_and_warns_for_the_old_name_left_in_own_text(
    project: Path,
) -> None:
    (project / "roles" / "incident-manager.yaml").write_text(
        "extends: default\nname: Incident Commander\nshort: IC\n", "utf-8"
    )
    playbook = project / "site_config" / "playbook.yaml"
    edit(playbook, "handled within business hours.", "the Incident Manager and two IMs decide.")
    severity = line_of(playbook, "the Incident Manager and two IMs")
    assert mentions(project) == [
        f"site_config/playbook.yaml:{severity}:18: warning: names 'IM', {NOT_A_ROLE} (renamed to 'IC')",
        f"site_config/playbook.yaml:{severity}:18: warning: names 'Incident Manager', {NOT_A_ROLE} "
        "(renamed to 'Incident Commander')",
    ]
    roles = exported_roles(project)
    assert (
        "Say you are the Incident Commander; assign the roles."
        in roles["incident-manager"]["card"]["first_actions"]
    )


def test_a_default_extended_under_a_new_id_carries_its_name_into_inherited_text(tmp_path: Path) -> None:
    """The repository's playbook with its Incident Manager replaced by a role built on the default one."""
    project = copy_project(tmp_path / "playbook")
    (project / "roles" / "incident-manager.yaml").unlink()
    for path in [*project.glob("roles/*.yaml"), *project.glob("site_config/*.yaml")]:
        path.write_text(path.read_text("utf-8").replace("incident-manager", "incident-commander"), "utf-8")
    (project / "roles" / "incident-commander.yaml").write_text(
        "extends: default/incident-manager\nname: Incident Commander\nshort: IC\n", "utf-8"
    )
    assert [d for d in diagnostics(project) if ": error: " in d] == []
    assert mentions(project) == []
    roles = exported_roles(project)
    commander = roles["incident-commander"]
    assert "Say you are the Incident Commander; assign the roles." in commander["card"]["first_actions"]
    everything = json.dumps(roles)
    assert "Incident Manager" not in everything
    assert "follow the Incident Commander's instructions" in everything


def test_a_new_role_next_to_the_default_it_extends_renames_nothing(project: Path) -> None:
    (project / "roles" / "incident-commander.yaml").write_text(
        "extends: default/incident-manager\nname: Incident Commander\nshort: IC\n", "utf-8"
    )
    assert mentions(project) == []
    roles = exported_roles(project)
    assert (
        "Say you are the Incident Manager; assign the roles."
        in roles["incident-commander"]["card"]["first_actions"]
    )
    assert roles["incident-manager"]["name"] == "Incident Manager"


# --- inherited problems -------------------------------------------------------------------------


def test_every_problem_in_one_run_inherited_ones_saying_where_from_and_how_to_fix(project: Path) -> None:
    """A settings error, an inherited unknown phase, an inherited unknown role and a role with an
    error of its own: before, the first hid the phase checks and the last the role's links."""
    playbook = project / "site_config" / "playbook.yaml"
    text = playbook.read_text("utf-8")
    playbook.write_text(re.sub(r"^version: .*$", 'version: "1 0"', text, count=1, flags=re.M), "utf-8")
    drop_recover_phase(playbook)
    (project / "roles" / "communication-lead.yaml").unlink()
    support = project / "roles" / "support-team.yaml"
    append(support, 'summary: ""\n')
    found = diagnostics(project)
    im = line_of(project / "roles" / "incident-manager.yaml", "extends:")
    st = line_of(support, "extends:")
    summary = line_of(support, "summary:")
    version = line_of(playbook, "version:")
    activities = line_of(project / "roles" / "activities.yaml", "extends:")
    receive = line_of(REPO_ROOT / "roles" / "activities.yaml", "id: receive-reports") + 3
    for line in [
        f"site_config/playbook.yaml:{version}:10: error: 'version' should be a version such as 1.0 or 2024.2, not '1 0'",
        f"roles/support-team.yaml:{summary}:10: error: 'summary' must not be empty",
        f"roles/incident-manager.yaml:{im}:1: error: unknown phase 'recover' (did you mean 'review'?); "
        f"the value is inherited from {DEFAULTS}/incident-manager.yaml:{default_line('incident-manager', '  recover:')}: "
        "add `checklists: {recover: null}` to this file",
        f"roles/support-team.yaml:{st}:1: error: works_with names unknown role 'communication-lead'; "
        f"the value is inherited from {DEFAULTS}/support-team.yaml:"
        f"{_entry_line('support-team', 'works_with:', 'role: communication-lead')}: "
        "remove it with `works_with: {remove: [communication-lead]}`",
        f"roles/support-team.yaml:{st}:1: error: escalates_to names unknown role 'communication-lead'; "
        f"the value is inherited from {DEFAULTS}/support-team.yaml:"
        f"{_entry_line('support-team', 'escalates_to:', 'role: communication-lead')}: "
        "remove it with `escalates_to: {remove: [communication-lead]}`",
        f"roles/support-team.yaml:{st}:1: error: backups names unknown role 'communication-lead'; "
        f"the value is inherited from {DEFAULTS}/support-team.yaml:"
        f"{_entry_line('support-team', 'backups:', 'communication-lead')}: "
        "remove it with `backups: {remove: [communication-lead]}`",
        f"roles/activities.yaml:{activities}:1: error: activity 'receive-reports' (Receive incident reports "
        "from users and staff) names unknown role 'communication-lead'; the value is inherited from "
        f"{DEFAULTS}/activities.yaml:{receive}: "
        "remove it with `change: {receive-reports: {raci: {communication-lead: null}}}`",
    ]:
        assert line in found, "\n".join(found)


def test_the_fixes_named_in_the_messages_mend_the_project(project: Path) -> None:
    """Doing what the messages say leaves a valid playbook."""
    playbook = project / "site_config" / "playbook.yaml"
    drop_recover_phase(playbook)
    errors = [d for d in diagnostics(project) if ": error: " in d]
    assert errors and all("; the value is inherited from" in d for d in errors)
    for role in ROLE_IDS:
        append(project / "roles" / f"{role}.yaml", "checklists: {recover: null}\n")
    fixes = [d.split("`")[1] for d in diagnostics(project) if "roles/activities.yaml" in d and "`" in d]
    assert fixes and all(f.startswith("change: {") for f in fixes)
    ids = sorted(f.split("{")[1].split(":")[0] for f in fixes)
    append(
        project / "roles" / "activities.yaml",
        "change:\n" + "".join(f"  {i}: {{phase: review}}\n" for i in ids),
    )
    assert [d for d in diagnostics(project) if ": error: " in d] == []


def _entry_line(role: str, section: str, text: str) -> int:
    """The line of the first line holding ``text`` after the line ``section`` of a default role."""
    lines = (REPO_ROOT / "roles" / f"{role}.yaml").read_text("utf-8").splitlines()
    start = lines.index(section)
    return next(i for i, line in enumerate(lines[start:], start + 1) if text in line)


def test_a_role_built_on_a_project_role_reports_what_it_inherits_once_where_it_comes_in(
    project: Path,
) -> None:
    (project / "roles" / "communication-lead.yaml").unlink()
    (project / "roles" / "ops-two.yaml").write_text(
        "extends: support-team\nname: Ops Two\nshort: O2\nskills:\n  add: [Talks to the CL daily.]\n", "utf-8"
    )
    found = [d for d in diagnostics(project) if "roles/activities.yaml" not in d and "example value" not in d]
    st = line_of(project / "roles" / "support-team.yaml", "extends:")
    assert [d for d in found if d.startswith("roles/ops-two.yaml")] == [
        f"roles/ops-two.yaml:5:9: warning: names 'CL', {NOT_A_ROLE} (a default role left out)"
    ]
    works_with = f"roles/support-team.yaml:{st}:1: error: works_with names unknown role 'communication-lead'"
    assert sum(d.startswith(works_with) for d in found) == 1  # not again for ops-two, elsewhere
