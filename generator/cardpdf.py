"""Quick cards as PDF (WeasyPrint), with a fit check on the real layout.

Each card is laid out alone: a card that needs more sheets than it has faces
does not fit, and is measured again on a very tall page to say by how much
and which parts take the room. Nothing is clipped or spilled silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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


def _html(text: str) -> Any:
    """Cards are made from the playbook alone: WeasyPrint may load nothing from disk or network."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    return weasyprint.HTML(string=text, url_fetcher=URLFetcher(allowed_protocols={"data"}))


def _boxes(box: Any, depth: int = 0) -> Iterator[tuple[Any, int]]:
    yield box, depth
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child, depth + 1)


def _classes(box: Any) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


def _measure(html: str, size: CardSize) -> list[tuple[str, float, list[tuple[str, float]]]]:
    """For each face on its own tall page: (face, height in mm, [(part, mm)])."""
    document = _html(html).render()
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


def _lay_out(
    playbook: Playbook,
    options: RenderOptions,
    size: CardSize,
    back: bool,
    role_ids: list[str] | None,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Each card laid out alone: the documents, and for each card that does not fit, why."""
    documents = render_cards(playbook, options, size, back=back, role_ids=role_ids)
    faces = 2 if back else 1
    rendered: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for path, html in documents.items():
        role_id = path.removeprefix("cards/").removesuffix(".html")
        if progress:
            progress(role_id)
        document = _html(html).render()
        if len(document.pages) != faces:
            tall = render_cards(
                playbook, options, size, back=back, role_ids=[role_id], page_height_mm=MEASURE_HEIGHT_MM
            )
            where = f"{playbook.role_files[role_id]}:{playbook.card_lines.get(role_id, 1)}:1"
            lines = _overflow_message(where, size, tall[path]) or [
                f"{where}: error: the {size.label} card takes {len(document.pages)} pages instead of {faces}"
            ]
            problems[role_id] = "\n".join(lines)
        rendered[role_id] = document
    return rendered, problems


def fit_problems(
    playbook: Playbook,
    options: RenderOptions,
    size: CardSize,
    *,
    back: bool,
    role_ids: list[str] | None = None,
) -> dict[str, str]:
    """For each of these roles whose card does not fit its page: the located reason."""
    return _lay_out(playbook, options, size, back, role_ids)[1]


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
    rendered, problems = _lay_out(playbook, options, size, back, role_ids, progress)
    if problems:
        raise CardsDoNotFit("\n".join(problems.values()))
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


@dataclass(frozen=True)
class CardRequest:
    """What ``rolebook cards`` asks for; None means: as set in site_config."""

    size: str | None = None
    roles: list[str] = field(default_factory=list)
    back: bool | None = None


def print_cards(
    project: Path, playbook: Playbook, request: CardRequest, progress: Callable[[str], None] | None = None
) -> tuple[CardSet, str]:
    """The cards a user asked for, in site order, and a one-line summary of them."""
    from .project import TEMPLATES_DIR
    from .site import site_settings

    unknown = [r for r in request.roles if r not in playbook.roles]
    if unknown:
        raise RolebookError(f"unknown role {unknown[0]!r}; the roles are: {', '.join(playbook.roles)}")
    settings = site_settings(project)
    size = SIZES[request.size or playbook.config.cards.size]
    back = playbook.config.cards.back if request.back is None else request.back
    selected = [r for r in playbook.roles if r in request.roles] if request.roles else list(playbook.roles)
    options = RenderOptions(
        (project / TEMPLATES_DIR,), directory_urls=settings.directory_urls, site_url=settings.site_url
    )
    cards = render_card_pdfs(playbook, options, size, back=back, role_ids=selected, progress=progress)
    pages = len(selected) * (2 if back else 1)
    return cards, f"{pages} pages ({len(selected)} cards, {size.label})"
