"""The incident log as the site exports it: "Download JSON" on the incident log page.

The site's script (generator/render/static/incident.js) keeps an incident in the browser and writes
this shape; ``rolebook schema`` writes its JSON Schema as ``incident-log.schema.json``, for the tools
that read a log after the incident (a post-incident review, a ticket). Times are ISO 8601 with the
responder's offset from UTC, as the browser recorded them; free text is as people typed it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Id = Annotated[str, StringConstraints(pattern=_ID)]
ItemKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*/[a-z0-9]+(-[a-z0-9]+)*$")]


class _Exact(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlaybookRef(_Exact):
    """The playbook site the log was kept on."""

    url: str = Field(description="The site's root address.")
    title: str | None = Field(default=None, description="The playbook's title, when the site data was read.")
    version: str | None = Field(
        default=None, description="The playbook's version, when the site data was read."
    )


class SeverityRef(_Exact):
    id: str = Field(description="The severity level's id from site_config.")
    name: str


class Incident(_Exact):
    id: str = Field(description="The incident's id in the browser that kept it.")
    name: str
    severity: SeverityRef | None = Field(description="The incident's severity at export; null when not set.")
    started: AwareDatetime
    ended: AwareDatetime | None = Field(description="When the incident was ended; null while it runs.")


Action = Literal["started", "ended", "resumed", "severity", "ticked", "unticked", "assigned"]


class Entry(_Exact):
    """One line of the activity log."""

    time: AwareDatetime
    action: Action = Field(
        description="ticked and unticked: a checklist item; assigned: a field of the assignment board; "
        "severity: the severity was set; started, ended, resumed: the incident itself."
    )
    role: Id | None = Field(default=None, description="The role's id (ticks and assignments).")
    role_name: str | None = None
    item: Id | None = Field(default=None, description="The checklist item's id (ticks).")
    key: ItemKey | None = Field(
        default=None, description="<role id>/<item id>: the item's key across playbook edits."
    )
    box: str | None = Field(
        default=None, description="The time box the item is listed in, e.g. first-5-minutes."
    )
    field: Literal["holder", "since", "handed_to", "at"] | None = Field(
        default=None, description="The board's field (assignments)."
    )
    value: str | None = Field(
        default=None, description="The new value: a board field's text, a severity's id."
    )
    text: str = Field(description="What happened, as the log shows it: the item's text, or a description.")
    initials: str = Field(description="The initials set in the browser at the time; empty when none.")


class Assignment(_Exact):
    """One row of the assignment board (as ICS 203): who holds the role."""

    role: Id
    role_name: str
    holder: str
    since: str
    handed_to: str
    at: str


class IncidentLog(_Exact):
    """An incident's log: its facts, the assignment board, and every entry in time order."""

    format: Literal["rolebook-incident-log"]
    version: Literal[1]
    exported: AwareDatetime
    playbook: PlaybookRef
    incident: Incident
    assignments: list[Assignment]
    activity: list[Entry]
