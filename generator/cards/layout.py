"""Laying out quick cards with WeasyPrint, in this process or in worker processes.

A card takes tens of milliseconds to lay out, so a few hundred cards are shared
among worker processes, one per CPU. Workers are plain Python subprocesses that
import nothing from the current folder (``-P``): they read their cards from a
folder of their own and write each PDF back there, so nothing of the calling
program (its threads, its main script) is copied or run again. A card a worker did
not deliver is laid out here, and a failed worker is reported, so it costs time,
never a card.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.cards.fit import TextCheck, check_text, faces_of, fits, fitted, next_smaller, put_back
from generator.dates import dated
from generator.errors import RolebookError

# Cards per worker before another process is worth its start-up (about the time of ten cards); at most this many.
CARDS_PER_WORKER = 12
MAX_WORKERS = 4
WORKERS_ENV = "ROLEBOOK_WORKERS"

log = logging.getLogger("rolebook")

# what WeasyPrint says of the machine, not of a card: not a card's warning (a card that warns is laid out
# again at every build)
_MACHINE_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)


@dataclass(frozen=True)
class Result:
    pdf: bytes | None  # when the card took as many pages as it has faces
    pages: int
    warnings: tuple[str, ...] = ()  # what WeasyPrint said while laying it out
    text: TextCheck = dataclasses.field(
        default_factory=TextCheck
    )  # its smallest text and any line too wide, as laid out


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(_MACHINE_NOTICES):
            self.messages.append(message)


_fonts: Any = None


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def weasy_html(text: str) -> Any:
    """Cards are made from the playbook alone: WeasyPrint may load nothing from disk or network."""
    import weasyprint

    return weasyprint.HTML(string=text, url_fetcher=_fetcher())


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_sheets: dict[str, Any] = {}  # parsed stylesheets by text: every card of one size shares one


def _split_style(html: str) -> tuple[str, list[Any]]:
    """A document with one <style> block: the document without it, and the block parsed once per process.

    Given as a stylesheet instead, the same rules give the same layout and the same bytes (tests compare)."""
    import weasyprint

    blocks = list(_STYLE.finditer(html))
    if len(blocks) != 1:
        return html, []
    text = blocks[0].group(1)
    if text not in _sheets:
        if len(_sheets) > 16:
            _sheets.clear()
        _sheets[text] = weasyprint.CSS(string=text, url_fetcher=_fetcher(), font_config=_font_config())
    return html[: blocks[0].start()] + html[blocks[0].end() :], [_sheets[text]]


def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    global _fonts
    _fonts = _fonts or FontConfiguration()  # fonts are looked up once per process, not once per card
    return _fonts


def lay_out_one(html: str, faces: int, stamp: str) -> Result:
    """One card: its PDF if it takes ``faces`` pages (else None), the pages it takes, WeasyPrint's warnings and
    what its text measures. A face that runs over is laid out again without its optional sections, one by one.
    The PDF is dated ``stamp`` (generator/dates.py)."""
    from generator.render.card_content import fill_qr_marks

    said = _Warnings()
    logging.getLogger("weasyprint").addHandler(said)
    try:
        document = laid_out(fill_qr_marks(html), faces)
        pages = len(document.pages)
        fits_page = fits(document, faces)
        with dated(stamp):
            pdf = document.write_pdf() if fits_page else None
        return Result(pdf, pages, tuple(said.messages), check_text(document))
    finally:
        logging.getLogger("weasyprint").removeHandler(said)


PUT_BACK_TRIES = 1  # layouts spent, at most, on putting back a section a card went without


def laid_out(html: str, faces: int) -> Any:
    """The card laid out (a WeasyPrint document), without the optional sections it has no room for: those the
    heights of its faces' parts say they cannot hold, then, if that was not enough, the lowest ranks one at a
    time; then back in, the most wanted that may fit after all."""
    document = _render(html)
    if fits(document, faces):
        return document
    original, whole = html, faces_of(document)
    guess = fitted(html, document)
    if guess is not None:
        html, document = guess, _render(guess)
    while not fits(document, faces):
        smaller = next_smaller(html, document)
        if smaller is None:
            return document
        html, document = smaller, _render(smaller)
    for candidate in put_back(original, html, document, whole)[:PUT_BACK_TRIES]:
        fuller = _render(candidate)
        if fits(fuller, faces):
            return fuller
    return document


def _render(html: str) -> Any:
    document_html, stylesheets = _split_style(html)
    return weasy_html(document_html).render(font_config=_font_config(), stylesheets=stylesheets)


def worker_count(cards: int) -> int:
    """One process per CPU (at most MAX_WORKERS) when each gets enough cards; ``$ROLEBOOK_WORKERS`` sets it."""
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting:
        if not setting.isdigit():
            raise RolebookError(
                f"{WORKERS_ENV}={setting!r}: expected a whole number of processes (1: no workers)"
            )
        return max(1, min(int(setting), cards))
    return max(1, min(_cpus(), MAX_WORKERS, cards // CARDS_PER_WORKER))


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Layouts:
    """Cards (role id -> HTML) being laid out; ``results`` waits for them. Workers start at once."""

    def __init__(self, jobs: dict[str, str], faces: int, stamp: str, background: bool = False) -> None:
        """With ``background`` (the caller has other work meanwhile, as a site build has), even a few cards
        go to a worker process when there is a CPU to spare, rather than wait to be laid out here."""
        self.jobs = jobs
        self.faces = faces
        self.stamp = stamp
        self._folder: Path | None = None
        self._workers: list[tuple[subprocess.Popen[str], Path]] = []
        self._shares: list[list[str]] = []  # the role ids each worker lays out
        self._cleanup: Callable[[], None] = lambda: None
        workers = worker_count(len(jobs))
        if background and workers == 1 and jobs and not os.environ.get(WORKERS_ENV) and _cpus() > 1:
            workers = 0  # one worker process, beside the caller
        if workers != 1:
            try:
                self._start(max(workers, 1))
            except OSError:
                self.close()  # no processes to be had: everything is laid out here

    def _start(self, workers: int) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="rolebook-cards-"))
        # also run when this object is dropped or the program ends, so no worker or folder outlives a build
        self._cleanup = weakref.finalize(self, _stop, self._workers, self._folder)
        ids = list(self.jobs)
        # -P: nothing from the current folder shadows a module; this package is found where it is, last
        package_parent = str(Path(__file__).resolve().parents[2])
        code = f"import sys; sys.path.append({package_parent!r}); from generator.cards.layout import work; work()"
        for index in range(workers):
            folder = self._folder / f"worker-{index}"
            folder.mkdir()
            self._shares.append(ids[index::workers])
            cards = {rid: self.jobs[rid] for rid in self._shares[-1]}
            (folder / "cards.json").write_text(
                json.dumps({"faces": self.faces, "stamp": self.stamp, "cards": cards}), "utf-8"
            )
            with (folder / "stderr.txt").open("w") as stderr:
                process = subprocess.Popen(
                    [sys.executable, "-P", "-c", code, str(folder)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    text=True,
                )
            self._workers.append((process, folder))

    def results(self, progress: Callable[[str], None] | None = None) -> dict[str, Result]:
        """Every card's result, in the order of ``jobs``."""
        try:
            done = self._collect(progress) if self._workers else {}
            for role_id, html in self.jobs.items():
                if role_id not in done:
                    done[role_id] = lay_out_one(html, self.faces, self.stamp)
                    if progress:
                        progress(role_id)
            return {role_id: done[role_id] for role_id in self.jobs}
        finally:
            self.close()

    def _collect(self, progress: Callable[[str], None] | None) -> dict[str, Result]:
        finished: queue.Queue[str | None] = queue.Queue()

        def relay(stream: Any) -> None:
            for line in stream:
                finished.put(line.strip())
            finished.put(None)

        for process, _ in self._workers:
            threading.Thread(target=relay, args=(process.stdout,), daemon=True).start()
        open_streams = len(self._workers)
        while open_streams:
            role_id = finished.get()
            if role_id is None:
                open_streams -= 1
            elif progress and role_id in self.jobs:
                progress(role_id)
        done: dict[str, Result] = {}
        for (process, folder), share in zip(self._workers, self._shares, strict=True):
            if process.wait() != 0:
                said = (folder / "stderr.txt").read_text("utf-8", "replace").strip().splitlines()
                log.warning(
                    "a card layout process stopped (exit code %s%s); its cards are laid out here instead",
                    process.returncode,
                    f": {said[-1][:300]}" if said else "",
                )
            for role_id in share:
                done.update(_delivered(folder, role_id))
        return done

    def close(self) -> None:
        """Stop the workers (if still running) and remove their folder."""
        self._cleanup()


def _stop(workers: list[tuple[subprocess.Popen[str], Path]], folder: Path) -> None:
    for process, _ in workers:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
    workers.clear()
    shutil.rmtree(folder, ignore_errors=True)


def _delivered(folder: Path, role_id: str) -> dict[str, Result]:
    """What a worker wrote for one card: nothing until its <id>.json is complete."""
    try:
        said = json.loads((folder / f"{role_id}.json").read_text("utf-8"))
        pdf = (folder / f"{role_id}.pdf").read_bytes() if said["fits"] else None
        warnings = tuple(str(w) for w in said["warnings"])
        return {role_id: Result(pdf, int(said["pages"]), warnings, TextCheck(**said["text"]))}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def work() -> None:
    """A worker (argument: its folder): lay out each card of cards.json, write its PDF and what came of it."""
    folder = Path(sys.argv[1])
    request = json.loads((folder / "cards.json").read_text("utf-8"))
    for role_id, html in request["cards"].items():
        result = lay_out_one(html, request["faces"], request["stamp"])
        if result.pdf is not None:
            (folder / f"{role_id}.pdf").write_bytes(result.pdf)
        said = {
            "fits": result.pdf is not None,
            "pages": result.pages,
            "warnings": list(result.warnings),
            "text": dataclasses.asdict(result.text),
        }
        partial = folder / f"{role_id}.part"
        partial.write_text(json.dumps(said), "utf-8")
        partial.replace(folder / f"{role_id}.json")  # complete: the PDF is written before it
        print(role_id, flush=True)
