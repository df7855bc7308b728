"""rolebook's phone benchmark: a role page in chromium on a phone, side by side with plain Material pages.

    python -m benchmarks.phone                  # 3 first visits of each page, in turns
    python -m benchmarks.phone --runs 5 --gzip --markdown out.md --update-docs

The phone: 375x812 CSS pixels at 3x with touch, the CPU slowed four times (CDP
Emulation.setCPUThrottlingRate) and DevTools' "Fast 3G" network (CDP Network.emulateNetworkConditions:
562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up, the numbers of DevTools' preset and Puppeteer's
PredefinedNetworkConditions). Three pages holding the same text, the Incident Manager's page of the
default playbook, each site served over HTTP on 127.0.0.1 by Python's http.server (--gzip: compressed,
as hosting services serve them):

- rolebook: the site `rolebook build` makes, with its stylesheet, scripts and service worker;
- without rolebook's scripts: the same playbook exported as a plain MkDocs project (`rolebook export
  --format markdown`) and built by `mkdocs build`, its extra_javascript taken out;
- Material alone: that export without rolebook's stylesheet either: the page a team would write by hand;
- a plain page of the same site: the role page's text as plain Markdown (task lists, no links), a page of
  docs/ in the site rolebook builds: what incident mode's markup and script cost a page of a rolebook site.

Both exports get the project's repository link, edit links and theme features, as the site has them.

For each: first paint, first contentful paint, the load event and the bytes transferred until then, as
the median of ``--runs`` first visits (each in a new browser profile, the pages in turns); then a repeat
visit (the same profile, rolebook's service worker active) and a visit with the network gone (CDP offline,
the servers stopped). Also when the role page's checklists become live (incident mode's script is loaded after
the load event), the lowest and highest ratio to Material alone over the turns, the gzipped weight of the
scripts rolebook adds and the size of its offline copy. Times are from this machine, in this run: compare
the columns, not the seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import os
import posixpath
import re
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .measure import run_once, tool
from .synth import REPO

DOCS_PAGE = Path("docs/editing-the-playbook/performance.md")


def markers(compress: bool) -> tuple[str, str]:
    """The docs page's markers around the report of a run (files served compressed or not)."""
    name = "phone-gzip" if compress else "phone"
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


CHROMIUM = "/usr/bin/chromium"
PAGE = "roles/incident-manager/"
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
OFFLINE = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
SIDES = {
    "rolebook": "rolebook's role page",
    "plain": "a plain page of the same site",
    "export": "without rolebook's scripts",
    "material": "Material alone",
}
PLAIN_PAGE = "plain-role/"  # the same text as plain Markdown, a page of docs/ in the same site
_CHECK_ITEM = re.compile(r'<li class="rb-check"[^>]*>.*?<span class="rb-check-text">(.*?)</span>.*?</li>')
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_TARGET = re.compile(r'<li><span class="rb-target-time">(.*?)</span> (.*?)</li>')


def plain_page(markdown: str) -> str:
    """A role page's Markdown as a team would write it by hand: checklists as Markdown task lists, no
    rolebook markup of incident mode, links as their text (the page sits elsewhere)."""
    text = _CHECK_ITEM.sub(lambda m: f"- [ ] {m.group(1)}", markdown)
    text = re.sub(r'(?ms)^<ul class="rb-checklist[^>]*>\n(.*?)^</ul>\n', r"\1", text)
    # the time targets as a Markdown list: the time in bold, then what is done by then
    text = re.sub(
        r'(?ms)^<ul class="rb-targets">\n(.*?)^</ul>\n', lambda m: _TARGET.sub(r"- **\1** \2", m[1]), text
    )
    return _LINK.sub(lambda m: m.group(1), text)


SCRIPT_BUDGET_KB, PAINT_GOAL_S = 15.0, 0.5
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = Object.fromEntries(performance.getEntriesByType("paint").map((e) => [e.name, e.startTime]));
  const early = performance.getEntriesByType("resource").filter((e) => e.responseEnd <= nav.loadEventStart);
  const bytes = [nav, ...early].reduce((n, e) => n + e.transferSize, 0);
  return { fp: paint["first-paint"], fcp: paint["first-contentful-paint"], load: nav.loadEventEnd, bytes };
}"""
# a checklist box that incident mode's script has made live: when it is there, in ms from the navigation
LIVE = """() => document.querySelector("article input.rb-check-box:not([disabled])") !== null && performance.now()"""
CACHED = """async () => {
  await navigator.serviceWorker.ready;
  let n = 0;
  for (const name of await caches.keys()) n += (await (await caches.open(name)).keys()).length;
  return n;
}"""


@dataclass(frozen=True)
class Load:
    """One visit, in seconds from the start of the navigation; kilobytes transferred until the load event."""

    first_paint: float
    first_contentful_paint: float
    load: float
    kilobytes: float


def make_sites(work: Path) -> dict[str, Path]:
    """The default playbook built by rolebook, and its Markdown export built by plain MkDocs, twice."""
    project = work / "project"
    project.mkdir(parents=True)
    for part in ("roles", "site_config", "templates", "docs", "mkdocs.yml"):
        source = REPO / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / part)
    from generator.core.project import load_playbook
    from generator.render.renderer import render_site

    role = render_site(load_playbook(project))["roles/incident-manager.md"]
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs" / "plain-role.md").write_text(plain_page(role), "utf-8")
    sites = {"rolebook": work / "site"}
    run_once([*tool("rolebook"), "build", "-p", str(project), "-d", str(sites["rolebook"])])
    sites["plain"] = sites["rolebook"]
    export = work / "export"
    run_once([*tool("rolebook"), "export", "--format", "markdown", "-p", str(project), "-o", str(export)])
    # the same site: the project's repository link, edit links and theme features as rolebook's build has them
    own = yaml.safe_load((project / "mkdocs.yml").read_text("utf-8"))
    same = {key: own[key] for key in ("repo_url", "edit_uri") if key in own}
    for side, drop in (("export", ("extra_javascript",)), ("material", ("extra_javascript", "extra_css"))):
        config = {**yaml.safe_load((export / "mkdocs.yml").read_text("utf-8")), **same}
        config["theme"] = {**config.get("theme", {}), "features": own.get("theme", {}).get("features", [])}
        for key in drop:
            config.pop(key, None)
        (export / f"{side}.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
        sites[side] = work / f"{side}-site"
        run_once([*tool("mkdocs"), "build", "-q", "-f", str(export / f"{side}.yml"), "-d", str(sites[side])])
    return sites


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a tab closed while its files were on the way


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a host
    compress = False
    TEXT = (".html", ".css", ".js", ".json", ".xml", ".svg", ".csv")

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.compress and wants and path.suffix in self.TEXT and path.is_file()):
            super().do_GET()
            return
        modified = self.date_time_string(int(path.stat().st_mtime))
        if self.headers.get("If-Modified-Since") == modified:  # revalidated, as the plain server answers
            self.send_response(304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", modified)
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def served(folder: Path, compress: bool) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"compress": compress})
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Phone:
    """A browser profile (its caches, its service workers) on the phone profile. Every visit opens a new tab,
    as someone opening the playbook again does, throttled through the tab's CDP session."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(**PHONE)
        self.kept = 0  # the files in the service worker's cache, after a visit that waits for it
        self.live: float | None = None  # when the last visit's checklists became live, if it waited for them

    def visit(
        self, url: str, network: dict[str, Any] = FAST_3G, keep_open: bool = False, live: bool = False
    ) -> Load | None:
        """Visit ``url`` in a new tab; None when the page does not open. With ``live``, also wait until the
        page's checklists are live (incident mode's script, loaded after the load event, has run)."""
        self.live = None
        page = self.context.new_page()
        cdp = self.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        cdp.send("Network.emulateNetworkConditions", network)
        try:
            response = page.goto(url, wait_until="load", timeout=120_000)
            if response is None or response.status != 200:
                return None
            page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
            t = page.evaluate(TIMING)
            if live:
                self.live = (
                    float(page.wait_for_function(LIVE, polling=20, timeout=60_000).json_value()) / 1000
                )
            if keep_open:  # until the service worker has kept its files
                self.kept = int(page.evaluate(CACHED))
        except Exception:  # playwright's Error: the page cannot be reached
            return None
        finally:
            page.close()
        return Load(t["fp"] / 1000, t["fcp"] / 1000, t["load"] / 1000, t["bytes"] / 1024)

    def close(self) -> None:
        self.context.close()


def median_load(loads: list[Load | None]) -> Load | None:
    done = [load for load in loads if load is not None]
    if len(done) < len(loads):
        return None
    return Load(
        *(statistics.median(getattr(load, key) for load in done) for key in Load.__dataclass_fields__)
    )


def scripts(site: Path, page: str) -> set[str]:
    """The site paths of the scripts ``page`` loads."""
    html = (site / page / "index.html").read_text("utf-8")
    found = re.findall(r'<script\b[^>]*\bsrc="([^"?#]+)', html)
    paths = {posixpath.normpath(posixpath.join(page, src)) for src in found if "//" not in src}
    if re.search(r'<script data-rb-assets="', html):  # rolebook's bootstrap, written into the page
        paths.add("assets/rolebook-offline.js")
    return paths


def gzipped_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), 9, mtime=0)) / 1024


def measure_phone(work: Path, runs: int, compress: bool, chromium: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from generator.render.incident_assets import JS_PATH
    from generator.site.offline import WORKER, kept_files

    sites = make_sites(work)
    added = scripts(sites["rolebook"], PAGE) - scripts(sites["material"], PAGE)
    loaded = {JS_PATH} if (sites["rolebook"] / JS_PATH).is_file() else set()  # by the bootstrap, after load
    weights = {name: gzipped_kb(sites["rolebook"] / name) for name in [*sorted(added | loaded), WORKER]}
    kept = kept_files(sites["rolebook"])
    figures: dict[str, Any] = {
        "scripts": weights,
        "copy": (len(kept), sum((sites["rolebook"] / rel).stat().st_size for rel in kept) / 1024),
    }
    with sync_playwright() as playwright, ExitStack() as servers:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--no-first-run"]
        )
        urls = {
            side: servers.enter_context(served(site, compress)) + (PLAIN_PAGE if side == "plain" else PAGE)
            for side, site in sites.items()
        }
        first: dict[str, list[Load | None]] = {side: [] for side in SIDES}
        live: list[float] = []
        for _ in range(runs):
            for side in SIDES:  # in turns, so that a busy moment of the machine falls on every side
                phone = Phone(browser)
                first[side].append(phone.visit(urls[side], live=side == "rolebook"))
                live.extend([phone.live] if phone.live is not None else [])
                phone.close()
        figures["first"] = {side: median_load(loads) for side, loads in first.items()}
        figures["turns"] = first
        figures["live"] = statistics.median(live) if live else None
        returning = {side: Phone(browser) for side in SIDES}
        returning["rolebook"].visit(urls["rolebook"], keep_open=True)
        figures["cached_files"] = returning["rolebook"].kept
        for side in ("plain", "export", "material"):  # the plain page's site keeps its copy too
            returning[side].visit(urls[side], keep_open=side == "plain")
        figures["repeat"] = {
            side: median_load([phone.visit(urls[side]) for _ in range(runs)])
            for side, phone in returning.items()
        }
        servers.close()  # the network gone: no server, and the tab's network offline
        figures["offline"] = {
            side: median_load([phone.visit(urls[side], OFFLINE) for _ in range(runs)])
            for side, phone in returning.items()
        }
        for phone in returning.values():
            phone.close()
        figures["chromium"] = browser.version
        browser.close()
    return figures


def _seconds(load: Load | None, key: str) -> str:
    return f"{getattr(load, key):.2f} s" if load else "does not open"


def report(figures: dict[str, Any], runs: int, compress: bool) -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    command = "python -m benchmarks.phone" + (" --gzip" if compress else "")
    served_as = "compressed (gzip)" if compress else "uncompressed, as Python's http.server serves them"
    head = (
        f"Measured {dt.date.today().isoformat()} with `{command}`: chromium {figures['chromium']}, 375x812 at 3x, "
        f"4x CPU slowdown, DevTools' Fast 3G (562.5 ms, 1.44 Mbit/s down, 675 kbit/s up), files {served_as}; "
        f"median of {runs} visits, on {cpus} CPUs.\n\n"
    )
    first, repeat, offline = figures["first"], figures["repeat"], figures["offline"]
    rows = [
        "| " + " | ".join(["Incident Manager's page", *SIDES.values()]) + " |",
        "| --- |" + " ---: |" * len(SIDES),
    ]
    for label, key in (("first paint", "first_paint"), ("first contentful paint", "first_contentful_paint")):
        rows.append(f"| first visit: {label} | " + " | ".join(_seconds(first[s], key) for s in SIDES) + " |")
    rows.append("| first visit: load event | " + " | ".join(_seconds(first[s], "load") for s in SIDES) + " |")
    kbs = [f"{first[s].kilobytes:.0f} KB" if first[s] else "-" for s in SIDES]
    rows.append("| first visit: transferred by the load event | " + " | ".join(kbs) + " |")
    for label, loads in (("repeat visit", repeat), ("network gone", offline)):
        cells = " | ".join(_seconds(loads[s], "first_contentful_paint") for s in SIDES)
        rows.append(f"| {label}: first contentful paint | {cells} |")
    weights: dict[str, float] = figures["scripts"]
    total = sum(weights.values())
    parts = " + ".join(f"`{name}` {kb:.1f} KB" for name, kb in weights.items())
    files, kb = figures["copy"]
    notes = (
        f"\nScripts rolebook adds, gzipped: {parts} = {total:.1f} KB. The offline copy: {files} files, "
        f"{kb:,.0f} KB ({figures.get('cached_files', 0)} in the worker's cache after the first visit)."
        f"{_live(figures)}{_spread(figures)}\n\n"
    )
    return head + "\n".join(rows) + "\n" + notes + _targets(figures, total) + "\n"


def _live(figures: dict[str, Any]) -> str:
    live = figures.get("live")
    if live is None:
        return ""
    return (
        f" The role page's checklists became live at {live:.2f} s (median): incident mode's script is "
        "loaded after the load event."
    )


def _spread(figures: dict[str, Any]) -> str:
    """The lowest and highest ratio of rolebook's page to Material alone over the turns: how far the
    machine's noise moves the ratio the goals are stated in."""
    turns = figures.get("turns", {})
    pairs = [
        (ours, plain)
        for ours, plain in zip(turns.get("rolebook", []), turns.get("material", []), strict=True)
    ]
    pairs = [(ours, plain) for ours, plain in pairs if ours and plain]
    if len(pairs) < 2:
        return ""
    parts = []
    for label, key in (("first contentful paint", "first_contentful_paint"), ("load event", "load")):
        ratios = [getattr(ours, key) / getattr(plain, key) for ours, plain in pairs]
        parts.append(f"{label} {min(ratios):.2f} to {max(ratios):.2f}")
    return (
        f" Rolebook / Material alone, turn by turn (the spread of the {len(pairs)} visits): "
        + ", ".join(parts)
        + "."
    )


def _targets(figures: dict[str, Any], script_kb: float) -> str:
    ours, plain = figures["first"]["rolebook"], figures["first"]["material"]
    rows = ["| target | measured | goal | met |", "| --- | ---: | ---: | :---: |"]

    def row(what: str, got: str, goal: str, met: bool) -> None:
        rows.append(f"| {what} | {got} | {goal} | {'yes' if met else 'NO'} |")

    same = figures["first"].get("plain")
    # The goal, in the words: no later than "a plain Material page of the same site", a page of
    # docs/ holding the role page's text as plain Markdown. Judged as shown, to a hundredth (27 ms of a
    # 2.7 s paint: under two frames of 16.7 ms).
    for label, key in (("first contentful paint", "first_contentful_paint"), ("load event", "load")):
        if ours and same:
            ratio = getattr(ours, key) / getattr(same, key)
            what = f"first visit, {label}: role page / plain page of the same site"
            row(what, f"{ratio:.2f}", "<= 1.00", round(ratio, 2) <= 1)
    # Against Material alone, a site without rolebook at all: told, not a goal
    for label, key in (("first contentful paint", "first_contentful_paint"), ("load event", "load")):
        if ours and plain:
            ratio = getattr(ours, key) / getattr(plain, key)
            rows.append(f"| first visit, {label}: rolebook / Material alone | {ratio:.2f} | - | - |")
    row(
        "scripts rolebook adds, gzipped",
        f"{script_kb:.1f} KB",
        f"<= {SCRIPT_BUDGET_KB:.0f} KB",
        script_kb <= 15,
    )
    for label, key in (("repeat visit", "repeat"), ("network gone", "offline")):
        load = figures[key]["rolebook"]
        met = load is not None and load.first_contentful_paint <= PAINT_GOAL_S
        row(f"{label}: first contentful paint", _seconds(load, "first_contentful_paint"), "<= 0.5 s", met)
    return "\n".join(rows)


def update_docs(page: Path, text: str, compress: bool = False) -> None:
    """Put the report between the page's markers for such a run."""
    start_mark, end_mark = markers(compress)
    content = page.read_text("utf-8")
    start, end = content.index(start_mark) + len(start_mark), content.index(end_mark)
    page.write_text(content[:start] + "\n" + text + content[end:], "utf-8")


def run_report(runs: int, compress: bool = False, chromium: str = CHROMIUM, keep: Path | None = None) -> str:
    """Measure (in ``keep``, or a folder removed afterwards) and return the report."""
    work = Path(keep or tempfile.mkdtemp(prefix="rolebook-phone-"))
    try:
        figures = measure_phone(work, runs, compress, chromium)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return report(figures, runs, compress)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.phone", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="first visits of each page (the median is shown)")
    parser.add_argument("--gzip", action="store_true", help="serve text files compressed, as hosts do")
    parser.add_argument("--chromium", default=CHROMIUM, help="the chromium to drive (default: %(default)s)")
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--update-docs", action="store_true", help=f"write the report into {DOCS_PAGE}")
    parser.add_argument("--keep", type=Path, help="keep the built sites in this new folder")
    args = parser.parse_args(argv)
    if args.keep and args.keep.exists() and (not args.keep.is_dir() or any(args.keep.iterdir())):
        parser.error(f"--keep {args.keep}: not an empty folder")
    text = run_report(args.runs, args.gzip, args.chromium, args.keep)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, "utf-8")
    if args.update_docs:
        update_docs(REPO / DOCS_PAGE, text, args.gzip)
    return 0


if __name__ == "__main__":
    sys.exit(main())
