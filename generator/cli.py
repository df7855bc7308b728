"""The ``rolebook`` command. Each command parses its options, calls one function and shows what it
returns; only this edge prints and chooses exit codes.

Exit codes (the README's "Exit codes" lists them for users):

- 0: done (``validate``: valid; warnings allowed without ``--strict``);
- 1: a problem with the input that the user can fix: an invalid playbook, a card that does not fit, a
  template that fails, a refused output path, an unknown git revision, a full disk;
- 2: a usage error (an unknown option or value; click's own code);
- 70: an internal error, that is a bug in rolebook (EX_SOFTWARE of sysexits.h); ROLEBOOK_DEBUG=1
  adds the traceback;
- 130: interrupted (Ctrl-C).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import get_args

import click

from generator import __version__
from generator.commands import BOARD_PDF, CARDS_PDF, SITE_PROJECTS
from generator.core.model import CardSizeName
from generator.diagnostics import FORMATS, Diagnostic, format_diagnostics, terminal_safe
from generator.errors import RolebookError
from generator.exports.schema import SCHEMAS, schema_text
from generator.render.board_content import PAPERS, PaperName

SIZE_NAMES = get_args(CardSizeName)
EXPORT_FORMATS = ("csv", "xlsx", "json", "incident-io", "rootly", "firehydrant", "markdown", "zensical")
DIFF_FORMATS = ("markdown", "json", "github")  # generator.review.pull_request.report_text writes each
PROBLEMS = 1  # the input has problems the user can fix
INTERNAL_ERROR = 70  # a bug in rolebook: EX_SOFTWARE
INTERRUPTED = 130
DEBUG_ENV = "ROLEBOOK_DEBUG"

project_option = click.option(
    "--project",
    "-p",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The playbook project folder (holding roles/ and site_config/).",
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=f"Exit codes: 0 done, {PROBLEMS} a problem to fix, 2 a usage error, "
    f"{INTERNAL_ERROR} an internal error (a bug in rolebook; {DEBUG_ENV}=1 adds the traceback), "
    f"{INTERRUPTED} interrupted.",
)
@click.version_option(__version__, prog_name="rolebook")
def cli() -> None:
    """Incident-management roles as YAML, rendered into a playbook site, RACI matrices and quick cards."""


def _show_warnings(diagnostics: list[Diagnostic]) -> None:
    click.echo(format_diagnostics(diagnostics, "human"), err=True)


@contextlib.contextmanager
def _problems_as(fmt: str) -> Iterator[None]:
    """A problem that stops a command asked for ``--format github`` or ``json`` is also written in that
    format on standard output (an unknown revision, a missing folder), so a workflow reading it sees it."""
    try:
        yield
    except RolebookError as exc:
        if fmt in ("github", "json") and exc.diagnostics:
            click.echo(terminal_safe(format_diagnostics(exc.diagnostics, fmt)))
        raise


class _ProgressBar(contextlib.ExitStack):
    """A progress bar on standard error, begun when the work knows how many steps it has; it ends
    with the ``with`` block."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def __call__(self, length: int) -> Callable[[str], None]:
        bar = self.enter_context(click.progressbar(length=length, label=self.label, file=sys.stderr))
        return lambda _: bar.update(1)


@cli.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="human", show_default=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(project: Path, fmt: str, strict: bool) -> None:
    """Check every role, activity and setting; exit 1 on problems."""
    from generator.commands import validate_project

    with _problems_as(fmt):
        result = validate_project(project, strict)
    text = format_diagnostics(result.diagnostics, fmt)
    if text:
        click.echo(text)
    if fmt == "human":
        click.echo(result.summary(), err=True)
    if result.failed:
        sys.exit(PROBLEMS)


@cli.command()
@project_option
@click.option(
    "--site-dir",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put the site (default: site_dir from mkdocs.yml).",
)
@click.option("--strict", is_flag=True, help="Treat the playbook's warnings as errors.")
def build(project: Path, site_dir: Path | None, strict: bool) -> None:
    """Validate, then build the playbook site strictly; the old site stays until the new one is complete."""
    from generator.commands import build_project

    target = build_project(project, site_dir, strict, warn=_show_warnings)
    click.echo(terminal_safe(f"built the playbook site in {target}"), err=True)


@cli.command()
@project_option
@click.option("--dev-addr", "-a", metavar="IP:PORT", help="Address to serve on (default 127.0.0.1:8000).")
def serve(project: Path, dev_addr: str | None) -> None:
    """Serve the site locally at the root of the address it prints, rebuilding when roles/, templates/ or
    site_config/ change."""
    from generator.site.serve import serve_playbook as serve_site

    serve_site(project, dev_addr)  # an invalid playbook is reported while serving, never fatal


def _board_or_cards(board: bool, paper: str | None, card_options: dict[str, object]) -> None:
    """With --board no card option (the board is not cards), and --paper only with --board."""
    given = [name for name, value in card_options.items() if value not in (None, ())]
    if board and given:
        raise click.UsageError(f"{given[0]} chooses quick cards; --board prints the assignment board instead")
    if paper and not board:
        raise click.UsageError("--paper chooses the assignment board's paper: use it with --board")


@cli.command()
@project_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The PDF to write (default: {CARDS_PDF}; with --board, {BOARD_PDF}).",
)
@click.option(
    "--size", type=click.Choice(list(SIZE_NAMES)), help="Paper size (default: cards.size in site_config)."
)
@click.option("--role", "roles", multiple=True, metavar="ID", help="Only this role's card; repeat for more.")
@click.option(
    "--back/--no-back",
    default=None,
    help="Print back sides: assignment log, handoff checklist, contacts and notes.",
)
@click.option(
    "--board", is_flag=True, help="Print the assignment board instead: the ICS 203 and ICS 214-style sheets."
)
@click.option(
    "--paper", type=click.Choice(list(PAPERS)), help="The board's paper (default: a4); with --board."
)
def cards(
    project: Path,
    output: Path | None,
    size: str | None,
    roles: tuple[str, ...],
    back: bool | None,
    board: bool,
    paper: PaperName | None,
) -> None:
    """Write the quick cards as a print-ready PDF: one page per role (two with back sides). With --board,
    the assignment board instead: sheets to fill in by hand, who holds each role and an activity log."""
    from generator.cards.pdf import CardRequest
    from generator.commands import write_board, write_cards

    _board_or_cards(board, paper, {"--size": size, "--role": roles, "--back": back})
    if board:
        written = write_board(project, output or Path(BOARD_PDF), paper or "a4", warn=_show_warnings)
    else:
        request = CardRequest(size, list(roles), back)
        with _ProgressBar("laying out cards") as progress:
            target = output or Path(CARDS_PDF)
            written = write_cards(project, target, request, warn=_show_warnings, progress=progress)
    click.echo(terminal_safe(f"wrote {written}"), err=True)


@cli.command()
@project_option
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(DIFF_FORMATS),
    default="markdown",
    show_default=True,
    help="github: only the problems (invalid revisions, cards that stop fitting), as workflow annotations.",
)
@click.option(
    "--no-cards",
    is_flag=True,
    help="Render no card template of either revision: the cards to reprint follow from their data, "
    "and no card's fit is checked.",
)
def diff(project: Path, base: str, head: str | None, fmt: str, no_cards: bool) -> None:
    """Explain a change in playbook terms: git revision BASE against HEAD (default: the working tree)."""
    from generator.review.pull_request import diff as diff_playbooks
    from generator.review.pull_request import report_text

    with _problems_as(fmt):
        report = diff_playbooks(project, base, head, check_cards=not no_cards)
    # JSON stays JSON: the escapes terminal_safe writes stand only in its strings
    click.echo(terminal_safe(report_text(report, fmt)), nl=False)
    if not report.valid:
        sys.exit(PROBLEMS)


@cli.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="File to write ('-' for standard output), e.g. roles.tf.json; for markdown and zensical, the folder "
    f"(default: {', '.join(f'{folder}/ for {fmt}' for fmt, folder in SITE_PROJECTS.items())}). Required for xlsx.",
)
def export(project: Path, fmt: str, output: Path | None) -> None:
    """Export the RACI as CSV or XLSX, the playbook as JSON, the roles as Terraform JSON for an incident
    tool (incident-io, rootly, firehydrant), or the site as a project that plain MkDocs (markdown) or
    Zensical (zensical) builds without the plugin.

    CSV, JSON and Terraform JSON go to standard output unless -o names a file.
    """
    from generator.commands import export_playbook

    if fmt == "xlsx" and str(output or "-") == "-":  # a spreadsheet is binary: never poured into a terminal
        raise click.UsageError("--format xlsx writes a spreadsheet file: name it with -o FILE.xlsx")
    if fmt in SITE_PROJECTS and str(output) == "-":
        raise click.UsageError(f"--format {fmt} writes a folder: name it with -o DIR")
    exported = export_playbook(project, fmt, output, warn=_show_warnings)
    if exported.data is not None:
        click.echo(exported.data, nl=False)
    else:
        click.echo(terminal_safe(exported.note), err=True)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--organization", default="Example Organization", show_default=True, help="Your organization's name."
)
def init(directory: Path, organization: str) -> None:
    """Start a new playbook project in DIRECTORY that adapts the built-in roles."""
    from generator.newproject.scaffold import init_project

    written = init_project(directory, organization)
    click.echo(
        terminal_safe(
            f"created {len(written)} files in {directory}; set site_url and repo_url in "
            f"{directory / 'mkdocs.yml'} and the contacts in {directory / 'site_config' / 'contacts.yaml'} "
            f"(rolebook validate lists every example value left), then: cd {directory} && rolebook build"
        ),
        err=True,
    )


@cli.command()
@click.argument("kind", type=click.Choice(sorted(SCHEMAS)), default="role")
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every schema as <kind>.schema.json into this folder instead.",
)
def schema(kind: str, output_dir: Path | None) -> None:
    """Print the JSON Schema of a role file, the activity file or the site settings."""
    from generator.exports.schema import write_schemas

    if output_dir is None:
        click.echo(schema_text(kind), nl=False)
    else:
        write_schemas(output_dir)


def _debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def internal_error(exc: BaseException) -> str:
    """What an unexpected exception says to the user: one paragraph."""
    said = " ".join(terminal_safe(str(exc)).split()).rstrip(".")
    return (
        f"rolebook: internal error: {type(exc).__name__}{': ' + said if said else ''}. This is a bug in "
        f"rolebook {__version__}, not a problem in your playbook; please report it with the command you ran"
        f"{'' if _debugging() else f' (set {DEBUG_ENV}=1 to add the traceback)'}."
    )


def main() -> None:
    """Entry point: errors become messages and exit codes here, and nowhere else (see the module's doc).
    No input, however broken, ends in a traceback unless ROLEBOOK_DEBUG is set."""
    try:
        cli.main(standalone_mode=False)
    except click.ClickException as exc:
        shown = io.StringIO()  # a message may quote a file name or a template: made safe to print
        exc.show(file=shown)
        click.echo(terminal_safe(shown.getvalue()), err=True, nl=False)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort as exc:  # click turns Ctrl-C inside a command into Abort
        interrupted = isinstance(exc.__context__, KeyboardInterrupt)
        click.echo("interrupted" if interrupted else "aborted", err=True)
        sys.exit(INTERRUPTED if interrupted else PROBLEMS)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(INTERRUPTED)
    except OSError as exc:  # a full disk, a missing folder, no permission: the user's to fix
        where = exc.filename or "rolebook"
        click.echo(terminal_safe(f"error: {where}: {exc.strerror or exc}"), err=True)
        sys.exit(PROBLEMS)
    except Exception as exc:
        if _debugging():
            traceback.print_exc()
        click.echo(internal_error(exc), err=True)
        sys.exit(INTERNAL_ERROR)
