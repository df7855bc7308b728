"""Overlays: a role or the activity file that extends a base and adds, replaces or removes entries.

An organization keeps only its changes in its own files, so the defaults can be
updated underneath without merge conflicts:

    extends: default                   # the built-in role of the same id (or default/<id>, or a project role)
    name: Incident Commander           # a value replaces the base's
    responsibilities:                  # a list replaces the base's list ...
      add: [Runs the weekly review.]   # ... or edits it: remove, replace {old: new}, then add
    works_with:
      remove: [support-team]           # entries with a role are named by that role
    checklists:
      detect:
        remove: [declare]              # checklist items by their text or their id

Merging works on the parsed data, before validation, and remembers where each
merged value came from, so a problem is reported in the file and line that caused it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from generator.core.checklist_items import as_item
from generator.core.yaml_loading import Loc, Path_, YamlDoc
from generator.diagnostics import Diagnostic

EDITS = ("remove", "replace", "add")
KEYED_LISTS = {  # entries named by this field
    "works_with": "role",
    "escalates_to": "role",
    "scripts": "id",
    "guidance": "id",
    "messages": "id",
    "decision_rights": "severity",
    "time_targets": "what",
    "conflicts": "when",
    "anti_patterns": "text",
}
_VERBATIM = re.compile(r"(`+[^`]*`+|\]\([^)]*\)|<[^>\s]*>|\b(?:https?|mailto):\S+)")
TEXT_FIELDS_SKIPPED = {"name", "short", "role", "id", "phase", "extends", "severity", "severities", "source"}


@dataclass
class Merged:
    """Merged data, and for each merged path the file and path its value came from."""

    data: Any
    origins: dict[Path_, tuple[str, Path_]] = field(default_factory=dict)

    def origin(self, path: Path_) -> tuple[str, Path_]:
        """The file a merged value came from and its path there ("" when nothing is known)."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.origins:
                file, source = self.origins[path[:cut]]
                return file, (*source, *path[cut:])
        return "", path

    def where(self, docs: dict[str, YamlDoc], path: Path_, key: bool) -> tuple[str, Loc]:
        file, source = self.origin(path)
        doc = docs.get(file)
        return file, doc.loc(source, key=key) if doc else Loc(1, 1)


class _Merger:
    def __init__(self, base_file: str, over: YamlDoc, out: list[Diagnostic]) -> None:
        self.base_file = base_file
        self.over = over
        self.out = out
        self.origins: dict[Path_, tuple[str, Path_]] = {}

    def problem(self, opath: Path_, message: str, *, key: bool = False) -> None:
        at = self.over.loc(opath, key=key)
        self.out.append(Diagnostic(self.over.path, at.line, at.col, message))

    def from_base(self, mpath: Path_, bpath: Path_) -> None:
        self.origins[mpath] = (self.base_file, bpath)

    def from_overlay(self, mpath: Path_, opath: Path_) -> None:
        self.origins[mpath] = (self.over.path, opath)

    def value(self, base: Any, over: Any, mpath: Path_, opath: Path_, bpath: Path_) -> Any:
        is_edit = isinstance(over, dict) and over and set(over) <= set(EDITS)
        if isinstance(base, list) or (base is None and is_edit):
            return self.list(base or [], over, mpath, opath, bpath)
        if isinstance(base, dict) and isinstance(over, dict):
            merged = dict(base)
            for key, value in over.items():
                if value is None:  # `key: null` (or `key: ~`) takes the entry out
                    merged.pop(key, None)
                    continue
                merged[key] = self.value(base.get(key), value, (*mpath, key), (*opath, key), (*bpath, key))
            return merged
        self.from_overlay(mpath, opath)
        return over

    def list(self, base: list[Any], over: Any, mpath: Path_, opath: Path_, bpath: Path_) -> list[Any]:
        name = next((str(p) for p in reversed(mpath) if isinstance(p, str)), "list")
        if not isinstance(over, dict):
            self.from_overlay(mpath, opath)
            return over  # type: ignore[no-any-return]
        for extra in sorted(set(over) - set(EDITS), key=str):
            message = f"to edit the list '{name}', use add, remove or replace (found '{extra}')"
            self.problem((*opath, extra), message, key=True)
        keyed = KEYED_LISTS.get(name)
        items: list[tuple[Any, tuple[str, Path_]]] = [
            (item, (self.base_file, (*bpath, i))) for i, item in enumerate(base)
        ]

        def label(item: Any) -> Any:
            if isinstance(item, dict):
                return item.get(keyed) if keyed else item.get("text", item)
            return item

        def find(wanted: Any, where: Path_, verb: str) -> int | None:
            labels = [label(item) for item, _ in items]
            if wanted in labels:
                return labels.index(wanted)
            ids = [_item_id(item) for item, _ in items] if mpath[:1] == ("checklists",) else []
            if wanted in ids:  # a checklist item is also named by its id, given or derived
                return ids.index(wanted)
            close = difflib.get_close_matches(str(wanted), [str(x) for x in labels], n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.problem(where, f"cannot {verb} {wanted!r}: the base has no such entry in '{name}'{hint}")
            return None

        for i, wanted in enumerate(_as_list(over.get("remove"))):
            index = find(wanted, (*opath, "remove", i), "remove")
            if index is not None:
                items.pop(index)
        replace = over.get("replace")
        if keyed:
            for i, entry in enumerate(_as_list(replace)):
                if not isinstance(entry, dict) or keyed not in entry:
                    message = f"'replace' in '{name}' lists whole entries, each with a {keyed}"
                    self.problem((*opath, "replace", i), message)
                    continue
                index = find(label(entry), (*opath, "replace", i), "replace")
                if index is not None:
                    items[index] = (entry, (self.over.path, (*opath, "replace", i)))
        elif isinstance(replace, dict):
            for old, new in replace.items():
                index = find(old, (*opath, "replace", old), "replace")
                if index is not None:
                    items[index] = (new, (self.over.path, (*opath, "replace", old)))
        elif replace is not None:
            self.problem((*opath, "replace"), f"'replace' in '{name}' maps each old entry to its new text")
        for i, entry in enumerate(_as_list(over.get("add"))):
            items.append((entry, (self.over.path, (*opath, "add", i))))
        for i, (_, origin) in enumerate(items):
            self.origins[(*mpath, i)] = origin
        return [item for item, _ in items]


def _item_id(item: Any) -> Any:
    entry = as_item(item)
    return entry.get("id") if isinstance(entry, dict) else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def merge_role(base: YamlDoc, over: YamlDoc, out: list[Diagnostic]) -> Merged:
    """The base role with the overlay's changes; problems with the changes go to ``out``."""
    merger = _Merger(base.path, over, out)
    merger.from_base((), ())
    data = dict(base.data)
    for key, value in over.data.items():
        if key == "extends":
            continue
        if value is None:  # `key: null` takes an optional field out
            data.pop(key, None)
            continue
        data[key] = merger.value(base.data.get(key), value, (key,), (key,), (key,))
    return Merged(data, merger.origins)


def merge_activities(
    base: YamlDoc, over: YamlDoc, out: list[Diagnostic], grown: Merged | None = None
) -> Merged:
    """The base activity list with activities removed, changed and added by id; ``grown``, the base's
    activities with others added (the library roles'), each located where it is written."""
    merger = _Merger(base.path, over, out)
    allowed = {"extends", "add", "remove", "change"}
    for key in over.data:
        if key not in allowed:
            merger.problem(
                (key,),
                f"unknown field '{key}' in an activity overlay (allowed: add, change, extends, remove)",
                key=True,
            )
    listed = (grown.data if grown is not None else base.data).get("activities", [])
    activities: list[tuple[dict[str, Any], tuple[str, Path_]]] = [
        (dict(a), grown.origin(("activities", i)) if grown is not None else (base.path, ("activities", i)))
        for i, a in enumerate(listed)
    ]
    ids = [a.get("id") for a, _ in activities]

    def index_of(activity_id: Any, where: Path_, verb: str, key: bool = False) -> int | None:
        if activity_id in ids:
            return ids.index(activity_id)
        close = difflib.get_close_matches(str(activity_id), [str(i) for i in ids], n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        merger.problem(
            where, f"cannot {verb} activity '{activity_id}': the base has no such activity{hint}", key=key
        )
        return None

    for i, activity_id in enumerate(_as_list(over.data.get("remove"))):
        index = index_of(activity_id, ("remove", i), "remove")
        if index is not None:
            activities.pop(index)
            ids.pop(index)
    changed: dict[tuple[int | str, ...], tuple[str, Path_]] = {}  # (index, field...) -> where it is written
    change = over.data.get("change") or {}
    if not isinstance(change, dict):
        merger.problem(("change",), "'change' maps activity ids to the fields that change")
        change = {}
    for activity_id, fields in change.items():
        index = index_of(activity_id, ("change", activity_id), "change", key=True)
        if index is None:
            continue
        if not isinstance(fields, dict):
            message = f"the change to activity '{activity_id}' lists the fields that change"
            merger.problem(("change", activity_id), message)
            continue
        activity, origin = activities[index]
        # what the change sets comes from the overlay; the rest of the activity is still inherited
        base_file, base_path = origin
        for key, value in fields.items():
            if key == "raci" and isinstance(value, dict):
                raci = dict(activity.get("raci") or {})
                for role in raci:
                    if role not in value:
                        changed[(index, "raci", role)] = (base_file, (*base_path, "raci", role))
                for role, letter in value.items():
                    if letter is None:
                        raci.pop(role, None)
                    else:
                        raci[role] = letter
                activity["raci"] = raci
            else:
                activity[key] = value
            changed[(index, key)] = (over.path, ("change", activity_id, key))
    for i, new in enumerate(_as_list(over.data.get("add"))):
        if isinstance(new, dict) and new.get("id") in ids:
            merger.problem(
                ("add", i, "id"), f"activity '{new['id']}' is already in the base; use 'change' to adjust it"
            )
            continue
        activities.append((new, (over.path, ("add", i))))
        ids.append(new.get("id") if isinstance(new, dict) else None)
    merged = Merged({"activities": [a for a, _ in activities]}, {(): (over.path, ())})
    for i, (_, origin) in enumerate(activities):
        merged.origins[("activities", i)] = origin
    for path, origin in changed.items():
        merged.origins[("activities", *path)] = origin
    return merged


def prose(text: str) -> str:
    """The text with its code spans, link targets and web addresses blanked out (same length)."""
    pieces = _VERBATIM.split(text)
    return "".join(" " * len(p) if i % 2 else p for i, p in enumerate(pieces))


def alternation(words: Iterable[str], any_space: bool = False) -> str:
    """A regular expression matching any of ``words``, the longest first where one begins another,
    written as a tree of their shared beginnings: each place in a text is tried once per character,
    not once per word, so thousands of names cost little more than a few."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def branch(node: dict[str, Any]) -> str:
        longer = [_char(char) + branch(child) for char, child in node.items() if char]
        if len(longer) == 1 and "" not in node:
            return longer[0]
        # the word that ends here comes last, so a longer one is tried first (and backtracked from)
        return "(?:" + "|".join(longer + ([""] if "" in node else [])) + ")" if longer else ""

    def _char(char: str) -> str:  # with any_space, a space between words matches a line break too
        return r"\s+" if any_space and char == " " else re.escape(char)

    return branch(tree) if tree else "(?!)"


def renamer(renames: dict[str, str]) -> Callable[[str], str]:
    """A function that carries ``renames`` into one text: every whole-word mention of an old name (or
    abbreviation) changed, a plural too ("SMEs"). The pattern is built once, for every text."""
    pattern = re.compile(r"\b(" + alternation(renames, any_space=True) + r")(?=s?\b)")
    spaced = {" ".join(old.split()): new for old, new in renames.items()}

    def new_name(match: re.Match[str]) -> str:  # a name written over a line break is renamed too
        return renames.get(match.group(0)) or spaced[" ".join(match.group(0).split())]

    def rename(text: str) -> str:
        pieces = _VERBATIM.split(text)  # code, link targets and web addresses stay as written
        return "".join(p if i % 2 else pattern.sub(new_name, p) for i, p in enumerate(pieces))

    return rename


def rename_mentions(data: Any, renames: dict[str, str]) -> Any:
    """Text with every whole-word mention of a renamed role's old name (or abbreviation) changed,
    a plural too ("SMEs")."""
    if not renames:
        return data
    rename = renamer(renames)

    def walk(value: Any, key: str | None) -> Any:
        if isinstance(value, str):
            return value if key in TEXT_FIELDS_SKIPPED else rename(value)
        if isinstance(value, list):
            return [walk(item, key) for item in value]
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        return value

    return walk(data, None)
