"""What a laid-out card must hold to: each face on one page, no text below the size's floor, no line wider
than the card. The sections a card shows only where they fit are taken out here, one at a time.

A card template marks such a section with ``<!--rb-drop FACE RANK-->`` ... ``<!--/rb-drop FACE RANK-->``
(the ``optional`` macro of cards/card.html.j2 writes them), and the element holding it with
``data-rb-drop="FACE RANK"``, by which its height is measured. What follows ``<!--rb-instead-->`` inside
the marks, a comment ``<!--rb-instead:HTML-->``, is printed in its place when it is dropped (the tasks' time
boxes: "5 more tasks on the role's page").

A face that runs over its page is measured as laid out, its parts added up over the pages it ran onto: the
lowest ranks go until the rest fits, then the most wanted of them come back while they still fit. If the
card laid out again still runs over (the heights do not quite add up), the lowest rank left goes, one at a
time; if it has room to spare, a section that went may come back.
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
_DROP = re.compile(r"<!--rb-drop (front|back) (\d+)-->(.*?)<!--/rb-drop \1 \2-->", re.S)
INSTEAD = "<!--rb-instead:"
ROUNDING_PX = 0.5  # rounding in the layout, not an overflow


_OPENING = re.compile(r"<!--rb-drop (front|back) (\d+)-->")


def optional_parts(html: str) -> dict[str, list[int]]:
    """The ranks of the sections still in a card's HTML that may be dropped, by face, lowest first (those
    inside another as well: the tasks' later time boxes, in the tasks of a card that may drop them all)."""
    found: dict[str, list[int]] = {}
    for match in _OPENING.finditer(html):
        found.setdefault(match.group(1), []).append(int(match.group(2)))
    return {face: sorted(ranks) for face, ranks in found.items()}


def without(html: str, face: str, rank: int | None = None) -> str:
    """The card without one optional section of ``face`` (``rank``), or without all of them (None)."""

    def keep(match: re.Match[str]) -> str:
        same = match.group(1) == face and (rank is None or int(match.group(2)) == rank)
        if not same:
            return match.group(0)
        content = match.group(3)  # what it leaves instead: its own, after any section inside it
        instead = content.rfind(INSTEAD)
        if instead < 0 or instead < content.rfind("<!--/rb-drop "):
            return ""
        return content[instead + len(INSTEAD) :].removesuffix("-->")

    if rank is not None:  # that section alone, wherever it is (it may sit inside another)
        one = re.compile(rf"<!--rb-drop ({face}) ({rank})-->(.*?)<!--/rb-drop {face} {rank}-->", re.S)
        return one.sub(keep, html)
    return _DROP.sub(keep, html)


def without_optional(html: str) -> str:
    """The card as it is at its smallest: every optional section of both faces out."""
    return without(without(html, "front"), "back")


def boxes(box: Any) -> Iterator[Any]:
    """A laid-out box and every box below it, the outermost first."""
    yield box
    for child in getattr(box, "children", None) or ():
        yield from boxes(child)


def classes_of(box: Any) -> list[str]:
    """The classes of the element a laid-out box was made from (none for a box of no element)."""
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


def card_of(page: Any) -> tuple[str, Any] | None:
    """The face a page of a laid-out card holds, and its card's box, a few boxes below the page."""
    level = [page._page_box]
    for _ in range(4):
        for box in level:
            classes = classes_of(box)
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
    content: float = (
        0.0  # what its parts take, over all its pages (px): unlike ``height``, no min-height in it
    )

    @property
    def over(self) -> bool:
        """Whether it ran onto another page, or past its page's foot (a flex box does not break)."""
        return self.pages > 1 or self.height > self.room + ROUNDING_PX


def faces_of(document: Any) -> dict[str, _Face]:
    faces: dict[str, _Face] = {}
    for page in document.pages:
        found = card_of(page)
        if found is None:
            continue
        face = faces.setdefault(found[0], _Face(room=page._page_box.height))
        face.pages += 1
        face.height += found[1].margin_height()
        face.content += sum(child.margin_height() for child in getattr(found[1], "children", None) or ())
        seen: set[int] = set()  # an element's outermost box only (a table's wrapper, not the table as well)
        for box in boxes(found[1]):
            element = getattr(box, "element", None)
            mark = (element.get("data-rb-drop") or "").split() if element is not None else []
            if len(mark) == 2 and mark[1].isdigit() and id(element) not in seen:
                seen.add(id(element))
                face.parts[int(mark[1])] = face.parts.get(int(mark[1]), 0.0) + box.margin_height()
    return faces


def faces_over(document: Any) -> list[str]:
    """The faces of a laid-out card that do not fit their page."""
    return [name for name, face in faces_of(document).items() if face.over]


def fits(document: Any, faces: int) -> bool:
    """Whether a laid-out card has one page per face, each face within its page."""
    return len(document.pages) == faces and not faces_over(document)


def _to_drop(face: _Face, room: float) -> list[int]:
    """The optional sections to take out of a face, for a page of ``room``: the lowest ranks until the rest
    fits, then back in, the most wanted first, each that still fits in what is left over."""
    over = face.content - room + 1.0  # a pixel to spare: the layout rounds
    dropped: list[int] = []
    for rank in sorted(face.parts):
        if over <= 0:
            break
        dropped.append(rank)
        over -= face.parts[rank]
    for rank in sorted(dropped, reverse=True):
        if face.parts[rank] <= -over:
            dropped.remove(rank)
            over += face.parts[rank]
    return dropped


def fitted(html: str, document: Any) -> str | None:
    """The card without the optional sections its faces that ran over cannot hold, by the heights of their
    parts as laid out (added up over the pages a face ran onto); None when nothing is to be dropped."""
    room = document.pages[0]._page_box.height
    changed = html
    for name, face in faces_of(document).items():
        if face.over:
            for rank in _to_drop(face, room):
                changed = without(changed, name, rank)
    return None if changed == html else changed


def put_back(original: str, html: str, document: Any, whole: dict[str, _Face]) -> list[str]:
    """Cards to try, most wanted first: ``html`` (laid out as ``document``) with one section it went without
    back in, where the room left on its face may hold it by the heights measured on the ``whole`` card (a
    guess: the lines printed instead of a dropped section, and margins, differ)."""
    have, had = optional_parts(html), optional_parts(original)
    laid = faces_of(document)
    tries: list[tuple[int, str, int]] = []
    for name, ranks in had.items():
        if name not in laid or name not in whole:
            continue
        left = laid[name].room - laid[name].content
        for rank in set(ranks) - set(have.get(name, ())):
            if whole[name].parts.get(rank, left + 1) <= left + ROUNDING_PX:
                tries.append((rank, name, rank))
    cards = []
    for _, name, rank in sorted(tries, reverse=True):
        candidate = original
        for face, ranks in had.items():
            for other in set(ranks) - set(have.get(face, ())):
                if (face, other) != (name, rank):
                    candidate = without(candidate, face, other)
        cards.append(candidate)
    return cards


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
    qr_mm: float = 0.0  # the narrowest QR code drawn (0: none)


def check_text(document: Any) -> TextCheck:
    """Every piece of text of a laid-out card: its smallest size, and any that runs past the page's content
    (to the right, where a contact or a long word does not wrap) or off the foot of the sheet (the footer)."""
    from weasyprint.formatting_structure.boxes import TextBox

    smallest, small_text = float("inf"), ""
    outside: tuple[str, float, str] | None = None
    qr: float | None = None
    for page in document.pages:
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        bottom = page_box.margin_height()
        for box in boxes(page_box):
            if "rb-qr" in classes_of(box):
                width = box.width * PX_TO_MM
                qr = width if qr is None else min(qr, width)
                low = box.position_y + box.height - bottom
                if outside is None and low > ROUNDING_PX:
                    outside = ("the QR code", low * PX_TO_MM, "below the foot of")
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
    return TextCheck(
        round(smallest, 2), small_text[:60], text[:120], round(by, 1), where, round(qr or 0.0, 2)
    )


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
    if check.qr_mm and check.qr_mm < size.qr_mm - 0.05:
        found.append(
            Diagnostic(
                file,
                line,
                1,
                f"the {size.label} card draws its QR code {check.qr_mm:g} mm wide, less than the {size.qr_mm:g} mm"
                " of its size, which a copy printed at 150 dpi needs to scan; card styles may not make it smaller",
            )
        )
    if check.outside_text and check.outside_where == "wider than":
        found.append(
            Diagnostic(
                file,
                line,
                1,
                f"{check.outside_text!r} is {check.outside_mm:.1f} mm wider than the {size.label} card (a contact"
                " or a word is never broken inside); shorten it or choose a larger card size",
            )
        )
    elif check.outside_text:
        found.append(
            Diagnostic(
                file,
                line,
                1,
                f"{check.outside_text!r} is {check.outside_mm:.1f} mm below the foot of the {size.label} card:"
                " the footer holds more than its band; shorten the title or the organization, or choose a larger"
                " card size",
            )
        )
    return found
