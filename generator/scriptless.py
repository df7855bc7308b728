"""What a template of the project's may not write into a page: anything that runs script.

rolebook's own templates write none of it, and playbook values are escaped wherever they are
placed; a template override or a theme partial of the project's that writes a script element,
an event attribute (``onerror=``), a script URL or an embedded document fails the build at that
template, so a pull request that changes templates cannot add script to the site either.
"""

from __future__ import annotations

import html.parser
import re

ACTIVE_ELEMENTS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "noscript"}
)
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc", "background", "ping"}
)
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|data):", re.IGNORECASE)
_SPACE = re.compile(r"[\s\x00-\x1f]+")


def _script_url(tag: str, url: str) -> bool:
    """javascript:, vbscript: or data: (a picture's data: URL aside)."""
    return bool(_SCRIPT_URL.match(url)) and not (tag == "img" and url.lower().startswith("data:image/"))


class _Finder(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.found:
            return
        if tag in ACTIVE_ELEMENTS:
            self.found = f"a <{tag}> element"
        for name, value in attrs:
            if self.found:
                return
            if name.startswith("on"):
                self.found = f"an event attribute ({name}=) on <{tag}>"
            elif name == "http-equiv":
                self.found = f"<{tag} http-equiv>"
            elif name in URL_ATTRIBUTES and value and _script_url(tag, _SPACE.sub("", value)):
                self.found = f"a script or data URL in {name}= of <{tag}>"


def script_in(text: str) -> str | None:
    """The first thing in ``text`` (HTML, or Markdown holding HTML) that could run script, or None."""
    if "<" not in text:
        return None
    finder = _Finder()
    finder.feed(text)
    finder.close()
    return finder.found
