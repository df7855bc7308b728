"""Every validation rule, each shown with one broken input and its exact diagnostic.

Most tests break one file of a private copy of the default playbook, so the
expected list of diagnostics is exactly the one problem: nothing is hidden and
nothing extra is reported. Line numbers are computed from the edit, so the
default data can change without breaking these tests.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import markdown
import pytest

from generator.core.model import Activity, Role
from generator.core.project import check_project, load_playbook
from generator.errors import InvalidPlaybook

from .conftest import Project

SUP = "roles/support-team.yaml"
IM = "roles/incident-manager.yaml"
MGT = "roles/management-leadership.yaml"
ACT = "roles/activities.yaml"
CFG = "site_config/playbook.yaml"
CONTACTS = "site_config/contacts.yaml"

ID_HINT = "is not a valid id: use lowercase letters, digits and single hyphens, e.g. incident-manager"
ROLE_FIELDS = ", ".join(Role.model_fields)
ACTIVITY_FIELDS = ", ".join(Activity.model_fields)

MakeProject = Callable[..., Project]


def add_activity(project: Project, raci: str, *, id_: str = "test-activity", phase: str = "respond") -> int:
    """Append an activity with a block-style ``raci`` mapping; return the line of its first raci entry."""
    entries = "".join(f"      {entry}\n" for entry in raci.split(", "))
    first = project.append(
        ACT, f"  - id: {id_}\n    name: Test activity\n    phase: {phase}\n    raci:\n{entries}"
    )
    return first + 4


def activity_label(id_: str = "test-activity") -> str:
    return f"activity '{id_}' (Test activity)"


def test_the_copied_defaults_are_valid(default_project: Project) -> None:
    """The baseline every other test breaks: no diagnostics at all."""
    assert default_project.check() == []


# --- unknown, missing and mistyped fields -----------------------------------------------------------


def test_unknown_field_with_suggestion(default_project: Project) -> None:
    """A misspelt required field is reported once, as the typo, not also as missing."""
    line, _ = default_project.sub(SUP, r"^responsibilities:", "responsibilites:")
    assert default_project.check() == [
        f"{SUP}:{line}:1: error: unknown field 'responsibilites' (did you mean 'responsibilities'?)",
    ]


def test_unknown_field_far_from_a_missing_one_reports_both(default_project: Project) -> None:
    line, _ = default_project.sub(SUP, r"^summary:", "gist:")
    start = default_project.first_key_line(SUP)
    assert default_project.check() == [
        f"{SUP}:{start}:1: error: missing required field 'summary'",
        f"{SUP}:{line}:1: error: unknown field 'gist' (allowed: {ROLE_FIELDS})",
    ]


def test_unknown_field_without_a_close_match_lists_the_allowed_ones(default_project: Project) -> None:
    line = default_project.append(SUP, "colour: blue\n")
    assert default_project.check() == [
        f"{SUP}:{line}:1: error: unknown field 'colour' (allowed: {ROLE_FIELDS})"
    ]


def test_unknown_nested_field_with_suggestion(default_project: Project) -> None:
    line, _ = default_project.sub(SUP, r"^  first_actions:", "  first_action:")
    assert default_project.check() == [
        f"{SUP}:{line}:3: error: unknown field 'first_action' (did you mean 'first_actions'?)"
    ]


def test_unknown_field_in_an_activity(default_project: Project) -> None:
    raci_line = add_activity(default_project, "incident-manager: A, operations-team: R")
    line = default_project.append(ACT, "    owner: somebody\n")
    assert raci_line < line
    assert default_project.check() == [
        f"{ACT}:{line}:5: error: unknown field 'owner' (allowed: {ACTIVITY_FIELDS})"
    ]


def test_missing_required_field(default_project: Project) -> None:
    default_project.sub(SUP, r"^summary:.*\n", "")
    start = default_project.first_key_line(SUP)
    assert default_project.check() == [f"{SUP}:{start}:1: error: missing required field 'summary'"]


def test_missing_required_nested_field(default_project: Project) -> None:
    default_project.sub(SUP, r"^  owner:.*\n", "")
    line, _ = default_project.find(SUP, "  last_reviewed:")
    assert default_project.check() == [f"{SUP}:{line}:3: error: missing required field 'owner'"]


def test_missing_required_field_in_an_activity(default_project: Project) -> None:
    line = default_project.append(ACT, "  - id: test-activity\n    name: Test activity\n    phase: respond\n")
    assert default_project.check() == [f"{ACT}:{line}:5: error: missing required field 'raci'"]


def test_missing_setting_is_reported_in_the_main_settings_file(default_project: Project) -> None:
    """Not in site_config/contacts.yaml, read first but holding only the contacts."""
    default_project.sub(CFG, r"^version:.*\n", "")
    start = default_project.first_key_line(CFG)
    assert default_project.check() == [f"{CFG}:{start}:1: error: missing required field 'version'"]


def test_missing_setting_goes_to_the_file_with_the_most_settings(make_project: MakeProject) -> None:
    project = make_project(
        {
            "site_config/a-intro.yaml": "intro: Hello.\n",
            "site_config/b-main.yaml": """\
                # the main settings
                title: T
                organization: O
                published: 2024-01-01
                """,
            "site_config/c-contacts.yaml": "contacts: {}\n",
        }
    )
    problems = [line for line in project.check() if line.startswith("site_config/")]
    assert problems == ["site_config/b-main.yaml:2:1: error: missing required field 'version'"]


def test_unknown_setting_with_suggestion(default_project: Project) -> None:
    line, _ = default_project.sub(CFG, r"^title:", "titel:")
    assert f"{CFG}:{line}:1: error: unknown field 'titel' (did you mean 'title'?)" in default_project.check()


@pytest.mark.parametrize(
    ("replacement", "line_offset", "col", "message"),
    [
        ("summary: [a, b]\n", 0, 10, "'summary' should be text, not a list"),
        (
            "summary:\n  Note: the team helps customers.\n",
            1,
            3,
            "'summary' should be text, not a mapping "
            "(a ': ' inside text starts a mapping; put the whole text in quotes)",
        ),
        ("summary: 42\n", 0, 10, "'summary' should be text, not the number 42; put it in quotes"),
        ("summary: true\n", 0, 10, "'summary' should be text, not true (a yes/no value); put it in quotes"),
        ("summary:\n", 0, 9, "'summary' should be text, not empty"),
        ('summary: ""\n', 0, 10, "'summary' must not be empty"),
        ('summary: "   "\n', 0, 10, "'summary' must not be empty"),
        ("summary: " + "x" * 4001 + "\n", 0, 10, "'summary' is longer than 4000 characters"),
    ],
    ids=["list", "mapping", "number", "boolean", "null", "empty", "blank", "too-long"],
)
def test_text_field_of_the_wrong_kind(
    default_project: Project, replacement: str, line_offset: int, col: int, message: str
) -> None:
    line, _ = default_project.sub(SUP, r"^summary:.*\n", replacement)
    assert default_project.check() == [f"{SUP}:{line + line_offset}:{col}: error: {message}"]


def test_a_long_number_is_not_shown_as_a_different_number(default_project: Project) -> None:
    digits = "123456789012345678901234567890"
    line, _ = default_project.sub(SUP, r"^summary:.*$", f"summary: {digits}")
    assert default_project.check() == [
        f"{SUP}:{line}:10: error: 'summary' should be text, not a number of 30 digits; put it in quotes"
    ]


def test_text_with_colon_space_in_a_list_hints_at_quotes(default_project: Project) -> None:
    line = default_project.insert_after(SUP, "responsibilities:", "  - Note: customers come first.\n")
    assert default_project.check() == [
        f"{SUP}:{line}:5: error: 'responsibilities' should be text, not a mapping "
        "(a ': ' inside text starts a mapping; put the whole text in quotes)"
    ]


def test_list_given_as_text(default_project: Project) -> None:
    line = default_project.replace_block(SUP, "responsibilities", "responsibilities: Answer customers.\n")
    assert default_project.check() == [
        f"{SUP}:{line}:19: error: 'responsibilities' should be a list (lines starting with '- '), "
        "not 'Answer customers.'"
    ]


def test_empty_required_list(default_project: Project) -> None:
    line = default_project.replace_block(SUP, "responsibilities", "responsibilities: []\n")
    assert default_project.check() == [f"{SUP}:{line}:19: error: 'responsibilities' needs at least one item"]


def test_mapping_given_as_list(default_project: Project) -> None:
    line = default_project.replace_block(SUP, "card", "card: [Open the channel.]\n")
    assert default_project.check() == [
        f"{SUP}:{line}:7: error: 'card' should be a mapping of 'key: value' lines, not a list"
    ]


def test_mapping_given_as_text_in_a_list(default_project: Project) -> None:
    line = default_project.insert_after(SUP, "works_with:", "  - communication-lead\n")
    assert default_project.check() == [
        f"{SUP}:{line}:5: error: 'works_with' should be a mapping of 'key: value' lines, not 'communication-lead'"
    ]


def test_name_too_long(default_project: Project) -> None:
    line, _ = default_project.sub(SUP, r"^name:.*$", "name: " + "N" * 81)
    assert default_project.check() == [f"{SUP}:{line}:7: error: 'name' is longer than 80 characters"]


def test_bad_abbreviation(default_project: Project) -> None:
    line, _ = default_project.sub(SUP, r"^short:.*$", "short: Support Team")
    assert default_project.check() == [
        f"{SUP}:{line}:8: error: 'short' should be an abbreviation of 1 to 8 letters, digits or & + . / -, "
        "e.g. IM, not 'Support Team'"
    ]


# --- ids, dates, letters -------------------------------------------------------------------------------


def test_bad_id_as_a_checklists_key(default_project: Project) -> None:
    line, _ = default_project.sub(SUP, r"^  prepare:$", "  Prepare:")
    assert default_project.check() == [f"{SUP}:{line}:3: error: 'Prepare' {ID_HINT} (a key of 'checklists')"]


def test_bad_id_as_a_raci_key(default_project: Project) -> None:
    line = add_activity(default_project, "Incident_Manager: A, operations-team: R")
    assert default_project.check() == [
        f"{ACT}:{line}:7: error: 'Incident_Manager' {ID_HINT} (a key of 'raci')"
    ]


def test_bad_id_in_a_reference(default_project: Project) -> None:
    line = default_project.insert_after(SUP, "backups:", "  - Communication_Lead\n")
    assert default_project.check() == [f"{SUP}:{line}:5: error: 'Communication_Lead' {ID_HINT}"]


def test_bad_id_in_works_with(default_project: Project) -> None:
    line = default_project.insert_after(
        SUP, "works_with:", "  - role: Communication Lead\n    how: Talk it through.\n"
    )
    assert default_project.check() == [f"{SUP}:{line}:11: error: 'Communication Lead' {ID_HINT}"]


DATE_HINT = "should be a date written YYYY-MM-DD, e.g. 2024-04-15, not"


@pytest.mark.parametrize(
    ("value", "col", "shown"),
    [
        ("2024-13-45", 18, "'2024-13-45'"),
        ("2024-02-30", 18, "'2024-02-30'"),
        ("April 2024", 18, "'April 2024'"),
        ("15.04.2024", 18, "'15.04.2024'"),
        ("20240415", 18, "the number 20240415"),
        ("[2024, 4, 15]", 18, "a list"),
        ("", 17, "empty"),
    ],
    ids=["impossible-month", "impossible-day", "words", "dotted", "number", "list", "empty"],
)
def test_invalid_date_in_a_role(default_project: Project, value: str, col: int, shown: str) -> None:
    line, _ = default_project.sub(SUP, r"^  last_reviewed:.*$", f"  last_reviewed: {value}".rstrip())
    assert default_project.check() == [f"{SUP}:{line}:{col}: error: 'last_reviewed' {DATE_HINT} {shown}"]


def test_invalid_date_in_the_settings(default_project: Project) -> None:
    line, _ = default_project.sub(CFG, r"^published:.*$", "published: 15/04/2024")
    assert default_project.check() == [f"{CFG}:{line}:12: error: 'published' {DATE_HINT} '15/04/2024'"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("version: 1.0 beta", "'version' should be a version such as 1.0 or 2024.2, not '1.0 beta'"),
        ("version: 1", "'version' should be text, not the number 1; put it in quotes"),
    ],
)
def test_invalid_version(default_project: Project, setting: str, message: str) -> None:
    line, _ = default_project.sub(CFG, r"^version:.*$", setting)
    assert default_project.check() == [f"{CFG}:{line}:10: error: {message}"]


@pytest.mark.parametrize(
    ("letter", "shown"), [("X", "'X'"), ("r", "'r'"), ("AB", "'AB'"), ("1", "the number 1")]
)
def test_invalid_raci_letter(default_project: Project, letter: str, shown: str) -> None:
    line = add_activity(default_project, f"incident-manager: A, operations-team: R, support-team: {letter}")
    assert default_project.check() == [
        f"{ACT}:{line + 2}:21: error: {shown} is not allowed for 'support-team': use one of 'R', 'A', 'C', 'I' or 'AR'"
    ]


def test_contact_email_and_link(default_project: Project) -> None:
    default_project.insert_after(
        CONTACTS,
        "contacts:",
        "  support-desk:\n"
        "    email: scribes at example\n"
        "    links:\n"
        "      - title: Docs\n"
        "        url: javascript:alert(1)\n",
    )
    email_line, _ = default_project.find(CONTACTS, "scribes at example")
    url_line, _ = default_project.find(CONTACTS, "javascript:alert(1)")
    assert default_project.check() == [
        f"{CONTACTS}:{email_line}:12: error: 'email' should be an e-mail address such as oncall@example.com, "
        "not 'scribes at example'",
        f"{CONTACTS}:{url_line}:14: error: 'url' should be a link starting with https://, http:// or mailto:, "
        "not 'javascript:alert(1)'",
    ]


# --- files ----------------------------------------------------------------------------------------


SCRIBE = """\
    name: Scribe
    short: SCR
    summary: Keeps the incident record.
    responsibilities:
      - Write down decisions and actions with their times.
    backups: [incident-manager]
    review:
      owner: "@incident-program"
      last_reviewed: 2024-04-15
"""


def test_file_name_that_is_not_an_id(default_project: Project) -> None:
    default_project.write("roles/Scribe_Role.yaml", SCRIBE)
    assert default_project.check() == [
        "roles/Scribe_Role.yaml:1:1: error: file name 'Scribe_Role.yaml' is not a role id: use lowercase letters, "
        "digits and hyphens, e.g. incident-manager.yaml"
    ]


@pytest.mark.parametrize(
    ("content", "what"),
    [
        ("", "the file is empty"),
        ("# nothing here yet\n", "the file is empty"),
        ("- name: Scribe\n- short: SCR\n", "the file holds a list"),
        ("Scribe\n", "the file holds a single value"),
        ("42\n", "the file holds a single value"),
    ],
    ids=["empty", "comment-only", "list", "text", "number"],
)
def test_file_that_is_not_a_mapping(default_project: Project, content: str, what: str) -> None:
    default_project.write("roles/scribe.yaml", content)
    assert default_project.check() == [f"roles/scribe.yaml:1:1: error: {what}: expected 'field: value' lines"]


@pytest.mark.parametrize(
    ("content", "what"),
    [("- title: Other\n", "the file holds a list"), ("Other\n", "the file holds a single value")],
    ids=["list", "text"],
)
def test_settings_file_that_is_not_a_mapping(default_project: Project, content: str, what: str) -> None:
    default_project.write("site_config/extra.yaml", content)
    assert default_project.check() == [
        f"site_config/extra.yaml:1:1: error: {what}: expected 'field: value' lines"
    ]


@pytest.mark.parametrize(
    ("breakage", "problem"),
    [
        pytest.param("", "1:1: error: the file is empty: expected 'field: value' lines", id="empty"),
        pytest.param(
            "- a list\n", "1:1: error: the file holds a list: expected 'field: value' lines", id="list"
        ),
        pytest.param("name: [unclosed\n", "2:1: error: did not find expected ',' or ']'", id="yaml-syntax"),
    ],
)
def test_a_broken_role_file_causes_no_unknown_role_cascade(
    default_project: Project, breakage: str, problem: str
) -> None:
    """support-team is named in activities, works_with, backups, contacts and more: none of them complains."""
    default_project.write(SUP, breakage)
    assert default_project.check() == [f"{SUP}:{problem}"]


@pytest.mark.parametrize(
    ("breakage", "problem"),
    [
        pytest.param("", "1:1: error: the file is empty: expected 'field: value' lines", id="empty"),
        pytest.param("activities: [x\n", "2:1: error: did not find expected ',' or ']'", id="yaml-syntax"),
    ],
)
def test_a_broken_activity_file_is_not_reported_as_missing(
    default_project: Project, breakage: str, problem: str
) -> None:
    default_project.write(ACT, breakage)
    assert default_project.check() == [f"{ACT}:{problem}"]


def test_a_broken_role_file_is_reported(default_project: Project) -> None:
    default_project.write(SUP, "name: [unclosed\n")
    assert f"{SUP}:2:1: error: did not find expected ',' or ']'" in default_project.check()


def test_duplicate_top_level_key_across_settings_files(default_project: Project) -> None:
    default_project.write("site_config/zz-extra.yaml", "organization: Other\ntitle: Other Title\n")
    assert default_project.check() == [
        "site_config/zz-extra.yaml:1:1: error: 'organization' is already set in site_config/playbook.yaml",
        "site_config/zz-extra.yaml:2:1: error: 'title' is already set in site_config/playbook.yaml",
    ]


def test_settings_may_be_split_across_files(default_project: Project) -> None:
    intro = default_project.read(CFG)
    block = re.search(r"^intro: \|\n(?:  .*\n|\n)+", intro, flags=re.M)
    assert block
    default_project.write(CFG, intro.replace(block.group(0), ""), dedent=False)
    default_project.write("site_config/intro.yaml", block.group(0), dedent=False)
    assert default_project.check() == []


@pytest.mark.parametrize("how", ["missing-folder", "empty-folder", "no-yaml"])
def test_no_settings_files(default_project: Project, how: str) -> None:
    default_project.remove("site_config")
    if how != "missing-folder":
        default_project.file("site_config").mkdir()
    if how == "no-yaml":
        default_project.write("site_config/README.md", "settings go here\n")
        default_project.write("site_config/.hidden.yaml", "title: x\n")
    assert default_project.check() == [
        "site_config/:1:1: error: no settings: add a YAML file such as site_config/playbook.yaml"
    ]


def test_no_activity_file(default_project: Project) -> None:
    default_project.remove(ACT)
    assert default_project.check() == [
        "roles/:1:1: error: no activity file: add roles/activities.yaml with a top-level 'activities:' list"
    ]


def test_two_activity_files(default_project: Project) -> None:
    default_project.write(
        "roles/more-activities.yaml",
        """\
        activities:
          - id: extra
            name: Extra
            phase: respond
            raci: {incident-manager: A, operations-team: R}
        """,
    )
    assert default_project.check() == [
        "roles/more-activities.yaml:1:1: error: a second activity file; the activities are already in "
        "roles/activities.yaml"
    ]


def test_a_role_with_an_activities_field_is_still_a_role(default_project: Project) -> None:
    line = default_project.append(SUP, "activities: []\n")
    assert default_project.check() == [
        f"{SUP}:{line}:1: error: unknown field 'activities' (allowed: {ROLE_FIELDS})"
    ]


def test_activities_yaml_with_another_field_is_still_the_activity_file(default_project: Project) -> None:
    line = default_project.append(ACT, "notes: Reviewed yearly.\n")
    assert default_project.check() == [f"{ACT}:{line}:1: error: unknown field 'notes' (allowed: activities)"]


def test_activity_file_needs_an_activity(default_project: Project) -> None:
    default_project.write(ACT, "activities: []\n")
    assert default_project.check() == [f"{ACT}:1:13: error: 'activities' needs at least one item"]


def test_no_role_files(default_project: Project) -> None:
    default_project.remove("roles")
    assert "roles/:1:1: error: no role files: add roles/<id>.yaml" in default_project.check()


def test_role_defined_twice_as_yaml_and_yml(default_project: Project) -> None:
    default_project.write("roles/support-team.yml", default_project.read(SUP), dedent=False)
    assert default_project.check() == [
        "roles/support-team.yml:1:1: error: role 'support-team' is already defined in roles/support-team.yaml"
    ]


def test_yml_suffix_hidden_and_other_files(default_project: Project) -> None:
    text = default_project.read(SUP)
    default_project.remove(SUP)
    default_project.write("roles/support-team.yml", text, dedent=False)
    default_project.write("roles/README.md", "not: [yaml\n")
    default_project.write("roles/.draft.yaml", "not: [yaml\n")
    playbook, diagnostics = check_project(default_project.path)
    assert diagnostics == []
    assert playbook is not None
    assert playbook.role_files["support-team"] == "roles/support-team.yml"


# --- references between files ---------------------------------------------------------------------


def test_unknown_role_in_works_with(default_project: Project) -> None:
    line = default_project.insert_after(
        SUP, "works_with:", "  - role: comms-lead\n    how: Talk it through.\n"
    )
    assert default_project.check() == [
        f"{SUP}:{line}:11: error: works_with names unknown role 'comms-lead' (did you mean 'communication-lead'?)"
    ]


def test_unknown_role_in_escalates_to(default_project: Project) -> None:
    line = default_project.insert_after(
        SUP, "escalates_to:", "  - role: incident-managr\n    when: Nobody answers.\n"
    )
    assert default_project.check() == [
        f"{SUP}:{line}:11: error: escalates_to names unknown role 'incident-managr' "
        "(did you mean 'incident-manager'?)"
    ]


def test_unknown_role_in_backups(default_project: Project) -> None:
    line = default_project.insert_after(SUP, "backups:", "  - comunication-lead\n")
    assert default_project.check() == [
        f"{SUP}:{line}:5: error: backups names unknown role 'comunication-lead' (did you mean 'communication-lead'?)"
    ]


def test_unknown_role_without_a_close_match(default_project: Project) -> None:
    line = default_project.insert_after(SUP, "backups:", "  - janitor\n")
    assert default_project.check() == [f"{SUP}:{line}:5: error: backups names unknown role 'janitor'"]


def test_unknown_role_in_activity_raci(default_project: Project) -> None:
    line = add_activity(default_project, "incident-manager: A, operations-team: R, subject-matter-expert: C")
    assert default_project.check() == [
        f"{ACT}:{line + 2}:30: error: {activity_label()} names unknown role 'subject-matter-expert' "
        "(did you mean 'subject-matter-experts'?)"
    ]


def test_unknown_role_in_severity(default_project: Project) -> None:
    default_project.insert_after(
        CFG,
        "severities:",
        "  - id: sev0\n"
        "    name: SEV0 Test\n"
        "    description: A test level.\n"
        "    roles: [incident-manager, operations-teams]\n",
    )
    line, col = default_project.find(CFG, "operations-teams]")
    assert [p for p in default_project.check() if ": error: " in p] == [
        f"{CFG}:{line}:{col}: error: severity 'sev0' names unknown role 'operations-teams' "
        "(did you mean 'operations-team'?)"
    ]


def test_unknown_role_in_contacts(default_project: Project) -> None:
    line = default_project.insert_after(CONTACTS, "contacts:", '  suport-team:\n    channel: "#help"\n')
    assert default_project.check() == [
        f"{CONTACTS}:{line}:3: error: contacts for unknown role 'suport-team' (did you mean 'support-team'?)"
    ]


def test_unknown_role_in_role_order(default_project: Project) -> None:
    line = default_project.insert_after(CFG, "role_order:", "  - support-tem\n")
    assert default_project.check() == [
        f"{CFG}:{line}:5: error: role_order names unknown role 'support-tem' (did you mean 'support-team'?)"
    ]


def test_unknown_phase_in_checklists(default_project: Project) -> None:
    line, _ = default_project.sub(SUP, r"^  recover:$", "  recovery:")
    assert default_project.check() == [
        f"{SUP}:{line}:3: error: unknown phase 'recovery' (did you mean 'recover'?)"
    ]


def test_unknown_phase_in_an_activity(default_project: Project) -> None:
    line = add_activity(default_project, "incident-manager: A, operations-team: R", phase="responding")
    assert default_project.check() == [
        f"{ACT}:{line - 2}:12: error: {activity_label()} names unknown phase 'responding' (did you mean 'respond'?)"
    ]


def test_phases_come_from_the_settings(default_project: Project) -> None:
    default_project.insert_after(CFG, "phases:", "  - id: triage\n    name: Triage\n")
    add_activity(default_project, "incident-manager: A, operations-team: R", phase="triage")
    assert default_project.check() == []


@pytest.mark.parametrize("list_name", ["phases", "severities"])
def test_duplicate_id_in_settings_lists(default_project: Project, list_name: str) -> None:
    first = default_project.read(CFG).split(f"\n{list_name}:\n  - id: ", 1)[1].split("\n", 1)[0]
    line = default_project.insert_after(
        CFG, f"{list_name}:", f"  - id: {first}\n    name: Again\n    description: Again.\n"
    )
    # The inserted item comes first, so the original (three lines below) is the duplicate.
    # (the inserted 'prepare' is a phase during incidents: the consistency warnings follow from it)
    errors = [p for p in default_project.check() if ": error: " in p]
    assert errors == [f"{CFG}:{line + 3}:9: error: duplicate id '{first}' in {list_name}"]


def test_role_cannot_work_with_itself(default_project: Project) -> None:
    line = default_project.insert_after(SUP, "works_with:", "  - role: support-team\n    how: Alone.\n")
    assert default_project.check() == [f"{SUP}:{line}:11: error: a role cannot work with itself"]


def test_role_cannot_escalate_to_itself(default_project: Project) -> None:
    line = default_project.insert_after(SUP, "escalates_to:", "  - role: support-team\n    when: Always.\n")
    assert default_project.check() == [f"{SUP}:{line}:11: error: a role cannot escalate to itself"]


def test_role_cannot_be_its_own_backup(default_project: Project) -> None:
    line = default_project.insert_after(SUP, "backups:", "  - support-team\n")
    assert default_project.check() == [f"{SUP}:{line}:5: error: a role cannot be its own backup"]


# --- activities ---------------------------------------------------------------------------------------


def test_activity_without_accountable(default_project: Project) -> None:
    line = add_activity(default_project, "incident-manager: R, operations-team: C")
    assert default_project.check() == [
        f"{ACT}:{line}:7: error: {activity_label()} has no Accountable role: give exactly one role an A"
    ]


def test_activity_with_two_accountables(default_project: Project) -> None:
    line = add_activity(default_project, "incident-manager: A, operations-team: R, management-leadership: A")
    assert default_project.check() == [
        f"{ACT}:{line}:7: error: {activity_label()} has 2 Accountable roles "
        "(incident-manager, management-leadership): exactly one role may be A"
    ]


def test_activity_without_responsible(default_project: Project) -> None:
    line = add_activity(default_project, "incident-manager: A, operations-team: C")
    assert default_project.check() == [
        f"{ACT}:{line}:7: error: {activity_label()} has no Responsible role: give at least one role an R (or the Accountable role AR)"
    ]


def test_activity_with_only_informed_roles_breaks_both_rules(default_project: Project) -> None:
    line = add_activity(default_project, "incident-manager: I")
    assert default_project.check() == [
        f"{ACT}:{line}:7: error: {activity_label()} has no Accountable role: give exactly one role an A",
        f"{ACT}:{line}:7: error: {activity_label()} has no Responsible role: give at least one role an R (or the Accountable role AR)",
    ]


def test_duplicate_activity_id(default_project: Project) -> None:
    add_activity(default_project, "incident-manager: A, operations-team: R")
    second = add_activity(default_project, "incident-manager: A, operations-team: R")
    assert default_project.check() == [f"{ACT}:{second - 4}:9: error: duplicate activity id 'test-activity'"]


# --- uniqueness and cycles -----------------------------------------------------------------------------


@pytest.mark.parametrize(("attr", "col"), [("name", 7), ("short", 8)])
def test_duplicate_role_label(default_project: Project, attr: str, col: int) -> None:
    taken = default_project.field("roles/operations-team.yaml", attr)
    shown = taken.swapcase() if attr == "name" else taken.lower()
    line, _ = default_project.sub(SUP, rf"^{attr}:.*$", f"{attr}: {shown}")
    ops_line = default_project.find("roles/operations-team.yaml", f"\n{attr}: ")[0] + 1
    assert default_project.check() == [
        f"roles/operations-team.yaml:{ops_line}:{col}: error: {attr} '{taken}' is also used by role 'support-team'",
        f"{SUP}:{line}:{col}: error: {attr} '{shown}' is already used by role 'operations-team'",
    ]


def test_escalation_cycle(default_project: Project) -> None:
    im_line = default_project.replace_block(
        IM, "escalates_to", "escalates_to:\n  - role: management-leadership\n    when: Above my authority.\n"
    )
    default_project.replace_block(
        MGT, "escalates_to", "escalates_to:\n  - role: incident-manager\n    when: Back down again.\n"
    )
    assert default_project.check() == [
        f"{IM}:{im_line + 1}:11: error: escalation cycle: incident-manager -> management-leadership -> "
        "incident-manager; escalations must lead upward"
    ]


def test_longer_escalation_cycle_is_reported_once(make_project: MakeProject) -> None:
    def role(rid: str, short: str, up: str) -> str:
        return f"""\
            name: {rid.title()}
            short: {short}
            summary: The {rid} role.
            responsibilities: [Do the {rid} work.]
            escalates_to:
              - role: {up}
                when: Stuck.
            backups: [{up}]
            review: {{owner: me, last_reviewed: 2024-04-15}}
            """

    project = make_project(
        {
            "site_config/playbook.yaml": """\
                title: T
                organization: O
                version: "1"
                published: 2024-01-01
                intro: Hello.
                """,
            "roles/activities.yaml": """\
                activities:
                  - id: work
                    name: Work
                    phase: respond
                    raci: {alpha: A, beta: R, gamma: R}
                """,
            "roles/alpha.yaml": role("alpha", "A", "beta"),
            "roles/beta.yaml": role("beta", "B", "gamma"),
            "roles/gamma.yaml": role("gamma", "G", "alpha"),
        }
    )
    assert project.check() == [
        "roles/alpha.yaml:6:11: error: escalation cycle: alpha -> beta -> gamma -> alpha; "
        "escalations must lead upward"
    ]


# --- warnings -------------------------------------------------------------------------------------


def test_role_in_no_activity_is_a_warning(default_project: Project) -> None:
    default_project.write("roles/scribe.yaml", SCRIBE)
    playbook, diagnostics = check_project(default_project.path)
    assert [d.human() for d in diagnostics] == [
        "roles/scribe.yaml:1:1: warning: role 'scribe' takes part in no activity of roles/activities.yaml"
    ]
    assert playbook is not None
    assert list(playbook.roles)[-1] == "scribe"
    assert playbook.warnings == tuple(diagnostics)


def test_role_without_backups_is_a_warning(default_project: Project) -> None:
    default_project.replace_block(SUP, "backups", "")
    start = default_project.first_key_line(SUP)
    playbook, diagnostics = check_project(default_project.path)
    assert [d.human() for d in diagnostics] == [
        f"{SUP}:{start}:1: warning: no backups: name the roles cross-trained to cover this one"
    ]
    assert playbook is not None


# --- Markdown safety ------------------------------------------------------------------------------


SCRIPT_LINKS = "script and data links are not allowed in playbook text"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "<script>alert(1)</script>",
            "raw HTML is not allowed in playbook text (found '<script>aler'); "
            "use Markdown, or write '&lt;' for a literal '<'",
        ),
        (
            "Spot <img src=x onerror=alert(1)> patterns.",
            "raw HTML is not allowed in playbook text (found '<img'); use Markdown, or write '&lt;' for a literal '<'",
        ),
        (
            "Hidden <!-- comment --> text.",
            "raw HTML is not allowed in playbook text (found '<!--'); use Markdown, or write '&lt;' for a literal '<'",
        ),
        (
            "Bold </b> close tag.",
            "raw HTML is not allowed in playbook text (found '</b>'); use Markdown, or write '&lt;' for a literal '<'",
        ),
        ("See [docs](javascript:alert(1)).", f"{SCRIPT_LINKS} (found '](javascript:')"),
        ("See [docs](JavaScript :alert(1)).", f"{SCRIPT_LINKS} (found '](JavaScript:')"),
        ("See [docs](vbscript:msgbox(1)).", f"{SCRIPT_LINKS} (found '](vbscript:')"),
        ("See [docs](data:text/html,hi).", f"{SCRIPT_LINKS} (found '](data:')"),
        ("See [docs]( DATA :text/html,hi).", f"{SCRIPT_LINKS} (found '](DATA:')"),
    ],
    ids=[
        "script",
        "img",
        "comment",
        "close-tag",
        "javascript",
        "javascript-spaced",
        "vbscript",
        "data",
        "data-spaced",
    ],
)
def test_unsafe_markdown_in_role_text_is_refused(default_project: Project, text: str, message: str) -> None:
    line = default_project.insert_after(SUP, "skills:", f"  - {text!r}\n")
    assert default_project.check() == [f"{SUP}:{line}:5: error: 'skills': {message}"]


def test_raw_html_in_a_name_and_in_the_intro(default_project: Project) -> None:
    line, _ = default_project.sub(SUP, r"^name:.*$", "name: Support <i>Team</i>")
    intro_line = default_project.insert_after(CFG, "intro: |", "  <iframe src=x></iframe>\n")
    assert default_project.check() == [
        f"{SUP}:{line}:7: error: 'name': raw HTML is not allowed in playbook text (found '<i>Team</i>'); "
        "use Markdown, or write '&lt;' for a literal '<'",
        f"{CFG}:{intro_line - 1}:8: error: 'intro': raw HTML is not allowed in playbook text (found '<iframe'); "
        "use Markdown, or write '&lt;' for a literal '<'",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "See <https://example.org/runbook> for details.",
        "Mail <mailto:oncall@example.org> at once.",
        "Keep latency < 200 ms and errors at 0 < x.",
        "Write &lt;b&gt; to show a tag.",
        "See [the runbook](https://example.org/runbook).",
        "Describe the JavaScript console errors.",
        "Debugging JavaScript: the console first.",
        "Java Script: not a link either.",
    ],
)
def test_safe_markdown_is_accepted(default_project: Project, text: str) -> None:
    default_project.insert_after(SUP, "skills:", f"  - {text!r}\n")
    assert default_project.check() == []


DISGUISED_LINKS = [
    pytest.param("See [docs](&#106;avascript:alert(1)).", "javascript:", id="entity-encoded-javascript"),
    pytest.param("See [docs](javascript&#58;alert(1)).", "javascript:", id="entity-encoded-colon"),
    pytest.param("See [docs](&#x4A;ava&Tab;script&colon;alert(1)).", "javascript:", id="named-entities"),
    pytest.param(
        "See [docs][1].\n\n[1]: data:text/html;base64,PHNjcmlwdD4=", "data:", id="data-reference-link"
    ),
]

# What _safe_markdown reports as found: the match in the decoded text with its white space removed.
DISGUISED_FOUND = {
    "entity-encoded-javascript": "](javascript:",
    "entity-encoded-colon": "](javascript:",
    "named-entities": "](Javascript:",
    "data-reference-link": "]:data:",
}


@pytest.mark.parametrize(("text", "scheme"), DISGUISED_LINKS)
def test_disguised_script_links_are_dangerous_once_rendered(text: str, scheme: str) -> None:
    """Why the refusal below matters: Markdown turns these into links a browser follows as scripts."""
    rendered = markdown.markdown(text)
    href = re.search(r'href="([^"]*)"', rendered)
    assert href, rendered
    # A browser decodes the attribute, drops tabs and line breaks and reads the scheme case-insensitively.
    url = re.sub(r"[\t\n\r]", "", html.unescape(href.group(1)))
    assert url.lower().startswith(scheme)


@pytest.mark.parametrize(("text", "scheme"), DISGUISED_LINKS)
def test_disguised_script_links_are_refused(
    default_project: Project, request: pytest.FixtureRequest, text: str, scheme: str
) -> None:
    line = default_project.insert_after(SUP, "skills:", "  - " + '"' + text.replace("\n", "\\n") + '"\n')
    del scheme
    found = DISGUISED_FOUND[request.node.callspec.id]
    assert default_project.check() == [f"{SUP}:{line}:5: error: 'skills': {SCRIPT_LINKS} (found {found!r})"]


# --- all at once ----------------------------------------------------------------------------------


def test_every_problem_in_every_file_is_reported_sorted(default_project: Project) -> None:
    typo_line, _ = default_project.sub(SUP, r"^summary:", "gist:")
    backup_line = default_project.insert_after(IM, "backups:", "  - janitor\n")
    raci_line = add_activity(default_project, "incident-manager: C, operations-team: I")
    contact_line = default_project.insert_after(CONTACTS, "contacts:", '  nobody:\n    channel: "#x"\n')
    start = default_project.first_key_line(SUP)
    diagnostics = default_project.diagnostics()
    assert [d.human() for d in diagnostics] == [
        f"{ACT}:{raci_line}:7: error: {activity_label()} has no Accountable role: give exactly one role an A",
        f"{ACT}:{raci_line}:7: error: {activity_label()} has no Responsible role: give at least one role an R (or the Accountable role AR)",
        f"{IM}:{backup_line}:5: error: backups names unknown role 'janitor'",
        f"{SUP}:{start}:1: error: missing required field 'summary'",
        f"{SUP}:{typo_line}:1: error: unknown field 'gist' (allowed: {ROLE_FIELDS})",
        f"{CONTACTS}:{contact_line}:3: error: contacts for unknown role 'nobody'",
    ]
    keys = [(d.file, d.line, d.col) for d in diagnostics]
    assert keys == sorted(keys)


def test_load_playbook_raises_with_every_diagnostic(default_project: Project) -> None:
    default_project.sub(SUP, r"^summary:", "sumary:")
    default_project.insert_after(IM, "backups:", "  - janitor\n")
    with pytest.raises(InvalidPlaybook) as info:
        load_playbook(default_project.path)
    error = info.value
    assert error.exit_code == 1
    assert [d.human() for d in error.diagnostics] == default_project.check()
    assert len(error.diagnostics) == 2
    assert error.format_message().endswith("the playbook is invalid: 2 errors, 0 warnings")


def test_load_playbook_returns_the_valid_playbook(default_project: Project) -> None:
    playbook = load_playbook(default_project.path)
    assert len(playbook.roles) == 6
