"""Running one step of the benchmark as its own process: wall time and peak memory."""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Figure:
    """The median of the runs of one step, and the largest peak resident memory of any of them."""

    seconds: float
    peak_mb: float
    runs: int

    def __str__(self) -> str:
        return f"{self.seconds:.2f} s"


def tool(name: str) -> list[str]:
    """A console script of this environment (``rolebook``, ``mkdocs``), as a user would start it."""
    found = BIN / name
    if found.exists():
        return [str(found)]
    modules = {"rolebook": "generator.cli", "mkdocs": "mkdocs"}
    return [sys.executable, "-m", modules[name]]


def run_once(command: Sequence[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak memory (MB, of the largest process in the run) and output of one command."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, text=True, env=_env())
        _, status, usage = os.wait4(process.pid, 0)  # the usage of this process and what it waited for
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{err.read()[-3000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read()


def measure(
    command: Sequence[str], repeats: int, before: Callable[[], None] | None = None, cwd: Path | None = None
) -> Figure:
    """``repeats`` runs of ``command`` (``before`` runs ahead of each, untimed)."""
    times, peaks = [], []
    for _ in range(repeats):
        if before:
            before()
        seconds, peak, _ = run_once(command, cwd)
        times.append(seconds)
        peaks.append(peak)
    return Figure(statistics.median(times), max(peaks), repeats)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ROLEBOOK_CACHE_DIR", None)  # the benchmark manages the project's own cache
    return env


def remove(*paths: Path) -> Callable[[], None]:
    def clear() -> None:
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)

    return clear


def serve_latency(project: Path, role_file: Path, page: str, repeats: int) -> Figure:
    """Seconds from saving an edited role file to the served page showing the edit, under ``rolebook serve``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*tool("rolebook"), "serve", "-p", str(project), "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    original = role_file.read_text("utf-8")
    url = f"http://127.0.0.1:{port}/{page}"
    try:
        _wait_for(url, "Role", timeout=300)
        times = []
        for attempt in range(repeats):
            time.sleep(1.0)  # let the server settle after the previous rebuild
            marker = f"Edited for the benchmark, attempt {attempt}"
            start = time.perf_counter()
            role_file.write_text(original.replace("summary: ", f"summary: {marker}. ", 1), "utf-8")
            _wait_for(url, marker, timeout=60)
            times.append(time.perf_counter() - start)
    finally:
        role_file.write_text(original, "utf-8")
        server.terminate()
        server.wait()
    return Figure(statistics.median(times), 0.0, repeats)


def _wait_for(url: str, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text in response.read().decode("utf-8"):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"benchmark: {url} did not show {text!r} within {timeout:.0f} s")
