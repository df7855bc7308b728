"""A page's front matter, read as the site engines read it, without importing any of them.

MkDocs (and ProperDocs, its fork) take settings from the top of a page in one of two forms: a YAML block
between a ``---`` line and a ``---`` or ``...`` line, or, when there is none, MultiMarkdown lines
(``key: value``, continued by lines indented four spaces or a tab) up to the first blank line. The
renderer checks what a generated page says there (only what to hide), so this reader must find the same
settings as they do: tests/test_engine_boundary.py compares the two on many pages.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_YAML_BLOCK = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
_OPENS_A_BLOCK = re.compile(r"\s*-{3}")  # what some engine may take for front matter, read loosely
_KEY_LINE = re.compile(r"^ {0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_MORE_LINE = re.compile(r"^(?: {4}|\t)\s*(?P<value>.*)")


def as_engines_read(text: str) -> str:
    """A page's text as an engine reads the file written from it: without a byte order mark, with its line
    breaks as ``\n`` (MkDocs and Zensical open files so)."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def unreadable_block(text: str) -> bool:
    """Whether the page opens with what an engine may read as a front matter block that this reader does
    not (a block that is not YAML settings, or ``---`` after blank lines): a page may not, as what another
    reader finds there cannot be checked."""
    if not _OPENS_A_BLOCK.match(text):
        return False
    block = _YAML_BLOCK.match(text)
    return block is None or (not split(text)[1] and block.group(1).strip() != "")


def split(text: str) -> tuple[str, dict[str, Any]]:
    """The page's text after its front matter, and the settings the front matter holds."""
    block = _YAML_BLOCK.match(text)
    if block:
        try:
            settings = yaml.load(
                block.group(1), yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
            )
        except Exception:  # a block that is not YAML is not front matter: the page keeps it
            return text, {}
        return (text[block.end() :].lstrip("\n"), settings) if isinstance(settings, dict) else (text, {})
    return _multimarkdown(text)


def _multimarkdown(text: str) -> tuple[str, dict[str, Any]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    settings: dict[str, Any] = {}
    key: str | None = None
    at = 0
    while at < len(lines):
        line = lines[at]
        if not line.strip():
            at += 1  # the blank line ends the block and is not part of the page
            break
        if found := _KEY_LINE.match(line):
            key = found["key"].lower().strip()
            value = found["value"].strip()
            settings[key] = f"{settings[key]} {value}" if key in settings else value
        elif key and (more := _MORE_LINE.match(line)):
            settings[key] += f" {more['value'].strip()}"
        else:
            break
        at += 1
    return "\n".join(lines[at:]).lstrip("\n"), settings
