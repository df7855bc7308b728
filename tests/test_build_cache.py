"""Cards, converted pages and the spreadsheet are kept in .cache/rolebook by content; many cards are laid
out by worker processes.

Whatever path a file takes (made here, by a worker, or taken from the cache), the site gets the same
bytes, and a damaged, missing or unwritable cache only costs time. The tests of many builds each, and
those of worker processes, are marked slow: .ci/run runs them, `pytest -m slow` too."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from benchmarks.synth import make_org

from .sitekit import ROLE_IDS, copy_project, free_port, http_get, mkdocs, rolebook, snapshot, wait_for


@pytest.fixture(autouse=True)
def _cache_in_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the build cache where rolebook keeps it by default: .cache/rolebook in the project."""
    monkeypatch.delenv("ROLEBOOK_CACHE_DIR", raising=False)


CACHE = Path(".cache") / "rolebook" / "cards"
PAGES = Path(".cache") / "rolebook" / "pages"
COMBINED = Path(".cache") / "rolebook" / "combined"


def _build(project: Path) -> dict[str, str]:
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return {
        path: digest
        for path, digest in snapshot(project / "site").items()
        if path.startswith("cards/") and path.endswith(".pdf")
    }


def _text(pdf: Path | bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    return " ".join((page.extract_text() or "") for page in reader.pages)


def _summary_edit(project: Path, role_id: str, words: str) -> None:
    role = project / "roles" / f"{role_id}.yaml"
    text = role.read_text("utf-8")
    assert "\nsummary: " in text
    role.write_text(text.replace("\nsummary: ", f"\nsummary: {words} ", 1), "utf-8")


@pytest.mark.slow
def test_a_second_build_takes_the_cards_from_the_cache(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    first = _build(project)
    entries = sorted((project / CACHE).glob("*.pdf"))
    assert len(entries) == len(ROLE_IDS)  # one per card; the combined PDF is kept apart
    assert len(list((project / COMBINED).glob("*.pdf"))) == 1
    # Swap two entries: if the next build reads the cache, the two roles' cards trade places.
    site_pdf = {rid: (project / "site" / "cards" / f"{rid}.pdf").read_bytes() for rid in ROLE_IDS}
    by_content = {entry.read_bytes(): entry for entry in entries}
    manager, support = by_content[site_pdf["incident-manager"]], by_content[site_pdf["support-team"]]
    manager.write_bytes(site_pdf["support-team"])
    support.write_bytes(site_pdf["incident-manager"])
    _build(project)
    cards = project / "site" / "cards"
    assert (cards / "incident-manager.pdf").read_bytes() == site_pdf["support-team"]
    # An edit changes the card's content, so that card alone is laid out again, with the edit.
    manager.write_bytes(site_pdf["incident-manager"])
    support.write_bytes(site_pdf["support-team"])
    _summary_edit(project, "support-team", "Freshly edited.")
    after = _build(project)
    assert "Freshly edited." in _text(cards / "support-team.pdf")
    changed = {path for path in after if after[path] != first[path]}
    assert changed == {"cards/support-team.pdf", "cards/quick-cards.pdf"}
    assert "Freshly edited." in _text(cards / "quick-cards.pdf")


@pytest.mark.slow
def test_cached_and_fresh_builds_are_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(tmp_path / "p")
    monkeypatch.setenv("ROLEBOOK_CACHE_DIR", "")  # no cache at all
    _build(project)
    fresh = snapshot(project / "site")
    assert not (project / ".cache").exists()
    monkeypatch.delenv("ROLEBOOK_CACHE_DIR")
    _build(project)
    assert snapshot(project / "site") == fresh  # made into an empty cache
    kinds = {"cards", "combined", "pages", "search", "downloads"}
    assert {p.name for p in (project / ".cache" / "rolebook").iterdir()} == kinds
    _build(project)
    assert snapshot(project / "site") == fresh  # taken from it


def _kept_page(project: Path, *words: str) -> Path:
    """The cache entry of the page holding all of ``words``."""
    found = [
        entry
        for entry in (project / PAGES).glob("*.json")
        if all(w in json.loads(entry.read_text("utf-8"))["content"] for w in words)
    ]
    assert len(found) == 1
    return found[0]


@pytest.mark.slow
def test_a_page_is_converted_once_and_again_when_it_changes(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    _build(project)
    page = project / "site" / "roles" / "support-team" / "index.html"
    # Mark the kept HTML of the Support Team page: the next build shows the mark, so it read the cache.
    entry = _kept_page(project, '<h1 id="support-team"')
    kept = json.loads(entry.read_text("utf-8"))
    kept["content"] = kept["content"].replace("Responsibilities", "Kept responsibilities", 1)
    entry.write_text(json.dumps(kept), "utf-8")
    _build(project)
    assert "Kept responsibilities" in page.read_text("utf-8")
    # An edit changes the page's Markdown: converted again, with the edit and without the mark.
    _summary_edit(project, "support-team", "Freshly edited.")
    _build(project)
    assert "Freshly edited." in page.read_text("utf-8")
    assert "Kept responsibilities" not in page.read_text("utf-8")
    # A damaged entry is converted again too.
    entry = _kept_page(project, '<h1 id="support-team"', "Freshly edited.")
    for damage in (
        '{"content": ',
        '{"links": []}',
        '{"content": 1, "toc": [], "anchors": [], "title": null, "links": {}}',
    ):
        entry.write_text(damage, "utf-8")
        _build(project)
        assert "Freshly edited." in page.read_text("utf-8")
    assert json.loads(entry.read_text("utf-8"))["toc"]


def test_a_page_with_a_broken_link_is_warned_about_on_every_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    template = project / "templates" / "pages" / "severities.md.j2"
    template.write_text(template.read_text("utf-8") + "\nSee [the old runbook](runbook.md).\n", "utf-8")
    for _ in range(2):  # plain mkdocs build goes on after a warning; the page must not be kept warning-free
        result = mkdocs("build", cwd=project)
        assert result.returncode == 0, result.stderr
        assert "contains a link 'runbook.md'" in result.stderr


@pytest.mark.slow
def test_the_spreadsheet_is_kept_until_the_playbook_changes(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    _build(project)
    xlsx = project / "site" / "downloads" / "raci.xlsx"
    made = xlsx.read_bytes()
    (entry,) = (project / ".cache" / "rolebook" / "downloads").iterdir()
    entry.write_bytes(made.replace(b"[Content_Types].xml", b"[Content_Typez].xml", 1))
    _build(project)
    assert xlsx.read_bytes() == entry.read_bytes() != made  # read from the cache
    _summary_edit(project, "support-team", "Freshly edited.")
    _build(project)
    assert load_workbook(xlsx)["RACI"]["A1"].value == "Activity"  # written again from the playbook


@pytest.mark.slow
def test_a_damaged_cache_entry_is_laid_out_again(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    fresh = _build(project)
    entries = sorted([*(project / CACHE).glob("*.pdf"), *(project / COMBINED).glob("*.pdf")])
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:200])  # as if a disk filled up half way
    assert _build(project) == fresh
    assert all(entry.read_bytes().rstrip().endswith(b"%%EOF") for entry in entries)


def test_a_cache_that_cannot_be_written_costs_only_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(tmp_path / "p")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("ROLEBOOK_CACHE_DIR", str(blocker))
    cards = _build(project)
    assert len(cards) == len(ROLE_IDS) + 1
    assert blocker.read_text() == "a file where the cache folder would go"


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_org(26, tmp_path_factory.mktemp("workers") / "org")


@pytest.mark.slow
def test_workers_make_the_same_cards_as_one_process(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLEBOOK_CACHE_DIR", "")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the workers get their folders
    outputs = {}
    for workers in ("1", "3"):
        monkeypatch.setenv("ROLEBOOK_WORKERS", workers)
        out = tmp_path / f"cards-{workers}.pdf"
        result = rolebook("cards", "-o", str(out), cwd=org)
        assert result.returncode == 0, result.stderr
        outputs[workers] = out.read_bytes()
    assert outputs["1"] == outputs["3"]
    assert len(PdfReader(io.BytesIO(outputs["3"])).pages) == 26
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards-1.pdf", "cards-3.pdf"]  # no folder left


@pytest.mark.slow
def test_a_card_laid_out_by_a_worker_that_does_not_fit_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_org(26, tmp_path / "org")
    monkeypatch.setenv("ROLEBOOK_WORKERS", "2")
    assert rolebook("build", cwd=project).returncode == 0
    before = snapshot(project / "site")
    role = project / "roles" / "role-0017.yaml"
    text = role.read_text("utf-8")
    old = "  first_actions: [Join the incident channel., Check the part's dashboard., Report to the lead.]\n"
    assert old in text  # first actions: every A6 card carries them (a long "do" would only be left out)
    steps = "".join(
        f"    - Step {n} of a long procedure that has no place on a small card.\n" for n in range(30)
    )
    role.write_text(text.replace(old, "  first_actions:\n" + steps), "utf-8")
    result = rolebook("build", cwd=project)
    assert result.returncode == 1, result.stderr
    line = text.splitlines().index("card:") + 1
    assert f"roles/role-0017.yaml:{line}:1: error: the front of the A6" in result.stderr
    assert "too tall" in result.stderr and "role-0016" not in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(project / "site") == before  # the site of the last good build is still there


def test_a_bad_worker_count_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(tmp_path / "p")
    monkeypatch.setenv("ROLEBOOK_WORKERS", "many")
    result = rolebook("cards", "-o", str(tmp_path / "c.pdf"), cwd=project)
    assert result.returncode == 1
    assert "ROLEBOOK_WORKERS='many': expected a whole number of processes" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_pages_are_converted_every_time_when_an_extension_reads_files(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert "markdown_extensions:\n" in text
    config.write_text(
        text.replace(
            "markdown_extensions:\n",
            "markdown_extensions:\n  - abbr\n  - pymdownx.snippets:\n      auto_append: [includes/abbr.md]\n",
        ),
        "utf-8",
    )
    (project / "includes").mkdir()
    glossary = project / "includes" / "abbr.md"
    page = project / "site" / "roles" / "incident-manager" / "index.html"
    for meaning in ("first meaning", "second meaning"):
        glossary.write_text(f"*[Responsibilities]: What to do, {meaning}\n", "utf-8")
        _build(project)
        assert f'<abbr title="What to do, {meaning}">Responsibilities</abbr>' in page.read_text("utf-8")
    assert not (project / PAGES).exists()  # nothing kept: the glossary is not part of any page's text


def test_printing_some_cards_keeps_the_other_cards_of_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    _build(project)
    kept = sorted(p.name for p in (project / CACHE).iterdir())
    result = rolebook("cards", "--role", "support-team", "-o", str(tmp_path / "one.pdf"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (project / CACHE).iterdir()) == kept


@pytest.mark.slow
def test_workers_are_not_misled_by_python_files_in_the_project(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "org"
    shutil.copytree(org, project)
    (project / "json.py").write_text("raise SystemExit('a json.py of the project ran')\n", "utf-8")
    (project / "generator").mkdir()
    (project / "generator" / "__init__.py").write_text(
        "raise SystemExit('a generator/ of the project ran')\n"
    )
    monkeypatch.setenv("ROLEBOOK_WORKERS", "2")
    monkeypatch.setenv("ROLEBOOK_CACHE_DIR", "")
    result = rolebook("cards", "-o", str(tmp_path / "cards.pdf"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert "stopped" not in result.stderr and "ran" not in result.stderr
    assert len(PdfReader(tmp_path / "cards.pdf").pages) == 26


def test_weasyprint_warnings_are_shown_on_every_run(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    own = project / "templates" / "cards" / "card.css.j2"
    own.parent.mkdir(parents=True, exist_ok=True)
    builtin = Path(__file__).parent.parent / "templates" / "cards" / "card.css.j2"
    own.write_text(builtin.read_text("utf-8") + "\n.rb-card { colr: red; }\n", "utf-8")
    for _ in range(2):  # a card WeasyPrint warned about is not kept, so it warns again
        result = rolebook("cards", "-o", str(tmp_path / "cards.pdf"), cwd=project)
        assert result.returncode == 0, result.stderr
        assert re.search(
            r"^warning: the incident-manager card: Ignored `colr: red` at \d+:\d+", result.stderr, re.M
        )


@pytest.mark.slow
def test_serve_reuses_the_cards_of_the_last_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    _build(project)
    kept = sorted(p.name for p in (project / CACHE).iterdir())
    port = free_port()
    exe = Path(sys.executable).with_name("rolebook")
    server = subprocess.Popen(
        [str(exe), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    card = f"http://127.0.0.1:{port}/cards/support-team.pdf"
    try:
        wait_for(lambda: http_get(card)[1].startswith(b"%PDF-"), seconds=60)
        served = http_get(card)[1]
    finally:
        server.terminate()
        server.wait(timeout=20)
    # the preview's cards point their QR codes at the published site, so they are the built ones
    assert served == (project / "site" / "cards" / "support-team.pdf").read_bytes()
    assert sorted(p.name for p in (project / CACHE).iterdir()) == kept


SEARCH = Path(".cache") / "rolebook" / "search"


@pytest.mark.slow
def test_search_entries_come_from_the_cache_and_follow_every_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search index of a warm build is the same bytes as without a cache; a changed page's entries
    are made again, and an entry that is not the plugin's (garbage, or not a list of entries) is ignored."""
    project = copy_project(tmp_path / "p")
    _build(project)
    entries = sorted((project / SEARCH).glob("*.json"))
    assert len(entries) == len(list((project / "site").rglob("index.html")))  # one per page
    for entry in entries[:3]:  # made unusable: never added to the index
        entry.write_text('{"location": "x"}' if entry == entries[0] else "not json", "utf-8")
    _summary_edit(project, "support-team", "Searchable-word-here.")
    _build(project)
    monkeypatch.setenv("ROLEBOOK_CACHE_DIR", "")  # no cache at all
    uncached = rolebook("build", "-d", str(tmp_path / "plain"), cwd=project)
    assert uncached.returncode == 0, uncached.stderr
    index = (project / "site" / "search" / "search_index.json").read_bytes()
    assert index == (tmp_path / "plain" / "search" / "search_index.json").read_bytes()
    assert b"Searchable-word-here." in index
