"""The site's stylesheets, one per kind of page, and which page links which.

Every page of a built site holds ``assets/rolebook.css`` (MkDocs' ``extra_css``, written into each page
by site/inline_assets.py): the colours, the RACI letters, the role pages' checklists and how they print.
That is all a role page needs, so the page a responder opens first on a phone waits for as little as
the theme's own page would. The matrix, the role map, the quick cards and incident mode's forms have
sheets of their own, each linked from inside the pages that hold its markup (found by the classes
rolebook's templates give it, so a template that moves the matrix to another page takes its sheet
along). The links sit at the top of the page's content, after its title: Material's instant navigation
swaps the content and so brings them along, and MkDocs takes a page's title from a heading that opens
it. The brand's stylesheets (``branding.extra_css``) are linked again after them, so that the brand's
rules still come last and win, as they do over the base sheet in the head.

All come from one template, ``assets/rolebook.css.j2``, rendered once per sheet with ``sheet`` set to the
sheet's name; each of its blocks sits in the sheet that its pages load. Incident mode's script adds the
``incident`` sheet itself on a role page, where it places its bar after the page has loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.core.playbook import Playbook
from generator.render import front_matter
from generator.render.urls import relative_url


@dataclass(frozen=True)
class Sheet:
    name: str  # the template's `sheet`
    path: str  # in the site
    marker: re.Pattern[str] | None  # what in a page's text needs it; None: every page loads it
    needles: tuple[str, ...] = ()  # one is in every match of the marker: a plain search rules most pages out


_CLASS = r'class="(?:[^"]*\s)?'
SHEETS = (
    Sheet("base", "assets/rolebook.css", None),
    Sheet("raci", "assets/rolebook-raci.css", re.compile(_CLASS + r"rb-raci"), ("rb-raci",)),
    Sheet("map", "assets/rolebook-map.css", re.compile(_CLASS + r"rb-rolemap"), ("rb-rolemap",)),
    Sheet("cards", "assets/rolebook-cards.css", re.compile(_CLASS + r"rb-cards?\b"), ("rb-card",)),
    Sheet(
        "incident",
        "assets/rolebook-incident.css",
        re.compile(r"data-rb-(?:board|log|bar)\b|" + _CLASS + r"rb-nojs"),
        ("data-rb-board", "data-rb-log", "data-rb-bar", "rb-nojs"),
    ),
)
BASE = SHEETS[0]
PAGE_SHEETS = SHEETS[1:]
BRAND_DIR = "assets/brand"  # where the site keeps the brand's logo and stylesheets, by their project path
_TITLE = re.compile(r"# [^\n]*\n")  # a Markdown heading of the first level, opening the page


def brand_sheets(playbook: Playbook) -> list[str]:
    """The site paths of the brand's stylesheets, in their order."""
    return [f"{BRAND_DIR}/{css}" for css in playbook.config.branding.extra_css]


def sheets_for(text: str) -> list[Sheet]:
    """The sheets, besides the base one, that a page of this text needs, in the order of SHEETS."""
    return [
        sheet
        for sheet in PAGE_SHEETS
        if sheet.marker is not None
        and any(needle in text for needle in sheet.needles)
        and sheet.marker.search(text)
    ]


def with_sheets(
    page: str, text: str, directory_urls: bool, after: list[str] | None = None, *, source_links: bool = False
) -> str:
    """A generated page with links to the sheets it needs, then to ``after`` (the brand's), at the top of
    its content: after its front matter (either form MkDocs reads) and its title, in a hidden block, which
    Markdown keeps as it is and which takes no room on the page."""
    needed = [sheet.path for sheet in sheets_for(text)]
    if not needed:
        return text
    paths = [*needed, *(after or [])]
    links = "".join(
        f'<link rel="stylesheet" href="{relative_url(page, path, directory_urls, source_links=source_links)}">'
        for path in paths
    )
    body = front_matter.split(text)[0]
    at = len(text) - len(body) if text.endswith(body) else 0
    title = _TITLE.match(text, at)
    at = title.end() if title else at
    return f'{text[:at]}\n<div class="rb-sheets" hidden>{links}</div>\n\n{text[at:]}'
