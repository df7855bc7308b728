"""The search plugin's entries for a page, kept with the build cache.

Material's search plugin parses every page's HTML again on every build, about a third of a warm build
of a large playbook. The entries it makes for a page follow from the page's HTML, address, title,
table of contents and search settings only, so they are kept under a key made of those and added back
as they were when the page has not changed. Without a cache folder nothing is kept or looked up.
"""

from __future__ import annotations

import json
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from generator.cache import BuildCache, content_key

KIND = "search"
_PLUGIN_NAMES = ("material/search", "search")


def _toc(items: Any) -> list[Any]:
    return [[item.id, item.url, _toc(item.children)] for item in items]


def _key(page: Page, settings: str) -> str:
    meta = {name: page.meta.get(name) for name in ("title", "tags", "search")}
    return content_key(
        KIND,
        settings,
        page.url,
        str(page.title),
        json.dumps(meta, sort_keys=True, default=str),
        json.dumps(_toc(page.toc)),
        page.content or "",
    )


def _valid(entries: Any) -> bool:
    """What a cached entry must look like to be added back: a list of the plugin's plain entries."""
    return isinstance(entries, list) and all(
        isinstance(e, dict)
        and isinstance(e.get("location"), str)
        and isinstance(e.get("title"), str)
        and isinstance(e.get("text"), str)
        for e in entries
    )


def cache_search_entries(config: MkDocsConfig, cache: BuildCache) -> bool:
    """Make the search plugin of ``config`` keep its entries in ``cache``; False when there is none."""
    if cache.folder is None:
        return False
    plugin = next((config.plugins[n] for n in _PLUGIN_NAMES if n in config.plugins), None)
    index = getattr(plugin, "search_index", None)
    add = getattr(index, "add_entry_from_context", None)
    entries = getattr(index, "entries", None)
    if index is None or add is None or not isinstance(entries, list) or getattr(add, "_rolebook", False):
        return False

    settings = json.dumps(dict(getattr(plugin, "config", {}) or {}), sort_keys=True, default=str)

    def add_entry_from_context(page: Page) -> None:
        key = _key(page, settings)
        kept = cache.get(KIND, key)
        if kept is not None:
            try:
                found = json.loads(kept)
            except ValueError:
                found = None
            if _valid(found):
                index.entries.extend(found)
                return
        before = len(index.entries)
        add(page)
        cache.put(KIND, key, json.dumps(index.entries[before:], ensure_ascii=False).encode("utf-8"))

    add_entry_from_context._rolebook = True  # type: ignore[attr-defined]
    index.add_entry_from_context = add_entry_from_context
    return True
