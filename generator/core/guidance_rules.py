"""Rules for a role's guidance and the severity rules: ids unique in a role, severity levels and
activities that exist, and decision rights only at levels that engage the role."""

from __future__ import annotations

import re
from collections import Counter

from generator.core.level_names import default_level_labels
from generator.core.mentions import texts
from generator.core.model import Role, Severity
from generator.core.overlay_merge import KEYED_LISTS, alternation
from generator.core.overlays import MergedLocator
from generator.core.playbook import engages
from generator.core.rules import RuleContext, _suggest
from generator.core.yaml_loading import Path_

# The guidance lists an overlay names entries of by a field (overlay_merge.KEYED_LISTS, where the field is
# given), so that field is unique in a role; how a message calls an entry.
_NOT_TEXT = frozenset({"severity", "severities", "source", "id", "review"})
_KEYED = {
    "scripts": "script id",
    "guidance": "section id",
    "messages": "message id",
    "time_targets": "time target",
    "conflicts": "conflict",
    "anti_patterns": "anti-pattern",
}


def _check_ids(ctx: RuleContext) -> None:
    for rid, role in ctx.roles.items():
        for field, what in _KEYED.items():
            key = KEYED_LISTS[field]
            seen: set[str] = set()
            for i, entry in enumerate(getattr(role, field)):
                value = getattr(entry, key)
                if value in seen:
                    shown = value if len(value) <= 60 else value[:57] + "..."
                    message = f"{what} '{shown}' is listed twice: an overlay names an entry by its {key}"
                    ctx.add(ctx.role_files[rid], (field, i, key), message)
                seen.add(value)


def _check_levels(ctx: RuleContext) -> None:
    """Decision rights and time targets name levels of the playbook. Those inherited from the defaults or
    the library for levels a playbook does not have (it has levels of its own, and another number of them
    than the defaults: ``level_names``) are left out of the playbook quietly (``fitted_role``)."""
    if ctx.config is None:
        return
    levels = {sev.id: sev for sev in ctx.config.severities}
    for rid, role in ctx.roles.items():
        _check_role_levels(ctx, rid, role, levels)


def _check_role_levels(ctx: RuleContext, rid: str, role: Role, levels: dict[str, Severity]) -> None:
    file = ctx.role_files[rid]
    hint = "" if levels else " (site_config lists no severity levels)"
    seen: set[str] = set()

    def unknown(level: str, path: Path_) -> None:
        if ctx.inherited(file, path) is None:  # inherited for levels it does not have: left out quietly
            ctx.add(file, path, f"unknown severity level '{level}'{_suggest(level, set(levels)) or hint}")

    for i, right in enumerate(role.decision_rights):
        path: Path_ = ("decision_rights", i, "severity")
        if right.severity not in levels:
            unknown(right.severity, path)
        elif right.severity in seen:
            ctx.add(file, path, f"decision rights for '{right.severity}' are listed twice")
        elif not engages(levels[right.severity], rid) and ctx.inherited(file, path) is None:
            ctx.add(
                file,
                path,
                f"decision rights at '{right.severity}', which does not engage '{rid}', are not shown: engage "
                "the role there (site_config severities) or take the entry out",
                severity="warning",
            )
        seen.add(right.severity)
    for i, target in enumerate(role.time_targets):
        for j, level in enumerate(target.severities or []):
            if level not in levels:
                unknown(level, ("time_targets", i, "severities", j))


def fitted_role(role: Role, severities: list[Severity]) -> Role:
    """The role without what it inherits for levels the playbook does not have (a playbook with levels
    of its own): decision rights, and time targets left with no level; and the card's messages only those
    the role has (an overlay may take one out). Only inherited entries can be left (a role's own are
    errors). The pages show the rest at the levels that engage the role (``Playbook.decision_rights``)."""
    levels = {s.id for s in severities}
    rights = [r for r in role.decision_rights if r.severity in levels]
    targets = []
    for target in role.time_targets:
        if target.severities is None:
            targets.append(target)
        elif kept := [s for s in target.severities if s in levels]:
            targets.append(target.model_copy(update={"severities": kept}))
    ids = {m.id for m in role.messages}
    card = role.card
    if card.messages is not None and not set(card.messages) <= ids:
        card = card.model_copy(update={"messages": [m for m in card.messages if m in ids]})
    if rights == role.decision_rights and targets == role.time_targets and card is role.card:
        return role
    return role.model_copy(update={"decision_rights": rights, "time_targets": targets, "card": card})


def _check_severity_rules(ctx: RuleContext) -> None:
    if ctx.config is None or ctx.config.severity_rules is None or ctx.activities is None:
        return
    rules = ctx.config.severity_rules
    activities = {a.id for a in ctx.activities.activities}
    for key in ("declare", "change"):
        activity_id = getattr(rules, key)
        if activity_id is None:
            continue
        path = ("severity_rules", key)
        if activity_id not in activities:
            ctx.add_config(path, f"unknown activity '{activity_id}'{_suggest(activity_id, activities)}")


def _check_card_messages(ctx: RuleContext) -> None:
    for rid, role in ctx.roles.items():
        file = ctx.role_files[rid]
        locator = ctx.locators.get(file)
        written = locator.data.get("messages") if isinstance(locator, MergedLocator) else None
        if isinstance(written, list) and len(written) != len(role.messages):
            continue  # a message that failed validation is reported; the card's list is not checked
        ids = {m.id for m in role.messages}
        for i, wanted in enumerate(role.card.messages or []):
            if wanted not in ids and ctx.inherited(file, ("card", "messages", i)) is None:
                hint = _suggest(wanted, ids) or (" (the role has no messages)" if not ids else "")
                ctx.add(file, ("card", "messages", i), f"unknown message '{wanted}'{hint}")


def _check_level_mentions(ctx: RuleContext) -> None:
    """Text inherited from the defaults or the library that names the defaults' severity levels, in a
    playbook that has levels of its own: said once per role, with the names and how often."""
    if ctx.config is None:
        return
    present = {label.casefold() for s in ctx.config.severities for label in (s.name, s.name.split()[0], s.id)}
    absent = [label for label in default_level_labels() if label.casefold() not in present]
    if not absent:
        return
    pattern = re.compile(r"\b(" + alternation(absent) + r")\b")
    for rid in ctx.roles:
        file = ctx.role_files[rid]
        locator = ctx.locators.get(file)
        if not isinstance(locator, MergedLocator):
            continue
        found: Counter[str] = Counter()
        first: Path_ | None = None
        for path, text in texts(locator.data, (), _NOT_TEXT):
            names = pattern.findall(text)
            if names and locator.origin(path) is not None:
                first = first or path
                found.update(names)
        if first is not None:
            listed = ", ".join(f"'{name}' ({n}x)" for name, n in found.items())
            ctx.add(
                file,
                first,
                f"inherited text names severity levels this playbook does not have: {listed}; "
                "write your own levels' names where it matters (an overlay replaces the entry)",
                severity="warning",
            )


def check_guidance(ctx: RuleContext) -> None:
    _check_ids(ctx)
    _check_card_messages(ctx)
    _check_levels(ctx)
    _check_severity_rules(ctx)
    _check_level_mentions(ctx)
