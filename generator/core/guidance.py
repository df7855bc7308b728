"""A role's guidance beyond its checklists: time targets, scripts, decision rights per severity level,
anti-patterns, conflicts, message templates and sections of prose.

Each entry may say where its text comes from (``source``): ``guide``, the guide rolebook's defaults are
built from, or ``practice``, common incident-management practice that rolebook adds beyond the guide.
An organization's own text leaves it out. The defaults mark every entry, so an organization can see
what it adopts (the editors' changes page lists them).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from generator.core.fields import MAX_ITEMS, Duration, Id, Name, Strict, Text

Source = Literal["guide", "practice"]
SOURCES: dict[str, str] = {
    "guide": "the guide rolebook's defaults are built from",
    "practice": "common incident-management practice, beyond the guide",
}


def _source() -> Source | None:
    return Field(
        default=None,
        description="Where the text comes from: 'guide' (the guide rolebook's defaults are built from) or "
        "'practice' (common incident-management practice rolebook adds beyond the guide); left out for an "
        "organization's own text.",
    )


def _trimmed(text: str) -> str:
    """Without the blank lines around it; the indentation of its first line is kept."""
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


# Scripts and messages are shown as written, line by line, and always escaped where they are placed (never
# read as Markdown or HTML): a `<` is just a character in them, e.g. "[name] <on call>".
Verbatim = Annotated[str, StringConstraints(min_length=1, max_length=3000), AfterValidator(_trimmed)]
CardLine = Annotated[str, StringConstraints(min_length=1, max_length=400), AfterValidator(_trimmed)]


class TimeTarget(Strict):
    """Something the role must have done by a time, counted from the declaration of the incident unless
    its text names another start (e.g. "... of the request")."""

    what: Text = Field(description="What is done, e.g. 'First stakeholder update posted'.")
    within: Duration = Field(description="By when, e.g. '15 minutes'.")
    severities: Annotated[list[Id], Field(max_length=20)] | None = Field(
        default=None, description="The severity levels the target holds at; default: every level."
    )
    source: Source | None = _source()


class Script(Strict):
    """Words to say or post at a moment of the incident, with [placeholders] to fill in."""

    id: Id
    title: Name = Field(description="The moment, e.g. 'Opening the call'.")
    when: Text | None = Field(default=None, description="When to use it.")
    text: Verbatim = Field(description="The words, shown as written and copyable.")
    source: Source | None = _source()


class DecisionRight(Strict):
    """What the role decides on its own at one severity level, and what it asks approval for."""

    severity: Id = Field(description="A severity level's id from site_config.")
    decides: Text = Field(description="What the role decides without asking anyone.")
    asks: Text | None = Field(default=None, description="What needs someone's approval, and whose.")
    source: Source | None = _source()


class AntiPattern(Strict):
    """A way the role goes wrong, and what to do instead."""

    text: Text = Field(description="What goes wrong.")
    instead: Text = Field(description="What to do instead.")
    source: Source | None = _source()


class Conflict(Strict):
    """A disagreement or pressure the role meets, and how to handle it."""

    when: Text = Field(description="The situation, e.g. 'An executive overrides a decision on the call'.")
    do: Text = Field(description="How to handle it.")
    source: Source | None = _source()


class Section(Strict):
    """A section of guidance in prose on the role's page."""

    id: Id
    title: Name
    text: Text = Field(description="Markdown paragraphs and lists.")
    source: Source | None = _source()


class Message(Strict):
    """A message template: what to post to one audience at one stage of the incident."""

    id: Id
    audience: Name = Field(description="Who reads it, e.g. 'Status page', 'Internal staff', 'Executives'.")
    stage: Name = Field(description="When it is sent, e.g. 'Initial notice', 'Update', 'Resolved'.")
    text: Verbatim = Field(description="The message, with [placeholders] to fill in; shown as written.")
    short: CardLine | None = Field(
        default=None, description="A short form for the printed card; default: the text itself."
    )
    source: Source | None = _source()


TimeTargets = Annotated[list[TimeTarget], Field(max_length=MAX_ITEMS)]
Scripts = Annotated[list[Script], Field(max_length=MAX_ITEMS)]
DecisionRights = Annotated[list[DecisionRight], Field(max_length=MAX_ITEMS)]
AntiPatterns = Annotated[list[AntiPattern], Field(max_length=MAX_ITEMS)]
Conflicts = Annotated[list[Conflict], Field(max_length=MAX_ITEMS)]
Sections = Annotated[list[Section], Field(max_length=MAX_ITEMS)]
Messages = Annotated[list[Message], Field(max_length=MAX_ITEMS)]


class SeverityRules(Strict):
    """Who sets an incident's severity and how to choose one; shown on the severity page.

    Who declares and who changes a level are read from the RACI matrix, so the page and the matrix
    cannot disagree: the roles Accountable or Responsible for the activity named here."""

    declare: Id = Field(description="The activity of declaring an incident with its severity.")
    change: Id | None = Field(
        default=None, description="The activity of raising or lowering an incident's severity."
    )
    when_in_doubt: Text | None = Field(
        default=None, description="What to do when two levels seem to fit, e.g. pick the higher one."
    )
    notes: Annotated[list[Text], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=list, description="More rules for choosing and changing a level."
    )
    source: Source | None = _source()


__all__ = [
    "SOURCES",
    "AntiPattern",
    "AntiPatterns",
    "Conflict",
    "Conflicts",
    "DecisionRight",
    "DecisionRights",
    "Message",
    "Messages",
    "Script",
    "Scripts",
    "Section",
    "Sections",
    "SeverityRules",
    "Source",
    "TimeTarget",
    "TimeTargets",
]
