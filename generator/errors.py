"""The one exception tree of rolebook.

Its base is a click exception so the CLI turns any of them into a message and
exit code 1 without a traceback; code below the CLI raises, never prints or exits.
"""

from __future__ import annotations

import click

from .diagnostics import Diagnostic, count_summary, format_diagnostics


class RolebookError(click.ClickException):
    """A problem the user can fix, described in one message."""

    exit_code = 1


class InvalidPlaybook(RolebookError):
    """Validation found errors; carries every diagnostic (warnings too)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__(
            format_diagnostics(diagnostics, "human")
            + f"\nthe playbook is invalid: {count_summary(diagnostics)}"
        )


class TemplateProblem(RolebookError):
    """A template could not be found or failed while rendering."""
