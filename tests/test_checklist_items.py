"""Checklist items: stable ids (given or derived) and time boxes, in the format, validation, the role
pages' grouping, overlays and the diff."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from generator.core.checklist_items import derived_id, minutes
from generator.core.project import load_playbook
from generator.review.diff import role_changes

from .conftest import Project
from .sitekit import REPO_ROOT, rolebook

IM = "roles/incident-manager.yaml"
SUP = "roles/support-team.yaml"
CFG = "site_config/playbook.yaml"


def test_a_derived_id_is_made_from_the_items_own_words() -> None:
    assert derived_id("Confirm the incident is real and declare it with a severity.") == (
        "confirm-the-incident-is-real-and"
    )
    assert derived_id("Read the [status page](https://status.example.org/now) first") == (
        "read-the-status-page-first"
    )  # a link's target is not part of the id
    assert derived_id("Prüfe die Lage") == "prufe-die-lage"
    hashed = derived_id("確認する")
    assert hashed.startswith("item-") and hashed == derived_id(" 確認する ") != derived_id("確認した")
    assert len(derived_id("x" * 200)) == 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5 minutes", 5), ("15 min", 15), ("1 hour", 60), ("2h", 120), ("1 day", 1440), ("first-hour", None)],
)
def test_durations_read_as_minutes(text: str, expected: int | None) -> None:
    assert minutes(text) == expected


def test_ids_survive_reordering_and_edits_of_other_items(default_project: Project) -> None:
    before = load_playbook(default_project.path).roles["support-team"]
    ids = {phase: [item.id for item in items] for phase, items in before.checklists.items()}
    text = default_project.read(SUP)
    respond = [line for line in text.splitlines() if line.startswith("    - ") and "customers with" in line]
    assert len(respond) == 1
    # move the first respond item last, and reword another item of the same phase
    default_project.sub(SUP, r"^    - Answer customers with the wording.*\n", "")
    default_project.sub(
        SUP,
        r"^    - Report new symptoms or affected customers to the incident channel\.\n",
        "    - Report new symptoms or affected customers to the incident channel at once.\n"
        + respond[0]
        + "\n",
    )
    after = load_playbook(default_project.path).roles["support-team"]
    moved = [item.id for item in after.checklists["respond"]]
    assert sorted(moved) == sorted(ids["respond"])  # the reworded item keeps its (first six words') id
    assert moved != ids["respond"]
    assert {p: [i.id for i in items] for p, items in after.checklists.items() if p != "respond"} == {
        p: i for p, i in ids.items() if p != "respond"
    }


def test_the_default_items_have_ids_and_times_and_match_the_schema() -> None:
    playbook = load_playbook(REPO_ROOT)
    im = playbook.roles["incident-manager"]
    declare = im.checklists["detect"][0]
    assert (declare.id, declare.within) == ("declare", "5 minutes")
    schema = json.loads((REPO_ROOT / "schema" / "role.schema.json").read_text(encoding="utf-8"))
    import yaml

    def data(path: Path) -> dict[str, object]:  # as an editor's YAML support reads it: dates as text
        return dict(json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str)))

    for path in sorted((REPO_ROOT / "roles").glob("*.yaml")):
        if path.name != "activities.yaml":
            jsonschema.validate(data(path), schema)
    with pytest.raises(jsonschema.ValidationError):  # an item needs its text
        jsonschema.validate({**data(REPO_ROOT / IM), "checklists": {"detect": [{"id": "x"}]}}, schema)


def test_the_incident_checklist_is_grouped_by_time_box(default_project: Project) -> None:
    playbook = load_playbook(default_project.path)
    groups = playbook.during_incident("incident-manager")
    assert [g.id for g in groups] == ["first-5-minutes", "first-hour", "until-resolved"]
    assert [item.id for _, item in groups[0].entries] == ["declare"]
    assert [item.id for _, item in groups[1].entries] == [
        "open-record",
        "first-update-time",
        "hypothesis-and-actions",
    ]
    assert {phase.id for phase, _ in groups[2].entries} == {"respond", "recover"}
    # no prepare or review item during an incident; they come after
    assert [phase.id for phase, _ in playbook.outside_incident("incident-manager")] == ["prepare", "review"]


def test_an_organizations_own_time_boxes_group_its_items(default_project: Project) -> None:
    default_project.append(
        CFG,
        "time_boxes:\n"
        "  - {id: immediate, name: Immediate (0-2 hours), within: 2 hours}\n"
        "  - {id: intermediate, name: Intermediate (2-12 hours), within: 12h}\n"
        "  - {id: extended, name: Extended}\n",
    )
    default_project.sub(IM, r"^      within: 30 minutes\n", "      within: intermediate\n")
    playbook = load_playbook(default_project.path)
    groups = playbook.during_incident("incident-manager")
    assert [(g.name, [i.id for _, i in g.entries][:3]) for g in groups][:2] == [
        ("Immediate (0-2 hours)", ["declare", "open-record", "first-update-time"]),
        ("Intermediate (2-12 hours)", ["hypothesis-and-actions"]),
    ]


def test_without_any_time_the_checklist_is_grouped_by_phase(
    make_project: object, default_project: Project
) -> None:
    for rel in sorted((default_project.path / "roles").glob("*.yaml")):
        text = rel.read_text(encoding="utf-8")
        rel.write_text(
            # the checklist items' times (a time target's `within` is not a checklist's)
            "\n".join(line for line in text.splitlines() if not line.startswith("      within:")) + "\n",
            encoding="utf-8",
        )
    groups = load_playbook(default_project.path).during_incident("incident-manager")
    assert [g.id for g in groups] == ["detect", "respond", "recover"]


# --- validation: each problem at its line -------------------------------------------------------------


def test_two_items_with_one_id_are_reported_at_the_second(default_project: Project) -> None:
    line = default_project.insert_after(
        SUP,
        "  respond:",
        "    - Answer customers with the wording the Communication Lead gives them today.\n",
    )
    first = default_project.find(
        SUP, "    - Answer customers with the wording the Communication Lead provides."
    )[0]
    assert default_project.check() == [
        f"{SUP}:{first}:7: error: checklist item id 'answer-customers-with-the-wording-the' is already used by "
        f"respond item 1 (line {line}); ids key the incident log and translations, so give one of them an id of "
        "its own (write the item as `- text: ...` with `id: ...`)"
    ]


def test_a_given_id_clashing_across_phases(default_project: Project) -> None:
    default_project.insert_after(IM, "  recover:", "    - id: declare\n      text: Declare the end.\n")
    [problem] = default_project.check()
    assert (
        problem.startswith(f"{IM}:")
        and "checklist item id 'declare' is already used by detect item 1" in problem
    )


def test_within_that_names_no_time_box(default_project: Project) -> None:
    line, col = default_project.sub(IM, r"(?<=      )within: 30 minutes", "within: first-houre")
    assert default_project.check() == [
        f"{IM}:{line}:{col + 8}: error: 'within: first-houre' is neither a duration (such as 15 minutes) nor a "
        "time box; did you mean 'first-hour'? the time boxes are: first-5-minutes, first-hour, until-resolved"
    ]


def test_within_that_is_no_duration_or_id(default_project: Project) -> None:
    line, col = default_project.sub(IM, r"(?<=      )within: 30 minutes", "within: soon!")
    [problem] = default_project.check()
    assert problem.startswith(
        f"{IM}:{line}:{col + 8}: error: 'within' should be a duration such as '5 minutes'"
    )
    assert "'soon!'" in problem


def test_within_outside_an_incident(default_project: Project) -> None:
    line = default_project.insert_after(
        IM, "  prepare:", "    - text: Read the runbooks.\n      within: 1 hour\n"
    )
    assert default_project.check() == [
        f"{IM}:{line + 1}:15: error: 'within' times an item during an incident, and phase 'prepare' is outside "
        "one (incident: false); remove 'within' or move the item"
    ]


def test_a_duration_past_the_last_box_when_every_box_ends(default_project: Project) -> None:
    default_project.append(
        CFG,
        "time_boxes:\n  - {id: first-5-minutes, name: First 5 minutes, within: 5 minutes}\n"
        "  - {id: first-hour, name: First hour, within: 1 hour}\n",
    )
    line, col = default_project.sub(IM, r"(?<=      )within: 30 minutes", "within: 2 hours")
    assert default_project.check() == [
        f"{IM}:{line}:{col + 8}: error: 'within: 2 hours' is later than the end of the last time box; add a time "
        "box without an end (until resolved) to the settings' time_boxes, or shorten it"
    ]


def test_time_boxes_out_of_order_or_open_in_the_middle(default_project: Project) -> None:
    first = default_project.append(
        CFG,
        "time_boxes:\n"
        "  - {id: later, name: Later}\n"
        "  - {id: first-hour, name: First hour, within: 1 hour}\n"
        "  - {id: first-5-minutes, name: First 5 minutes, within: 5 minutes}\n"
        "  - {id: 2h, name: Two hours, within: 2 hours}\n",
    )
    col = "  - {id: first-5-minutes, name: First 5 minutes, within: 5 minutes}".index("5 minutes}") + 1
    problems = default_project.check()
    assert problems == [
        f"{CFG}:{first + 1}:5: error: time box 'later' has no end (within), so it must be the last box; give it "
        "an end or move it last",
        f"{CFG}:{first + 3}:{col}: error: time box 'first-5-minutes' ends at 5 minutes, no later than the box before "
        "it; list time boxes from the earliest end to the latest",
        f"{CFG}:{first + 4}:10: error: time box id '2h' reads as a duration; give it a name-like id such as "
        "first-hour",
    ]


def test_problems_stop_the_cli_with_a_located_error(default_project: Project) -> None:
    line, _ = default_project.sub(IM, r"(?<=      )within: 30 minutes", "within: first-houre")
    result = rolebook("validate", cwd=default_project.path)
    assert result.returncode == 1
    assert f"{IM}:{line}:" in result.stdout and "Traceback" not in result.stdout + result.stderr


# --- overlays and the diff ----------------------------------------------------------------------------


def test_an_overlay_removes_and_replaces_items_by_id(default_project: Project) -> None:
    default_project.write(
        IM,
        """\
        extends: default
        checklists:
          detect:
            remove: [declare]
            replace:
              open-record: {id: open-record, text: Open the record in the incident tool., within: 10 minutes}
        """,
    )
    assert [d for d in default_project.check() if ": error:" in d] == []
    detect = load_playbook(default_project.path).roles["incident-manager"].checklists["detect"]
    assert [(i.id, i.within) for i in detect] == [
        ("open-record", "10 minutes"),
        ("first-update-time", "15 minutes"),
    ]


def test_the_diff_matches_items_by_id(default_project: Project) -> None:
    before = load_playbook(default_project.path).roles["incident-manager"]
    default_project.sub(
        IM, r"      text: Confirm the incident is real", "      text: Confirm the outage is real"
    )
    default_project.sub(IM, r"      within: 30 minutes", "      within: 20 minutes")
    default_project.sub(
        IM,
        r"    - Reassess the severity whenever the impact changes\.\n",
        "    - Reassess the severity whenever the impact or the number of customers affected changes.\n",
    )
    after = load_playbook(default_project.path).roles["incident-manager"]
    lines = role_changes(before, after, {})
    assert lines == [
        "detect checklist item 'declare' text changed from “Confirm the incident is real and declare it with a "
        "severity.” to “Confirm the outage is real and declare it with a severity.”",
        "respond checklist item 'hypothesis-and-actions' time (within) changed from “30 minutes” to “20 minutes”",
        # the first six words are the same, so the derived id is kept: a change of text
        "respond checklist item 'reassess-the-severity-whenever-the' text changed from “Reassess the "
        "severity whenever the impact changes.” to “Reassess the severity whenever the impact or the number of "
        "customers affected changes.”",
    ]


def test_the_diff_says_a_derived_id_changed_and_how_to_keep_it(default_project: Project) -> None:
    before = load_playbook(default_project.path).roles["support-team"]
    default_project.sub(
        SUP,
        r"^    - Close or update incident-related tickets\.",
        "    - Update or close the incident tickets.",
    )
    after = load_playbook(default_project.path).roles["support-team"]
    assert role_changes(before, after, {}) == [
        "recover checklist item 2 reworded to “Update or close the incident tickets.”; its derived id changes from "
        "close-or-update-incident-related-tickets to update-or-close-the-incident-tickets: to keep ticks and "
        "translations keyed to it, write it with `id: close-or-update-incident-related-tickets`"
    ]


def test_the_diff_says_moves_and_order(default_project: Project) -> None:
    before = load_playbook(default_project.path).roles["support-team"]
    default_project.sub(SUP, r"^    - Close or update incident-related tickets\.\n", "")
    default_project.insert_after(SUP, "  review:", "    - Close or update incident-related tickets.\n")
    default_project.sub(
        SUP, r"^    - Answer customers with the wording the Communication Lead provides\.\n", ""
    )
    default_project.sub(
        SUP,
        r"^    - Report new symptoms or affected customers to the incident channel\.\n",
        lambda m: m.group(0) + "    - Answer customers with the wording the Communication Lead provides.\n",
    )
    after = load_playbook(default_project.path).roles["support-team"]
    assert role_changes(before, after, {}) == [
        "checklist item 'close-or-update-incident-related-tickets' moved from recover to review",
        "respond checklist order changed: report-new-symptoms-or-affected, answer-customers-with-the-wording-the",
    ]  # the review checklist gained the moved item first; the order of the items it had is the same


def test_the_json_export_carries_ids_and_times(tmp_path: Path) -> None:
    out = tmp_path / "playbook.json"
    result = rolebook("export", "--format", "json", "-o", str(out), cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    im = next(role for role in data["roles"] if role["id"] == "incident-manager")
    assert im["checklists"]["detect"][0] == {
        "id": "declare",
        "text": "Confirm the incident is real and declare it with a severity.",
        "within": "5 minutes",
    }
    schema = json.loads((REPO_ROOT / "schema" / "playbook-export.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)


def test_the_diff_says_a_given_id_changed(default_project: Project) -> None:
    before = load_playbook(default_project.path).roles["incident-manager"]
    default_project.sub(IM, r"    - id: declare\n", "    - id: declare-incident\n")
    after = load_playbook(default_project.path).roles["incident-manager"]
    assert role_changes(before, after, {}) == [
        "detect checklist item id changed from declare to declare-incident: ticks logged and translations kept "
        "under declare no longer match it"
    ]


def test_time_box_names_are_unique_and_bad_boxes_do_not_cascade(default_project: Project) -> None:
    first = default_project.append(
        CFG,
        "time_boxes:\n  - {id: now, name: Now, within: 5 minutes}\n  - {id: soon, name: now}\n",
    )
    assert default_project.check() == [
        f"{CFG}:{first + 2}:22: error: time box name 'now' is already used by another box"
    ]  # the items' within (5, 15 and 30 minutes) fit these boxes: nothing else to report
    default_project.sub(CFG, r"  - \{id: soon, name: now\}\n", "  - {id: soon, name: [now]}\n")
    problems = default_project.check()
    assert len(problems) == 1 and f"{CFG}:{first + 2}:" in problems[0]  # not one per item's within


def test_repeated_handoff_lines_get_distinct_stable_keys(default_project: Project) -> None:
    default_project.replace_block(
        SUP,
        "handoff",
        "handoff:\n  - Open questions\n  - Open questions 3\n  - Open questions\n  - Open questions 2\n",
    )
    keys = [key for key, _ in load_playbook(default_project.path).handoff_items("support-team")]
    assert keys == [
        "handoff-open-questions",
        "handoff-open-questions-3",
        "handoff-open-questions-2",
        "handoff-open-questions-2-2",
    ]  # the build terminates (this once looped for ever) and no two items share a key


def test_a_checklist_id_may_not_look_like_a_handoff_key(default_project: Project) -> None:
    line, _ = default_project.sub(IM, r"    - id: declare\n", "    - id: handoff-the-current-severity\n")
    problems = default_project.check()
    assert problems == [
        f"{IM}:{line}:11: error: checklist item id 'handoff-the-current-severity': ids starting with 'handoff-' "
        "belong to the handoff checklist's items; choose another"
    ]


def test_within_is_read_in_any_case(default_project: Project) -> None:
    default_project.sub(IM, r"(?<=      )within: 30 minutes", "within: 30 Minutes")
    default_project.sub(IM, r"(?<=      )within: 5 minutes", "within: First-5-Minutes")
    assert [d for d in default_project.check() if ": error:" in d] == []
    detect = load_playbook(default_project.path).roles["incident-manager"].checklists["detect"]
    assert detect[0].within == "first-5-minutes"


def test_prepare_and_review_lists_are_static_boxes(default_project: Project) -> None:
    from generator.render.renderer import render_site

    page = render_site(load_playbook(default_project.path))["roles/incident-manager.md"]
    during, _, after = page.partition("## Before and after an incident")
    assert (
        "rb-checklist--static" not in during
        and after.count('<ul class="rb-checklist rb-checklist--static"') == 2
    )
