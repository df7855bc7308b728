"""``rolebook init``: a new playbook project that adapts the built-in defaults.

The role files it writes only extend the default roles, so the organization's
changes stay apart from the defaults and a rolebook upgrade brings improvements
without merge conflicts. It writes into an empty folder and never overwrites a file, and
it creates the whole project or nothing: the files are written beside the target, checked
(the defaults must be valid, the new project must validate) and moved into place (newproject/folder.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from generator.core.characters import describe, refused
from generator.core.defaults import defaults_root
from generator.core.fields import Name
from generator.core.playbook import Playbook
from generator.core.project import check_defaults, check_project
from generator.diagnostics import count_summary
from generator.errors import LocatedError, RolebookError
from generator.newproject.folder import check_target, write_folder

ROLE_STUB = """\
# The built-in "{name}" role, adapted for this organization.
# List here only what differs from the default; for example:
#   name: Incident Commander
#   responsibilities:
#     add: [Runs the weekly incident review.]
#     remove: [{first}]
# rolebook's guide "Adapting the playbook" has more examples; `editing: {{guides: true}}` in
# site_config/playbook.yaml publishes it with the site, under "Editing this playbook".
extends: default
"""

ACTIVITY_STUB = """\
# The built-in activity (RACI) matrix, adapted for this organization. For example:
#   add:
#     - {id: notify-legal, name: Notify the legal team, phase: respond,
#        raci: {management-leadership: A, communication-lead: R}}
#   remove: [share-incident-report]
#   change:
#     declare-incident:
#       raci: {operations-team: A, incident-manager: R}   # a role set to null leaves the activity
extends: default
"""


def check_organization(name: str) -> None:
    """Refuse an organization name that is not one line of plain, visible text, or too long: the
    characters a name may not hold in a settings file (characters.py) are refused here already."""
    for i, char in enumerate(name, 1):
        category = unicodedata.category(char)
        if category == "Cs":  # a byte that was not UTF-8, as Python decodes the command line
            code = ord(char)
            what = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
            raise RolebookError(
                f"--organization: not UTF-8 text ({what} at character {i}); write the name in UTF-8"
            )
        if char in "\n\r\x85" or category in ("Zl", "Zp"):
            raise RolebookError("--organization: the name must be one line of text")
    found = refused(name, "line")
    if found is not None:
        raise RolebookError(f"--organization: character {found[0] + 1}: {found[1]}")
    for i, char in enumerate(name, 1):
        if unicodedata.category(char) == "Cc":  # a tab
            raise RolebookError(f"--organization: character {i}: {describe(char)} is not allowed in a name")
    try:
        TypeAdapter(Name).validate_python(name)
    except ValidationError as exc:
        error = exc.errors()[0]
        if error["type"] == "string_too_short":
            raise RolebookError("--organization: the name is empty") from None
        if error["type"] == "string_too_long":
            limit = (error.get("ctx") or {}).get("max_length")
            raise RolebookError(
                f"--organization: {len(name.strip())} characters; a name has at most {limit}"
            ) from None
        raise RolebookError(f"--organization: {error['msg']}") from None


def _text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise RolebookError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def own_settings(text: str, organization: str) -> str:
    """A settings file of the defaults made the organization's: its name, from which the site's name
    follows (no title of the demonstration's), today as the publication date, and the demonstration's
    marker left out, so the example addresses are reported until they are set."""
    quoted = json.dumps(organization, ensure_ascii=False)
    text = re.sub(r"(?m)^organization:.*$", lambda _: f"organization: {quoted}", text)
    text = re.sub(
        r"(?m)^title:.*$",
        "# title: the site's name, in every header, page title and card; default: the organization's name\n"
        '# followed by "Incident Response".',
        text,
    )
    text = re.sub(r"(?m)^published:.*$", f"published: {dt.date.today().isoformat()}", text)
    text = re.sub(r"(?m)^version:.*$", 'version: "0.1"', text)
    return re.sub(r"(?m)^# This playbook is rolebook's demonstration.*\n(?:#.*\n)*demo: true\n", "", text)


def _files(defaults: Playbook, organization: str) -> Iterator[tuple[str, str]]:
    """The new project's files, each read from the defaults only when it is written."""
    root = defaults_root()
    for role_id in sorted(defaults.roles):
        role = defaults.roles[role_id]
        first = json.dumps(_one_line(role.responsibilities[0]), ensure_ascii=False)
        yield f"roles/{role_id}.yaml", ROLE_STUB.format(name=_one_line(role.name), first=first)
    yield "roles/activities.yaml", ACTIVITY_STUB
    for config in sorted((root / "site_config").glob("*.yaml")):
        yield f"site_config/{config.name}", own_settings(_text(config), organization)
    yield (
        "mkdocs.yml",
        re.sub(
            r"(?m)^site_name:.*$",
            "site_name: Incident playbook  # the site shows the title from site_config (default: the organization's)",
            _text(root / "mkdocs.yml"),
            count=1,
        ).replace(
            "site_url:",
            "# Set these two: the cards' QR codes open pages under site_url, edit links go to repo_url.\nsite_url:",
            1,
        ),
    )
    yield "docs/.gitkeep", "Pages of your own go in this folder; the site lists them after the playbook.\n"
    for schema in sorted((root / "schema").glob("*.json")):
        yield f"schema/{schema.name}", _text(schema)
    scaffold = root / "scaffold"
    yield "README.md", _text(scaffold / "README.md")
    yield "templates/README.md", _text(scaffold / "templates-README.md")
    yield ".github/workflows/playbook.yml", _text(scaffold / "playbook-workflow.yml")
    yield ".github/workflows/playbook-comment.yml", _text(scaffold / "playbook-comment-workflow.yml")
    yield ".gitignore", _text(scaffold / "gitignore")


def _check_new(organization: str) -> Callable[[Path], None]:
    """The written project must validate and carry the organization, or nothing is created."""

    def check(folder: Path) -> None:
        playbook, diagnostics = check_project(folder)
        if playbook is None:
            raise LocatedError(diagnostics, "the new project would not validate; nothing was created")
        if playbook.config.organization != organization.strip():
            raise RolebookError(
                "the default settings have no 'organization:' line to set; nothing was created"
            )

    return check


def init_project(target: Path, organization: str) -> list[Path]:
    """Write a new playbook project into ``target``, which must be empty or new: all of it, or,
    on any problem or interruption, nothing."""
    check_organization(organization)
    check_target(target)
    defaults, errors = check_defaults()
    if errors or defaults is None:
        raise LocatedError(
            errors,
            f"rolebook's built-in defaults, read from {defaults_root()}, are invalid: "
            f"{count_summary(list(errors))}; nothing was created",
        )
    return write_folder(target, _files(defaults, organization), _check_new(organization))
