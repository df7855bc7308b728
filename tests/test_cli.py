"""The ``rolebook validate`` and ``rolebook schema`` commands, in-process and as the installed program."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import __version__
from generator.cli import cli
from generator.core.model import Role
from generator.diagnostics import Diagnostic, format_diagnostics
from generator.exports.schema import SCHEMAS

from .conftest import REPO_ROOT, SCHEMA_COMMENT, Project

SUP = "roles/support-team.yaml"


def find_rolebook() -> Path | None:
    beside = Path(sys.executable).parent / "rolebook"
    if beside.is_file():
        return beside
    found = shutil.which("rolebook")
    return Path(found) if found else None


ROLEBOOK = find_rolebook()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed ``rolebook`` program, run for real."""
    assert ROLEBOOK is not None, "the rolebook command is not installed next to this Python"
    env = {k: v for k, v in os.environ.items() if k != "ROLEBOOK_DEBUG"}
    return subprocess.run(
        [str(ROLEBOOK), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def invoke(*args: str) -> Result:
    """The click command, in-process."""
    return CliRunner().invoke(cli, list(args))


def break_summary(project: Project) -> tuple[int, str]:
    """Give support-team a list for its summary; return the line and the human diagnostic."""
    line, _ = project.sub(SUP, r"^summary:.*$", "summary: [a, b]")
    return line, f"{SUP}:{line}:10: error: 'summary' should be text, not a list"


def drop_backups(project: Project) -> str:
    """Make support-team earn a warning and nothing else; return the warning's human line."""
    project.replace_block(SUP, "backups", "")
    start = project.first_key_line(SUP)
    return f"{SUP}:{start}:1: warning: no backups: name the roles cross-trained to cover this one"


# --- validate: exit codes and formats ---------------------------------------------------------------


def test_validate_defaults_in_process(default_project: Project) -> None:
    result = invoke("validate", "--project", str(default_project.path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("ok: 6 roles, ")


def test_validate_defaults_for_real(default_project: Project) -> None:
    result = run("validate", cwd=default_project.path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("ok: 6 roles, ")


def test_validate_the_repository_itself() -> None:
    result = run("validate", "--strict", cwd=REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_broken_project_in_process(default_project: Project) -> None:
    _, expected = break_summary(default_project)
    result = invoke("validate", "-p", str(default_project.path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [expected]
    assert result.stderr == "the playbook is invalid: 1 error, 0 warnings\n"


def test_broken_project_for_real(default_project: Project) -> None:
    _, expected = break_summary(default_project)
    result = run("validate", cwd=default_project.path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [expected]
    assert result.stderr == "the playbook is invalid: 1 error, 0 warnings\n"


def test_github_format(default_project: Project) -> None:
    line, _ = break_summary(default_project)
    for result in (
        run("validate", "--format", "github", cwd=default_project.path),
        invoke("validate", "--format", "github", "--project", str(default_project.path)),
    ):
        code = result.returncode if isinstance(result, subprocess.CompletedProcess) else result.exit_code
        assert code == 1
        assert result.stdout.splitlines() == [
            f"::error file={SUP},line={line},col=10::'summary' should be text, not a list"
        ]


def test_github_format_for_a_warning(default_project: Project) -> None:
    drop_backups(default_project)
    start = default_project.first_key_line(SUP)
    result = invoke("validate", "--format", "github", "--project", str(default_project.path))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"::warning file={SUP},line={start},col=1::no backups: name the roles cross-trained to cover this one"
    ]


@pytest.mark.parametrize(
    ("name", "escaped"),
    [("on,call", "on%2Ccall"), ("on:call", "on%3Acall"), ("on%call", "on%25call")],
    ids=["comma", "colon", "percent"],
)
def test_github_format_escapes_the_file_property(default_project: Project, name: str, escaped: str) -> None:
    """A ',' or ':' left as is would end the 'file=' property early and point GitHub at the wrong file."""
    default_project.write(f"roles/{name}.yaml", default_project.read(SUP), dedent=False)
    result = invoke("validate", "--format", "github", "--project", str(default_project.path))
    in_message = name.replace("%", "%25")  # the message escapes only %, CR and LF
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"::error file=roles/{escaped}.yaml,line=1,col=1::file name '{in_message}.yaml' is not a role id: "
        "use lowercase letters, digits and hyphens, e.g. incident-manager.yaml"
    ]


def test_github_format_escapes_percent_and_line_breaks_in_the_message() -> None:
    """A message is always one line (breaks are written as escapes); % is escaped for the workflow command."""
    diagnostic = Diagnostic("roles/a.yaml", 2, 3, "100% sure\r\nnext: line, here")
    assert format_diagnostics([diagnostic], "github") == (
        "::error file=roles/a.yaml,line=2,col=3::100%25 sure\\r\\nnext: line, here"
    )


def test_json_format(default_project: Project) -> None:
    line, _ = break_summary(default_project)
    result = run("validate", "--format", "json", cwd=default_project.path)
    assert result.returncode == 1
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "valid": False,
        "diagnostics": [
            {
                "file": SUP,
                "line": line,
                "col": 10,
                "severity": "error",
                "message": "'summary' should be text, not a list",
            }
        ],
    }


def test_json_format_on_a_valid_project(default_project: Project) -> None:
    result = invoke("validate", "--format", "json", "--project", str(default_project.path))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"valid": True, "diagnostics": []}


def test_a_warning_alone_passes(default_project: Project) -> None:
    warning = drop_backups(default_project)
    result = run("validate", cwd=default_project.path)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [warning]
    assert result.stderr.startswith("ok: 6 roles, ")
    assert result.stderr.rstrip().endswith(", 0 errors, 1 warning")


def test_strict_turns_a_warning_into_a_failure(default_project: Project) -> None:
    warning = drop_backups(default_project)
    result = run("validate", "--strict", cwd=default_project.path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [warning.replace(": warning: ", ": error: ")]
    assert result.stderr == "the playbook is invalid: 1 error, 0 warnings\n"
    as_json = invoke("validate", "--strict", "--format", "json", "-p", str(default_project.path))
    assert as_json.exit_code == 1
    payload = json.loads(as_json.stdout)
    assert payload["valid"] is False
    assert [d["severity"] for d in payload["diagnostics"]] == ["error"]


def test_every_diagnostic_is_printed_in_order(default_project: Project) -> None:
    default_project.sub(SUP, r"^summary:.*$", "summary: [a, b]")
    default_project.insert_after("roles/incident-manager.yaml", "backups:", "  - janitor\n")
    default_project.insert_after("site_config/contacts.yaml", "contacts:", '  nobody:\n    channel: "#x"\n')
    result = run("validate", cwd=default_project.path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == [
        "roles/incident-manager.yaml",
        SUP,
        "site_config/contacts.yaml",
    ]
    assert lines == default_project.check()
    assert result.stderr == "the playbook is invalid: 3 errors, 0 warnings\n"


@pytest.mark.parametrize(
    "args",
    [["validate", "--bogus"], ["validate", "--format", "xml"], ["schema", "nope"], ["no-such-command"]],
    ids=["unknown-option", "bad-format", "bad-schema-kind", "unknown-command"],
)
def test_usage_errors_exit_2(default_project: Project, args: list[str]) -> None:
    result = run(*args, cwd=default_project.path)
    assert result.returncode == 2
    assert "Usage:" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert invoke(*args).exit_code == 2


def test_missing_project_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run("validate", "--project", str(missing), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.rstrip().endswith(f": {missing}: no such folder")
    in_process = invoke("validate", "--project", str(missing))
    assert in_process.exit_code == 1
    assert f"{missing}: no such folder" in in_process.stderr
    assert in_process.exception is None or isinstance(in_process.exception, SystemExit)


def test_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"rolebook, version {__version__}"


# --- no input ends in a traceback --------------------------------------------------------------------


def _garbage() -> bytes:
    return random.Random(1234).randbytes(4096)


def _deep_block_mapping() -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x\n"


BROKEN_INPUTS = {
    "binary-garbage": lambda p: p.write("roles/broken.yaml", _garbage()),
    "nul-bytes": lambda p: p.write("roles/broken.yaml", b"name: \x00\x01\x02\n"),
    "deep-flow-nesting": lambda p: p.write("roles/broken.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n"),
    "deep-block-nesting": lambda p: p.write("roles/broken.yaml", _deep_block_mapping(), dedent=False),
    "huge-file": lambda p: p.write("roles/broken.yaml", "# padding\n" * 110_000),
    "huge-integer": lambda p: p.write("roles/broken.yaml", "name: " + "9" * 5000 + "\n"),
    "yaml-bomb-aliases": lambda p: p.write(
        "roles/broken.yaml", "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n"
    ),
    "python-tag": lambda p: p.write("roles/broken.yaml", '!!python/object/apply:os.system ["false"]\n'),
    "directory-named-yaml": lambda p: p.file("roles/broken.yaml").mkdir(),
    "dangling-symlink": lambda p: p.file("roles/broken.yaml").symlink_to(p.path / "missing-target"),
    "settings-folder-is-a-file": lambda p: (
        p.remove("site_config"),
        p.write("site_config", "not a folder\n"),
    ),
    "roles-folder-is-a-file": lambda p: (p.remove("roles"), p.write("roles", "not a folder\n")),
    "list-in-settings": lambda p: p.write("site_config/broken.yaml", "- [[[]]]\n"),
    "mapping-keys": lambda p: p.write("roles/broken.yaml", "? {a: 1}\n: x\n"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_INPUTS))
def test_no_traceback_on_broken_input(default_project: Project, name: str) -> None:
    BROKEN_INPUTS[name](default_project)
    result = run("validate", cwd=default_project.path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "internal error" not in output
    assert ": error: " in result.stdout
    in_process = invoke("validate", "--project", str(default_project.path))
    assert in_process.exit_code == 1
    assert isinstance(in_process.exception, SystemExit), in_process.exception


def test_huge_file_is_named_and_refused(default_project: Project) -> None:
    default_project.write("roles/broken.yaml", "# padding\n" * 110_000)
    assert default_project.file("roles/broken.yaml").stat().st_size > 1024 * 1024
    result = run("validate", cwd=default_project.path)
    assert result.stdout.splitlines() == ["roles/broken.yaml:1:1: error: file is larger than 1024 KiB"]


def test_binary_garbage_is_named_and_located(default_project: Project) -> None:
    garbage = _garbage()
    default_project.write("roles/broken.yaml", garbage)
    try:
        garbage.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = garbage[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        byte = garbage[exc.start]
    result = run("validate", cwd=default_project.path)
    assert result.stdout.splitlines() == [
        f"roles/broken.yaml:{line}:{col}: error: not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8"
    ]


# --- schema -------------------------------------------------------------------------------------------


def test_schema_role_is_a_json_schema_of_the_role_fields(tmp_path: Path) -> None:
    result = run("schema", "role", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "role.schema.json"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(Role.model_fields)
    assert set(schema["required"]) == {name for name, f in Role.model_fields.items() if f.is_required()}
    assert {"name", "short", "summary", "responsibilities", "review"} <= set(schema["required"])


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_schema_references_resolve(kind: str) -> None:
    schema = json.loads(invoke("schema", kind).stdout)
    refs = _refs(schema)
    for ref in refs:
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in schema["$defs"], ref
    if kind != "site-config":
        assert refs, "expected the nested models to be referenced through $defs"


def test_schema_defaults_to_role() -> None:
    assert invoke("schema").stdout == invoke("schema", "role").stdout


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_committed_schema_is_current(kind: str, tmp_path: Path) -> None:
    committed = (REPO_ROOT / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")
    result = run("schema", kind, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == committed, f"schema/{kind}.schema.json is stale: run rolebook schema -o schema"
    assert invoke("schema", kind).stdout == committed


def test_committed_schemas_are_exactly_the_kinds() -> None:
    assert sorted(p.name for p in (REPO_ROOT / "schema").glob("*.schema.json")) == sorted(
        f"{kind}.schema.json" for kind in SCHEMAS
    )


def test_schema_output_dir_writes_every_kind(tmp_path: Path) -> None:
    out = tmp_path / "out" / "schema"
    result = invoke("schema", "--output-dir", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    for kind in SCHEMAS:
        assert (out / f"{kind}.schema.json").read_text(encoding="utf-8") == (
            REPO_ROOT / "schema" / f"{kind}.schema.json"
        ).read_text(encoding="utf-8")


def _default_yaml_files() -> list[tuple[str, str]]:
    files = []
    for path in sorted((REPO_ROOT / "roles").glob("*.yaml")):
        files.append((f"roles/{path.name}", "activities" if path.name == "activities.yaml" else "role"))
    for path in sorted((REPO_ROOT / "site_config").glob("*.yaml")):
        files.append((f"site_config/{path.name}", "site-config"))
    return files


def test_default_yaml_files_are_all_covered() -> None:
    names = [rel for rel, _ in _default_yaml_files()]
    assert "roles/activities.yaml" in names
    assert "site_config/playbook.yaml" in names
    assert len(names) >= 8


@pytest.mark.parametrize(("rel", "kind"), _default_yaml_files())
def test_default_yaml_file_references_its_schema(rel: str, kind: str) -> None:
    first_line = (REPO_ROOT / rel).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == SCHEMA_COMMENT.format(kind=kind)
    assert (REPO_ROOT / rel).parent.joinpath(f"../schema/{kind}.schema.json").resolve().is_file()
