"""Mentions of roles the playbook does not have: a default role left out, a renamed role's old name.

Text is free prose, so nothing else notices "tell the Communication Lead" on the card of a
playbook that has no Communication Lead. Each text value (of a role, an activity or the settings)
is read once; every name or abbreviation it holds that is not a role here is one warning, where the
name stands in the text (a name in a text of several lines on its own line), or for text inherited
from the defaults at the `extends:` line that brings it in.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from generator.core.overlay_merge import prose
from generator.core.overlays import MergedLocator, default_docs
from generator.core.rules import RuleContext
from generator.core.yaml_loading import Loc, Path_, YamlDoc
from generator.diagnostics import Diagnostic

# Values that are not prose: ids, addresses, dates, handles and the role's own name.
_ROLE_SKIPPED = frozenset(
    {
        "name",
        "short",
        "extends",
        "role",
        "backups",
        "review",
        "id",
        "within",
        "severity",
        "severities",
        "source",
    }
)
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
    places = _Places(finder)
    out: list[Diagnostic] = []
    for file, locator in ctx.locators.items():
        if not isinstance(locator, MergedLocator):
            continue
        locator = locator.unmapped()  # paths into its data, every activity's text included
        skipped = _ACTIVITY_SKIPPED if file == ctx.activity_path else _ROLE_SKIPPED
        for path, text in texts(locator.data, (), skipped):
            for name in finder.names(text):
                out.append(_located(locator, path, name, absent[name], places))
    for file in sorted(set(settings_files)):
        doc = ctx.docs.get(file)
        if doc is None:
            continue
        for path, text in texts(doc.data, (), _SETTINGS_SKIPPED):
            for name in finder.names(text):
                at = places.at(doc, path, name)
                out.append(Diagnostic(file, at.line, at.col, _message(name, *absent[name]), "warning"))
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


def _absent(known: set[str], renames: dict[str, str], present: set[str]) -> dict[str, tuple[str, str]]:
    """Name or abbreviation -> why it is not a role of this playbook, and what to write instead."""
    absent: dict[str, tuple[str, str]] = {}
    for role_id, doc in default_docs().roles.items():
        if role_id in known or not isinstance(doc.data, dict):
            continue
        for key in ("name", "short"):
            value = doc.data.get(key)
            if isinstance(value, str) and value.strip():
                absent[value.strip()] = ("a default role left out", LEFT_OUT_FIX)
    for old, new in renames.items():
        absent[old] = (f"renamed to '{new}'", f"write '{new}'")
    return {k: v for k, v in absent.items() if k not in present and k.casefold() not in present}


LEFT_OUT_FIX = "write the name of a role of this playbook, or remove it"


class _Finder:
    """Names of several words matched as whole phrases in any case, one-word names and abbreviations as
    whole words in their own case;
    a plural counts ("SMEs"), and a role's own name hides what it contains ("Customer Support Team")."""

    def __init__(self, absent: Collection[str], present: set[str]) -> None:
        def phrase(name: str) -> str:
            return r"\s+".join(re.escape(word) for word in name.split())

        def alternatives(names: Iterable[str]) -> str:
            return "|".join(phrase(n) for n in sorted(names, key=len, reverse=True))

        # a name of several words in any case; one word (an abbreviation, or a name such as "Scribe") as
        # written, since in lower case it is a common word ("a deputy may have to take command")
        names = [n for n in absent if " " in n.strip()]
        shorts = [n for n in absent if n not in names]
        parts = [f"(?i:{alternatives(names)})"] if names else []
        parts += [alternatives(shorts)] if shorts else []
        self.pattern = re.compile(r"\b(" + "|".join(parts) + r")(?=s?\b)")  # as renames match
        # Most text names no absent role: one search for the names anywhere (which blanking code or a
        # present name out can only take away) skips the rest for it.
        self.anywhere = re.compile("|".join(parts))
        spaced = [n for n in present if " " in n]
        self.mask = re.compile(f"(?i:{alternatives(spaced)})") if spaced else None
        self.shorts = frozenset(shorts)
        # a name found is told by the pattern that matches it (casefold() and a case-insensitive match
        # disagree on some letters, such as U+0130 and U+0131)
        self.spelled = [(re.compile(phrase(n), re.I), n) for n in names]

    def names(self, text: str) -> list[str]:
        """The absent names the text holds, each once, in order of first mention."""
        return list(dict.fromkeys(name for name, _ in self._matches(text)))

    def first(self, text: str, name: str) -> int | None:
        """Where in ``text`` the name first stands (a name may be written over a line break)."""
        return next((start for found, start in self._matches(text) if found == name), None)

    def _matches(self, text: str) -> Iterator[tuple[str, int]]:
        if not self.anywhere.search(text):
            return
        text = prose(text)  # the same length: offsets hold
        if self.mask is not None:
            text = self.mask.sub(lambda m: " " * len(m.group(0)), text)
        for match in self.pattern.finditer(text):
            word = re.sub(r"\s+", " ", match.group(1))
            name = (
                word if word in self.shorts else next((n for s, n in self.spelled if s.fullmatch(word)), None)
            )
            if name is not None:
                yield name, match.start(1)


class _Places:
    """Where a name stands in the text of a file, found in the value as it is written: for a block
    scalar (``|`` or ``>``) from the line after its indicator, for any text up to the next value."""

    def __init__(self, finder: _Finder) -> None:
        self.finder = finder
        self.tables: dict[int, tuple[list[int], list[tuple[int, int]]]] = {}

    def at(self, doc: YamlDoc, path: Path_, name: str) -> Loc:
        start = doc.values.get(path)
        if start is None or not doc.source:
            return doc.loc(path)
        lines, marks = self._tables(doc)
        begin = lines[start.line - 1] + start.col - 1
        after = bisect.bisect_right(marks, (start.line, start.col))
        end = lines[marks[after][0] - 1] + marks[after][1] - 1 if after < len(marks) else len(doc.source)
        written = doc.source[begin:end]
        skip = written.find("\n") + 1 if written[:1] in ("|", ">") else 0
        offset = self.finder.first(written[skip:], name)
        if offset is None:  # written with escapes: the start of the value
            return start
        index = begin + skip + offset
        line = bisect.bisect_right(lines, index)
        return Loc(line, index - lines[line - 1] + 1)

    def _tables(self, doc: YamlDoc) -> tuple[list[int], list[tuple[int, int]]]:
        """Where each line of the file starts, and every place a value or a key starts, in order."""
        if id(doc) not in self.tables:
            lines = [0, *(m.end() for m in re.finditer("\n", doc.source))]
            marks = sorted({(at.line, at.col) for at in (*doc.values.values(), *doc.keys.values())})
            self.tables[id(doc)] = (lines, marks)
        return self.tables[id(doc)]


def texts(value: Any, path: Path_, skipped: frozenset[str]) -> Iterator[tuple[Path_, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from texts(item, (*path, i), skipped)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in skipped:
                yield from texts(item, (*path, key), skipped)


def _message(name: str, why: str, fix: str) -> str:
    return f"names '{name}', which is not a role of this playbook ({why}): {fix}"


def _located(
    locator: MergedLocator, path: Path_, name: str, why_fix: tuple[str, str], places: _Places
) -> Diagnostic:
    why = why_fix[0]
    origin = locator.origin(path)
    if origin is None:
        written = locator.written(path)
        file, at = (written[0].path, places.at(*written, name)) if written else locator(path, False)
        return Diagnostic(file, at.line, at.col, _message(name, *why_fix), "warning")
    file, at = locator(path, False)
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
    keys = [str(p) for p in path if isinstance(p, str)]
    if keys[:1] == ["checklists"] and keys[-1:] == ["text"]:  # a checklist item's text is the item
        keys.pop()
    words = ".".join(keys)
    numbers = [p for p in path if isinstance(p, int)]
    return f"{words} item {numbers[-1] + 1}" if numbers else words
