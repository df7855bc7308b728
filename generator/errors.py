"""The one exception tree of rolebook.

Its base is a click exception so the CLI turns any of them into a message and
exit code 1 without a traceback; code below the CLI raises, never prints or exits.
"""

from __future__ import annotations

from typing import IO, Any

import click

from generator.diagnostics import Diagnostic, count_summary, format_diagnostics


class RolebookError(click.ClickException):
    """A problem the user can fix, described in one message."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=True)


class Preformatted(RolebookError):
    """A message whose lines already say what they are (``file:line:col: error: ...``)."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), file=file, err=True)


class InvalidPlaybook(Preformatted):
    """Validation found errors; carries every diagnostic (warnings too)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__(
            format_diagnostics(diagnostics, "human")
            + f"\nthe playbook is invalid: {count_summary(diagnostics)}"
        )


class TemplateProblem(RolebookError):
    """A template could not be found or failed while rendering."""
