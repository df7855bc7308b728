"""Checklist items' stable ids and time boxes, as text: what the model, the rules and the pages share.

An item's id is given (``id: declare``) or derived from its text: its first words (up to six), lowercase
ASCII, joined by '-', at most 40 characters. A derived id depends on the item's own text only, so it
survives reordering and edits of other items; the incident log and translations key on
``<role id>/<item id>``.

A time box is written ``within: 5 minutes`` (a duration: minutes, hours or days) or ``within:
first-hour`` (the id of one of the settings' time_boxes).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

ID_LENGTH = 40
MAX_WORDS = 6
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<(?:https?://|mailto:)[^>]*>|https?://\S+")
_WORD = re.compile(r"[a-z0-9]+")

_UNITS = {
    "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
    "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
    "d": 1440, "day": 1440, "days": 1440,
}  # fmt: skip
DURATION = re.compile(rf"^(\d{{1,4}})\s*({'|'.join(sorted(_UNITS, key=len, reverse=True))})$")
DURATION_PATTERN = DURATION.pattern


def derived_id(text: str) -> str:
    """The id an item without one gets: the first words of its text (link targets left out)."""
    plain = unicodedata.normalize("NFKD", _LINK_TARGET.sub(" ", text)).encode("ascii", "ignore").decode()
    words = _WORD.findall(plain.lower())
    out = ""
    for word in words[:MAX_WORDS]:
        longer = f"{out}-{word}" if out else word[:ID_LENGTH]
        if len(longer) > ID_LENGTH:
            break
        out = longer
    if not out:  # no Latin letters or digits (e.g. a text in another script): a short hash of the text
        out = "item-" + hashlib.sha256(text.strip().encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return out


def derived_ids(texts: list[str], prefix: str) -> list[str]:
    """Ids for items that have none, one per text in order: ``prefix`` and the text's first words, and a
    number from 2 on when the same first words come again."""
    ids: list[str] = []
    for text in texts:
        base = key = f"{prefix}{derived_id(text)}"
        number = 1
        while key in ids:
            number += 1
            key = f"{base}-{number}"
        ids.append(key)
    return ids


def minutes(within: str) -> int | None:
    """A duration in minutes, or None when ``within`` is not a duration (then it names a time box)."""
    match = DURATION.match(within.strip().lower())
    return int(match.group(1)) * _UNITS[match.group(2)] if match else None


def as_item(value: object) -> object:
    """A checklist entry as the model reads it: a bare string is an item with that text; an item
    without an id gets the derived one."""
    if isinstance(value, str):
        return {"id": derived_id(value), "text": value}
    if isinstance(value, dict) and "id" not in value and isinstance(value.get("text"), str):
        return {**value, "id": derived_id(value["text"])}
    return value
