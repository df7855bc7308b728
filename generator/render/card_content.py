"""Quick cards: paper sizes, what each size carries, and the data a card template reads.

A card is read under stress, often printed in black and white and sometimes
weeks after printing, so every size carries the playbook's version and date,
meaning never rests on colour alone, and smaller sizes leave sections out
rather than shrink the type below what can be read.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import segno

from generator.render.safe_text import SafeText

if TYPE_CHECKING:  # workers import this module to draw QR codes, and need no model
    from generator.core.guidance import Message
    from generator.core.model import Role
    from generator.core.playbook import Playbook

CARDS_DIR = "cards"  # in the site: cards/<role id>.pdf and cards/quick-cards.pdf
ALL_CARDS_PDF = "quick-cards.pdf"

Profile = Literal["large", "full", "compact", "minimal"]


@dataclass(frozen=True)
class CardSize:
    id: str
    label: str
    width_mm: float
    height_mm: float
    profile: Profile
    font_pt: float  # the body text size
    min_pt: float  # the smallest text the fit check lets through, a project's own card styles included
    margin_mm: float
    qr_mm: float  # the QR code's side; the footer band at the bottom is a little taller
    log_rows: int  # the assignment log's empty rows on the back

    @property
    def foot_mm(self) -> float:
        return self.qr_mm + 0.6 * self.margin_mm + 2

    @property
    def body_height_mm(self) -> float:
        """The height left for the card's content between the top margin and the footer band."""
        return self.height_mm - self.margin_mm - self.foot_mm

    @property
    def small_pt(self) -> float:
        """The footer's text: a little smaller than the body, never below the floor."""
        return max(round(self.font_pt * 0.85, 2), self.min_pt)

    @property
    def css_size(self) -> str:
        return f"{self.width_mm}mm {self.height_mm}mm"


# Legibility floors: body text at least 7 pt (6.5 pt on wallet cards) and QR codes at least 15 mm, so a code
# printed at 150 dpi still scans; smaller cards leave sections out instead of going below them.
QR_MIN_MM = 15.0
QR_MODULE_MIN_MM = 0.3  # a module at least this wide: 1.8 dots at 150 dpi, which scanners and phones read
SIZES: dict[str, CardSize] = {
    size.id: size
    for size in (
        CardSize("a6", "A6 (105 x 148 mm)", 105, 148, "full", 8, 7, 5, 15, 4),
        CardSize("a7", "A7 (74 x 105 mm)", 74, 105, "compact", 7.2, 7, 4, 15, 3),
        CardSize("a5", "A5 (148 x 210 mm)", 148, 210, "large", 10.5, 7, 8, 20, 5),
        CardSize("index-4x6", "index card (4 x 6 in)", 101.6, 152.4, "full", 7.8, 7, 5, 15, 4),
        CardSize("wallet", "wallet card (2 x 3.5 in)", 50.8, 88.9, "minimal", 6.5, 6.5, 3, 15, 2),
        CardSize("a4", "A4 (210 x 297 mm)", 210, 297, "large", 15, 7, 12, 26, 6),
        CardSize("letter", "US letter (8.5 x 11 in)", 215.9, 279.4, "large", 14.5, 7, 12, 26, 6),
    )
}

# What the front of each profile shows (the template prints them in its own order); the name, the version,
# date and QR code are always there.
# The sections named in DROP are shown where they fit: a card too tall for its page is laid out again without
# enough of them, the first named going first; the others are on every card of the profile.
SECTIONS: dict[Profile, tuple[str, ...]] = {
    "large": (
        "mission", "reports_to", "first_actions", "tasks", "do_dont", "responsibilities", "work_with",
        "escalation", "escalation_when", "contacts",
    ),
    "full": ("mission", "reports_to", "first_actions", "tasks", "do_dont", "escalation", "contacts"),
    "compact": ("mission", "reports_to", "first_actions", "tasks", "do_dont", "escalation", "contacts"),
    "minimal": ("mission", "reports_to", "first_actions", "tasks", "escalation", "contacts"),
}  # fmt: skip
DROP: dict[Profile, tuple[str, ...]] = {
    "large": ("work_with", "responsibilities", "escalation", "do_dont", "contacts"),
    "full": ("escalation", "do_dont", "contacts"),
    "compact": ("mission", "do_dont", "escalation", "contacts"),
    "minimal": ("mission", "escalation", "contacts"),
}
# After those go the tasks' time boxes, the last first ("5 more on the role's page" is printed instead),
# and on the smaller cards the tasks' first box too; the first actions stay.
TASKS_MAY_GO: frozenset[Profile] = frozenset({"compact", "minimal"})
# On the back: the assignment log, the handoff checklist, contacts, message templates (the ones the role's
# card names), who covers whom, and lines for notes filling what is left; all but the log and the handoff
# are dropped when the back is too tall.
BACK_DROP: dict[Profile, tuple[str, ...]] = {
    "large": ("cover", "messages", "contacts"),
    "full": ("cover", "messages", "contacts"),
    "compact": ("cover", "messages", "contacts"),
    "minimal": ("cover", "messages", "contacts"),
}


def role_url(site_url: str | None, role_id: str, directory_urls: bool = True) -> str | None:
    """The role's page on the published site, for the QR code."""
    if not site_url:
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return f"{base}roles/{role_id}/" if directory_urls else f"{base}roles/{role_id}.html"


# In the HTML of a card to be laid out, the QR code is a mark holding its URL, drawn only when the card is
# laid out (in a worker process): a card taken from the cache never draws its code.
_QR_MARK = re.compile(r'<span data-rolebook-qr="([^"]*)"></span>')


def qr_mark(url: str) -> str:
    return f'<span data-rolebook-qr="{html.escape(url, quote=True)}"></span>'


def fill_qr_marks(card_html: str) -> str:
    """The card with each QR mark replaced by its code."""
    return _QR_MARK.sub(lambda match: qr_svg(html.unescape(match.group(1))), card_html)


def qr_module_mm(url: str, size: CardSize) -> float:
    """How wide one module (dot) of ``url``'s QR code prints on a card of ``size``."""
    modules = segno.make(url, error="m", micro=False).symbol_size(border=0)[0]
    return float(size.qr_mm) / modules


@functools.lru_cache(maxsize=4096)
def qr_svg(url: str) -> str:
    """A vector QR code for ``url``, as inline SVG sized by CSS."""
    code = segno.make(url, error="m", micro=False)
    # no quiet zone in the drawing: the code is qr_mm wide itself, and the white around it is the footer's
    return str(code.svg_inline(omitsize=True, border=0, svgclass="rb-qr", dark="#000", light="#fff"))


def card_messages(role: Role) -> list[Message]:
    """The message templates a role's card prints: those ``card.messages`` names, else its first."""
    if role.card.messages is None:
        return role.messages[:1]
    by_id = {m.id: m for m in role.messages}
    return [by_id[wanted] for wanted in dict.fromkeys(role.card.messages) if wanted in by_id]


def card_context(
    playbook: Playbook,
    role_id: str,
    size: CardSize,
    site_url: str | None,
    directory_urls: bool = True,
    qr_later: bool = False,
) -> dict[str, Any]:
    """What a card template reads for one role (with ``qr_later``, the QR code as a mark to fill in)."""
    role = playbook.roles[role_id]
    url = role_url(site_url, role_id, directory_urls)
    boss = playbook.reports_to(role_id)
    tasks = playbook.during_incident(role_id)
    drop = {name: rank for rank, name in enumerate(DROP[size.profile], 1)}
    boxes = {group.id: len(drop) + len(tasks) - index for index, group in enumerate(tasks) if index}
    if size.profile in TASKS_MAY_GO:
        drop["tasks"] = len(drop) + len(tasks)
    contacts = playbook.config.contacts
    # the people a holder calls: the role itself, the one it reports to, then the ones it escalates to
    people = dict.fromkeys([role_id, *([boss] if boss else []), *(e.role for e in role.escalates_to)])
    return {
        "role_id": role_id,
        "role": role,
        "size": size,
        "sections": SECTIONS[size.profile],
        "drop": drop,
        "box_ranks": boxes,
        "back_drop": {name: rank for rank, name in enumerate(BACK_DROP[size.profile], 1)},
        "reports_to": boss,
        "log_rows": tuple(range(size.log_rows)),
        "tasks": tasks,
        "messages": card_messages(role),
        "covered_by": [b for b in dict.fromkeys(role.backups) if b in playbook.roles and b != role_id],
        "covers": playbook.backed_up_by(role_id),
        "people": [(rid, contacts[rid]) for rid in people if rid in contacts and rid in playbook.roles],
        "key_points": role.card.responsibilities
        if role.card.responsibilities is not None
        else role.responsibilities,
        "contact": playbook.config.contacts.get(role_id),
        "url": url,
        "qr": SafeText(qr_mark(url) if qr_later else qr_svg(url)) if url else None,
    }
