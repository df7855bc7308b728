"""The site's stylesheets, one per kind of page, and which page links which.

Every page of a built site loads ``assets/rolebook.css`` (MkDocs' ``extra_css``): the colours, the RACI
letters, the role pages' checklists and how they print. That is all a role page needs, so the page a
responder opens first on a phone waits for as few bytes as the theme's own page would. The matrix, the
role map, the quick cards and incident mode's forms have sheets of their own, each linked from inside the
pages that hold its markup (found by the classes rolebook's templates give it, so a template that moves
the matrix to another page takes its sheet along). The link sits at the top of the page's content, where
Material's instant navigation, which keeps the ``<head>`` of the first page it opened, loads it too.

All come from one template, ``assets/rolebook.css.j2``, rendered once per sheet with ``sheet`` set to the
sheet's name; each of its blocks sits in the sheet that its pages load. Incident mode's script adds the
``incident`` sheet itself on a role page, where it places its bar after the page has loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.render.urls import relative_url


@dataclass(frozen=True)
class Sheet:
    name: str  # the template's `sheet`
    path: str  # in the site
    marker: re.Pattern[str] | None  # what in a page's text needs it; None: every page loads it


_CLASS = r'class="(?:[^"]*\s)?'
SHEETS = (
    Sheet("base", "assets/rolebook.css", None),
    Sheet("raci", "assets/rolebook-raci.css", re.compile(_CLASS + r"rb-raci")),
    Sheet("map", "assets/rolebook-map.css", re.compile(_CLASS + r"rb-rolemap")),
    Sheet("cards", "assets/rolebook-cards.css", re.compile(_CLASS + r"rb-cards?\b")),
    Sheet(
        "incident",
        "assets/rolebook-incident.css",
        re.compile(r"data-rb-(?:board|log|bar)\b|" + _CLASS + r"rb-nojs"),
    ),
)
BASE = SHEETS[0]
# a page's front matter, as MkDocs reads it (mkdocs.utils.meta): the links go after it
_FRONT_MATTER = re.compile(r"-{3}[ \t]*\n(?:.*?\n)?(?:\.{3}|-{3})[ \t]*\n", re.S)
PAGE_SHEETS = SHEETS[1:]


def sheets_for(text: str) -> list[Sheet]:
    """The sheets, besides the base one, that a page of this text needs, in the order of SHEETS."""
    return [sheet for sheet in PAGE_SHEETS if sheet.marker is not None and sheet.marker.search(text)]


def with_sheets(page: str, text: str, directory_urls: bool) -> str:
    """A generated page with links to the sheets it needs at the top of its content: in a hidden block,
    which Markdown keeps as it is and which takes no room on the page."""
    needed = sheets_for(text)
    if not needed:
        return text
    links = "".join(
        f'<link rel="stylesheet" href="{relative_url(page, sheet.path, directory_urls)}">' for sheet in needed
    )
    front = _FRONT_MATTER.match(text)
    at = front.end() if front else 0
    return f'{text[:at]}<div class="rb-sheets" hidden>{links}</div>\n\n{text[at:]}'
