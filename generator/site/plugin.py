"""The MkDocs plugin: maps a site bundle (site/bundle.py) onto MkDocs' events, and decides nothing else.
The bundle is made in ``on_config``, before MkDocs cleans site/, so a broken role leaves the old site."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from generator.cache import BuildCache
from generator.core.playbook import Playbook
from generator.core.project import load_playbook
from generator.errors import RolebookError
from generator.site.bundle import SiteBundle, make_bundle, watched
from generator.site.mkdocs_mapping import PlaybookError, add_files, apply_settings, finish_site, published_url
from generator.site.offline import write_site_worker
from generator.site.page_cache import PageCache
from generator.site.search_cache import cache_search_entries
from generator.site.theme_sandbox import sandboxed_theme

log = logging.getLogger("mkdocs.plugins.rolebook")


class RolebookPluginConfig(Config):
    project_dir = c.Optional(c.Dir(exists=True))  # roles/, site_config/, templates/; default: mkdocs.yml's


class RolebookPlugin(BasePlugin[RolebookPluginConfig]):
    def __init__(self) -> None:
        self.command, self.project = "build", Path()
        self.given: tuple[Path, Playbook] | None = None  # validated by `rolebook build`, for that project
        self.bundle: SiteBundle | None = None
        self.card_files: dict[str, File] = {}  # placeholders of cards still being laid out
        self.page_cache = PageCache(BuildCache(None))  # its build cache also keeps cards, downloads, search

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        config_dir = Path(config.config_file_path or ".").resolve().parent
        self.project = project = Path(self.config.project_dir or config_dir).resolve()
        site_url = published_url(config, self.command)
        given, self.given = (self.given if self.given and self.given[0] == project else None), None
        self._cancel_cards()
        try:
            playbook = given[1] if given else load_playbook(project)
            self.page_cache = PageCache(BuildCache.for_project(project))
            urls, docs = config.use_directory_urls, Path(config.docs_dir)
            self.bundle = make_bundle(
                project, playbook, docs, directory_urls=urls, site_url=site_url, cache=self.page_cache.cache
            )
            # Into a new folder (rolebook build, serve) the cards are laid out while MkDocs builds the pages; a
            # plain `mkdocs build` cleans site/ first, so there they must be ready (and fit) before it does.
            if given is None and self.command != "serve":
                self.bundle.wait_for_cards()
        except RolebookError as exc:
            self._cancel_cards()
            raise PlaybookError(exc.message) from None
        for warning in playbook.warnings:  # counted by mkdocs --strict, like every MkDocs warning
            (log.info if given else log.warning)(warning.human())
        apply_settings(self.bundle, config)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        self.card_files = add_files(self.bundle, config, files) if self.bundle else {}
        return files

    @event_priority(-100)  # last: the theme's templates, whoever added them, render in the sandbox
    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        return sandboxed_theme(env)

    @event_priority(-100)  # last: the HTML as it will be published
    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if problem := self.bundle.script_problem(page.file.src_uri, html) if self.bundle else None:
            raise PlaybookError(problem)
        return html

    @event_priority(-100)  # last, so the key is made from the Markdown every plugin has had its say on
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.bundle is not None and page.file.src_uri in self.bundle.files:
            self.page_cache.attach(page, markdown, config, files)
        return markdown

    @event_priority(-100)  # last: the page as written, with rolebook's base stylesheet and bootstrap in it
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        return self.bundle.finish_page(output) if self.bundle else output

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        cache_search_entries(config, self.page_cache.cache)  # the search plugin's index is made by now

    @event_priority(100)  # first, so other plugins see the cards, not their placeholders
    def _finish(self, config: MkDocsConfig) -> None:
        for kind in ("pages", "search"):
            self.page_cache.cache.prune(kind)
        try:
            finish_site(self.bundle, self.card_files, Path(config.site_dir))
        except RolebookError as exc:
            raise PlaybookError(exc.message) from None

    on_post_build = CombinedEvent(_finish, write_site_worker)  # the worker last, when every file is written

    def _cancel_cards(self, **_: object) -> None:  # also on a failed build, and when MkDocs stops
        if self.bundle is not None:
            self.bundle.cancel()

    on_build_error = on_shutdown = _cancel_cards

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        for path in watched(self.project, self.bundle):
            server.watch(str(path))
        return server
