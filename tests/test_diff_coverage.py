"""``rolebook diff`` misses nothing a reviewer must see: every field of every file kind, RACI duties in both
directions, the cards to reprint, an in-place rename as one line with its leftover mentions, and the JSON
saying what the Markdown says. Real git repositories, real ``rolebook diff`` runs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cmarkgfm
import pytest
import yaml
from bs4 import BeautifulSoup
from pydantic import BaseModel

from benchmarks.synth import make_org
from generator.core.model import Activity, Role, SiteConfig
from generator.core.project import check_project
from generator.review.pull_request import Report, Side, compare_sides, mention_line

from .sitekit import REPO_ROOT, copy_project, rolebook
from .test_pr_workflow import git

Data = dict[str, Any]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "repo")
    git(project, "init", "-q", "-b", "main")
    commit(project, "defaults")
    return project


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def change(repo: Path, rel: str, edit: Callable[[Data], object]) -> None:
    """Edit a YAML file of the project as data (robust to the wording of the default playbook)."""
    path = repo / rel
    data = yaml.safe_load(path.read_text("utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), "utf-8")


def activity(data: Data, activity_id: str) -> Data:
    found: Data = next(a for a in data["activities"] if a["id"] == activity_id)
    return found


def level(data: Data, level_id: str) -> Data:
    found: Data = next(s for s in data["severities"] if s["id"] == level_id)
    return found


def run_diff(repo: Path, *args: str) -> tuple[Data, str]:
    """The JSON report and the Markdown report of one change, from real runs."""
    runs = [rolebook("diff", *args, *fmt, "--no-cards", cwd=repo) for fmt in (("--format", "json"), ())]
    for result in runs:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    data = json.loads(runs[0].stdout)
    assert data["valid"] is True, data["problems"]
    return data, runs[1].stdout


def role_lines(data: Data, role_id: str) -> list[str]:
    return next((r["changes"] for r in data["roles"] if r["id"] == role_id), [])


def test_severity_levels(repo: Path) -> None:
    def edit(data: Data) -> None:
        sev1, sev2, sev3 = level(data, "sev1"), level(data, "sev2"), level(data, "sev3")
        sev1["roles"] = [r for r in sev1["roles"] if r != "support-team"]
        sev2["roles"] = ["incident-manager", "operations-team", "communication-lead", "management-leadership"]
        sev2["respond_within"], sev2["update_every"] = "20 minutes", "45 minutes"
        sev3["name"], sev3["description"] = "SEV3 Low", "Little impact; handled in business hours."
        data["severities"].append(
            {
                "id": "sev4",
                "name": "SEV4 Notice",
                "description": "No impact yet.",
                "roles": ["incident-manager"],
            }
        )

    change(repo, "site_config/playbook.yaml", edit)
    data, _ = run_diff(repo, "main")
    lines = data["severities"]
    assert "severity level added: SEV4 Notice (engages Incident Manager)" in lines
    assert "severity level sev3 renamed from “SEV3 Minor” to “SEV3 Low”" in lines
    assert "SEV1 Critical: Support Team no longer engaged" in lines
    assert "SEV2 Major: Subject Matter Experts no longer engaged" in lines
    assert "SEV2 Major: respond within changed from “30 minutes” to “20 minutes”" in lines
    assert "SEV2 Major: update every changed from “1 hour” to “45 minutes”" in lines
    assert "SEV3 Low: description changed from" in " ".join(lines)
    git(repo, "commit", "-qam", "levels")
    change(repo, "site_config/playbook.yaml", lambda d: d.update(severities=d["severities"][:-1]))
    assert run_diff(repo, "HEAD")[0]["severities"] == ["severity level removed: SEV4 Notice"]


def test_a_level_that_engages_a_role_again(repo: Path) -> None:
    change(repo, "site_config/playbook.yaml", lambda d: level(d, "sev3")["roles"].append("support-team"))
    assert run_diff(repo, "main")[0]["severities"] == ["SEV3 Minor: Support Team now engaged"]


def test_contacts(repo: Path) -> None:
    def edit(data: Data) -> None:
        contacts = data["contacts"]
        contacts["incident-manager"]["pager"] = "im-rotation"
        contacts["incident-manager"]["links"] = [{"title": "Runbook", "url": "https://wiki.example.org/im"}]
        del contacts["communication-lead"]["email"]
        contacts["management-leadership"]["channel"] = "#leadership"
        del contacts["support-team"]

    change(repo, "site_config/contacts.yaml", edit)
    lines = run_diff(repo, "main")[0]["contacts"]
    assert "Incident Manager contact: pager changed from “incident-manager-primary” to “im-rotation”" in lines
    assert "Incident Manager contact: link added: title “Runbook”, url “https://wiki.example.org/im”" in lines
    assert "Communication Lead contact: email removed (was “comms@example.org”)" in lines
    assert "Management and Leadership contact: channel set to “#leadership”" in lines
    assert "contact removed for Support Team" in lines


def test_settings(repo: Path) -> None:
    def edit(data: Data) -> None:
        data.update(version="1.1", published=dt.date(2025, 2, 1), organization="Acme", title="Acme Response")
        data["intro"] = "Roles at Acme."
        data["role_order"] = ["operations-team", *[r for r in data["role_order"] if r != "operations-team"]]
        data.update(cards={"size": "a7", "back": True}, review_period_months=6)
        data["branding"] = {
            "palette": {"primary": "red", "accent": "indigo"},
            "extra_css": ["assets/acme.css"],
        }

    change(repo, "site_config/playbook.yaml", edit)
    (repo / "assets").mkdir(exist_ok=True)
    (repo / "assets" / "acme.css").write_text("h1 { color: red; }\n", "utf-8")
    lines = run_diff(repo, "main")[0]["settings"]
    assert "version changed from “1.0” to “1.1”" in lines
    assert "published date changed from 2024-04-15 to 2025-02-01" in lines
    assert "organization changed from “Example Organization” to “Acme”" in lines
    assert "title changed from “Incident Response Roles” to “Acme Response”" in lines
    assert any(line.startswith("home page introduction changed to “Roles at Acme.”") for line in lines)
    assert any(line.startswith("role order changed to: Operations Team, Incident Manager") for line in lines)
    assert "quick cards size changed from “a6” to “a7”" in lines
    assert "quick cards back side changed from off to on" in lines
    assert "branding palette set to primary “red”, accent “indigo”" in lines
    assert "branding stylesheet added: “assets/acme.css”" in lines
    assert "review period in months changed from 12 to 6" in lines


def test_phases(repo: Path) -> None:
    contain = {"id": "contain", "name": "Contain", "description": "Stop the spread."}
    change(repo, "site_config/playbook.yaml", lambda d: d["phases"].insert(2, contain))
    commit(repo, "a contain phase")

    def edit(data: Data) -> None:
        phases = [p for p in data["phases"] if p["id"] != "contain"]
        phases[2]["name"] = "Mitigate"  # respond
        phases[1]["description"] = "Spotting and declaring an incident."  # detect
        phases[3], phases[4] = phases[4], phases[3]  # review before recover
        data["phases"] = [*phases, {"id": "learn", "name": "Learn"}]

    change(repo, "site_config/playbook.yaml", edit)
    lines = run_diff(repo, "HEAD")[0]["phases"]
    assert "phase added: Learn" in lines
    assert "phase removed: Contain" in lines
    assert "phase respond renamed from “Respond” to “Mitigate”" in lines
    assert any(line.startswith("phase Detect: description changed from ") for line in lines)
    assert "phase order changed: Prepare, Detect, Mitigate, Review, Recover, Learn" in lines


def test_every_kind_of_role_change(repo: Path) -> None:
    def edit(role: Data) -> None:
        role["short"] = "IC"
        role["summary"] = "Runs the response."
        role["checklists"]["recover"].append("Thank everyone who helped.")
        role["works_with"][0]["how"] = "Decide together."
        role["escalates_to"] = []
        role["card"]["responsibilities"] = role["card"]["responsibilities"][1:]
        role["review"] = {"owner": "@acme-incidents", "last_reviewed": dt.date(2025, 1, 10)}
        role["training"].append("A tabletop exercise each year.")

    change(repo, "roles/incident-manager.yaml", edit)
    change(repo, "roles/support-team.yaml", lambda r: r["card"].pop("responsibilities"))
    data, markdown = run_diff(repo, "main")
    lines = role_lines(data, "incident-manager")
    assert "abbreviation changed from “IM” to “IC”" in lines
    assert any(line.startswith("summary changed from ") and "“Runs the response.”" in line for line in lines)
    assert "recover checklist item added: “Thank everyone who helped.”" in lines
    assert "works with Subject Matter Experts: how changed to “Decide together.”" in lines
    assert "no longer escalates to Management and Leadership" in lines
    assert any(line.startswith("card key responsibility removed: ") for line in lines)
    assert "owner changed from @incident-program to @acme-incidents" in lines
    assert any(re.fullmatch(r"last reviewed changed from [-\d]+ to 2025-01-10", line) for line in lines)
    assert "training item added: “A tabletop exercise each year.”" in lines
    assert (
        "the card now lists the role's responsibilities instead of key responsibilities of its own"
        in role_lines(data, "support-team")
    )
    assert "- abbreviation changed from “IM” to “IC”" in markdown


def test_raci_duties_gained_and_lost_in_both_directions(repo: Path) -> None:
    def before(data: Data) -> None:
        activity(data, "diagnose")["raci"] = {"incident-manager": "AR", "subject-matter-experts": "R"}
        activity(data, "authorize-critical-actions")["severities"] = ["sev1", "sev2"]

    change(repo, "roles/activities.yaml", before)
    commit(repo, "one A/R")

    def after(data: Data) -> None:
        activity(data, "diagnose")["raci"] = {"incident-manager": "A", "subject-matter-experts": "R"}
        activity(data, "triage-alerts")["raci"]["incident-manager"] = "A/R"
        activity(data, "maintain-runbooks")["raci"] = {
            "operations-team": "R",
            "subject-matter-experts": "AR",
            "incident-manager": "C",
        }
        declare = activity(data, "declare-incident")["raci"]
        declare["incident-manager"], declare["operations-team"] = "R", "A"
        assemble = activity(data, "assemble-team")["raci"]
        assemble["communication-lead"] = "C"
        del assemble["subject-matter-experts"]
        reports = activity(data, "receive-reports")
        reports.update(name="Take in incident reports", phase="respond", description="From every channel.")
        reports["severities"] = ["sev1"]
        activity(data, "authorize-critical-actions")["severities"] = ["sev1"]

    change(repo, "roles/activities.yaml", after)
    data, markdown = run_diff(repo, "HEAD")
    lines = data["activities"]
    diagnose = activity(yaml.safe_load((repo / "roles" / "activities.yaml").read_text("utf-8")), "diagnose")
    assert f"{diagnose['name']}: Incident Manager is no longer Responsible" in lines
    triage = next(line for line in lines if "is now also Responsible" in line)
    assert triage.endswith(": Incident Manager is now also Responsible")
    runbooks = [line for line in lines if "Operations Team to Subject Matter Experts" in line]
    assert runbooks == [runbooks[0]] and runbooks[0].endswith(
        ": Accountable moves from Operations Team to Subject Matter Experts"
    )
    assert any(line.endswith(": Operations Team is now Responsible") for line in lines)
    assert any(line.endswith(": Operations Team is no longer Responsible") for line in lines)  # declare
    assert any(line.endswith(": Communication Lead changes from Informed to Consulted") for line in lines)
    assert any(line.endswith(": Subject Matter Experts is no longer Informed") for line in lines)
    assert any(line.endswith(": renamed to “Take in incident reports”") for line in lines)
    assert "Take in incident reports: moved from phase Detect to Respond" in lines
    assert "Take in incident reports: description set to “From every channel.”" in lines
    assert "Take in incident reports: now applies only at SEV1 Critical" in lines
    assert any(line.endswith(": no longer applies at SEV2 Major") for line in lines)
    assert "### RACI" in markdown


def test_an_in_place_rename_is_one_line_with_its_leftover_mentions(repo: Path) -> None:
    change(repo, "roles/incident-manager.yaml", lambda r: r.update(name="Incident Commander"))
    commit(repo, "rename in place")
    data, markdown = run_diff(repo, "HEAD~1", "HEAD")
    assert data["renamed"] == [
        {"id": "incident-manager", "from": "Incident Manager", "to": "Incident Commander"}
    ]
    assert markdown.count("**Role renamed:**") == 1 and "Incident Manager → Incident Commander" in markdown
    for kind in ("roles", "activities", "settings", "phases", "severities", "contacts"):
        assert data[kind] == [], kind  # no change invented from the mentions that still say the old name
    [mention] = data["leftover_mentions"]
    assert mention["name"] == "Incident Manager" and mention["now"] == "Incident Commander"
    files = {place["file"]: place["fields"] for place in mention["places"]}
    assert "responsibilities" in files["roles/operations-team.yaml"]
    assert "### Leftover mentions of old role names" in markdown
    # A mention the editor did update is no change either, and no longer left over.
    git(repo, "checkout", "-q", "-b", "tidy")
    for path in (repo / "roles").glob("*.yaml"):
        # (a name may be written over a line break of a block of text)
        path.write_text(
            re.sub(r"Incident(\s+)Manager", r"Incident\1Commander", path.read_text("utf-8")), "utf-8"
        )
    commit(repo, "say the new name")
    tidy, _ = run_diff(repo, "main~1", "tidy")
    assert tidy["roles"] == [] and tidy["activities"] == [] and len(tidy["renamed"]) == 1
    assert tidy["leftover_mentions"] == []


def test_leftover_mentions_of_a_role_renamed_under_a_new_id(repo: Path) -> None:
    scribe = yaml.safe_load((repo / "roles" / "support-team.yaml").read_text("utf-8"))
    scribe.update(name="Scribe", short="SCR", summary="Keeps the timeline.", backups=[])
    (repo / "roles" / "scribe.yaml").write_text(yaml.safe_dump(scribe, sort_keys=False), "utf-8")

    def mention(data: Data) -> None:
        data["intro"] += "\nThe Scribe keeps the timeline.\n"
        level(data, "sev2")["description"] += " The Scribe joins."
        level(data, "sev2")["roles"].append("scribe")

    change(repo, "site_config/playbook.yaml", mention)
    change(
        repo,
        "roles/activities.yaml",
        lambda d: d["activities"].append(
            {
                "id": "record-timeline",
                "name": "Scribe: record the timeline",
                "phase": "respond",
                "raci": {"incident-manager": "A", "scribe": "R"},
            }
        ),
    )
    commit(repo, "a scribe")
    recorder = dict(scribe, name="Recorder", short="REC", summary="Keeps the timeline, as the Scribe did.")
    (repo / "roles" / "scribe.yaml").unlink()
    (repo / "roles" / "recorder.yaml").write_text(yaml.safe_dump(recorder, sort_keys=False), "utf-8")
    for rel in ("site_config/playbook.yaml", "roles/activities.yaml"):
        path = repo / rel
        path.write_text(re.sub(r"\bscribe\b", "recorder", path.read_text("utf-8")), "utf-8")
    data, markdown = run_diff(repo, "HEAD")
    assert data["added"] == ["Recorder"] and data["removed"] == ["Scribe"]
    [mention_of] = [m for m in data["leftover_mentions"] if m["name"] == "Scribe"]
    assert mention_line(mention_of) == (
        "“Scribe” (no longer a role): roles/recorder.yaml (summary); "
        "site_config/playbook.yaml (intro, severity sev2 description); roles/activities.yaml (activity record-timeline)"
    )
    assert "roles/recorder.yaml \\(summary\\)" in markdown


def test_cards_to_reprint(repo: Path) -> None:
    change(
        repo, "site_config/contacts.yaml", lambda d: d["contacts"]["operations-team"].update(pager="ops-2")
    )
    change(repo, "roles/incident-manager.yaml", lambda r: r["skills"].append("Patience."))  # not on the card
    change(repo, "roles/support-team.yaml", lambda r: r.update(name="Customer Support"))
    data, markdown = run_diff(repo, "main")
    # Operations: its contact; Support: its name; the roles whose cards name Support among those they work
    # with or escalate to; never the Incident Manager, whose card does not show skills.
    assert {"Operations Team", "Customer Support"} <= set(data["cards_to_reprint"])
    assert "Incident Manager" not in data["cards_to_reprint"]
    assert "### Quick cards to reprint" in markdown and "- Customer Support" in markdown
    change(repo, "roles/subject-matter-experts.yaml", lambda r: r["card"].pop("responsibilities"))
    commit(repo, "contacts, and the experts' card shows their responsibilities")
    # The role's responsibilities are on the card when the card has no key responsibilities of its own.
    change(
        repo, "roles/subject-matter-experts.yaml", lambda r: r["responsibilities"].append("Write it down.")
    )
    change(repo, "roles/operations-team.yaml", lambda r: r["responsibilities"].append("Write it down."))
    assert run_diff(repo, "HEAD")[0]["cards_to_reprint"] == ["Subject Matter Experts"]
    change(repo, "site_config/playbook.yaml", lambda d: d.update(version="2.0"))
    assert len(run_diff(repo, "HEAD")[0]["cards_to_reprint"]) == len(list((repo / "roles").glob("*-*.yaml")))


def test_the_worked_example_in_the_guide_is_real(repo: Path) -> None:
    def settings(data: Data) -> None:
        data.update(version="1.1", published=dt.date(2024, 6, 3))
        level(data, "sev2")["roles"].remove("management-leadership")

    change(repo, "site_config/playbook.yaml", settings)
    pager = {"pager": "incident-command-rotation"}
    change(repo, "site_config/contacts.yaml", lambda d: d["contacts"]["incident-manager"].update(pager))
    change(repo, "roles/incident-manager.yaml", lambda r: r.update(name="Incident Commander", short="IC"))
    triage = {"incident-manager": "AR", "operations-team": "C"}
    change(repo, "roles/activities.yaml", lambda d: activity(d, "triage-alerts")["raci"].update(triage))
    printed = rolebook("diff", "main", cwd=repo)  # the cards printed and compared, as the workflow does
    assert printed.returncode == 0, printed.stdout + printed.stderr
    guide = (REPO_ROOT / "docs" / "editing-the-playbook" / "changing-a-role.md").read_text("utf-8")
    example = guide.split("```markdown\n", 1)[1].split("```", 1)[0]
    assert printed.stdout == example
    # Without printing them, the cards to reprint are found from their data: the same ones here.
    note = "Card templates were not compared (`--no-cards`): the cards to reprint are found from what"
    assert run_diff(repo, "main")[1].startswith(example.rstrip("\n") + "\n\n" + note)


def _unescaped(markdown: str) -> str:
    text = re.sub(r"\\([\\`*_\[\]{}()<>#+!|~$.=-])", r"\1", markdown)
    return text.replace("@&#8203;", "@").replace("&amp;", "&")


def test_the_json_says_what_the_markdown_says(repo: Path) -> None:
    change(repo, "roles/incident-manager.yaml", lambda r: r.update(name="Incident Commander", short="IC"))
    change(
        repo, "site_config/contacts.yaml", lambda d: d["contacts"]["operations-team"].update(pager="ops_2")
    )
    change(
        repo, "site_config/playbook.yaml", lambda d: d.update(version="1.1", intro="A *new* intro (v1.1).")
    )
    change(
        repo, "roles/activities.yaml", lambda d: activity(d, "diagnose")["raci"].update({"support-team": "I"})
    )
    change(
        repo, "roles/support-team.yaml", lambda r: r["responsibilities"].append("Answer @customers & [more].")
    )
    data, markdown = run_diff(repo, "main")
    expected = [
        *data["settings"],
        *data["phases"],
        *data["severities"],
        *data["contacts"],
        *(line for role in data["roles"] for line in role["changes"]),
        *data["activities"],
        *(mention_line(m) for m in data["leftover_mentions"]),
        *data["cards_to_reprint"],
        *data["cards"],
    ]
    bullets = [line[2:] for line in _unescaped(markdown).splitlines() if line.startswith("- ")]
    assert bullets == expected
    assert "@&#8203;customers &amp; \\[more\\]" in markdown  # every value escaped
    for key in ("settings", "contacts", "roles", "activities", "leftover_mentions", "cards_to_reprint"):
        assert data[key], key
    summary = [line for line in _unescaped(markdown).splitlines() if line.startswith("**")]
    assert summary == [f"**Role renamed:** {r['from']} → {r['to']}" for r in data["renamed"]]


# The model-field walk: every field of every model, changed alone, is reported.


def _plain(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        [annotation] = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _plain(annotation)
    return annotation


def _sample(annotation: Any) -> Any:
    """A value of the annotated type, for a field that is empty or unset in the default playbook."""
    tp = _plain(annotation)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Literal:
        return args[0]
    if origin is list:
        return [_sample(args[0])]
    if origin is dict:
        return {"sample-key": _sample(args[1])}
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp.model_construct(
            **{name: _sample(f.annotation) for name, f in tp.model_fields.items() if f.is_required()}
        )
    return {str: "Sample text.", bool: True, int: 7, float: 0.5, dt.date: dt.date(2030, 1, 2)}[tp]


def _changed(value: Any, annotation: Any) -> Any:
    if value is None or value == [] or value == {}:
        return _sample(annotation)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    if isinstance(value, str):
        return value + " Changed"
    if isinstance(value, list):
        return value[:-1]
    if isinstance(value, dict):
        return dict(list(value.items())[:-1])
    raise AssertionError(f"no change made for {value!r}")


def _walk(model: BaseModel, path: str = "") -> Iterator[tuple[str, BaseModel]]:
    """``model`` with one field (or one field of a model inside it) changed, for every field, with its path."""
    for name, info in type(model).model_fields.items():
        value, where = getattr(model, name), f"{path}.{name}".lstrip(".")
        if isinstance(value, BaseModel):
            nested = [(where, value)]
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            nested = [(f"{where}[0]", value[0])]
        elif isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel):
            nested = [(f"{where}[{next(iter(value))}]", next(iter(value.values())))]
        else:
            nested = []
        for inner_path, inner in nested:
            for inner_where, changed in _walk(inner, inner_path):
                yield inner_where, _put(model, name, value, inner, changed)
        if not isinstance(value, BaseModel):  # a model inside is changed field by field above
            yield where, model.model_copy(update={name: _changed(value, info.annotation)})


def _put(model: BaseModel, name: str, value: Any, old: BaseModel, new: BaseModel) -> BaseModel:
    if isinstance(value, list):
        value = [new, *value[1:]]
    elif isinstance(value, dict):
        value = {k: new if v is old else v for k, v in value.items()}
    else:
        value = new
    return model.model_copy(update={name: value})


def _report(project: Path, **changes: Any) -> Report:
    playbook = check_project(project)[0]
    assert playbook is not None
    head = dataclasses.replace(playbook, **changes) if changes else playbook
    return compare_sides(Side("base", playbook, []), Side("head", head, []), reprint=([], []))


def test_every_model_field_changed_alone_is_reported(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "walk")
    playbook = check_project(project)[0]
    assert playbook is not None and not _report(project).changes
    role_id = "incident-manager"
    silent: list[str] = []
    counted = set()
    for where, role in _walk(playbook.roles[role_id]):
        counted.add(where.split(".")[0].split("[")[0])
        assert isinstance(role, Role)
        if not _report(project, roles={**playbook.roles, role_id: role}).changes:
            silent.append(f"Role.{where}")
    assert counted == set(Role.model_fields)
    counted.clear()
    for where, changed in _walk(playbook.activities[0]):
        counted.add(where.split(".")[0])
        assert isinstance(changed, Activity)
        if not _report(project, activities=(changed, *playbook.activities[1:])).changes:
            silent.append(f"Activity.{where}")
    assert counted == set(Activity.model_fields)
    counted.clear()
    for where, config in _walk(playbook.config):
        counted.add(where.split(".")[0].split("[")[0])
        assert isinstance(config, SiteConfig)
        if not _report(project, config=config).changes:
            silent.append(f"SiteConfig.{where}")
    assert counted == set(SiteConfig.model_fields)
    assert silent == []


# The pull-request comment: every value from the playbook is one line of inert text.

FORGED_VERDICT = "Owns the response.\n\nVerdict\n=======\n\n- Reviewed by the incident program: no change to accountability."


def _github(markdown: str) -> BeautifulSoup:
    """The comment as GitHub renders it: cmark-gfm with its extensions (tables, autolinks, ...)."""
    return BeautifulSoup(cmarkgfm.github_flavored_markdown_to_html(markdown), "html.parser")


def _shown(text: str) -> str:
    """Text as a reader sees it: white space as single spaces, the marks that stop a mention out."""
    return " ".join(text.replace("@\u200b", "@").replace("#\u2060", "#").split())


def _bullets(data: Data) -> list[str]:
    return [
        *data["settings"],
        *data["phases"],
        *data["severities"],
        *data["contacts"],
        *(line for role in data["roles"] for line in role["changes"]),
        *data["activities"],
        *(mention_line(m) for m in data["leftover_mentions"]),
        *data["cards_to_reprint"],
        *data["cards"],
    ]


def test_values_cannot_forge_lines_headings_lists_or_links_in_the_comment(repo: Path) -> None:
    def role(data: Data) -> None:
        data["summary"] = FORGED_VERDICT
        data["responsibilities"].append(
            "See www.evil.example/login, https://evil.example/pay.\u2028# Approved\u2029> Quoted"
        )
        data["checklists"]["respond"].append(
            "- [x] Signed off\n1. By boss@evil.example\n---\n| a | b |\n|---|---|\n\n    code\n```\n&amp; $x$"
        )

    change(repo, "roles/incident-manager.yaml", role)

    def support(data: Data) -> None:  # a heading of its own: renamed, and a change
        data.update(name="1. Support www.support.example")
        data["handoff"].append("=== Handed over ===")

    change(repo, "roles/support-team.yaml", support)
    change(repo, "roles/activities.yaml", lambda d: activity(d, "diagnose").update(name="- Diagnose #12"))
    link = {"title": "Pay here", "url": "https://evil.example/pay"}
    change(
        repo,
        "site_config/contacts.yaml",
        lambda d: d["contacts"]["operations-team"].update(links=[link], email="ops@evil.example"),
    )
    change(
        repo, "site_config/playbook.yaml", lambda d: d.update(intro="Read mailto:x@evil.example\n\n## Board")
    )
    data, markdown = run_diff(repo, "main")
    page = _github(markdown)
    sections = [
        ("Settings", data["settings"]),
        ("Phases", data["phases"]),
        ("Severity levels", data["severities"]),
        ("Contacts", data["contacts"]),
        *((role["name"], role["changes"]) for role in data["roles"]),
        ("RACI", data["activities"]),
        ("Leftover mentions of old role names", data["leftover_mentions"]),
        ("Quick cards to reprint", data["cards_to_reprint"]),
        ("Quick cards", data["cards"]),
    ]
    headings = page.find_all(re.compile(r"^h[1-6]$"))
    assert [(h.name, _shown(h.get_text())) for h in headings] == [
        ("h2", "Playbook changes: main → working tree"),
        *(("h3", _shown(title)) for title, lines in sections if lines),
    ]
    assert "1. Support www.support.example" in [role["name"] for role in data["roles"]]
    # Each change is one list item reading as the JSON says, and no item holds another list or block.
    assert [_shown(li.get_text()) for li in page.find_all("li")] == [_shown(b) for b in _bullets(data)]
    assert _shown(FORGED_VERDICT) in _shown(page.get_text())  # one line of text, as written
    assert page.find_all("a") == []  # addresses are shown as code, never as links
    assert {"www.evil.example/login", "https://evil.example/pay", "ops@evil.example"} <= {
        code.get_text() for code in page.find_all("code")
    }
    for element in ("ol", "blockquote", "hr", "pre", "table", "input", "b", "img", "h1", "h4"):
        assert page.find_all(element) == [], element
    assert all(ul.parent.name != "li" for ul in page.find_all("ul"))
    paragraphs = [_shown(p.get_text()) for p in page.find_all("p")]
    assert "Role renamed: Support Team → 1. Support www.support.example" in paragraphs


def test_problems_stay_inside_their_code_block(repo: Path) -> None:
    def bad(data: Data) -> None:
        data["works_with"].append(
            {"role": "x```\n# Approved\n- [all good](https://evil.example)", "how": "Yes."}
        )

    change(repo, "roles/support-team.yaml", bad)
    result = rolebook("diff", "main", "--no-cards", cwd=repo)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    page = _github(result.stdout)
    assert [h.name for h in page.find_all(re.compile(r"^h[1-6]$"))] == ["h2", "h3"]
    [block] = page.find_all("pre")
    assert "roles/support-team.yaml:" in block.get_text() and "```" in block.get_text()
    for element in ("a", "li", "table", "blockquote", "hr"):
        assert page.find_all(element) == [], element


def _renamed_org(tmp_path: Path, count: int) -> Path:
    """A synthetic organization of ``count`` roles in git, with every role renamed (name and
    abbreviation) in the working tree; role-0000's summary names two roles by their old names."""
    project = make_org(count, tmp_path / "org")
    summary = project / "roles" / "role-0000.yaml"
    summary.write_text(summary.read_text("utf-8").replace("summary: ", "summary: Ask Role 0001 and R0002. "))
    git(project, "init", "-q", "-b", "main")
    commit(project, "the organization")
    for path in (project / "roles").glob("role-*.yaml"):
        text = re.sub(r"^name: Role ", "name: Unit ", path.read_text("utf-8"), flags=re.M)
        path.write_text(re.sub(r"^short: R", "short: U", text, flags=re.M), "utf-8")
    return project


def test_a_rename_of_every_role_of_a_large_playbook(tmp_path: Path) -> None:
    """Every role of 300 renamed: each rename one line, each abbreviation one change, no text changed,
    the two mentions left over (the work is one pattern for all the names, not one per name and text)."""
    project = _renamed_org(tmp_path, 300)
    result = rolebook("diff", "main", "--no-cards", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["renamed"] == [
        {"id": f"role-{i:04d}", "from": f"Role {i:04d}", "to": f"Unit {i:04d}"} for i in range(300)
    ]
    assert data["roles"] == [
        {
            "id": f"role-{i:04d}",
            "name": f"Unit {i:04d}",
            "changes": [f"abbreviation changed from “R{i:04d}” to “U{i:04d}”"],
        }
        for i in range(300)
    ]
    for kind in ("activities", "settings", "severities", "contacts"):
        assert data[kind] == [], kind
    place = [{"file": "roles/role-0000.yaml", "fields": ["summary"]}]
    assert data["leftover_mentions"] == [
        {"name": "Role 0001", "now": "Unit 0001", "places": place},
        {"name": "R0002", "now": "U0002", "places": place},
    ]
    assert len(data["cards_to_reprint"]) == 300


def test_no_cards_renders_no_template_of_either_revision(repo: Path) -> None:
    """A branch's card template that would run for hours: --no-cards decides from the data alone."""
    endless = '{% set s = "xxxxxxxxxx" * 1000 %}' + "{% for a in s %}" * 3 + "{% endfor %}" * 3 + "\n"
    (repo / "templates" / "cards" / "card.html.j2").write_text(endless, "utf-8")
    change(
        repo, "site_config/contacts.yaml", lambda d: d["contacts"]["operations-team"].update(pager="ops-2")
    )
    result = rolebook("diff", "main", "--no-cards", "--format", "json", cwd=repo, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["cards_to_reprint"] == ["Operations Team"] and data["templates_compared"] is False
    markdown = rolebook("diff", "main", "--no-cards", cwd=repo, timeout=60).stdout
    assert "Card templates were not compared (`--no-cards`)" in markdown


def test_a_new_site_address_reprints_every_card(repo: Path) -> None:
    """The QR code on every card points to the published site: a new site_url is a new card for all."""
    config = repo / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "site_url: https://example.org/playbook/" in text
    config.write_text(text.replace("https://example.org/playbook/", "https://roles.acme.example/"), "utf-8")
    playbook = check_project(repo)[0]
    assert playbook is not None
    every = [role.name for role in playbook.roles.values()]
    for args in ((), ("--no-cards",)):  # printed and compared, and from the data
        result = rolebook("diff", "main", "--format", "json", *args, cwd=repo)
        assert result.returncode == 0, result.stdout + result.stderr
        data = json.loads(result.stdout)
        assert data["cards_to_reprint"] == every, args
        assert data["templates_compared"] is not args
