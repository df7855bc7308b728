"""What a laid-out card must hold to: each face on one page, no text below the size's floor, no line wider
than the card. The sections a card shows only where they fit are taken out here, one at a time.

A card template marks such a section with ``<!--rb-drop FACE RANK-->`` ... ``<!--/rb-drop FACE RANK-->``
(the ``optional`` macro of cards/card.html.j2 writes them): a face that runs over its page is laid out
again without its lowest rank still there, until it fits or nothing optional is left.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.diagnostics import Diagnostic

if TYPE_CHECKING:
    from generator.render.card_content import CardSize

PX_TO_PT = 0.75
PX_TO_MM = 25.4 / 96
_DROP = re.compile(r"<!--rb-drop (front|back) (\d+)-->.*?<!--/rb-drop \1 \2-->", re.S)
ROUNDING_PX = 0.5  # rounding in the layout, not an overflow


def optional_parts(html: str) -> dict[str, list[int]]:
    """The ranks of the sections still in a card's HTML that may be dropped, by face, lowest first."""
    found: dict[str, list[int]] = {}
    for match in _DROP.finditer(html):
        found.setdefault(match.group(1), []).append(int(match.group(2)))
    return {face: sorted(ranks) for face, ranks in found.items()}


def without(html: str, face: str, rank: int | None = None) -> str:
    """The card without one optional section of ``face`` (``rank``), or without all of them (None)."""

    def keep(match: re.Match[str]) -> str:
        same = match.group(1) == face and (rank is None or int(match.group(2)) == rank)
        return "" if same else match.group(0)

    return _DROP.sub(keep, html)


def without_optional(html: str) -> str:
    """The card as it is at its smallest: every optional section of both faces out."""
    return without(without(html, "front"), "back")


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def _card_of(page: Any) -> tuple[str, Any] | None:
    """The face a page of a laid-out card holds, and its card's box, a few boxes below the page."""
    level = [page._page_box]
    for _ in range(4):
        for box in level:
            element = getattr(box, "element", None)
            classes = (element.get("class") or "").split() if element is not None else []
            if "rb-card" in classes:
                return ("back" if "rb-card--back" in classes else "front"), box
        level = [child for box in level for child in getattr(box, "children", None) or ()]
    return None


@dataclass
class _Face:
    pages: int = 0
    height: float = 0.0  # what its content takes, over all its pages (px)
    room: float = 0.0  # the height of one page's content area (px)
    parts: dict[int, float] = field(default_factory=dict)  # optional section rank -> its height (px)

    @property
    def over(self) -> bool:
        """Whether it ran onto another page, or past its page's foot (a flex box does not break)."""
        return self.pages > 1 or self.height > self.room + ROUNDING_PX


def _faces(document: Any) -> dict[str, _Face]:
    faces: dict[str, _Face] = {}
    for page in document.pages:
        found = _card_of(page)
        if found is None:
            continue
        face = faces.setdefault(found[0], _Face(room=page._page_box.height))
        face.pages += 1
        face.height += found[1].margin_height()
        for child in getattr(found[1], "children", None) or ():
            element = getattr(child, "element", None)
            mark = (element.get("data-rb-drop") or "").split() if element is not None else []
            if len(mark) == 2 and mark[1].isdigit():
                face.parts[int(mark[1])] = face.parts.get(int(mark[1]), 0.0) + child.margin_height()
    return faces


def faces_over(document: Any) -> list[str]:
    """The faces of a laid-out card that do not fit their page."""
    return [name for name, face in _faces(document).items() if face.over]


def fits(document: Any, faces: int) -> bool:
    """Whether a laid-out card has one page per face, each face within its page."""
    return len(document.pages) == faces and not faces_over(document)


def _to_drop(face: _Face) -> list[int]:
    """The optional sections to take out of a face that ran over: the lowest ranks until the rest fits, then
    back in whichever of those (but the last) still fits in what is left over, the most wanted first."""
    over = face.height - face.room + 1.0  # a pixel to spare: the layout rounds
    dropped: list[int] = []
    for rank in sorted(face.parts):
        if over <= 0:
            break
        dropped.append(rank)
        over -= face.parts[rank]
    for rank in sorted(dropped[:-1], reverse=True):
        if face.parts[rank] <= -over:
            dropped.remove(rank)
            over += face.parts[rank]
    return dropped


def fitted(html: str, document: Any) -> str | None:
    """The card without the optional sections its faces that ran over cannot hold, by their measured
    heights; None when those faces have none (or no face could be told apart)."""
    changed = html
    for name, face in _faces(document).items():
        if face.over:
            for rank in _to_drop(face):
                changed = without(changed, name, rank)
    return None if changed == html else changed


def next_smaller(html: str, document: Any) -> str | None:
    """The card again without the lowest-ranked optional section of each face that ran over; None when
    the faces that ran over have none left (or no face could be told apart)."""
    parts = optional_parts(html)
    over = [face for face in faces_over(document) if parts.get(face)]
    if not over:
        return None
    for face in over:
        html = without(html, face, parts[face][0])
    return html


@dataclass(frozen=True)
class TextCheck:
    """The smallest text on a laid-out card, and the first piece of text that runs off its page."""

    smallest_pt: float = 0.0
    smallest_text: str = ""
    outside_text: str = ""
    outside_mm: float = 0.0
    outside_where: str = ""  # "wider than" (past the right edge) or "below the foot of"


def check_text(document: Any) -> TextCheck:
    """Every piece of text of a laid-out card: its smallest size, and any that runs past the page's content
    (to the right, where a contact or a long word does not wrap) or off the foot of the sheet (the footer)."""
    from weasyprint.formatting_structure.boxes import TextBox

    smallest, small_text = float("inf"), ""
    outside: tuple[str, float, str] | None = None
    for page in document.pages:
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        bottom = page_box.margin_height()
        for box in _boxes(page_box):
            if not isinstance(box, TextBox) or not box.text.strip():
                continue
            size = box.style["font_size"] * PX_TO_PT
            if size < smallest:
                smallest, small_text = size, box.text.strip()
            if outside is None:
                wide = box.position_x + box.width - right
                low = box.position_y + box.height - bottom
                if wide > ROUNDING_PX:
                    outside = (box.text.strip(), wide * PX_TO_MM, "wider than")
                elif low > ROUNDING_PX:
                    outside = (box.text.strip(), low * PX_TO_MM, "below the foot of")
    if smallest == float("inf"):
        return TextCheck()
    text, by, where = outside or ("", 0.0, "")
    return TextCheck(round(smallest, 2), small_text[:60], text[:120], round(by, 1), where)


def text_problems(check: TextCheck, size: CardSize, file: str, line: int) -> list[Diagnostic]:
    """What a card's text breaks of the size's rules, located at ``file`` and ``line``."""
    found = []
    if check.smallest_text and check.smallest_pt < size.min_pt - 0.01:
        found.append(
            Diagnostic(
                file,
                line,
                1,
                f"the {size.label} card sets {check.smallest_text!r} in {check.smallest_pt:g} pt, below the"
                f" {size.min_pt:g} pt floor of its size; card styles may not set text smaller",
            )
        )
    if check.outside_text:
        found.append(
            Diagnostic(
                file,
                line,
                1,
                f"{check.outside_text!r} is {check.outside_mm:.1f} mm {check.outside_where} the {size.label}"
                " card (a contact or a word is never broken inside); shorten it or choose a larger card size",
            )
        )
    return found
