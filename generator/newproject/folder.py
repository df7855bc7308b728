"""A new folder that appears whole or not at all.

Its files are written into a hidden work folder beside the target, checked, and moved into
place: with one rename when the target does not exist yet; into an existing empty folder
entry by entry, put back on any failure, so the folder itself (its permissions, a shell sitting
in it, a mount) stays the user's own. A failure or an interruption (Ctrl-C, SIGTERM, SIGHUP)
removes the work folder and any parent folders made for it. A process killed outright leaves
its work folder behind; the next run in the same parent folder removes it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from generator.errors import RolebookError

WORK_PREFIX = ".rolebook-init-"  # then the process id and a random tag
_STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def not_empty(target: Path) -> RolebookError:
    return RolebookError(f"{target}: not an empty folder; rolebook init writes only into a new or empty one")


def check_target(target: Path) -> Path:
    """The target with links followed; refused unless it is a new or an empty folder. A link that
    leads nowhere is refused: following it would make folders wherever it points."""
    if target.is_symlink() and not target.exists():
        raise RolebookError(f"{target}: a link to a folder that does not exist; name a real folder")
    try:
        real = target.resolve()
        if real.exists() and (not real.is_dir() or any(real.iterdir())):
            raise not_empty(target)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links
        raise RolebookError(
            f"{target}: cannot use this path: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    return real


def write_folder(target: Path, files: Iterable[tuple[str, str]], check: Callable[[Path], None]) -> list[Path]:
    """Write ``files`` (relative path, text) as the folder ``target``; ``check`` may refuse the
    written folder by raising. Returns the paths written, as they stand in ``target``."""
    target = check_target(target)
    written: list[str] = []
    with _stoppable():
        made = _highest_missing(target.parent)
        work: Path | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _sweep(target.parent)
            fresh = target.parent / f"{WORK_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
            try:
                fresh.mkdir()
            except OSError as exc:
                raise RolebookError(
                    f"{target.parent}: cannot write here ({exc.strerror}); the new folder is put "
                    "together beside its place, so its parent folder must be writable"
                ) from None
            work = fresh  # ours from here on: removed on any failure
            for rel, text in files:
                path = work / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
                    handle.write(text)
                written.append(rel)
            check(work)
            _move_into_place(work, target)
        except BaseException:
            with _deferred():
                if work is not None and work.is_dir() and not work.is_symlink():
                    shutil.rmtree(work, ignore_errors=True)
                _remove_made(made, target.parent)
            raise
    return [target / rel for rel in written]


def _move_into_place(work: Path, target: Path) -> None:
    with _deferred():
        if not os.path.lexists(target):
            try:
                os.rename(work, target)  # one step: the folder appears whole
            except OSError as exc:  # made meanwhile, and not empty
                raise not_empty(target) from exc
            return
        if not target.is_dir() or any(target.iterdir()):
            raise not_empty(target)
        moved: list[str] = []
        try:
            for entry in sorted(work.iterdir()):
                os.rename(entry, target / entry.name)
                moved.append(entry.name)
            work.rmdir()
        except BaseException:
            for name in reversed(moved):
                os.rename(target / name, work / name)
            raise


def _highest_missing(folder: Path) -> Path | None:
    """The highest of ``folder`` and its parents that does not exist yet, or None."""
    missing = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
    return missing[-1] if missing else None


def _remove_made(made: Path | None, folder: Path) -> None:
    """Remove the folders from ``folder`` up to ``made`` that this run made, while they are empty."""
    if made is None:
        return
    for path in (folder, *folder.parents):
        try:
            path.rmdir()
        except FileNotFoundError:
            pass  # never made: the failure came first
        except OSError:
            return
        if path == made:
            return


def _sweep(parent: Path) -> None:
    """Remove work folders of runs whose process is gone (killed outright)."""
    for stale in parent.glob(f"{WORK_PREFIX}*"):
        pid = stale.name.removeprefix(WORK_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists, under another user
        return True
    return True


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM and SIGHUP end the run through the same clean-up as Ctrl-C (unless ignored)."""
    if not _main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous: dict[signal.Signals, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) == signal.SIG_DFL:
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@contextmanager
def _deferred() -> Iterator[None]:
    """Signals that stop the process wait until the block is done: a move or a clean-up runs whole."""
    if not _main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
