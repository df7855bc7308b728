"""The benchmark script runs end to end (on tiny organizations: timing belongs to benchmarks/, not here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmarks.run import MARK_END, MARK_START, update_docs

from .sitekit import REPO_ROOT


@pytest.mark.slow
def test_the_benchmark_measures_every_step_and_reports_the_targets(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    work = tmp_path / "work"
    command = [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--sizes",
        "2,4",
        "--repeats",
        "1",
        "--serve-size",
        "4",
    ]
    result = subprocess.run(
        [*command, "--markdown", str(out), "--keep", str(work)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = out.read_text("utf-8")
    assert report == result.stdout.rstrip("\n") + "\n"
    rows = {int(m[1]): m[2] for m in re.finditer(r"^\| (\d+) \| (.*) \|$", report, re.M)}
    assert sorted(rows) == [2, 4]
    for cells in rows.values():  # seven figures: six timed steps with memory, and the RACI page size
        figures = cells.split(" | ")
        assert len(figures) == 7
        assert all(re.fullmatch(r"\d+\.\d\d s, \d+ MB", f) for f in figures[:6]), figures
        assert re.fullmatch(r"\d+ KB", figures[6])
    targets = re.findall(r"^\| (.+?) \| (.+?) \| (.+?) \| (yes|NO) \|$", report, re.M)
    names = [t[0] for t in targets]
    assert any(n.startswith("validate, 2 roles") for n in names)
    assert any(n.startswith("validation per role") for n in names)
    assert any(n.startswith("build 2 -> 4 roles, empty cache") for n in names)
    assert "build, empty cache / (plain mkdocs build + cards PDF), 4 roles" in names
    assert "build, warm cache / plain mkdocs build, 4 roles" in names
    assert any(n.startswith("cards PDF per card") for n in names)
    assert any(n.startswith("serve: one-file edit visible, 4 roles") for n in names)
    # the generated projects, sites and the plain export it compared against are real
    assert (work / "site-4" / "raci" / "index.html").is_file()
    assert (work / "plain-4" / "mkdocs.yml").is_file() and (work / "plain-site-4" / "index.html").is_file()
    plain = yaml.safe_load((work / "plain-4" / "mkdocs.yml").read_text("utf-8"))
    assert "nav" not in plain and "features" not in plain["theme"]  # Material's default navigation


def test_the_report_goes_between_the_markers_of_the_docs_page(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text(f"# Speed\n\nbefore\n\n{MARK_START}\nold figures\n{MARK_END}\n\nafter\n", "utf-8")
    update_docs(page, "| new | figures |\n")
    assert (
        page.read_text("utf-8")
        == f"# Speed\n\nbefore\n\n{MARK_START}\n| new | figures |\n{MARK_END}\n\nafter\n"
    )
    docs = (REPO_ROOT / "docs" / "editing-the-playbook" / "performance.md").read_text("utf-8")
    assert docs.index(MARK_START) < docs.index(MARK_END)
    assert "python -m benchmarks.run" in docs


@pytest.mark.slow
def test_the_side_by_side_benchmark_builds_both_trees(tmp_path: Path) -> None:
    """`python -m benchmarks.against` builds this tree and an earlier commit in turns and reports the ratios."""
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("a copy without its history has no earlier commit to compare with")
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.against", "--base", "HEAD", "--repeats", "1"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr  # 1: slower than the goal, which a busy machine may be
    rows = [line for line in result.stdout.splitlines() if line.startswith(("| cache off", "| warm cache"))]
    assert len(rows) == 2
    for row in rows:
        base, this, ratio = (float(cell.strip().removesuffix(" s")) for cell in row.split("|")[2:5])
        assert base > 0 and this > 0 and abs(ratio - this / base) < 0.01


def test_the_phone_report_goes_between_its_own_markers(tmp_path: Path) -> None:
    from benchmarks import phone

    page = tmp_path / "performance.md"
    marks = [mark for compress in (False, True) for mark in phone.markers(compress)]
    page.write_text("\n".join(["# Speed", *marks, "after"]) + "\n", "utf-8")
    phone.update_docs(page, "| plain |\n")
    phone.update_docs(page, "| gzip |\n", compress=True)
    assert (
        page.read_text("utf-8")
        == "\n".join(["# Speed", marks[0], "| plain |", marks[1], marks[2], "| gzip |", marks[3], "after"])
        + "\n"
    )
    docs = (REPO_ROOT / "docs" / "editing-the-playbook" / "performance.md").read_text("utf-8")
    assert all(docs.index(start) < docs.index(end) for start, end in (marks[:2], marks[2:]))
    assert "python -m benchmarks.phone" in docs


@pytest.mark.slow
@pytest.mark.browser
def test_the_phone_benchmark_measures_the_four_pages(tmp_path: Path) -> None:
    """`python -m benchmarks.phone` in chromium, one visit of each kind (timing belongs to the benchmark)."""
    from benchmarks.phone import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed: apt-get install chromium")
    out, work = tmp_path / "phone.md", tmp_path / "work"
    command = [
        sys.executable,
        "-m",
        "benchmarks.phone",
        "--runs",
        "1",
        "--markdown",
        str(out),
        "--keep",
        str(work),
    ]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    report = out.read_text("utf-8")
    assert report == result.stdout.rstrip("\n") + "\n"
    table = report.split("\n\n")[1]  # after the line saying how it was measured
    rows = dict(re.findall(r"^\| ((?:first visit|repeat visit|network gone)[^|]*) \| (.*) \|$", table, re.M))
    assert len(rows) == 6, rows
    for what, cells in rows.items():
        values = cells.split(" | ")
        assert len(values) == 4, what
        if what.startswith("network gone"):  # the rolebook site's pages open from its copy, the exports' not
            assert all(re.fullmatch(r"\d+\.\d\d s", v) for v in values[:2])
            assert values[2:] == ["does not open"] * 2
        elif "transferred" in what:
            assert all(re.fullmatch(r"\d+ KB", v) for v in values), values
        else:
            assert all(re.fullmatch(r"\d+\.\d\d s", v) for v in values), values
    added = re.search(r"^Scripts rolebook adds, gzipped: (.*) = ([\d.]+) KB\.", report, re.M)
    assert added and "`sw.js`" in added[1] and "`assets/rolebook-offline.js`" in added[1]
    targets = re.findall(r"^\| (.+?) \| (.+?) \| (.+?) \| (yes|NO) \|$", report, re.M)
    assert [t[0] for t in targets] == [
        "first visit, first contentful paint: role page / plain page of the same site",
        "first visit, load event: role page / plain page of the same site",
        "scripts rolebook adds, gzipped",
        "repeat visit: first contentful paint",
        "network gone: first contentful paint",
    ]
    for side in ("site", "export-site", "material-site"):  # the pages it compared are real
        assert (work / side / "roles" / "incident-manager" / "index.html").is_file()
    plain = (work / "site" / "plain-role" / "index.html").read_text("utf-8")  # the same text, plain Markdown
    assert (  # (rolebook's stylesheet, written into every page of the site, names the class)
        'class="rb-checklist' not in plain
        and "task-list-item" in plain
        and "Confirm the incident is real" in plain
    )
    assert (
        "rolebook.css"
        not in (work / "material-site" / "roles" / "incident-manager" / "index.html").read_text()
    )
