"""What a build made, kept for the next build, by the content it was made from.

Laying out a quick card takes tens of milliseconds, converting a role page's Markdown
a few, writing the spreadsheet a fraction of a second; a playbook of hundreds of roles
pays that on every build. Each result is kept in .cache/rolebook in the project under
a hash (the key) of everything it was made from, including the versions of rolebook and
of the libraries that made it, so an edit makes again what it changes and nothing else,
and a kept result is the same bytes as a new one would be.

Entries are written atomically; an unreadable, damaged or unwritable cache only costs
time, never a build.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from generator import __version__

CACHE_ENV = "ROLEBOOK_CACHE_DIR"
DEFAULT_CACHE = Path(".cache") / "rolebook"
# The folders, and the file ending in each. "combined" holds the PDF of all cards, large and made anew
# whenever any card changes, so only the latest few are kept.
KINDS = {"cards": ".pdf", "combined": ".pdf", "pages": ".json", "search": ".json", "downloads": ".bin"}
# An entry no build has used for this long is dropped (every use renews it); of "combined", all but the
# newest few unused ones are.
KEEP_DAYS = 30
KEEP_COMBINED = 2
_LIBRARIES = (
    "weasyprint", "pydyf", "pypdf", "fonttools", "segno",
    "markdown", "pymdown-extensions", "mkdocs", "mkdocs-material", "openpyxl",
)  # fmt: skip


@functools.cache
def _versions() -> bytes:
    """What else shapes the results: rolebook and the libraries that make them."""
    versions = [f"rolebook={__version__}"]
    for name in _LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return "\n".join(versions).encode()


def content_key(*parts: str) -> str:
    digest = hashlib.sha256(_versions())
    for part in parts:
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _came_with_the_sources(project: Path, folder: Path) -> bool:
    """A cache folder that links lead elsewhere, or that git tracks, may hold anyone's results: not used.

    A build publishes what the cache holds, so the cache must be this machine's own work, never a
    file that arrived with a branch (``git add -f .cache``)."""
    parts = [project / DEFAULT_CACHE.parts[0], folder, *(folder / kind for kind in KINDS)]
    if any(part.is_symlink() for part in parts) or (folder.exists() and not folder.is_dir()):
        return True
    if not folder.is_dir():
        return False
    try:
        tracked = subprocess.run(
            ["git", "ls-files", "-z", "--", str(folder)], cwd=project, capture_output=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False  # no git: the folder is this machine's own
    return tracked.returncode == 0 and bool(tracked.stdout)


@dataclass
class BuildCache:
    """Results by kind and content key in ``folder``/<kind>; a cache without a folder keeps nothing."""

    folder: Path | None
    used: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def for_project(cls, project: Path) -> BuildCache:
        """``$ROLEBOOK_CACHE_DIR`` if set (empty: no cache), else .cache/rolebook in the project."""
        setting = os.environ.get(CACHE_ENV)
        if setting is not None:
            return cls(Path(setting) if setting.strip() else None)
        folder = project / DEFAULT_CACHE
        return cls(None if _came_with_the_sources(project, folder) else folder)

    def _path(self, kind: str, key: str) -> Path | None:
        return self.folder / kind / f"{key}{KINDS[kind]}" if self.folder else None

    def get(self, kind: str, key: str) -> bytes | None:
        path = self._path(kind, key)
        if path is None:
            return None
        try:
            handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)  # an entry is a file, never a link
            with os.fdopen(handle, "rb") as entry:
                data = entry.read()
        except OSError:
            return None
        self.used.setdefault(kind, set()).add(key)
        return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        path = self._path(kind, key)
        if path is None:
            return
        self.used.setdefault(kind, set()).add(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(prefix=f".{key}.", suffix=".part", dir=path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(partial, path)
        except OSError:
            return  # a read-only or full disk: the build goes on without the cache

    def prune(self, kind: str) -> None:
        """Renew the entries of ``kind`` this build used; drop the ones unused for ``KEEP_DAYS``."""
        if self.folder is None:
            return
        try:
            self._prune(self.folder / kind, kind)
        except OSError:
            return  # an unreadable cache folder costs space, not the build

    def _prune(self, folder: Path, kind: str) -> None:
        if folder.is_symlink() or not folder.is_dir():
            return
        used, now = self.used.get(kind, set()), time.time()
        unused: list[tuple[float, Path]] = []
        for entry in folder.iterdir():
            try:
                if not stat.S_ISREG(entry.lstat().st_mode):
                    continue  # rolebook writes files only; anything else is left as it is, unfollowed
                if entry.name.startswith("."):
                    if entry.stat().st_mtime < now - 3600:
                        entry.unlink()  # left by a build that was killed while writing
                elif entry.name.removesuffix(KINDS[kind]) in used:
                    os.utime(entry, (now, now))
                else:
                    unused.append((entry.stat().st_mtime, entry))
            except OSError:
                continue
        unused.sort(reverse=True)
        keep = KEEP_COMBINED if kind == "combined" else len(unused)
        for index, (mtime, entry) in enumerate(unused):
            if index >= keep or mtime < now - KEEP_DAYS * 86400:
                try:
                    entry.unlink()
                except OSError:
                    continue
