"""Generated pages converted from Markdown to HTML once per content, kept between builds.

MkDocs converts every page on every build; for a playbook of hundreds of roles that is
most of a build. A generated page's HTML depends only on its Markdown, its place in the
site, the other files it may link to and the Markdown settings, so it is kept in the
build cache under a hash of all of these and taken from there while they stay the same.

Only conversions that logged nothing are kept: a page whose links MkDocs warns about is
converted (and warned about) on every build. And only Markdown settings that are plain data,
with extensions that work from the page's text alone, allow keeping anything: an extension
that reads files (snippets), takes functions or objects as settings, or comes from a plugin
may give other HTML for the same Markdown, so with one of those every page is converted.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator.cache import BuildCache, content_key

KIND = "pages"
_PAGE_LOG = logging.getLogger(Page.__module__)  # mkdocs.structure.pages; under ProperDocs, its own module


# Extensions whose HTML depends on the page's Markdown and their settings alone.
PURE_EXTENSIONS = frozenset(
    {
        *("abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html"),
        *("meta", "nl2br", "sane_lists", "smarty", "tables", "toc", "wikilinks", "codehilite"),
        *(f"markdown.extensions.{name}" for name in ("abbr", "admonition", "attr_list", "tables", "toc")),
        *(
            f"pymdownx.{name}"
            for name in ("betterem", "caret", "critic", "details", "highlight", "inlinehilite")
        ),
        *(f"pymdownx.{name}" for name in ("keys", "magiclink", "mark", "smartsymbols", "superfences")),
        *(f"pymdownx.{name}" for name in ("tabbed", "tasklist", "tilde", "arithmatex", "escapeall")),
    }
)


class _NotPlain(Exception):
    pass


def _plain(value: Any) -> Any:
    """A setting as JSON data; a function, object or anything else that JSON cannot hold is refused."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise _NotPlain


def settings_key(config: MkDocsConfig, files: Files) -> str | None:
    """What every page of one build shares; None when the settings allow no keeping."""
    extensions = config.markdown_extensions
    if not all(isinstance(name, str) and name in PURE_EXTENSIONS for name in extensions):
        return None
    try:
        settings = _plain([extensions, config.mdx_configs, config.validation])
    except _NotPlain:
        return None
    listed = sorted(f"{f.src_uri}\t{f.dest_uri}\t{f.url}\t{f.inclusion.name}" for f in files)
    return content_key(json.dumps(settings, sort_keys=True), str(config.use_directory_urls), *listed)


def _toc(items: Any) -> list[dict[str, Any]]:
    return [{"name": i.title, "id": i.id, "level": i.level, "children": _toc(i.children)} for i in items]


class _Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.count += 1


class PageCache:
    """Makes ``page.render`` of generated pages take kept HTML, or convert and keep it."""

    def __init__(self, cache: BuildCache) -> None:
        self.cache = cache
        self._settings: str | None = None
        self._decided = False

    def attach(self, page: Page, markdown: str, config: MkDocsConfig, files: Files) -> None:
        if self.cache.folder is None:
            return
        if not self._decided:  # the same for every page of one build
            self._settings, self._decided = settings_key(config, files), True
        if self._settings is None:
            return
        key = content_key(self._settings, page.file.src_uri, page.file.url, markdown)
        kept = self._kept(key, files)
        if kept is not None:
            page.render = functools.partial(self._restore, page, kept)  # type: ignore[method-assign]
        else:
            page.render = functools.partial(self._render, page, key)  # type: ignore[method-assign]

    def _kept(self, key: str, files: Files) -> dict[str, Any] | None:
        data = self.cache.get(KIND, key)
        if data is None:
            return None
        try:
            kept = json.loads(data)
            links = {files.get_file_from_path(src): dict(anchors) for src, anchors in kept["links"].items()}
            shapes = [(kept["content"], str), (kept["toc"], list), (kept["anchors"], list)]
            if not all(isinstance(value, kind) for value, kind in shapes) or None in links:
                return None
            if not isinstance(kept["title"], str | None):
                return None
            get_toc(kept["toc"])  # every entry readable
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # damaged: converted again and kept anew
        return {**kept, "links": links}

    def _restore(self, page: Page, kept: dict[str, Any], config: MkDocsConfig, files: Files) -> None:
        page.content = kept["content"]
        page.toc = get_toc(kept["toc"])
        page._title_from_render = kept["title"]
        page.present_anchor_ids = set(kept["anchors"])
        page.links_to_anchors = kept["links"]

    def _render(self, page: Page, key: str, config: MkDocsConfig, files: Files) -> None:
        logged = _Logged()
        _PAGE_LOG.addHandler(logged)
        try:
            Page.render(page, config, files)
        finally:
            _PAGE_LOG.removeHandler(logged)
        if logged.count or page.content is None or _PAGE_LOG.getEffectiveLevel() > logging.INFO:
            return  # something was (or, under --quiet, may have been) said about this page
        kept = {
            "content": page.content,
            "toc": _toc(page.toc),
            "title": page._title_from_render,
            # an <a> without a name counts as the anchor None
            "anchors": sorted(a for a in page.present_anchor_ids or () if a),
            "links": {f.src_uri: anchors for f, anchors in (page.links_to_anchors or {}).items()},
        }
        self.cache.put(KIND, key, json.dumps(kept, ensure_ascii=False).encode("utf-8"))
