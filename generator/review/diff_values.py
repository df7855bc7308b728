"""Sentences for changed values of any kind, so a field nobody taught the diff about is still reported.

Text is compared through a ``Same`` function: the diff passes one that carries a role's rename into
both sides, so a mention that merely follows a rename is not a change, while the sentences still show
the text as each revision has it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

Same = Callable[[str], str]
LONG_TEXT = 160  # beyond this, a changed text is quoted as it is now, not as it was and is
# Fields whose name alone would read badly in a sentence; any other field is named by its words.
WORDS = {
    "intro": "home page introduction",
    "published": "published date",
    "cards": "quick cards",
    "back": "back side",
    "extra_css": "stylesheet",
    "links": "link",
    "review_period_months": "review period in months",
    "last_reviewed": "last reviewed",
    "dont": "don't",
}


def as_is(text: str) -> str:
    return text


def label_of(field: str, labels: Mapping[str, str] | None = None) -> str:
    """How a field is named in a sentence: from ``labels``, else its name in words."""
    return (labels or {}).get(field) or WORDS.get(field) or field.replace("_", " ")


def shown(value: object) -> str:
    """A value as a sentence quotes it."""
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return "nothing"
    if isinstance(value, BaseModel):
        parts = [f"{label_of(k)} {shown(v)}" for k, v in value if v not in (None, [], {})]
        return ", ".join(parts) or "the defaults"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) or "nothing"
    if isinstance(value, list | tuple):
        return ", ".join(shown(item) for item in value) or "nothing"
    return str(value)


def normal(value: Any, same: Same) -> Any:
    """``value`` as compared: every piece of text through ``same``."""
    if isinstance(value, str):
        return same(value)
    if isinstance(value, BaseModel):
        return {k: normal(v, same) for k, v in value}
    if isinstance(value, Mapping):
        return {k: normal(v, same) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normal(v, same) for v in value]
    return value


def changed(label: str, old: object, new: object) -> str:
    """One sentence for a value that changed, was set or was taken out."""
    if old is None:
        return f"{label} set to {shown(new)}"
    if new is None:
        return f"{label} removed (was {shown(old)})"
    if isinstance(new, str) and len(new) + len(str(old)) > LONG_TEXT:
        return f"{label} changed to {shown(new)}"
    return f"{label} changed from {shown(old)} to {shown(new)}"


def items(kind: str, before: Sequence[Any], after: Sequence[Any], same: Same = as_is) -> list[str]:
    """Items added and removed (a repeated item counts each time), or the order when only that moved."""
    old_keys = [repr(normal(item, same)) for item in before]
    new_keys = [repr(normal(item, same)) for item in after]
    gained = Counter(new_keys) - Counter(old_keys)
    lost = Counter(old_keys) - Counter(new_keys)
    lines = []
    for keys, values, extra, verb in (
        (new_keys, after, gained, "added"),
        (old_keys, before, lost, "removed"),
    ):
        for key, value in zip(keys, values, strict=True):
            if extra[key] > 0:
                extra[key] -= 1
                lines.append(f"{kind} {verb}: {shown(value)}")
    if not lines and old_keys != new_keys:
        lines.append(f"{kind} order changed: {shown(list(after))}")
    return lines


def _key(item: BaseModel) -> str | None:
    for name in ("id", "role", "title"):
        value = getattr(item, name, None)
        if isinstance(value, str):
            return value
    return None


def value_changes(label: str, old: Any, new: Any, same: Same = as_is) -> list[str]:
    """Sentences for any difference between two values of one field, whatever its type."""
    if normal(old, same) == normal(new, same):
        return []
    if isinstance(old, BaseModel) and type(old) is type(new):
        return model_changes(label, old, new, same)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        lines = []
        for key in dict.fromkeys([*old, *new]):
            if key not in old:
                lines.append(f"{label} {key} added: {shown(new[key])}")
            elif key not in new:
                lines.append(f"{label} {key} removed")
            else:
                lines += value_changes(f"{label} {key}", old[key], new[key], same)
        return lines
    if isinstance(old, list) and isinstance(new, list):
        keyed = all(isinstance(i, BaseModel) and _key(i) is not None for i in [*old, *new])
        if keyed and len({_key(i) for i in old}) == len(old) and len({_key(i) for i in new}) == len(new):
            olds = {_key(i): i for i in old}
            news = {_key(i): i for i in new}
            lines = [f"{label} added: {shown(news[k])}" for k in news if k not in olds]
            lines += [f"{label} removed: {shown(olds[k])}" for k in olds if k not in news]
            for k in [k for k in news if k in olds]:
                lines += value_changes(f"{label} {shown(k)}", olds[k], news[k], same)
            if not lines:
                lines.append(f"{label} order changed: {shown([k for k in news])}")
            return lines
        return items(label, old, new, same)
    return [changed(label, old, new)]


def model_changes(
    prefix: str,
    old: BaseModel,
    new: BaseModel,
    same: Same = as_is,
    skip: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> list[str]:
    """Sentences for each field of two versions of a model, except those in ``skip`` (said elsewhere)."""
    lines = []
    for field in type(new).model_fields:
        if field not in skip:
            label = f"{prefix} {label_of(field, labels)}".strip()
            lines += value_changes(label, getattr(old, field), getattr(new, field), same)
    return lines
