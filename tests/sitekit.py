"""Helpers for the site tests: a private copy of the default project, builds, and HTML reading."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

REPO_ROOT = Path(__file__).parent.parent
PROJECT_PARTS = ("roles", "site_config", "templates", "docs", "mkdocs.yml")
ROLE_IDS = (
    "incident-manager",
    "subject-matter-experts",
    "communication-lead",
    "operations-team",
    "support-team",
    "management-leadership",
)


def copy_project(target: Path) -> Path:
    """The repository's default playbook project, copied to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one place ``old`` stands in ``path`` with ``new`` (it must stand there once)."""
    text = path.read_text("utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), "utf-8")


def own_template(project: Path, name: str, text: str) -> Path:
    """Writes a project's own template ``templates/<name>`` (folders made as needed); its path."""
    path = project / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def sweep(values: Iterable[object], keep: int = 1) -> list[object]:
    """Values of one parameter for a sweep of real builds: the first ``keep`` run in every test run, the
    others are marked slow (left out by default, run by ``-m slow`` and .ci/run)."""
    items = list(values)
    return [*items[:keep], *(pytest.param(value, marks=pytest.mark.slow) for value in items[keep:])]


def copy_built(default_site: tuple[Path, Path], target: Path) -> Path:
    """A private copy of the shared built default project (conftest's ``default_site``): its sources,
    site/ and build cache, as its own first ``rolebook build`` would have left them; free to change."""
    project, _ = default_site
    shutil.copytree(project, target, symlinks=True)
    return target


def rolebook(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed ``rolebook`` command for real."""
    exe = Path(sys.executable).with_name("rolebook")
    return subprocess.run(
        [str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def mkdocs(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` by relative path, with the SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def load_yaml(path: Path) -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


_PORTS_GIVEN: set[int] = set()


def free_port() -> int:
    """A free port of 127.0.0.1 that no other test of this run was given.

    Under pytest-xdist each worker takes only its own share of the ports (by half the port number, as
    Linux hands out odd ports here), so two workers never pick the same port between asking and
    listening; and a process never gets a port twice, so a server still closing cannot take the next
    test's port.
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    for _ in range(1000):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if (port // 2) % workers == worker and port not in _PORTS_GIVEN:
            _PORTS_GIVEN.add(port)
            return port
    raise AssertionError("no free port of 127.0.0.1 found")


@contextmanager
def serving(
    project: Path, log: Path, program: str = "rolebook"
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``program serve`` (rolebook, mkdocs or properdocs, from this environment) on a free port, its
    terminal output in ``log``: the address of its root and the process; always stopped at the end."""
    port = free_port()
    exe = Path(sys.executable).with_name(program)
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(exe), "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=project, stdout=out, stderr=out
        )
        try:
            yield f"http://127.0.0.1:{port}/", server
        finally:
            server.kill()
            server.wait(timeout=20)


def wait_for(check: Callable[[], bool], seconds: float = 30) -> bool:
    """Whether ``check`` came true within ``seconds`` (asked four times a second)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return False


def http_get(url: str) -> tuple[int, bytes]:
    """The status and body of ``url``; 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except OSError:
        return 0, b""


CHROMIUM = "/usr/bin/chromium"  # Debian's chromium, which .ci/run installs
_CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """A headless chromium for the browser tests, closed at the end (playwright must be installed)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(_CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and not Path(CHROMIUM).exists(),
    reason="chromium is not installed: apt-get install chromium (the tests never download a browser)",
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_server(folder: Path, port: int = 0) -> Iterator[str]:
    """``folder`` served on ``port`` of 127.0.0.1 (an ephemeral one by default), a secure context as service
    workers need, until the end: its address."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
