"""Valid YAML that silently says something other than what its author wrote, and clearer syntax errors.

Unquoted (plain) text is where YAML surprises people. Two traps are found here, each reported as a
warning at the line and column where it stands:

* an indented line that begins with ``- `` inside unquoted text is not a list item: YAML joins it to
  the text above with a space (a list item indented one space too far, or a list written under a key
  that already has text);
* `` #`` inside or after unquoted text starts a comment, so the rest of the line is left out
  (``channel: #ops`` leaves ``channel`` empty, ``Slack #incidents`` is read as ``Slack``).

``syntax_hint`` turns two of the parser's terse errors (a tab in indentation, a key indented as the
continuation of the text above) into messages that say what to change.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from yaml.nodes import ScalarNode

_DASH = re.compile(r"[ \t]*-(?:[ \t]|$)")
_COMMENT = re.compile(r"[ \t]+#(?=\S)")
_COMMENT_LINE = re.compile(r"[ \t]#\S")
_KEY_BEFORE = re.compile(r"[ \t]*(?:- +)*[^\s#'\"\-:][^:#]*")


class Trap(NamedTuple):
    """A warning, located 1-based like every message rolebook prints."""

    message: str
    line: int
    col: int


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tail(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else "…" + text[1 - limit :]


def _spaces(n: int) -> str:
    return f"{n} space" + ("" if n == 1 else "s")


def comment_lines(text: str) -> frozenset[int]:
    """The 0-based numbers of the lines where `` #`` followed by a character could cut text short."""
    if " #" not in text and "\t#" not in text:
        return frozenset()
    found, line, last = set(), 0, 0
    for match in _COMMENT_LINE.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        found.add(line)
    return frozenset(found)


def joined_items(text: str, node: ScalarNode, key: str | None, list_col: int | None) -> list[Trap]:
    """Lines of a multi-line plain scalar that begin with ``- ``: each was meant as a list item.

    ``list_col`` is the 0-based column of the list's ``-`` when the scalar is a list item; ``key``
    the mapping key when it is a mapping value. A scalar that is neither is left alone.
    """
    if list_col is None and key is None:
        return []
    start, end = node.start_mark, node.end_mark
    found: list[Trap] = []
    name = _clip(str(key))
    for offset, line in enumerate(text[start.index : end.index].split("\n")[1:], start=start.line + 2):
        if not _DASH.match(line):
            continue
        col = len(line) - len(line.lstrip(" \t"))
        if list_col is not None:
            more = _spaces(max(1, col - list_col))
            message = (
                f"this line is part of the item above, not an item of its own: its '-' is indented "
                f"{more} more than the list's, so YAML joins it to the text above; "
                "align the '-' with the other items"
            )
        else:
            message = (
                f"this line is part of the text of '{name}' above, not a list item: YAML joins indented "
                f"lines of unquoted text with spaces; for a list, leave '{name}:' empty and start each "
                f"item on its own line with '- '; to keep the line breaks in the text, write '{name}: |'"
            )
        found.append(Trap(message, offset, col + 1))
    return found


def cut_by_comment(text: str, node: ScalarNode, key: str | None) -> Trap | None:
    """`` #word`` right after a plain scalar (or after a key with no value): a comment that ate text."""
    found = _COMMENT.match(text, node.end_mark.index)
    if found is None:
        return None
    at = found.end() - 1
    line_end = text.find("\n", at)
    words = text[at : line_end if line_end >= 0 else len(text)].rstrip()
    quote = "'" if '"' in words else '"'
    if node.value == "":
        what = f"'{_clip(key)}' has no value" if key is not None else "the value is empty"
        fix = f"write it in quotes: {quote}{_clip(words)}{quote}"
    else:
        what = f"the text ends at '{_tail(node.value)}'"
        fix = "put the whole text in quotes"
    message = (
        f"{what}: ' #' starts a YAML comment, so '{_clip(words)}' is left out; "
        f"{fix} (a comment needs a space after '#')"
    )
    line = node.end_mark.line + 1
    return Trap(message, line, at - (text.rfind("\n", 0, at) + 1) + 1)


_NO_SPACE_ITEM = re.compile(r"^\s*-[^\s\-]")


def syntax_hint(problem: str, text: str, line: int, col: int) -> str:
    """The parser's message with what to do, for errors whose plain wording hides the cause.

    ``line`` and ``col`` are 0-based, as the parser gives them.
    """
    lines = text.split("\n")
    here = lines[line] if 0 <= line < len(lines) else ""
    if here[col : col + 1] == "\t" or (problem.startswith("found a tab") and "\t" in here):
        return (
            "found a tab character in the indentation: YAML indents with spaces only; replace it with spaces"
        )
    if "mapping values are not allowed" in problem:
        before = here[:col]
        if here[col : col + 1] == ":" and _KEY_BEFORE.fullmatch(before):
            key = _clip(before.strip().lstrip("- ").strip())
            return (
                f"'{key}:' is indented as part of the text on the line above: if it is a key, "
                "align it with the keys of its mapping; if it is text, put the whole text in quotes"
            )
        return problem + " (a ': ' inside text starts a mapping; put the whole text in quotes)"
    if "cannot start any token" in problem and here[col : col + 1] in ("@", "`"):
        return (
            f"a value cannot begin with '{here[col]}' unless it is in quotes: "
            f'write "{_clip(here[col:].strip())}"'
        )
    if "could not find expected ':'" in problem:
        above = next((n for n in range(line - 1, -1, -1) if lines[n].strip()), None)
        if above is not None and _NO_SPACE_ITEM.match(lines[above]):
            return f"line {above + 1}: a list item needs a space after its '-' (write '- ' before the text)"
    return problem
