"""Mentions of roles the playbook does not have: a default role left out, a renamed role's old name.

Text is free prose, so nothing else notices "tell the Communication Lead" on the card of a
playbook that has no Communication Lead. Each text value (of a role, an activity or the settings)
is read once; every name or abbreviation it holds that is not a role here is one warning, at the
line of the text, or for text inherited from the defaults at the `extends:` line that brings it in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from .diagnostics import Diagnostic
from .overlay import prose
from .roleset import MergedLocator, default_docs
from .rules import RuleContext
from .yamlload import Path_

# Values that are not prose: ids, addresses, dates, handles and the role's own name.
_ROLE_SKIPPED = frozenset({"name", "short", "extends", "role", "backups", "review"})
_ACTIVITY_SKIPPED = frozenset({"id", "phase", "raci", "extends"})
_SETTINGS_SKIPPED = frozenset(
    {"id", "roles", "role_order", "url", "email", "pager", "channel", "version", "published"}
    | {"branding", "cards", "review_period_months"}
)


def find_mentions(
    ctx: RuleContext, renames: dict[str, str], settings_files: Iterable[str]
) -> list[Diagnostic]:
    """A warning for every text value that names a role this playbook does not have."""
    if not ctx.known_roles:
        return []  # no roles at all: reported once, elsewhere
    present = _present(ctx)
    absent = _absent(ctx.known_roles, renames, present)
    if not absent:
        return []
    finder = _Finder(absent, present)
    out: list[Diagnostic] = []
    for file, locator in ctx.locators.items():
        if not isinstance(locator, MergedLocator):
            continue
        skipped = _ACTIVITY_SKIPPED if file == ctx.activity_path else _ROLE_SKIPPED
        for path, text in _texts(locator.data, (), skipped):
            for name in finder.names(text):
                out.append(_located(locator, path, name, absent[name]))
    for file in sorted(set(settings_files)):
        doc = ctx.docs.get(file)
        if doc is None:
            continue
        for path, text in _texts(doc.data, (), _SETTINGS_SKIPPED):
            for name in finder.names(text):
                at = doc.loc(path)
                out.append(Diagnostic(file, at.line, at.col, _message(name, absent[name]), "warning"))
    return out


def _present(ctx: RuleContext) -> set[str]:
    """The names and abbreviations of this playbook's roles (names casefolded)."""
    found = {role.name.casefold() for role in ctx.roles.values()}
    found |= {role.short for role in ctx.roles.values()}
    for file, locator in ctx.locators.items():  # roles that failed validation keep their names too
        data = locator.data if isinstance(locator, MergedLocator) else None
        if file != ctx.activity_path and isinstance(data, dict):
            name, short = data.get("name"), data.get("short")
            found |= {name.strip().casefold()} if isinstance(name, str) else set()
            found |= {short} if isinstance(short, str) else set()
    return found


def _absent(known: set[str], renames: dict[str, str], present: set[str]) -> dict[str, str]:
    """Name or abbreviation -> why it is not a role of this playbook."""
    absent: dict[str, str] = {}
    for role_id, doc in default_docs().roles.items():
        if role_id in known or not isinstance(doc.data, dict):
            continue
        for key in ("name", "short"):
            value = doc.data.get(key)
            if isinstance(value, str) and value.strip():
                absent[value.strip()] = "a default role left out"
    for old, new in renames.items():
        absent[old] = f"renamed to '{new}'"
    return {k: v for k, v in absent.items() if k not in present and k.casefold() not in present}


class _Finder:
    """Names matched as whole phrases in any case, abbreviations as whole words in their own case;
    a plural counts ("SMEs"), and a role's own name hides what it contains ("Customer Support Team")."""

    def __init__(self, absent: dict[str, str], present: set[str]) -> None:
        def phrase(name: str) -> str:
            return r"\s+".join(re.escape(word) for word in name.split())

        def alternatives(names: Iterable[str]) -> str:
            return "|".join(phrase(n) for n in sorted(names, key=len, reverse=True))

        names = [n for n in absent if " " in n or not _is_abbreviation(n)]
        shorts = [n for n in absent if n not in names]
        parts = [f"(?i:{alternatives(names)})"] if names else []
        parts += [alternatives(shorts)] if shorts else []
        self.pattern = re.compile(r"\b(" + "|".join(parts) + r")(?=s?\b)")  # as renames match
        spaced = [n for n in present if " " in n]
        self.mask = re.compile(f"(?i:{alternatives(spaced)})") if spaced else None
        self.canonical = {re.sub(r"\s+", " ", n).casefold(): n for n in names} | {n: n for n in shorts}

    def names(self, text: str) -> list[str]:
        """The absent names the text holds, each once, in order of first mention."""
        text = prose(text)
        if self.mask is not None:
            text = self.mask.sub(lambda m: " " * len(m.group(0)), text)
        found: dict[str, None] = {}
        for match in self.pattern.finditer(text):
            word = re.sub(r"\s+", " ", match.group(1))
            found[self.canonical.get(word, self.canonical.get(word.casefold(), word))] = None
        return list(found)


def _is_abbreviation(name: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9&+./-]{1,8}", name) is not None and name.upper() == name


def _texts(value: Any, path: Path_, skipped: frozenset[str]) -> Iterator[tuple[Path_, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, (*path, i), skipped)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in skipped:
                yield from _texts(item, (*path, key), skipped)


def _message(name: str, why: str) -> str:
    return f"names '{name}', which is not a role of this playbook ({why})"


def _located(locator: MergedLocator, path: Path_, name: str, why: str) -> Diagnostic:
    file, at = locator(path, False)
    origin = locator.origin(path)
    if origin is None:
        return Diagnostic(file, at.line, at.col, _message(name, why), "warning")
    base, base_at = origin
    message = (
        f"inherited text names '{name}', which is not a role of this playbook ({why}): "
        f"{_label(path, locator.data)}, from {base}:{base_at.line}; replace or remove it in this file"
    )
    return Diagnostic(file, at.line, at.col, message, "warning")


def _label(path: Path_, data: Any) -> str:
    """A text's place for a reader, e.g. "checklists.detect item 2" or "activity 'x' description"."""
    if len(path) >= 3 and path[0] == "activities" and isinstance(path[1], int):
        activity = data["activities"][path[1]]
        if isinstance(activity, dict):
            return f"activity '{activity.get('id')}' {'.'.join(str(p) for p in path[2:])}"
    words = ".".join(str(p) for p in path if isinstance(p, str))
    numbers = [p for p in path if isinstance(p, int)]
    return f"{words} item {numbers[-1] + 1}" if numbers else words
