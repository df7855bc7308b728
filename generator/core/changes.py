"""How a playbook differs from the one it adapts, as sentences: the result of review/diff.py, read by
the changes page of the site."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleChange:
    role_id: str
    base: str  # what the role was compared with, e.g. "default/incident-manager"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Changes:
    """Differences between a playbook and the one it adapts."""

    roles: tuple[RoleChange, ...] = ()
    added: tuple[str, ...] = ()  # role ids not in the base
    removed: tuple[str, ...] = ()  # base role names left out
    activities: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (any(r.lines for r in self.roles) or self.added or self.removed or self.activities)
