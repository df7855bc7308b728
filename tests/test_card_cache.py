"""Laid-out cards are kept in .cache/rolebook by content, and many cards are laid out by worker processes.

Whatever path a card takes (laid out here, by a worker, or taken from the cache), the site gets the
same bytes, and a damaged, missing or unwritable cache only costs time."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from benchmarks.synth import make_org

from .sitekit import ROLE_IDS, copy_project, rolebook, snapshot

CACHE = Path(".cache") / "rolebook" / "cards"


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


def test_a_second_build_takes_the_cards_from_the_cache(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    first = _build(project)
    entries = sorted((project / CACHE).glob("*.pdf"))
    assert len(entries) == len(ROLE_IDS) + 1  # one per card, and the combined PDF
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


def test_cached_and_fresh_cards_are_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(tmp_path / "p")
    monkeypatch.setenv("ROLEBOOK_CACHE_DIR", "")  # no cache at all
    fresh = _build(project)
    assert not (project / ".cache").exists()
    monkeypatch.delenv("ROLEBOOK_CACHE_DIR")
    assert _build(project) == fresh  # laid out into an empty cache
    assert _build(project) == fresh  # taken from it


def test_a_damaged_cache_entry_is_laid_out_again(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    fresh = _build(project)
    entries = sorted((project / CACHE).glob("*.pdf"))
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


def test_a_card_laid_out_by_a_worker_that_does_not_fit_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_org(26, tmp_path / "org")
    monkeypatch.setenv("ROLEBOOK_WORKERS", "2")
    assert rolebook("build", cwd=project).returncode == 0
    before = snapshot(project / "site")
    role = project / "roles" / "role-0017.yaml"
    text = role.read_text("utf-8")
    old = "  do: [Say what you change.]\n"
    assert old in text
    steps = "".join(
        f"    - Step {n} of a long procedure that has no place on a small card.\n" for n in range(30)
    )
    role.write_text(text.replace(old, "  do:\n" + steps), "utf-8")
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
