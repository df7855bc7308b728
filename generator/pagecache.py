"""Generated pages converted from Markdown to HTML once per content, kept between builds.

MkDocs converts every page on every build; for a playbook of hundreds of roles that is
most of a build. A generated page's HTML depends only on its Markdown, its place in the
site, the other files it may link to and the Markdown settings, so it is kept in the
build cache under a hash of all of these and taken from there while they stay the same.

Only conversions that logged nothing are kept: a page whose links MkDocs warns about is
converted (and warned about) on every build.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .buildcache import BuildCache, content_key

KIND = "pages"
_PAGE_LOG = logging.getLogger("mkdocs.structure.pages")


def _setting(value: Any) -> Any:
    """A setting as JSON: mappings as objects, functions by name, nothing that changes between runs."""
    if isinstance(value, Mapping):
        return dict(value)
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))


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

    def attach(self, page: Page, markdown: str, config: MkDocsConfig, files: Files) -> None:
        if self.cache.folder is None:
            return
        if self._settings is None:  # the same for every page of one build
            listed = sorted(f"{f.src_uri}\t{f.dest_uri}\t{f.url}\t{f.inclusion.name}" for f in files)
            self._settings = content_key(
                json.dumps(
                    [config.markdown_extensions, config.mdx_configs, config.validation],
                    default=_setting,
                    sort_keys=True,
                ),
                str(config.use_directory_urls),
                *listed,
            )
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
            links = {files.get_file_from_path(src): anchors for src, anchors in kept["links"].items()}
        except (ValueError, KeyError, TypeError):
            return None  # damaged: converted again and kept anew
        if None in links:
            return None
        kept["links"] = links
        return dict(kept)

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
        if logged.count or page.content is None:
            return
        kept = {
            "content": page.content,
            "toc": _toc(page.toc),
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": {f.src_uri: anchors for f, anchors in (page.links_to_anchors or {}).items()},
        }
        self.cache.put(KIND, key, json.dumps(kept, ensure_ascii=False).encode("utf-8"))
