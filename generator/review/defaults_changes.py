"""How a project differs from the built-in defaults, for the changes page of the site.

Computed only when the settings publish that page (``editing: {changes: true}``), not on every load:
the defaults are read once per process (``check_defaults``) and compared as the project renamed them,
so a rename is one change rather than one per mention.
"""

from __future__ import annotations

from pathlib import Path

from generator.core.changes import Changes
from generator.core.defaults import DEFAULT_PREFIX
from generator.core.model import Activity, Role
from generator.core.overlay_merge import rename_mentions
from generator.core.playbook import Playbook
from generator.core.project import check_defaults, is_defaults
from generator.review.diff import compare_playbooks


def changes_from_defaults(project: Path, playbook: Playbook) -> Changes:
    """What ``playbook``, read from ``project``, changes of the defaults (nothing, for the defaults)."""
    if is_defaults(project):
        return Changes()
    defaults = check_defaults()[0]
    if defaults is None:
        return Changes()
    renames = playbook.renames
    base_roles = {
        rid: Role.model_validate(rename_mentions(role.model_dump(mode="json"), renames))
        for rid, role in defaults.roles.items()
    }
    base_activities = [
        Activity.model_validate(rename_mentions(a.model_dump(mode="json"), renames))
        for a in defaults.activities
    ]
    return compare_playbooks(
        base_roles,
        base_activities,
        dict(playbook.roles),
        list(playbook.activities),
        playbook.bases,
        DEFAULT_PREFIX,
    )
