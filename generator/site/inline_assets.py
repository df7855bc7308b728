"""A built page as rolebook writes it: its base stylesheet and bootstrap script written in where the
theme would link them, and the indentation of the theme's HTML dropped.

On a phone on a slow network, every file a page asks for before it paints costs more than its bytes.
Measured side by side (benchmarks/phone.py, Fast 3G, uncompressed), a role page that linked the 3 KB
stylesheet and the 1 KB bootstrap as files painted 2 to 4 % later than the theme's own page, and a
page whose HTML was made smaller than the theme's still did; with the two written into the page it
paints at the same time (0.97 to 1.00). So each built page holds them: the stylesheet in a ``<style>``
where the theme links it (still before the brand's stylesheets, which override it), the bootstrap in a
``<script>`` where the theme lists it, its ``data-rb-assets`` giving the address of the site's assets/
from the page (static/offline.js reads it). Instant navigation keeps both: the head's children that
are the same on every page stay, and the script sits outside the content it swaps.

The files stay in the site, for the Markdown export and for anything else that links them. A
stylesheet holding ``</style`` (a project's template could write one) stays linked: written into the
page it would close the style element and let what follows it become markup. So does one naming another
file (``url(...)``, ``@import``): from the page, its relative address would lead elsewhere.

The theme indents its HTML: a role page is 16 % spaces at the start of lines (7 KB of 47; 0.5 KB
compressed). A browser reads a line break followed by spaces as it reads the line break alone, except
in ``<pre>`` and ``<textarea>``, which keep them, so the spaces are dropped everywhere else. With that
a role page weighs less than the theme's own page, and rolebook's 4 KB come out of its own bytes.
"""

from __future__ import annotations

import re

# What Material writes for the two entries of extra_css and extra_javascript, with the relative path
# from the page to the site's root (MkDocs' `url` filter): "", "../", "../../", ...
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="((?:\.\./)*)assets/rolebook\.css">')
_BOOTSTRAP = re.compile(r'<script src="((?:\.\./)*)assets/rolebook-offline\.js"></script>')
_CLOSES = re.compile(r"</(style|script)|<!--", re.IGNORECASE)  # would end the element, or hide its end
_NAMES_A_FILE = re.compile(r"url\(|@import", re.IGNORECASE)
_INDENT = re.compile(r"\n[ \t]+")
_KEPT = re.compile(r"(<(pre|textarea)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)


def inline_assets(html: str, stylesheet: str | None, bootstrap: str | None) -> str:
    """The page with the stylesheet and the bootstrap in it, where the theme linked them (each once)."""
    if stylesheet is not None and not _CLOSES.search(stylesheet) and not _NAMES_A_FILE.search(stylesheet):
        html = _STYLESHEET.sub(lambda m: f"<style>{stylesheet.strip()}</style>", html, count=1)
    if bootstrap is not None and not _CLOSES.search(bootstrap):
        html = _BOOTSTRAP.sub(
            lambda m: f'<script data-rb-assets="{m.group(1)}assets/">{bootstrap.strip()}</script>',
            html,
            count=1,
        )
    return html


def without_indentation(html: str) -> str:
    """The page without the spaces and tabs that open its lines, except inside ``<pre>`` and ``<textarea>``."""
    if not re.search(r"<(pre|textarea)\b", html, re.IGNORECASE):
        return _INDENT.sub("\n", html)
    parts = _KEPT.split(html)  # text, kept element, its tag name, text, ...
    out = [_INDENT.sub("\n", text) if i % 3 == 0 else text for i, text in enumerate(parts) if i % 3 != 2]
    return "".join(out)
