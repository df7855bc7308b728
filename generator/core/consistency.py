"""Consistency rules: what each file allows on its own but the playbook as a whole contradicts.

Each rule is a warning (``--strict`` fails on it) located where the fix is made, and each is listed in
the file-format guide:

- an activity's Accountable role is engaged at every severity level where the activity applies
  (an activity of a phase during the incident applies at every level unless it lists ``severities:``;
  one of a phase before or after it, ``incident: false``, at none unless it lists them);
- a role engaged at a level has a backup engaged there too;
- a role engaged at any level has somewhere to escalate, unless it is the top of the escalation path.
"""

from __future__ import annotations

from generator.core.raci import accountable_role
from generator.core.rules import RuleContext, _suggest
from generator.diagnostics import Diagnostic


def _warn_config(ctx: RuleContext, path: tuple[str | int, ...], message: str) -> None:
    file, at = ctx.config_where(path, False)
    ctx.out.append(Diagnostic(file, at.line, at.col, message, "warning"))


def _names(role_ids: list[str]) -> str:
    return ", ".join(f"'{rid}'" for rid in role_ids)


def _during_incident(ctx: RuleContext, phase_id: str) -> bool:
    assert ctx.config is not None
    return next((p.incident for p in ctx.config.phases if p.id == phase_id), True)


def check_activity_severities(ctx: RuleContext) -> None:
    """Activities name known levels, and their Accountable role is engaged at each level they apply at."""
    if ctx.config is None or ctx.activities is None or ctx.activity_path is None:
        return
    levels = {sev.id: sev for sev in ctx.config.severities}
    file = ctx.activity_path
    for i, activity in enumerate(ctx.activities.activities):
        listed = activity.severities
        for j, level in enumerate(listed or []):
            if level in (listed or [])[:j]:
                ctx.add(file, ("activities", i, "severities", j), f"severity level '{level}' is listed twice")
            elif level not in levels:
                hint = _suggest(level, set(levels)) if levels else " (site_config lists no severity levels)"
                ctx.add(file, ("activities", i, "severities", j), f"unknown severity level '{level}'{hint}")
        owners = accountable_role(activity.raci)
        if len(owners) != 1 or owners[0] not in ctx.roles:
            continue  # no single Accountable role: reported by the activity rules
        owner = owners[0]
        if listed is None and not _during_incident(ctx, activity.phase):
            continue
        applies = [levels[s] for s in (listed if listed is not None else levels) if s in levels]
        missing = [sev for sev in applies if sev.roles and owner not in sev.roles]
        if missing:
            ids = ", ".join(sev.id for sev in missing)
            ctx.add(
                file,
                ("activities", i, "raci", owner),
                f"activity '{activity.id}' is Accountable to '{owner}', which severity {ids} does not engage: "
                f"engage '{owner}' there (site_config severities) or list the levels the activity applies "
                "at (severities: [...])",
                key=True,
                severity="warning",
            )


def check_backups_engaged(ctx: RuleContext) -> None:
    """At every level, each engaged role with backups has at least one of them engaged too."""
    if ctx.config is None:
        return
    for i, sev in enumerate(ctx.config.severities):
        engaged = set(sev.roles)
        for j, rid in enumerate(sev.roles):
            role = ctx.roles.get(rid)
            backups = [b for b in role.backups if b in ctx.roles] if role is not None else []
            if not backups or engaged & set(backups):  # a backup that is no role is an error of its own
                continue
            _warn_config(
                ctx,
                ("severities", i, "roles", j),
                f"severity '{sev.id}' engages '{rid}' but none of its backups ({_names(backups)}): "
                "engage one of them, so someone can take the role over",
            )


def check_escalation_paths(ctx: RuleContext) -> None:
    """A role engaged at some level, with no escalation listed, that is not the top of the path."""
    if ctx.config is None:
        return
    above_someone = {e.role for role in ctx.roles.values() for e in role.escalates_to}
    engaged = {rid for sev in ctx.config.severities for rid in sev.roles}
    for rid, role in ctx.roles.items():
        if role.escalates_to or rid in above_someone or rid not in engaged:
            continue
        ctx.add(
            ctx.role_files[rid],
            (),
            "engaged at a severity level but escalates to no one, and no role escalates to it: "
            "add escalates_to with the role to call and when",
            severity="warning",
        )


def check_consistency(ctx: RuleContext) -> list[Diagnostic]:
    check_activity_severities(ctx)
    check_backups_engaged(ctx)
    check_escalation_paths(ctx)
    return ctx.out
