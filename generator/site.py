"""Building the site with MkDocs: validate, build aside, then swap into place.

A failed build never touches the previous site/: MkDocs builds into a fresh
folder beside it, and only a complete build replaces the old one.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Preformatted, RolebookError
from .files import check_output_folder, shared_mode
from .playbook import Playbook
from .project import CONFIG_DIR, ROLES_DIR, TEMPLATES_DIR


def _quiet_material() -> None:
    """Material prints an end-of-life banner when imported by the mkdocs command; rolebook's output stays clean."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


CONFIG_FILE = "mkdocs.yml"


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors to report them in rolebook's own words."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


@contextmanager
def _mkdocs_logging() -> Iterator[_Collect]:
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)  # strict mode counts warnings through the logger
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
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
    return SiteSettings(str(url) if url else None, bool(raw.get("use_directory_urls", True)))


def build_site(project: Path, site_dir: Path | None = None, playbook: Playbook | None = None) -> Path:
    """Build the playbook site strictly and put it at ``site_dir`` (default: the one in mkdocs.yml)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from . import plugin

    _quiet_material()
    if playbook is not None:  # validated by the caller: the plugin need not read the files again
        plugin.hand_over(project, playbook)
    cfg_path = config_file(project)
    overrides = {"site_dir": str(Path(site_dir).resolve())} if site_dir else {}
    with _mkdocs_logging() as collected:
        try:
            config = load_config(str(cfg_path), strict=True, **overrides)  # MkDocs checks site_dir too
            if "rolebook" not in config.plugins:
                raise RolebookError(
                    f"{cfg_path}: the rolebook plugin is not enabled; add '- rolebook' under plugins:"
                )
            target = Path(config.site_dir)
            sources = [Path(config.docs_dir), *(project / d for d in (ROLES_DIR, CONFIG_DIR, TEMPLATES_DIR))]
            check_output_folder(target, sources, project)
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-building-", dir=target.parent))
            shared_mode(staging, folder=True)
            try:
                config.site_dir = str(staging)
                build(config)
                _swap(staging, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except MkDocsException as exc:
            details = "\n".join(collected.messages)
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            raise Preformatted(
                "\n".join(filter(None, [details, message, "the site was not changed"]))
            ) from None
        except OSError as exc:
            raise RolebookError(f"{exc.filename or project}: cannot build the site: {exc.strerror}") from None
    return target


def _swap(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new``; if anything fails, the old ``target`` is put back."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        old.rmdir()
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _load_quietly(module: str) -> None:
    """Import ``module`` ahead of time; if it cannot load, the step that needs it says so."""
    try:
        importlib.import_module(module)
    except Exception:  # e.g. a missing system library: reported when a card is laid out
        return


def serve(project: Path, dev_addr: str | None) -> None:
    """``mkdocs serve`` with the plugin watching roles/, templates/ and site_config/."""
    _quiet_material()
    from mkdocs.commands.serve import serve as mkdocs_serve

    kwargs: dict[str, Any] = {"dev_addr": dev_addr} if dev_addr else {}
    # An edited card is laid out here, by WeasyPrint: load it while the first build runs, not on the first edit.
    threading.Thread(target=_load_quietly, args=("weasyprint",), daemon=True).start()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        mkdocs_serve(str(config_file(project)), livereload=True, **kwargs)
    finally:
        logger.removeHandler(handler)
