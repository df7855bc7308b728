"""``rolebook serve``: MkDocs' live-reload server, answering while a playbook file is invalid.

MkDocs' own ``serve`` builds into the folder it serves and, when a rebuild fails, holds every
request until a build succeeds. Here each build goes into a fresh folder that replaces the served
one only when it is complete. A failed build leaves the last good site served, prints its problems
in the terminal (one line each) and shows them in a banner at the top of every served page until a
build succeeds; before the first good build, the served page lists the problems.

The preview is served at the root of the address (``http://127.0.0.1:8000/``, the address printed),
whatever the path of ``site_url`` in mkdocs.yml: MkDocs' own serve mounts the site under that path and
answers ``/`` with a redirect it logs as a warning. Pages link to each other relatively, and the cards'
QR codes keep the published ``site_url`` (plugin.on_config), so nothing in the site needs the path.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
import jinja2

from generator.core.mkdocs_settings import config_file
from generator.diagnostics import one_line
from generator.errors import RolebookError
from generator.render.sandbox import template_location, template_problem
from generator.site.mkdocs_log import collected_messages, quiet_material

log = logging.getLogger("rolebook.serve")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
BANNER_ID = "rolebook-problems"
_BANNER_STYLE = (
    "background:#b71c1c;color:#fff;padding:.75em 1.25em;margin:0;font:.8rem/1.5 monospace;"
    "position:relative;z-index:10;overflow-wrap:anywhere"
)
_WAITING_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rolebook: the playbook has problems'
    "</title></head><body><h1>No site yet</h1><p>rolebook builds the site once the problems above are "
    "fixed; this page reloads then.</p></body></html>"
)


class Served:
    """What the server shows beside the site: the problems of the last build, none when it succeeded."""

    def __init__(self) -> None:
        self.problems: tuple[str, ...] = ()
        self.ever_built = False


def problem_lines(exc: Exception, logged: list[str], project: Path | None = None) -> tuple[str, ...]:
    """The located problems of a failed build, one printable line each, in the order they arose."""
    projects = [project.resolve()] if project else []
    if isinstance(exc, click.ClickException):  # rolebook's errors and MkDocs' Abort and config errors
        message = exc.format_message()
    elif isinstance(exc, jinja2.TemplateError) or template_location(exc, projects):
        message = template_problem(exc, projects, []).format_message()  # a theme template, said where
    else:
        message = f"rolebook: internal error: {type(exc).__name__}: {exc}"
    lines = [one_line(line) for text in (*logged, message) for line in text.splitlines() if line.strip()]
    return tuple(dict.fromkeys(lines))


def banner(problems: tuple[str, ...], ever_built: bool) -> bytes:
    """The problems as an HTML element, every line escaped; it needs no script or stylesheet."""
    heading = (
        "The playbook has problems: this preview shows the last good build until they are fixed."
        if ever_built
        else "The playbook has problems: there is no site to show until they are fixed."
    )
    items = "".join(f"<li>{html.escape(line)}</li>" for line in problems)
    return (
        f'<div id="{BANNER_ID}" role="alert" style="{_BANNER_STYLE}"><strong>{heading}</strong>'
        f'<ul style="margin:.25em 0 0;padding-left:1.25em">{items}</ul></div>'
    ).encode()


def with_banner(page: bytes, element: bytes) -> bytes:
    """``page`` with ``element`` first in its body."""
    start = page.lower().find(b"<body")
    end = page.find(b">", start) + 1 if start >= 0 else 0
    return page[:end] + element + page[end:]


def banner_app(app: WSGIApp, served: Served) -> WSGIApp:
    """The server's WSGI app, with the banner added to every HTML answer while there are problems."""

    def answer(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        problems, ever_built = served.problems, served.ever_built
        if not problems:
            return app(environ, start_response)
        held: list[Any] = []
        body = app(environ, lambda status, headers, exc_info=None: held.extend([status, headers]))
        status, headers = held
        kind = next((value for name, value in headers if name.lower() == "content-type"), "")
        if not kind.startswith("text/html"):
            start_response(status, headers)
            return body
        try:
            page = with_banner(b"".join(body), banner(problems, ever_built))
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(page)))])
        return [page]

    return answer


def _terminal(logger: logging.Logger, formatter: logging.Formatter) -> logging.Handler:
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


def _load_quietly(module: str) -> None:
    """Import ``module`` ahead of time; if it cannot load, the step that needs it says so."""
    import importlib

    try:
        importlib.import_module(module)
    except Exception:  # e.g. a missing system library: reported when a card is laid out
        return


def serve_playbook(project: Path, dev_addr: str | None) -> None:
    """Serve the playbook with live reload, rebuilding when the docs, mkdocs.yml or the playbook change."""
    quiet_material()
    path = str(config_file(project))
    overrides: dict[str, Any] = {"dev_addr": dev_addr} if dev_addr else {}
    # An edited card is laid out here, by WeasyPrint: load it while the first build runs, not on the first edit.
    threading.Thread(target=_load_quietly, args=("weasyprint",), daemon=True).start()
    mkdocs_log = logging.getLogger("mkdocs")
    handlers = [
        (mkdocs_log, _terminal(mkdocs_log, logging.Formatter("%(levelname)-7s -  %(message)s"))),
        (log, _terminal(log, logging.Formatter("%(message)s"))),  # the problems, as validate prints them
    ]
    work = Path(tempfile.mkdtemp(prefix="rolebook-serve-"))
    root, staging = work / "site", work / "building"
    root.mkdir()
    served = Served()
    try:
        _serve(path, overrides, root, staging, served)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for logger, handler in handlers:
            logger.removeHandler(handler)


def _serve(path: str, overrides: dict[str, Any], root: Path, staging: Path, served: Served) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.livereload import LiveReloadServer

    mkdocs_log = logging.getLogger("mkdocs")

    def get_config() -> Any:
        return load_config(path, site_dir=str(staging), **overrides)

    def builder(config: Any = None) -> None:
        """One build; a failure keeps the served site, says why, and never stops the server."""
        mkdocs_log.info("Building documentation...")
        shutil.rmtree(staging, ignore_errors=True)
        with collected_messages() as logged:
            try:
                if config is None:
                    config = get_config()
                config.site_url = serve_url
                build(config, serve_url=serve_url)
                _replace(root, staging)
            except Exception as exc:
                if os.environ.get("ROLEBOOK_DEBUG"):
                    traceback.print_exc()
                _failed(served, root, problem_lines(exc, logged.lines, Path(path).parent))
                return
        served.problems, served.ever_built = (), True

    try:
        config = get_config()
    except ConfigurationError as exc:
        raise RolebookError(f"{path}: {exc}") from None
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        host, port = config.dev_addr
        server = LiveReloadServer(builder=builder, host=host, port=port, root=str(root), mount_path="/")
        serve_url = server.url  # the pages' site_url while served: the preview's own address
        server.set_app(banner_app(server.serve_request, served))
        server.error_handler = lambda code: _error_page(root, code, served)
        builder(config)
        server.watch(config.docs_dir)
        server.watch(path)
        if config.theme.custom_dir:  # the organization's theme changes, as MkDocs' own serve watches them
            server.watch(config.theme.custom_dir)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve()
        except KeyboardInterrupt:
            mkdocs_log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()


def _replace(root: Path, staging: Path) -> None:
    """The complete build in ``staging`` becomes the served folder (requests wait while a build runs)."""
    old = root.with_name("old")
    shutil.rmtree(old, ignore_errors=True)
    os.rename(root, old)
    try:
        os.rename(staging, root)
    except OSError:
        os.rename(old, root)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _failed(served: Served, root: Path, problems: tuple[str, ...]) -> None:
    for line in problems:
        log.error(line)
    if served.ever_built:
        log.warning(
            "rolebook: still serving the last good build; the pages show these problems until they are fixed"
        )
    else:
        (root / "index.html").write_text(_WAITING_PAGE, encoding="utf-8")
    served.problems = problems


def _error_page(root: Path, code: int, served: Served) -> bytes | None:
    """MkDocs' custom 404 page of the site; before the first good build, the page listing the problems."""
    page = root / f"{code}.html"
    if page.is_file():
        return page.read_bytes()
    return _WAITING_PAGE.encode() if not served.ever_built else None
