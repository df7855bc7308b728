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
    return None


def script_in(text: str) -> str | None:
    """The first thing in ``text`` (HTML, or Markdown holding HTML) that could run script, or None."""
    if "<" not in text:
        return None
    for ending in _ENDINGS:
        found = _found(text + ending)
        if found:
            return found
    return None
