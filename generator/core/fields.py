"""The value types every part of the playbook is built from: ids, names, safe Markdown text, dates,
durations and RACI letters, and the strict base model that refuses unknown fields."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from generator.core.checklist_items import DURATION_PATTERN

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

# Raw HTML starts with '<' then a letter, '/', '!' or '?'; autolinks to web and mail are fine.
_RAW_HTML = re.compile(r"<(?!(?:https?://|mailto:))[A-Za-z/!?]")
# Link targets (inline, reference definitions, autolinks), checked after character references are
# decoded and white space removed, as a browser reads a URL; plain prose mentioning JavaScript is fine.
_SCRIPT_URL = re.compile(r"(?i)(?:\]\(|\]:|<)<?(?:javascript|vbscript|data):")


_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\s*[(\[]")


def _safe_markdown(text: str) -> str:
    """Role text is Markdown without raw HTML, images or script links: it cannot inject into the site.

    (The renderer cleans text again on its way into a page; this check gives the editor a clear message.)
    """
    prose = _CODE_SPAN.sub("", text)  # `<service>` in inline code is text, not HTML
    image = _IMAGE.search(prose)
    if image:
        raise ValueError(
            f"images are not allowed in playbook text (found {image.group(0)!r}); link to the picture instead"
        )
    raw = _RAW_HTML.search(prose)
    if raw:
        snippet = prose[raw.start() : raw.start() + 12].split()[0]
        raise ValueError(
            f"raw HTML is not allowed in playbook text (found {snippet!r}); "
            "use Markdown, or write '&lt;' for a literal '<'"
        )
    script = _SCRIPT_URL.search("".join(html.unescape(prose).split()))
    if script:
        raise ValueError(
            f"script and data links are not allowed in playbook text (found {script.group(0)!r})"
        )
    return text


def _iso_date(value: object) -> object:
    if isinstance(value, dt.date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise PydanticCustomError("date_format", "a date is written YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(_safe_markdown),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[^\n\r\t]*$"),
    AfterValidator(_safe_markdown),
]
Abbreviation = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9&+./-]{1,8}$")]
Letter = Literal["R", "A", "C", "I", "AR"]
# One role may be both Accountable and Responsible ("A/R"): written AR, and A/R or RA read as the same.
_LETTER_SPELLINGS = {"A/R": "AR", "RA": "AR", "R/A": "AR"}


def _letter(value: object) -> object:
    if isinstance(value, str):
        return _LETTER_SPELLINGS.get(value.strip(), value)  # capitals, as the single letters
    return value


RaciLetter = Annotated[
    Letter,
    BeforeValidator(_letter, json_schema_input_type=Literal["R", "A", "C", "I", "AR", "A/R", "RA", "R/A"]),
]

# Limits that keep a hostile or runaway file from making a build slow or huge (see the docs' limits page).
MAX_ITEMS = 100  # entries in one list of a role
MAX_ACTIVITIES = 5000
MAX_PHASES = 20
Texts = Annotated[list[Text], Field(max_length=MAX_ITEMS)]


class Strict(BaseModel):
    """Unknown fields are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _lowercase(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


Duration = Annotated[
    str, StringConstraints(pattern=DURATION_PATTERN, max_length=32), BeforeValidator(_lowercase)
]
