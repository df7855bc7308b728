"""The command line as an edge: each command parses and calls one function, errors become exit codes
there (0 done, 1 a problem the user can fix, 2 usage, 70 a bug in rolebook), and ``schema -o`` writes
through the safe-write helper. Every run is the installed program, for real."""

from __future__ import annotations

import ast
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import INTERNAL_ERROR, INTERRUPTED
from generator.exports.schema import SCHEMAS, schema_text

from .sitekit import REPO_ROOT, copy_project, rolebook

CLI = REPO_ROOT / "generator" / "cli.py"
SUP = "roles/support-team.yaml"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("edge") / "p")


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The default project with one unknown field in a role file."""
    project = copy_project(tmp_path / "broken")
    role = project / SUP
    role.write_text(role.read_text("utf-8").replace("responsibilities:", "responsibilites:", 1), "utf-8")
    return project


def _with_a_bug(*args: str, cwd: Path, debug: bool) -> subprocess.CompletedProcess[str]:
    """``rolebook ARGS`` in a child Python whose playbook loader has a bug (it raises RuntimeError):
    nothing of the parent is patched; the child runs the real entry point."""
    code = (
        "import sys\n"
        "import generator.core.project as project\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('the loader tripped over itself')\n"
        "project.check_project = broken\n"
        "from generator.cli import main\n"
        f"sys.argv = ['rolebook', *{list(args)!r}]\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ROLEBOOK_DEBUG"}
    if debug:
        env["ROLEBOOK_DEBUG"] = "1"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- exit codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "build", "cards", "export"])
def test_an_internal_error_exits_70_with_one_paragraph_and_no_traceback(project: Path, command: str) -> None:
    args = ["export", "--format", "csv"] if command == "export" else [command]
    result = _with_a_bug(*args, cwd=project, debug=False)
    assert result.returncode == INTERNAL_ERROR == 70, result.stderr
    assert result.stdout == ""
    [paragraph] = result.stderr.strip().split("\n\n")
    assert "\n" not in paragraph.strip()
    assert paragraph.startswith("rolebook: internal error: RuntimeError: the loader tripped over itself.")
    assert "This is a bug in rolebook" in paragraph and "not a problem in your playbook" in paragraph
    assert "please report it with the command you ran" in paragraph
    assert "ROLEBOOK_DEBUG=1" in paragraph
    assert "Traceback" not in result.stderr


def test_rolebook_debug_adds_the_traceback(project: Path) -> None:
    result = _with_a_bug("validate", cwd=project, debug=True)
    assert result.returncode == 70
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "\nRuntimeError: the loader tripped over itself\n" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("rolebook: internal error: RuntimeError")
    assert "ROLEBOOK_DEBUG=1" not in result.stderr.splitlines()[-1]  # no advice to set what is set


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "--format", "json"],
        ["build"],
        ["cards", "-o", "cards.pdf"],
        ["export", "--format", "csv"],
        ["export", "--format", "json", "-o", "playbook.json"],
    ],
    ids=["validate", "validate-json", "build", "cards", "export-csv", "export-json"],
)
def test_an_invalid_playbook_exits_1_with_its_located_problem(broken: Path, args: list[str]) -> None:
    result = rolebook(*args, cwd=broken)
    assert result.returncode == 1, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert f"{SUP}:5:1: error: unknown field 'responsibilites'" in said or (
        '"file": "roles/support-team.yaml"' in said and '"line": 5' in said
    )
    assert "Traceback" not in said and "internal error" not in said
    assert not (broken / "site").exists() and not (broken / "cards.pdf").exists()
    assert not (broken / "playbook.json").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["diff"], "Missing argument 'BASE'"),
        (["export"], "Missing option '--format'"),
        (["export", "--format", "xlsx"], "name it with -o FILE.xlsx"),
        (["export", "--format", "markdown", "-o", "-"], "writes a folder"),
        (["cards", "--size", "poster"], "'poster' is not one of"),
        (["diff", "main", "--format", "html"], "'html' is not one of"),
        (["schema", "--output-dir"], "requires an argument"),
    ],
    ids=[
        "diff-base",
        "export-format",
        "xlsx-stdout",
        "markdown-stdout",
        "card-size",
        "diff-format",
        "schema-dir",
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str], said: str) -> None:
    result = rolebook(*args, cwd=project)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "Error: " in result.stderr
    assert "Traceback" not in result.stderr


def test_done_exits_0_and_each_output_is_what_its_function_returns(project: Path, tmp_path: Path) -> None:
    validate = rolebook("validate", cwd=project)
    assert validate.returncode == 0 and validate.stderr.startswith("ok: 6 roles, ")
    csv_out = rolebook("export", "--format", "csv", cwd=project)
    assert csv_out.returncode == 0 and csv_out.stdout.startswith("activity,phase,")
    written = rolebook("export", "--format", "csv", "-o", str(tmp_path / "raci.csv"), cwd=project)
    assert written.returncode == 0 and written.stderr.strip() == f"wrote {tmp_path / 'raci.csv'}"
    assert (tmp_path / "raci.csv").read_text("utf-8") == csv_out.stdout


# --- the command bodies ------------------------------------------------------------------------------


def _commands() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(CLI.read_text("utf-8"))
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any("command" in ast.unparse(d) for d in node.decorator_list)
    }


def test_every_command_body_is_at_most_15_lines_and_calls_one_function_of_a_lower_module() -> None:
    commands = _commands()
    assert set(commands) == {"validate", "build", "serve", "cards", "diff", "export", "init", "schema"}
    for name, node in commands.items():
        body = node.body[1:] if isinstance(node.body[0], ast.Expr) else node.body  # after the docstring
        lines = body[-1].end_lineno - body[0].lineno + 1  # type: ignore[operator]
        assert lines <= 15, f"{name}: {lines} lines"
        imported = [n for n in ast.walk(node) if isinstance(n, ast.ImportFrom)]
        assert imported, f"{name} calls nothing below the command line"
        loops = [n for n in ast.walk(node) if isinstance(n, ast.For | ast.While)]
        assert loops == [], f"{name} holds a loop: logic belongs below the command line"


def test_nothing_below_the_command_line_prints_or_exits() -> None:
    found = []
    for path in sorted((REPO_ROOT / "generator").rglob("*.py")):
        if path == CLI:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = ast.unparse(node.func)
            # a card layout worker answers its parent on its own standard output: that is its protocol
            if called in ("print", "sys.exit", "exit", "click.echo", "click.secho") and not (
                path.name == "layout.py" and called == "print"
            ):
                found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {called}")
    shown_by_errors = {f for f in found if f.startswith("generator/errors.py") and "click.echo" in f}
    assert sorted(set(found) - shown_by_errors) == []  # errors show themselves only when the CLI asks


# --- schema -o ---------------------------------------------------------------------------------------


def test_schema_output_dir_writes_every_file_whole(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    out.mkdir()
    (out / "role.schema.json").write_text("an older schema", "utf-8")
    result = rolebook("schema", "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{kind}.schema.json" for kind in SCHEMAS)
    for kind in SCHEMAS:
        path = out / f"{kind}.schema.json"
        assert path.read_text("utf-8") == schema_text(kind)
        json.loads(path.read_text("utf-8"))
        assert (
            stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044
        )  # readable by others, as published files are


@pytest.mark.parametrize("kind", ["link", "fifo", "folder"])
def test_schema_output_dir_refuses_a_link_a_device_or_a_folder_in_place_of_a_file(
    tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "schemas"
    out.mkdir()
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me", "utf-8")
    in_place = out / "site-config.schema.json"
    if kind == "link":
        in_place.symlink_to(outside)
    elif kind == "fifo":
        os.mkfifo(in_place)
    else:
        in_place.mkdir()
    result = rolebook("schema", "-o", str(out), cwd=tmp_path, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "site-config.schema.json" in result.stderr and "Traceback" not in result.stderr
    assert ("is a folder" if kind == "folder" else "not a plain file") in result.stderr
    assert outside.read_text("utf-8") == "keep me"
    assert [p.name for p in out.iterdir()] == ["site-config.schema.json"]  # nothing written before the check


def test_ctrl_c_exits_130(project: Path) -> None:
    """Interrupted in the middle of a command (here while validating), rolebook says so and exits 130."""
    code = (
        "import sys, time\n"
        "import generator.core.project as project\n"
        "def slow(*args, **kwargs):\n"
        "    print('working', flush=True)\n"
        "    time.sleep(60)\n"
        "project.check_project = slow\n"
        "from generator.cli import main\n"
        "sys.argv = ['rolebook', 'validate']\n"
        "main()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline() == "working\n"
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == INTERRUPTED == 130, err
    assert err.strip() == "interrupted"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "no-such-revision"], "unknown git revision 'no-such-revision'"),
        (["validate", "-p", "no-such-folder"], "no-such-folder: no such folder"),
    ],
)
def test_a_stopping_problem_is_written_in_the_asked_format(
    tmp_path: Path, args: list[str], message: str
) -> None:
    """With --format json or github, a problem that stops the command before any report is written in
    that format on standard output too (and as a message on standard error, exit 1)."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for fmt in ("json", "github"):
        result = rolebook(*args, "--format", fmt, cwd=tmp_path)
        assert result.returncode == 1 and message in result.stderr
        if fmt == "json":
            [problem] = json.loads(result.stdout)["diagnostics"]
            assert problem["file"] == "" and problem["line"] == 0 and message in problem["message"]
        else:
            assert result.stdout.startswith("::error::") and message in result.stdout
