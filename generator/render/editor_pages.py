"""The "Editing this playbook" section: rolebook's guides and the changes-from-defaults page, published
only when the settings ask for them (``editing: {guides: true, changes: true}``), so by default the
responders' site holds the playbook and nothing else, in its navigation and its search."""

from __future__ import annotations

import re
from typing import Any

from generator.core.defaults import defaults_root
from generator.core.playbook import Playbook

SECTION = "Editing this playbook"
GUIDES_DIR = "editing-this-playbook"
CHANGES_PAGE = f"{GUIDES_DIR}/changes.md"
# The guides in reading order: how to adapt, how to change a role, then reference.
GUIDES = (
    "adapting", "changing-a-role", "file-format", "quick-cards", "incident-tools", "incident-mode",
    "first-five-minutes", "offline", "engines", "limits", "performance",
)  # fmt: skip


def _guide_files() -> dict[str, str]:
    folder = defaults_root() / "docs" / "editing-the-playbook"
    return {f"{GUIDES_DIR}/{name}.md": (folder / f"{name}.md").read_text("utf-8") for name in GUIDES}


def _title(text: str, path: str) -> str:
    heading = re.search(r"(?m)^# (.+)$", text)
    return heading.group(1).strip() if heading else path


def guide_pages(playbook: Playbook) -> dict[str, str]:
    """rolebook's guides as pages of the site, when turned on."""
    return _guide_files() if playbook.config.editing.guides else {}


def editing_nav(playbook: Playbook) -> list[Any]:
    """The section's navigation: nothing when both parts are off."""
    editing = playbook.config.editing
    items: list[Any] = []
    if editing.guides:
        items += [{_title(text, path): path} for path, text in _guide_files().items()]
    if editing.changes:
        items.append({"Changes from the defaults": CHANGES_PAGE})
    return [{SECTION: items}] if items else []
