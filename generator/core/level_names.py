"""The defaults' severity levels carried to a playbook's own, as role names are carried to their renames.

The default roles' guidance names the defaults' levels: decision rights for `sev1`, time targets at `sev2`,
text such as "at SEV1". A playbook with levels of its own and as many of them (three) takes them in order,
the most severe first: `sev1` is its first level, "SEV1 Critical" its first level's name and "SEV1" that
name's first word (where the first words tell the levels apart). With another number of levels nothing is
carried: what the defaults give for their levels is left out, and text naming them is reported.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

from generator.core.defaults import DEFAULTS_LABEL, defaults_root
from generator.core.model import Severity
from generator.core.overlay_merge import Merged
from generator.core.yaml_loading import Path_


@functools.cache
def default_levels() -> tuple[tuple[str, str], ...]:
    """The defaults' severity levels as (id, name), most severe first."""
    try:
        data = yaml.safe_load((defaults_root() / "site_config" / "playbook.yaml").read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        return ()
    listed = data.get("severities") if isinstance(data, dict) else None
    return tuple(
        (str(s["id"]), str(s["name"]))
        for s in listed or []
        if isinstance(s, dict) and s.get("id") and s.get("name")
    )


def default_level_labels() -> tuple[str, ...]:
    """How text names the defaults' levels: "SEV1 Critical" and "SEV1"."""
    return tuple(dict.fromkeys(label for _, name in default_levels() for label in (name, name.split()[0])))


def level_ids(levels: list[Severity]) -> dict[str, str]:
    """Default level id -> the playbook's level in the same place; empty when the numbers differ or
    the playbook has the defaults' ids."""
    ours = default_levels()
    if len(ours) != len(levels) or [i for i, _ in ours] == [s.id for s in levels]:
        return {}
    return {old: new.id for (old, _), new in zip(ours, levels, strict=True) if old != new.id}


def level_renames(levels: list[Severity]) -> dict[str, str]:
    """Default level name (and its first word) -> the playbook's, for levels carried in order."""
    ours = default_levels()
    if len(ours) != len(levels):
        return {}
    renames = {old: new.name for (_, old), new in zip(ours, levels, strict=True) if old != new.name}
    firsts = [s.name.split()[0] for s in levels]
    if len(set(firsts)) == len(firsts):
        for (_, old), first in zip(ours, firsts, strict=True):
            if old.split()[0] != first:
                renames[old.split()[0]] = first
    return renames


def carried_levels(merged: Merged, ids: dict[str, str]) -> Any:
    """A merged role's data with the levels its inherited decision rights and time targets name carried to
    the playbook's (``level_ids``); its own entries stay as written."""
    data = merged.data
    if not ids or not isinstance(data, dict):
        return data

    def inherited(path: Path_) -> bool:
        return merged.origin(path)[0].startswith(DEFAULTS_LABEL)

    def carry(value: Any) -> Any:
        return ids.get(value, value) if isinstance(value, str) else value

    out = dict(data)
    rights = out.get("decision_rights")
    if isinstance(rights, list):
        out["decision_rights"] = [
            {**r, "severity": carry(r.get("severity"))}
            if isinstance(r, dict) and inherited(("decision_rights", i, "severity"))
            else r
            for i, r in enumerate(rights)
        ]
    targets = out.get("time_targets")
    if isinstance(targets, list):
        out["time_targets"] = [
            {**t, "severities": [carry(s) for s in t["severities"]]}
            if isinstance(t, dict)
            and isinstance(t.get("severities"), list)
            and inherited(("time_targets", i, "severities"))
            else t
            for i, t in enumerate(targets)
        ]
    return out


def carried_activity_levels(merged: Merged, ids: dict[str, str]) -> Any:
    """Merged activities with the levels the inherited ones are limited to carried to the playbook's."""
    data = merged.data
    listed = data.get("activities") if isinstance(data, dict) else None
    if not ids or not isinstance(listed, list):
        return data
    activities = [
        {**a, "severities": [ids.get(s, s) if isinstance(s, str) else s for s in a["severities"]]}
        if isinstance(a, dict)
        and isinstance(a.get("severities"), list)
        and merged.origin(("activities", i, "severities"))[0].startswith(DEFAULTS_LABEL)
        else a
        for i, a in enumerate(listed)
    ]
    return {**data, "activities": activities}
