"""The site's service worker, so the playbook opens with the network gone after one visit.

At the very end of a build, when every file is in site/ (the search index, the cards), ``write_worker``
writes ``sw.js`` at the site's root: the list of the site's own files to keep, and a version made from
their bytes, so the same site gives the same worker byte for byte and a change of any listed file a new
one. The worker itself is offline_worker.js; the page script that registers it is render/static/offline.js.

Kept: every page, stylesheet, script, image, download and the search index. Left out: the cards' PDFs
(the cards page and each role page carry the same text, and the cards page prints one card per sheet;
at hundreds of roles the PDFs would nearly double the copy; a PDF opened online is kept then), source maps
(read by a developer's tools only), the search languages the index does not use, the sitemap (for search
engines, and dated by the day of a plain `mkdocs build`: kept, it would make a new worker every day) and
hidden files. Under ``rolebook serve`` (and ``mkdocs serve``) the pages change with every save, so the
worker written there keeps nothing and removes the copy a built site left at the same address.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

WORKER = "sw.js"
SOURCE = "offline_worker.js"
LEFT_OUT_SUFFIXES = (".map", ".pdf", ".gz")
SITEMAP = "sitemap.xml"  # for search engines; MkDocs dates it by the day of a plain `mkdocs build`
LUNR = "assets/javascripts/lunr/"  # Material's search languages, loaded by its search worker on demand
SEARCH_INDEX = "search/search_index.json"

# Written under serve: takes the place of a playbook's worker at this address, deletes its caches and
# answers no request, so the preview always comes from the server.
SERVE_WORKER = """\
// rolebook serve: the preview changes with every save, so nothing is kept for offline use. This worker
// replaces a playbook's offline worker registered at this address, deletes its caches, answers no request.
"use strict";
const PREFIX = "rolebook " + self.registration.scope + " ";
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(PREFIX)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});
"""


def search_languages(site_dir: Path) -> list[str] | None:
    """The languages Material's search worker loads files for, from the index's own settings; None when
    the index cannot tell (then every language file is kept)."""
    index = site_dir / SEARCH_INDEX
    if not index.is_file():
        return []  # no search, no language files
    try:
        languages = json.loads(index.read_bytes())["config"]["lang"]
    except (ValueError, KeyError, TypeError):
        return None
    return [str(lang) for lang in languages] if isinstance(languages, list) else None


def _lunr_files(languages: list[str]) -> set[str]:
    """The files Material's search worker imports for ``languages`` (its setupSearchLanguages)."""
    files: set[str] = set()
    for lang in languages:
        if lang == "ja":
            files.add("tinyseg.js")
        elif lang in ("hi", "th"):
            files.add("wordcut.js")
        if lang != "en":
            files.add(f"min/lunr.{lang}.min.js")
    if len(languages) > 1:
        files.add("min/lunr.multi.min.js")
    if files:
        files.add("min/lunr.stemmer.support.min.js")
    return {LUNR + name for name in files}


def kept_files(site_dir: Path) -> list[str]:
    """The site-relative paths of the files the worker keeps, sorted."""
    languages = search_languages(site_dir)
    needed = _lunr_files(languages) if languages is not None else None
    kept = []
    for path in site_dir.rglob("*"):
        rel = path.relative_to(site_dir).as_posix()
        if (
            not path.is_file()
            or rel in (WORKER, SITEMAP)
            or any(part.startswith(".") for part in rel.split("/"))
            or rel.endswith(LEFT_OUT_SUFFIXES)
            or (rel.startswith(LUNR) and needed is not None and rel not in needed)
        ):
            continue
        kept.append(rel)
    return sorted(kept)


def file_url(rel: str) -> str:
    """The URL of a site file relative to the site's root, as MkDocs writes links (a folder's index.html
    is the folder: roles/x/, and the root is ./)."""
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel.removesuffix("index.html") or "./"
    return quote(rel)


def version(site_dir: Path, files: list[str]) -> str:
    """A hash of the kept files' names and bytes."""
    digest = hashlib.sha256()
    for rel in files:
        data = (site_dir / rel).read_bytes()
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:20]


def worker_source(site_dir: Path) -> str:
    """The service worker of the site in ``site_dir``."""
    files = kept_files(site_dir)
    size = sum((site_dir / rel).stat().st_size for rel in files)
    head = (
        f'// {len(files)} files, {size} bytes, kept for offline use.\n"use strict";\n'
        f"const VERSION = {json.dumps(version(site_dir, files))};\n"
        f"const FILES = {json.dumps([file_url(rel) for rel in files], indent=0)};\n"
    )
    return head + Path(__file__).with_name(SOURCE).read_text("utf-8")


def write_worker(site_dir: Path, *, serving: bool) -> None:
    """Write sw.js at the root of ``site_dir``, once every other file is there."""
    text = SERVE_WORKER if serving else worker_source(site_dir)
    (site_dir / WORKER).write_text(text, "utf-8")


class _Plugin(Protocol):
    command: str  # MkDocs' command: build, serve, gh-deploy


@event_priority(-100)  # after every other plugin's, Material's search index among them
def write_site_worker(plugin: _Plugin, config: MkDocsConfig) -> None:
    """The rolebook plugin's last step of a build (its on_post_build, site/plugin.py)."""
    write_worker(Path(config.site_dir), serving=plugin.command == "serve")
