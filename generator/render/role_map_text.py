"""How wide a role's name is drawn in the role map, and where it breaks onto a second line.

The picture is made at build time, without the browser's fonts, so text is measured with the advance
widths of DejaVu Sans Bold: wider than the sans-serif faces browsers pick for the site (Helvetica,
Arial, Roboto, Nimbus Sans), so a name measured with them fits its box in any of them.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
# DejaVu Sans Bold's advance widths, in hundredths of an em, of the characters from space to "~"
_ASCII = (
    "35 46 53 84 70 101 88 31 46 46 53 84 38 42 38 37 70 70 70 70 70 70 70 70 70 70 40 40 84 84 84 59 "
    "100 78 77 74 84 69 69 83 84 38 38 78 64 100 84 86 74 86 78 73 69 82 78 111 78 73 73 46 37 46 84 "
    "50 50 68 72 60 72 68 44 72 72 35 35 67 35 105 72 69 72 72 50 60 48 72 66 93 65 66 59 72 37 72 84"
)
_WIDTHS = {chr(32 + i): int(w) / 100 for i, w in enumerate(_ASCII.split())}
_WIDE = 1.0  # a CJK character, or anything East Asian fonts draw a full em wide
_MARK = 0.15  # what an accent may add beside its letter (a caron as an apostrophe, a horn)
_OTHER = 1.2  # any other character (Æ, Œ, Greek, Cyrillic, symbols): as wide as the widest of them


def _ems(char: str) -> float:
    if char in _WIDTHS:
        return _WIDTHS[char]
    category = unicodedata.category(char)
    if category in ("Mn", "Me") or (category == "Cf" and char != "\u00ad"):  # marks, invisible characters
        return 0.0
    parts = unicodedata.normalize("NFKD", char)  # an accented letter: its letter, then its accent
    if parts != char and all(p in _WIDTHS or unicodedata.category(p) in ("Mn", "Me") for p in parts):
        return sum(_WIDTHS.get(p, 0.0) for p in parts) + (_MARK if len(parts) > 1 else 0.0)
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE
    return _OTHER


def text_width(text: str, size: float) -> float:
    """An upper bound of the width of ``text`` drawn in bold at font size ``size``."""
    return sum(_ems(char) for char in text) * size


def _clip(text: str, room: float, size: float) -> str:
    """``text``, cut short with an ellipsis if it is wider than ``room``."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text.rstrip() + ELLIPSIS, size) > room:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def wrap(name: str, room: float, size: float) -> tuple[str, ...]:
    """A name on one line if it fits ``room``, else on two split between words as evenly as fits, the
    second cut short with an ellipsis if still too wide (names are up to 80 characters)."""
    if text_width(name, size) <= room:
        return (name,)
    words = name.split(" ")
    best: tuple[float, str, str] | None = None
    for i in range(1, len(words)):
        first, second = " ".join(words[:i]), " ".join(words[i:])
        if text_width(first, size) > room:
            break
        widest = max(text_width(first, size), text_width(second, size))
        if best is None or widest < best[0]:
            best = (widest, first, second)
    if best is None:  # the first word alone is too wide: break inside it
        first = _clip(name, room, size)[: -len(ELLIPSIS)].rstrip()
        return (first, _clip(name[len(first) :].lstrip(), room, size))
    return (best[1], _clip(best[2], room, size))
