"""Cross-reference rules: what no single file can check on its own.

Every rule adds located diagnostics and never stops the others, so one run
reports every problem. A rule that needs a part that failed to load is skipped.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.fix_hints import PLACEHOLDER, Fix, Fixes
from generator.core.links import inside
from generator.core.lookalike import first_difference, lookalike_groups, oddness
from generator.core.model import Activity, ActivityFile, Phase, Role, SiteConfig
from generator.core.model import Severity as SeverityLevel
from generator.core.overlays import MergedLocator
from generator.core.raci import accountable_role, responsible_roles
from generator.core.yaml_loading import Loc, Path_, YamlDoc
from generator.diagnostics import Diagnostic, Severity

ConfigLocator = Callable[[Path_, bool], tuple[str, Loc]]


@dataclass
class RuleContext:
    config: SiteConfig | None
    roles: dict[str, Role]
    known_roles: set[str]  # every role file with a valid id, loaded or not
    activities: ActivityFile | None
    activity_path: str | None
    role_files: dict[str, str]
    docs: dict[str, YamlDoc]
    config_where: ConfigLocator
    project: Path | None = None
    locators: dict[str, Callable[[Path_, bool], tuple[str, Loc]]] = field(default_factory=dict)
    out: list[Diagnostic] = field(default_factory=list)
    fixes: Fixes = field(default_factory=Fixes)

    def where(self, file: str, path: Path_, key: bool = False) -> tuple[str, Loc]:
        if file in self.locators:  # a merged overlay: find the file and line the value came from
            return self.locators[file](path, key)
        return file, self.docs[file].loc(path, key=key) if file in self.docs else Loc(1, 1)

    def inherited(self, file: str, path: Path_, key: bool = False) -> tuple[str, Loc] | None:
        """Where in the defaults a value of ``file`` is written, if it is inherited from them."""
        locator = self.locators.get(file)
        return locator.origin(path, key) if path and isinstance(locator, MergedLocator) else None

    def add(
        self,
        file: str,
        path: Path_,
        message: str,
        *,
        key: bool = False,
        severity: Severity = "error",
        fix: Fix | None = None,
    ) -> None:
        """A problem at ``path`` of ``file``; if the value is inherited, saying from where and, with
        ``fix``, the edit to the reported file that mends it, combined with the other fixes to that
        file (e.g. "add `checklists: {x: null, y: null}` ...")."""
        origin = self.inherited(file, path, key)
        file, at = self.where(file, path, key)
        if origin is not None:
            fix = fix or self._activity_fix(path)
            message += f"; the value is inherited from {origin[0]}:{origin[1].line}"
            if fix is not None:
                problem = Diagnostic(file, at.line, at.col, message, severity)
                self.fixes.add(self.out, problem, fix, self.docs.get(file))
                return
        self.out.append(Diagnostic(file, at.line, at.col, message, severity))

    def add_config(self, path: Path_, message: str, *, key: bool = False) -> None:
        file, at = self.config_where(path, key)
        self.out.append(Diagnostic(file, at.line, at.col, message))

    def role_ref(self, file: str, path: Path_, role_id: str, what: str) -> bool:
        if role_id in self.known_roles or not self.known_roles:  # no roles at all is reported once, elsewhere
            return True
        message = f"{what} names unknown role '{role_id}'{_suggest(role_id, self.known_roles)}"
        self.add(file, path, message, fix=self._unlink(path, role_id))
        return False

    def _unlink(self, path: Path_, role_id: str) -> Fix | None:
        """The overlay edit that takes an inherited mention of a role out."""
        if path and path[0] in ("works_with", "escalates_to", "backups"):
            return Fix((str(path[0]), "remove"), role_id, item=True)
        if len(path) == 4 and path[:3:2] == ("activities", "raci") and self._extends_activities():
            assert self.activities is not None
            activity = self.activities.activities[int(path[1])].id
            return Fix(("change", activity, "raci", role_id))
        return None

    def _extends_activities(self) -> bool:
        """Whether the activity file is an overlay of the defaults' (whose `change:` can mend them)."""
        doc = self.docs.get(self.activity_path or "")
        return self.activities is not None and doc is not None and "extends" in doc.data

    def _activity_fix(self, path: Path_) -> Fix | None:
        """The activity overlay edit that mends an inherited activity's phase: the phase the message
        suggests, if it suggests one."""
        if len(path) == 3 and path[:3:2] == ("activities", "phase") and self.activities is not None:
            activity = self.activities.activities[int(path[1])]
            phases = {p.id for p in self.config.phases} if self.config is not None else set()
            close = difflib.get_close_matches(activity.phase, sorted(phases), n=1, cutoff=0.6)  # as _suggest
            return Fix(("change", activity.id, "phase"), close[0] if close else PLACEHOLDER)
        return None


def _suggest(word: str, candidates: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_role_links(ctx: RuleContext, phases: set[str] | None) -> None:
    for rid, role in ctx.roles.items():
        file = ctx.role_files[rid]
        for i, link in enumerate(role.works_with):
            if link.role == rid:
                ctx.add(file, ("works_with", i, "role"), "a role cannot work with itself")
            else:
                ctx.role_ref(file, ("works_with", i, "role"), link.role, "works_with")
        for i, esc in enumerate(role.escalates_to):
            if esc.role == rid:
                ctx.add(file, ("escalates_to", i, "role"), "a role cannot escalate to itself")
            else:
                ctx.role_ref(file, ("escalates_to", i, "role"), esc.role, "escalates_to")
        if role.reports_to == rid:
            ctx.add(file, ("reports_to",), "a role cannot report to itself")
        elif role.reports_to is not None:
            ctx.role_ref(file, ("reports_to",), role.reports_to, "reports_to")
        for i, backup in enumerate(role.backups):
            if backup == rid:
                ctx.add(file, ("backups", i), "a role cannot be its own backup")
            else:
                ctx.role_ref(file, ("backups", i), backup, "backups")
        if not role.backups:
            ctx.add(
                file, (), "no backups: name the roles cross-trained to cover this one", severity="warning"
            )
        if phases is not None:
            for phase in role.checklists:
                if phase not in phases:
                    ctx.add(
                        file,
                        ("checklists", phase),
                        f"unknown phase '{phase}'{_suggest(phase, phases)}",
                        key=True,
                        fix=Fix(("checklists", phase)),
                    )


def _check_unique_labels(ctx: RuleContext) -> None:
    for attr in ("name", "short"):
        seen: dict[str, str] = {}
        for rid, role in ctx.roles.items():
            value = getattr(role, attr).casefold()
            if value in seen:
                other = seen[value]
                ctx.add(
                    ctx.role_files[other],
                    (attr,),
                    f"{attr} '{getattr(ctx.roles[other], attr)}' is also used by role '{rid}'",
                )
                ctx.add(
                    ctx.role_files[rid],
                    (attr,),
                    f"{attr} '{getattr(role, attr)}' is already used by role '{seen[value]}'",
                )
            else:
                seen[value] = rid


def _check_characters(ctx: RuleContext) -> None:
    """Control, bidi and invisible characters the loader found, each where it stands."""
    for doc in ctx.docs.values():
        ctx.out.extend(Diagnostic(doc.path, p.line, p.col, p.message, p.severity) for p in doc.problems)


Labelled = tuple[str, Loc, str]  # the file and place a name is written, and the name


def _lookalikes(ctx: RuleContext, what: str, names: list[Labelled], *, skip_same_case: bool) -> None:
    """Names a reader could take for each other: each is reported naming the plainest of its group."""
    for indexes in lookalike_groups([name for _, _, name in names]):
        group = [names[i] for i in indexes]
        plain_file, plain_at, plain = min(group, key=lambda e: oddness(e[2]))  # the first of equals
        for file, at, name in group:
            if (file, at, name) == (plain_file, plain_at, plain):
                continue
            if skip_same_case and name.casefold() == plain.casefold():
                continue  # reported as a duplicate by _check_unique_labels
            there = f"line {plain_at.line}" if plain_file == file else plain_file
            if name == plain:
                message = f"{what} '{name}' is already used on {there}"
            else:
                detail = first_difference(name, plain)
                message = f"{what} '{name}' looks like '{plain}' of {there} ({detail})"
            ctx.out.append(Diagnostic(file, at.line, at.col, message))


def _check_lookalike_names(ctx: RuleContext) -> None:
    for attr in ("name", "short"):
        located = [
            (*ctx.where(ctx.role_files[rid], (attr,)), getattr(role, attr)) for rid, role in ctx.roles.items()
        ]
        _lookalikes(ctx, attr, located, skip_same_case=True)
    if ctx.activities is not None and ctx.activity_path is not None:
        file = ctx.activity_path
        located = [
            (*ctx.where(file, ("activities", i, "name")), name)
            for i, name in _first_of_each_id(ctx.activities.activities)
        ]
        _lookalikes(ctx, "activity name", located, skip_same_case=False)
    if ctx.config is not None:
        for list_name, what, items in (
            ("phases", "phase name", _first_of_each_id(ctx.config.phases)),
            ("severities", "severity name", _first_of_each_id(ctx.config.severities)),
        ):
            located = [(*ctx.config_where((list_name, i, "name"), False), name) for i, name in items]
            _lookalikes(ctx, what, located, skip_same_case=False)


def _first_of_each_id(entries: Sequence[Activity | Phase | SeverityLevel]) -> list[tuple[int, str]]:
    """Index and name of each entry but those whose id is used before (reported as duplicates)."""
    first: dict[str, tuple[int, str]] = {}
    for i, entry in enumerate(entries):
        first.setdefault(entry.id, (i, entry.name))
    return list(first.values())


def _check_activities(ctx: RuleContext, phases: set[str] | None) -> None:
    if ctx.activities is None or ctx.activity_path is None:
        return
    file = ctx.activity_path
    seen: set[str] = set()
    involved: set[str] = set()
    for i, act in enumerate(ctx.activities.activities):
        label = f"activity '{act.id}' ({act.name})"
        if act.id in seen:
            ctx.add(file, ("activities", i, "id"), f"duplicate activity id '{act.id}'")
        seen.add(act.id)
        if phases is not None and act.phase not in phases:
            ctx.add(
                file,
                ("activities", i, "phase"),
                f"{label} names unknown phase '{act.phase}'{_suggest(act.phase, phases)}",
            )
        for role_id in act.raci:
            ctx.role_ref(file, ("activities", i, "raci", role_id), role_id, label)
            involved.add(role_id)
        accountable = accountable_role(act.raci)
        if not accountable:
            ctx.add(
                file,
                ("activities", i, "raci"),
                f"{label} has no Accountable role: give exactly one role an A",
            )
        elif len(accountable) > 1:
            ctx.add(
                file,
                ("activities", i, "raci"),
                f"{label} has {len(accountable)} Accountable roles ({', '.join(accountable)}): exactly one role may be A",
            )
        if not responsible_roles(act.raci):
            ctx.add(
                file,
                ("activities", i, "raci"),
                f"{label} has no Responsible role: give at least one role an R (or the Accountable role AR)",
            )
    for rid in ctx.roles:
        if rid not in involved:
            ctx.add(
                ctx.role_files[rid],
                (),
                f"role '{rid}' takes part in no activity of {file}",
                severity="warning",
            )


def _check_escalation_cycles(ctx: RuleContext) -> None:
    graph = {
        rid: [e.role for e in role.escalates_to if e.role in ctx.roles and e.role != rid]
        for rid, role in ctx.roles.items()
    }
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    start = min(cycle)
                    turn = cycle[cycle.index(start) :] + cycle[: cycle.index(start)]
                    index = next(i for i, e in enumerate(ctx.roles[start].escalates_to) if e.role == turn[1])
                    ctx.add(
                        ctx.role_files[start],
                        ("escalates_to", index, "role"),
                        "escalation cycle: " + " -> ".join([*turn, start]) + "; escalations must lead upward",
                    )
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for rid in sorted(graph):
        if rid not in state:
            visit(rid)


def _check_config_refs(ctx: RuleContext) -> set[str] | None:
    if ctx.config is None:
        return None
    config = ctx.config
    for list_name, ids in (
        ("phases", [p.id for p in config.phases]),
        ("severities", [s.id for s in config.severities]),
    ):
        for i, item_id in enumerate(ids):
            if item_id in ids[:i]:
                ctx.add_config((list_name, i, "id"), f"duplicate id '{item_id}' in {list_name}")
    for i, sev in enumerate(config.severities):
        for j, role_id in enumerate(sev.roles):
            if ctx.known_roles and role_id not in ctx.known_roles:
                ctx.add_config(
                    ("severities", i, "roles", j),
                    f"severity '{sev.id}' names unknown role '{role_id}'{_suggest(role_id, ctx.known_roles)}",
                )
    for role_id in config.contacts:
        if ctx.known_roles and role_id not in ctx.known_roles:
            ctx.add_config(
                ("contacts", role_id),
                f"contacts for unknown role '{role_id}'{_suggest(role_id, ctx.known_roles)}",
                key=True,
            )
    for i, role_id in enumerate(config.role_order):
        if ctx.known_roles and role_id not in ctx.known_roles:
            ctx.add_config(
                ("role_order", i),
                f"role_order names unknown role '{role_id}'{_suggest(role_id, ctx.known_roles)}",
            )
    branding = config.branding
    files: list[tuple[Path_, str]] = [(("branding", "logo"), branding.logo)] if branding.logo else []
    files += [(("branding", "extra_css", i), css) for i, css in enumerate(branding.extra_css)]
    for path, rel in files:
        if ctx.project is None:
            continue
        target = ctx.project / rel
        if not target.is_file():
            ctx.add_config(path, f"no file '{rel}' in the project")
        elif not inside(target, ctx.project):
            ctx.add_config(
                path,
                f"'{rel}' leads outside the project or into a hidden folder of it (a link?); "
                "the site takes files from the project only",
            )
    return {p.id for p in config.phases}


def check_rules(ctx: RuleContext) -> list[Diagnostic]:
    phases = _check_config_refs(ctx)
    _check_role_links(ctx, phases)
    _check_unique_labels(ctx)
    _check_characters(ctx)
    _check_lookalike_names(ctx)
    _check_activities(ctx, phases)
    _check_escalation_cycles(ctx)
    return ctx.out
