"""Quick cards as PDF (WeasyPrint), with a fit check on the real layout.

Each card is laid out alone: a card that needs more sheets than it has faces
does not fit, and is measured again on a very tall page to say by how much
and which parts take the room. Nothing is clipped or spilled silently.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cards import ALL_CARDS_PDF, CARDS_DIR, SIZES, CardSize
from .errors import Preformatted, RolebookError
from .playbook import Playbook
from .render import RenderOptions, render_cards

PX_TO_MM = 25.4 / 96
MEASURE_HEIGHT_MM = 3000.0

_PART_NAMES = {
    "rb-card__head": "the name",
    "rb-card__summary": "the summary",
    "rb-card__checks": "the checklist",
    "rb-card__dodont": "do / don't",
    "rb-card__people": "work with",
    "rb-card__escalate": "escalate to",
    "rb-card__contact": "the contacts",
    "rb-card__foot": "the footer",
}


class CardsDoNotFit(Preformatted):
    """At least one card is taller than its page; the message holds one located line per card face."""


@dataclass(frozen=True)
class CardSet:
    """The combined PDF and one PDF per role, in site order."""

    combined: bytes
    per_role: dict[str, bytes]


def _boxes(box: Any, depth: int = 0) -> Iterator[tuple[Any, int]]:
    yield box, depth
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child, depth + 1)


def _classes(box: Any) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


def _measure(html: str, size: CardSize) -> list[tuple[str, float, list[tuple[str, float]]]]:
    """For each face on its own tall page: (face, height in mm, [(part, mm)])."""
    import weasyprint

    document = weasyprint.HTML(string=html).render()
    faces = []
    for page in document.pages:
        for box, _ in _boxes(page._page_box):
            classes = _classes(box)
            if "rb-card" in classes:
                face = "back" if "rb-card--back" in classes else "front"
                parts: dict[str, float] = {}
                for child in getattr(box, "children", None) or ():
                    names = [_PART_NAMES[c] for c in _classes(child) if c in _PART_NAMES]
                    tag = getattr(child, "element_tag", "")
                    name = names[0] if names else {"ul": "the key points", "h3": "the headings"}.get(tag, tag)
                    parts[name] = parts.get(name, 0.0) + child.margin_height() * PX_TO_MM
                faces.append(
                    (face, box.margin_height() * PX_TO_MM, sorted(parts.items(), key=lambda p: -p[1]))
                )
                break
    return faces


def _overflow_message(where: str, size: CardSize, html_tall: str) -> list[str]:
    lines = []
    room = size.body_height_mm
    for face, height, parts in _measure(html_tall, size):
        over = height - room
        if over > 0.05:
            biggest = ", ".join(f"{name} {mm:.0f} mm" for name, mm in parts[:4])
            lines.append(
                f"{where}: error: the {face} of the {size.label} card is {over:.1f} mm too tall "
                f"({height:.0f} mm of content for {room:.0f} mm of room; largest parts: {biggest}); "
                "shorten its lines or choose a larger card size"
            )
    return lines


def render_card_pdfs(
    playbook: Playbook,
    options: RenderOptions,
    size: CardSize,
    *,
    back: bool,
    role_ids: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> CardSet:
    """Lay out every card, check that each fits its page, and return the PDFs."""
    import weasyprint

    documents = render_cards(playbook, options, size, back=back, role_ids=role_ids)
    faces = 2 if back else 1
    rendered: dict[str, Any] = {}
    problems: list[str] = []
    for path, html in documents.items():
        role_id = path.removeprefix("cards/").removesuffix(".html")
        if progress:
            progress(role_id)
        document = weasyprint.HTML(string=html).render()
        if len(document.pages) != faces:
            tall = render_cards(
                playbook, options, size, back=back, role_ids=[role_id], page_height_mm=MEASURE_HEIGHT_MM
            )
            where = f"{playbook.role_files[role_id]}:{playbook.card_lines.get(role_id, 1)}:1"
            problems += _overflow_message(where, size, tall[path]) or [
                f"{where}: error: the {size.label} card takes {len(document.pages)} pages instead of {faces}"
            ]
        rendered[role_id] = document
    if problems:
        raise CardsDoNotFit("\n".join(problems))
    if not rendered:
        raise RolebookError("no cards to print: no roles were selected")
    per_role = {rid: doc.write_pdf() for rid, doc in rendered.items()}
    first = next(iter(rendered.values()))
    combined = first.copy([page for doc in rendered.values() for page in doc.pages]).write_pdf()
    return CardSet(combined=combined, per_role=per_role)


def card_files(playbook: Playbook, options: RenderOptions) -> dict[str, bytes]:
    """The site's card PDFs, in the size and sides set in site_config: one per role, and all together."""
    settings = playbook.config.cards
    cards = render_card_pdfs(playbook, options, SIZES[settings.size], back=settings.back)
    files = {f"{CARDS_DIR}/{rid}.pdf": pdf for rid, pdf in cards.per_role.items()}
    files[f"{CARDS_DIR}/{ALL_CARDS_PDF}"] = cards.combined
    return files


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` first, then rename: a failure never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
