"""Building the site with MkDocs: validate, build aside, then swap into place.

A failed build never touches the previous site/: MkDocs builds into a fresh
folder beside it, and only a complete build replaces the old one; a build killed
midway is undone by the next one (site/swap.py). ``rolebook serve`` is in site/serve.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import jinja2

from generator.core.mkdocs_settings import config_file, site_settings
from generator.core.playbook import Playbook
from generator.core.project import CONFIG_DIR, ROLES_DIR, TEMPLATES_DIR
from generator.errors import Preformatted, RolebookError
from generator.output import check_output_folder
from generator.render.sandbox import template_location, template_problem
from generator.site import swap
from generator.site.mkdocs_log import mkdocs_logging, quiet_material


def restore_site(project: Path, site_dir: Path | None) -> None:
    """First thing of a build: put back the site a build killed midway moved aside, and delete the
    work folders stopped builds left (see site/swap.py). Skipped when the site folder is not known yet."""
    try:  # the same path as build_site's: --site-dir resolved, mkdocs.yml's made absolute as MkDocs does
        target = site_dir.resolve() if site_dir else site_settings(project).site_dir
    except RolebookError:
        return  # the build says what is wrong with mkdocs.yml
    if target is None or not target.parent.is_dir():
        return
    target = Path(os.path.abspath(target))
    try:
        with swap.locked(target.parent):
            swap.recover(target)
    except OSError as exc:
        raise RolebookError(f"{exc.filename or target}: cannot restore the site: {exc.strerror}") from None


def build_site(project: Path, site_dir: Path | None = None, playbook: Playbook | None = None) -> Path:
    """Build the playbook site strictly and put it at ``site_dir`` (default: the one in mkdocs.yml)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.site.plugin import RolebookPlugin

    quiet_material()
    cfg_path = config_file(project)
    overrides = {"site_dir": str(Path(site_dir).resolve())} if site_dir else {}
    theme_dirs: list[str] = []  # where a missing theme template was looked for
    with mkdocs_logging() as collected:
        try:
            config = load_config(str(cfg_path), strict=True, **overrides)  # MkDocs checks site_dir too
            theme_dirs = config.theme.dirs  # the plugin adds its folders to this list
            if "rolebook" not in config.plugins:
                raise RolebookError(
                    f"{cfg_path}: the rolebook plugin is not enabled; add '- rolebook' under plugins:"
                )
            if playbook is not None:  # validated by the caller: the plugin need not read the files again
                plugin = config.plugins["rolebook"]
                assert isinstance(plugin, RolebookPlugin)
                plugin.given = (project.resolve(), playbook)
            target = Path(config.site_dir)
            sources = [Path(config.docs_dir), *(project / d for d in (ROLES_DIR, CONFIG_DIR, TEMPLATES_DIR))]
            check_output_folder(target, sources, project)
            target.parent.mkdir(parents=True, exist_ok=True)
            with swap.locked(target.parent):
                swap.recover(target)
                staging = swap.new_staging(target)
                try:
                    config.site_dir = str(staging)
                    swap.stop_during_build(config)
                    build(config)  # dated by the playbook: the plugin does it for every build
                    swap.put_in_place(staging, target)
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
