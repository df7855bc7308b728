"""Example values left in a project: warnings until the organization sets its own.

``rolebook init`` copies the defaults' addresses and contacts, which point at reserved example domains
(RFC 2606: example.org, example.com, example.net, and names under .example, .test and .invalid) and at
rolebook's own repository. A site published with them prints QR codes that open someone else's pages
and cards that send responders to nobody. ``validate`` reports each at its line; ``--strict`` (which the
workflow from ``init`` uses) fails on them. A playbook that is a demonstration says ``demo: true``.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.core.mkdocs_settings import found_config_file
from generator.core.model import SiteConfig
from generator.core.rules import ConfigLocator
from generator.core.yaml_loading import Path_
from generator.diagnostics import Diagnostic

EXAMPLE_REPOSITORY = "https://github.com/example/"
EXAMPLE_ORGANIZATION = "Example Organization"  # what `rolebook init` writes without --organization
_EXAMPLE_HOST = re.compile(
    r"(?i)(?:^|[@./])(?:example\.(?:org|com|net)|[a-z0-9-]+\.(?:example|test|invalid))(?=$|[/:?#>])"
)
_ADVICE = {
    "site_url": "set site_url to the address the playbook is published at: the cards' QR codes open pages under it",
    "repo_url": "set repo_url to the repository holding this playbook: the pages' edit links go there",
}


def is_example(value: str) -> bool:
    """An address at a reserved example domain, or in rolebook's example repository."""
    if value.startswith(EXAMPLE_REPOSITORY):
        return True
    address = re.sub(r"(?i)^(?:https?://|mailto:)", "", value)
    host = address.split("/", 1)[0] if "://" in value else address  # a web address's host, or an email
    return bool(_EXAMPLE_HOST.search(host))


def _mkdocs_settings(project: Path) -> list[Diagnostic]:
    path = found_config_file(project)
    if path is None:
        return []
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []  # MkDocs says what is wrong with its file
    out = []
    for number, line in enumerate(lines, 1):
        match = re.match(r"(site_url|repo_url):\s*['\"]?([^'\"#\s]+)", line)
        if match and is_example(match.group(2)):
            key, value = match.groups()
            message = f"{key} is still the example value {value}: {_ADVICE[key]}"
            out.append(Diagnostic(path.name, number, match.start(2) + 1, message, "warning"))
    return out


def example_values(project: Path, config: SiteConfig, where: ConfigLocator) -> list[Diagnostic]:
    """Every example address the project still holds, located; none for a demonstration playbook."""
    if config.demo:
        return []
    out = _mkdocs_settings(project)
    if config.organization == EXAMPLE_ORGANIZATION:
        file, at = where(("organization",), False)
        message = (
            f"organization is still the example value {EXAMPLE_ORGANIZATION!r}: set your organization's name, "
            "which names the site and every card"
        )
        out.append(Diagnostic(file, at.line, at.col, message, "warning"))
    for role_id, contact in config.contacts.items():
        found: list[tuple[Path_, str]] = []
        if contact.email and is_example(contact.email):
            found.append((("contacts", role_id, "email"), contact.email))
        for i, link in enumerate(contact.links):
            if is_example(link.url):
                found.append((("contacts", role_id, "links", i, "url"), link.url))
        for path, value in found:
            file, at = where(path, False)
            out.append(
                Diagnostic(
                    file,
                    at.line,
                    at.col,
                    f"contact for '{role_id}' is still the example value {value}: set the real one, "
                    "or remove it",
                    "warning",
                )
            )
    return out
