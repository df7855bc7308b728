"""The few settings rolebook reads from a project's mkdocs.yml, without running MkDocs.

Cards, exports and the diff need the site's address and URL style to print links and QR codes; they
read them here as plain YAML, so nothing below the site layer imports MkDocs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.errors import RolebookError

CONFIG_FILE = "mkdocs.yml"


def config_file(project: Path) -> Path:
    path = project / CONFIG_FILE
    if not path.is_file():
        raise RolebookError(
            f"{path}: no MkDocs configuration; a playbook project has mkdocs.yml beside roles/"
        )
    return path


@dataclass(frozen=True)
class SiteSettings:
    """What the cards and exports need from mkdocs.yml, read without running MkDocs."""

    site_url: str | None
    directory_urls: bool
    site_dir: Path | None = None  # None when mkdocs.yml does not say it in plain text (e.g. !ENV)


class _SettingsLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for a few plain settings; MkDocs' own tags (!ENV, !relative, ...) read as empty."""


_SettingsLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_SettingsLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def site_settings(project: Path) -> SiteSettings:
    return settings_in(config_file(project))


def settings_in(path: Path) -> SiteSettings:
    """site_url and use_directory_urls as written in the MkDocs configuration file ``path``."""
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.load(handle, Loader=_SettingsLoader) or {}
    except Exception as exc:  # MkDocs' loader raises several kinds for a broken file
        raise RolebookError(f"{path}: cannot read the MkDocs configuration: {exc}") from None
    if not isinstance(raw, dict):
        raise RolebookError(f"{path}: expected 'key: value' settings")
    url = raw.get("site_url")
    site_dir = raw.get("site_dir", "site")
    return SiteSettings(
        str(url) if url else None,
        bool(raw.get("use_directory_urls", True)),
        path.parent / site_dir if isinstance(site_dir, str) and site_dir else None,
    )
