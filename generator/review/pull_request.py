"""``rolebook diff``: what a change to the role files means for the playbook, for a pull request."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.core.overlay_merge import renamer
from generator.core.playbook import Playbook
from generator.core.project import check_project
from generator.diagnostics import Diagnostic, format_diagnostics, sort_diagnostics
from generator.errors import RolebookError
from generator.review.diff import activity_changes, role_changes
from generator.review.diff_cards import card_options, cards_to_reprint
from generator.review.diff_mentions import leftover_mentions
from generator.review.diff_settings import settings_changes
from generator.review.diff_values import Same, as_is


@dataclass
class Side:
    label: str
    playbook: Playbook | None
    problems: list[Diagnostic]
    absent: bool = False  # the project folder did not exist at this revision
    folder: Path | None = None


@dataclass
class Report:
    """What a change means for the playbook; the Markdown comment and the JSON carry the same."""

    base: str
    head: str
    problems: dict[str, list[Diagnostic]] = field(default_factory=dict)  # by revision, when it is invalid
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[dict[str, str]] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    leftover_mentions: list[dict[str, Any]] = field(default_factory=list)
    cards_to_reprint: list[str] = field(default_factory=list)  # role names, in site order
    cards: list[Diagnostic] = field(default_factory=list)  # cards that stop fitting, templates that failed
    templates_compared: bool = True  # False with --no-cards: the cards to reprint follow their data

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> bool:
        """Whether anything of the playbook changed (cards that stop fitting aside)."""
        kinds = (self.settings, self.phases, self.severities, self.contacts, self.roles, self.activities)
        return any((self.added, self.removed, self.renamed, *kinds, self.cards_to_reprint))

    @property
    def empty(self) -> bool:
        return not (self.changes or self.cards or self.leftover_mentions)


def load_side(project: Path, revision: str | None, workdir: Path) -> Side:
    from generator.review.revisions import extract

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


def compare_sides(
    base: Side,
    head: Side,
    card_problems: dict[str, dict[str, list[Diagnostic]]] | None = None,
    reprint: tuple[list[str], list[Diagnostic]] | None = None,
) -> Report:
    """The report for two loaded sides; ``reprint`` is what ``cards_to_reprint`` says (found when None)."""
    report = Report(base.label, head.label)
    for side in (base, head):
        if side.problems:
            report.problems[side.label] = side.problems
    if head.playbook is not None and base.absent:
        report.added = [role.name for role in head.playbook.roles.values()]
        report.activities = [f"activity added: {a.name}" for a in head.playbook.activities]
        report.cards_to_reprint = list(report.added)
        return report
    if base.playbook is None or head.playbook is None:
        return report
    old, new = base.playbook, head.playbook
    names = {rid: r.name for rid, r in old.roles.items()} | {rid: r.name for rid, r in new.roles.items()}
    report.added = [new.roles[r].name for r in new.roles if r not in old.roles]
    report.removed = [old.roles[r].name for r in old.roles if r not in new.roles]
    same = _same_after_renames(old, new)
    settings = settings_changes(old.config, new.config, names, same)
    report.settings, report.phases = settings.settings, settings.phases
    report.severities, report.contacts = settings.severities, settings.contacts
    for rid, role in new.roles.items():
        if rid not in old.roles:
            continue
        if old.roles[rid].name != role.name:
            report.renamed.append({"id": rid, "from": old.roles[rid].name, "to": role.name})
        # The rename line says the new name; every other difference, the abbreviation too, is listed.
        lines = [
            line for line in role_changes(old.roles[rid], role, names, same) if not line.startswith("name ")
        ]
        if lines:
            report.roles.append({"id": rid, "name": role.name, "changes": lines})
    levels = {s.id: s.name for s in (*old.config.severities, *new.config.severities)}
    phases = {p.id: p.name for p in (*old.config.phases, *new.config.phases)}
    report.activities = activity_changes(old.activities, new.activities, names, same, levels, phases)
    report.leftover_mentions = leftover_mentions(old, new)
    ids, template_problems = reprint or cards_to_reprint(old, base.folder, new, head.folder)
    report.cards_to_reprint = [new.roles[rid].name for rid in ids]
    for rid, found in (card_problems or {}).get("head", {}).items():
        if rid not in (card_problems or {}).get("base", {}):
            verb = "no longer fits" if rid in old.roles else "does not fit"
            said = f"the {names.get(rid, rid)} card {verb}: "
            report.cards += [replace(d, message=said + d.message) for d in found]
    report.cards += template_problems
    return report


NOT_RENDERED = (
    "the cards to reprint are found from what a card shows (the role, the roles it names, its contact,"
    " the footer, the QR code's address), not by printing them"
)


def _same_after_renames(old: Playbook, new: Playbook) -> Same:
    """Text as compared: a mention of a renamed role, by its old name or its new one, reads the same on
    both sides, so an in-place rename is one change and not one per mention."""
    renames: dict[str, str] = {}
    for rid in [r for r in new.roles if r in old.roles]:
        for attr in ("name", "short"):
            before, after = getattr(old.roles[rid], attr), getattr(new.roles[rid], attr)
            if before != after:
                renames[before] = after
    if not renames:
        return as_is
    renames |= {after: after for after in list(renames.values()) if after not in renames}
    rename = renamer(renames)  # one pattern for every text compared
    seen: dict[str, str] = {}

    def same(text: str) -> str:
        if text not in seen:
            seen[text] = rename(text)
        return seen[text]

    return same


def card_fit(project: Path, playbook: Playbook, role_ids: list[str]) -> dict[str, list[Diagnostic]]:
    """Roles whose card does not fit its page, with the reasons (only ``role_ids`` are laid out)."""
    from generator.cards.pdf import CardBatch
    from generator.render.card_content import SIZES

    settings = playbook.config.cards
    return CardBatch(
        playbook, card_options(project), SIZES[settings.size], back=settings.back, role_ids=role_ids
    ).problems()


def diff(project: Path, base_rev: str, head_rev: str | None, check_cards: bool = True) -> Report:
    """The report for two revisions; without ``check_cards`` no card template of either is rendered."""
    if not project.is_dir():
        raise RolebookError(f"{project}: no such folder")
    with tempfile.TemporaryDirectory(prefix="rolebook-diff-") as tmp:
        base = load_side(project, base_rev, Path(tmp) / "base")
        head = load_side(project, head_rev, Path(tmp) / "head")
        if head.playbook is None or (base.playbook is None and not base.absent):
            return compare_sides(base, head)
        reprint = cards_to_reprint(base.playbook, base.folder, head.playbook, head.folder, render=check_cards)
        cards: dict[str, dict[str, list[Diagnostic]]] = {}
        if check_cards and reprint[0] and not reprint[1] and head.folder is not None:  # templates that work
            cards["head"] = card_fit(head.folder, head.playbook, reprint[0])
            kept = [r for r in reprint[0] if base.playbook is not None and r in base.playbook.roles]
            if kept and base.playbook is not None and base.folder is not None:
                cards["base"] = card_fit(base.folder, base.playbook, kept)
        report = compare_sides(base, head, cards, reprint)
        report.templates_compared = check_cards or base.absent  # every card is new then
        return report


def as_json(report: Report) -> str:
    data = asdict(report)
    data["problems"] = {label: [d.as_dict() for d in found] for label, found in report.problems.items()}
    data["cards"] = [d.as_dict() for d in report.cards]
    data["valid"] = report.valid
    return json.dumps(data, indent=2, ensure_ascii=False)


def report_diagnostics(report: Report) -> list[Diagnostic]:
    """Every problem of the report, located: a revision's own (those of the base revision say which it
    is; their lines are that revision's), cards that stop fitting, card templates that failed."""
    found = []
    for label, problems in report.problems.items():
        said = "" if label == report.head else f"in {label}: "
        found += [replace(d, message=said + d.message) for d in problems]
    return found + report.cards


def report_text(report: Report, fmt: str) -> str:
    """The report as ``markdown`` (the pull-request comment), ``json`` or ``github`` (only its problems,
    as workflow annotations); the text ends with a newline unless it is empty."""
    if fmt == "json":
        return as_json(report) + "\n"
    if fmt == "github":
        text = format_diagnostics(report_diagnostics(report), "github")
        return text + "\n" if text else ""
    return as_markdown(report)


# What the pull-request comment must not read as Markdown in a value: every character that starts
# inline markup, or a block or list at the start of a line ('-', '=' and '1.' are escaped there only).
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]{}()<>#+!|~$])")
_LINE_START = re.compile(r"^(?:[-=]|\d{1,9}\.)")
# Web and mail addresses GitHub would make links of (GFM autolinks: www., http(s)://, ftp://, mailto:,
# xmpp: and bare e-mail addresses): quoted as code, which shows them as written and links nothing.
_ADDRESS = re.compile(
    r"(?:(?:https?|ftp)://|(?:mailto|xmpp):|www\.)[^\s`<]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE
)
# Punctuation after an address ends the sentence, not the address (as GFM's autolinks take it).
_TRAILING = re.compile("[.,:;!?*_~'\"\u201d\u2019)\\]]+$")


def _one_line(text: str) -> str:
    """Every run of white space as one space: line breaks of every kind (\\r, \\n, \\v, \\f, U+0085,
    U+2028, U+2029) cannot start a line of their own in the comment."""
    return " ".join(text.split())


def _inert(text: str) -> str:
    """Text without addresses as Markdown that shows it as written: no link, emphasis, heading or HTML
    of its own, no @mention (a zero-width space after '@') and no #123 reference (a word joiner)."""
    text = _MARKDOWN_SYNTAX.sub(r"\\\1", text.replace("&", "&amp;"))
    text = _LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)
    return re.sub(r"#(?=\d)", "#&#8288;", text).replace("@", "@&#8203;")


def _md(text: str) -> str:
    """A value from the playbook as one line of inert text in the comment: line breaks as spaces,
    Markdown syntax escaped, addresses as code (readable and copied as written, never a link)."""
    text = _one_line(text)
    out, at = [], 0
    for match in _ADDRESS.finditer(text):
        address = match.group(0)
        kept = _TRAILING.sub("", address)
        if "://" in address and len(kept) <= address.index("://") + 3:  # nothing after the scheme
            continue
        out += [_inert(text[at : match.start()]), _code(kept)]
        at = match.start() + len(kept)
    return "".join(out) + _inert(text[at:])


def _code(text: str) -> str:
    """``text`` as a code span, whatever backticks it holds (on one line)."""
    text = _one_line(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _fenced(lines: list[str]) -> list[str]:
    fence = "`" * max([3, *(len(run) + 1 for line in lines for run in re.findall(r"`+", line))])
    return [f"{fence}text", *lines, fence]


def mention_line(mention: dict[str, Any]) -> str:
    """One leftover mention as a sentence: the old name, what became of the role, and where it stands."""
    became = f"now {mention['now']}" if mention["now"] else "no longer a role"
    where = "; ".join(f"{p['file']} ({', '.join(p['fields'])})" for p in mention["places"])
    return f"“{mention['name']}” ({became}): {where}"


def _section(title: str, lines: list[str], mark: str = "") -> list[str]:
    return [f"### {title}", "", *[f"- {mark}{_md(line)}" for line in lines], ""] if lines else []


def as_markdown(report: Report) -> str:
    """The report as Markdown for a pull-request comment; every value from the playbook is escaped."""
    out = [f"## Playbook changes: {_code(report.base)} → {_code(report.head)}", ""]
    for label, problems in report.problems.items():
        out += [f"### :x: {_code(label)} is invalid", "", *_fenced([d.human() for d in problems]), ""]
    if report.problems and report.empty:
        return "\n".join(out).rstrip() + "\n"
    if report.empty:
        out.append("No change to the playbook or its cards.")
    if report.added:
        out += ["**Roles added:** " + ", ".join(_md(name) for name in report.added), ""]
    if report.removed:
        out += ["**Roles removed:** " + ", ".join(_md(name) for name in report.removed), ""]
    for rename in report.renamed:
        out += [f"**Role renamed:** {_md(rename['from'])} → {_md(rename['to'])}", ""]
    out += _section("Settings", report.settings)
    out += _section("Phases", report.phases)
    out += _section("Severity levels", report.severities)
    out += _section("Contacts", report.contacts)
    for role in report.roles:
        out += _section(_md(role["name"]), role["changes"])
    out += _section("RACI", report.activities)
    out += _section(
        "Leftover mentions of old role names", [mention_line(m) for m in report.leftover_mentions]
    )
    out += _section("Quick cards to reprint", report.cards_to_reprint)
    if not report.templates_compared:
        out += [f"Card templates were not compared ({_code('--no-cards')}): {NOT_RENDERED}.", ""]
    out += _section("Quick cards", [d.human() for d in report.cards], ":warning: ")
    return "\n".join(out).rstrip() + "\n"
