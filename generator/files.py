"""Writing output without losing anything: whole files or nothing, and never over the sources."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import RolebookError


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def shared_mode(path: Path, *, folder: bool) -> None:
    """Temporary files and folders are private; what rolebook publishes gets the usual permissions."""
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` first, then rename: a failure never leaves half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    except OSError as exc:
        raise RolebookError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        shared_mode(Path(temporary), folder=False)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise RolebookError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_output_folder(target: Path, sources: list[Path], project: Path) -> None:
    """Refuse an output folder that is, holds or lies inside a source folder, holds the project,
    or holds files that are not an earlier build."""
    target = target.resolve()
    for source in [project, *sources]:
        source = source.resolve()
        inside = source in target.parents and source != project.resolve()
        if target == source or target in source.parents or inside:
            raise RolebookError(
                f"{target}: the site cannot go there: it would replace or mix with {source}; choose another folder"
            )
    if target.is_file():
        raise RolebookError(f"{target}: is a file, not a folder")
    earlier_build = (target / "index.html").is_file() or (target / "404.html").is_file()
    if target.is_dir() and any(target.iterdir()) and not earlier_build:
        raise RolebookError(
            f"{target}: the folder holds other files and does not look like a built site; "
            "choose an empty or new folder"
        )
