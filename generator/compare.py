"""What changed between two versions of roles and activities, said in playbook terms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .model import Activity, Role

LETTER_NAMES: dict[str, str] = {
    "R": "Responsible",
    "A": "Accountable",
    "C": "Consulted",
    "I": "Informed",
}

_LIST_FIELDS = (
    ("responsibilities", "responsibility"),
    ("handoff", "handoff item"),
    ("backups", "backup"),
    ("skills", "skill"),
    ("training", "training item"),
)
_CARD_FIELDS = (("first_actions", "card first action"), ("do", "card do"), ("dont", "card don't"))


@dataclass(frozen=True)
class RoleChange:
    role_id: str
    base: str  # what the role was compared with, e.g. "default/incident-manager"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Changes:
    """Differences between a playbook and the one it adapts."""

    roles: tuple[RoleChange, ...] = ()
    added: tuple[str, ...] = ()  # role ids not in the base
    removed: tuple[str, ...] = ()  # base role names left out
    activities: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (any(r.lines for r in self.roles) or self.added or self.removed or self.activities)


def _items(kind: str, before: Sequence[str], after: Sequence[str]) -> list[str]:
    lines = [f"{kind} added: “{item}”" for item in after if item not in before]
    lines += [f"{kind} removed: “{item}”" for item in before if item not in after]
    return lines


def role_changes(before: Role, after: Role, names: Mapping[str, str]) -> list[str]:
    """Each difference between two versions of a role, one sentence each."""
    lines: list[str] = []
    for attr, label in (("name", "name"), ("short", "abbreviation"), ("summary", "summary")):
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new:
            lines.append(f"{label} changed from “{old}” to “{new}”")
    for attr, kind in _LIST_FIELDS:
        old_items, new_items = getattr(before, attr), getattr(after, attr)
        if attr == "backups":
            old_items = [names.get(r, r) for r in old_items]
            new_items = [names.get(r, r) for r in new_items]
        lines += _items(kind, old_items, new_items)
    for phase in dict.fromkeys([*before.checklists, *after.checklists]):
        lines += _items(
            f"{phase} checklist item", before.checklists.get(phase, []), after.checklists.get(phase, [])
        )
    for attr, kind in _CARD_FIELDS:
        lines += _items(kind, getattr(before.card, attr), getattr(after.card, attr))
    for attr, verb, detail in (("works_with", "works with", "how"), ("escalates_to", "escalates to", "when")):
        old_links = {link.role: getattr(link, detail) for link in getattr(before, attr)}
        new_links = {link.role: getattr(link, detail) for link in getattr(after, attr)}
        for role in [r for r in new_links if r not in old_links]:
            lines.append(f"now {verb} {names.get(role, role)}")
        for role in [r for r in old_links if r not in new_links]:
            lines.append(f"no longer {verb} {names.get(role, role)}")
        for role in [r for r in new_links if r in old_links]:
            if old_links[role] != new_links[role]:
                lines.append(f"{verb} {names.get(role, role)}: {detail} changed to “{new_links[role]}”")
    if before.review.owner != after.review.owner:
        lines.append(f"owner changed from {before.review.owner} to {after.review.owner}")
    return sorted(set(lines), key=lines.index)


def activity_changes(
    before: Iterable[Activity], after: Iterable[Activity], names: Mapping[str, str]
) -> list[str]:
    """Activities added and removed, and each RACI letter that moved, one sentence each."""
    old = {a.id: a for a in before}
    new = {a.id: a for a in after}
    lines = [f"activity added: {a.name}" for a_id, a in new.items() if a_id not in old]
    lines += [f"activity removed: {a.name}" for a_id, a in old.items() if a_id not in new]
    for a_id in [i for i in new if i in old]:
        was, now = old[a_id], new[a_id]
        if was.name != now.name:
            lines.append(f"{was.name}: renamed to “{now.name}”")
        if was.phase != now.phase:
            lines.append(f"{now.name}: moved from phase {was.phase} to {now.phase}")
        lines += _raci_moves(now.name, was.raci, now.raci, names)
    return lines


def _raci_moves(
    activity: str, was: Mapping[str, str], now: Mapping[str, str], names: Mapping[str, str]
) -> list[str]:
    lines = []
    old_a = [r for r, letter in was.items() if letter == "A"]
    new_a = [r for r, letter in now.items() if letter == "A"]
    moved = len(old_a) == len(new_a) == 1 and old_a != new_a
    if moved:
        lines.append(
            f"{activity}: Accountable moves from {names.get(old_a[0], old_a[0])} to {names.get(new_a[0], new_a[0])}"
        )
    for role in dict.fromkeys([*was, *now]):
        before, after = was.get(role), now.get(role)
        name = names.get(role, role)
        if before == after or (moved and role == new_a[0]) or (moved and role == old_a[0] and after is None):
            continue  # unchanged, or said by the line above
        if before is None or (moved and role == old_a[0]):
            lines.append(f"{activity}: {name} is now {LETTER_NAMES[str(after)]}")
        elif after is None:
            lines.append(f"{activity}: {name} is no longer {LETTER_NAMES[before]}")
        else:
            lines.append(f"{activity}: {name} changes from {LETTER_NAMES[before]} to {LETTER_NAMES[after]}")
    return lines


def compare_playbooks(
    base_roles: Mapping[str, Role],
    base_activities: Sequence[Activity],
    roles: Mapping[str, Role],
    activities: Sequence[Activity],
    bases: Mapping[str, str],
    base_label: str = "default",
) -> Changes:
    """How ``roles``/``activities`` differ from the base set they adapt."""
    names = {rid: r.name for rid, r in base_roles.items()} | {rid: r.name for rid, r in roles.items()}
    compared: list[RoleChange] = []
    added: list[str] = []
    used: set[str] = set()
    for rid, role in roles.items():
        base = bases.get(rid, f"{base_label}/{rid}" if rid in base_roles else "")
        base_id = base.removeprefix(f"{base_label}/") if base.startswith(f"{base_label}/") else None
        if base_id is None or base_id not in base_roles:
            added.append(rid)
            continue
        used.add(base_id)
        compared.append(RoleChange(rid, base, tuple(role_changes(base_roles[base_id], role, names))))
    removed = tuple(r.name for rid, r in base_roles.items() if rid not in used)
    return Changes(
        tuple(compared), tuple(added), removed, tuple(activity_changes(base_activities, activities, names))
    )
