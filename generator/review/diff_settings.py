"""What changed in the playbook's settings (site_config/): phases, severity levels, contacts and the rest.

Every field of the settings is compared; those without sentences of their own here (a setting added to
the model later, say) are reported generically by ``diff_values``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from generator.core.model import Contact, Phase, Severity, SiteConfig
from generator.review.diff_values import Same, as_is, changed, model_changes, shown

_SAID = ("phases", "severities", "contacts", "role_order")


@dataclass
class SettingsChanges:
    settings: list[str] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)


def settings_changes(
    old: SiteConfig, new: SiteConfig, names: Mapping[str, str], same: Same = as_is
) -> SettingsChanges:
    """Each difference between two versions of the settings, one sentence each, by kind."""
    settings = model_changes("", old, new, same, skip=_SAID)
    if old.role_order != new.role_order:
        settings.append(
            "role order changed to: " + (", ".join(names.get(r, r) for r in new.role_order) or "by id")
        )
    return SettingsChanges(
        settings,
        phase_changes(old.phases, new.phases, same),
        severity_changes(old.severities, new.severities, names, same),
        contact_changes(old.contacts, new.contacts, names, same),
    )


def _order(kind: str, old: Sequence[Phase | Severity], new: Sequence[Phase | Severity]) -> list[str]:
    kept = [item.id for item in new if item.id in {o.id for o in old}]
    if kept == [item.id for item in old if item.id in kept]:
        return []
    return [f"{kind} order changed: " + ", ".join(item.name for item in new)]


def phase_changes(old: Sequence[Phase], new: Sequence[Phase], same: Same = as_is) -> list[str]:
    was = {p.id: p for p in old}
    now = {p.id: p for p in new}
    lines = [f"phase added: {p.name}" for p in new if p.id not in was]
    lines += [f"phase removed: {p.name}" for p in old if p.id not in now]
    for phase in [p for p in new if p.id in was]:
        before = was[phase.id]
        if before.name != phase.name:
            lines.append(f"phase {phase.id} renamed from “{before.name}” to “{phase.name}”")
        if same(before.description or "") != same(phase.description or ""):
            lines.append(changed(f"phase {phase.name}: description", before.description, phase.description))
        lines += model_changes(
            f"phase {phase.name}:", before, phase, same, skip=("id", "name", "description")
        )
    return lines + _order("phase", old, new)


def severity_changes(
    old: Sequence[Severity], new: Sequence[Severity], names: Mapping[str, str], same: Same = as_is
) -> list[str]:
    """Levels added, removed and renamed; per level, the roles engaged gained and lost and each timing."""
    was = {s.id: s for s in old}
    now = {s.id: s for s in new}
    lines = []
    for level in [s for s in new if s.id not in was]:
        engaged = ", ".join(names.get(r, r) for r in level.roles) or "no role"
        lines.append(f"severity level added: {level.name} (engages {engaged})")
    lines += [f"severity level removed: {s.name}" for s in old if s.id not in now]
    for level in [s for s in new if s.id in was]:
        before, name = was[level.id], level.name
        if before.name != name:
            lines.append(f"severity level {level.id} renamed from “{before.name}” to “{name}”")
        lines += [f"{name}: {names.get(r, r)} now engaged" for r in level.roles if r not in before.roles]
        lines += [
            f"{name}: {names.get(r, r)} no longer engaged" for r in before.roles if r not in level.roles
        ]
        for attr in ("respond_within", "update_every"):
            if getattr(before, attr) != getattr(level, attr):
                label = attr.replace("_", " ")
                lines.append(changed(f"{name}: {label}", getattr(before, attr), getattr(level, attr)))
        if same(before.description) != same(level.description):
            lines.append(changed(f"{name}: description", before.description, level.description))
        kept = [r for r in level.roles if r in before.roles]
        if kept != [r for r in before.roles if r in kept]:
            lines.append(
                f"{name}: roles engaged reordered: " + ", ".join(names.get(r, r) for r in level.roles)
            )
        said = ("id", "name", "roles", "respond_within", "update_every", "description")
        lines += model_changes(f"{name}:", before, level, same, skip=said)
    return lines + _order("severity level", old, new)


def contact_changes(
    old: Mapping[str, Contact], new: Mapping[str, Contact], names: Mapping[str, str], same: Same = as_is
) -> list[str]:
    lines = [f"contact added for {names.get(r, r)}: {shown(c)}" for r, c in new.items() if r not in old]
    lines += [f"contact removed for {names.get(r, r)}" for r in old if r not in new]
    for role in [r for r in new if r in old]:
        lines += model_changes(f"{names.get(role, role)} contact:", old[role], new[role], same)
    return lines
