"""The one exception tree of rolebook.

Its base is a click exception so the CLI turns any of them into a message and
exit code 1 without a traceback; code below the CLI raises, never prints or exits.
Every error carries its problems as diagnostics (``diagnostics``), located in a
file where it has one, so each output format can show them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import click

from generator.diagnostics import Diagnostic, count_summary, format_diagnostics


class RolebookError(click.ClickException):
    """A problem the user can fix, described in one message."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=True)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """The problem as diagnostics: one for each line of the message, in no file."""
        lines = [line for line in self.format_message().splitlines() if line.strip()]
        return [Diagnostic("", 0, 0, line) for line in lines]


class Preformatted(RolebookError):
    """A message whose lines already say what they are (``file:line:col: error: ...``)."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), file=file, err=True)


class LocatedError(RolebookError):
    """Problems located in files, each a Diagnostic; shown one ``file:line:col: severity: message``
    line each, then the summary if there is one."""

    def __init__(self, diagnostics: Iterable[Diagnostic], summary: str = "") -> None:
        self._diagnostics = list(diagnostics)
        self.summary = summary
        lines = format_diagnostics(self._diagnostics, "human")
        super().__init__("\n".join(filter(None, [lines, summary])))

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self._diagnostics

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), file=file, err=True)


class InvalidPlaybook(LocatedError):
    """Validation found errors; carries every diagnostic (warnings too)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics, f"the playbook is invalid: {count_summary(diagnostics)}")


class TemplateProblem(LocatedError):
    """A template could not be found, failed while rendering or wrote what it may not: at the template's
    file and line when they are known (``file`` relative to the project, or the built-in template's path)."""

    def __init__(self, message: str, file: str = "", line: int = 0) -> None:
        super().__init__([Diagnostic(file, line, 1 if file else 0, message)])
