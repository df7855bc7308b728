"""The project's roles and activities, with overlays applied, renames carried through, and validated."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import TypeAdapter, ValidationError

from generator.core.defaults import DEFAULT_PREFIX, DEFAULTS_LABEL, defaults_root
from generator.core.fields import Abbreviation, Name
from generator.core.level_names import carried_activity_levels, carried_levels, level_ids, level_renames
from generator.core.library import (
    LIBRARY_PREFIX,
    Brought,
    brought,
    library_docs,
    stand_ins,
    with_library,
    with_stand_ins,
)
from generator.core.messages import role_salvage, salvaged_activities, validate_into
from generator.core.model import ActivityFile, Role, Severity
from generator.core.overlay_merge import Merged, merge_activities, merge_role, rename_mentions
from generator.core.yaml_loading import Loc, Path_, YamlDoc, YamlProblem, decode, parse_yaml
from generator.diagnostics import Diagnostic


@dataclass
class RoleSet:
    roles: dict[str, Role] = field(default_factory=dict)
    activities: ActivityFile | None = None
    bases: dict[str, str] = field(default_factory=dict)  # role id -> what it extends, e.g. default/<id>
    renames: dict[str, str] = field(default_factory=dict)  # old name or abbreviation -> new
    level_renames: dict[str, str] = field(default_factory=dict)  # the defaults' level names -> the playbook's
    locators: dict[str, MergedLocator] = field(default_factory=dict)  # project file -> its merged values


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
        self.stand_ins = stand_ins(docs)

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
            self.problem(
                doc,
                ("extends",),
                "'extends' names a base: default, default/<role id>, library/<id> or a role id",
            )
            return None
        if target.startswith(LIBRARY_PREFIX + "/"):
            return self.library_base(role_id, doc, target)
        if target == DEFAULT_PREFIX or target.startswith(DEFAULT_PREFIX + "/"):
            base_id = role_id if target == DEFAULT_PREFIX else target.removeprefix(DEFAULT_PREFIX + "/")
            defaults = default_docs().roles
            if base_id not in defaults:
                hint = _did_you_mean(base_id, defaults)
                if base_id in library_docs().roles:
                    hint = f" (did you mean '{LIBRARY_PREFIX}/{base_id}'?)"
                message = (
                    f"no default role '{base_id}'{hint}; the defaults are: {', '.join(sorted(defaults))}"
                )
                self.problem(doc, ("extends",), message)
                return None
            self.bases[role_id] = f"{DEFAULT_PREFIX}/{base_id}"
            self.all_docs[defaults[base_id].path] = defaults[base_id]
            return defaults[base_id]
        if target not in self.docs:
            bases = [
                *self.docs,
                *(f"{DEFAULT_PREFIX}/{d}" for d in default_docs().roles),
                *(f"{LIBRARY_PREFIX}/{d}" for d in library_docs().roles),
            ]
            self.problem(doc, ("extends",), f"extends unknown role '{target}'{_did_you_mean(target, bases)}")
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

    def library_base(self, role_id: str, doc: YamlDoc, target: str) -> YamlDoc | None:
        library_id = target.removeprefix(LIBRARY_PREFIX + "/")
        library = library_docs().roles
        if library_id not in library:
            hint = _did_you_mean(library_id, library)
            message = f"no library role '{library_id}'{hint}; the library holds: {', '.join(sorted(library))}"
            self.problem(doc, ("extends",), message)
            return None
        self.bases[role_id] = target
        doc = library[library_id]
        self.all_docs[doc.path] = doc
        # the default roles it names stand for the project's roles built on them
        return YamlDoc(doc.path, with_stand_ins(doc.data, self.stand_ins), doc.values, doc.keys)


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _valid(kind: Any, value: str) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


def _renaming(role_id: str, base: str, bases: dict[str, str], project_ids: set[str]) -> bool:
    """Whether a role built on ``base`` stands in for it, so inherited text naming the base names
    the role: a default extended under its own id, or under a new id when the project has no role of
    the default's id and no other role built on the same default. A role built on a project role, or
    next to the default it extends, renames nothing."""
    if base in (f"{DEFAULT_PREFIX}/{role_id}", f"{LIBRARY_PREFIX}/{role_id}"):
        return True
    base_id = base.removeprefix(f"{DEFAULT_PREFIX}/").removeprefix(f"{LIBRARY_PREFIX}/")
    if base_id == base or base_id in project_ids:
        return False
    return list(bases.values()).count(base) == 1


def _renames(
    merged: dict[str, Merged], bases: dict[str, str], docs: dict[str, Merged | YamlDoc], project_ids: set[str]
) -> dict[str, str]:
    """Old name -> new name (and old abbreviation -> new) for every role renamed by an overlay."""
    renames: dict[str, str] = {}
    for role_id, base in bases.items():
        if not _renaming(role_id, base, bases, project_ids):
            continue
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
    levels: list[Severity] | None = None,
) -> RoleSet:
    """Apply overlays, carry renames (of roles, and of the defaults' severity levels to the playbook's
    own: ``level_names``) into the text, and validate every role and the activities."""
    resolver = _Resolver(role_docs, all_docs, out)
    merged = {rid: m for rid in role_docs if (m := resolver.resolve(rid)) is not None}
    defaults = default_docs()
    base_data: dict[str, Merged | YamlDoc] = {f"{DEFAULT_PREFIX}/{k}": v for k, v in defaults.roles.items()}
    if any(base.startswith(f"{LIBRARY_PREFIX}/") for base in resolver.bases.values()):  # read only then
        base_data.update({f"{LIBRARY_PREFIX}/{k}": v for k, v in library_docs().roles.items()})
    base_data.update(merged)
    renames = _renames(merged, resolver.bases, base_data, set(role_docs))
    ids = level_ids(levels or [])
    result = RoleSet(bases=resolver.bases, renames=renames, level_renames=level_renames(levels or []))
    text_renames = {**result.level_renames, **renames}
    for number, (role_id, m) in enumerate(merged.items()):
        data = rename_mentions(carried_levels(m, ids), text_renames)
        where = MergedLocator(m, data, role_docs[role_id], all_docs, result.locators)
        result.locators[role_docs[role_id].path] = where
        # a role that fails validation is still checked against the others where it can be
        result.roles[role_id] = validate_into(Role, data, where, out, salvage=role_salvage(role_id, number))
    result.roles = {k: v for k, v in result.roles.items() if v is not None}
    if activity_doc is not None:
        extra = brought(resolver.bases, resolver.stand_ins, set(role_docs))
        all_docs.update(extra.docs)
        result.activities = _activities(
            activity_doc, all_docs, text_renames, out, result.locators, extra, ids
        )
    return result


def _activities(
    doc: YamlDoc,
    all_docs: dict[str, YamlDoc],
    renames: dict[str, str],
    out: list[Diagnostic],
    locators: dict[str, MergedLocator],
    extra: Brought,
    level_ids: dict[str, str],
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
        # the library roles' activities join the base, so the project's file can change or remove them
        grown = with_library(Merged(base.data, {(): (base.path, ())}), extra)
        merged = merge_activities(base, doc, out, grown)
    else:
        merged = with_library(Merged(doc.data, {(): (doc.path, ())}), extra)
    data = rename_mentions(carried_activity_levels(merged, level_ids), renames)
    where = MergedLocator(merged, data, doc, all_docs, {})
    result: ActivityFile | None = validate_into(ActivityFile, data, where, out)
    if result is None and (salvaged := salvaged_activities(data)) is not None:
        # checked on what can be kept, so the problems of the other activities show in the same run
        result, positions = salvaged
        where = replace(where, positions=positions)
    locators[doc.path] = where
    return result


@dataclass(frozen=True, eq=False)
class MergedLocator:
    """A merged role or activity file: its values (renames carried through) and where each is written.

    A value is reported where it is written, except one inherited from the built-in defaults: that
    is reported at the `extends:` line of the project file that brings it in, since the defaults are
    not files of the project, and ``origin`` tells where in the defaults it is written.
    """

    merged: Merged
    data: Any
    own: YamlDoc  # the project's file
    docs: dict[str, YamlDoc]  # every parsed file, the defaults' included
    chain: dict[str, MergedLocator]  # project file -> its locator, for bases that are project roles
    # for an activity file that failed validation: the index in ``data`` of each activity the checks
    # kept, so a check's "activities", i is reported where that activity is written
    positions: tuple[int, ...] | None = None

    def unmapped(self) -> MergedLocator:
        """This locator taking paths into ``data`` (rather than into the activities the checks kept)."""
        return replace(self, positions=None)

    def _in_data(self, path: Path_) -> Path_:
        if self.positions is None or len(path) < 2 or path[0] != "activities" or not isinstance(path[1], int):
            return path
        return ("activities", self.positions[path[1]], *path[2:])

    def trace(self, path: Path_, key: bool) -> tuple[str, Loc, MergedLocator | None]:
        """The file and place a value is written, and the locator whose `extends:` line reports it
        (None for a value written in a project file)."""
        file, source = self.merged.origin(path)
        base = self.chain.get(file)
        if base is not None and file != self.own.path:
            return base.trace(source, key)  # a project role's merged value: follow it to its file
        doc = self.docs.get(file)
        at = doc.loc(source, key=key) if doc else Loc(1, 1)
        if file.startswith(DEFAULTS_LABEL) or not file:
            return file, at, self
        return file, at, None

    def __call__(self, path: Path_, key: bool) -> tuple[str, Loc]:
        file, at, reporter = self.trace(self._in_data(path), key)
        if reporter is None:
            return file, at
        return reporter.own.path, reporter.own.loc(("extends",), key=True)

    def origin(self, path: Path_, key: bool = False) -> tuple[str, Loc] | None:
        """Where an inherited value is written in the defaults; None for a value of the project."""
        file, at, reporter = self.trace(self._in_data(path), key)
        return (file, at) if reporter is not None and file else None

    def written(self, path: Path_) -> tuple[YamlDoc, Path_] | None:
        """The project file a value is written in and its path there; None for a value inherited
        from the defaults."""
        file, source = self.merged.origin(self._in_data(path))
        base = self.chain.get(file)
        if base is not None and file != self.own.path:
            return base.written(source)
        doc = self.docs.get(file)
        if doc is None or file.startswith(DEFAULTS_LABEL):
            return None
        return doc, source


__all__ = ["DEFAULTS_LABEL", "Loc", "MergedLocator", "RoleSet", "default_docs", "resolve_roles"]
