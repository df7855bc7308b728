"""Quick cards as PDF (WeasyPrint), with a fit check on the real layout.

Each card is laid out alone: a card that needs more sheets than it has faces
does not fit, and is measured again on a page tall enough to hold each face
whole, to say by how much and which parts take the room: one problem per face.
Nothing is clipped or spilled silently.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.cache import BuildCache, content_key
from generator.cards.fit import without_optional
from generator.cards.layout import Layouts
from generator.cards.problems import (
    MEASURE_HEIGHT_MM,
    dense_codes,
    measure_whole,
    overflow_problems,
    text_problems_of,
)
from generator.core.playbook import Playbook
from generator.dates import date_stamp
from generator.diagnostics import Diagnostic
from generator.errors import LocatedError, RolebookError
from generator.render.card_content import (
    ALL_CARDS_PDF,
    CARDS_DIR,
    SIZES,
    CardSize,
)
from generator.render.renderer import RenderOptions, render_cards

# How a card is laid out, as well as what it holds, makes its PDF: a change to the layout code (which sections
# go where they do not fit) lays every card out again, even before rolebook's version changes.
LAYOUT_CODE = hashlib.sha256(
    b"".join((Path(__file__).parent / name).read_bytes() for name in ("fit.py", "layout.py"))
).hexdigest()


class CardsDoNotFit(LocatedError):
    """At least one card is taller than its page: one diagnostic per card face, at the role's ``card:`` key."""


@dataclass(frozen=True)
class CardSet:
    """The combined PDF and one PDF per role, in site order."""

    combined: bytes
    per_role: dict[str, bytes]


def _cached_pdf(cache: BuildCache, key: str, kind: str = "cards") -> bytes | None:
    """A kept PDF; a damaged one (cut short, say) counts as missing, so it is made and kept again."""
    data = cache.get(kind, key)
    return data if data and data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") else None


class CardBatch:
    """The cards of some roles, started: cached cards are taken at once, the others laid out (by workers when
    there are many) while the caller goes on. ``result`` and ``problems`` wait for the layout."""

    def __init__(
        self,
        playbook: Playbook,
        options: RenderOptions,
        size: CardSize,
        *,
        back: bool,
        role_ids: list[str] | None = None,
        cache: BuildCache | None = None,
        progress: Callable[[str], None] | None = None,
        background: bool = False,
    ) -> None:
        self.playbook, self.options, self.size, self.back = playbook, options, size, back
        self.cache = cache or BuildCache(None)
        self.progress = progress
        self.keys: dict[str, str] = {}
        self.pdfs: dict[str, bytes] = {}
        jobs: dict[str, str] = {}
        stamp = date_stamp(playbook.config.published)  # the fonts' date (generator/dates.py): in the key too
        for path, html in render_cards(
            playbook, options, size, back=back, role_ids=role_ids, qr_later=True
        ).items():
            role_id = path.removeprefix(f"{CARDS_DIR}/").removesuffix(".html")
            self.keys[role_id] = content_key(f"{2 if back else 1} faces", LAYOUT_CODE, stamp, html)
            cached = _cached_pdf(self.cache, self.keys[role_id])
            if cached is None:
                jobs[role_id] = html
                continue
            self.pdfs[role_id] = cached
            if progress:
                progress(role_id)
        self._layouts: Layouts | None = Layouts(jobs, 2 if back else 1, stamp, background)
        self._problems = dense_codes(playbook, options, size, list(self.keys))

    def site_paths(self) -> list[str]:
        """Where ``site_files`` puts these cards in the site."""
        return [*(f"{CARDS_DIR}/{role_id}.pdf" for role_id in self.keys), f"{CARDS_DIR}/{ALL_CARDS_PDF}"]

    def site_files(self) -> dict[str, bytes]:
        """Waits for the layout; the site's card PDFs: one per role, and all together."""
        cards = self.result()
        return dict(zip(self.site_paths(), [*cards.per_role.values(), cards.combined], strict=True))

    def problems(self) -> dict[str, list[Diagnostic]]:
        """Waits for the layout; for each card that does not fit its page, the located reasons."""
        if self._layouts is None:
            return self._problems
        layouts, self._layouts = self._layouts, None
        for role_id, result in layouts.results(self.progress).items():
            for message in result.warnings:  # e.g. about a project's own card styles (at a line of the CSS)
                said = Diagnostic("", 0, 0, f"the {role_id} card: {message}", "warning")
                logging.getLogger("rolebook").warning("%s", said.human())
            if result.pdf is None:
                self._problems.setdefault(role_id, []).extend(self._why(role_id, result.pages, layouts.faces))
                continue
            text = text_problems_of(self.playbook, self.options, self.size, role_id, result.text)
            if text:
                self._problems.setdefault(role_id, []).extend(text)
                continue
            self.pdfs[role_id] = result.pdf
            if not result.warnings:  # a card WeasyPrint warned about is laid out (and warns) every time
                self.cache.put("cards", self.keys[role_id], result.pdf)
        return self._problems

    def _why(self, role_id: str, pages: int, faces: int) -> list[Diagnostic]:
        playbook, size = self.playbook, self.size

        def render_at(height_mm: float) -> str:  # at its smallest: what fits only where it fits, out
            return without_optional(
                render_cards(
                    playbook,
                    self.options,
                    size,
                    back=self.back,
                    role_ids=[role_id],
                    page_height_mm=height_mm,
                    qr_later=True,
                )[f"{CARDS_DIR}/{role_id}.html"]
            )

        # the card took ``pages`` sheets of the card's size: a page that tall holds any of its faces
        measured = measure_whole(render_at, max(MEASURE_HEIGHT_MM, (pages + 1) * size.height_mm))
        file, line = playbook.role_files[role_id], playbook.card_lines.get(role_id, 1)
        return overflow_problems(file, line, size, measured) or [
            Diagnostic(file, line, 1, f"the {size.label} card takes {pages} pages instead of {faces}")
        ]

    def result(self) -> CardSet:
        """Waits for the layout; every card, or CardsDoNotFit naming each card that does not fit."""
        problems = self.problems()
        if problems:
            # the same problem on several cards (a contact many of them show) is said once
            raise CardsDoNotFit(dict.fromkeys(d for found in problems.values() for d in found))
        if not self.keys:
            raise RolebookError("no cards to print: no roles were selected")
        key = content_key("all cards", *self.keys.values())
        combined = _cached_pdf(self.cache, key, "combined")
        if combined is None:
            combined = _merge([self.pdfs[role_id] for role_id in self.keys])
            self.cache.put("combined", key, combined)
        for kind in ("cards", "combined"):
            self.cache.prune(kind)
        return CardSet(combined=combined, per_role={role_id: self.pdfs[role_id] for role_id in self.keys})

    def cancel(self) -> None:
        """Stops laying out (a build that failed elsewhere no longer needs the cards)."""
        if self._layouts is not None:
            self._layouts.close()
            self._layouts = None


def _merge(pdfs: list[bytes]) -> bytes:
    """One PDF of the cards' pages, in order, with their bookmarks (pypdf writes the same bytes every time)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for index, pdf in enumerate(pdfs):
        reader = PdfReader(io.BytesIO(pdf))
        if index == 0 and reader.metadata:
            writer.add_metadata(dict(reader.metadata))
        writer.append(reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def start_site_cards(
    playbook: Playbook, options: RenderOptions, cache: BuildCache | None = None
) -> CardBatch:
    """The site's cards, in the size and sides set in site_config, started; ``site_files`` waits for them."""
    settings = playbook.config.cards
    # laid out beside the site build, by a worker process even when the cards are few
    return CardBatch(
        playbook, options, SIZES[settings.size], back=settings.back, cache=cache, background=True
    )


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
    from generator.core.mkdocs_settings import site_settings
    from generator.core.project import TEMPLATES_DIR

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
    cache = BuildCache.for_project(project)
    cards = CardBatch(
        playbook, options, size, back=back, role_ids=selected, cache=cache, progress=progress
    ).result()
    pages = len(selected) * (2 if back else 1)
    return cards, f"{pages} pages ({len(selected)} cards, {size.label})"
