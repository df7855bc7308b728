"""The MkDocs plugin: a thin adapter from MkDocs events to the loader and the renderer.

The playbook is validated and rendered in ``on_config``, before MkDocs cleans
site/, so a broken role stops the build and leaves the previous site as it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from generator.cache import BuildCache
from generator.cards.pdf import CardBatch, start_site_cards
from generator.core.defaults import builtin_templates
from generator.core.links import LEAVES, outside_files
from generator.core.mkdocs_settings import settings_in
from generator.core.model import Branding
from generator.core.playbook import Playbook
from generator.core.project import CONFIG_DIR, DOCS_DIR, ROLES_DIR, TEMPLATES_DIR, load_playbook
from generator.errors import RolebookError
from generator.exports.formats import downloads
from generator.output import SITE_MARKER
from generator.render.editor_pages import GUIDES_DIR
from generator.render.renderer import (
    CSS_PATH,
    RenderOptions,
    nav_title,
    nav_with_own_pages,
    page_sources,
    render_site,
    site_nav,
)
from generator.render.scriptless import script_in
from generator.review.defaults_changes import changes_from_defaults
from generator.site.page_cache import PageCache
from generator.site.search_cache import cache_search_entries
from generator.site.theme_sandbox import sandboxed_theme

log = logging.getLogger("mkdocs.plugins.rolebook")
BRAND_DIR = "assets/brand"

# `rolebook build` validates first (printing the warnings, failing on them with --strict) and hands the
# playbook over here, so one build validates once. Taken by the next on_config for that project.
_handed_over: tuple[Path, Playbook] | None = None


def hand_over(project: Path, playbook: Playbook) -> None:
    global _handed_over
    _handed_over = (project.resolve(), playbook)


def _take(project: Path) -> Playbook | None:
    global _handed_over
    handed, _handed_over = _handed_over, None
    return handed[1] if handed and handed[0] == project else None


# Markdown features the generated pages use: task lists, card grids, attributes on headings.
REQUIRED_EXTENSIONS = ("attr_list", "md_in_html", "tables", "pymdownx.tasklist")


def _nav_paths(nav: Any) -> set[str]:
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, dict):
        return set().union(*(_nav_paths(v) for v in nav.values()))
    if isinstance(nav, list):
        return set().union(*(_nav_paths(v) for v in nav))
    return set()


def _shown(path: Path, project: Path) -> str:
    return path.relative_to(project).as_posix() if path.is_relative_to(project) else str(path)


class PlaybookError(Abort):
    """Stops the build with rolebook's own message (and, under serve, without a traceback)."""


class RolebookPluginConfig(Config):
    project_dir = c.Optional(c.Dir(exists=True))
    """The folder holding roles/, site_config/ and templates/; default: the folder of mkdocs.yml."""


class RolebookPlugin(BasePlugin[RolebookPluginConfig]):
    def __init__(self) -> None:
        self.project = Path()
        self.pages: dict[str, str] = {}
        self.assets: dict[str, str | bytes] = {}
        self.brand_files: dict[str, str] = {}
        self.sources: dict[str, str] = {}
        self.playbook: Playbook | None = None
        self.own_templates = False
        self.command = "build"
        self.cards: CardBatch | None = None  # still being laid out, into the files of ``card_files``
        self.card_files: dict[str, File] = {}
        self.build_cache = BuildCache(None)
        self.page_cache = PageCache(self.build_cache)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        config_dir = Path(config.config_file_path or ".").resolve().parent
        self.project = Path(self.config.project_dir or config_dir).resolve()
        site_url = config.site_url
        if self.command == "serve" and config.config_file_path:
            # MkDocs points site_url at the preview server; the cards' QR codes keep the published address
            # (so cards printed from a preview work, and the cards laid out by `rolebook build` are reused)
            with contextlib.suppress(RolebookError):  # read by MkDocs a moment ago; kept as is if not
                site_url = settings_in(Path(config.config_file_path)).site_url
        options = RenderOptions(
            (self.project / TEMPLATES_DIR,), directory_urls=config.use_directory_urls, site_url=site_url
        )
        docs = Path(config.docs_dir)
        # the project's templates/ and docs/ are checked with the playbook; a docs_dir elsewhere is checked
        # here, before MkDocs reads or copies anything
        if docs.resolve() != (self.project / DOCS_DIR).resolve():
            outside = list(outside_files(docs, self.project))
            if outside:
                raise PlaybookError("\n".join(f"{_shown(path, self.project)}: {LEAVES}" for path in outside))
        handed = _take(self.project)
        self._cancel_cards()
        try:
            playbook = handed or load_playbook(self.project)
            self.build_cache = BuildCache.for_project(self.project)
            self.page_cache = PageCache(self.build_cache)
            cards = start_site_cards(playbook, options, self.build_cache)
            # Into a new folder (rolebook build, serve) the cards are laid out while MkDocs builds the pages:
            # a card that does not fit fails the build at its end, and that folder is thrown away. A plain
            # `mkdocs build` cleans site/ first, so there the cards must be ready (and fit) before it does.
            if handed is None and self.command != "serve":
                self.assets = dict(cards.site_files())
            else:
                self.cards, self.assets = cards, {}
            if playbook.config.editing.changes:
                options = replace(options, changes=changes_from_defaults(self.project, playbook))
            self.pages = render_site(playbook, options)
            self.assets.update(downloads(playbook, self.build_cache))
        except RolebookError as exc:
            self._cancel_cards()
            raise PlaybookError(exc.message) from None
        for warning in playbook.warnings:  # counted by mkdocs --strict, like every MkDocs warning
            (log.info if handed else log.warning)(warning.human())
        pending = self.cards.site_paths() if self.cards else []
        clashes = sorted(path for path in [*self.pages, *self.assets, *pending] if (docs / path).exists())
        if clashes:  # checked before MkDocs cleans site/, so a clash leaves the old site alone
            raise PlaybookError(
                "\n".join(
                    f"docs/{path} has the same path as a page rolebook generates; rename it"
                    for path in clashes
                )
            )
        self.sources = page_sources(playbook)
        self.own_templates = options.own_templates
        self.playbook = playbook
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if CSS_PATH not in config.extra_css:
            config.extra_css.append(CSS_PATH)
        # Theme partials of rolebook's own (a repository link that fetches nothing), after mkdocs.yml's
        # custom_dir and before Material's. A project changes the theme through custom_dir, which is
        # configuration: a folder of theme files among the playbook's sources would publish what it holds.
        theme = str(builtin_templates() / "theme")
        if theme not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme)
        self.brand_files = self._apply_branding(playbook.config.branding, config)
        # the site's name is the playbook's title (one source, shared with the export and the cards); themes
        # place it as HTML, so it is escaped text
        config.site_name = nav_title(playbook.config.title)
        return config

    def _apply_branding(self, branding: Branding, config: MkDocsConfig) -> dict[str, str]:
        """site_config's logo, colours and stylesheets, as MkDocs settings and files in the site."""
        files: dict[str, str] = {}
        if branding.palette is not None:
            config.theme["palette"] = {"primary": branding.palette.primary, "accent": branding.palette.accent}
        for rel in [branding.logo, *branding.extra_css]:
            if rel:
                files[f"{BRAND_DIR}/{rel}"] = str(self.project / rel)
        if branding.logo:
            config.theme["logo"] = f"{BRAND_DIR}/{branding.logo}"
        config.extra_css.extend(f"{BRAND_DIR}/{css}" for css in branding.extra_css)
        return files

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        made: dict[str, str | bytes] = {**self.pages, **self.assets}
        listed = _nav_paths(site_nav(self.playbook)) if self.playbook is not None else set()
        for path, text in made.items():
            # pages left out of a long navigation on purpose (reached from the roles index) raise no warning
            quiet = path.endswith(".md") and path not in listed
            file = File.generated(
                config,
                path,
                content=text,
                inclusion=InclusionLevel.NOT_IN_NAV if quiet else InclusionLevel.UNDEFINED,
            )
            if path in self.sources:  # the edit link opens the YAML file the page comes from
                file.edit_uri = os.path.relpath(self.project / self.sources[path], config.docs_dir).replace(
                    os.sep, "/"
                )
            elif path.startswith(f"{GUIDES_DIR}/"):  # rolebook's own pages: nothing in the project to edit
                file.edit_uri = None
            files.append(file)
        for path, source in self.brand_files.items():
            files.append(File.generated(config, path, abs_src_path=source))
        self.card_files = {}
        if self.cards is not None:  # written at the end of the build, when they are laid out
            for path in self.cards.site_paths():
                self.card_files[path] = File.generated(config, path, content=b"")
                files.append(self.card_files[path])
        if config.nav is None and self.playbook is not None:
            own = [f.src_uri for f in files.documentation_pages() if f.src_uri not in made]
            config.nav = nav_with_own_pages(self.playbook, own)
        return files

    @event_priority(-100)  # last: the theme's templates, whoever added them, render in the sandbox
    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        return sandboxed_theme(env)

    @event_priority(-100)  # last: the HTML as it will be published
    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # the project's templates may write Markdown that becomes script only now (an attribute list, a link)
        found = script_in(html) if self.own_templates and page.file.src_uri in self.pages else None
        if found:
            raise PlaybookError(
                f"{page.file.src_uri}: the project's templates make this page write {found}; "
                "templates may not add script to a page"
            )
        return html

    @event_priority(-100)  # last, so the key is made from the Markdown every plugin has had its say on
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri in self.pages:
            self.page_cache.attach(page, markdown, config, files)
        return markdown

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        cache_search_entries(config, self.build_cache)  # the search plugin's index is made by now

    @event_priority(100)  # first, so other plugins see the cards, not their placeholders
    def on_post_build(self, config: MkDocsConfig) -> None:
        self.build_cache.prune("pages")
        self.build_cache.prune("search")
        if self.cards is not None:
            cards, self.cards = self.cards, None
            try:
                made = cards.site_files()
            except RolebookError as exc:
                raise PlaybookError(exc.message) from None
            for path, file in self.card_files.items():
                Path(file.abs_dest_path).write_bytes(made[path])
        # Marks the folder as a rolebook site, which `rolebook build` may replace next time.
        (Path(config.site_dir) / SITE_MARKER).write_text("built by rolebook\n", encoding="utf-8")

    def on_build_error(self, *, error: Exception) -> None:
        self._cancel_cards()

    def on_shutdown(self) -> None:
        self._cancel_cards()

    def _cancel_cards(self) -> None:
        if self.cards is not None:
            self.cards.cancel()
            self.cards = None

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        for folder in (ROLES_DIR, TEMPLATES_DIR, CONFIG_DIR):
            path = self.project / folder
            if path.is_dir():
                server.watch(str(path))
        return server
