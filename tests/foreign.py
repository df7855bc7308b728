"""A foreign playbook: a hospital group's own six roles, converted to rolebook the way a new organization
would do it. `rolebook init`, the default roles deleted, two roles built on defaults under new ids, four
of its own, its own phases, severity levels, contacts and addresses, and one role both Accountable and
Responsible. Used by tests/test_real_org.py to look for anything of rolebook's defaults in every output.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.sitekit import ROLE_IDS, rolebook

ORGANIZATION = "Northwind Health"
SITE_NAME = "Northwind Health Incident Response"
OWN_ROLES = (
    "incident-commander",
    "technical-lead",
    "scribe",
    "clinical-liaison",
    "comms-officer",
    "exec-on-call",
)

# rolebook's guidance beyond the guide names the default roles and levels: the roles built on defaults
# here do not adopt it, and take each of its lists out
NOT_ADOPTED = "".join(
    f"{field}: null\n"
    for field in ("time_targets", "scripts", "decision_rights", "conflicts", "anti_patterns", "guidance")
)

FILES = {
    "roles/incident-commander.yaml": """\
        extends: default/incident-manager
        name: Incident Commander
        short: IC
        responsibilities:
          - Runs the response from the first page to the all-clear and owns every decision in it.
          - Keeps one list of open actions, each with an owner and a time to report back.
        checklists:
          prepare: null
          detect: null
          respond: null
          recover: null
          review: null
          triage:
            - Declare the incident with a priority and say who holds which role.
          stabilize:
            - Hear the Technical Lead's options, then choose one and say so.
        works_with:
          - {role: technical-lead, how: Agree on the diagnosis and the mitigation.}
          - {role: scribe, how: Say each decision aloud so it is written down.}
          - {role: comms-officer, how: Approve every message before it goes out.}
        escalates_to:
          - {role: exec-on-call, when: Patient care is affected or the priority is raised to P1.}
        handoff:
          replace:
            "Which approvals were requested from Management and Leadership, and their answers.": Which approvals the executive on call gave.
            The next stakeholder update time and what was last said.: The next update time the Comms Officer announced.
        backups: [technical-lead]
        card:
          responsibilities: [Own the response and its decisions., Give every task an owner and a time.]
          first_actions:
            replace:
              Set the first update time with the Communication Lead.: Agree the first update time with the Comms Officer.
          do: [Decide now and revise later.]
          dont: [Debug it yourself.]
        review: {owner: "@nwh-incident-office", last_reviewed: 2026-11-20}
        """,
    "roles/technical-lead.yaml": """\
        extends: default/subject-matter-experts
        name: Technical Lead
        short: TL
        checklists:
          prepare: null
          detect: null
          respond: null
          recover: null
          review: null
          triage:
            - Share first observations from dashboards and logs with the Incident Commander.
          stabilize:
            - Announce every change before making it, and its result after.
        works_with:
          - {role: incident-commander, how: Explain findings and options so the Incident Commander can decide.}
        escalates_to:
          - {role: incident-commander, when: A fix needs a risky change.}
        backups: [scribe]
        card:
          responsibilities: [Diagnose with evidence., Propose fixes with their risks.]
        review: {owner: "@nwh-platform", last_reviewed: 2026-11-20}
        """,
    "roles/scribe.yaml": """\
        name: Scribe
        short: SCR
        summary: Keeps the timeline of the incident as it happens.
        responsibilities:
          - Writes down every decision, action and finding with its time.
        checklists:
          triage: [Open the timeline document and post its link in the channel.]
        works_with:
          - {role: incident-commander, how: Reads back decisions to confirm them.}
        escalates_to:
          - {role: incident-commander, when: A decision is unclear.}
        backups: [comms-officer]
        card:
          first_actions: [Open the timeline., Note the time of the first page.]
        review: {owner: "@nwh-incident-office", last_reviewed: 2026-11-20}
        """,
    "roles/clinical-liaison.yaml": """\
        name: Clinical Liaison
        short: CLN
        summary: Tells the response how an outage affects patient care, and the wards what to do.
        responsibilities:
          - Judges the clinical impact and tells the wards which fallback procedures to use.
        escalates_to:
          - {role: exec-on-call, when: Patient safety is at risk.}
        backups: [comms-officer]
        review: {owner: "@nwh-clinical-safety", last_reviewed: 2026-11-20}
        """,
    "roles/comms-officer.yaml": """\
        name: Comms Officer
        short: CO
        summary: Writes and sends every update to staff, patients and partners.
        responsibilities:
          - Sends updates at the times the priority sets.
        escalates_to:
          - {role: incident-commander, when: A message needs a decision.}
        backups: [scribe]
        review: {owner: "@nwh-communications", last_reviewed: 2026-11-20}
        """,
    "roles/exec-on-call.yaml": """\
        name: Executive on Call
        short: EXEC
        summary: Authorizes what the response cannot decide alone.
        responsibilities:
          - Authorizes diversions, downtime procedures and spending.
        backups: [clinical-liaison]
        review: {owner: "@nwh-executive-office", last_reviewed: 2026-11-20}
        """,
    "roles/activities.yaml": """\
        activities:
          - {id: declare, name: Declare the incident and its priority, phase: triage,
             raci: {incident-commander: AR, technical-lead: C, scribe: I}}
          - {id: keep-timeline, name: Keep the incident timeline, phase: stabilize,
             raci: {scribe: A/R, incident-commander: I}}
          - {id: diagnose, name: Diagnose the fault, phase: stabilize,
             raci: {incident-commander: A, technical-lead: R}}
          - {id: clinical-impact, name: Judge the impact on patient care, phase: triage,
             raci: {clinical-liaison: RA, incident-commander: C}}
          - {id: send-updates, name: Send updates to staff and partners, phase: stabilize,
             raci: {comms-officer: AR, incident-commander: C}}
          - {id: authorize-diversion, name: Authorize ambulance diversion, phase: stabilize, severities: [p1],
             raci: {exec-on-call: A, incident-commander: R, clinical-liaison: C}}
          - {id: run-review, name: Run the incident review, phase: follow-up,
             raci: {incident-commander: A, scribe: R, technical-lead: C}}
        """,
    "site_config/playbook.yaml": """\
        organization: Northwind Health
        version: "2.3"
        published: 2026-11-30
        intro: |
          Who does what when a clinical system fails at Northwind Health. The Scribe keeps the
          timeline that the review starts from.
        role_order: [incident-commander, technical-lead, scribe, clinical-liaison, comms-officer, exec-on-call]
        phases:
          - {id: triage, name: Triage}
          - {id: stabilize, name: Stabilize}
          - {id: follow-up, name: Follow-up, incident: false}
        severities:
          - id: p1
            name: P1 Patient care affected
            description: A clinical system is down and wards use downtime procedures.
            respond_within: 10 minutes
            update_every: 30 minutes
            roles: [incident-commander, technical-lead, scribe, clinical-liaison, comms-officer, exec-on-call]
          - id: p2
            name: P2 Degraded
            description: A clinical system is slow or partly down; care continues.
            roles: [incident-commander, technical-lead, scribe, clinical-liaison, comms-officer]
        """,
    "site_config/contacts.yaml": """\
        contacts:
          incident-commander: {channel: "#nwh-incident", pager: nwh-ic-primary, email: ic@nwh.internal}
          comms-officer: {email: comms@nwh.internal}
        """,
}


def make_foreign_playbook(root: Path) -> Path:
    """The converted playbook in ``root/northwind``, through `rolebook init` as a new organization would."""
    project = root / "northwind"
    result = rolebook("init", str(project), "--organization", ORGANIZATION, cwd=root)
    assert result.returncode == 0, result.stderr
    for rid in ROLE_IDS:
        (project / "roles" / f"{rid}.yaml").unlink()
    for rel, text in FILES.items():
        built_on_default = "extends: default/" in text
        (project / rel).write_text(textwrap.dedent(text) + (NOT_ADOPTED if built_on_default else ""), "utf-8")
    mkdocs = (project / "mkdocs.yml").read_text("utf-8")
    mkdocs = mkdocs.replace("https://example.org/playbook/", "https://playbook.nwh.internal/")
    mkdocs = mkdocs.replace("https://github.com/example/rolebook", "https://git.nwh.internal/ops/playbook")
    (project / "mkdocs.yml").write_text(mkdocs, "utf-8")
    return project
