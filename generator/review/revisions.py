"""A project as it was at a git revision, read from git's own objects into a temporary folder.

The tree is listed with ``git ls-tree`` and every blob is read through one ``git cat-file --batch``
process, streamed to plain files: no archive is unpacked and no link is written or followed. A
symbolic link under the folders rolebook reads is a located problem of that revision; submodules
are skipped.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from generator.diagnostics import Diagnostic
from generator.errors import RolebookError

READ_FOLDERS = ("roles", "site_config", "templates", "docs")  # a link here makes the revision invalid
LINK_MODE = b"120000"
SUBMODULE_MODE = b"160000"
EXECUTABLE_MODE = b"100755"
CHUNK = 64 * 1024
LINK_TARGET_SHOWN = 200  # characters of a link's target quoted in its message
TIMEOUT = 120


@dataclass
class Revision:
    """The project folder written from a revision, and the problems found while writing it."""

    folder: Path
    problems: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    mode: bytes
    kind: bytes
    oid: bytes
    path: bytes  # relative to the top of the repository, as git stores it


def _git(cwd: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(
            ["git", "--literal-pathspecs", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=TIMEOUT,
        )
    except FileNotFoundError:
        raise RolebookError("git is not installed; rolebook diff compares git revisions") from None
    except subprocess.TimeoutExpired:
        raise RolebookError(f"git {args[0]} took longer than {TIMEOUT} s") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RolebookError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return result.stdout


def _commit(project: Path, revision: str) -> str:
    unknown = RolebookError(f"unknown git revision {revision!r} (a branch, tag or commit is expected)")
    if not revision or revision.startswith("-"):
        raise unknown
    try:
        return _git(project, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
    except RolebookError:
        raise unknown from None


def _entries(top: Path, commit: str, prefix: str) -> list[_Entry]:
    pathspec = [] if prefix == "." else ["--", prefix]
    listing = _git(top, "ls-tree", "-r", "-t", "-z", "--full-tree", commit, *pathspec)
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, oid = meta.split(b" ", 2)
        entries.append(_Entry(mode, kind, oid, path))
    return entries


def _relative(path: bytes, prefix: str) -> str | None:
    """``path`` relative to the project folder, or None when it lies outside it."""
    text = os.fsdecode(path)
    if prefix == ".":
        return text
    return text[len(prefix) + 1 :] if text.startswith(prefix + "/") else None


def _safe_parts(rel: str) -> list[str] | None:
    parts = rel.split("/")
    if rel.startswith("/") or any(part in ("", ".", "..") or "\0" in part for part in parts):
        return None
    return parts


class _Blobs:
    """One ``git cat-file --batch`` process; each object is streamed, never held whole in memory."""

    def __init__(self, top: Path) -> None:
        self._process = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=top,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def copy(self, oid: bytes, sink: IO[bytes] | None, keep: int = 0) -> bytes:
        """Write the blob to ``sink``; return its first ``keep`` bytes."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(oid + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
            raise RolebookError(f"git cat-file: cannot read object {oid.decode('ascii', 'replace')}")
        left, kept = int(header[2]), b""
        while left:
            chunk = stdout.read(min(CHUNK, left))
            if not chunk:
                raise RolebookError("git cat-file stopped before the end of an object")
            left -= len(chunk)
            if sink is not None:
                sink.write(chunk)
            if len(kept) < keep:
                kept += chunk[: keep - len(kept)]
        stdout.read(1)  # the newline after each object
        return kept

    def close(self) -> None:
        # Both pipes first: git may still be writing an object left unread after an error.
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # a broken pipe from a git that has gone
                    pipe.close()
        try:
            self._process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def _write(blobs: _Blobs, entry: _Entry, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o755 if entry.mode == EXECUTABLE_MODE else 0o644
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(target, flags, mode), "wb") as sink:
        blobs.copy(entry.oid, sink)


def _link_problem(blobs: _Blobs, entry: _Entry, rel: str) -> Diagnostic:
    raw = blobs.copy(entry.oid, None, keep=LINK_TARGET_SHOWN * 4)
    target = raw.decode("utf-8", "replace")
    if len(target) > LINK_TARGET_SHOWN:
        target = target[:LINK_TARGET_SHOWN] + "…"
    return Diagnostic(rel, 1, 1, f"a symbolic link; rolebook reads no links (it would lead to {target})")


def extract(project: Path, revision: str, into: Path) -> Revision | None:
    """The project folder as it is at ``revision``, written into ``into``; None if it did not exist then."""
    top = Path(_git(project, "rev-parse", "--show-toplevel").decode().strip())
    prefix = project.resolve().relative_to(top.resolve()).as_posix()
    commit = _commit(project, revision)
    entries = _entries(top, commit, prefix)
    if prefix != ".":
        itself = next((e for e in entries if e.path == os.fsencode(prefix)), None)
        if itself is not None and itself.mode == LINK_MODE:
            raise RolebookError(f"{prefix} is a symbolic link at {revision!r}; rolebook reads no links")
        if itself is None or itself.kind != b"tree":
            return None  # the project folder was added after this revision
    folder = into / prefix if prefix != "." else into
    result = Revision(folder)
    folder.mkdir(parents=True, exist_ok=True)
    blobs = _Blobs(top)
    try:
        for entry in entries:
            rel = _relative(entry.path, prefix)
            if rel is None or entry.kind != b"blob" or entry.mode == SUBMODULE_MODE:
                continue  # folders are made as files need them; submodules are not part of the project
            parts = _safe_parts(rel)
            if parts is None:
                message = "a path that leaves the project folder; rolebook writes nothing outside it"
                result.problems.append(Diagnostic(rel, 1, 1, message))
            elif entry.mode == LINK_MODE:
                if parts[0] in READ_FOLDERS:
                    result.problems.append(_link_problem(blobs, entry, rel))
            else:
                _write(blobs, entry, folder.joinpath(*parts))
    except OSError as exc:
        raise RolebookError(f"cannot write the project at {revision!r}: {exc.strerror}") from None
    finally:
        blobs.close()
    return result
