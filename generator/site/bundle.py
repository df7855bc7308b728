"""The site bundle: everything a playbook adds to a site, said once, without MkDocs.

The MkDocs plugin maps a bundle onto MkDocs' events (site/plugin.py); the Markdown export writes the
same bundle to disk as a plain MkDocs project (site/markdown_export.py). Neither decides what goes into a
site: the pages and assets, the quick cards (laid out while the pages are built), the brand files, the
file each page's edit link opens, the navigation, and the settings the pages need from the engine
(Markdown extensions, stylesheets, rolebook's theme partials, palette, logo, the site's name).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.cache import BuildCache
from generator.cards.pdf import CardBatch, start_site_cards
from generator.core.defaults import builtin_templates
from generator.core.links import LEAVES, outside_files
from generator.core.playbook import Playbook
from generator.core.project import CONFIG_DIR, DOCS_DIR, ROLES_DIR, TEMPLATES_DIR
from generator.dates import date_stamp, dated
from generator.diagnostics import Diagnostic
from generator.errors import LocatedError, RolebookError
from generator.exports.formats import downloads
from generator.render.editor_pages import GUIDES_DIR
from generator.render.incident_assets import OFFLINE_JS_PATH
from generator.render.renderer import (
    CSS_PATH,
    RenderOptions,
    nav_title,
    nav_with_own_pages,
    page_sources,
    site_nav,
)
from generator.render.renderer import render_site as render_pages
from generator.render.scriptless import script_in
from generator.render.stylesheets import BRAND_DIR
from generator.review.defaults_changes import changes_from_defaults
from generator.site.inline_assets import inline_assets, without_indentation

# The Markdown features the generated pages are written for (task lists, card grids, attributes on
# headings), each with the settings rolebook's own mkdocs.yml gives it. The plugin adds the ones a
# project's mkdocs.yml leaves out; the Markdown export writes them all.
MARKDOWN_EXTENSIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("attr_list", {}),
    ("md_in_html", {}),
    ("tables", {}),
    ("admonition", {}),
    ("pymdownx.tasklist", {"custom_checkbox": True}),
    ("toc", {"permalink": True}),
)


@dataclass
class SiteBundle:
    """What one playbook adds to a site. ``files`` and ``cards`` are by docs-relative path."""

    project: Path
    playbook: Playbook
    files: dict[str, str | bytes]  # generated pages (Markdown text) and assets, downloads among them
    cards: CardBatch | None  # cards still being laid out; their paths are known, their bytes come later
    brand_files: dict[str, Path]  # the logo and stylesheets of site_config, copied from the project
    edit_sources: dict[str, str]  # page -> the project file its edit link opens
    own_templates: bool  # the project has templates of its own (their output is checked for script)
    site_name: Markup  # the playbook's title, escaped: themes place it as HTML
    extra_css: list[str] = field(default_factory=list)
    palette: dict[str, str] | None = None
    logo: str | None = None
    listed: frozenset[str] = frozenset()  # the generated pages the navigation lists
    dating: ExitStack = field(default_factory=ExitStack)  # SOURCE_DATE_EPOCH set for the build (date_build)

    @property
    def pages(self) -> dict[str, str]:
        return {
            path: text for path, text in self.files.items() if isinstance(text, str) and path.endswith(".md")
        }

    def finish_page(self, html: str) -> str:
        """A built page with rolebook's base stylesheet and bootstrap written in, and no indentation
        (site/inline_assets.py)."""
        css, bootstrap = (self.files.get(path) for path in (CSS_PATH, OFFLINE_JS_PATH))
        css, bootstrap = (text if isinstance(text, str) else None for text in (css, bootstrap))
        return without_indentation(inline_assets(html, css, bootstrap))

    @property
    def theme_dir(self) -> Path:
        """rolebook's theme partials (a repository link that fetches nothing), before the theme's own."""
        return builtin_templates() / "theme"

    def card_paths(self) -> list[str]:
        return self.cards.site_paths() if self.cards else []

    def wait_for_cards(self) -> None:
        """Lays the cards out now, into ``files`` (a card that does not fit raises here)."""
        if self.cards is not None:
            cards, self.cards = self.cards, None
            self.files.update(cards.site_files())

    def date_build(self) -> None:
        """The build dated by the playbook (the sitemap MkDocs writes) until it ends: ``finish`` or ``cancel``;
        a SOURCE_DATE_EPOCH already set is kept (generator/dates.py)."""
        self.dating.close()
        self.dating.enter_context(dated(date_stamp(self.playbook.config.published)))

    def finish(self) -> None:
        self.dating.close()

    def cancel(self) -> None:
        self.dating.close()
        if self.cards is not None:
            self.cards.cancel()
            self.cards = None

    def edit_link(self, path: str) -> str | None:
        """The project file (relative to the project) that ``path``'s edit link opens; "" for rolebook's
        own pages, which have nothing to edit; None when the engine's default applies."""
        if path in self.edit_sources:
            return self.edit_sources[path]
        return "" if path.startswith(f"{GUIDES_DIR}/") else None

    def in_nav(self, path: str) -> bool:
        """Whether the navigation lists ``path`` (pages left out on purpose raise no warning)."""
        return path in self.listed

    def nav(self, own_pages: list[str]) -> list[Any]:
        """The navigation: the generated pages, then the project's own pages."""
        return nav_with_own_pages(self.playbook, own_pages)

    def script_problem(self, path: str, html: str) -> str | None:
        """Why a generated page's HTML may not be published: the project's templates may write Markdown
        that becomes script only once converted (an attribute list, a link)."""
        found = script_in(html) if self.own_templates and path in self.files else None
        if found:
            return (
                f"{path}: the project's templates make this page write {found}; templates may not add script to"
                " a page, nor fetch anything from another host"
            )
        return None

    def clashes(self, docs: Path) -> list[Diagnostic]:
        """Files of the docs folder at a path the bundle generates, one problem each (at the file)."""
        shown = _shown(docs, self.project.resolve()) if docs.is_absolute() else docs.as_posix()
        paths = sorted(path for path in [*self.files, *self.card_paths()] if (docs / path).exists())
        return [
            Diagnostic(f"{shown}/{path}", 1, 1, "has the same path as a page rolebook generates; rename it")
            for path in paths
        ]


def check_docs_folder(docs: Path, project: Path) -> None:
    """A docs folder outside the project (the project's docs/ is checked with the playbook) may hold no
    link out of the project; checked before an engine reads or copies anything."""
    if docs.resolve() == (project / DOCS_DIR).resolve():
        return
    outside = [_shown(path, project) for path in outside_files(docs, project)]
    if outside:
        raise RolebookError("\n".join(f"{path}: {LEAVES}" for path in outside))


def watched(project: Path, bundle: SiteBundle | None) -> list[Path]:
    """What a live preview watches besides the docs folder: the playbook's folders and, once a bundle was
    made, the brand files it copies (a logo or stylesheet may live anywhere in the project)."""
    folders = [project / name for name in (ROLES_DIR, TEMPLATES_DIR, CONFIG_DIR)]
    brand = sorted(set(bundle.brand_files.values())) if bundle else []
    return [path for path in [*folders, *brand] if path.exists()]


def make_bundle(
    project: Path,
    playbook: Playbook,
    docs: Path | None = None,
    *,
    directory_urls: bool = True,
    site_url: str | None = None,
    cache: BuildCache | None = None,
    source_links: bool = False,
) -> SiteBundle:
    """The bundle of ``playbook`` (validated from ``project``), with its cards started. With ``docs``, the
    folder of the site's own pages, a link out of the project there or a page at a generated path is an
    error, found before the engine reads, copies or cleans anything."""
    if docs is not None:
        check_docs_folder(docs, project)
    changes = changes_from_defaults(project, playbook) if playbook.config.editing.changes else None
    options = RenderOptions(
        (project / TEMPLATES_DIR,),
        directory_urls=directory_urls,
        site_url=site_url,
        changes=changes,
        source_links=source_links,
    )
    cache = cache or BuildCache(None)
    cards = start_site_cards(playbook, options, cache)
    try:
        files: dict[str, str | bytes] = {**render_pages(playbook, options), **downloads(playbook, cache)}
    except BaseException:
        cards.cancel()
        raise
    branding = playbook.config.branding
    bundle = SiteBundle(
        project=project,
        playbook=playbook,
        files=files,
        cards=cards,
        brand_files={
            f"{BRAND_DIR}/{rel}": project / rel for rel in [branding.logo, *branding.extra_css] if rel
        },
        edit_sources=page_sources(playbook),
        own_templates=options.own_templates,
        site_name=nav_title(playbook.config.title),
        extra_css=[CSS_PATH, *(f"{BRAND_DIR}/{css}" for css in branding.extra_css)],
        palette=(
            {"primary": branding.palette.primary, "accent": branding.palette.accent}
            if branding.palette
            else None
        ),
        logo=f"{BRAND_DIR}/{branding.logo}" if branding.logo else None,
        listed=frozenset(_nav_paths(site_nav(playbook))),
    )
    clashes = bundle.clashes(docs) if docs is not None else []
    if clashes:
        bundle.cancel()
        raise LocatedError(clashes)
    return bundle


def _nav_paths(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_paths(value)
    elif isinstance(nav, list):
        for value in nav:
            yield from _nav_paths(value)


def _shown(path: Path, project: Path) -> str:
    return path.relative_to(project).as_posix() if path.is_relative_to(project) else str(path)
