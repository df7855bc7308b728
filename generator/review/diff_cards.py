"""The quick cards a change makes out of date.

With the cards rendered (the default), each role's card is printed from both revisions, with each
revision's own card templates and its own published address (the QR code), and compared: that catches
whatever a card shows. With ``--no-cards`` no template of either revision is rendered (a template from
a branch under review may take any time to render): the cards to reprint are then the roles whose card
data changed, read from the playbook itself: the role's fields the card shows, the names of the roles it
works with, escalates to and is backed up by, its contact, the footer's settings, the card size and back
side, and the address its QR code points to.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.core.playbook import Playbook
from generator.diagnostics import Diagnostic
from generator.errors import RolebookError
from generator.render.card_content import role_url

if TYPE_CHECKING:
    from generator.render.renderer import RenderOptions


def card_options(project: Path) -> RenderOptions:
    """How ``rolebook cards`` renders this project's cards: its templates, and QR codes to its site."""
    from generator.core.project import TEMPLATES_DIR
    from generator.render.renderer import RenderOptions

    site_url, directory_urls = _published(project)
    return RenderOptions((project / TEMPLATES_DIR,), directory_urls=directory_urls, site_url=site_url)


def card_documents(playbook: Playbook, project: Path) -> dict[str, str]:
    """Each role's card as an HTML document, as ``rolebook cards`` would lay it out (QR codes as marks)."""
    from generator.render.card_content import CARDS_DIR, SIZES
    from generator.render.renderer import render_cards

    settings = playbook.config.cards
    documents = render_cards(
        playbook, card_options(project), SIZES[settings.size], back=settings.back, qr_later=True
    )
    return {
        path.removeprefix(f"{CARDS_DIR}/").removesuffix(".html"): html for path, html in documents.items()
    }


def _published(project: Path | None) -> tuple[str | None, bool]:
    """Where the project's site is published and its URL style, as its mkdocs.yml says: what the cards'
    QR codes point to (none when the file is missing or unreadable, as ``validate`` reports)."""
    from generator.core.mkdocs_settings import site_settings

    if project is None:
        return None, True
    try:
        settings = site_settings(project)
    except RolebookError:
        return None, True
    return settings.site_url, settings.directory_urls


def card_data(playbook: Playbook, project: Path | None) -> dict[str, Any]:
    """Per role, everything its card shows, read without rendering a template."""
    site_url, directory_urls = _published(project)
    config = playbook.config
    names = {rid: role.name for rid, role in playbook.roles.items()}
    footer = (config.title, config.organization, config.version, config.published, config.cards)
    data: dict[str, Any] = {}
    for rid, role in playbook.roles.items():
        boss = playbook.reports_to(rid)
        people = [rid, *([boss] if boss else []), *(e.role for e in role.escalates_to)]
        data[rid] = (
            footer,
            role.model_dump(include={"name", "short", "summary", "card"}),
            role.card.responsibilities if role.card.responsibilities is not None else role.responsibilities,
            names.get(boss) if boss else None,
            [
                (group.name, [item.text for _, item in group.entries])
                for group in playbook.during_incident(rid)
            ],
            [names.get(w.role, w.role) for w in role.works_with],
            [(names.get(e.role, e.role), e.when) for e in role.escalates_to],
            [
                (names.get(p, p), config.contacts[p].model_dump())
                for p in dict.fromkeys(people)
                if p in config.contacts
            ],
            (
                role.handoff,
                [names.get(b, b) for b in role.backups],
                [names[c] for c in playbook.backed_up_by(rid)],
            )
            if config.cards.back
            else None,
            role_url(site_url, rid, directory_urls),
        )
    return data


def cards_to_reprint(
    base: Playbook | None,
    base_folder: Path | None,
    head: Playbook,
    head_folder: Path | None,
    render: bool = True,
) -> tuple[list[str], list[Diagnostic]]:
    """The ids of the head's roles whose card is new or reads differently, in site order, and why the
    cards could not be compared as printed: a template that failed, located in its revision's files
    (then, as without ``render`` or without both folders, the roles whose card data changed are given)."""
    if base is None:
        return list(head.roles), []
    problems: list[Diagnostic] = []
    if render and base_folder is not None and head_folder is not None:
        documents = []
        for side, playbook, folder in (("base", base, base_folder), ("head", head, head_folder)):
            try:
                documents.append(card_documents(playbook, folder))
            except RolebookError as exc:
                said = f"the cards could not be printed to compare them ({side} revision): "
                problems += [replace(d, message=said + d.message) for d in exc.diagnostics]
        if not problems:
            old, new = documents
            return [rid for rid, html in new.items() if old.get(rid) != html], []
    old_data, new_data = card_data(base, base_folder), card_data(head, head_folder)
    return [rid for rid in head.roles if old_data.get(rid) != new_data[rid]], problems
