"""`rolebook init` creates the whole project or nothing, and broken defaults in a checkout are located.

Every test runs the command for real: the installed program, or the package of a copy of the
repository checkout (whose roles/ are then the built-in defaults) run with PYTHONPATH and -P.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .sitekit import REPO_ROOT, snapshot

WORK = ".rolebook-init-"
CHECKOUT_PARTS = (
    "roles",
    "site_config",
    "templates",
    "schema",
    "docs",
    "scaffold",
    "mkdocs.yml",
    "generator",
)
CLI = "import sys, generator.cli as c; sys.argv[0] = 'rolebook'; c.main()"
SUP = "roles/support-team.yaml"


def _env(pythonpath: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ROLEBOOK_DEBUG", "PYTHONPATH")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return env


def rolebook(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed program; arguments may be bytes, as a shell passes them."""
    exe = Path(sys.executable).with_name("rolebook")
    return subprocess.run(
        [exe, *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300, check=False
    )


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert "internal error" not in output
    assert "Traceback" not in output


# --- the organization name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "says"),
    [
        (b"\xff", "not UTF-8 text (byte 0xff at character 1)"),
        (b"Acme \xe9 Rockets", "not UTF-8 text (byte 0xe9 at character 6)"),
        (b"Acme\nRockets", "the name must be one line"),
        (b"Acme\rRockets", "the name must be one line"),
        (b"Acme\x07Rockets", "character 5: U+0007 ALERT is not allowed"),
        (b"Acme\tRockets", "character 5: U+0009 CHARACTER TABULATION is not allowed"),
        ("Acme\u202erockets".encode(), "character 5: U+202E RIGHT-TO-LEFT OVERRIDE is not allowed"),
        ("Acme\u200brockets".encode(), "character 5: U+200B ZERO WIDTH SPACE is not allowed"),
        ("Acme\u3164rockets".encode(), "character 5: U+3164 HANGUL FILLER is not allowed"),
        ("Acme\u2028Rockets".encode(), "the name must be one line"),
        (b"   ", "the name is empty"),
        (b"x" * 81, "81 characters; a name has at most 80"),
    ],
)
def test_a_refused_organization_leaves_nothing(tmp_path: Path, name: bytes, says: str) -> None:
    target = tmp_path / "new" / "playbook"  # its parent is made too, and must go again
    result = rolebook("init", str(target), "--organization", name, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: --organization: {says}")
    no_traceback(result)
    assert left_in(tmp_path) == []
    result = rolebook("init", str(target), "--organization", "Acme Rockets", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert left_in(tmp_path) == ["new"]
    assert left_in(tmp_path / "new") == ["playbook"]
    assert 'organization: "Acme Rockets"' in (target / "site_config" / "playbook.yaml").read_text("utf-8")


def test_the_longest_name_is_taken(tmp_path: Path) -> None:
    name = "A" * 80
    assert rolebook("init", "p", "--organization", name, cwd=tmp_path).returncode == 0
    assert f'organization: "{name}"' in (tmp_path / "p" / "site_config" / "playbook.yaml").read_text("utf-8")


# --- where it writes --------------------------------------------------------------------------------


def test_init_into_an_existing_empty_folder_keeps_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir(mode=0o750)
    target.chmod(0o750)
    before = target.stat()
    result = rolebook("init", ".", "--organization", "Acme Rockets", cwd=target)  # from inside it
    assert result.returncode == 0, result.stderr
    after = target.stat()
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)  # the same folder, not a new one
    assert (target / "roles" / "support-team.yaml").is_file()
    assert left_in(tmp_path) == ["mine"]
    assert rolebook("validate", cwd=target).returncode == 0


@pytest.mark.parametrize("content", [{"notes.txt": "mine"}, {".git/HEAD": "ref: refs/heads/main\n"}])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, content: dict[str, str]) -> None:
    target = tmp_path / "busy"
    for rel, text in content.items():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_text(text, "utf-8")
    before = snapshot(target)
    result = rolebook("init", str(target), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {target}: not an empty folder")
    assert snapshot(target) == before
    assert left_in(tmp_path) == ["busy"]


def test_init_under_a_file_fails_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", "utf-8")
    result = rolebook("init", str(tmp_path / "file" / "p"), cwd=tmp_path)
    assert result.returncode == 1
    no_traceback(result)
    assert left_in(tmp_path) == ["file"]


# --- a copy of the repository checkout: its roles/ are the built-in defaults ---------------------------


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    copy.mkdir()
    for part in CHECKOUT_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__", "_defaults"))
        else:
            shutil.copy2(source, copy / part)
    where = subprocess.run(
        [sys.executable, "-P", "-c", "import generator.core.defaults as d; print(d.defaults_root())"],
        env=_env(copy),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip() == str(copy)  # the copy's package, with the copy's roles/ as defaults
    return copy


def from_checkout(checkout: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-P", "-c", CLI, *args],
            env=_env(checkout),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


def _tab(text: str) -> tuple[str, int, int, str]:
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("short:"))
    lines[at] = "\t" + lines[at]
    return "".join(lines), at + 1, 1, "found a tab character"


def _duplicate(text: str) -> tuple[str, int, int, str]:
    text = text.rstrip("\n") + "\nname: Support Team Again\n"
    return text, text.count("\n"), 1, "duplicate key 'name' (first defined on line 2)"


def _misspelled(text: str) -> tuple[str, int, int, str]:
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("summary:"))) + 1
    return (
        text.replace("\nsummary:", "\nsumary:", 1),
        line,
        1,
        "unknown field 'sumary' (did you mean 'summary'?)",
    )


@pytest.mark.parametrize("breaks", [_tab, _duplicate, _misspelled], ids=["tab", "duplicate", "misspelled"])
def test_a_broken_default_file_is_located_everywhere(
    tmp_path: Path, checkout: Path, breaks: Callable[[str], tuple[str, int, int, str]]
) -> None:
    run = from_checkout(checkout)
    project = tmp_path / "project"
    result = run("init", str(project), cwd=tmp_path)  # extends the (still good) defaults
    assert result.returncode == 0, result.stderr
    text, line, col, message = breaks((checkout / SUP).read_text("utf-8"))
    (checkout / SUP).write_text(text, "utf-8")

    result = run("validate", cwd=checkout)  # the repository itself: its own file, as the project's
    assert result.returncode == 1
    assert result.stdout.startswith(f"{SUP}:{line}:{col}: error: {message}")
    no_traceback(result)

    located = f"(rolebook defaults)/{SUP}:{line}:{col}: error: {message}"
    for command in ("validate", "build"):  # a project that extends the defaults
        result = run(command, cwd=project)
        assert result.returncode == 1, command
        assert any(x.startswith(located) for x in (result.stdout + result.stderr).splitlines()), command
        no_traceback(result)
    assert not (project / "site").exists()

    result = run("init", str(tmp_path / "another"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(located)
    assert f"defaults, read from {checkout}, are invalid" in result.stderr
    no_traceback(result)
    assert left_in(tmp_path) == ["checkout", "project"]


def test_a_source_that_fails_late_leaves_nothing(tmp_path: Path, checkout: Path) -> None:
    """The last file init copies cannot be read: everything written before it goes again."""
    (checkout / "scaffold" / "gitignore").unlink()
    (checkout / "scaffold" / "gitignore").mkdir()
    result = from_checkout(checkout)("init", str(tmp_path / "p"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {checkout / 'scaffold' / 'gitignore'}: Is a directory")
    no_traceback(result)
    assert left_in(tmp_path) == ["checkout"]


def test_a_project_that_fails_its_last_check_leaves_nothing(tmp_path: Path, checkout: Path) -> None:
    """Every file is written, then the new project turns out not to name the organization."""
    settings = checkout / "site_config" / "playbook.yaml"
    text = settings.read_text("utf-8")
    assert text.count("\norganization: Example Organization\n") == 1
    settings.write_text(text.replace("\norganization:", '\n"organization":'), "utf-8")  # still valid
    result = from_checkout(checkout)("init", str(tmp_path / "p"), "--organization", "Acme", cwd=tmp_path)
    assert result.returncode == 1
    assert "no 'organization:' line to set; nothing was created" in result.stderr
    no_traceback(result)
    assert left_in(tmp_path) == ["checkout"]


def _stopped_init(tmp_path: Path, checkout: Path, signum: int) -> subprocess.CompletedProcess[str]:
    """Start init with the last file it copies a pipe nobody writes, so it stops in the middle of
    writing; send ``signum`` once the work folder holds files, and wait for the end."""
    gitignore = checkout / "scaffold" / "gitignore"
    original = gitignore.read_text("utf-8")
    gitignore.unlink()
    os.mkfifo(gitignore)
    process = subprocess.Popen(
        [sys.executable, "-P", "-c", CLI, "init", str(tmp_path / "p")],
        env=_env(checkout),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(p.name == "README.md" for p in tmp_path.glob(f"{WORK}*/*")):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "init never started writing"
            time.sleep(0.05)
        assert not (tmp_path / "p").exists()
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    gitignore.unlink()
    gitignore.write_text(original, "utf-8")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_an_interrupted_init_leaves_nothing(tmp_path: Path, checkout: Path, signum: int) -> None:
    result = _stopped_init(tmp_path, checkout, signum)
    assert result.returncode != 0
    no_traceback(result)
    assert left_in(tmp_path) == ["checkout"]
    assert from_checkout(checkout)("init", str(tmp_path / "p"), cwd=tmp_path).returncode == 0
    assert left_in(tmp_path) == ["checkout", "p"]


def test_a_killed_init_is_cleaned_up_by_the_next(tmp_path: Path, checkout: Path) -> None:
    result = _stopped_init(tmp_path, checkout, signal.SIGKILL)
    assert result.returncode == -signal.SIGKILL
    [stale] = [p for p in tmp_path.iterdir() if p.name.startswith(WORK)]  # nothing can run on SIGKILL
    assert not (tmp_path / "p").exists()
    result = from_checkout(checkout)("init", str(tmp_path / "p"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert left_in(tmp_path) == ["checkout", "p"]
    assert not stale.exists()
    gitignore = (checkout / "scaffold" / "gitignore").read_text("utf-8")
    assert (tmp_path / "p" / ".gitignore").read_text("utf-8") == gitignore


def test_a_link_to_nowhere_is_not_followed(tmp_path: Path) -> None:
    """``init`` into a dangling link would make folders wherever it points: refused, nothing made."""
    elsewhere = tmp_path / "elsewhere" / "deep"
    os.symlink(elsewhere, tmp_path / "p")
    result = rolebook("init", "p", "--organization", "Acme", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 1 and "a link to a folder that does not exist" in result.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_what_init_prints_carries_no_escape_sequence(tmp_path: Path) -> None:
    result = rolebook("init", b"x\x1b]0;owned\x07", "--organization", "Acme", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stderr + result.stdout and "\x07" not in result.stderr + result.stdout
    assert "created" in result.stderr
