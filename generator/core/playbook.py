"""The validated playbook: every role, activity and setting, cross-checked and in site order."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from generator.core.checklist_items import derived_ids, minutes
from generator.core.fields import Letter
from generator.core.guidance import DecisionRight, TimeTarget
from generator.core.model import Activity, ChecklistItem, Phase, Role, Severity, SiteConfig, TimeBox
from generator.diagnostics import Diagnostic


@dataclass(frozen=True)
class ChecklistGroup:
    """Checklist items shown under one heading: a time box's, or a phase's when none of the role's items
    during an incident has a time of its own."""

    id: str
    name: str
    entries: tuple[tuple[Phase, ChecklistItem], ...]


def box_for(within: str | None, boxes: Sequence[TimeBox]) -> TimeBox | None:
    """The time box an item's ``within`` puts it in: the named box, or the first that ends no earlier than
    the duration; no ``within``, the last box. None when nothing fits (the rules report it)."""
    if within is None:
        return boxes[-1]
    wanted = minutes(within)
    if wanted is None:
        return next((box for box in boxes if box.id == within), None)
    for box in boxes:
        limit = minutes(box.within) if box.within else None
        if limit is None or limit >= wanted:
            return box
    return None


# The role fields whose entries say where they come from (``source``), and how a page names them.
GUIDANCE = (
    ("time_targets", "time targets"),
    ("scripts", "scripts"),
    ("decision_rights", "decision rights"),
    ("conflicts", "conflicts"),
    ("anti_patterns", "pitfalls"),
    ("guidance", "sections"),
    ("messages", "message templates"),
)


def engages(level: Severity, role_id: str) -> bool:
    """Whether a severity level engages a role: a level that lists no roles engages every one."""
    return not level.roles or role_id in level.roles


@dataclass(frozen=True)
class Playbook:
    """What every renderer and exporter reads. Built only by ``project.load_playbook``."""

    config: SiteConfig
    roles: dict[str, Role]
    activities: tuple[Activity, ...]
    role_files: dict[str, str]
    activity_file: str
    config_files: dict[str, str] = field(default_factory=dict)  # top-level setting -> file
    card_lines: dict[str, int] = field(default_factory=dict)  # role id -> line of its 'card:' key
    review_at: dict[str, tuple[int, int]] = field(default_factory=dict)  # role id -> where its review date is
    bases: dict[str, str] = field(default_factory=dict)  # role id -> what its file extends
    renames: dict[str, str] = field(default_factory=dict)  # old role name or abbreviation -> new one
    warnings: tuple[Diagnostic, ...] = field(default=())

    def phase(self, phase_id: str) -> Phase:
        return next(p for p in self.config.phases if p.id == phase_id)

    def activities_by_phase(self) -> list[tuple[Phase, list[Activity]]]:
        """Phases in their configured order, each with its activities in file order."""
        return [(phase, [a for a in self.activities if a.phase == phase.id]) for phase in self.config.phases]

    def letters_of(self, role_id: str) -> list[tuple[Activity, Letter]]:
        """The role's own RACI row: every activity it takes part in, in phase order."""
        return list(self._rows.get(role_id, ()))

    def backed_up_by(self, role_id: str) -> list[str]:
        """The roles that list ``role_id`` as a backup, i.e. the ones it can cover."""
        return list(self._covers.get(role_id, ()))

    def applies_at(self, activity: Activity) -> str:
        """The severity levels an activity is limited to, by name ("" when it applies at every level)."""
        if activity.severities is None:
            return ""
        names = {s.id: s.name for s in self.config.severities}
        return ", ".join(names.get(s, s) for s in activity.severities) or "no severity level"

    def reports_to(self, role_id: str) -> str | None:
        """The role ``role_id`` reports to during an incident: its ``reports_to``, or else the first role it
        escalates to; None for the top of the chain."""
        role = self.roles[role_id]
        wanted = role.reports_to or next((e.role for e in role.escalates_to), None)
        return wanted if wanted in self.roles and wanted != role_id else None

    def escalated_from(self, role_id: str) -> list[str]:
        """The roles that escalate to ``role_id``: a role with escalations of its own below it and none
        above it is the top of the escalation path."""
        return list(self._escalations.get(role_id, ()))

    def during_incident(self, role_id: str) -> list[ChecklistGroup]:
        """The role's checklist items of the phases during an incident, by time box in the settings' order
        (in each box, by phase, then as written); by phase when none of them has a time of its own."""
        entries = [
            (phase, item)
            for phase in self.config.phases
            if phase.incident
            for item in self.roles[role_id].checklists.get(phase.id, ())
        ]
        if not any(item.within for _, item in entries):
            return [
                ChecklistGroup(phase.id, phase.name, tuple(e for e in entries if e[0] is phase))
                for phase in dict.fromkeys(phase for phase, _ in entries)
            ]
        boxes = self.config.time_boxes
        placed = {
            box.id: [e for e in entries if (box_for(e[1].within, boxes) or boxes[-1]) is box] for box in boxes
        }
        return [ChecklistGroup(box.id, box.name, tuple(placed[box.id])) for box in boxes if placed[box.id]]

    def outside_incident(self, role_id: str) -> list[tuple[Phase, list[ChecklistItem]]]:
        """The role's checklists of the phases before and after an incident (such as prepare and review)."""
        checklists = self.roles[role_id].checklists
        return [
            (phase, list(checklists[phase.id]))
            for phase in self.config.phases
            if not phase.incident and checklists.get(phase.id)
        ]

    def handoff_items(self, role_id: str) -> list[tuple[str, str]]:
        """The role's handoff checklist as (id, text): ids derived from each text, prefixed 'handoff-'."""
        texts = self.roles[role_id].handoff
        return list(zip(derived_ids(texts, "handoff-"), texts, strict=True))

    def decision_rights(self, role_id: str) -> list[DecisionRight]:
        """The role's decision rights at the levels that engage it, in the settings' order."""
        rights = {r.severity: r for r in self.roles[role_id].decision_rights}
        return [rights[s.id] for s in self.config.severities if s.id in rights and engages(s, role_id)]

    def time_targets(self, role_id: str) -> list[TimeTarget]:
        """The role's time targets that hold at a level engaging it, each with only those levels."""
        engaging = [s.id for s in self.config.severities if engages(s, role_id)]
        kept: list[TimeTarget] = []
        for target in self.roles[role_id].time_targets:
            if target.severities is None:
                kept.append(target)
            elif levels := [s for s in target.severities if s in engaging]:
                kept.append(target.model_copy(update={"severities": levels}))
        return kept

    def severity_name(self, severity_id: str) -> str:
        return next((s.name for s in self.config.severities if s.id == severity_id), severity_id)

    def activity(self, activity_id: str | None) -> Activity | None:
        return next((a for a in self.activities if a.id == activity_id), None)

    def doers(self, activity_id: str | None) -> list[tuple[str, Letter]]:
        """The roles Accountable or Responsible for an activity, with their letters, the Accountable first;
        none when there is no such activity."""
        activity = self.activity(activity_id)
        if activity is None:
            return []
        ranked = sorted(activity.raci.items(), key=lambda kv: "A" not in kv[1])
        return [(rid, letter) for rid, letter in ranked if letter in ("A", "R", "AR") and rid in self.roles]

    def consulted(self, activity_id: str | None) -> list[str]:
        """The roles Consulted on an activity, in playbook order."""
        activity = self.activity(activity_id)
        raci = activity.raci if activity is not None else {}
        return [rid for rid in self.roles if raci.get(rid) == "C"]

    def adopted(self, role_id: str, source: str = "practice") -> list[tuple[str, int]]:
        """How many of the role's guidance entries of each kind come from ``source`` ("practice": beyond
        the guide the defaults are built from), e.g. [("scripts", 8)]; kinds with none left out."""
        role = self.roles[role_id]
        counts = [
            (label, sum(1 for e in getattr(role, field) if e.source == source)) for field, label in GUIDANCE
        ]
        return [(label, n) for label, n in counts if n]

    def adopting(self, source: str = "practice") -> list[str]:
        """The roles carrying guidance entries from ``source``, in playbook order."""
        return [rid for rid in self.roles if self.adopted(rid, source)]

    def engaged_at(self, role_id: str) -> list[Severity]:
        """The severity levels that engage the role."""
        return [level for level in self.config.severities if role_id in level.roles]

    # Indexes made once, on first use, so a page per role does not walk every activity or role again.
    @functools.cached_property
    def _rows(self) -> dict[str, list[tuple[Activity, Letter]]]:
        rows: dict[str, list[tuple[Activity, Letter]]] = {}
        for _, activities in self.activities_by_phase():
            for activity in activities:
                for role_id, letter in activity.raci.items():
                    rows.setdefault(role_id, []).append((activity, letter))
        return rows

    @functools.cached_property
    def _escalations(self) -> dict[str, list[str]]:
        below: dict[str, list[str]] = {}
        for rid, role in self.roles.items():
            for target in dict.fromkeys(e.role for e in role.escalates_to):
                below.setdefault(target, []).append(rid)
        return below

    @functools.cached_property
    def _covers(self) -> dict[str, list[str]]:
        covers: dict[str, list[str]] = {}
        for rid, role in self.roles.items():
            for backup in dict.fromkeys(role.backups):
                covers.setdefault(backup, []).append(rid)
        return covers
