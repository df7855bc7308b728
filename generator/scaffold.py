"""``rolebook init``: a new playbook project that adapts the built-in defaults.

The role files it writes only extend the default roles, so the organization's
changes stay apart from the defaults and a rolebook upgrade brings improvements
without merge conflicts. It writes into an empty folder and never overwrites a file.
"""

from __future__ import annotations

import json
from pathlib import Path

from .defaults import defaults_root
from .errors import RolebookError
from .roleset import default_docs

ROLE_STUB = """\
# The built-in "{name}" role, adapted for this organization.
# List here only what differs from the default; for example:
#   name: Incident Commander
#   responsibilities:
#     add: [Runs the weekly incident review.]
#     remove: ["{first}"]
# See docs/editing-the-playbook/adapting.md.
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


def _files(organization: str) -> dict[str, str]:
    root = defaults_root()
    files: dict[str, str] = {}
    for role_id, doc in default_docs().roles.items():
        first = str(doc.data["responsibilities"][0]).replace('"', "'")
        files[f"roles/{role_id}.yaml"] = ROLE_STUB.format(name=doc.data["name"], first=first)
    files["roles/activities.yaml"] = ACTIVITY_STUB
    for config in sorted((root / "site_config").glob("*.yaml")):
        text = config.read_text("utf-8")
        files[f"site_config/{config.name}"] = text.replace(
            "organization: Example Organization",
            f"organization: {json.dumps(organization, ensure_ascii=False)}",
        )
    files["mkdocs.yml"] = (
        (root / "mkdocs.yml")
        .read_text("utf-8")
        .replace(
            "site_url:",
            "# Set these two: the cards' QR codes open pages under site_url, edit links go to repo_url.\nsite_url:",
            1,
        )
    )
    for page in sorted((root / "docs" / "editing-the-playbook").glob("*.md")):
        files[f"docs/editing-the-playbook/{page.name}"] = page.read_text("utf-8")
    for schema in sorted((root / "schema").glob("*.json")):
        files[f"schema/{schema.name}"] = schema.read_text("utf-8")
    scaffold = root / "scaffold"
    files["README.md"] = (scaffold / "README.md").read_text("utf-8")
    files["templates/README.md"] = (scaffold / "templates-README.md").read_text("utf-8")
    files[".github/workflows/playbook.yml"] = (scaffold / "playbook-workflow.yml").read_text("utf-8")
    files[".gitignore"] = (scaffold / "gitignore").read_text("utf-8")
    return files


def init_project(target: Path, organization: str) -> list[Path]:
    """Write a new playbook project into ``target``, which must be empty or new."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RolebookError(
            f"{target}: not an empty folder; rolebook init writes only into a new or empty one"
        )
    if not organization.strip() or "\n" in organization or "\r" in organization:
        raise RolebookError("the organization name must be one line of text")
    written: list[Path] = []
    for rel, text in _files(organization).items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
                handle.write(text)
        except FileExistsError:
            raise RolebookError(f"{path}: already exists; nothing was overwritten") from None
        written.append(path)
    return written
