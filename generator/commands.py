"""What each ``rolebook`` command does once its options are parsed, for commands whose work spans layers.

Each function takes the parsed options and returns what the command line shows: nothing here prints
or exits. Problems are raised (RolebookError, its located kinds carrying Diagnostics); warnings found
before long work are handed to ``warn`` so the command line shows them at once. Heavy modules (MkDocs,
WeasyPrint) are imported by the function that needs them, so ``rolebook validate`` starts quickly.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.diagnostics import Diagnostic, count_summary, promote_warnings, sort_diagnostics
from generator.errors import InvalidPlaybook, RolebookError

if TYPE_CHECKING:
    from generator.cards.pdf import CardRequest
    from generator.core.playbook import Playbook
    from generator.render.board_content import PaperName

Warn = Callable[[list[Diagnostic]], None]  # shows warnings found before the work starts
Progress = Callable[[int], Callable[[str], None]]  # given how many items there are: a step per item done


def _no_warnings(_: list[Diagnostic]) -> None:
    pass


def _existing(project: Path) -> Path:
    if not project.is_dir():
        raise RolebookError(f"{project}: no such folder")
    return project


@dataclass(frozen=True)
class Validation:
    """What ``rolebook validate`` found: the playbook (None when it could not be read) and every problem."""

    playbook: Playbook | None
    diagnostics: list[Diagnostic]

    @property
    def failed(self) -> bool:
        return self.playbook is None or any(d.severity == "error" for d in self.diagnostics)

    def summary(self) -> str:
        """One line for the terminal, after the problems."""
        if self.failed or self.playbook is None:
            return f"the playbook is invalid: {count_summary(self.diagnostics)}"
        counted = f"{len(self.playbook.roles)} roles, {len(self.playbook.activities)} activities"
        return f"ok: {counted}" + (f", {count_summary(self.diagnostics)}" if self.diagnostics else "")


def validate_project(project: Path, strict: bool = False) -> Validation:
    """Every problem of the project, overdue reviews too; with ``strict``, warnings count as errors."""
    from generator.core.project import check_project
    from generator.review.cadence import overdue_reviews, today

    playbook, diagnostics = check_project(_existing(project))
    if playbook is not None:
        diagnostics = sort_diagnostics([*diagnostics, *overdue_reviews(playbook, today())])
    return Validation(playbook, promote_warnings(diagnostics) if strict else list(diagnostics))


def checked_playbook(project: Path, strict: bool = False, warn: Warn = _no_warnings) -> Playbook:
    """The playbook, validated before anything is made of it: its warnings go to ``warn``; errors (and
    with ``strict``, warnings) raise InvalidPlaybook. Reviews falling due never stop a build."""
    from generator.core.project import check_project

    playbook, diagnostics = check_project(_existing(project))
    if strict:
        diagnostics = promote_warnings(diagnostics)
    if playbook is None or any(d.severity == "error" for d in diagnostics):
        raise InvalidPlaybook(list(diagnostics))
    if diagnostics:
        warn(list(diagnostics))
    return playbook


def build_project(project: Path, site_dir: Path | None, strict: bool, warn: Warn) -> Path:
    """Validate, then build the site; the folder the site is in."""
    from generator.site.build import build_site, restore_site

    restore_site(project, site_dir)  # a site that a killed build moved aside is back before anything else
    playbook = checked_playbook(project, strict, warn)
    return build_site(project, site_dir, playbook)


def write_cards(project: Path, output: Path, request: CardRequest, warn: Warn, progress: Progress) -> str:
    """Validate, lay out the cards asked for and write them as one PDF; what was written, in a few words."""
    from generator.cards.pdf import print_cards
    from generator.output import check_output_file, write_atomically

    check_output_file(output, project)
    playbook = checked_playbook(project, warn=warn)
    step = progress(len(request.roles) or len(playbook.roles))
    cards, summary = print_cards(project, playbook, request, progress=step)
    write_atomically(output, cards.combined)
    return f"{summary} to {output}"


CARDS_PDF = "quick-cards.pdf"  # where ``cards`` writes without -o
BOARD_PDF = "assignment-board.pdf"  # where ``cards --board`` writes without -o


def write_board(project: Path, output: Path, paper: PaperName, warn: Warn) -> str:
    """Validate, lay out the assignment board on ``paper`` and write it as a PDF; what was written."""
    from generator.cards.board import print_board
    from generator.output import check_output_file, write_atomically

    check_output_file(output, project)
    board = print_board(project, checked_playbook(project, warn=warn), paper)
    write_atomically(output, board.pdf)
    return f"{board.summary()} to {output}"


# the export formats that write a folder, the site as a project for an engine, and where each goes without -o
SITE_PROJECTS = {"markdown": "playbook-markdown", "zensical": "playbook-zensical"}


@dataclass(frozen=True)
class Exported:
    """An export: the bytes for standard output (``output`` was '-'), or a sentence saying what was written."""

    data: bytes | None = None
    note: str = ""


def export_playbook(project: Path, fmt: str, output: Path | None, warn: Warn) -> Exported:
    """Validate, then export in ``fmt`` (FILE_FORMATS or SITE_PROJECTS) to ``output``: a file, '-' for
    standard output, or for a site project a folder; without ``output``, CSV, JSON and Terraform JSON go to
    standard output, a site project to its folder of SITE_PROJECTS."""
    from generator.exports.formats import export_data
    from generator.output import check_output_file, write_atomically

    if fmt in SITE_PROJECTS:
        return _export_markdown(project, output or Path(SITE_PROJECTS[fmt]), warn, zensical=fmt == "zensical")
    playbook = checked_playbook(project, warn=warn)
    target = output or Path("-")
    if str(target) == "-":
        return Exported(data=export_data(playbook, fmt))
    check_output_file(target, project)
    write_atomically(target, export_data(playbook, fmt))
    return Exported(note=f"wrote {target}")


def _export_markdown(project: Path, target: Path, warn: Warn, *, zensical: bool) -> Exported:
    from generator.core.mkdocs_settings import site_settings
    from generator.site.markdown_export import export_markdown

    playbook = checked_playbook(project, warn=warn)
    count = export_markdown(project, playbook, target, site_settings(project).site_url, zensical=zensical)
    engine = "zensical" if zensical else "mkdocs"
    return Exported(
        note=f"wrote a{' Zensical' if zensical else ' MkDocs'} project of {count} files to {target}; "
        f"build it with: cd {shlex.quote(str(target))} && {engine} build"
    )
