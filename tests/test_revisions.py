"""Revisions read straight from git for ``rolebook diff``: regular files written, links reported, never followed."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from generator.core.yaml_loading import MAX_FILE_BYTES
from generator.review.revisions import extract

from .sitekit import copy_project, rolebook
from .test_pr_workflow import GIT_ENV, edit, git

PASSWD = Path("/etc/passwd")


def _git_out(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    result = subprocess.run(["git", *GIT_ENV, *args], cwd=repo, input=stdin, capture_output=True, check=True)
    return result.stdout.decode().strip()


def _commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def _project_repo(top: Path, sub: str = ".") -> Path:
    """A git repository at ``top`` holding the default playbook in ``sub``, committed on main."""
    project = copy_project(top / sub)
    git(top, "init", "-q", "-b", "main")
    _commit_all(top, "defaults")
    return project


def _diff(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = rolebook("diff", *args, cwd=cwd, timeout=120)
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stdout + result.stderr
    return result


def test_a_diff_between_two_revisions(tmp_path: Path) -> None:
    repo = _project_repo(tmp_path / "repo")
    git(repo, "checkout", "-q", "-b", "rename")
    edit(repo, "roles/incident-manager.yaml", "name: Incident Manager", "name: Incident Commander")
    _commit_all(repo, "rename")
    edit(repo, "roles/incident-manager.yaml", "name: Incident Commander", "name: Working Copy Name")
    result = _diff(repo, "main", "rename", "--format", "json", "--no-cards")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["renamed"] == [
        {"id": "incident-manager", "from": "Incident Manager", "to": "Incident Commander"}
    ]
    assert data["valid"] is True and data["added"] == [] and data["removed"] == []


def test_links_in_a_revision_are_located_problems_and_never_followed(tmp_path: Path) -> None:
    repo = _project_repo(tmp_path / "repo")
    secret = "sk-live-0123456789-never-printed"
    (repo / "notes.txt").write_text(f"token: {secret}\n", "utf-8")
    _commit_all(repo, "notes outside the folders rolebook reads")
    git(repo, "checkout", "-q", "-b", "links")
    (repo / "roles" / "passwd.yaml").symlink_to(PASSWD)
    (repo / "roles" / "notes.yaml").symlink_to("../notes.txt")
    (repo / "site_config" / "extra.yaml").symlink_to("../notes.txt")
    (repo / "docs" / "escape.md").symlink_to("x\x1b]0;title\x07y")
    (repo / "templates").mkdir(exist_ok=True)
    (repo / "templates" / "base.html").symlink_to(PASSWD)
    _commit_all(repo, "links")
    result = _diff(repo, "main", "links", "--no-cards")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for line in [
        "roles/passwd.yaml:1:1: error: a symbolic link; rolebook reads no links (it would lead to /etc/passwd)",
        "roles/notes.yaml:1:1: error: a symbolic link; rolebook reads no links (it would lead to ../notes.txt)",
        "site_config/extra.yaml:1:1: error: a symbolic link; rolebook reads no links "
        "(it would lead to ../notes.txt)",
        "templates/base.html:1:1: error: a symbolic link; rolebook reads no links (it would lead to /etc/passwd)",
        "docs/escape.md:1:1: error: a symbolic link; rolebook reads no links (it would lead to x\\x1b]0;title\\x07y)",
    ]:
        assert line in lines
    assert "### :x: `links` is invalid" in result.stdout
    output = result.stdout + result.stderr
    passwd_lines = [line for line in PASSWD.read_text("utf-8").splitlines() if line.strip()]
    assert passwd_lines and not any(line in output for line in passwd_lines)
    assert secret not in output and "\x1b" not in output and "\x07" not in output
    as_json = json.loads(_diff(repo, "main", "links", "--format", "json", "--no-cards").stdout)
    assert as_json["valid"] is False and list(as_json["problems"]) == ["links"]
    assert secret not in json.dumps(as_json)
    # the same revision as the base is just as invalid, and no link is written into the folder read
    again = extract(repo, "links", tmp_path / "side")
    assert again is not None
    written = [p for p in again.folder.rglob("*")]
    assert not any(p.is_symlink() for p in written)
    assert (again.folder / "notes.txt").read_text("utf-8") == f"token: {secret}\n"
    assert not (again.folder / "roles" / "passwd.yaml").exists()
    assert sorted(d.file for d in again.problems) == [
        "docs/escape.md",
        "roles/notes.yaml",
        "roles/passwd.yaml",
        "site_config/extra.yaml",
        "templates/base.html",
    ]


def test_a_link_outside_the_folders_read_is_left_out_and_a_submodule_skipped(tmp_path: Path) -> None:
    repo = _project_repo(tmp_path / "repo")
    (repo / "hostname").symlink_to("/etc/hostname")
    commit = _git_out(repo, "rev-parse", "HEAD")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{commit},vendor/module")
    edit(repo, "roles/support-team.yaml", "name: Support Team", "name: Customer Support")
    _commit_all(repo, "a link, a submodule and a rename")
    result = _diff(repo, "main~1", "main", "--format", "json", "--no-cards")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["renamed"][0]["to"] == "Customer Support"
    side = extract(repo, "main", tmp_path / "side")
    assert side is not None and side.problems == []
    assert not (side.folder / "hostname").exists() and not (side.folder / "hostname").is_symlink()
    assert not (side.folder / "vendor").exists()


def test_paths_with_spaces_and_unicode_in_a_subfolder(tmp_path: Path) -> None:
    top = tmp_path / "mono repo"
    project = _project_repo(top, "ops team/Plänbuch ✓")
    copy_project(top / "ops team/Plänbuch ✓ old")  # a sibling whose name starts the same way
    page = "Über uns — «Bereitschaft» 日本.md"
    (project / "docs" / page).write_text("# Über uns\n\nDie Bereitschaft.\n", "utf-8")
    edit(project, "roles/incident-manager.yaml", "name: Incident Manager", "name: Einsatzleitung")
    _commit_all(top, "unicode")
    result = _diff(project, "main~1", "main", "--no-cards")
    assert result.returncode == 0, result.stdout
    assert "**Role renamed:** Incident Manager → Einsatzleitung" in result.stdout
    side = extract(project, "main", tmp_path / "side")
    assert side is not None and side.folder == tmp_path / "side" / "ops team" / "Plänbuch ✓"
    assert (side.folder / "docs" / page).read_text("utf-8") == "# Über uns\n\nDie Bereitschaft.\n"
    assert not (tmp_path / "side" / "ops team" / "Plänbuch ✓ old").exists()


def test_an_executable_file_stays_executable_and_loads(tmp_path: Path) -> None:
    repo = _project_repo(tmp_path / "repo")
    (repo / "tools").mkdir()
    (repo / "tools" / "publish.sh").write_text("#!/bin/sh\necho publish\n", "utf-8")
    (repo / "tools" / "publish.sh").chmod(0o755)
    (repo / "roles" / "support-team.yaml").chmod(0o755)
    edit(repo, "roles/support-team.yaml", "name: Support Team", "name: Customer Support")
    _commit_all(repo, "executable")
    assert "100755" in _git_out(repo, "ls-files", "-s", "roles/support-team.yaml")
    result = _diff(repo, "main~1", "main", "--format", "json", "--no-cards")
    assert result.returncode == 0 and json.loads(result.stdout)["renamed"][0]["to"] == "Customer Support"
    side = extract(repo, "main", tmp_path / "side")
    assert side is not None
    assert os.stat(side.folder / "tools" / "publish.sh").st_mode & 0o100
    assert not os.stat(side.folder / "roles" / "incident-manager.yaml").st_mode & 0o111


def test_a_project_absent_at_base_is_all_added(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    top.mkdir()
    (top / "README.md").write_text("services\n", "utf-8")
    git(top, "init", "-q", "-b", "main")
    _commit_all(top, "before the playbook")
    project = copy_project(top / "ops" / "playbook")
    _commit_all(top, "the playbook")
    result = _diff(project, "main~1", "main", "--format", "json", "--no-cards")
    assert result.returncode == 0, result.stdout
    data = json.loads(result.stdout)
    assert len(data["added"]) == 6 and data["valid"] is True
    assert extract(project, "main~1", tmp_path / "side") is None


def test_a_path_leaving_the_folder_in_a_crafted_tree_is_refused(tmp_path: Path) -> None:
    repo = _project_repo(tmp_path / "repo")
    blob = _git_out(repo, "hash-object", "-w", "--stdin", stdin=b"name: Escaped\n")
    tree = _git_out(repo, "mktree", stdin=f"100644 blob {blob}\tescape.yaml\n".encode())
    for name in ("..", ".."):
        tree = _git_out(repo, "mktree", stdin=f"040000 tree {tree}\t{name}\n".encode())
    listing = _git_out(repo, "ls-tree", "main").splitlines()
    listing = [line for line in listing if not line.endswith("\troles")]
    roles_tree = _git_out(repo, "rev-parse", "main:roles")
    inner = _git_out(repo, "ls-tree", roles_tree) + f"\n040000 tree {tree}\t..\n"
    roles_tree = _git_out(repo, "mktree", stdin=inner.encode())
    top = _git_out(
        repo, "mktree", stdin=("\n".join(listing) + f"\n040000 tree {roles_tree}\troles\n").encode()
    )
    commit = _git_out(repo, "commit-tree", "-p", "main", "-m", "crafted", top)
    git(repo, "branch", "crafted", commit)
    workdir = tmp_path / "work" / "deep" / "side"
    result = _diff(repo, "main", "crafted", "--no-cards")
    assert result.returncode == 1
    assert "roles/../../../escape.yaml:1:1: error: a path that leaves the project folder" in result.stdout
    side = extract(repo, "crafted", workdir)
    assert side is not None and [d.file for d in side.problems] == ["roles/../../../escape.yaml"]
    assert not list((tmp_path / "work").rglob("escape.yaml")) and not (tmp_path / "escape.yaml").exists()


def test_a_blob_over_the_size_limit_is_written_and_refused_by_the_loader(tmp_path: Path) -> None:
    repo = _project_repo(tmp_path / "repo")
    (repo / "roles" / "huge.yaml").write_bytes(b"name: Huge\n" + b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    _commit_all(repo, "huge")
    result = _diff(repo, "main~1", "main", "--no-cards")
    assert result.returncode == 1
    assert f"roles/huge.yaml:1:1: error: file is larger than {MAX_FILE_BYTES // 1024} KiB" in result.stdout
