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


def extract(project: Path, revision: str, into: Path) -> Path:
    """The project folder as it is at ``revision``, written below ``into``; returns its path there."""
    _git(project, "rev-parse", "--show-toplevel")  # a clear error outside a repository
    prefix = _git(project, "rev-parse", "--show-prefix").decode().strip()
    try:
        _git(project, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except RolebookError:
        raise RolebookError(
            f"unknown git revision {revision!r} (a branch, tag or commit is expected)"
        ) from None
    archive = _git(project, "archive", "--format=tar", revision, "--", ".")  # "." is the project folder
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")  # the data filter refuses links and paths outside `into`
    # Run from a subfolder, git archive writes paths relative to that folder; from the top, from the top.
    target = into / prefix if prefix and (into / prefix).is_dir() else into
    target.mkdir(parents=True, exist_ok=True)
    return target
