"""`rolebook export --format incident-io|rootly|firehydrant`: Terraform JSON whose resources match each
provider's documented schema, whose references resolve, whose text Terraform reads back as written, and
whose names survive any role id. (`terraform validate` would download the providers: the schemas below
are written from the providers' own docs instead.)
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.cli import EXPORT_FORMATS
from generator.commands import SITE_PROJECTS
from generator.core.fields import ID_PATTERN
from generator.exports.formats import FILE_FORMATS
from generator.exports.terraform import resource_name, task_name

from .sitekit import ROLE_IDS, copy_project, load_yaml, rolebook

FORMATS = ("incident-io", "rootly", "firehydrant")

# The provider and each resource's arguments, from the providers' docs/resources/*.md and Go schemas:
# incident-io/terraform-provider-incident (v5 and v6), rootlyhq/terraform-provider-rootly (v5),
# firehydrant/terraform-provider-firehydrant (v0.15). Argument -> (required, type or allowed values).
PROVIDERS = {
    "incident-io": ("incident", "incident-io/incident"),
    "rootly": ("rootly", "rootlyhq/rootly"),
    "firehydrant": ("firehydrant", "firehydrant/firehydrant"),
}
Arguments = dict[str, tuple[bool, Any]]
TASK_LIST_ITEM: Arguments = {"summary": (True, str), "description": (False, str)}
SCHEMAS: dict[str, Arguments] = {
    "incident_incident_role": {
        "name": (True, str),
        "description": (True, str),
        "instructions": (True, str),
        "shortform": (True, str),
    },
    "rootly_incident_role": {
        "name": (True, str),
        "summary": (False, str),
        "description": (False, str),
        "slug": (False, str),
        "position": (False, int),
        "optional": (False, bool),
        "enabled": (False, bool),
        "allow_multi_user_assignment": (False, bool),
    },
    "rootly_incident_role_task": {
        "incident_role_id": (True, str),
        "task": (True, str),
        "description": (False, str),
        "priority": (False, ("high", "medium", "low")),
    },
    "firehydrant_incident_role": {
        "name": (True, str),
        "summary": (True, str),
        "description": (False, str),
    },
    "firehydrant_task_list": {
        "name": (True, str),
        "description": (False, str),
        "task_list_items": (True, [TASK_LIST_ITEM]),
    },
}
ROLE_TYPES = {
    "incident-io": "incident_incident_role",
    "rootly": "rootly_incident_role",
    "firehydrant": "firehydrant_incident_role",
}
# a Terraform name: a letter or underscore first (never a digit), then letters, digits, '_' and '-'
TF_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
REFERENCE = re.compile(r"^\$\{([a-z_]+)\.([A-Za-z_][A-Za-z0-9_-]*)\.id\}$")


def schema_problems(arguments: dict[str, Any], schema: Arguments, where: str) -> list[str]:
    problems = [f"{where}: unknown argument {name!r}" for name in arguments if name not in schema]
    for name, (required, kind) in schema.items():
        if name not in arguments:
            if required:
                problems.append(f"{where}: missing required {name!r}")
            continue
        value = arguments[name]
        if isinstance(kind, tuple):
            if value not in kind:
                problems.append(f"{where}.{name}: {value!r} is none of {kind}")
        elif isinstance(kind, list):  # a nested block: a list of objects, at least one when required
            if not isinstance(value, list) or (required and not value):
                problems.append(f"{where}.{name}: not a non-empty list of blocks")
                continue
            for i, block in enumerate(value):
                problems += schema_problems(block, kind[0], f"{where}.{name}[{i}]")
        elif type(value) is not kind:  # bool is no int here
            problems.append(f"{where}.{name}: {type(value).__name__}, not {kind.__name__}")
        elif kind is str and not value.strip():
            problems.append(f"{where}.{name}: empty")
    return problems


def check_document(data: dict[str, Any], fmt: str) -> None:
    """The whole document: provider requirement, resources against SCHEMAS, references resolving."""
    assert list(data) == ["//", "terraform", "resource"]
    local, source = PROVIDERS[fmt]
    required = data["terraform"]["required_providers"]
    assert list(required) == [local] and required[local]["source"] == source
    assert re.fullmatch(r"[~><=!, .0-9]+", required[local]["version"])
    problems: list[str] = []
    for kind, named in data["resource"].items():
        assert kind.startswith(local + "_") and kind in SCHEMAS, kind
        assert named, f"{kind}: no resources"
        for name, arguments in named.items():
            assert TF_NAME.match(name) and not name[0].isdigit(), name
            problems += schema_problems(arguments, SCHEMAS[kind], f"{kind}.{name}")
            for value in arguments.values():
                if isinstance(value, str) and value.startswith("${"):
                    match = REFERENCE.match(value)
                    assert match, value
                    assert match.group(2) in data["resource"].get(match.group(1), {}), value
    assert not problems, "\n".join(problems)


def terraform_reads(text: str) -> str:
    """A JSON string as Terraform reads it, for text without interpolations: '$${' and '%%{' are the
    escapes of '${' and '%{'; an unescaped '${' or '%{' would be a template sequence, and fails here."""
    out, i = [], 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            out.append(text[i + 1 : i + 3])
            i += 3
        elif text.startswith(("${", "%{"), i):
            raise AssertionError(f"Terraform would evaluate {text[i : i + 20]!r}")
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def exported(project: Path, fmt: str, target: Path) -> tuple[bytes, dict[str, Any]]:
    result = rolebook("export", "--format", fmt, "-o", str(target), cwd=project)
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    return data, json.loads(data)


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("terraform") / "project")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_default_playbook_matches_each_provider(default_project: Path, tmp_path: Path, fmt: str) -> None:
    raw, data = exported(default_project, fmt, tmp_path / "roles.tf.json")
    check_document(data, fmt)
    assert (
        raw.endswith(b"}\n") and raw.decode("utf-8") == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    )
    roles = data["resource"][ROLE_TYPES[fmt]]
    assert list(roles) == [rid.replace("-", "_") for rid in ROLE_IDS]  # one per role, in playbook order
    for rid, arguments in zip(ROLE_IDS, roles.values(), strict=True):
        source = load_yaml(default_project / "roles" / f"{rid}.yaml")
        assert arguments["name"] == source["name"]
        assert arguments.get("summary", arguments.get("description")) == source["summary"]
    # the same bytes on standard output, and on a second run
    again = rolebook("export", "--format", fmt, cwd=default_project)
    assert again.returncode == 0 and again.stdout.encode("utf-8") == raw
    assert exported(default_project, fmt, tmp_path / "again.tf.json")[0] == raw


def test_incident_io_instructions_hold_first_actions_then_the_checklist(
    default_project: Path, tmp_path: Path
) -> None:
    _, data = exported(default_project, "incident-io", tmp_path / "roles.tf.json")
    role = data["resource"]["incident_incident_role"]["incident_manager"]
    source = load_yaml(default_project / "roles" / "incident-manager.yaml")
    assert role["shortform"] == source["short"] == "IM"
    text = role["instructions"]
    numbered = [f"{n}. {a}" for n, a in enumerate(source["card"]["first_actions"], start=1)]
    assert text.startswith("\n".join(["First actions:", *numbered]) + "\n\nFirst 5 minutes:\n")
    for phase in ("detect", "respond", "recover"):
        for item in source["checklists"][phase]:
            assert f"- {item['text'] if isinstance(item, dict) else item}\n" in text + "\n"
    assert source["checklists"]["review"][0] not in text  # after the incident: no instruction for it


def test_rootly_tasks_are_the_checklist_during_an_incident(default_project: Path, tmp_path: Path) -> None:
    _, data = exported(default_project, "rootly", tmp_path / "roles.tf.json")
    tasks = data["resource"]["rootly_incident_role_task"]
    mine = {
        k: v
        for k, v in tasks.items()
        if v["incident_role_id"] == "${rootly_incident_role.incident_manager.id}"
    }
    assert list(mine)[:2] == ["incident_manager__declare", "incident_manager__open_record"]
    declare = mine["incident_manager__declare"]
    assert declare == {
        "incident_role_id": "${rootly_incident_role.incident_manager.id}",
        "task": "Confirm the incident is real and declare it with a severity.",
        "description": "Detect: within 5 minutes",
        "priority": "high",
    }
    assert {t["priority"] for k, t in mine.items() if k != "incident_manager__declare"} == {"medium"}
    source = load_yaml(default_project / "roles" / "incident-manager.yaml")["checklists"]
    during = [
        i["text"] if isinstance(i, dict) else i for p in ("detect", "respond", "recover") for i in source[p]
    ]
    assert sorted(t["task"] for t in mine.values()) == sorted(during)
    positions = [r["position"] for r in data["resource"]["rootly_incident_role"].values()]
    assert positions == list(range(1, len(ROLE_IDS) + 1))


# A new organization's own roles: ids starting with a digit and one that the digit rule could collide
# with, text that Terraform would evaluate, a role with first actions only and one with neither.
OWN_ROLES = {
    "2nd-line": """\
        name: Second Line ${var.team}
        short: L2
        summary: "Fixes what the first line cannot; never runs %{ if true }this%{ endif }."
        responsibilities: ["Owns the fix for ${service} and says so with $${literal} braces."]
        checklists:
          triage:
            - {id: 5-min-check, text: "Check the dashboards for ${service} errors.", within: 5 minutes}
            - Page the owner of %{service} if it is not you.
          follow-up: [Write down what you changed.]
        card: {first_actions: ["Join with ${name}."]}
        review: {owner: "@l2", last_reviewed: 2026-11-20}
        """,
    "role-2nd-line": """\
        name: Role Second Line
        short: R2
        summary: Stands in for the second line.
        responsibilities: [Covers the second line.]
        card:
          first_actions:
            - Join the incident bridge and say who you are now.
            - Join the incident bridge and say who you are later.
        review: {owner: "@l2", last_reviewed: 2026-11-20}
        """,
    "on-call-lead": """\
        name: On-call Lead
        short: OCL
        summary: Leads the response.
        responsibilities: [Decides.]
        checklists:
          triage: [Declare the incident.]
          stabilize: [Choose the mitigation.]
        review: {owner: "@lead", last_reviewed: 2026-11-20}
        """,
    "quiet": """\
        name: Quiet Observer
        short: QO
        summary: Watches and learns.
        responsibilities: [Takes notes for the review.]
        review: {owner: "@lead", last_reviewed: 2026-11-20}
        """,
}
OWN_SETTINGS = {
    "roles/activities.yaml": """\
        activities:
          - {id: declare, name: Declare the incident, phase: triage, raci: {on-call-lead: AR, 2nd-line: C}}
          - {id: fix, name: Fix it, phase: stabilize, raci: {on-call-lead: A, 2nd-line: R, role-2nd-line: R}}
          - {id: learn, name: Learn from it, phase: follow-up, raci: {on-call-lead: A, quiet: R}}
        """,
    "site_config/playbook.yaml": """\
        organization: Own Org
        version: "1.0"
        published: 2026-11-30
        intro: Our roles.
        role_order: [on-call-lead, 2nd-line, role-2nd-line, quiet]
        phases:
          - {id: triage, name: Triage}
          - {id: stabilize, name: Stabilize}
          - {id: follow-up, name: Follow-up, incident: false}
        """,
    "site_config/contacts.yaml": "contacts: {}\n",
}


@pytest.fixture(scope="module")
def own_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("own")
    project = root / "own"
    result = rolebook("init", str(project), "--organization", "Own Org", cwd=root)
    assert result.returncode == 0, result.stderr
    for rid in ROLE_IDS:
        (project / "roles" / f"{rid}.yaml").unlink()
    files = {**{f"roles/{rid}.yaml": text for rid, text in OWN_ROLES.items()}, **OWN_SETTINGS}
    for rel, text in files.items():
        (project / rel).write_text(textwrap.dedent(text), "utf-8")
    return project


@pytest.mark.parametrize("fmt", FORMATS)
def test_own_roles_export_with_names_terraform_accepts(own_project: Path, tmp_path: Path, fmt: str) -> None:
    raw, data = exported(own_project, fmt, tmp_path / "roles.tf.json")
    check_document(data, fmt)
    roles = data["resource"][ROLE_TYPES[fmt]]
    assert list(roles) == ["on_call_lead", "role__2nd_line", "role_2nd_line", "quiet"]
    assert exported(own_project, fmt, tmp_path / "again.tf.json")[0] == raw


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_that_terraform_would_evaluate_is_escaped(own_project: Path, tmp_path: Path, fmt: str) -> None:
    _, data = exported(own_project, fmt, tmp_path / "roles.tf.json")

    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        return []

    read = [terraform_reads(s) for s in strings(data) if not REFERENCE.match(s)]
    joined = "\n".join(read)
    # every playbook text arrives as written, the template-looking parts included
    for written in ("Second Line ${var.team}", "never runs %{ if true }this%{ endif }."):
        assert written in joined
    if fmt == "incident-io":
        second = data["resource"]["incident_incident_role"]["role__2nd_line"]
        assert terraform_reads(second["instructions"]).startswith("First actions:\n1. Join with ${name}.")
    else:
        assert "Owns the fix for ${service} and says so with $${literal} braces." in joined
        assert "Check the dashboards for ${service} errors." in joined
        assert "Page the owner of %{service} if it is not you." in joined


@pytest.mark.parametrize("fmt", FORMATS)
def test_character_references_reach_the_tool_as_characters(
    own_project: Path, tmp_path: Path, fmt: str
) -> None:
    """Playbook text writes "<" and "&" as &lt; and &amp; (as the site shows them): the tool gets the
    characters, not the references."""
    project = tmp_path / "own"
    shutil.copytree(own_project, project)
    role = project / "roles" / "quiet.yaml"
    role.write_text(
        role.read_text("utf-8")
        .replace("Watches and learns.", "Watches &lt;prod&gt; &amp; learns.")
        .replace("Takes notes for the review.", "Notes R&amp;D &#8220;asks&#8221;."),
        "utf-8",
    )
    _, data = exported(project, fmt, tmp_path / "roles.tf.json")
    quiet = data["resource"][ROLE_TYPES[fmt]]["quiet"]
    text = json.dumps(quiet, ensure_ascii=False)
    assert "Watches <prod> & learns." in text and "Notes R&D \u201casks\u201d." in text
    assert "&lt;" not in text and "&amp;" not in text and "&#" not in text


def test_tasks_of_own_roles(own_project: Path, tmp_path: Path) -> None:
    _, rootly = exported(own_project, "rootly", tmp_path / "rootly.tf.json")
    tasks = rootly["resource"]["rootly_incident_role_task"]
    assert list(tasks) == [
        "on_call_lead__declare_the_incident",
        "on_call_lead__choose_the_mitigation",
        "role__2nd_line__5_min_check",
        "role__2nd_line__page_the_owner_of_service_if",
        "role_2nd_line__first_join_the_incident_bridge_and_say",  # first actions, when a role has no checklist
        "role_2nd_line__first_join_the_incident_bridge_and_say_2",
    ]  # none for after the incident (follow-up), none for the quiet role
    assert [t["priority"] for t in tasks.values()] == ["medium", "medium", "high", "medium", "high", "high"]
    assert tasks["on_call_lead__declare_the_incident"]["description"] == "Triage"  # no times: by phase
    assert tasks["role__2nd_line__page_the_owner_of_service_if"]["description"] == "Triage: Until resolved"
    _, firehydrant = exported(own_project, "firehydrant", tmp_path / "fh.tf.json")
    lists = firehydrant["resource"]["firehydrant_task_list"]
    assert list(lists) == ["on_call_lead", "role__2nd_line", "role_2nd_line"]  # a list needs an item
    assert [i["summary"] for i in lists["on_call_lead"]["task_list_items"]] == [
        "Declare the incident.",
        "Choose the mitigation.",
    ]
    _, incident = exported(own_project, "incident-io", tmp_path / "io.tf.json")
    quiet = incident["resource"]["incident_incident_role"]["quiet"]
    assert quiet["instructions"] == "Responsibilities:\n- Takes notes for the review."


def test_an_invalid_playbook_writes_nothing(own_project: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for part in ("roles", "site_config"):
        (broken / part).mkdir()
        for file in (own_project / part).iterdir():
            (broken / part / file.name).write_bytes(file.read_bytes())
    path = broken / "roles" / "quiet.yaml"
    path.write_text(path.read_text("utf-8").replace("summary:", "sumary:"), "utf-8")
    for fmt in FORMATS:
        target = tmp_path / f"{fmt}.tf.json"
        result = rolebook("export", "--format", fmt, "-o", str(target), cwd=broken)
        assert result.returncode == 1
        assert "roles/quiet.yaml:3:1: error: unknown field 'sumary'" in result.stderr
        assert "Traceback" not in result.stderr and not target.exists()
        assert not list(tmp_path.glob(f".{fmt}*"))  # no temporary file left beside it


def test_every_file_format_is_offered_on_the_command_line() -> None:
    assert [f for f in EXPORT_FORMATS if f not in SITE_PROJECTS] == list(FILE_FORMATS)


ROLE_ID = st.from_regex(ID_PATTERN, fullmatch=True).filter(lambda s: len(s) <= 64)


@given(st.lists(ROLE_ID, min_size=2, max_size=6, unique=True), ROLE_ID)
def test_names_are_terraform_names_and_never_shared(ids: list[str], key: str) -> None:
    names = [resource_name(rid) for rid in ids]
    assert all(TF_NAME.match(n) and not n[0].isdigit() for n in names)
    assert len(set(names)) == len(ids)
    tasks = [task_name(rid, k) for rid in ids for k in (key, key + "-2", "2")]
    assert all(TF_NAME.match(n) for n in tasks)
    assert len(set(tasks)) == len(tasks)


def test_the_digit_rule_cannot_collide() -> None:
    assert resource_name("2nd-line") == "role__2nd_line"
    assert resource_name("role-2nd-line") == "role_2nd_line"
    assert task_name("a", "b-c") != task_name("a-b", "c")  # '__' separates role from task
