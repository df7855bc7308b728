"""Playbook text made safe to place anywhere in a page.

Role and settings text is Markdown written by many hands. It is rendered here
with plain Markdown (no attribute lists, no raw HTML), cleaned by an allow-list
(nh3), and then every character that the page's own Markdown pass could read as
syntax is written as a character reference. Whatever a role file holds, it ends
up as text, emphasis, code or a web link, never as markup of its own.
"""

from __future__ import annotations

import functools
import html
import re

import markdown
import nh3
from markupsafe import Markup

_TAGS = {"a", "em", "strong", "code", "p", "ul", "ol", "li", "br", "pre", "blockquote"}
_ATTRIBUTES = {"a": {"href", "title"}}
_SCHEMES = {"http", "https", "mailto"}

# Outside tags and character references, these would mean something to the page's Markdown pass.
_SYNTAX = re.compile(r"[\\`*_\[\]{}|#!~^=<>]")
_PIECES = re.compile(r"(<[^>]*>|&#?\w+;)")


class SafeText(Markup):
    """HTML that rolebook made safe, placed as it is. Cut or changed (sliced, split, stripped,
    replaced, translated, ...) it is plain text again and is escaped where it is placed, so a
    template cannot take a safe fragment apart into markup of its own. Joined with other text it
    stays safe: Markup escapes what is added to it."""

    __slots__ = ()


def _as_plain_text(name: str) -> object:
    method = getattr(str, name)

    def plain_result(self: SafeText, *args: object, **kwargs: object) -> object:
        return method(str(self), *args, **kwargs)

    plain_result.__name__ = name
    return plain_result


for _name in (
    "__getitem__", "__iter__", "split", "rsplit", "splitlines", "partition", "rpartition", "capitalize",
    "title", "lower", "upper", "casefold", "swapcase", "replace", "translate", "strip", "lstrip", "rstrip",
    "ljust", "rjust", "center", "zfill", "expandtabs", "removeprefix", "removesuffix",
):  # fmt: skip
    setattr(SafeText, _name, _as_plain_text(_name))


def _neutral(html_text: str) -> str:
    """Write Markdown syntax characters in text as numeric character references; tags stay as they are."""
    pieces = _PIECES.split(html_text)
    return "".join(
        piece if i % 2 else _SYNTAX.sub(lambda m: f"&#{ord(m.group(0))};", piece)
        for i, piece in enumerate(pieces)
    )


# One converter, reset before each text: building a Markdown parser costs more than most conversions.
_MARKDOWN = markdown.Markdown(output_format="html")


@functools.lru_cache(maxsize=65536)  # the same text appears on a role's page, its card and the search index
def _html(text: str) -> str:
    rendered = _MARKDOWN.reset().convert(text)
    return nh3.clean(rendered, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES, link_rel=None)


def rich(text: str) -> Markup:
    """Inline text: one line of HTML, paragraphs joined by line breaks."""
    cleaned = _html(text).strip()
    cleaned = re.sub(r"</p>\s*<p>", "<br><br>", cleaned)
    if cleaned.startswith("<p>") and cleaned.endswith("</p>"):
        cleaned = cleaned[3:-4]
    return SafeText(_neutral(" ".join(cleaned.split("\n"))))


def rich_block(text: str) -> Markup:
    """Block text (paragraphs, lists) as one raw-HTML block with no blank lines inside."""
    cleaned = _html(text).strip()
    lines = [line for line in cleaned.split("\n") if line.strip()]
    return SafeText('<div class="rb-text">' + _neutral("\n".join(lines)) + "</div>")


def plain(text: str) -> Markup:
    """Text shown exactly as written, e.g. a name in a heading, link or table cell."""
    return SafeText(_neutral(html.escape(" ".join(text.split()), quote=True)))


def verbatim(text: str) -> Markup:
    """Text shown as written, line breaks kept, for a script or a message inside ``<pre>``: escaped, and
    its line breaks written as character references so the block stays one line of the page's Markdown."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    escaped = _neutral(html.escape("\n".join(lines), quote=True))
    return SafeText(escaped.replace("\n", "&#10;").replace("\t", "&#9;"))
