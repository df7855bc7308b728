"""Building the site with MkDocs: validate, build aside, then swap into place.

A failed build never touches the previous site/: MkDocs builds into a fresh
folder beside it, and only a complete build replaces the old one; a build killed
midway is undone by the next one (siteswap). ``serve`` is in siteserve.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from . import siteswap
from .errors import Preformatted, RolebookError
from .files import check_output_folder
from .playbook import Playbook
from .project import CONFIG_DIR, ROLES_DIR, TEMPLATES_DIR
from .sandbox import template_location, template_problem


def quiet_material() -> None:
    """Material prints an end-of-life banner when imported by the mkdocs command; rolebook's output stays clean."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


CONFIG_FILE = "mkdocs.yml"


class MkDocsMessages(logging.Handler):
    """MkDocs' warnings and errors during one build, to report them in rolebook's own words."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def lines(self) -> list[str]:
        return [record.getMessage() for record in self.records]

    @property
    def messages(self) -> list[str]:
        return [f"{record.levelname.lower()}: {record.getMessage()}" for record in self.records]


@contextmanager
def collected_messages() -> Iterator[MkDocsMessages]:
    """MkDocs' warnings and errors while the block runs (in strict mode, the reason a build stopped)."""
    logger = logging.getLogger("mkdocs")
    handler = MkDocsMessages()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@contextmanager
def _mkdocs_logging() -> Iterator[MkDocsMessages]:
    logger = logging.getLogger("mkdocs")
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.INFO)  # strict mode counts warnings through the logger
    logger.propagate = False
    try:
        with collected_messages() as handler:
            yield handler
    finally:
        logger.setLevel(old_level)
        logger.propagate = old_propagate


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


def restore_site(project: Path, site_dir: Path | None) -> None:
    """First thing of a build: put back the site a build killed midway moved aside, and delete the
    work folders stopped builds left (see siteswap). Skipped when the site folder is not known yet."""
    try:  # the same path as build_site's: --site-dir resolved, mkdocs.yml's made absolute as MkDocs does
        target = site_dir.resolve() if site_dir else site_settings(project).site_dir
    except RolebookError:
        return  # the build says what is wrong with mkdocs.yml
    if target is None or not target.parent.is_dir():
        return
    target = Path(os.path.abspath(target))
    try:
        with siteswap.locked(target.parent):
            siteswap.recover(target)
    except OSError as exc:
        raise RolebookError(f"{exc.filename or target}: cannot restore the site: {exc.strerror}") from None


def build_site(project: Path, site_dir: Path | None = None, playbook: Playbook | None = None) -> Path:
    """Build the playbook site strictly and put it at ``site_dir`` (default: the one in mkdocs.yml)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from . import plugin

    quiet_material()
    if playbook is not None:  # validated by the caller: the plugin need not read the files again
        plugin.hand_over(project, playbook)
    cfg_path = config_file(project)
    overrides = {"site_dir": str(Path(site_dir).resolve())} if site_dir else {}
    theme_dirs: list[str] = []  # where a missing theme template was looked for
    with _mkdocs_logging() as collected:
        try:
            config = load_config(str(cfg_path), strict=True, **overrides)  # MkDocs checks site_dir too
            theme_dirs = config.theme.dirs  # the plugin adds its folders to this list
            if "rolebook" not in config.plugins:
                raise RolebookError(
                    f"{cfg_path}: the rolebook plugin is not enabled; add '- rolebook' under plugins:"
                )
            target = Path(config.site_dir)
            sources = [Path(config.docs_dir), *(project / d for d in (ROLES_DIR, CONFIG_DIR, TEMPLATES_DIR))]
            check_output_folder(target, sources, project)
            target.parent.mkdir(parents=True, exist_ok=True)
            with siteswap.locked(target.parent):
                siteswap.recover(target)
                staging = siteswap.new_staging(target)
                try:
                    config.site_dir = str(staging)
                    siteswap.stop_during_build(config)
                    build(config)
                    siteswap.put_in_place(staging, target)
                finally:
                    shutil.rmtree(staging, ignore_errors=True)
        except MkDocsException as exc:
            details = "\n".join(collected.messages)
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            raise Preformatted(
                "\n".join(filter(None, [details, message, "the site was not changed"]))
            ) from None
        except RolebookError:
            raise
        except UnicodeEncodeError:  # a theme template wrote "\ud800"
            raise RolebookError(
                f"{project}: a theme template wrote a lone surrogate, which no page can hold; the site was not changed"
            ) from None
        except Exception as exc:
            # a theme template (Material's, or a partial of the project's) that failed: said where
            if isinstance(exc, jinja2.TemplateError) or template_location(exc, [project.resolve()]):
                raise template_problem(exc, [project.resolve()], theme_dirs) from None
            if isinstance(exc, OSError):
                where = exc.filename or project
                raise RolebookError(f"{where}: cannot build the site: {exc.strerror or exc}") from None
            raise
    return target


def serve(project: Path, dev_addr: str | None) -> None:
    """``mkdocs serve`` that keeps serving the last good site while a file is invalid."""
    from .siteserve import serve_playbook

    serve_playbook(project, dev_addr)
