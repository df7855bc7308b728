"""The library of optional roles that ships with rolebook: a role added with ``extends: library/<id>``.

Each library role is a complete role file, ``library/roles/<id>.yaml``, and brings its part of the RACI
matrix, ``library/activities/<id>.yaml``:

    activities:           # activities it adds; its own id in a raci stands for the role that adds it
      - {id: keep-timeline, name: Keep the incident timeline, phase: respond,
         raci: {incident-manager: A, scribe: R}}
    joins:                # letters it takes in the playbook's activities, where the playbook has them
      open-channel: R
    engaged: [sev1, sev2]  # the severity levels that engage it; default: every level of the playbook

They join the defaults' activities before a playbook's activity overlay applies, so the overlay changes or
removes them like the defaults'; after an activity file of the playbook's own, where an activity of the
same id replaces the library's and a letter the file gives the role replaces its join. A playbook
whose settings name the role at some severity level engages it there only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from generator.core.defaults import DEFAULT_PREFIX, DEFAULTS_LABEL, defaults_root
from generator.core.model import SiteConfig
from generator.core.overlay_merge import Merged
from generator.core.yaml_loading import Path_, YamlDoc, YamlProblem, decode, parse_yaml

LIBRARY_PREFIX = "library"  # `extends: library/<id>`
LIBRARY_LABEL = f"{DEFAULTS_LABEL}/library"  # located like the defaults

Origin = tuple[str, Path_]


@dataclass(frozen=True)
class LibraryDocs:
    roles: dict[str, YamlDoc]
    activities: dict[str, YamlDoc]


def _parsed(folder: str) -> dict[str, YamlDoc]:
    docs: dict[str, YamlDoc] = {}
    for file in sorted((defaults_root() / "library" / folder).glob("*.yaml")):
        try:
            doc = parse_yaml(decode(file.read_bytes()), f"{LIBRARY_LABEL}/{folder}/{file.name}")
        except (YamlProblem, OSError):
            continue  # the library is checked as a project by the tests; a broken file is not offered
        if isinstance(doc.data, dict):
            docs[file.stem] = doc
    return docs


@functools.cache
def library_docs() -> LibraryDocs:
    """The library's role and activity files, parsed once per process."""
    return LibraryDocs(_parsed("roles"), _parsed("activities"))


@dataclass
class Brought:
    """What the library roles of a playbook bring into its activities, with where each part is written."""

    activities: list[tuple[dict[str, Any], Origin]] = field(default_factory=list)
    joins: list[tuple[str, str, str, Origin]] = field(default_factory=list)  # activity, role, letter, origin
    docs: dict[str, YamlDoc] = field(default_factory=dict)


def stand_ins(docs: dict[str, YamlDoc]) -> dict[str, str]:
    """Default role id -> the project role that stands for it under an id of its own: the one role
    built on that default (``extends: default/<id>``) in a project without a role of the default's id.
    A library role naming the default names that role."""
    bases = {rid: doc.data.get("extends") for rid, doc in docs.items() if isinstance(doc.data, dict)}
    found: dict[str, str] = {}
    for rid, base in bases.items():
        if not isinstance(base, str) or not base.startswith(f"{DEFAULT_PREFIX}/"):
            continue
        default_id = base.removeprefix(f"{DEFAULT_PREFIX}/")
        if default_id != rid and default_id not in docs and list(bases.values()).count(base) == 1:
            found[default_id] = rid
    return found


def with_stand_ins(data: Any, ids: dict[str, str]) -> Any:
    """A library role's data with the ids of the roles it names (works_with, escalates_to, backups,
    reports_to) changed to their stand-ins."""
    if not ids or not isinstance(data, dict):
        return data
    out = dict(data)
    for key in ("works_with", "escalates_to"):
        if isinstance(out.get(key), list):
            out[key] = [
                {**e, "role": ids.get(e["role"], e["role"])}
                if isinstance(e, dict) and isinstance(e.get("role"), str)
                else e
                for e in out[key]
            ]
    if isinstance(out.get("backups"), list):
        out["backups"] = [ids.get(b, b) if isinstance(b, str) else b for b in out["backups"]]
    if isinstance(out.get("reports_to"), str):
        out["reports_to"] = ids.get(out["reports_to"], out["reports_to"])
    return out


def _renamed(raci: Any, ids: dict[str, str], present: set[str]) -> Any:
    """The letters with ids carried to the project's; a letter of a role the project does not have is
    left out, unless it is the Accountable one (the activity needs it: reported)."""
    if not isinstance(raci, dict):
        return raci
    carried = {ids.get(key, key): letter for key, letter in raci.items()}
    return {k: v for k, v in carried.items() if k in present or v in ("A", "AR", "A/R")}


def brought(bases: dict[str, str], stand_for: dict[str, str], present: set[str]) -> Brought:
    """The activities and joins of every library role a project role extends (``bases``: role id ->
    what it extends), the library's id in them changed to the project role's and the default roles'
    ids to their stand-ins (``stand_ins``); letters of roles not ``present`` in the project left out,
    but for the Accountable one."""
    result = Brought()
    for role_id, base in sorted(bases.items()):
        library_id = base.removeprefix(f"{LIBRARY_PREFIX}/")
        doc = library_docs().activities.get(library_id) if base != library_id else None
        if doc is None:
            continue
        result.docs[doc.path] = doc
        listed = doc.data.get("activities")
        ids = {**stand_for, library_id: role_id}
        for i, activity in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(activity, dict):
                renamed = {**activity, "raci": _renamed(activity.get("raci"), ids, present)}
                result.activities.append((renamed, (doc.path, ("activities", i))))
        joins = doc.data.get("joins") or {}
        for activity_id, letter in joins.items() if isinstance(joins, dict) else ():
            result.joins.append((str(activity_id), role_id, str(letter), (doc.path, ("joins", activity_id))))
    return result


def with_library(merged: Merged, extra: Brought) -> Merged:
    """The merged activities with the library's added after them (all but those of an id already
    there, the playbook's own), then its joins where the activity is there and gives the role no
    letter yet; each added value is located in the library file it comes from."""
    listed = merged.data.get("activities") if isinstance(merged.data, dict) else None
    if not (extra.activities or extra.joins) or not isinstance(listed, list):
        return merged
    activities = [dict(a) if isinstance(a, dict) else a for a in listed]
    origins = dict(merged.origins)
    ids = [a.get("id") if isinstance(a, dict) else None for a in activities]
    for activity, origin in extra.activities:
        if activity.get("id") not in ids:
            origins[("activities", len(activities))] = origin
            activities.append(activity)
            ids.append(activity.get("id"))
    for activity_id, role_id, letter, origin in extra.joins:
        if activity_id not in ids:
            continue
        index = ids.index(activity_id)
        raci = activities[index].get("raci")
        if isinstance(raci, dict) and role_id not in raci:
            activities[index] = {**activities[index], "raci": {**raci, role_id: letter}}
            origins[("activities", index, "raci", role_id)] = origin
    return Merged({**merged.data, "activities": activities}, origins)


def engaged(config: SiteConfig, bases: dict[str, str]) -> SiteConfig:
    """The settings with each library role engaged at the severity levels its activities file lists under
    ``engaged:`` (every level when it lists none), unless the settings already name the role at some
    level: then the playbook's own choice stands."""
    named = {rid for level in config.severities for rid in level.roles}
    wanted: dict[str, list[str] | None] = {}
    for role_id, base in sorted(bases.items()):
        if not base.startswith(f"{LIBRARY_PREFIX}/") or role_id in named:
            continue
        doc = library_docs().activities.get(base.removeprefix(f"{LIBRARY_PREFIX}/"))
        if doc is None:
            continue
        levels = doc.data.get("engaged")
        wanted[role_id] = [str(s) for s in levels] if isinstance(levels, list) else None
    if not wanted:
        return config
    levels = [
        level.model_copy(
            update={
                "roles": [
                    *level.roles,
                    *(rid for rid, only in wanted.items() if only is None or level.id in only),
                ]
            }
        )
        if level.roles  # a level that lists no roles engages every role already
        else level
        for level in config.severities
    ]
    return config.model_copy(update={"severities": levels})


__all__ = [
    "LIBRARY_LABEL",
    "LIBRARY_PREFIX",
    "Brought",
    "brought",
    "engaged",
    "library_docs",
    "stand_ins",
    "with_library",
    "with_stand_ins",
]
