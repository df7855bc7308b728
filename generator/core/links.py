"""Links in a project: rolebook reads a file through a link only while the link stays inside the project.

A playbook is edited by many hands. A symbolic link in roles/, site_config/, templates/ or docs/
that points at a file elsewhere on the machine (a key, a system file, another checkout) would
otherwise be read, validated, echoed in error messages and published. Such a file is refused
before a byte of it is read; links between files of the project keep working.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

LEAVES = (
    "leads outside the project, into a hidden folder of it or round a loop (a link?); "
    "rolebook reads no file out of the project"
)


def inside(path: Path | str, root: Path | str) -> bool:
    """Whether ``path``, with every link in it followed, stays within ``root`` (links followed too) and
    out of its hidden folders (``.git``, ``.cache``): a link to ``.git/config`` would publish it."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # links that lead round to themselves
            return False
    real = os.path.realpath(path)
    top = os.path.realpath(root)
    if real == top:
        return True
    if not real.startswith(top.rstrip(os.sep) + os.sep):
        return False
    if real == os.path.abspath(path):  # no link on the way: the path itself is the project's
        return True
    return not any(part.startswith(".") for part in Path(real).relative_to(top).parts)


def outside_files(folder: Path, root: Path) -> Iterator[Path]:
    """Every file or folder under ``folder`` (``folder`` included) that links take out of ``root``.

    A folder that leads out is reported and not entered, a folder reached twice (a link loop) is
    walked once; nothing is read."""
    if not folder.exists() and not folder.is_symlink():
        return
    if not inside(folder, root):
        yield folder
        return
    seen: set[str] = set()
    for current, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(current)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        base = Path(current)
        for name in sorted(files):
            if not inside(base / name, root):
                yield base / name
        kept = []
        for name in sorted(dirs):
            if inside(base / name, root):
                kept.append(name)
            else:
                yield base / name
        dirs[:] = kept
