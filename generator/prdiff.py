"""``rolebook diff``: what a change to the role files means for the playbook, for a pull request."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from .compare import activity_changes, role_changes
from .diagnostics import Diagnostic, sort_diagnostics
from .overlay import rename_mentions
from .playbook import Playbook
from .project import check_project

_M = TypeVar("_M", bound=BaseModel)


@dataclass
class Side:
    label: str
    playbook: Playbook | None
    problems: list[Diagnostic]
    absent: bool = False  # the project folder did not exist at this revision
    folder: Path | None = None


@dataclass
class Report:
    base: str
    head: str
    problems: dict[str, list[str]] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[dict[str, str]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.roles or self.activities or self.cards)


def load_side(project: Path, revision: str | None, workdir: Path) -> Side:
    from .gitrev import extract

    label = revision or "working tree"
    if revision is None:
        folder, unread = project, []
    else:
        written = extract(project, revision, workdir)
        if written is None:
            return Side(label, None, [], absent=True)
        folder, unread = written.folder, written.problems  # links and unsafe paths, never written
    playbook, diagnostics = check_project(folder)
    problems = sort_diagnostics(unread + [d for d in diagnostics if d.severity == "error"])
    return Side(label, None if unread else playbook, problems, folder=folder)


def compare_sides(base: Side, head: Side, card_problems: dict[str, dict[str, str]] | None = None) -> Report:
    report = Report(base.label, head.label)
    for side in (base, head):
        if side.problems:
            report.problems[side.label] = [d.human() for d in side.problems]
    if head.playbook is not None and base.absent:
        report.added = [role.name for role in head.playbook.roles.values()]
        report.activities = [f"activity added: {a.name}" for a in head.playbook.activities]
        return report
    if base.playbook is None or head.playbook is None:
        return report
    old, new = base.playbook, head.playbook
    names = {rid: r.name for rid, r in old.roles.items()} | {rid: r.name for rid, r in new.roles.items()}
    report.added = [new.roles[r].name for r in new.roles if r not in old.roles]
    report.removed = [old.roles[r].name for r in old.roles if r not in new.roles]
    renames: dict[str, str] = {}
    for rid in [r for r in new.roles if r in old.roles]:
        for attr in ("name", "short"):
            before, after = getattr(old.roles[rid], attr), getattr(new.roles[rid], attr)
            if before != after:
                renames[before] = after
    # Compare with the base as renamed, so a rename is reported once, not once per mention.
    old_roles = {rid: _renamed(role, renames) for rid, role in old.roles.items()}
    old_activities = [_renamed(a, renames) for a in old.activities]
    for rid, role in new.roles.items():
        if rid not in old.roles:
            continue
        if old.roles[rid].name != role.name:
            report.renamed.append({"id": rid, "from": old.roles[rid].name, "to": role.name})
        skip = ("name changed", "abbreviation changed")
        lines = [line for line in role_changes(old_roles[rid], role, names) if not line.startswith(skip)]
        if lines:
            report.roles.append({"id": rid, "name": role.name, "changes": lines})
    report.activities = activity_changes(old_activities, new.activities, names)
    for rid, message in (card_problems or {}).get("head", {}).items():
        if rid not in (card_problems or {}).get("base", {}):
            verb = "no longer fits" if rid in old.roles else "does not fit"
            report.cards.append(f"the {names.get(rid, rid)} card {verb}: {message}")
    return report


def _renamed(model: _M, renames: dict[str, str]) -> _M:
    return type(model).model_validate(rename_mentions(model.model_dump(mode="json"), renames))


def card_fit(project: Path, playbook: Playbook, role_ids: list[str]) -> dict[str, str]:
    """Roles whose card does not fit its page, with the reason (only ``role_ids`` are laid out)."""
    from .cardpdf import CardBatch
    from .cards import SIZES
    from .project import TEMPLATES_DIR
    from .render import RenderOptions

    settings = playbook.config.cards
    options = RenderOptions((project / TEMPLATES_DIR,))
    return CardBatch(
        playbook, options, SIZES[settings.size], back=settings.back, role_ids=role_ids
    ).problems()


def diff(project: Path, base_rev: str, head_rev: str | None, check_cards: bool = True) -> Report:
    with tempfile.TemporaryDirectory(prefix="rolebook-diff-") as tmp:
        base = load_side(project, base_rev, Path(tmp) / "base")
        head = load_side(project, head_rev, Path(tmp) / "head")
        cards: dict[str, dict[str, str]] = {}
        if check_cards and head.playbook is not None and head.folder is not None:
            old = base.playbook.roles if base.playbook is not None else {}
            changed = [rid for rid, role in head.playbook.roles.items() if old.get(rid) != role]
            if changed:
                cards["head"] = card_fit(head.folder, head.playbook, changed)
                kept = [r for r in changed if r in old]
                if kept and base.playbook is not None and base.folder is not None:
                    cards["base"] = card_fit(base.folder, base.playbook, kept)
        return compare_sides(base, head, cards)


def as_json(report: Report) -> str:
    data = asdict(report)
    data["valid"] = report.valid
    return json.dumps(data, indent=2, ensure_ascii=False)


_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]{}()<>#+!|~])")


def _md(text: str) -> str:
    """Playbook text as Markdown that shows it as written: no link, emphasis, heading or HTML of its own,
    and no @mention (a zero-width space after '@', as the pull-request comment would otherwise notify)."""
    return _MARKDOWN_SYNTAX.sub(r"\\\1", text.replace("&", "&amp;")).replace("@", "@&#8203;")


def _code(text: str) -> str:
    """``text`` as a code span, whatever backticks it holds."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _fenced(lines: list[str]) -> list[str]:
    fence = "`" * max([3, *(len(run) + 1 for line in lines for run in re.findall(r"`+", line))])
    return [f"{fence}text", *lines, fence]


def as_markdown(report: Report) -> str:
    """The report as Markdown for a pull-request comment; every value from the playbook is escaped."""
    out = [f"## Playbook changes: {_code(report.base)} → {_code(report.head)}", ""]
    for label, problems in report.problems.items():
        out += [f"### :x: {_code(label)} is invalid", "", *_fenced(problems), ""]
    if report.problems and (not report.roles and not report.activities):
        return "\n".join(out).rstrip() + "\n"
    if report.empty:
        out.append("No change to roles, activities or cards.")
    if report.added:
        out += ["**Roles added:** " + ", ".join(_md(name) for name in report.added), ""]
    if report.removed:
        out += ["**Roles removed:** " + ", ".join(_md(name) for name in report.removed), ""]
    for rename in report.renamed:
        out += [f"**Role renamed:** {_md(rename['from'])} → {_md(rename['to'])}", ""]
    for role in report.roles:
        out += [f"### {_md(role['name'])}", "", *[f"- {_md(line)}" for line in role["changes"]], ""]
    if report.activities:
        out += ["### RACI", "", *[f"- {_md(line)}" for line in report.activities], ""]
    if report.cards:
        out += ["### Quick cards", "", *[f"- :warning: {_md(line)}" for line in report.cards], ""]
    return "\n".join(out).rstrip() + "\n"
