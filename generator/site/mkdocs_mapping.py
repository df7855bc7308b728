"""A site bundle written into MkDocs' own structures: its settings into the configuration, its files into
MkDocs' file list. Used by the plugin's events (site/plugin.py)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files, InclusionLevel

from generator.core.mkdocs_settings import settings_in
from generator.errors import RolebookError
from generator.output import SITE_MARKER
from generator.render.incident_assets import site_scripts
from generator.render.renderer import CSS_PATH
from generator.site.bundle import MARKDOWN_EXTENSIONS, SiteBundle


class PlaybookError(Abort):
    """Stops the build with rolebook's own message (and, under serve, without a traceback)."""


def published_url(config: MkDocsConfig, command: str) -> str | None:
    """The site's published address. Under ``serve`` MkDocs points site_url at the preview server; the
    cards' QR codes keep the published address (so cards printed from a preview work, and the cards laid
    out by `rolebook build` are reused)."""
    if command == "serve" and config.config_file_path:
        with contextlib.suppress(RolebookError):  # read by MkDocs a moment ago; kept as is if not
            return settings_in(Path(config.config_file_path)).site_url
    return config.site_url


EMOJI = "pymdownx.emoji"


def _emoji_without_cdn(config: MkDocsConfig) -> None:
    """Emoji written as characters where they would be pictures from a CDN: Backstage's techdocs-core
    turns on pymdownx.emoji with pictures from cdnjs, so ':fire:' in a role's text would make every page
    that shows it ask another host (listed after techdocs-core, rolebook sees its settings)."""
    options = config.mdx_configs.get(EMOJI)
    if EMOJI not in config.markdown_extensions or not isinstance(options, dict):
        return
    generator = options.get("emoji_generator")
    if getattr(generator, "__module__", "") == EMOJI and not options.get("options", {}).get("image_path"):
        from pymdownx.emoji import to_alt

        if getattr(generator, "__name__", "") in ("to_svg", "to_png"):
            options["emoji_generator"] = to_alt


def apply_settings(bundle: SiteBundle, config: MkDocsConfig) -> None:
    """What the generated pages need from MkDocs: Markdown extensions, stylesheets, rolebook's own scripts,
    rolebook's theme partials (after mkdocs.yml's custom_dir, before Material's), the brand's palette and
    logo, and the site's name."""
    for name, options in MARKDOWN_EXTENSIONS:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
            config.mdx_configs.setdefault(name, options)
    if CSS_PATH not in config.extra_css:
        config.extra_css.append(CSS_PATH)
    config.extra_css.extend(css for css in bundle.extra_css if css != CSS_PATH)  # the brand's stylesheets
    listed = [str(script) for script in config.extra_javascript]
    for script in site_scripts(bundle.files):  # the bootstrap (render/incident_assets.py)
        if script["path"] not in listed:
            entry = ExtraScriptValue(str(script["path"]))
            entry.async_, entry.defer = bool(script.get("async")), bool(script.get("defer"))
            config.extra_javascript.append(entry)
    theme = str(bundle.theme_dir)
    if theme not in config.theme.dirs:
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme)
    if bundle.palette is not None:
        config.theme["palette"] = bundle.palette
    if bundle.logo:
        config.theme["logo"] = bundle.logo
    config.site_name = bundle.site_name
    _emoji_without_cdn(config)
    # whichever command runs the build, it is dated by the playbook (the sitemap) until finish_site; an
    # unreadable SOURCE_DATE_EPOCH stopped make_bundle already (the cards are dated too)
    bundle.date_build()


def add_files(bundle: SiteBundle, config: MkDocsConfig, files: Files) -> dict[str, File]:
    """The bundle's pages, assets and brand files added to ``files``, and the navigation set when mkdocs.yml
    has none; returns the empty files standing for cards still being laid out, to be filled at the end."""
    for path, content in bundle.files.items():
        quiet = path.endswith(".md") and not bundle.in_nav(path)  # left out of a long navigation on purpose
        inclusion = InclusionLevel.NOT_IN_NAV if quiet else InclusionLevel.UNDEFINED
        file = File.generated(config, path, content=content, inclusion=inclusion)
        source = bundle.edit_link(path)
        if source is not None:  # the edit link opens the YAML file the page comes from, or nothing
            rel = os.path.relpath(bundle.project / source, config.docs_dir).replace(os.sep, "/")
            file.edit_uri = rel if source else None
        files.append(file)
    for path, src in bundle.brand_files.items():
        files.append(File.generated(config, path, abs_src_path=str(src)))
    pending = {path: File.generated(config, path, content=b"") for path in bundle.card_paths()}
    for file in pending.values():
        files.append(file)
    if config.nav is None:
        own = [f.src_uri for f in files.documentation_pages() if f.src_uri not in bundle.files]
        config.nav = bundle.nav(own)
    return pending


def finish_site(bundle: SiteBundle | None, pending: dict[str, File], site_dir: Path) -> None:
    """The end of a build: the cards still being laid out waited for and written where MkDocs put their
    placeholders, and the folder marked as a rolebook site (which `rolebook build` may replace next time)."""
    if bundle is not None and bundle.cards is not None:
        bundle.wait_for_cards()
        for path, file in pending.items():
            content = bundle.files[path]
            Path(file.abs_dest_path).write_bytes(content if isinstance(content, bytes) else content.encode())
    (site_dir / SITE_MARKER).write_text("built by rolebook\n", encoding="utf-8")
    if bundle is not None:
        bundle.finish()  # the sitemap, the last thing dated, is written before this event
