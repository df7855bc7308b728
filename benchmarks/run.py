"""rolebook's benchmark: synthetic organizations of growing size, every step measured in one run.

    python -m benchmarks.run                      # 6, 60 and 600 roles, 3 runs of each step
    python -m benchmarks.run --sizes 6,60 --repeats 1 --markdown out.md

For each size it measures, as the median of ``--repeats`` runs with the peak memory of the
largest process: ``rolebook validate``; the pure renderer (in one process, after loading);
``rolebook build`` with an empty build cache (cold) and with the cache of the previous build
(warm); ``rolebook cards`` with an empty cache; and the plain ``mkdocs build`` of the same
pages exported as Markdown with Material's default navigation, which is what a team writing
these pages by hand would run. At one size (``--serve-size``) it measures how long an edit
takes to show under ``rolebook serve``. It prints a Markdown table and the ratios the
targets are stated in. With ``--phone`` it also measures the default playbook's role page in
chromium on a phone profile (benchmarks/phone.py). Times are from this machine, in this run:
compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from . import phone
from .measure import Figure, measure, remove, run_once, serve_latency, tool
from .synth import REPO, make_org

DOCS_PAGE = Path("docs/editing-the-playbook/performance.md")
MARK_START, MARK_END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"


def _render_step(project: Path, repeats: int) -> None:
    """(Run in its own process) the median time of the pure renderer, printed in seconds."""
    from generator.core.project import TEMPLATES_DIR, load_playbook
    from generator.render.renderer import RenderOptions, render_site

    playbook = load_playbook(project)
    options = RenderOptions((project / TEMPLATES_DIR,), directory_urls=True, site_url="https://example.org/")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        render_site(playbook, options)
        times.append(time.perf_counter() - start)
    print(statistics.median(times))


def _plain_project(project: Path, target: Path) -> Path:
    """The site exported as Markdown, with Material's default navigation (every page listed, no sections)."""
    measure([*tool("rolebook"), "export", "--format", "markdown", "-p", str(project), "-o", str(target)], 1)
    config_file = target / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text("utf-8"))
    for key in ("nav", "not_in_nav"):
        config.pop(key, None)
    config["theme"].pop("features", None)
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    return config_file


def _serve_page(project: Path) -> str:
    return "roles/role-0001/"  # rolebook serve puts the preview at the root, whatever site_url's path


def bench_size(roles: int, work: Path, repeats: int, serve: bool) -> dict[str, Figure]:
    project = make_org(roles, work / f"org-{roles}")
    rolebook, site, cache = tool("rolebook"), work / f"site-{roles}", project / ".cache"
    figures: dict[str, Figure] = {}
    figures["validate"] = measure([*rolebook, "validate", "-p", str(project)], repeats)
    render_runs = max(repeats, 3)
    render_command = [sys.executable, "-m", "benchmarks.run", "--render-step", str(project), str(render_runs)]
    figures["render"] = _render_figure(render_command, render_runs)
    build = [*rolebook, "build", "-p", str(project), "-d", str(site)]
    figures["build_cold"] = measure(build, repeats, before=remove(cache))
    figures["build_warm"] = measure(build, repeats)  # the cache of the previous build
    cards = [*rolebook, "cards", "-p", str(project), "-o", str(work / f"cards-{roles}.pdf")]
    figures["cards"] = measure(cards, repeats, before=remove(cache))
    plain_config = _plain_project(project, work / f"plain-{roles}")
    plain = [*tool("mkdocs"), "build", "-q", "-f", str(plain_config), "-d", str(work / f"plain-site-{roles}")]
    figures["plain"] = measure(plain, repeats)
    if serve:
        role_file = project / "roles" / "role-0001.yaml"
        figures["serve_edit"] = serve_latency(project, role_file, _serve_page(project), max(repeats, 3))
    figures["raci_kb"] = Figure((site / "raci" / "index.html").stat().st_size / 1024, 0, 1)
    return figures


def _render_figure(command: list[str], runs: int) -> Figure:
    _, peak, output = run_once(command)
    return Figure(float(output), peak, runs)


def table(results: dict[int, dict[str, Figure]]) -> str:
    columns = [
        ("validate", "validate"),
        ("render", "render (in process)"),
        ("build_cold", "build, empty cache"),
        ("build_warm", "build, warm cache"),
        ("cards", "cards PDF, empty cache"),
        ("plain", "plain mkdocs build"),
    ]
    lines = [
        "| roles | " + " | ".join(title for _, title in columns) + " | RACI page |",
        "| ---: | " + " | ".join("---:" for _ in columns) + " | ---: |",
    ]
    for roles, figures in results.items():
        cells = [f"{figures[key].seconds:.2f} s, {figures[key].peak_mb:.0f} MB" for key, _ in columns]
        lines.append(f"| {roles} | " + " | ".join(cells) + f" | {figures['raci_kb'].seconds:.0f} KB |")
    return "\n".join(lines)


def ratios(results: dict[int, dict[str, Figure]]) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) for every target the figures allow to check."""
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    rows: list[tuple[str, str, str, bool]] = []
    default = results[small]["validate"].seconds
    rows.append(
        (f"validate, {small} roles (wall, start-up included)", f"{default:.2f} s", "< 0.5 s", default < 0.5)
    )
    if large > small:
        per_role = (results[large]["validate"].seconds - default) / (large - small) * 1000
        rows.append(
            (
                f"validation per role ({small} to {large} roles)",
                f"{per_role:.2f} ms",
                "<= 2 ms",
                per_role <= 2,
            )
        )
    for lower, upper in itertools.pairwise(sizes):
        factor = upper / lower
        for key, label in (("build_cold", "empty cache"), ("build_warm", "warm cache")):
            growth = results[upper][key].seconds / results[lower][key].seconds
            rows.append(
                (
                    f"build {lower} -> {upper} roles, {label}",
                    f"x{growth:.1f}",
                    f"<= x{factor:.0f}",
                    growth <= factor,
                )
            )
    # The decided yardsticks: with an empty cache a build lays out every card, so it is judged against what
    # a team writing the pages by hand would run to have cards too (a plain build plus `rolebook cards`);
    # with the cache, against the plain build alone.
    big = results[large]
    cold = big["build_cold"].seconds / (big["plain"].seconds + big["cards"].seconds)
    rows.append(
        (
            f"build, empty cache / (plain mkdocs build + cards PDF), {large} roles",
            f"{cold:.2f}",
            "<= 1.00",
            cold <= 1,
        )
    )
    warm = big["build_warm"].seconds / big["plain"].seconds
    rows.append(
        (f"build, warm cache / plain mkdocs build, {large} roles", f"{warm:.2f}", "<= 0.50", warm <= 0.5)
    )
    per_card = results[large]["cards"].seconds / large
    rows.append((f"cards PDF per card, {large} roles", f"{per_card:.3f} s", "<= 0.1 s", per_card <= 0.1))
    for roles, figures in results.items():
        if "serve_edit" in figures:
            seconds = figures["serve_edit"].seconds
            rows.append(
                (f"serve: one-file edit visible, {roles} roles", f"{seconds:.2f} s", "<= 2 s", seconds <= 2)
            )
    return rows


def report(results: dict[int, dict[str, Figure]], repeats: int) -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    head = (
        f"Measured {dt.date.today().isoformat()} with `python -m benchmarks.run`, median of {repeats} runs, "
        f"on {cpus} CPUs, Python {platform.python_version()}.\n\n"
    )
    checks = ["| target | measured | goal | met |", "| --- | ---: | ---: | :---: |"]
    checks += [
        f"| {what} | {got} | {goal} | {'yes' if ok else 'NO'} |" for what, got, goal, ok in ratios(results)
    ]
    return head + table(results) + "\n\n" + "\n".join(checks) + "\n"


def update_docs(page: Path, report_text: str) -> None:
    """Put the report between the page's benchmark markers."""
    text = page.read_text("utf-8")
    start, end = text.index(MARK_START) + len(MARK_START), text.index(MARK_END)
    page.write_text(text[:start] + "\n" + report_text + text[end:], "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="6,60,600", help="numbers of roles, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each step (the median is shown)")
    parser.add_argument(
        "--serve-size", type=int, default=60, help="size at which to time an edit under serve; 0: none"
    )
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--update-docs", action="store_true", help=f"write the report into {DOCS_PAGE}")
    parser.add_argument("--keep", type=Path, help="keep the generated projects and sites in this folder")
    parser.add_argument(
        "--phone", action="store_true", help="also run the phone benchmark (benchmarks/phone.py)"
    )
    parser.add_argument("--render-step", nargs=2, metavar=("PROJECT", "RUNS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.render_step:
        _render_step(Path(args.render_step[0]), int(args.render_step[1]))
        return 0
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    work = Path(args.keep or tempfile.mkdtemp(prefix="rolebook-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Figure]] = {}
    try:
        for roles in sizes:
            print(f"measuring {roles} roles ...", file=sys.stderr, flush=True)
            results[roles] = bench_size(roles, work, args.repeats, serve=roles == args.serve_size)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    text = report(results, args.repeats)
    print(text)
    phone_text = ""
    if args.phone:  # the default playbook's role page on a phone, beside plain Material pages
        print("measuring on a phone profile ...", file=sys.stderr, flush=True)
        phone_text = phone.run_report(args.repeats)
        print(phone_text)
    if args.markdown:
        args.markdown.write_text(text + (f"\n{phone_text}" if phone_text else ""), "utf-8")
    if args.update_docs:
        update_docs(REPO / DOCS_PAGE, text)
        if phone_text:
            phone.update_docs(REPO / DOCS_PAGE, phone_text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
