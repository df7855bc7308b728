"""The ``rolebook`` command. Each command parses its options and calls one function."""

from __future__ import annotations

import io
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import click

from generator import __version__
from generator.core.model import CardSizeName
from generator.diagnostics import FORMATS, count_summary, format_diagnostics, promote_warnings, terminal_safe
from generator.errors import RolebookError
from generator.exports.schema import SCHEMAS, schema_text

SIZE_NAMES = get_args(CardSizeName)

if TYPE_CHECKING:
    from generator.core.playbook import Playbook

project_option = click.option(
    "--project",
    "-p",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The playbook project folder (holding roles/ and site_config/).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rolebook")
def cli() -> None:
    """Incident-management roles as YAML, rendered into a playbook site, RACI matrices and quick cards."""


@cli.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="human", show_default=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(project: Path, fmt: str, strict: bool) -> None:
    """Check every role, activity and setting; exit 1 on problems."""
    from generator.core.project import check_project

    if not project.is_dir():
        raise RolebookError(f"{project}: no such folder")
    from generator.diagnostics import sort_diagnostics
    from generator.review.cadence import overdue_reviews, today

    playbook, diagnostics = check_project(project)
    if playbook is not None:
        diagnostics = sort_diagnostics([*diagnostics, *overdue_reviews(playbook, today())])
    if strict:
        diagnostics = promote_warnings(diagnostics)
    failed = playbook is None or any(d.severity == "error" for d in diagnostics)
    text = format_diagnostics(diagnostics, fmt)
    if text:
        click.echo(text)
    if fmt == "human":
        if failed:
            click.echo(f"the playbook is invalid: {count_summary(diagnostics)}", err=True)
        elif playbook is not None:
            click.echo(
                f"ok: {len(playbook.roles)} roles, {len(playbook.activities)} activities"
                + (f", {count_summary(diagnostics)}" if diagnostics else ""),
                err=True,
            )
    if failed:
        sys.exit(1)


def _validated(project: Path, strict: bool = False) -> Playbook:
    """Validate first, in the compiler format; warnings are shown, errors (and with --strict, warnings)
    stop everything."""
    from generator.core.project import check_project

    if not project.is_dir():
        raise RolebookError(f"{project}: no such folder")
    playbook, diagnostics = check_project(project)
    if strict:
        diagnostics = promote_warnings(diagnostics)
    if playbook is None or any(d.severity == "error" for d in diagnostics):
        from generator.errors import InvalidPlaybook

        raise InvalidPlaybook(diagnostics)
    if diagnostics:
        click.echo(format_diagnostics(diagnostics, "human"), err=True)
    return playbook


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
    from generator.site.build import build_site, restore_site

    restore_site(project, site_dir)  # a site that a killed build moved aside is back before anything else
    playbook = _validated(project, strict)
    target = build_site(project, site_dir, playbook)
    click.echo(terminal_safe(f"built the playbook site in {target}"), err=True)


@cli.command()
@project_option
@click.option("--dev-addr", "-a", metavar="IP:PORT", help="Address to serve on (default 127.0.0.1:8000).")
def serve(project: Path, dev_addr: str | None) -> None:
    """Serve the site locally at the root of the address it prints, rebuilding when roles/, templates/ or
    site_config/ change."""
    from generator.site.serve import serve_playbook as serve_site

    serve_site(project, dev_addr)  # an invalid playbook is reported while serving, never fatal


@cli.command()
@project_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default="quick-cards.pdf",
    show_default=True,
)
@click.option(
    "--size", type=click.Choice(list(SIZE_NAMES)), help="Paper size (default: cards.size in site_config)."
)
@click.option("--role", "roles", multiple=True, metavar="ID", help="Only this role's card; repeat for more.")
@click.option("--back/--no-back", default=None, help="Print back sides with the handoff checklist.")
def cards(project: Path, output: Path, size: str | None, roles: tuple[str, ...], back: bool | None) -> None:
    """Write the quick cards as a print-ready PDF: one page per role (two with back sides)."""
    from generator.cards.pdf import CardRequest, print_cards
    from generator.output import check_output_file, write_atomically

    check_output_file(output, project)
    playbook = _validated(project)
    request = CardRequest(size, list(roles), back)
    with click.progressbar(
        length=len(roles) or len(playbook.roles), label="laying out cards", file=sys.stderr
    ) as bar:
        result, summary = print_cards(project, playbook, request, progress=lambda _: bar.update(1))
    write_atomically(output, result.combined)
    click.echo(terminal_safe(f"wrote {summary} to {output}"), err=True)


@cli.command()
@project_option
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True
)
@click.option(
    "--no-cards",
    is_flag=True,
    help="Render no card template of either revision: the cards to reprint follow from their data, "
    "and no card's fit is checked.",
)
def diff(project: Path, base: str, head: str | None, fmt: str, no_cards: bool) -> None:
    """Explain a change in playbook terms: git revision BASE against HEAD (default: the working tree)."""
    from generator.review.pull_request import as_json, as_markdown
    from generator.review.pull_request import diff as diff_playbooks

    if not project.is_dir():
        raise RolebookError(f"{project}: no such folder")
    report = diff_playbooks(project, base, head, check_cards=not no_cards)
    text = as_json(report) if fmt == "json" else as_markdown(report)
    click.echo(terminal_safe(text), nl=fmt == "json")  # JSON stays JSON: escapes stand only in strings
    if not report.valid:
        sys.exit(1)


EXPORT_FORMATS = ("csv", "xlsx", "json", "markdown")
MARKDOWN_FOLDER = "playbook-markdown"


@cli.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="File to write ('-' for standard output); for markdown, the folder "
    f"(default: {MARKDOWN_FOLDER}). Required for xlsx.",
)
def export(project: Path, fmt: str, output: Path | None) -> None:
    """Export the RACI as CSV or XLSX, the playbook as JSON, or the site as a plain MkDocs project.

    CSV and JSON go to standard output unless -o names a file.
    """
    from generator.exports.formats import playbook_json, raci_csv, raci_xlsx
    from generator.output import check_output_file, write_atomically

    if fmt == "xlsx" and str(output or "-") == "-":  # a spreadsheet is binary: never poured into a terminal
        raise click.UsageError("--format xlsx writes a spreadsheet file: name it with -o FILE.xlsx")
    if fmt == "markdown" and str(output) == "-":
        raise click.UsageError("--format markdown writes a folder: name it with -o DIR")
    playbook = _validated(project)
    target = output or Path(MARKDOWN_FOLDER if fmt == "markdown" else "-")
    if str(target) == "-" and fmt in ("csv", "json"):  # to standard output
        click.echo(raci_csv(playbook) if fmt == "csv" else playbook_json(playbook), nl=False)
        return
    if fmt != "markdown":
        check_output_file(target, project)
    if fmt == "markdown":
        from generator.core.mkdocs_settings import site_settings
        from generator.site.markdown_export import export_markdown

        count = export_markdown(project, playbook, target, site_settings(project).site_url)
        click.echo(
            terminal_safe(
                f"wrote a MkDocs project of {count} files to {target}; build it with: mkdocs build"
            ),
            err=True,
        )
        return
    data = {"csv": lambda: raci_csv(playbook).encode(), "json": lambda: playbook_json(playbook).encode()}
    content = raci_xlsx(playbook) if fmt == "xlsx" else data[fmt]()
    write_atomically(target, content)
    click.echo(terminal_safe(f"wrote {target}"), err=True)


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
    if output_dir is None:
        click.echo(schema_text(kind), nl=False)
        return
    output_dir.mkdir(parents=True, exist_ok=True)
    for name in sorted(SCHEMAS):
        (output_dir / f"{name}.schema.json").write_text(schema_text(name), encoding="utf-8")


def main() -> None:
    """Entry point: no input, however broken, ends in a traceback unless ROLEBOOK_DEBUG is set."""
    try:
        cli.main(standalone_mode=False)
    except click.ClickException as exc:
        shown = io.StringIO()  # a message may quote a file name or a template: made safe to print
        exc.show(file=shown)
        click.echo(terminal_safe(shown.getvalue()), err=True, nl=False)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as exc:  # a full disk, a missing folder, no permission: the user's to fix
        where = exc.filename or "rolebook"
        click.echo(terminal_safe(f"error: {where}: {exc.strerror or exc}"), err=True)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("ROLEBOOK_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"rolebook: internal error: {type(exc).__name__}: {terminal_safe(str(exc))}\n"
            "This is a bug in rolebook; set ROLEBOOK_DEBUG=1 to see where it happened.",
            err=True,
        )
        sys.exit(1)
