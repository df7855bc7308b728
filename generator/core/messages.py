"""Pydantic's validation errors turned into located, plain-spoken diagnostics."""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from generator.core.fields import ID_PATTERN, RaciLetter
from generator.core.model import Activity, ActivityFile
from generator.core.raci import accountable, responsible
from generator.core.yaml_loading import Loc, Path_
from generator.diagnostics import Diagnostic

# (path, is_key) -> (file, location): where a value or a mapping key stands.
Locator = Callable[[Path_, bool], tuple[str, Loc]]

_PATTERN_HINTS = {
    "logo": "a file path inside the project, e.g. assets/logo.svg",
    "extra_css": "a file path inside the project, e.g. assets/extra.css",
    "short": "an abbreviation of 1 to 8 letters, digits or & + . / -, e.g. IM",
    "version": "a version such as 1.0 or 2024.2",
    "email": "an e-mail address such as oncall@example.com",
    "url": "a link starting with https://, http:// or mailto:",
    "within": "a duration such as '5 minutes' or '2 hours' (on a checklist item, also a time box's id such "
    "as first-hour)",
}


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(tp) if a is not type(None)]
            tp = rest[0] if len(rest) == 1 else tp
            if len(rest) != 1:
                return tp
        else:
            return tp


def _step(tp: Any, part: str | int) -> Any:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(part) if isinstance(part, str) else None
        return field.annotation if field else None
    origin = get_origin(tp)
    if origin is list and isinstance(part, int):
        return get_args(tp)[0]
    if origin is dict and isinstance(part, str):
        return get_args(tp)[1]
    return None


def allowed_fields(model: type[BaseModel], parent: Path_) -> list[str]:
    """The field names a mapping at ``parent`` may hold, or [] if it is not a model."""
    tp: Any = model
    for part in parent:
        tp = _step(tp, part)
        if tp is None:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int):
        digits = str(value)
        return f"the number {digits}" if len(digits) <= 20 else f"a number of {len(digits)} digits"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _message(err: ErrorDetails, field: str, model: type[BaseModel], parent: Path_) -> str:
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    given = err.get("input")
    if kind == "missing":
        return f"missing required field '{field}'"
    if kind == "extra_forbidden":
        known = allowed_fields(model, parent)
        close = difflib.get_close_matches(field, known, n=1, cutoff=0.7)
        hint = (
            f" (did you mean '{close[0]}'?)"
            if close
            else (f" (allowed: {', '.join(known)})" if known else "")
        )
        return f"unknown field '{field}'{hint}"
    if kind in ("value_error", "assertion_error"):
        return f"'{field}': {ctx.get('error', err['msg'])}"
    if kind == "string_type":
        hint = ""
        if isinstance(given, (int, bool)):
            hint = "; put it in quotes"
        elif isinstance(given, dict):
            hint = " (a ': ' inside text starts a mapping; put the whole text in quotes)"
        return f"'{field}' should be text, not {_describe(given)}{hint}"
    if kind == "list_type":
        return f"'{field}' should be a list (lines starting with '- '), not {_describe(given)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"'{field}' should be a mapping of 'key: value' lines, not {_describe(given)}"
    if kind == "too_long":
        return f"'{field}' holds more than {ctx.get('max_length')} entries"
    if kind == "string_too_short":
        return f"'{field}' must not be empty"
    if kind == "string_too_long":
        return f"'{field}' is longer than {ctx.get('max_length')} characters"
    if kind == "too_short":
        least = ctx.get("min_length")
        return f"'{field}' needs at least {'one item' if least == 1 else f'{least} items'}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == ID_PATTERN:
            return (
                f"{given!r} is not a valid id: use lowercase letters, digits and single hyphens, "
                "e.g. incident-manager"
            )
        if "\\n" in str(ctx.get("pattern")):
            return f"'{field}' must be a single line"
        hint = _PATTERN_HINTS.get(field, f"text matching {ctx.get('pattern')}")
        return f"'{field}' should be {hint}, not {given!r}"
    if kind == "literal_error":
        return f"{_describe(given)} is not allowed for '{field}': use one of {ctx.get('expected')}"
    if kind.startswith("date"):
        return f"'{field}' should be a date written YYYY-MM-DD, e.g. 2024-04-15, not {_describe(given)}"
    return f"'{field}': {err['msg']}"


def _misspelt(errors: list[ErrorDetails], model: type[BaseModel]) -> set[Path_]:
    """Paths of missing fields that an unknown field nearby is a near miss of (reported once, as the typo)."""
    found: set[Path_] = set()
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            close = difflib.get_close_matches(loc[-1], allowed_fields(model, loc[:-1]), n=1, cutoff=0.7)
            found.update((*loc[:-1], name) for name in close)
    return found


def diagnostics_from(exc: ValidationError, model: type[BaseModel], where: Locator) -> list[Diagnostic]:
    """One diagnostic per pydantic error, located through ``where``."""
    found: list[Diagnostic] = []
    errors = exc.errors()
    misspelt = _misspelt(errors, model)
    for err in errors:
        if err["type"] == "missing" and tuple(err["loc"]) in misspelt:
            continue
        loc = tuple(err["loc"])
        is_key = bool(loc) and loc[-1] == "[key]"
        path: Path_ = loc[:-1] if is_key else loc
        names = [p for p in (path[:-1] if is_key else path) if isinstance(p, str)]
        field = names[-1] if names else "document"
        parent = path[:-1]
        if err["type"] == "missing":
            file, at = where(parent, False)
        else:
            file, at = where(path, is_key or err["type"] == "extra_forbidden")
        msg = _message(err, field, model, parent)
        if is_key:
            msg += f" (a key of '{field}')"
        found.append(Diagnostic(file, at.line, at.col, msg))
    return found


@dataclass(frozen=True)
class Salvage:
    """How much of a file that failed validation is kept, so that the checks across files still run
    on the rest of it in the same run: an unknown field is dropped, and a field that failed takes its
    default, or its stand-in if it has no default. A field in ``keep`` (whose default would make the
    checks report what is not so, e.g. the default phases) or a required one with no stand-in must be
    valid as written, or nothing of the file is kept."""

    stand_ins: dict[str, Any] = field(default_factory=dict)
    keep: frozenset[str] = frozenset()


# A stand-in never reaches a page (the playbook is invalid) and is not a value the checks report on.
# Backups have none: an empty list would be reported as "no backups", and a shorter one would move
# the place each entry is reported at.
ROLE_SALVAGE = Salvage(
    {
        "summary": "-",
        "responsibilities": ["-"],
        "review": {"owner": "-", "last_reviewed": "2000-01-01"},  # the review date is checked on builds only
    },
    frozenset({"backups"}),
)
_STAND_IN_SYMBOLS = "&+./-"  # no letter or digit: no abbreviation a playbook uses is made of these alone


def role_salvage(role_id: str, number: int) -> Salvage:
    """ROLE_SALVAGE with a name and an abbreviation of the role's own (``number`` tells the roles of
    a project apart), unlike any other role's, so the checks that compare names and abbreviations
    report nothing about a stand-in: a private-use character and the id, eight symbols."""
    symbols = "".join(_STAND_IN_SYMBOLS[number // 5**i % 5] for i in range(6))
    return Salvage(
        {**ROLE_SALVAGE.stand_ins, "name": f"\ue000{role_id}", "short": f"&&{symbols}"}, ROLE_SALVAGE.keep
    )


SETTINGS_SALVAGE = Salvage(
    {"title": "-", "organization": "-", "version": "0", "published": "2000-01-01", "intro": "-"},
    # unknown, they would make every checklist, level or time box unknown
    frozenset({"phases", "severities", "time_boxes"}),
)
# Settings the checks depend on whose default would make them report what is not so, when their
# value is not known: an unknown phase for every checklist, an unknown severity for every activity.
SETTINGS_NEEDED = ("phases", "severities")


def partial_settings(
    model: type[BaseModel],
    data: dict[str, Any],
    where: Locator,
    out: list[Diagnostic],
    *,
    unread: bool,
    twice: set[str],
) -> Any:
    """The settings when a settings file could not be read (``unread``) or keys are set in two files
    (``twice``; ``data`` holds the first): what was read is validated, a required field that may be
    in the unread file takes a stand-in, and the checks on the rest run in the same run. None when
    the phases or the severity levels are not known for sure."""
    if any(key in twice or (unread and key not in data) for key in SETTINGS_NEEDED):
        return None
    filled = dict(data)
    if unread:
        for key, value in SETTINGS_SALVAGE.stand_ins.items():
            if key != "title":  # the title follows the organization
                filled.setdefault(key, value)
        filled.setdefault("demo", True)  # example values go unreported rather than reported on a guess
    return validate_into(model, filled, where, out, SETTINGS_SALVAGE)


def _salvaged(model: type[BaseModel], data: Any, exc: ValidationError, salvage: Salvage) -> Any:
    failed = {err["loc"][0] if err["loc"] else None for err in exc.errors()}
    if not isinstance(data, dict) or None in failed or failed & salvage.keep:
        return None
    kept = {k: v for k, v in data.items() if k not in failed}
    for name in failed:
        spec = model.model_fields.get(str(name))
        if spec is not None and spec.is_required():  # an unknown field is left out
            if name not in salvage.stand_ins:
                return None
            kept[str(name)] = salvage.stand_ins[str(name)]
    try:
        return model.model_validate(kept)
    except ValidationError:
        return None


def salvaged_activities(data: Any) -> tuple[ActivityFile, tuple[int, ...]] | None:
    """What the checks across files can use of an activity file that failed validation: each
    activity that is valid or can be made so (see ``_activity``), and the index each had in the file."""
    listed = data.get("activities") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        return None
    kept = [(i, activity) for i, item in enumerate(listed) if (activity := _activity(item)) is not None]
    try:
        return ActivityFile(activities=[a for _, a in kept]), tuple(i for i, _ in kept)
    except ValidationError:  # none kept, or too many
        return None


def _activity(item: Any) -> Activity | None:
    """An activity, if what fails in it can be left out or stood in for: an unknown field, the
    description, a severity that is not an id (the list keeps the ids), a RACI entry whose letter is
    not a letter or whose role is not an id (see ``_stand_in_letters``)."""
    if not isinstance(item, dict):
        return None
    try:
        return Activity.model_validate(item)
    except ValidationError as exc:
        errors = exc.errors()
    kept = dict(item)
    raci = dict(item["raci"]) if isinstance(item.get("raci"), dict) else {}
    bad: list[str] = []
    not_ids: set[str] = set()
    for err in errors:
        loc = tuple(err["loc"])
        if (err["type"] == "extra_forbidden" and len(loc) == 1) or loc == ("description",):
            kept.pop(str(loc[0]), None)
        elif loc[:1] == ("severities",):
            listed = item.get("severities")
            ids = [s for s in listed if _is_id(s)] if isinstance(listed, list) else []
            kept["severities"] = ids  # none: the activity applies at no level, so none is reported
        elif len(loc) == 3 and loc[0] == "raci" and loc[2] == "[key]":
            not_ids.add(str(loc[1]))
        elif len(loc) == 2 and loc[0] == "raci" and str(loc[1]) in raci:
            bad.append(str(loc[1]))
        else:
            return None
    letters = _stand_in_letters(raci, [role for role in bad if role not in not_ids], not_ids)
    if letters is None:
        return None
    kept["raci"] = letters
    try:
        return Activity.model_validate(kept)
    except ValidationError:
        return None


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 64 and re.fullmatch(ID_PATTERN, value) is not None


def _stand_in_letters(raci: dict[str, Any], bad: list[str], not_ids: set[str]) -> dict[str, Any] | None:
    """The RACI with a stand-in for each letter that is not one: the checks still see the role (an
    unknown role is reported, and a role named there takes part), but neither report a lack the bad
    letter may be meant to fill nor count it as a second A. The first bad letter stands in for what
    the others lack (A, R or both), every other one for I. An entry whose role is not an id is left
    out; if what it leaves lacks an A or an R and no bad letter can stand in, None: the checks could
    only echo the entry."""
    raci = {role: letter for role, letter in raci.items() if role not in not_ids}
    rest = {role: letter for role, letter in raci.items() if role not in bad}
    try:
        letters = list(TypeAdapter(dict[str, RaciLetter]).validate_python(rest).values())
    except ValidationError:
        letters = []
    lacks = ("A" if not any(map(accountable, letters)) else "") + (
        "R" if not any(map(responsible, letters)) else ""
    )
    if lacks and not bad and not_ids:
        return None
    stand_ins = dict.fromkeys(bad, "I") | ({bad[0]: lacks} if bad and lacks else {})
    return {role: stand_ins.get(role, letter) for role, letter in raci.items()}


def validate_into(
    model: type[BaseModel], data: Any, where: Locator, out: list[Diagnostic], salvage: Salvage | None = None
) -> Any:
    """``data`` validated as ``model``, or None with every problem added to ``out``; with ``salvage``,
    what can be kept of invalid data (for the checks across files; the problems are in ``out``)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        out.extend(diagnostics_from(exc, model, where))
        return _salvaged(model, data, exc, salvage) if salvage else None
