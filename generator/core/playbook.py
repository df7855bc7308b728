"""The validated playbook: every role, activity and setting, cross-checked and in site order."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from generator.core.model import Activity, Letter, Phase, Role, SiteConfig
from generator.diagnostics import Diagnostic


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

    def escalated_from(self, role_id: str) -> list[str]:
        """The roles that escalate to ``role_id``: a role with escalations of its own below it and none
        above it is the top of the escalation path."""
        return list(self._escalations.get(role_id, ()))

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
