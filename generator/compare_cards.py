"""The quick cards a change makes out of date: each role's card printed from both revisions, compared.

Comparing the cards as their templates write them (the project's own card templates included) catches
whatever a card shows: the role's own fields, the names of the roles it works with and escalates to,
its contacts, the settings in its footer, the card size and the back side.
"""

from __future__ import annotations

from pathlib import Path

from .errors import RolebookError
from .playbook import Playbook


def card_documents(playbook: Playbook, project: Path) -> dict[str, str]:
    """Each role's card as an HTML document, as ``rolebook cards`` would lay it out (QR codes as marks)."""
    from .cards import CARDS_DIR, SIZES
    from .project import TEMPLATES_DIR
    from .render import RenderOptions, render_cards

    settings = playbook.config.cards
    documents = render_cards(
        playbook,
        RenderOptions((project / TEMPLATES_DIR,)),
        SIZES[settings.size],
        back=settings.back,
        qr_later=True,
    )
    return {
        path.removeprefix(f"{CARDS_DIR}/").removesuffix(".html"): html for path, html in documents.items()
    }


def cards_to_reprint(
    base: Playbook | None, base_folder: Path | None, head: Playbook, head_folder: Path | None
) -> tuple[list[str], str | None]:
    """The ids of the head's roles whose card is new or reads differently, in site order, and why the
    cards could not be compared as printed (then the roles whose data changed are given)."""
    if base is None:
        return list(head.roles), None
    if base_folder is not None and head_folder is not None:
        try:
            old, new = card_documents(base, base_folder), card_documents(head, head_folder)
        except RolebookError as exc:
            problem = f"the cards could not be printed to compare them: {exc.format_message()}"
        else:
            return [rid for rid, html in new.items() if old.get(rid) != html], None
    else:
        problem = "the cards were not printed to compare them"
    same_cards = base.config.cards == head.config.cards
    return [rid for rid, role in head.roles.items() if not same_cards or base.roles.get(rid) != role], problem
