"""The typed playbook: what a role, an activity and the site settings may hold.

These pydantic models are the single source of truth for the file format: the
loader validates against them and ``rolebook schema`` prints their JSON Schema.
Cross-references between files are checked in ``rules``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from generator.core.checklist_items import DURATION_PATTERN, as_item, minutes
from generator.core.fields import (
    ID_PATTERN,
    MAX_ACTIVITIES,
    MAX_ITEMS,
    MAX_PHASES,
    Abbreviation,
    Date,
    Duration,
    Id,
    Name,
    RaciLetter,
    Strict,
    Text,
    Texts,
    _lowercase,
)
from generator.core.guidance import (
    AntiPatterns,
    Conflicts,
    DecisionRights,
    Messages,
    Scripts,
    Sections,
    SeverityRules,
    TimeTargets,
)


class WorksWith(Strict):
    role: Id = Field(description="The id of the role worked with.")
    how: Text = Field(description="What the two roles do together.")


class Escalation(Strict):
    role: Id = Field(description="The id of the role escalated to.")
    when: Text = Field(description="The condition that calls for the escalation.")


class Card(Strict):
    """What the printed quick card shows beyond the role's summary."""

    first_actions: Texts = Field(default_factory=list, description="The first things to do, in order.")
    responsibilities: Texts | None = Field(
        default=None, description="Key responsibilities in short form; default: the role's responsibilities."
    )
    do: Texts = Field(default_factory=list)
    dont: Texts = Field(default_factory=list)
    messages: Annotated[list[Id], Field(max_length=MAX_ITEMS)] | None = Field(
        default=None,
        description="The ids of the message templates the card prints where they fit; default: the first.",
    )


# lowercased before the pattern is checked (the pattern, and so the JSON Schema, is lowercase)
Within = Annotated[
    str,
    StringConstraints(pattern=f"^(?:{DURATION_PATTERN[1:-1]}|{ID_PATTERN[1:-1]})$", max_length=64),
    BeforeValidator(_lowercase),
]


def _id_optional(schema: dict[str, Any]) -> None:
    schema["required"] = [name for name in schema.get("required", []) if name != "id"]


class ChecklistItem(Strict):
    """One item of a checklist. Written as a plain string (its text), or as a mapping with an id of its
    own and a time box."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_id_optional)

    id: Id = Field(
        description="A stable id, unique within the role: the incident log and translations key on it. "
        "Default: derived from the text (its first words, lowercase, joined by '-')."
    )
    text: Text = Field(description="What to do.")
    within: Within | None = Field(
        default=None,
        description="When it must be done, counted from the start of the incident: a duration such as "
        "'5 minutes' or '1 hour', or the id of one of the settings' time_boxes. Only for the phases during "
        "an incident. Default: the last time box (until resolved).",
    )

    @property
    def duration(self) -> str | None:
        """``within`` when it is a duration (shown beside the item), else None."""
        return self.within if self.within and minutes(self.within) is not None else None


ChecklistEntry = Annotated[
    ChecklistItem, BeforeValidator(as_item, json_schema_input_type=str | ChecklistItem)
]
Checklist = Annotated[list[ChecklistEntry], Field(max_length=MAX_ITEMS)]


class Review(Strict):
    owner: Name = Field(description="Who keeps this role current, e.g. a team handle.")
    last_reviewed: Date = Field(description="When the role was last reviewed (YYYY-MM-DD).")


class Role(Strict):
    """One role, from ``roles/<id>.yaml``; the id is the file name."""

    name: Name
    short: Abbreviation = Field(description="An abbreviation for tables and cards, e.g. IM.")
    summary: Text = Field(description="One sentence: what the role is for.")
    responsibilities: Texts = Field(min_length=1)
    checklists: Annotated[dict[Id, Checklist], Field(max_length=MAX_PHASES)] = Field(
        default_factory=dict,
        description="Checklist items keyed by phase id: each a string, or {text, id, within}.",
    )
    reports_to: Id | None = Field(
        default=None,
        description="The id of the role this one reports to during an incident; without it, the first role"
        " of escalates_to.",
    )
    works_with: Annotated[list[WorksWith], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)
    escalates_to: Annotated[list[Escalation], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)
    handoff: Texts = Field(
        default_factory=list, description="What an outgoing holder passes on when the role changes hands."
    )
    backups: Annotated[list[Id], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=list, description="Roles cross-trained to cover this one."
    )
    skills: Texts = Field(default_factory=list)
    training: Texts = Field(default_factory=list)
    card: Card = Field(default_factory=Card)
    time_targets: TimeTargets = Field(
        default_factory=list, description="What the role has done by when, counted from the declaration."
    )
    scripts: Scripts = Field(default_factory=list, description="Words to say or post, shown copyable.")
    decision_rights: DecisionRights = Field(
        default_factory=list, description="What the role decides, and asks approval for, per severity level."
    )
    conflicts: Conflicts = Field(
        default_factory=list, description="Disagreements met, and how to handle them."
    )
    anti_patterns: AntiPatterns = Field(default_factory=list, description="Ways the role goes wrong.")
    guidance: Sections = Field(default_factory=list, description="Sections of guidance in prose.")
    messages: Messages = Field(
        default_factory=list, description="Message templates per audience and stage, shown copyable."
    )
    review: Review


class Activity(Strict):
    id: Id
    name: Name
    phase: Id = Field(description="The id of a phase from site_config.")
    description: Text | None = None
    severities: Annotated[list[Id], Field(max_length=MAX_PHASES)] | None = Field(
        default=None,
        description="The severity levels at which the activity applies (ids from site_config); default: all.",
    )
    raci: dict[Id, RaciLetter] = Field(
        description="Role id to a letter: Responsible, Accountable, Consulted or Informed; AR (also written "
        "A/R) for a role both Accountable and Responsible."
    )


class ActivityFile(Strict):
    """The activity (RACI) matrix: the one file in roles/ whose top level is ``activities:``."""

    activities: list[Activity] = Field(min_length=1, max_length=MAX_ACTIVITIES)


class Phase(Strict):
    id: Id
    name: Name
    description: Text | None = None
    incident: StrictBool = Field(
        default=True,
        description="Whether the phase happens during an incident; false for the time before and after it "
        "(such as prepare and review), whose activities belong to no severity level.",
    )


DEFAULT_PHASES = (
    Phase(id="prepare", name="Prepare", description="Readiness before anything happens.", incident=False),
    Phase(id="detect", name="Detect", description="Noticing, confirming and declaring an incident."),
    Phase(id="respond", name="Respond", description="Diagnosing, containing and mitigating."),
    Phase(id="recover", name="Recover", description="Restoring normal service and confirming it holds."),
    Phase(
        id="review", name="Review", description="Learning from the incident and following up.", incident=False
    ),
)


class Severity(Strict):
    id: Id
    name: Name
    description: Text
    respond_within: Name | None = Field(default=None, description="How fast the response starts.")
    update_every: Name | None = Field(default=None, description="How often stakeholders hear news.")
    roles: list[Id] = Field(default_factory=list, description="The roles engaged at this level.")
    examples: Texts = Field(default_factory=list, description="Examples of the impact that calls for it.")


class TimeBox(Strict):
    """A stretch of an incident that checklist items are grouped by, counted from its start."""

    id: Id
    name: Name = Field(description="As the role pages head the group, e.g. 'First 5 minutes'.")
    within: Duration | None = Field(
        default=None,
        description="Where the box ends, e.g. '5 minutes' or '1 hour'; none for the last box, which lasts "
        "until the incident is resolved.",
    )


DEFAULT_TIME_BOXES = (
    TimeBox(id="first-5-minutes", name="First 5 minutes", within="5 minutes"),
    TimeBox(id="first-hour", name="First hour", within="1 hour"),
    TimeBox(id="until-resolved", name="Until resolved"),
)


class Link(Strict):
    title: Name
    url: Annotated[
        str, StringConstraints(pattern=r"^(?:https?://|mailto:)[^\s\"'<>{}|\\^`]+$", max_length=2000)
    ]


class Contact(Strict):
    channel: Name | None = Field(default=None, description="Chat channel, e.g. #incident-command.")
    pager: Name | None = Field(default=None, description="Pager rotation or schedule name.")
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s<>]+@[^@\s<>]+$")] | None = None
    links: list[Link] = Field(default_factory=list, max_length=20)


CardSizeName = Literal["a6", "a7", "a5", "index-4x6", "wallet", "a4", "letter"]


class CardSettings(Strict):
    """The printed quick cards."""

    size: CardSizeName = Field(default="a6", description="Paper size; `rolebook cards --size` overrides it.")
    back: StrictBool = Field(default=False, description="Print a back side with the handoff checklist.")


MaterialColor = Literal[
    "red", "pink", "purple", "deep purple", "indigo", "blue", "light blue", "cyan", "teal", "green",
    "light green", "lime", "yellow", "amber", "orange", "deep orange", "brown", "grey", "blue grey", "black", "white",
]  # fmt: skip
# A relative path inside the project: no leading '/', no '..', no hidden folders.
ProjectFile = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$")
]


class Palette(Strict):
    primary: MaterialColor = "indigo"
    accent: MaterialColor = "indigo"


class Branding(Strict):
    """How the site looks: a logo, Material's colours, and stylesheets of the organization's own."""

    logo: ProjectFile | None = Field(
        default=None, description="An image in the project, e.g. assets/logo.svg."
    )
    palette: Palette | None = None
    extra_css: list[ProjectFile] = Field(
        default_factory=list, max_length=20, description="Stylesheets in the project."
    )


def _default_title(data: object) -> object:
    """The site's name follows the organization unless the settings give a title of their own."""
    if not isinstance(data, dict) or "title" in data:
        return data
    organization = data.get("organization")
    try:  # an organization that is no valid name is reported once, where it is written
        organization = _NAME.validate_python(organization)
    except ValidationError:
        return {**data, "title": "Incident Response"}
    title = f"{organization} Incident Response"
    if len(title) > 80 or "incident response" in organization.casefold():  # a name's longest; no repeat
        title = organization
    return {**data, "title": title}


_NAME: TypeAdapter[str] = TypeAdapter(Name)


def _title_optional(schema: dict[str, Any]) -> None:
    schema["required"] = [name for name in schema.get("required", []) if name != "title"]


class EditingPages(Strict):
    """Pages for the playbook's editors, in an "Editing this playbook" section; off by default, so the
    responders' site holds the playbook only."""

    guides: StrictBool = Field(
        default=False, description="rolebook's guides: file format, adapting, limits..."
    )
    changes: StrictBool = Field(
        default=False, description="What this playbook changes from rolebook's defaults."
    )


class SiteConfig(Strict):
    """The playbook's settings: every file in site_config/, merged by top-level key."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_title_optional)

    title: Name = Field(
        description="The site's name, in every header and page title, the export and the cards; "
        "default: the organization's name followed by 'Incident Response'."
    )
    organization: Name = Field(description="The organization whose playbook this is, shown on every card.")
    version: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")]
    published: Date
    intro: Text
    role_order: list[Id] = Field(
        default_factory=list, description="Roles listed first, in this order; the rest follow by id."
    )
    phases: list[Phase] = Field(
        default_factory=lambda: list(DEFAULT_PHASES), min_length=1, max_length=MAX_PHASES
    )
    severities: list[Severity] = Field(default_factory=list, max_length=MAX_PHASES)
    time_boxes: list[TimeBox] = Field(
        default_factory=lambda: list(DEFAULT_TIME_BOXES),
        min_length=1,
        max_length=MAX_PHASES,
        description="How the role pages group the checklists of the phases during an incident, in order; "
        "an item's `within` places it in the first box that ends no earlier.",
    )
    severity_rules: SeverityRules | None = Field(
        default=None, description="Who declares and changes a severity, and how to choose one."
    )
    contacts: dict[Id, Contact] = Field(default_factory=dict, description="Contacts keyed by role id.")
    cards: CardSettings = Field(default_factory=CardSettings)
    branding: Branding = Field(default_factory=Branding)
    review_period_months: Annotated[int, Field(ge=1, le=120)] = Field(
        default=12, description="How often each role should be reviewed."
    )

    editing: EditingPages = Field(default_factory=EditingPages)
    demo: StrictBool = Field(
        default=False,
        description="A demonstration playbook: example addresses and contacts are expected, not reported.",
    )

    _title = model_validator(mode="before")(_default_title)
