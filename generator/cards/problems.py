"""Why a card cannot be printed, located in the playbook: a face too tall for its page (measured whole),
text below its size's floor or running off the card, a QR code too fine to scan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.cards.fit import TextCheck, card_of, classes_of, text_problems
from generator.cards.layout import weasy_html
from generator.core.mkdocs_settings import CONFIG_FILE, found_config_file
from generator.core.playbook import Playbook
from generator.core.project import TEMPLATES_DIR
from generator.diagnostics import Diagnostic
from generator.render.card_content import QR_MODULE_MIN_MM, CardSize, fill_qr_marks, qr_module_mm, role_url
from generator.render.renderer import RenderOptions

PX_TO_MM = 25.4 / 96
MEASURE_HEIGHT_MM = 3000.0  # the least height of the page a card that does not fit is measured on
MEASURE_TRIES = 3  # pages made taller until each face of the card stands on one

_PART_NAMES = {
    "rb-card__head": "the name",
    "rb-card__mission": "the mission",
    "rb-card__reports": "reports to",
    "rb-card__tasks": "the tasks",
    "rb-card__log": "the assignment log",
    "rb-card__notes": "the notes",
    "rb-card__lines": "the notes",
    "rb-card__checks": "the checklist",
    "rb-card__dodont": "do / don't",
    "rb-card__people": "work with",
    "rb-card__escalate": "escalate to",
    "rb-card__contact": "the contacts",
    "rb-card__foot": "the footer",
}
_BACK_NAMES = {"the checklist": "the handoff", "work with": "the backups"}  # the same classes on the back


@dataclass
class Face:
    """One side of a card as laid out: its height and its parts' (summed over the pages it took)."""

    name: str  # "front" or "back"
    height_mm: float = 0.0
    pages: int = 0
    parts: dict[str, float] = field(default_factory=dict)

    def largest_parts(self) -> list[tuple[str, float]]:
        return sorted(self.parts.items(), key=lambda part: -part[1])


def measure_faces(html: str) -> list[Face]:
    """Each face of a card document, in order, with the height its content takes on the page it is laid out on.

    A face that runs over several pages is one Face whose heights add up its pieces (``pages`` says how many)."""
    document = weasy_html(fill_qr_marks(html)).render()
    faces: dict[str, Face] = {}
    for page in document.pages:
        found = card_of(page)
        if found is None:
            continue
        name, card = found
        face = faces.setdefault(name, Face(name))
        face.pages += 1
        face.height_mm += card.margin_height() * PX_TO_MM
        children = [
            part
            for child in getattr(card, "children", None) or ()
            for part in (child.children if "rb-card__written" in classes_of(child) else [child])
        ]  # the back's parts are inside what is written on it
        for child in children:
            names = [_PART_NAMES[c] for c in classes_of(child) if c in _PART_NAMES]
            tag = getattr(child, "element_tag", "")
            part = names[0] if names else {"ul": "the key points", "h3": "the headings"}.get(tag, tag)
            if name == "back":
                part = _BACK_NAMES.get(part, part)
            face.parts[part] = face.parts.get(part, 0.0) + child.margin_height() * PX_TO_MM
    return list(faces.values())


def measure_whole(render_at: Callable[[float], str], least_mm: float = MEASURE_HEIGHT_MM) -> list[Face]:
    """The faces of a card laid out on pages tall enough for each face to stand whole on one.

    ``render_at`` gives the card's document for a page height in mm. A face that still runs over several
    pages is measured again on a page half as tall again as all its pieces together."""
    height = least_mm
    faces = measure_faces(render_at(height))
    for _ in range(MEASURE_TRIES - 1):
        if all(face.pages <= 1 for face in faces):
            break
        height = max(height, 1.5 * max(face.height_mm for face in faces) + least_mm)
        faces = measure_faces(render_at(height))
    return faces


def overflow_problems(file: str, line: int, size: CardSize, faces: list[Face]) -> list[Diagnostic]:
    """One problem, at ``file`` and ``line`` (the role's card), for each face taller than the room on the card."""
    found = []
    room = size.body_height_mm
    for face in faces:
        over = face.height_mm - room
        if over > 0.05:
            biggest = ", ".join(f"{name} {mm:.0f} mm" for name, mm in face.largest_parts()[:4])
            message = (
                f"the {face.name} of the {size.label} card is {over:.1f} mm too tall "
                f"({face.height_mm:.0f} mm of content for {room:.0f} mm of room; largest parts: {biggest}); "
                "shorten its lines or choose a larger card size"
            )
            found.append(Diagnostic(file, line, 1, message))
    return found


def dense_codes(
    playbook: Playbook, options: RenderOptions, size: CardSize, role_ids: list[str]
) -> dict[str, list[Diagnostic]]:
    """The card whose QR code would print finest, if too fine to scan: a site_url too long for the code's size.
    The longest address makes the densest code, so it alone is drawn (a code takes milliseconds)."""
    urls = {rid: role_url(options.site_url, rid, options.directory_urls) or "" for rid in role_ids}
    rid, url = max(urls.items(), key=lambda item: len(item[1]), default=("", ""))
    if not url or qr_module_mm(url, size) >= QR_MODULE_MIN_MM:
        return {}
    project = options.template_dirs[0].parent if options.template_dirs else None
    line = 1
    config = found_config_file(project) if project is not None else None
    if config is not None:
        said = config.read_text("utf-8", "replace").splitlines()
        line = next((n for n, text in enumerate(said, 1) if text.startswith("site_url")), 1)
    message = (
        f"the QR code of {url!r} ({len(url)} characters) prints {qr_module_mm(url, size):.2f} mm"
        f" a dot on the {size.label} card, finer than the {QR_MODULE_MIN_MM} mm that scans at 150 dpi;"
        " use a shorter site_url"
    )
    return {rid: [Diagnostic(config.name if config else CONFIG_FILE, line, 1, message)]}


def text_problems_of(
    playbook: Playbook, options: RenderOptions, size: CardSize, role_id: str, check: TextCheck
) -> list[Diagnostic]:
    """A card's text below its size's floor or its QR code drawn smaller than its size's (located at the
    project's card styles, if it has its own), or text running off the card (at the contact it comes from, if it is one; else at the role's card)."""
    file, line = playbook.role_files[role_id], playbook.card_lines.get(role_id, 1)
    project = options.template_dirs[0].parent if options.template_dirs else None
    styles = [
        f"{TEMPLATES_DIR}/{name}"
        for name in ("cards/card.css.j2", "cards/document.html.j2", "cards/card.html.j2")
        if project is not None and (project / TEMPLATES_DIR / name).is_file()
    ]
    small = text_problems(
        TextCheck(check.smallest_pt, check.smallest_text, qr_mm=check.qr_mm),
        size,
        *((styles[0], 1) if styles else (file, line)),
    )
    outside = TextCheck(
        outside_text=check.outside_text, outside_mm=check.outside_mm, outside_where=check.outside_where
    )
    return small + text_problems(
        outside, size, *_source_of(playbook, check.outside_text, project, file, line)
    )


def _source_of(playbook: Playbook, text: str, project: Path | None, file: str, line: int) -> tuple[str, int]:
    """Where a piece of card text that shows a contact is written: that contact's line in the contacts file."""
    contacts = playbook.config_files.get("contacts")
    values = {
        value
        for contact in playbook.config.contacts.values()
        for value in (contact.channel, contact.pager, contact.email)
        if value
    }
    shown = [
        value
        for value in values
        if value in text or value.partition("@")[0] + "@" in text or any(w in text for w in value.split()[1:])
    ]
    if project is None or contacts is None or not shown:
        return file, line
    try:
        lines = (project / contacts).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return file, line
    wanted = max(shown, key=len)
    found = next((n for n, said in enumerate(lines, 1) if wanted in said), None)
    return (contacts, found) if found else (file, line)
