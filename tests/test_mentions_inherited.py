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
import yaml

from .sitekit import REPO_ROOT, ROLE_IDS, copy_project, edit, rolebook

DEFAULTS = "(rolebook defaults)/roles"
NOT_A_ROLE = "which is not a role of this playbook"
LEFT_OUT = f"{NOT_A_ROLE} (a default role left out): write the name of a role of this playbook, or remove it"


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


def at(path: Path, text: str, name: str | None = None) -> str:
    """``line:col`` of ``name`` (default: ``text``) on the only line of ``path`` holding ``text``."""
    line = line_of(path, text)
    col = path.read_text("utf-8").splitlines()[line - 1].index(name or text) + 1
    return f"{line}:{col}"


def default_line(role: str, text: str) -> int:
    return line_of(REPO_ROOT / "roles" / f"{role}.yaml", text)


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
    # one warning for each text value naming it, and only in the files that inherit such text
    assert len(found) == len(set(found))
    naming = re.compile(r"Communication\s+Lead|\bCL\b")

    def texts(value: Any, key: str = "") -> list[str]:
        if isinstance(value, str):
            return [] if key in ("name", "short", "role", "id") else [value]
        if isinstance(value, list):
            return [t for item in value for t in texts(item, key)]
        if isinstance(value, dict):
            return [t for k, item in value.items() for t in texts(item, k)]
        return []

    expected_counts = {}
    for role in ROLE_IDS:
        if role == "communication-lead":
            continue
        data = yaml.safe_load((REPO_ROOT / "roles" / f"{role}.yaml").read_text("utf-8"))
        if count := sum(1 for text in texts(data) if naming.search(text)):
            expected_counts[f"roles/{role}.yaml"] = count
    counts = {f: sum(d.startswith(f"{f}:") for d in found) for f in {d.split(":")[0] for d in found}}
    assert counts == expected_counts


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
    support = project / "roles" / "support-team.yaml"
    handoff = line_of(support, "Tell the CL")
    activities = project / "roles" / "activities.yaml"
    # at the name itself: its first mention in the text (the CL in code is not one)
    for line in [
        f"site_config/playbook.yaml:{at(playbook, 'the communication lead tells', 'communication lead')}: "
        f"warning: names 'Communication Lead', {LEFT_OUT}",
        f"site_config/playbook.yaml:{at(playbook, 'the communication lead tells', 'CL')}: "
        f"warning: names 'CL', {LEFT_OUT}",
        f"roles/support-team.yaml:{at(support, 'Tell the CL', 'CL')}: warning: names 'CL', {LEFT_OUT}",
        f"roles/support-team.yaml:{at(support, 'Tell the CL', 'Communication Lead')}: "
        f"warning: names 'Communication Lead', {LEFT_OUT}",
        f"roles/activities.yaml:{at(activities, 'Brief the press', 'Communication Lead')}: "
        f"warning: names 'Communication Lead', {LEFT_OUT}",
    ]:
        assert line in found, "\n".join(found)
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
    text = "the Incident Manager and two IMs"
    assert mentions(project) == [
        f"site_config/playbook.yaml:{at(playbook, text, 'Incident Manager')}: warning: names 'Incident Manager', "
        f"{NOT_A_ROLE} (renamed to 'Incident Commander'): write 'Incident Commander'",
        f"site_config/playbook.yaml:{at(playbook, text, 'IMs')}: warning: names 'IM', {NOT_A_ROLE} "
        "(renamed to 'IC'): write 'IC'",
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
        "add `works_with: {remove: [communication-lead]}` to this file",
        f"roles/support-team.yaml:{st}:1: error: escalates_to names unknown role 'communication-lead'; "
        f"the value is inherited from {DEFAULTS}/support-team.yaml:"
        f"{_entry_line('support-team', 'escalates_to:', 'role: communication-lead')}: "
        "add `escalates_to: {remove: [communication-lead]}` to this file",
        f"roles/support-team.yaml:{st}:1: error: backups names unknown role 'communication-lead'; "
        f"the value is inherited from {DEFAULTS}/support-team.yaml:"
        f"{_entry_line('support-team', 'backups:', 'communication-lead')}: "
        "add `backups: {remove: [communication-lead]}` to this file",
        f"roles/activities.yaml:{activities}:1: error: activity 'receive-reports' (Receive incident reports "
        "from users and staff) names unknown role 'communication-lead'; the value is inherited from "
        f"{DEFAULTS}/activities.yaml:{receive}: "
        "add `change:` to this file and under it `receive-reports: {raci: {communication-lead: null}}`",
    ]:
        assert line in found, "\n".join(found)


def test_the_fixes_named_in_the_messages_mend_the_project_when_pasted_as_they_are(project: Path) -> None:
    """Phases renamed (recover to recovery, review to post-review): each file's fixes are one edit,
    worded for the file as it is, and pasting every fix as written leaves a valid playbook."""
    playbook = project / "site_config" / "playbook.yaml"
    edit(playbook, "  - id: recover\n", "  - id: recovery\n")
    edit(playbook, "  - id: review\n", "  - id: post-review\n")
    support = project / "roles" / "support-team.yaml"
    append(support, "checklists:\n  detect: [Read the status page first.]\n")
    activities = project / "roles" / "activities.yaml"
    append(activities, "change:\n  restore-services:\n    description: Back to normal.\n")
    found = [d for d in diagnostics(project) if ": error: " in d]
    im = line_of(project / "roles" / "incident-manager.yaml", "extends:")
    im_recover = default_line("incident-manager", "  recover:")
    assert (
        f"roles/incident-manager.yaml:{im}:1: error: unknown phase 'recover' (did you mean 'recovery'?); "
        f"the value is inherited from {DEFAULTS}/incident-manager.yaml:{im_recover}: "
        "add `checklists: {recover: null, review: null}` to this file"
    ) in found
    st = line_of(support, "extends:")
    checklists = line_of(support, "checklists:")
    assert (
        f"roles/support-team.yaml:{st}:1: error: unknown phase 'review' (did you mean 'post-review'?); "
        f"the value is inherited from {DEFAULTS}/support-team.yaml:{_entry_line('support-team', 'checklists:', '  review:')}: "
        f"under `checklists:` (line {checklists}) add `recover: null` and `review: null`"
    ) in found
    restore = line_of(activities, "  restore-services:")
    change = activities.read_text("utf-8").splitlines().index("change:") + 1
    hints = {
        d.split("; the value is inherited from ")[1].split(": ", 1)[1] for d in found if "activities" in d
    }
    assert f"under `change: restore-services:` (line {restore}) add `phase: recovery`" in hints
    assert f"under `change:` (line {change}) add `hold-review: {{phase: post-review}}`" in hints
    assert all(": add `" in d or ": under `" in d for d in found), "\n".join(found)
    paste_fixes(project, found)
    assert [d for d in diagnostics(project) if ": error: " in d] == []


def paste_fixes(project: Path, found: list[str]) -> None:
    """Do, word for word, what the messages' fixes say: each distinct fix once, per file."""
    fixes: dict[str, set[str]] = {}
    for d in found:
        fixes.setdefault(d.split(":")[0], set()).add(
            d.split("; the value is inherited from ")[1].split(": ", 1)[1]
        )
    for file, hints in fixes.items():
        path = project / file
        lines = path.read_text("utf-8").splitlines()
        under: list[tuple[int, list[str]]] = []
        for hint in sorted(hints):
            if m := re.fullmatch(r"add `([\w-]+):` to this file and under it `(.+)`", hint):
                if f"{m[1]}:" not in lines:
                    lines.append(f"{m[1]}:")
                lines.insert(lines.index(f"{m[1]}:") + 1, f"  {m[2]}")
            elif m := re.fullmatch(r"add `(.+)` to this file", hint):
                lines.append(m[1])
            elif m := re.fullmatch(r"under `.+` \(line (\d+)\) add (.+)", hint):
                under.append((int(m[1]), re.findall(r"`([^`]+)`", m[2])))
            elif m := re.fullmatch(r"add (.+) to the list `.+` \(line (\d+)\)", hint):
                under.append((int(m[2]), [f"- {item}" for item in re.findall(r"`([^`]+)`", m[1])]))
            else:
                raise AssertionError(f"a fix that cannot be pasted: {hint}")
        for line, entries in sorted(under, reverse=True):  # from the bottom, so line numbers hold
            indent = len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 2
            lines[line:line] = [" " * indent + entry for entry in entries]
        path.write_text("\n".join(lines) + "\n", "utf-8")


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
        f"roles/ops-two.yaml:{at(project / 'roles' / 'ops-two.yaml', 'Talks to the CL', 'CL')}: "
        f"warning: names 'CL', {LEFT_OUT}"
    ]
    works_with = f"roles/support-team.yaml:{st}:1: error: works_with names unknown role 'communication-lead'"
    assert sum(d.startswith(works_with) for d in found) == 1  # not again for ops-two, elsewhere


def test_the_fixes_to_one_key_of_a_file_are_one_edit(project: Path) -> None:
    """Two roles gone: the unknown roles of one list of a role, and of one inherited activity, are
    removed by one edit; a list the file already edits is added to. Pasting the fixes leaves only
    the problems that have none (an activity left with no Accountable or Responsible role)."""
    (project / "roles" / "communication-lead.yaml").unlink()
    (project / "roles" / "subject-matter-experts.yaml").unlink()
    support = project / "roles" / "support-team.yaml"
    append(support, "works_with:\n  remove:\n    - incident-manager\n")
    found = [d for d in diagnostics(project) if ": error: " in d and d.startswith("roles/")]
    im = f"roles/incident-manager.yaml:{line_of(project / 'roles' / 'incident-manager.yaml', 'extends:')}:1"
    works_with = "add `works_with: {remove: [subject-matter-experts, communication-lead]}` to this file"
    assert [
        d.split("; the value is inherited from ")[1].split(": ", 1)[1]
        for d in found
        if d.startswith(f"{im}: error: works_with")
    ] == [works_with] * 2
    assert any(
        d.startswith(im) and d.endswith(": add `backups: {remove: [subject-matter-experts]}` to this file")
        for d in found
    )
    remove = support.read_text("utf-8").splitlines().index("  remove:") + 1
    assert any(
        d.startswith("roles/support-team.yaml:")
        and "works_with names unknown role 'communication-lead'" in d
        and d.endswith(f": add `communication-lead` to the list `works_with: remove:` (line {remove})")
        for d in found
    ), "\n".join(found)
    declare = "add `change:` to this file and under it `declare-incident: {raci: {subject-matter-experts: null, communication-lead: null}}`"
    assert sum(d.endswith(f": {declare}") for d in found) == 2
    paste_fixes(project, [d for d in found if "; the value is inherited from" in d and ": add `" in d])
    left = [d for d in diagnostics(project) if ": error: " in d and d.startswith("roles/")]
    assert left and all("has no Accountable role" in d or "has no Responsible role" in d for d in left), (
        "\n".join(left)
    )


def test_one_bad_raci_letter_hides_nothing_else_of_the_activity_file(project: Path) -> None:
    """Each activity is checked on its own: one that cannot be kept (its id is not an id) is left out,
    one with a letter that is not a letter is kept with a stand-in for it, and the others' problems
    show in the same run, each where it is written."""
    activities = project / "roles" / "activities.yaml"
    append(
        activities,
        """\
        add:
          - id: Bad Id
            name: Broken
            phase: respond
            raci: {incident-manager: A, operations-team: R}
          - id: test-water
            name: Test the water
            phase: respond
            raci: {incident-manager: A, operations-team: R, water-quality-lead: X}
          - id: agree-budget
            name: Agree on the budget
            phase: respond
            raci: {incident-manager: A, operations-team: A}
          - id: check-pipes
            name: Check the pipes
            phase: recovr
            raci: {incident-manager: A, operations-team: R, ghost-role: C}
          - id: call-plumber
            name: Call the plumber
            phase: respond
            raci: {incident-manager: A, support-team: Q}
        """,
    )
    found = [d for d in diagnostics(project) if d.startswith("roles/activities.yaml") and ": error: " in d]
    file = "roles/activities.yaml"
    letters = "use one of 'R', 'A', 'C', 'I' or 'AR'"
    expected = [
        f"{file}:{at(activities, 'id: Bad Id', 'Bad Id')}: error: 'Bad Id' is not a valid id: use lowercase "
        "letters, digits and single hyphens, e.g. incident-manager",
        f"{file}:{at(activities, 'water-quality-lead: X', 'X}')}: error: 'X' is not allowed for "
        f"'water-quality-lead': {letters}",
        f"{file}:{at(activities, 'water-quality-lead: X', 'X}')}: error: activity 'test-water' (Test the water) "
        "names unknown role 'water-quality-lead'",
        f"{file}:{at(activities, 'operations-team: A}', '{')}: error: activity 'agree-budget' (Agree on the "
        "budget) has 2 Accountable roles (incident-manager, operations-team): exactly one role may be A",
        f"{file}:{at(activities, 'operations-team: A}', '{')}: error: activity 'agree-budget' (Agree on the "
        "budget) has no Responsible role: give at least one role an R (or the Accountable role AR)",
        f"{file}:{at(activities, 'phase: recovr', 'recovr')}: error: activity 'check-pipes' (Check the pipes) "
        "names unknown phase 'recovr' (did you mean 'recover'?)",
        f"{file}:{at(activities, 'ghost-role: C', 'C}')}: error: activity 'check-pipes' (Check the pipes) "
        "names unknown role 'ghost-role'",
        f"{file}:{at(activities, 'support-team: Q', 'Q}')}: error: 'Q' is not allowed for 'support-team': {letters}",
    ]
    assert sorted(found) == sorted(expected)  # the Q, standing in for the R, is not "no Responsible role"


def test_a_role_with_a_broken_review_name_or_abbreviation_is_still_checked(project: Path) -> None:
    roles = project / "roles"
    (roles / "water-lead.yaml").write_text(
        textwrap.dedent(
            """\
            name: Water Lead
            short: WL
            summary: Keeps the water clean.
            responsibilities: [Tests the water.]
            checklists:
              recovr: [Flush the pipes.]
            escalates_to:
              - {role: city-council, when: The water is unsafe.}
            backups: [operations-team]
            review: {owner: "@water", last_reviewed: 2026-11-31}
            """
        ),
        "utf-8",
    )
    for role in ("pipe-lead", "tank-lead"):  # two roles with no valid name nor abbreviation
        (roles / f"{role}.yaml").write_text(
            'name: ""\nshort: TOOLONGSHORT\nsummary: Pipes.\nresponsibilities: [Pipes.]\n'
            "checklists:\n  detct: [Look.]\nworks_with:\n  - {role: incident-manger, how: Together.}\n"
            'backups: [operations-team]\nreview: {owner: "@pipes", last_reviewed: 2026-01-01}\n',
            "utf-8",
        )
    found = [
        d
        for d in diagnostics(project)
        if d.startswith(("roles/water-lead", "roles/pipe-lead")) and ": error: " in d
    ]
    water = roles / "water-lead.yaml"
    pipe = roles / "pipe-lead.yaml"
    quote = '"'
    assert sorted(found) == sorted(
        [
            f"roles/water-lead.yaml:{at(water, '2026-11-31')}: error: 'last_reviewed' should be a date written "
            "YYYY-MM-DD, e.g. 2024-04-15, not '2026-11-31'",
            f"roles/water-lead.yaml:{at(water, 'recovr')}: error: unknown phase 'recovr' (did you mean 'recover'?)",
            f"roles/water-lead.yaml:{at(water, 'city-council')}: error: escalates_to names unknown role 'city-council'",
            f"roles/pipe-lead.yaml:{at(pipe, 'name:', quote)}: error: 'name' must not be empty",
            f"roles/pipe-lead.yaml:{at(pipe, 'TOOLONGSHORT')}: error: 'short' should be an abbreviation of 1 to 8 "
            "letters, digits or & + . / -, e.g. IM, not 'TOOLONGSHORT'",
            f"roles/pipe-lead.yaml:{at(pipe, 'detct')}: error: unknown phase 'detct' (did you mean 'detect'?)",
            f"roles/pipe-lead.yaml:{at(pipe, 'incident-manger')}: error: works_with names unknown role "
            "'incident-manger' (did you mean 'incident-manager'?)",
        ]
    ), "\n".join(found)
    # the names that stand in for the broken ones are like no other: nothing reports them
    everything = diagnostics(project)
    assert not [d for d in everything if "already used" in d or "also used" in d or "looks like" in d]


def test_a_settings_file_that_does_not_parse_leaves_the_checks_on_the_others(project: Path) -> None:
    settings = project / "site_config"
    playbook = settings / "playbook.yaml"
    edit(playbook, "  - incident-manager\n", "  - incident-manger\n")
    (settings / "contacts.yaml").write_text("contacts:\n  incident-manager: [\n", "utf-8")
    (settings / "extra.yaml").write_text("intro: Set twice.\n", "utf-8")
    found = diagnostics(project)
    errors = [d for d in found if ": error: " in d]
    assert [d for d in errors if d.startswith("site_config/contacts.yaml:")]  # the parser's message
    assert (
        f"site_config/playbook.yaml:{at(playbook, 'intro:')}: error: 'intro' is already set in site_config/extra.yaml"
    ) in errors
    assert (
        f"site_config/playbook.yaml:{at(playbook, 'incident-manger')}: error: role_order names unknown role "
        "'incident-manger' (did you mean 'incident-manager'?)"
    ) in errors
    # nothing reported as missing: it may be in the file that did not parse; no example value on a guess
    assert not [d for d in found if "missing required field" in d or "example value" in d]
    # the phases are in the file that does not parse: no phase is reported unknown
    edit(playbook, "phases:\n", "phases: [\n")
    found = diagnostics(project)
    assert [d for d in found if d.startswith("site_config/playbook.yaml:") and ": error: " in d]
    assert not [d for d in found if "phase" in d]


def test_extending_a_misspelt_default_suggests_the_name(project: Path) -> None:
    role = project / "roles" / "incident-commander.yaml"
    role.write_text("extends: default/incident-manger\nname: Incident Commander\nshort: IC\n", "utf-8")
    defaults = ", ".join(sorted(ROLE_IDS))
    assert (
        "roles/incident-commander.yaml:1:10: error: no default role 'incident-manger' (did you mean "
        f"'incident-manager'?); the defaults are: {defaults}"
    ) in diagnostics(project)
    role.write_text("extends: incident-manger\nname: Incident Commander\nshort: IC\n", "utf-8")
    assert (
        "roles/incident-commander.yaml:1:10: error: extends unknown role 'incident-manger' (did you mean "
        "'incident-manager'?)"
    ) in diagnostics(project)


def test_a_name_in_text_of_several_lines_is_reported_on_its_own_line(project: Path) -> None:
    (project / "roles" / "communication-lead.yaml").unlink()
    playbook = project / "site_config" / "playbook.yaml"
    edit(
        playbook,
        "  and confusion stops eating the minutes that matter.",
        "  and confusion stops eating the minutes; ask the CL.",
    )
    edit(
        playbook,
        "description: Limited impact with a workaround available; handled within business hours.",
        "description: Limited impact; tell the Communication\n      Lead within business hours.",
    )
    edit(
        playbook,
        "description: A core service is degraded, or a secondary service is down, for a significant share of customers.",
        "description: >-\n      A core service is degraded;\n      the CL tells the customers.",
    )
    support = project / "roles" / "support-team.yaml"
    append(
        support,
        "handoff:\n  add:\n    - >\n      Tell the on-call lead,\n      then the Communication\n      Lead.\n",
    )
    activities = project / "roles" / "activities.yaml"
    append(
        activities,
        """\
        add:
          - id: brief-press
            name: Brief the press
            phase: respond
            description: |
              Write the statement.
              Send it to the "CL" first.
            raci: {management-leadership: A, support-team: R}
        """,
    )
    found = [d for d in mentions(project) if "inherited" not in d]
    assert sorted(found) == sorted(
        [
            f"site_config/playbook.yaml:{at(playbook, 'ask the CL', 'CL')}: warning: names 'CL', {LEFT_OUT}",
            f"site_config/playbook.yaml:{at(playbook, 'tell the Communication', 'Communication')}: "
            f"warning: names 'Communication Lead', {LEFT_OUT}",
            f"site_config/playbook.yaml:{at(playbook, 'the CL tells', 'CL')}: warning: names 'CL', {LEFT_OUT}",
            f"roles/support-team.yaml:{at(support, 'then the Communication', 'Communication')}: "
            f"warning: names 'Communication Lead', {LEFT_OUT}",
            f"roles/activities.yaml:{at(activities, 'Send it to', 'CL')}: warning: names 'CL', {LEFT_OUT}",
        ]
    ), "\n".join(found)
