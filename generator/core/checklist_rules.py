"""Rules for checklist items and time boxes: ids unique within a role, every `within` placed in a time box
of the settings, time boxes in order. Each problem is reported where it is written."""

from __future__ import annotations

import difflib

from generator.core.checklist_items import minutes
from generator.core.playbook import box_for
from generator.core.rules import RuleContext
from generator.core.yaml_loading import Path_


def check_time_boxes(ctx: RuleContext) -> None:
    """The settings' time boxes: unique ids, ids that cannot be read as durations, ends in increasing
    order, and only the last box without an end."""
    if ctx.config is None:
        return
    boxes = ctx.config.time_boxes
    seen: set[str] = set()
    names: set[str] = set()
    last = 0
    for i, box in enumerate(boxes):
        if box.id in seen:
            ctx.add_config(("time_boxes", i, "id"), f"duplicate id '{box.id}' in time_boxes")
        if box.name.casefold() in names:
            ctx.add_config(
                ("time_boxes", i, "name"), f"time box name '{box.name}' is already used by another box"
            )
        seen.add(box.id)
        names.add(box.name.casefold())
        if minutes(box.id) is not None:
            ctx.add_config(
                ("time_boxes", i, "id"),
                f"time box id '{box.id}' reads as a duration; give it a name-like id such as first-hour",
            )
        if box.within is None:
            if i != len(boxes) - 1:
                ctx.add_config(
                    ("time_boxes", i),
                    f"time box '{box.id}' has no end (within), so it must be the last box; "
                    "give it an end or move it last",
                )
            continue
        end = minutes(box.within) or 0
        if end <= last:
            ctx.add_config(
                ("time_boxes", i, "within"),
                f"time box '{box.id}' ends at {box.within}, no later than the box before it; "
                "list time boxes from the earliest end to the latest",
            )
        last = max(last, end)


def check_checklist_items(ctx: RuleContext) -> None:
    """Per role: each item's id once across its phases, and each `within` in a time box of an incident phase."""
    config = ctx.config
    incident_phases = {p.id for p in config.phases if p.incident} if config is not None else None
    for rid, role in ctx.roles.items():
        file = ctx.role_files[rid]
        first: dict[str, Path_] = {}
        for phase, items in role.checklists.items():
            for i, item in enumerate(items):
                here: Path_ = ("checklists", phase, i)
                if item.id.startswith("handoff-"):
                    ctx.add(
                        file,
                        (*here, "id"),
                        f"checklist item id '{item.id}': ids starting with 'handoff-' belong to the handoff "
                        "checklist's items; choose another",
                    )
                if item.id in first:
                    there, spot = ctx.where(file, first[item.id])
                    place = (
                        f"line {spot.line}" if there == ctx.where(file, here)[0] else f"{there}:{spot.line}"
                    )
                    ctx.add(file, here, _duplicate(item.id, first[item.id], place))
                else:
                    first[item.id] = here
                if item.within is None or config is None or incident_phases is None:
                    continue
                at: Path_ = (*here, "within")
                if phase not in incident_phases:
                    if phase in {p.id for p in config.phases}:  # an unknown phase is reported once, elsewhere
                        ctx.add(
                            file,
                            at,
                            f"'within' times an item during an incident, and phase '{phase}' is outside "
                            "one (incident: false); remove 'within' or move the item",
                        )
                    continue
                if box_for(item.within, config.time_boxes) is None:
                    ctx.add(file, at, _no_box(item.within, [b.id for b in config.time_boxes]))


def _duplicate(item_id: str, first: Path_, place: str) -> str:
    return (
        f"checklist item id '{item_id}' is already used by {first[1]} item {int(first[2]) + 1} ({place}); "
        "ids key the incident log and translations, so give one of them an id of its own "
        "(write the item as `- text: ...` with `id: ...`)"
    )


def _no_box(within: str, boxes: list[str]) -> str:
    if minutes(within) is not None:
        return (
            f"'within: {within}' is later than the end of the last time box; add a time box without an end "
            "(until resolved) to the settings' time_boxes, or shorten it"
        )
    close = difflib.get_close_matches(within, boxes, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return (
        f"'within: {within}' is neither a duration (such as 15 minutes) nor a time box; {hint}"
        f"the time boxes are: {', '.join(boxes)}"
    )
