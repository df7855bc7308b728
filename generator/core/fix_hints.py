"""The overlay edits that mend inherited values, combined per file so that they can be pasted together.

A problem in a value that a project file inherits from the built-in defaults is reported at the
file's `extends:` line with the edit that mends it. The edits to one key of one file are combined,
so that following every message makes one edit, not several that repeat a key (a duplicate key is
an error): two unknown phases of a role read `checklists: {detect: null, prepare: null}`, two unknown
roles in its backups `backups: {remove: [a, b]}`, and all the changes to one inherited activity
`change: {x: {phase: ..., raci: {a: null}}}`. Each edit is worded for the file as it is: as a new
key, or under the key that the file already has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from generator.core.yaml_loading import YamlDoc
from generator.diagnostics import Diagnostic

PLACEHOLDER = "..."  # a value only the editor can choose; pasted as it is, it is reported
_MISSING = object()
_NOT_PLAIN = re.compile(r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+")


@dataclass(frozen=True)
class Fix:
    """One edit to an overlay file: the key at ``path`` gets ``value`` (None: `key: null`, which
    takes the inherited entry out), or with ``item``, ``value`` joins the list at ``path``."""

    path: tuple[str, ...]
    value: str | None = None
    item: bool = False

    @property
    def group(self) -> tuple[str, ...]:
        """What the edit is combined by: one key of a role, one activity of the activity overlay."""
        return self.path[:2] if self.path[0] == "change" else self.path[:1]


@dataclass
class Fixes:
    """The problems given a fix so far, so each can be worded with the fixes of its whole group."""

    given: list[tuple[int, str, Fix]] = field(default_factory=list)  # index in out, message, fix

    def add(self, out: list[Diagnostic], problem: Diagnostic, fix: Fix, doc: YamlDoc | None) -> None:
        """Add ``problem`` to ``out`` with its fix, and word again those of its file it combines with."""
        self.given.append((len(out), problem.message, fix))
        out.append(problem)
        mine = [(i, message, f) for i, message, f in self.given if out[i].file == problem.file]
        data = doc.data if doc is not None else {}
        groups: dict[tuple[str, ...], list[Fix]] = {}
        for _, _, f in mine:
            groups.setdefault(f.group, []).append(f)
        shared = {g[0] for g in groups if sum(other[0] == g[0] for other in groups) > 1}
        for i, message, f in mine:
            hint = _hint(doc, data, _tree(groups[f.group]), shared)
            out[i] = replace(out[i], message=f"{message}: {hint}")


def _tree(fixes: list[Fix]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for fix in fixes:
        node = tree
        for part in fix.path[:-1]:
            node = node.setdefault(part, {})
        last = fix.path[-1]
        if fix.item:
            items = node.setdefault(last, [])
            if fix.value not in items:
                items.append(fix.value)
        else:
            node[last] = fix.value
    return tree


def _plain(word: str | None) -> str:
    if word is None:
        return "null"
    return f'"{word}"' if _NOT_PLAIN.fullmatch(word) else word


def _flow(value: Any) -> str:
    """YAML on one line: ``{a: null, b: [x, y]}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_plain(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return _plain(value)


Step = tuple[str, tuple[str, ...], str]  # how (key, item or over), the place in the file, the text


def _steps(there: Any, tree: dict[str, Any], prefix: tuple[str, ...]) -> list[Step]:
    """Where the edit goes in the file's data: a key added to a mapping the file has (at the place),
    an item added to a list it has, or a key it has written over."""
    steps: list[Step] = []
    for key, value in tree.items():
        current = there.get(key, _MISSING) if isinstance(there, dict) else _MISSING
        if current is _MISSING:
            steps.append(("key", prefix, f"{_plain(key)}: {_flow(value)}"))
        elif isinstance(value, dict) and isinstance(current, dict):
            steps += _steps(current, value, (*prefix, key))
        elif isinstance(value, list) and isinstance(current, list):
            steps += [("item", (*prefix, key), _plain(v)) for v in value if v not in current]
        else:  # e.g. `checklists:` left empty
            steps.append(("over", (*prefix, key), f"{_plain(key)}: {_flow(value)}"))
    return steps


def _hint(doc: YamlDoc | None, data: Any, tree: dict[str, Any], shared: set[str]) -> str:
    """The edit in words: a key to add to the file, or what to add under a key it has."""
    by_place: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for how, place, text in _steps(data, tree, ()):
        by_place.setdefault((how, place), []).append(text)
    parts: list[str] = []
    for (how, place), texts in by_place.items():
        listed = " and ".join(f"`{t}`" for t in texts)
        if how == "key" and not place:
            [(root, inner)] = tree.items()
            if root in shared and isinstance(inner, dict):  # the new key takes other messages' edits too
                entries = " and ".join(f"`{_plain(k)}: {_flow(v)}`" for k, v in inner.items())
                parts.append(f"add `{root}:` to this file and under it {entries}")
            else:
                parts.append(f"add {listed} to this file")
            continue
        line = doc.loc(place, key=True).line if doc is not None else 1
        named = "`" + ": ".join(_plain(p) for p in place) + ":`"
        if how == "key":
            parts.append(f"under {named} (line {line}) add {listed}")
        elif how == "item":
            parts.append(f"add {listed} to the list {named} (line {line})")
        else:
            parts.append(f"write {listed} in place of {named} (line {line})")
    hint = "; ".join(parts)
    if PLACEHOLDER in _flow(tree):
        hint += (
            f", with {PLACEHOLDER} the id of a phase of this playbook (or list the activity under `remove:`)"
        )
    return hint
