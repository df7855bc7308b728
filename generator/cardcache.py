"""Laid-out quick cards kept between builds, by the content they were made from.

Laying out a card is the slowest step of a build (tens of milliseconds a card).
A card's PDF depends only on its HTML, which holds the role's text, the card
size, the styles and the QR code, and on the versions of the programs that lay
it out; the key is a hash of all of these. So an edit lays out again the cards it
changes and nothing else, and a cached card is the same bytes a fresh layout gives.

Only cards that fit their page are kept, so a card that does not fit is laid out
(and reported) every time. Entries are written atomically; an unreadable or
unwritable cache only costs time, never a build.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import __version__

CACHE_ENV = "ROLEBOOK_CACHE_DIR"
DEFAULT_CACHE = Path(".cache") / "rolebook"
CARDS_FOLDER = "cards"
# Kept after a build: every entry it used, plus unused ones while there are fewer than this.
KEEP_UNUSED = 200


@functools.cache
def _layout_versions() -> bytes:
    """What else shapes a card's bytes: rolebook and the libraries that lay out and write the PDF."""
    names = ("weasyprint", "pydyf", "pypdf", "fonttools", "segno")
    versions = [f"rolebook={__version__}"]
    for name in names:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return "\n".join(versions).encode()


def content_key(*parts: str) -> str:
    digest = hashlib.sha256(_layout_versions())
    for part in parts:
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass
class CardCache:
    """PDFs by content key in ``folder``/cards; a cache without a folder keeps nothing."""

    folder: Path | None
    used: set[str] = field(default_factory=set)

    @classmethod
    def for_project(cls, project: Path) -> CardCache:
        """``$ROLEBOOK_CACHE_DIR`` if set (empty: no cache), else .cache/rolebook in the project."""
        setting = os.environ.get(CACHE_ENV)
        if setting is not None:
            return cls(Path(setting) if setting.strip() else None)
        return cls(project / DEFAULT_CACHE)

    def _path(self, key: str) -> Path | None:
        return self.folder / CARDS_FOLDER / f"{key}.pdf" if self.folder else None

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not (data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")):
            return None  # a damaged entry is laid out again and replaced
        self.used.add(key)
        return data

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path is None:
            return
        self.used.add(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{key}.{os.getpid()}.part")
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError:
            return  # a read-only or full disk: the build goes on without the cache

    def prune(self) -> None:
        """Drop the oldest entries this build did not use, beyond the last ``KEEP_UNUSED``."""
        path = self._path("x")
        if path is None or not path.parent.is_dir():
            return
        now = time.time()
        unused: list[tuple[float, Path]] = []
        for entry in path.parent.iterdir():
            key = entry.stem
            try:
                if key in self.used:
                    os.utime(entry, (now, now))
                elif entry.name.startswith(".") and entry.stat().st_mtime < now - 3600:
                    entry.unlink()  # left by a build that was killed while writing
                elif not entry.name.startswith("."):
                    unused.append((entry.stat().st_mtime, entry))
            except OSError:
                continue
        for _, entry in sorted(unused, reverse=True)[KEEP_UNUSED:]:
            try:
                entry.unlink()
            except OSError:
                continue
