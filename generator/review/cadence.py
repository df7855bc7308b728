"""Review cadence: every role has an owner and a last-reviewed date, and falls due after a period.

Overdue reviews are warnings of ``rolebook validate`` (errors with ``--strict``). They are left
out of site builds on purpose: a playbook that ages must still publish.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os

from generator.core.playbook import Playbook
from generator.diagnostics import Diagnostic
from generator.errors import RolebookError


def today() -> dt.date:
    """The date reviews are measured against; ROLEBOOK_TODAY=YYYY-MM-DD pins it (for CI and tests)."""
    pinned = os.environ.get("ROLEBOOK_TODAY")
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise RolebookError(f"ROLEBOOK_TODAY={pinned!r}: expected a date written YYYY-MM-DD") from None


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def overdue_reviews(playbook: Playbook, on: dt.date) -> list[Diagnostic]:
    period = playbook.config.review_period_months
    found = []
    for role_id, role in playbook.roles.items():
        try:
            due = add_months(role.review.last_reviewed, period)
        except (ValueError, OverflowError):  # a date near the end of the calendar is never due
            continue
        if on > due:
            line, col = playbook.review_at.get(role_id, (1, 1))
            found.append(
                Diagnostic(
                    playbook.role_files[role_id],
                    line,
                    col,
                    f"role '{role_id}' ({role.name}) is overdue for review: last reviewed "
                    f"{role.review.last_reviewed.isoformat()}, due {due.isoformat()} (every {period} months); "
                    f"owner {role.review.owner}",
                    "warning",
                )
            )
    return found
