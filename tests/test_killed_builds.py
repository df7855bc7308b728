"""Builds killed at every step of the swap, and at random moments: site/ is the old site or the new one,
or the next build puts the old one back first; the next build leaves no work folders behind.

The steps are named stop points (ROLEBOOK_TEST_STOP_AT makes `rolebook build` kill itself there with
SIGKILL). tests/test_hardening.py interrupts builds at fixed times; these check the recovery too. They
build again and again, so they are marked slow: .ci/run runs them, `pytest -m slow` too."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .sitekit import rolebook, snapshot

pytestmark = pytest.mark.slow

ROLE = "roles/support-team.yaml"
EXE = Path(sys.executable).with_name("rolebook")


@dataclass(frozen=True)
class Sites:
    built: Path  # a project whose site/ holds the old site
    old: dict[str, str]
    new: dict[str, str]


def _edit(project: Path, text: str = "name: Customer Care") -> None:
    role = project / ROLE
    role.write_text(role.read_text("utf-8").replace("name: Support Team", text), "utf-8")


def _work_folders(project: Path) -> list[str]:
    """rolebook's work folders beside site/: .site-<kind>-<8 random characters>."""
    made = re.compile(r"\.site-(building|new|old|trash)-[a-z0-9_]{8}")
    return sorted(p.name for p in project.iterdir() if made.fullmatch(p.name))


def _build(project: Path, stop_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ROLEBOOK_TEST_STOP_AT"}
    if stop_at:
        env["ROLEBOOK_TEST_STOP_AT"] = stop_at
    return subprocess.run(
        [str(EXE), "build"], cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, default_site: tuple[Path, Path]) -> Sites:
    """The default project built (the old site, shared and read only: conftest), and the same project with
    one role renamed built (the new)."""
    built, _ = default_site
    edited = tmp_path_factory.mktemp("killed") / "new"
    shutil.copytree(built, edited)
    _edit(edited)
    assert rolebook("build", cwd=edited).returncode == 0
    old, new = snapshot(built / "site"), snapshot(edited / "site")
    assert old != new and old.keys() == new.keys()
    return Sites(built, old, new)


def _copy(sites: Sites, target: Path) -> Path:
    """A private copy of the built project (site/ and the build cache too), with the role edited."""
    shutil.copytree(sites.built, target, symlinks=True)
    _edit(target)
    return target


def _recovered(project: Path, sites: Sites) -> None:
    """The next build puts the new site in place and leaves no work folder."""
    result = _build(project)
    assert result.returncode == 0, result.stderr
    assert snapshot(project / "site") == sites.new
    assert _work_folders(project) == []


# stop point -> what site/ holds right after the kill, and the work folders left beside it
STOPS = {
    "staging-made": ("old", ["building"]),
    "mkdocs-build": ("old", ["building"]),  # every file written, the marker too: still not used
    "build-complete": ("old", ["new"]),
    "old-moved-aside": (None, ["new", "old"]),
    "new-moved-in": ("new", ["old"]),
    "removing-old": ("new", ["trash"]),
}


@pytest.mark.parametrize("stop", list(STOPS))
def test_a_build_killed_at_each_step(tmp_path: Path, sites: Sites, stop: str) -> None:
    project = _copy(sites, tmp_path / "p")
    result = _build(project, stop)
    assert result.returncode == -signal.SIGKILL, result.stderr
    holds, left = STOPS[stop]
    assert [name.split("-")[1] for name in _work_folders(project)] == left  # the kill came where named
    if holds is None:  # killed between the two renames: no site/ until the next build puts it back
        assert not (project / "site").exists()
        (old,) = project.glob(".site-old-*")
        assert snapshot(old) == sites.old
    else:
        assert snapshot(project / "site") == (sites.old if holds == "old" else sites.new)
    _recovered(project, sites)


def test_the_old_site_is_back_before_anything_else(tmp_path: Path, sites: Sites) -> None:
    """Even when the next build stops at validation, it has put the site moved aside back first."""
    project = _copy(sites, tmp_path / "p")
    assert _build(project, "old-moved-aside").returncode == -signal.SIGKILL
    assert not (project / "site").exists()
    role = project / ROLE
    role.write_text(role.read_text("utf-8") + "not_a_field: 1\n", "utf-8")
    result = _build(project)
    assert result.returncode == 1
    assert "unknown field 'not_a_field'" in result.stdout + result.stderr
    assert snapshot(project / "site") == sites.old
    assert _work_folders(project) == []


def test_folders_beside_the_site_that_rolebook_did_not_make_are_kept(tmp_path: Path, sites: Sites) -> None:
    project = _copy(sites, tmp_path / "p")
    for name in (".site-old-notmine", ".site-building-x", ".siteold-abcdefgh", ".site-old-abcdefgh.txt"):
        (project / name).mkdir()
    assert _build(project, "build-complete").returncode == -signal.SIGKILL
    (project / "site").rename(project / "moved")  # gone: only rolebook's own old site may come back
    _recovered(project, sites)
    assert (project / "moved").is_dir()
    assert sorted(p.name for p in project.glob(".site*")) == [
        ".site-building-x",
        ".site-old-abcdefgh.txt",
        ".site-old-notmine",
        ".siteold-abcdefgh",
    ]


def test_builds_killed_at_random_moments(tmp_path: Path, sites: Sites) -> None:
    seed = random.randrange(1 << 30)
    moments = random.Random(seed).sample([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0], 3)
    for n, moment in enumerate(moments):
        project = _copy(sites, tmp_path / f"p{n}")
        process = subprocess.Popen(
            [str(EXE), "build"], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(moment)
        process.kill()
        process.wait(timeout=60)
        where = f"killed after {moment} s (seed {seed})"
        if (project / "site").exists():
            assert snapshot(project / "site") in (sites.old, sites.new), where
        else:
            (old,) = project.glob(".site-old-*")
            assert snapshot(old) == sites.old, where
        _recovered(project, sites)
