"""Where each generated page lives, and relative links between pages.

HTML written by templates is not rewritten by MkDocs, so links in it are
computed here the way MkDocs lays pages out (with or without directory URLs).
Zensical does rewrite them: it reads every relative link of a page, in raw HTML too,
as relative to the page's Markdown file, as MkDocs reads Markdown links; for it
links are written that way (``source_links``).
"""

from __future__ import annotations

import posixpath


def page_url(src: str, directory_urls: bool) -> str:
    """The site path of the page built from ``src`` (a docs-relative .md path)."""
    stem = src[: -len(".md")] if src.endswith(".md") else src
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def source_relative(from_src: str, to_src: str) -> str:
    """A link from one docs file to another as written in Markdown, relative to the first's folder."""
    return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


def relative_url(from_src: str, to_src: str, directory_urls: bool, *, source_links: bool = False) -> str:
    """A link from the page built from ``from_src`` to the page (or asset) ``to_src``; with
    ``source_links``, from the Markdown file to the other file, as the engine will rewrite it."""
    if source_links:
        return source_relative(from_src, to_src)
    here = page_url(from_src, directory_urls)
    there = page_url(to_src, directory_urls) if to_src.endswith(".md") else to_src
    base = posixpath.dirname(here) if not here.endswith("/") else here.rstrip("/")
    rel = posixpath.relpath(there or ".", base or ".")
    if there.endswith("/") or there == "":
        rel = rel.rstrip("/") + "/"
        if rel == "./":
            rel = "./"
    return rel


# Where the site offers the exports for download (written by exports/formats.py's ``downloads``).
DOWNLOADS = {"csv": "downloads/raci.csv", "xlsx": "downloads/raci.xlsx", "json": "downloads/playbook.json"}
