"""What changed between two versions of roles and activities, said in playbook terms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from generator.core.changes import Changes, RoleChange
from generator.core.model import Activity, Card, Escalation, Role, WorksWith
from generator.review.diff_activities import activity_changes
from generator.review.diff_checklists import checklist_changes
from generator.review.diff_values import Same, as_is, changed, items, label_of, model_changes, value_changes

__all__ = ["Changes", "RoleChange", "activity_changes", "compare_playbooks", "role_changes"]

_LIST_FIELDS = (
    ("responsibilities", "responsibility"),
    ("handoff", "handoff item"),
    ("backups", "backup"),
    ("skills", "skill"),
    ("training", "training item"),
)
_CARD_FIELDS = (("first_actions", "card first action"), ("do", "card do"), ("dont", "card don't"))
_LINKS = (("works_with", "works with", "how"), ("escalates_to", "escalates to", "when"))
# Fields with sentences of their own below; any other field of a role is still reported, generically.
_SAID = {"name", "short", "summary", "reports_to", "checklists", "card", "review"}
_SAID |= {attr for attr, _ in _LIST_FIELDS} | {attr for attr, _, _ in _LINKS}


def role_changes(before: Role, after: Role, names: Mapping[str, str], same: Same = as_is) -> list[str]:
    """Each difference between two versions of a role, one sentence each (text compared through ``same``)."""
    lines: list[str] = []
    for attr, label in (("name", "name"), ("short", "abbreviation")):
        if getattr(before, attr) != getattr(after, attr):
            lines.append(changed(label, getattr(before, attr), getattr(after, attr)))
    if same(before.summary) != same(after.summary):
        lines.append(changed("summary", before.summary, after.summary))
    if before.reports_to != after.reports_to:
        old, new = (names.get(r, r) if r else None for r in (before.reports_to, after.reports_to))
        lines.append(changed("reports to", old, new))
    for attr, kind in _LIST_FIELDS:
        old_items, new_items = getattr(before, attr), getattr(after, attr)
        if attr == "backups":
            old_items, new_items = [names.get(r, r) for r in old_items], [names.get(r, r) for r in new_items]
        lines += items(kind, old_items, new_items, same)
    lines += checklist_changes(before.checklists, after.checklists, same)
    for attr, verb, detail in _LINKS:
        lines += _link_changes(getattr(before, attr), getattr(after, attr), verb, detail, names, same)
    lines += _card_changes(before.card, after.card, same)
    if before.review.owner != after.review.owner:
        lines.append(f"owner changed from {before.review.owner} to {after.review.owner}")
    lines += model_changes("", before.review, after.review, same, skip=("owner",))
    lines += [
        line
        for attr in type(after).model_fields
        if attr not in _SAID
        for line in value_changes(label_of(attr), getattr(before, attr), getattr(after, attr), same)
    ]
    return sorted(set(lines), key=lines.index)


def _link_changes(
    before: Sequence[WorksWith | Escalation],
    after: Sequence[WorksWith | Escalation],
    verb: str,
    detail: str,
    names: Mapping[str, str],
    same: Same,
) -> list[str]:
    """Roles worked with (or escalated to) gained and lost, what changed about each, and their order."""
    old_links = {link.role: link for link in before}
    new_links = {link.role: link for link in after}
    lines = [f"now {verb} {names.get(role, role)}" for role in new_links if role not in old_links]
    lines += [f"no longer {verb} {names.get(role, role)}" for role in old_links if role not in new_links]
    for role in [r for r in new_links if r in old_links]:
        was, now = old_links[role], new_links[role]
        if same(getattr(was, detail)) != same(getattr(now, detail)):
            lines.append(f"{verb} {names.get(role, role)}: {detail} changed to “{getattr(now, detail)}”")
        lines += model_changes(f"{verb} {names.get(role, role)}:", was, now, same, skip=("role", detail))
    kept = [r for r in new_links if r in old_links]
    if kept != [r for r in old_links if r in new_links]:
        lines.append(f"{verb} order changed: {', '.join(names.get(r, r) for r in new_links)}")
    return lines


def _card_changes(before: Card, after: Card, same: Same) -> list[str]:
    lines = []
    for attr, kind in _CARD_FIELDS:
        lines += items(kind, getattr(before, attr), getattr(after, attr), same)
    old, new = before.responsibilities, after.responsibilities
    if old is None and new is not None:
        lines.append(
            "the card now lists key responsibilities of its own instead of the role's responsibilities"
        )
    elif old is not None and new is None:
        lines.append(
            "the card now lists the role's responsibilities instead of key responsibilities of its own"
        )
    lines += items("card key responsibility", old or [], new or [], same)
    skip = ("responsibilities", *(attr for attr, _ in _CARD_FIELDS))
    return lines + model_changes("card", before, after, same, skip=skip)


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
