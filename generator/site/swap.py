"""Putting a new site in place so that a build killed at any moment never loses the old one.

A build works in folders beside the target ``T`` (site/ by default) whose names say what they hold:

- ``.T-building-*``: a build under way, or one that stopped; never put in place.
- ``.T-new-*``: a complete build, about to replace ``T``.
- ``.T-old-*``: the previous ``T``, moved aside just before the new one moves in; always complete.
- ``.T-trash-*``: being deleted.

One build at a time works beside a target: it holds a lock on the parent folder. Before anything
else, the next build puts a ``.T-old-*`` back where ``T`` is missing (a build stopped between the two
renames; the journal ``.T-swap`` names that folder by device and inode, so nothing else is ever put
back) and deletes every other work folder: the builds that made them are no longer running.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.output import SITE_MARKER, shared_mode, write_atomically

KINDS = ("building", "new", "old", "trash")
STOP_AT = "ROLEBOOK_TEST_STOP_AT"  # for the tests: the process kills itself at the stop point so named


def stop_point(name: str) -> None:
    """With ROLEBOOK_TEST_STOP_AT=<name>, the process dies here as ``kill -9`` would kill it."""
    if os.environ.get(STOP_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def stop_during_build(config: Any) -> None:
    """For the tests: the stop point 'mkdocs-build', once MkDocs has written every file but before it returns."""
    if os.environ.get(STOP_AT) != "mkdocs-build":
        return
    from mkdocs.plugins import BasePlugin, event_priority

    class _Stop(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        @event_priority(-100)
        def on_post_build(self, config: Any) -> None:
            stop_point("mkdocs-build")

    config.plugins["rolebook-test-stop"] = _Stop()


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` while the block runs; a lock of a killed process is released
    by the system. Where folders cannot be locked (another system, some network drives), no lock."""
    if sys.platform == "win32":
        yield
        return
    import fcntl

    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _work_folders(target: Path) -> dict[str, list[Path]]:
    """rolebook's work folders beside ``target``, by kind; names that rolebook does not make are left alone."""
    pattern = re.compile(rf"\.{re.escape(target.name)}-({'|'.join(KINDS)})-[a-z0-9_]{{8}}")
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    try:
        entries = sorted(os.scandir(target.parent), key=lambda e: e.name)
    except FileNotFoundError:
        return found
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir(follow_symlinks=False):
            found[match[1]].append(Path(entry.path))
    return found


def _journal(target: Path) -> Path:
    return target.with_name(f".{target.name}-swap")


def _write_journal(target: Path, old: Path) -> None:
    """Before the old site moves aside: which folder it will be, and which folder it is (device and inode,
    which a rename keeps). Only a folder that matches goes back, so no folder that arrived some other
    way (a ``.site-old-*`` committed to a branch) ever becomes the site."""
    info = target.lstat()
    write_atomically(_journal(target), f"{old.name} {info.st_dev} {info.st_ino}\n".encode())


def _journalled(target: Path) -> Path | None:
    """The old site the journal names, if it is still the very folder that was moved aside."""
    try:
        name, dev, ino = _journal(target).read_text("utf-8").split()
        info = target.with_name(name).lstat()
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    same = (str(info.st_dev), str(info.st_ino)) == (dev, ino)
    return target.with_name(name) if same and name.startswith(f".{target.name}-old-") else None


def _renamed(folder: Path, kind: str, target: Path) -> Path:
    """``folder``'s name with its kind changed, keeping its random part: ``.T-old-x`` -> ``.T-trash-x``."""
    return folder.with_name(f".{target.name}-{kind}-{folder.name.rsplit('-', 1)[1]}")


def _delete(folder: Path, target: Path) -> None:
    """Renamed to trash first, so a deletion cut short never leaves a part of a site under another name."""
    trash = _renamed(folder, "trash", target)
    if folder != trash:
        try:
            os.rename(folder, trash)
        except OSError:
            trash = folder
    shutil.rmtree(trash, ignore_errors=True)


def recover(target: Path) -> None:
    """Undo what stopped builds left beside ``target``: if ``target`` is missing, the old site moved
    aside goes back; every other work folder is deleted. Call it holding the lock."""
    found = _work_folders(target)
    moved = _journalled(target)
    if not os.path.lexists(target) and moved in found["old"] and (moved / SITE_MARKER).is_file():
        os.rename(moved, target)
        found["old"].remove(moved)
    _journal(target).unlink(missing_ok=True)
    for kind in KINDS:
        for folder in found[kind]:
            _delete(folder, target)


def new_staging(target: Path) -> Path:
    """A fresh ``.T-building-*`` folder beside ``target`` for MkDocs to build into."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-building-", dir=target.parent))
    shared_mode(staging, folder=True)
    stop_point("staging-made")
    return staging


def put_in_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by the complete build in ``staging``. If a rename fails, the old site is put back;
    if the process dies between the renames, the next build's ``recover`` puts it back."""
    new = _renamed(staging, "new", target)
    os.rename(staging, new)
    stop_point("build-complete")
    old = None
    try:
        if os.path.lexists(target):
            old = _renamed(staging, "old", target)
            _write_journal(target, old)
            os.rename(target, old)
            stop_point("old-moved-aside")
        os.rename(new, target)
    except BaseException:  # a rename failed, or Ctrl-C came between the two: the old site goes back
        if old is not None and os.path.isdir(old) and not os.path.lexists(target):
            os.rename(old, target)
        if os.path.lexists(new):
            _delete(new, target)
        raise
    stop_point("new-moved-in")
    _journal(target).unlink(missing_ok=True)
    if old is not None:
        trash = _renamed(old, "trash", target)
        os.rename(old, trash)
        stop_point("removing-old")
        shutil.rmtree(trash, ignore_errors=True)
