"""The few settings rolebook reads from a project's mkdocs.yml, without running MkDocs.

Cards, exports and the diff need the site's address and URL style to print links and QR codes; they
read them here as plain YAML, so nothing below the site layer imports MkDocs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.diagnostics import Diagnostic
from generator.errors import RolebookError

CONFIG_FILE = "mkdocs.yml"
# The site's configuration, by the names MkDocs and ProperDocs (its maintained fork) read, in the order
# rolebook looks for them: the first found is the one its commands use.
CONFIG_FILES = (CONFIG_FILE, "mkdocs.yaml", "properdocs.yml", "properdocs.yaml")
_MKDOCS_NAMES = CONFIG_FILES[:2]


def found_config_file(project: Path) -> Path | None:
    return next((project / name for name in CONFIG_FILES if (project / name).is_file()), None)


def config_file(project: Path) -> Path:
    path = found_config_file(project)
    if path is None:
        raise RolebookError(
            f"{project / CONFIG_FILE}: no site configuration; a playbook project has mkdocs.yml "
            "(or properdocs.yml) beside roles/"
        )
    return path


def configuration_problems(project: Path) -> list[Diagnostic]:
    """The configuration file that cannot be read (every command but validate would stop on it), and a
    warning when both MkDocs' and ProperDocs' file are there: each engine reads its own."""
    path = found_config_file(project)
    if path is not None:
        try:
            settings_in(path)
        except UnreadableSettings as exc:
            return [Diagnostic(path.name, exc.line, 1, exc.said)]
    return _two_configurations(project)


def _two_configurations(project: Path) -> list[Diagnostic]:
    mkdocs = next((name for name in _MKDOCS_NAMES if (project / name).is_file()), None)
    properdocs = next((name for name in CONFIG_FILES[2:] if (project / name).is_file()), None)
    if not (mkdocs and properdocs):
        return []
    return [
        Diagnostic(
            properdocs,
            1,
            1,
            f"both {mkdocs} and {properdocs}: ProperDocs builds from {properdocs}, MkDocs and rolebook's"
            f" commands from {mkdocs}; keep one (ProperDocs reads {mkdocs} when it is alone)",
            "warning",
        )
    ]


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


class UnreadableSettings(RolebookError):
    """The configuration file cannot be read as settings: where (a line of it) and why."""

    def __init__(self, path: Path, line: int, said: str) -> None:
        super().__init__(f"{path}:{line}: {said}")
        self.line, self.said = line, said


def settings_in(path: Path) -> SiteSettings:
    """site_url and use_directory_urls as written in the MkDocs configuration file ``path``."""
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.load(handle, Loader=_SettingsLoader) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        said = " ".join(str(exc.problem or exc).split())
        raise UnreadableSettings(
            path, mark.line + 1 if mark else 1, f"cannot read the settings: {said}"
        ) from None
    except Exception as exc:  # not text, not YAML, not a file
        said = " ".join(str(exc).split())
        raise UnreadableSettings(path, 1, f"cannot read the settings: {said}") from None
    if not isinstance(raw, dict):
        raise UnreadableSettings(path, 1, "expected 'key: value' settings")
    url = raw.get("site_url")
    site_dir = raw.get("site_dir", "site")
    return SiteSettings(
        str(url) if url else None,
        bool(raw.get("use_directory_urls", True)),
        path.parent / site_dir if isinstance(site_dir, str) and site_dir else None,
    )
