"""Every byte rolebook makes from the default playbook, compared with tests/golden/default-playbook.json.

The site (``rolebook build``), the quick cards (``rolebook cards``) and every export are built into
tmp_path and each file's SHA-256 is compared with the recorded one, so a refactoring that changes
any output, however small, fails here. After an intended change of output, rewrite the record with

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_site.py

and review the list of changed files in the diff. The bytes also depend on the versions of the
libraries that write them (Material's pages and scripts, WeasyPrint's PDFs, openpyxl's workbook),
so the record keeps those versions; with other versions installed the test says so and is skipped
rather than blaming the code.
"""

from __future__ import annotations

import json
import os
import shutil
from importlib.metadata import version
from pathlib import Path

import pytest

from .sitekit import copy_project, rolebook, snapshot

RECORD = Path(__file__).parent / "golden" / "default-playbook.json"
LIBRARIES = (
    "mkdocs",
    "mkdocs-material",
    "markdown",
    "pymdown-extensions",
    "jinja2",
    "weasyprint",
    "pydyf",
    "segno",
    "openpyxl",
    "pypdf",
    "nh3",
)


def _outputs(tmp_path: Path) -> dict[str, str]:
    project = copy_project(tmp_path / "project")
    # The playbook's own output only: this repository's guides in docs/ (published as the project's own
    # pages) change with every edit of the documentation, which is not a change of behaviour.
    shutil.rmtree(project / "docs")
    (project / "docs").mkdir()
    commands = [
        ("build",),
        ("cards", "-o", str(tmp_path / "out" / "cards" / "quick-cards.pdf")),
        ("cards", "--size", "wallet", "-o", str(tmp_path / "out" / "cards" / "wallet.pdf")),
        ("export", "--format", "csv", "-o", str(tmp_path / "out" / "exports" / "raci.csv")),
        ("export", "--format", "xlsx", "-o", str(tmp_path / "out" / "exports" / "raci.xlsx")),
        ("export", "--format", "json", "-o", str(tmp_path / "out" / "exports" / "playbook.json")),
        ("export", "--format", "markdown", "-o", str(tmp_path / "out" / "markdown")),
    ]
    (tmp_path / "out" / "cards").mkdir(parents=True)
    (tmp_path / "out" / "exports").mkdir()
    for command in commands:
        result = rolebook(*command, cwd=project)
        assert result.returncode == 0, f"rolebook {' '.join(command)}\n{result.stdout}{result.stderr}"
    files = {f"site/{path}": digest for path, digest in snapshot(project / "site").items()}
    files.update(snapshot(tmp_path / "out"))
    return files


def test_every_output_of_the_default_playbook_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # rolebook dates the build by the playbook's publication date, so the bytes are the same on any day
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    files = _outputs(tmp_path)
    sitemap = (tmp_path / "project" / "site" / "sitemap.xml").read_text("utf-8")
    assert sitemap.count("<lastmod>2024-04-15</lastmod>") == sitemap.count("<lastmod>") > 0
    versions = {name: version(name) for name in LIBRARIES}
    if os.environ.get("UPDATE_GOLDEN"):
        record = {"versions": versions, "files": files}
        RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    if record["versions"] != versions:
        changed = {
            k: (record["versions"].get(k), v) for k, v in versions.items() if record["versions"].get(k) != v
        }
        pytest.skip(f"the record was made with other library versions (recorded, installed): {changed}")
    expected: dict[str, str] = record["files"]
    missing = sorted(set(expected) - set(files))
    added = sorted(set(files) - set(expected))
    changed_files = sorted(p for p in set(files) & set(expected) if files[p] != expected[p])
    assert (missing, added, changed_files) == ([], [], []), (
        "outputs differ from tests/golden/default-playbook.json (missing, added, changed); "
        "if intended, rewrite it with UPDATE_GOLDEN=1"
    )
    # the record covers the site, the cards and every export, not an empty folder
    assert sum(p.startswith("site/roles/") for p in files) == 6
    assert {"cards/quick-cards.pdf", "cards/wallet.pdf", "exports/raci.xlsx", "markdown/mkdocs.yml"} <= set(
        files
    )
