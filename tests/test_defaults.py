"""The playbook shipped in roles/ and site_config/ is valid and says what the guide says."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.core.playbook import Playbook
from generator.core.project import check_project

from .conftest import REPO_ROOT
from .sitekit import ROLE_IDS as SITE_ROLE_IDS

ROLE_IDS = list(SITE_ROLE_IDS)  # the six ids the guide's roles have, in site order
PHASE_IDS = ["prepare", "detect", "respond", "recover", "review"]


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    result, diagnostics = check_project(REPO_ROOT)
    assert [d.human() for d in diagnostics] == []
    assert result is not None
    return result


def test_defaults_validate_without_errors_or_warnings() -> None:
    result, diagnostics = check_project(REPO_ROOT)
    assert [d.human() for d in diagnostics] == []
    assert result is not None
    assert result.warnings == ()


def test_six_roles_in_site_order(playbook: Playbook) -> None:
    assert list(playbook.roles) == ROLE_IDS
    assert playbook.config.role_order == ROLE_IDS
    assert playbook.role_files == {rid: f"roles/{rid}.yaml" for rid in ROLE_IDS}


def test_at_least_twenty_activities(playbook: Playbook) -> None:
    assert len(playbook.activities) >= 20
    assert playbook.activity_file == "roles/activities.yaml"


def test_every_phase_has_activities(playbook: Playbook) -> None:
    by_phase = playbook.activities_by_phase()
    assert [phase.id for phase, _ in by_phase] == PHASE_IDS
    for phase, activities in by_phase:
        assert activities, f"phase {phase.id} has no activity"


def test_every_activity_has_one_accountable_and_a_responsible(playbook: Playbook) -> None:
    for activity in playbook.activities:
        letters = list(activity.raci.values())  # AR is both: Accountable and Responsible
        assert sum(1 for letter in letters if letter in ("A", "AR")) == 1, activity.id
        assert sum(1 for letter in letters if letter in ("R", "AR")) >= 1, activity.id


def test_every_role_takes_part_in_activities(playbook: Playbook) -> None:
    for rid in ROLE_IDS:
        assert playbook.letters_of(rid), rid


@pytest.mark.parametrize("role_id", ROLE_IDS)
def test_role_is_complete(playbook: Playbook, role_id: str) -> None:
    role = playbook.roles[role_id]
    assert set(role.checklists) == set(PHASE_IDS)
    for phase, items in role.checklists.items():
        assert items, f"{role_id} has an empty {phase} checklist"
    assert role.backups
    assert all(backup in ROLE_IDS and backup != role_id for backup in role.backups)
    assert role.handoff
    assert role.card.first_actions
    assert role.responsibilities


def _works_with(playbook: Playbook, role_id: str) -> set[str]:
    return {link.role for link in playbook.roles[role_id].works_with}


def test_subject_matter_experts_work_with_incident_manager(playbook: Playbook) -> None:
    assert "incident-manager" in _works_with(playbook, "subject-matter-experts")


def test_operations_team_works_with_smes_and_incident_manager(playbook: Playbook) -> None:
    assert {"subject-matter-experts", "incident-manager"} <= _works_with(playbook, "operations-team")


@pytest.mark.parametrize(
    "phrase",
    ["priorities", "resources", "authorize critical actions", "approve any necessary escalations"],
)
def test_management_responsibilities(playbook: Playbook, phrase: str) -> None:
    text = " ".join(playbook.roles["management-leadership"].responsibilities).lower()
    assert phrase in text


def test_communication_lead_is_central_point_of_contact(playbook: Playbook) -> None:
    text = " ".join(playbook.roles["communication-lead"].responsibilities).lower()
    assert "central point of contact" in text


def test_version_and_publication_date(playbook: Playbook) -> None:
    assert playbook.config.version == "1.0"
    assert isinstance(playbook.config.version, str)
    assert playbook.config.published == dt.date(2024, 4, 15)


def test_intro_mentions_adapting_and_cross_training(playbook: Playbook) -> None:
    intro = playbook.config.intro.lower()
    assert "adapt" in intro
    assert "cross-training" in intro


def test_severities_and_contacts_name_known_roles(playbook: Playbook) -> None:
    assert playbook.config.severities
    for severity in playbook.config.severities:
        assert set(severity.roles) <= set(ROLE_IDS)
    assert set(playbook.config.contacts) == set(ROLE_IDS)
