"""Writing output without losing anything: whole files or nothing, and never over the sources."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from generator.errors import RolebookError

SITE_MARKER = ".rolebook-site"  # written into every site rolebook builds; only such a folder is replaced
SOURCE_PARTS = ("roles", "site_config", "templates", "docs")


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
    earlier_build = (target / SITE_MARKER).is_file()
    if target.is_dir() and any(target.iterdir()) and not earlier_build:
        raise RolebookError(
            f"{target}: the folder holds other files and does not look like a built site; "
            "choose an empty or new folder"
        )


def check_export_folder(target: Path, project: Path) -> None:
    """Refuse an export folder inside the playbook's sources (or its .git), or one that holds the project:
    the next build would publish the export, or the export would copy itself."""
    folder, root = target.resolve(), project.resolve()
    sources = [root / part for part in (*SOURCE_PARTS, ".git")]
    if folder == root or folder in root.parents or any(folder == s or s in folder.parents for s in sources):
        raise RolebookError(f"{target}: inside the playbook's sources; write the export somewhere else")


def check_output_file(path: Path, project: Path) -> None:
    """Refuse to write an export or a PDF over the project's sources, or over a folder."""
    target = path.resolve()
    root = project.resolve()
    sources = [root / part for part in SOURCE_PARTS]
    if target == root / "mkdocs.yml" or any(target == s or s in target.parents for s in sources):
        raise RolebookError(f"{path}: inside the playbook's sources; write the output somewhere else")
    check_plain_file(
        path, "name a file to write, or leave out -o to write CSV, JSON or Terraform JSON to standard output"
    )
    if target.suffix.lower() in (".yaml", ".yml") and target.exists():
        raise RolebookError(f"{path}: an existing YAML file; rolebook does not write over it")


def check_plain_file(path: Path, advice: str = "name a file to write") -> None:
    """Refuse to write over a folder, a link, a device (/dev/stdout) or a pipe: written beside and moved
    in place, the output would replace it with a plain file."""
    target = path.resolve()
    if target.is_dir():
        raise RolebookError(f"{path}: is a folder; name a file to write")
    if path.is_symlink() or (target.exists() and not target.is_file()):
        raise RolebookError(f"{path}: not a plain file (a link, a device or a pipe); {advice}")
