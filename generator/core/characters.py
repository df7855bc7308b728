"""Characters a playbook file may not hold, by where they stand, and how a refused one is named.

Three kinds of character are refused, whatever YAML escape wrote them (``\\u0001``, ``\\x85``,
``\\e``, ``\\u202e``):

- control characters (C0, DEL and C1), which terminals and spreadsheets act on instead of
  showing; newline and tab are allowed in values, where text may run over several lines;
- bidirectional overrides, embeddings, isolates and marks, which make text read differently from
  the characters it holds; refused everywhere;
- invisible characters (Unicode's default-ignorable code points: zero-width space and joiners,
  soft hyphen, word joiner, byte-order mark, Hangul fillers, tag characters, ...), which let two
  names that look the same differ. Names, ids and every other one-line value refuse them all but
  the emoji presentation selectors (U+FE0E, U+FE0F). Free text keeps those with a typographic job:
  the zero-width joiner (emoji sequences, Indic scripts), the zero-width non-joiner (Persian,
  Indic scripts), the zero-width space (word breaks in Thai, Khmer, Lao), the word joiner, the
  soft hyphen, the combining grapheme joiner and variation selectors.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Kind = Literal["text", "line", "key"]

# Free-text fields of roles, activities and settings (the model's Text type); every other value
# is one line: a name, an id, an abbreviation, a handle, a link.
FREE_TEXT_FIELDS = frozenset(
    {"summary", "responsibilities", "checklists", "handoff", "skills", "training", "first_actions",
     "do", "dont", "how", "when", "description", "intro", "time_targets", "scripts", "decision_rights",
     "conflicts", "anti_patterns", "guidance", "messages", "examples", "severity_rules"}
)  # fmt: skip
# Under these keys the next key is data (a phase or role id, or an overlay's old text), not a field.
_DATA_KEYS_UNDER = frozenset({"checklists", "raci", "contacts", "replace"})

_CONTROL = "\x00-\x08\x0a-\x1f\x7f-\x9f"  # tab (09) aside; newline (0a) is listed here
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Default_Ignorable_Code_Point (DerivedCoreProperties.txt), without the bidi controls above.
_IGNORABLE = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2060-\u2065\u206a-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff"
)
# Kept in free text for their typographic job (see above); in one-line values, only U+FE0E/U+FE0F.
_TEXT_KEEPS = "\u00ad\u034f\u180b-\u180d\u180f\u200b-\u200d\u2060\ufe00-\ufe0f\U000e0100-\U000e01ef"
_LINE_KEEPS = "\ufe0e\ufe0f"
# Noncharacters (U+FDD0-FDEF and the last two of every plane) and lone surrogates: no text holds them,
# and XML (the spreadsheet) cannot.
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)
)
_SEPARATORS = "\u2028\u2029"  # line and paragraph separators: a name, an id or a key is one line

# Default-ignorable characters, bidi controls included: what a look-alike comparison drops.
IGNORABLE = re.compile(f"[{_BIDI}{_IGNORABLE}]")
_REFUSED: dict[Kind, re.Pattern[str]] = {
    "text": re.compile(f"(?![\\n{_TEXT_KEEPS}])[{_CONTROL}{_BIDI}{_IGNORABLE}{_NONCHARACTERS}]"),
    "line": re.compile(f"(?![\\n{_LINE_KEEPS}])[{_CONTROL}{_BIDI}{_IGNORABLE}{_SEPARATORS}{_NONCHARACTERS}]"),
    "key": re.compile(f"[\\t{_CONTROL}{_BIDI}{_IGNORABLE}{_SEPARATORS}{_NONCHARACTERS}]"),
}

# Controls have no Unicode name; these are their formal aliases (NameAliases.txt).
_C0 = [
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
    "ACKNOWLEDGE", "ALERT", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION",
    "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
    "FILE SEPARATOR", "GROUP SEPARATOR", "RECORD SEPARATOR", "UNIT SEPARATOR",
]  # fmt: skip
_C1 = [
    "PADDING CHARACTER", "HIGH OCTET PRESET", "BREAK PERMITTED HERE", "NO BREAK HERE", "INDEX", "NEXT LINE",
    "START OF SELECTED AREA", "END OF SELECTED AREA", "CHARACTER TABULATION SET",
    "CHARACTER TABULATION WITH JUSTIFICATION", "LINE TABULATION SET", "PARTIAL LINE FORWARD",
    "PARTIAL LINE BACKWARD", "REVERSE LINE FEED", "SINGLE SHIFT TWO", "SINGLE SHIFT THREE",
    "DEVICE CONTROL STRING", "PRIVATE USE ONE", "PRIVATE USE TWO", "SET TRANSMIT STATE", "CANCEL CHARACTER",
    "MESSAGE WAITING", "START OF GUARDED AREA", "END OF GUARDED AREA", "START OF STRING",
    "SINGLE GRAPHIC CHARACTER INTRODUCER", "SINGLE CHARACTER INTRODUCER", "CONTROL SEQUENCE INTRODUCER",
    "STRING TERMINATOR", "OPERATING SYSTEM COMMAND", "PRIVACY MESSAGE", "APPLICATION PROGRAM COMMAND",
]  # fmt: skip


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: the code point and its name (a control's formal alias)."""
    code = ord(char)
    if code < 0x20:
        name = _C0[code]
    elif code == 0x7F:
        name = "DELETE"
    elif 0x80 <= code <= 0x9F:
        name = _C1[code - 0x80]
    elif 0xD800 <= code <= 0xDFFF:
        name = "(a lone surrogate)"
    elif re.fullmatch(f"[{_NONCHARACTERS}]", char):
        name = "(a noncharacter)"
    else:
        name = unicodedata.name(char, "(unassigned)")
    return f"U+{code:04X} {name}"


def value_kind(path: tuple[str | int, ...]) -> Kind:
    """Whether the value at ``path`` is free text or a one-line value (name, id, handle, link)."""
    data_key = False
    for part in path:
        if data_key:
            data_key = False
        elif isinstance(part, str):
            if part in FREE_TEXT_FIELDS:
                return "text"
            data_key = part in _DATA_KEYS_UNDER
    return "line"


def key_kind(parent: tuple[str | int, ...]) -> Kind:
    """Keys are field names and ids; only an overlay's ``replace`` of free text has text as keys."""
    return "text" if parent and parent[-1] == "replace" and value_kind(parent) == "text" else "key"


def refused(text: str, kind: Kind) -> tuple[int, str] | None:
    """The index of the first refused character in ``text`` and why it is refused, or None."""
    found = _REFUSED[kind].search(text)
    if found is None:
        return None
    char = found.group(0)
    if re.fullmatch(f"[{_CONTROL}]", char):
        where = "in a key" if kind == "key" else "in text"
        why = "a control character: a terminal or spreadsheet acts on it instead of showing it"
    elif re.fullmatch(f"[{_NONCHARACTERS}]", char):
        where = "in a key" if kind == "key" else "in text"
        why = "a noncharacter or a lone surrogate, which no text holds"
    elif char in _SEPARATORS:
        where = "in a key" if kind == "key" else "in names, ids and other one-line values"
        why = "it breaks the line, and a name is one line"
    elif re.fullmatch(f"[{_BIDI}]", char):
        where, why = "in text", "it can make text read differently from what it holds"
    elif kind == "text":
        where, why = "in text", "it is invisible and has no use in playbook text"
    else:
        where = "in a key" if kind == "key" else "in names, ids and other one-line values"
        why = "it is invisible, so two names that look the same would differ"
    return found.start(), f"{describe(char)} is not allowed {where} ({why})"
