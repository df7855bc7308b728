"""A net under a project's templates: what they write may not hold script.

rolebook's own templates write none of it, and playbook values are escaped wherever they are
placed. When a project has templates of its own, every page and card they make is read as a
browser reads it (Lexbor, an HTML5 parser, through selectolax) and refused if it holds a script
element, an event attribute (``onerror=``), a script or data URL, an embedded document or an
SVG animation (which can set a link to a script URL). The page is also read as if it ended inside
a tag, since the site's layout follows it.
"""

from __future__ import annotations

import re

ACTIVE_ELEMENTS = frozenset(
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
        "animate", "set", "animatemotion", "animatetransform", "handler", "listener",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {"href", "xlink:href", "src", "action", "formaction", "data", "poster", "srcdoc", "background", "ping"}
)
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|data):", re.IGNORECASE)
_SPACE = re.compile(r"[\s\x00-\x1f]+")
# a fragment that ends inside a tag or a quoted value would take in the layout that follows it
_ENDINGS = ("", ">", '">', "'>")


def _script_url(tag: str, url: str) -> bool:
    """javascript:, vbscript: or data: (a picture's data: URL aside)."""
    squeezed = _SPACE.sub("", url)
    return bool(_SCRIPT_URL.match(squeezed)) and not (
        tag == "img" and squeezed.lower().startswith("data:image/")
    )


# A request to another host: a URL with a network scheme, or starting "//" (the page's own scheme). The
# site loads nothing from another host (it works offline, and a signed-in reader's visit is not told to
# anyone); a link (<a>, <area>) may lead elsewhere, nothing may be fetched or sent there.
_ELSEWHERE = re.compile(r"^\s*(?:(?:https?|ftps?|wss?):|[/\\]{2})", re.IGNORECASE)
_CSS_ELSEWHERE = re.compile(
    r"(?:url\(\s*['\"]?|@import\s+['\"]?)\s*(?:(?:https?|ftps?):|[/\\]{2})", re.IGNORECASE
)
_LINKS = frozenset({"a", "area"})


def elsewhere_in_css(css: str) -> str | None:
    """The first url(...) or @import of ``css`` that fetches from another host, or None."""
    found = _CSS_ELSEWHERE.search(css)
    return f"a stylesheet fetching from another host ({found.group(0).strip()}...)" if found else None


def _fetches_elsewhere(tag: str, name: str, value: str) -> bool:
    if name == "srcset":
        return any(_ELSEWHERE.match(part) for part in value.split(","))
    return (tag not in _LINKS or name == "ping") and name in URL_ATTRIBUTES and bool(_ELSEWHERE.match(value))


def _found(text: str) -> str | None:
    from selectolax.lexbor import LexborHTMLParser  # loaded only for a project with templates of its own

    root = LexborHTMLParser(text).root
    if root is None:
        return None
    for node in root.traverse():
        tag = (node.tag or "").lower()
        if tag in ACTIVE_ELEMENTS:
            return f"a <{tag}> element"
        for name, value in node.attributes.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                return f"an event attribute ({name}=) on <{tag}>"
            if lowered == "http-equiv":
                return f"<{tag} http-equiv>"
            if lowered in URL_ATTRIBUTES and value and _script_url(tag, value):
                return f"a script or data URL in {name}= of <{tag}>"
            if value and _fetches_elsewhere(tag, lowered, value):
                return f"a request to another host in {name}= of <{tag}>"
            if lowered == "style" and value and (css := elsewhere_in_css(value)):
                return f"{css} in style= of <{tag}>"
        if tag == "style" and (css := elsewhere_in_css(node.text(deep=True) or "")):
            return css
    return None


# Markdown that an extension reads a file or runs a program for, where a site engine enables it (Backstage's
# techdocs-core turns on pymdownx.snippets, plantuml_markdown and markdown_inline_graphviz): a snippet
# include ("--8<-- .git/config" publishes the file), a PlantUML or Graphviz block (the tool reads its own
# includes). Playbook values are escaped and never form one; a project's template may not write one.
_READS_FILES = re.compile(
    r"^[ \t]*(?:;*-+8<-+|(?:`{3,}|~{3,})[ \t]*\{?[ \t]*\.?(?:plantuml|puml|uml)\b|::uml::"
    r"|\{%[ \t]*(?:dot|neato|fdp|sfdp|twopi|circo|osage|patchwork)\b)",
    re.IGNORECASE | re.MULTILINE,
)


def file_reader_in(text: str) -> str | None:
    """The first Markdown in ``text`` that some engine's extension would read a file or run a program for."""
    found = _READS_FILES.search(text)
    return f"{found.group(0).strip()!r} (a block that reads files)" if found else None


def script_in(text: str) -> str | None:
    """The first thing in ``text`` (HTML, or Markdown holding HTML) that could run script, or None."""
    if "<" not in text:
        return None
    for ending in _ENDINGS:
        found = _found(text + ending)
        if found:
            return found
    return None
