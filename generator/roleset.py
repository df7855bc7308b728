"""The project's roles and activities, with overlays applied, renames carried through, and validated."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .defaults import DEFAULT_PREFIX, defaults_root
from .diagnostics import Diagnostic
from .model import Abbreviation, ActivityFile, Name, Role
from .model_errors import validate_into
from .overlay import Merged, merge_activities, merge_role, rename_mentions
from .yamlload import Loc, Path_, YamlDoc, YamlProblem, decode, parse_yaml

DEFAULTS_LABEL = "(rolebook defaults)"


@dataclass
class RoleSet:
    roles: dict[str, Role] = field(default_factory=dict)
    activities: ActivityFile | None = None
    bases: dict[str, str] = field(default_factory=dict)  # role id -> what it extends, e.g. default/<id>
    renames: dict[str, str] = field(default_factory=dict)  # old name or abbreviation -> new
    locators: dict[str, Any] = field(default_factory=dict)  # project file -> where a merged path stands


@dataclass(frozen=True)
class DefaultDocs:
    roles: dict[str, YamlDoc]
    activities: YamlDoc | None


@functools.cache
def default_docs() -> DefaultDocs:
    """The built-in role and activity files, parsed once per process.

    A file that cannot be read or parsed, or holds the wrong shape of data, is left out here:
    project.check_defaults() reads the defaults as a project and reports it, located. (In a
    checkout the defaults are the repository's own roles/, which anyone may have just edited.)
    """
    roles: dict[str, YamlDoc] = {}
    activities = None
    for file in sorted((defaults_root() / "roles").glob("*.yaml")):
        try:
            doc = parse_yaml(decode(file.read_bytes()), f"{DEFAULTS_LABEL}/roles/{file.name}")
        except (YamlProblem, OSError):
            continue
        if not isinstance(doc.data, dict):
            continue
        if file.stem == "activities":
            listed = doc.data.get("activities")
            if isinstance(listed, list) and all(isinstance(a, dict) for a in listed):
                activities = doc
        else:
            roles[file.stem] = doc
    return DefaultDocs(roles, activities)


class _Resolver:
    def __init__(self, docs: dict[str, YamlDoc], all_docs: dict[str, YamlDoc], out: list[Diagnostic]) -> None:
        self.docs = docs  # role id -> the project's file
        self.all_docs = all_docs  # file -> doc, for locating problems (defaults included)
        self.out = out
        self.merged: dict[str, Merged | None] = {}
        self.bases: dict[str, str] = {}

    def problem(self, doc: YamlDoc, path: Path_, message: str) -> None:
        at = doc.loc(path)
        self.out.append(Diagnostic(doc.path, at.line, at.col, message))

    def resolve(self, role_id: str, chain: tuple[str, ...] = ()) -> Merged | None:
        if role_id in self.merged:
            return self.merged[role_id]
        doc = self.docs[role_id]
        if "extends" not in doc.data:
            self.merged[role_id] = Merged(doc.data, {(): (doc.path, ())})
            return self.merged[role_id]
        base_doc = self.base(role_id, doc, chain)
        result = merge_role(base_doc, doc, self.out) if base_doc is not None else None
        self.merged[role_id] = result
        return result

    def base(self, role_id: str, doc: YamlDoc, chain: tuple[str, ...]) -> YamlDoc | None:
        target = doc.data["extends"]
        if not isinstance(target, str):
            self.problem(doc, ("extends",), "'extends' names a base: default, default/<role id> or a role id")
            return None
        if target == DEFAULT_PREFIX or target.startswith(DEFAULT_PREFIX + "/"):
            base_id = role_id if target == DEFAULT_PREFIX else target.removeprefix(DEFAULT_PREFIX + "/")
            defaults = default_docs().roles
            if base_id not in defaults:
                self.problem(
                    doc,
                    ("extends",),
                    f"no default role '{base_id}'; the defaults are: {', '.join(sorted(defaults))}",
                )
                return None
            self.bases[role_id] = f"{DEFAULT_PREFIX}/{base_id}"
            self.all_docs[defaults[base_id].path] = defaults[base_id]
            return defaults[base_id]
        if target not in self.docs:
            self.problem(doc, ("extends",), f"extends unknown role '{target}'")
            return None
        if target == role_id or target in chain:
            loop = list(chain[chain.index(target) :]) if target in chain else []
            cycle = " -> ".join([*loop, role_id, target])
            self.problem(doc, ("extends",), f"extension cycle: {cycle}")
            return None
        merged = self.resolve(target, (*chain, role_id))
        if merged is None:
            return None
        self.bases[role_id] = target
        label = f"{self.docs[target].path}"
        base = YamlDoc(label, merged.data, self.docs[target].values, self.docs[target].keys)
        return base


def _valid(kind: Any, value: str) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


def _renames(
    merged: dict[str, Merged], bases: dict[str, str], docs: dict[str, Merged | YamlDoc]
) -> dict[str, str]:
    """Old name -> new name (and old abbreviation -> new) for every role renamed by an overlay."""
    renames: dict[str, str] = {}
    for role_id, base in bases.items():
        if base != f"{DEFAULT_PREFIX}/{role_id}":
            continue  # a new role built on another one renames nothing
        base_data = docs[base].data if base in docs else None
        if base_data is None or role_id not in merged:
            continue
        for key, kind in (("name", Name), ("short", Abbreviation)):
            old, new = base_data.get(key), merged[role_id].data.get(key)
            if isinstance(old, str) and isinstance(new, str) and old != new and _valid(kind, new):
                renames[old] = new  # an invalid new name is reported once, where it is written
    return renames


def resolve_roles(
    role_docs: dict[str, YamlDoc],
    activity_doc: YamlDoc | None,
    all_docs: dict[str, YamlDoc],
    out: list[Diagnostic],
) -> RoleSet:
    """Apply overlays, carry renames into the text, and validate every role and the activities."""
    resolver = _Resolver(role_docs, all_docs, out)
    merged = {rid: m for rid in role_docs if (m := resolver.resolve(rid)) is not None}
    defaults = default_docs()
    base_data: dict[str, Merged | YamlDoc] = {f"{DEFAULT_PREFIX}/{k}": v for k, v in defaults.roles.items()}
    base_data.update(merged)
    renames = _renames(merged, resolver.bases, base_data)
    result = RoleSet(bases=resolver.bases, renames=renames)
    for role_id, m in merged.items():
        data = rename_mentions(m.data, renames)
        where = _locator(m, all_docs, role_docs[role_id])
        result.locators[role_docs[role_id].path] = where
        result.roles[role_id] = validate_into(Role, data, where, out)
    result.roles = {k: v for k, v in result.roles.items() if v is not None}
    if activity_doc is not None:
        result.activities = _activities(activity_doc, all_docs, renames, out, result.locators)
    return result


def _activities(
    doc: YamlDoc,
    all_docs: dict[str, YamlDoc],
    renames: dict[str, str],
    out: list[Diagnostic],
    locators: dict[str, Any],
) -> ActivityFile | None:
    if "extends" in doc.data:
        base = default_docs().activities
        if doc.data["extends"] != DEFAULT_PREFIX or base is None:
            at = doc.loc(("extends",))
            out.append(
                Diagnostic(
                    doc.path, at.line, at.col, "an activity file extends 'default', the built-in activities"
                )
            )
            return None
        all_docs[base.path] = base
        merged = merge_activities(base, doc, out)
    else:
        merged = Merged(doc.data, {(): (doc.path, ())})
    data = rename_mentions(merged.data, renames)
    where = _locator(merged, all_docs, doc)
    locators[doc.path] = where
    result: ActivityFile | None = validate_into(ActivityFile, data, where, out)
    return result


def _locator(merged: Merged, docs: dict[str, YamlDoc], own: YamlDoc) -> Any:
    """Where a merged value stands; a value inherited from the built-in defaults is reported at the
    overlay's `extends:` line, since the defaults are not files of the project."""

    def where(path: Path_, key: bool) -> tuple[str, Loc]:
        file, at = merged.where(docs, path, key)
        if file.startswith(DEFAULTS_LABEL) or not file:
            return own.path, own.loc(("extends",), key=True)
        return file, at

    return where


__all__ = ["DEFAULTS_LABEL", "Loc", "RoleSet", "default_docs", "resolve_roles"]
