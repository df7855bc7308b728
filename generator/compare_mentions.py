"""Text of a revision that still names a role by a name (or abbreviation) it no longer has.

After a rename or a removal, the old name may stay in other roles' text, the settings or the activity
matrix; the diff lists where, by file and field, so the editor can decide each one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .playbook import Playbook

_ITEMS = {"severities": "severity", "phases": "phase"}
_NOT_TEXT = {"id", "role", "phase", "roles", "role_order", "backups", "raci", "url", "logo", "extra_css"}


def _word(text: str) -> str:
    return rf"(?<!\w){re.escape(text)}(?!\w)"


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
    return ".".join(str(part) for part in path if isinstance(part, str))


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
    places = list(_places(new))
    found = []
    for text, now in gone.items():
        # A current name that holds the old one ("Senior Incident Manager") is not a mention of it.
        holders = [re.compile(_word(c)) for c in current if re.search(_word(text), c)]
        pattern = re.compile(_word(text))
        files: dict[str, list[str]] = {}
        for file, where, value in places:
            for holder in holders:
                value = holder.sub("\0", value)
            if pattern.search(value):
                fields = files.setdefault(file, [])
                if where not in fields:
                    fields.append(where)
        if files:
            found.append(
                {"name": text, "now": now, "places": [{"file": f, "fields": w} for f, w in files.items()]}
            )
    return found
