"""Text of a revision that still names a role by a name (or abbreviation) it no longer has.

After a rename or a removal, the old name may stay in other roles' text, the settings or the activity
matrix; the diff lists where, by file and field, so the editor can decide each one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from generator.core.overlay_merge import alternation
from generator.core.playbook import Playbook

_ITEMS = {"severities": "severity", "phases": "phase"}
_NOT_TEXT = {
    "id",
    "within",
    "role",
    "phase",
    "roles",
    "role_order",
    "backups",
    "reports_to",
    "raci",
    "url",
    "logo",
    "extra_css",
}


def _texts(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in _NOT_TEXT:
                yield from _texts(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _texts(value, (*path, i))


def _role_field(path: tuple[str | int, ...]) -> str:
    """Where in a role file: its keys as written, e.g. ``summary`` or ``checklists.respond``."""
    keys = [str(part) for part in path if isinstance(part, str)]
    if keys[:1] == ["checklists"] and keys[-1:] == ["text"]:  # a checklist item's text is the item
        keys.pop()
    return ".".join(keys)


def _setting_field(data: dict[str, Any], path: tuple[str | int, ...]) -> str:
    """Where in the settings, e.g. ``intro`` or ``severity sev2 description``."""
    key = path[0]
    if key in _ITEMS and len(path) > 2 and isinstance(path[1], int):
        item_id = data[str(key)][path[1]].get("id", path[1])
        return f"{_ITEMS[str(key)]} {item_id} {_role_field(path[2:])}".strip()
    return " ".join(str(part) for part in path if isinstance(part, str))


def _places(playbook: Playbook) -> Iterator[tuple[str, str, str]]:
    """Every piece of text in the playbook, as (file, field, text)."""
    for rid, role in playbook.roles.items():
        for path, text in _texts(role.model_dump(mode="json", exclude={"name", "short"})):
            yield playbook.role_files[rid], _role_field(path), text
    settings = playbook.config.model_dump(mode="json")
    for path, text in _texts(settings):
        file = playbook.config_files.get(str(path[0]), "site_config")
        yield file, _setting_field(settings, path), text
    for activity in playbook.activities:
        for path, text in _texts(activity.model_dump(mode="json")):
            where = f"activity {activity.id}" + ("" if path == ("name",) else f" {_role_field(path)}")
            yield playbook.activity_file, where, text


class _Words:
    """Finds which of many words (names, abbreviations) a text holds, each as a whole word: one pattern
    tried once at each place in the text, whatever the number of words."""

    def __init__(self, words: Collection[str]) -> None:
        # At each place the longest word that stands there; the shorter ones it begins with are added.
        self.pattern = re.compile(rf"(?=(?<!\w)({alternation(words)})(?!\w))")
        self.within = {
            word: [
                word[:end]
                for end in range(1, len(word))
                if not _WORD.match(word, end) and word[:end] in words
            ]
            for word in words
        }

    def found(self, text: str) -> set[str]:
        found: set[str] = set()
        for match in self.pattern.finditer(text):
            found.add(match.group(1))
            found.update(self.within[match.group(1)])
        return found


_WORD = re.compile(r"\w")


def leftover_mentions(old: Playbook, new: Playbook) -> list[dict[str, Any]]:
    """Old names and abbreviations of roles renamed or removed that the new revision's text still uses:
    ``[{"name", "now", "places": [{"file", "fields"}]}]`` (``now`` is None for a role removed)."""
    current = {text for role in new.roles.values() for text in (role.name, role.short)}
    gone: dict[str, str | None] = {}
    for rid, role in old.roles.items():
        kept = new.roles.get(rid)
        for attr in ("name", "short"):
            text = getattr(role, attr)
            if text not in current and text not in gone:
                gone[text] = getattr(kept, attr) if kept is not None else None
    if not gone:
        return []
    words = _Words(gone)
    # A current name that holds an old one ("Senior Incident Manager") is not a mention of it.
    holders = [name for name in current if words.found(name)]
    mask = re.compile(rf"(?<!\w)(?:{alternation(holders)})(?!\w)") if holders else None
    found: dict[str, dict[str, list[str]]] = {}
    for file, where, value in _places(new):
        for text in words.found(mask.sub("\0", value) if mask else value):
            fields = found.setdefault(text, {}).setdefault(file, [])
            if where not in fields:
                fields.append(where)
    return [
        {"name": text, "now": now, "places": [{"file": f, "fields": w} for f, w in found[text].items()]}
        for text, now in gone.items()
        if text in found
    ]
