"""What a build reuses is this machine's own work: a build cache or an old site folder that arrived with a
branch is never published, and links in the cache never make rolebook touch a file elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .sitekit import copy_built, copy_project, rolebook


@pytest.fixture(autouse=True)
def _cache_in_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the build cache where rolebook keeps it by default: .cache/rolebook in the project."""
    monkeypatch.delenv("ROLEBOOK_CACHE_DIR", raising=False)


GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]


def test_a_cache_committed_to_git_is_not_used(tmp_path: Path, default_site: tuple[Path, Path]) -> None:
    project = copy_built(default_site, tmp_path / "p")  # built, with its cache
    pages = sorted((project / ".cache" / "rolebook" / "pages").glob("*.json"))
    assert pages
    for entry in pages:  # poisoned entries, as a branch could carry them with `git add -f`
        data = json.loads(entry.read_text("utf-8"))
        data["content"] = '<p class="poisoned">POISONED</p>' + data["content"]
        entry.write_text(json.dumps(data), "utf-8")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=project, check=True)
    subprocess.run([*GIT, "add", "-f", ".cache"], cwd=project, check=True)
    subprocess.run([*GIT, "commit", "-qm", "with a cache"], cwd=project, check=True)
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert not [p for p in (project / "site").rglob("*.html") if "POISONED" in p.read_text("utf-8")]
    subprocess.run(["git", "rm", "-rq", "--cached", ".cache"], cwd=project, check=True)
    assert rolebook("build", cwd=project).returncode == 0  # untracked: the machine's own, and used
    assert [p for p in (project / "site").rglob("*.html") if "POISONED" in p.read_text("utf-8")]


def test_links_in_the_cache_are_never_followed(tmp_path: Path, default_site: tuple[Path, Path]) -> None:
    project = copy_built(default_site, tmp_path / "p")  # built, with its cache
    victim = tmp_path / "victim"
    victim.mkdir()
    for i in range(5):
        (victim / f"precious-{i}.pdf").write_bytes(b"keep me")
        os.utime(victim / f"precious-{i}.pdf", (0, 0))  # old enough to be pruned, were it an entry
    cache = project / ".cache" / "rolebook"
    subprocess.run(["rm", "-rf", str(cache / "combined")], check=True)
    os.symlink(victim, cache / "combined")
    entry = next((cache / "cards").glob("*.pdf"))
    entry.unlink()
    os.symlink(victim / "precious-0.pdf", entry)
    subprocess.run(["rm", "-rf", str(project / "site")], check=True)
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in victim.iterdir()) == [f"precious-{i}.pdf" for i in range(5)]
    assert all(p.read_bytes() == b"keep me" for p in victim.iterdir())
    assert rolebook("cards", "-o", str(tmp_path / "cards.pdf"), cwd=project).returncode == 0
    assert sorted(p.name for p in victim.iterdir()) == [f"precious-{i}.pdf" for i in range(5)]


def test_a_committed_old_site_folder_never_becomes_the_site(tmp_path: Path) -> None:
    """Only the folder a stopped build itself moved aside goes back: one that arrived with a branch does not."""
    project = copy_project(tmp_path / "p")
    planted = project / ".site-old-abcdefgh"
    planted.mkdir()
    (planted / ".rolebook-site").write_text("built by rolebook\n", "utf-8")
    (planted / "index.html").write_text("<script>alert(1)</script>", "utf-8")
    (project / ".site-swap").write_text(".site-old-abcdefgh 1 2\n", "utf-8")
    role = project / "roles" / "support-team.yaml"
    role.write_text(role.read_text("utf-8") + "bogus: 1\n", "utf-8")
    assert rolebook("build", cwd=project).returncode == 1  # invalid: nothing built
    assert not (project / "site").exists()
    role.write_text(role.read_text("utf-8").replace("bogus: 1\n", ""), "utf-8")
    assert rolebook("build", cwd=project).returncode == 0
    assert "alert(1)" not in (project / "site" / "index.html").read_text("utf-8")
    assert not planted.exists() and not (project / ".site-swap").exists()
