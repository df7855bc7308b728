"""A project as it was at a git revision, extracted into a temporary folder."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from .errors import RolebookError


def _git(project: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=project, capture_output=True, check=False, timeout=120)
    except FileNotFoundError:
        raise RolebookError("git is not installed; rolebook diff compares git revisions") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RolebookError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return result.stdout


def _plain_files(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """Regular files and folders only: links are left out, and nothing lands outside the folder."""
    if member.issym() or member.islnk():
        return None
    return tarfile.data_filter(member, path)


def extract(project: Path, revision: str, into: Path) -> Path | None:
    """The project folder as it is at ``revision``, written into ``into``; None if it did not exist then."""
    top = Path(_git(project, "rev-parse", "--show-toplevel").decode().strip())
    prefix = project.resolve().relative_to(top.resolve()).as_posix()
    try:
        _git(project, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except RolebookError:
        raise RolebookError(
            f"unknown git revision {revision!r} (a branch, tag or commit is expected)"
        ) from None
    listed = _git(top, "ls-tree", "-d", "--name-only", revision, "--", prefix) if prefix != "." else b"."
    if not listed.strip():
        return None  # the project folder was added after this revision
    archive = _git(top, "archive", "--format=tar", revision, "--", prefix)
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(into, filter=_plain_files)
    except (tarfile.TarError, OSError) as exc:
        raise RolebookError(f"cannot read the project at {revision!r}: {exc}") from None
    target = into / prefix
    target.mkdir(parents=True, exist_ok=True)
    return target
