"""What changed in a role's checklists, item by item: items are matched by their stable ids, so a reworded
item with an id of its own reads as reworded, and a move to another phase as a move."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from generator.core.checklist_items import derived_id
from generator.core.model import ChecklistItem
from generator.review.diff_values import Same, as_is, changed, shown

Checklists = Mapping[str, Sequence[ChecklistItem]]


def _by_id(checklists: Checklists) -> dict[str, tuple[str, int, ChecklistItem]]:
    return {
        item.id: (phase, index, item)
        for phase, items in checklists.items()
        for index, item in enumerate(items)
    }


def _detail(item: ChecklistItem) -> str:
    """An added item's id (when it has one of its own) and time."""
    parts = ([] if _derived(item) else [f"id {item.id}"]) + ([f"within {item.within}"] if item.within else [])
    return f" ({', '.join(parts)})" if parts else ""


def _derived(item: ChecklistItem) -> bool:
    return item.id == derived_id(item.text)


def checklist_changes(before: Checklists, after: Checklists, same: Same = as_is) -> list[str]:
    """One sentence per item added, removed, reworded, retimed or moved, and per phase whose order changed."""
    old, new = _by_id(before), _by_id(after)
    added = [key for key in new if key not in old]
    removed = [key for key in old if key not in new]
    lines: list[str] = []
    # An item without an id of its own whose text changed: its derived id changed with it. Said once, with
    # the way to keep the id (the incident log and translations key on it).
    for key in list(added):
        phase, index, item = new[key]
        earlier = next((k for k in removed if old[k][:2] == (phase, index) and _derived(old[k][2])), None)
        if earlier is None or not _derived(item):
            continue
        added.remove(key)
        removed.remove(earlier)
        lines.append(
            f"{phase} checklist item {index + 1} reworded to {shown(item.text)}; its derived id changes from "
            f"{earlier} to {key}: to keep ticks and translations keyed to it, write it with `id: {earlier}`"
        )
    for key in list(added):  # the same text under another id: the id changed
        phase, _, item = new[key]
        previous = next(
            (k for k in removed if old[k][0] == phase and same(old[k][2].text) == same(item.text)), None
        )
        if previous is not None:
            added.remove(key)
            removed.remove(previous)
            lines.append(
                f"{phase} checklist item id changed from {previous} to {key}: ticks logged and translations kept "
                f"under {previous} no longer match it"
            )
    lines += [f"{new[k][0]} checklist item added: {shown(new[k][2].text)}{_detail(new[k][2])}" for k in added]
    lines += [f"{old[k][0]} checklist item removed: {shown(old[k][2].text)}" for k in removed]
    for key in [k for k in new if k in old]:
        (was_phase, _, was), (phase, _, now) = old[key], new[key]
        label = f"{phase} checklist item '{key}'"
        if was_phase != phase:
            lines.append(f"checklist item '{key}' moved from {was_phase} to {phase}")
        if same(was.text) != same(now.text):
            lines.append(changed(f"{label} text", was.text, now.text))
        if was.within != now.within:
            lines.append(changed(f"{label} time (within)", was.within, now.within))
    for phase in dict.fromkeys([*before, *after]):
        kept_old = [i.id for i in before.get(phase, ()) if i.id in new and new[i.id][0] == phase]
        kept_new = [i.id for i in after.get(phase, ()) if i.id in old and old[i.id][0] == phase]
        if kept_old != kept_new:
            lines.append(f"{phase} checklist order changed: {', '.join(kept_new)}")
    return lines
