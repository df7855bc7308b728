"""Hostile and runaway input: bounded, located, never a traceback; interrupted builds lose nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.core.fields import MAX_ITEMS
from generator.diagnostics import MAX_PER_FILE

from .sitekit import copy_built, copy_project, rolebook, snapshot, sweep

SUP = "roles/support-team.yaml"


def validate(project: Path) -> subprocess.CompletedProcess[str]:
    result = rolebook("validate", cwd=project, timeout=60)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    (project / "roles" / "huge.yaml").write_bytes(b"name: x\n" + b"# padding\n" * 120_000)
    result = validate(project)
    assert result.returncode == 1
    assert "roles/huge.yaml:1:1: error: file is larger than 1024 KiB" in result.stdout


def test_a_value_over_the_length_limit(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    role = project / SUP
    role.write_text(role.read_text("utf-8").replace("summary: ", "summary: " + "x" * 5000 + " ", 1), "utf-8")
    result = validate(project)
    assert result.returncode == 1
    assert "roles/support-team.yaml:4:10: error: 'summary' is longer than 4000 characters" in result.stdout


def test_a_list_over_the_entry_limit(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    role = project / SUP
    extra = "".join(f"  - Skill number {n}.\n" for n in range(MAX_ITEMS + 1))
    role.write_text(role.read_text("utf-8").replace("skills:\n", "skills:\n" + extra, 1), "utf-8")
    result = validate(project)
    assert result.returncode == 1
    assert f"error: 'skills' holds more than {MAX_ITEMS} entries" in result.stdout


def test_a_flood_of_problems_is_cut_short_per_file(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    role = project / SUP
    junk = "".join(f"unknown_{n}: x\n" for n in range(500))
    role.write_text(role.read_text("utf-8") + junk, "utf-8")
    lines = [line for line in validate(project).stdout.splitlines() if line.startswith(SUP)]
    assert len(lines) == MAX_PER_FILE + 1
    assert lines[-1].endswith(f"error: {500 - MAX_PER_FILE} more problems in this file are not shown")


def test_too_many_role_files_are_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    for n in range(2001):
        (project / "roles" / f"r{n}.yaml").write_bytes(b"")
    result = validate(project)  # within validate()'s time-out, like every run here
    assert result.returncode == 1
    assert "roles/:1:1: error: 2008 YAML files: rolebook reads at most 2000" in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\n", "1:4: error: YAML anchors (&x) are not allowed: write the value out"),
        (
            "name: !!python/object/apply:os.system ['true']\n",
            "1:7: error: YAML tag '!!python/object/apply:os.system'",
        ),
        ("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 80)), "error: nesting deeper than 64 levels"),
        ("a: " + "[" * 2000 + "]" * 2000 + "\n", "1:1003: error: exceeded maximum nesting depth"),
        ("\xff\xfe", "1:1: error: not UTF-8 text"),
    ],
    ids=["alias", "python-tag", "deep-block", "deep-flow", "utf16"],
)
def test_hostile_yaml_is_located(tmp_path: Path, text: str, message: str) -> None:
    project = copy_project(tmp_path / "p")
    (project / SUP).write_bytes(text.encode("utf-8") if not text.startswith("\xff") else b"\xff\xfe")
    result = validate(project)
    assert result.returncode == 1
    assert any(line.startswith(SUP) and message in line for line in result.stdout.splitlines()), result.stdout


def test_files_as_editors_save_them_are_read(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    for rel in (SUP, "roles/activities.yaml", "site_config/playbook.yaml"):
        path = project / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert validate(project).returncode == 0
    assert rolebook("build", cwd=project).returncode == 0


def test_a_branding_file_that_leads_outside_the_project_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not publish", "utf-8")
    (project / "assets").mkdir()
    (project / "assets" / "logo.svg").symlink_to(secret)
    settings = project / "site_config" / "playbook.yaml"
    text = settings.read_text("utf-8") + "branding:\n  logo: assets/logo.svg\n"
    settings.write_text(text, "utf-8")
    n = len(text.splitlines())
    assert validate(project).stdout.splitlines() == [
        f"site_config/playbook.yaml:{n}:9: error: 'assets/logo.svg' leads outside the project or into a "
        "hidden folder of it (a link?); the site takes files from the project only",
    ]
    assert rolebook("build", cwd=project).returncode == 1
    assert not (project / "site").exists()
    settings.write_text(text.replace("logo: assets/logo.svg", "logo: ../secret.txt"), "utf-8")
    assert validate(project).stdout.splitlines() == [
        f"site_config/playbook.yaml:{n}:9: error: 'logo' should be a file path inside the project, "
        "e.g. assets/logo.svg, not '../secret.txt'",
    ]


def _interrupt(args: list[str], cwd: Path, after: float) -> None:
    exe = Path(sys.executable).with_name("rolebook")
    process = subprocess.Popen(
        [str(exe), *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(after)
    process.send_signal(signal.SIGKILL if after > 0.5 else signal.SIGINT)
    process.wait(timeout=60)


@pytest.mark.parametrize("after", sweep([0.2, 0.6, 1.0, 1.4], keep=2))  # SIGINT, then SIGKILL
def test_an_interrupted_build_leaves_the_previous_site(
    tmp_path: Path, after: float, default_site: tuple[Path, Path]
) -> None:
    """Killed at any moment, a build leaves site/ as it was (or, had it finished, the same bytes)."""
    project = copy_built(default_site, tmp_path / "p")
    before = snapshot(project / "site")
    role = project / SUP
    role.write_text(role.read_text("utf-8").replace("name: Support Team", "name: Customer Care"), "utf-8")
    _interrupt(["build"], project, after)
    after_run = snapshot(project / "site")
    assert after_run == before or "Customer Care" in (
        project / "site" / "roles" / "support-team" / "index.html"
    ).read_text("utf-8")
    assert (project / "site" / "index.html").is_file()


@pytest.mark.parametrize("after", [0.3, 0.9])
def test_interrupted_cards_leave_the_previous_pdf(tmp_path: Path, after: float) -> None:
    project = copy_project(tmp_path / "p")
    out = project / "cards.pdf"
    out.write_bytes(b"%PDF- the previous print run")
    _interrupt(["cards", "-o", "cards.pdf"], project, after)
    data = out.read_bytes()
    assert data == b"%PDF- the previous print run" or (
        data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    )


@pytest.mark.slow
def test_a_large_file_is_read_and_rejected(tmp_path: Path) -> None:
    """A 1 MiB file of small entries is read and rejected quickly, not in minutes."""
    project = copy_project(tmp_path / "p")
    (project / "roles" / "big.yaml").write_text(
        "name: x\n" + "".join(f"k{n}: v\n" for n in range(120_000))[:1_000_000]
    )
    result = validate(project)  # within validate()'s time-out
    assert result.returncode == 1
    assert os.path.getsize(project / "roles" / "big.yaml") < 1024 * 1024


def test_the_documented_limits_are_the_real_ones() -> None:
    from generator import diagnostics
    from generator.core import model, project, yaml_loading

    from .sitekit import REPO_ROOT

    doc = (REPO_ROOT / "docs" / "editing-the-playbook" / "limits.md").read_text("utf-8")
    assert f"| {yaml_loading.MAX_FILE_BYTES // 1024} KiB |" in doc
    assert f"| {project.MAX_FILES} |" in doc
    assert f"| {yaml_loading.MAX_DEPTH} levels |" in doc
    assert f"| {model.MAX_ITEMS} |" in doc
    assert f"| {model.MAX_ACTIVITIES} |" in doc
    assert f"| {model.MAX_PHASES} each |" in doc
    assert f"| {diagnostics.MAX_PER_FILE} |" in doc
    name = model.Role.model_fields["name"].metadata
    assert any(getattr(m, "max_length", None) == 80 for m in name) and "| 80 characters, one line |" in doc
    from generator.core import guidance

    script = guidance.Script.model_fields["text"].metadata
    short = guidance.Message.model_fields["short"].annotation
    assert any(getattr(m, "max_length", None) == 3000 for m in script) and "| 3000 characters; 400 |" in doc
    assert "max_length=400" in repr(short)
