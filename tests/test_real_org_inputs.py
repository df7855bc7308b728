"""Wrong but plausible input around a real organization's playbook: each gives one clear, located
message, never a traceback, a false error or a file written where it should not be."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .foreign import make_foreign_playbook
from .sitekit import rolebook


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), "utf-8")


@pytest.fixture
def northwind(tmp_path: Path) -> Path:
    return make_foreign_playbook(tmp_path)


def lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    "spelling", ["Commun\u0130cation Lead", "COMMUN\u0130CAT\u0130ON LEAD", "commun\u0131cation lead"]
)
def test_a_dotted_or_dotless_i_in_a_removed_roles_name(northwind: Path, spelling: str) -> None:
    """The regex's case-insensitive match and casefold() disagree on a dotted capital I and a dotless
    small one (U+0130, U+0131): the name is still found, and nothing crashes."""
    _rewrite(
        northwind / "roles" / "scribe.yaml",
        "Keeps the timeline",
        f"Tells the {spelling} and keeps the timeline",
    )
    result = rolebook("validate", cwd=northwind)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.returncode == 0
    assert "names 'Communication Lead', which is not a role of this playbook" in result.stdout


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_export_never_replaces_a_link_or_a_pipe(northwind: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out.csv"
    if kind == "symlink":
        (tmp_path / "real.csv").write_text("mine", "utf-8")
        target.symlink_to(tmp_path / "real.csv")
    else:
        os.mkfifo(target)
    result = rolebook("export", "--format", "csv", "-o", str(target), cwd=northwind)
    assert result.returncode == 1
    assert "not a plain file (a link, a device or a pipe)" in result.stderr
    assert target.is_symlink() if kind == "symlink" else not target.is_file()
    if kind == "symlink":
        assert (tmp_path / "real.csv").read_text("utf-8") == "mine"


def test_markdown_export_to_standard_output_is_a_usage_error(northwind: Path) -> None:
    result = rolebook("export", "--format", "markdown", "-o", "-", cwd=northwind)
    assert result.returncode == 2 and "writes a folder: name it with -o DIR" in result.stderr
    assert not (northwind / "-").exists()


def test_a_broken_severity_field_gives_no_false_unknown_levels(northwind: Path) -> None:
    """Levels not known for sure switch the checks that need them off: no activity's level is unknown."""
    _rewrite(northwind / "site_config" / "playbook.yaml", "respond_within: 10 minutes", "respond_within: 10")
    result = rolebook("validate", cwd=northwind)
    assert result.returncode == 1
    assert len(lines(result)) == 1 and "'respond_within'" in lines(result)[0], lines(result)


def test_many_warnings_in_one_file_do_not_make_the_playbook_invalid(northwind: Path) -> None:
    items = "".join(f"          - Item {i} #c{i}\n" for i in range(60))
    _rewrite(
        northwind / "roles" / "exec-on-call.yaml",
        "responsibilities:\n",
        "skills:\n" + items.replace("          ", "  ") + "responsibilities:\n",
    )
    result = rolebook("validate", cwd=northwind)
    assert result.returncode == 0, result.stdout
    assert any(": warning: 10 more problems in this file are not shown" in line for line in lines(result))
    assert rolebook("validate", "--strict", cwd=northwind).returncode == 1


def test_the_example_organization_is_a_warning(tmp_path: Path) -> None:
    assert rolebook("init", "p", cwd=tmp_path).returncode == 0
    result = rolebook("validate", cwd=tmp_path / "p")
    assert any(
        line.startswith("site_config/playbook.yaml:")
        and "organization is still the example value 'Example Organization'" in line
        for line in lines(result)
    )


@pytest.mark.parametrize(
    ("organization", "message"),
    [("42", "'organization' should be text"), ("<b>Acme</b>", "raw HTML is not allowed")],
)
def test_an_invalid_organization_is_reported_once(northwind: Path, organization: str, message: str) -> None:
    _rewrite(
        northwind / "site_config" / "playbook.yaml",
        "organization: Northwind Health",
        f"organization: {organization}",
    )
    result = rolebook("validate", cwd=northwind)
    assert len(lines(result)) == 1 and message in lines(result)[0] and "title" not in lines(result)[0]


def test_an_organization_named_incident_response_is_not_repeated(tmp_path: Path) -> None:
    assert rolebook("init", "p", "--organization", "Acme Incident Response", cwd=tmp_path).returncode == 0
    assert rolebook("build", cwd=tmp_path / "p").returncode == 0
    html = (tmp_path / "p" / "site" / "index.html").read_text("utf-8")
    assert "<title>Acme Incident Response</title>" in html


@pytest.mark.parametrize("letter", ["a/r", "ar", "ra"])
def test_the_a_r_spellings_are_capitals_like_the_letters(northwind: Path, letter: str) -> None:
    _rewrite(northwind / "roles" / "activities.yaml", "scribe: A/R", f"scribe: {letter}")
    result = rolebook("validate", cwd=northwind)
    assert result.returncode == 1 and f"'{letter}' is not allowed for 'scribe'" in result.stdout


def test_a_severity_level_listed_twice(northwind: Path) -> None:
    _rewrite(northwind / "roles" / "activities.yaml", "severities: [p1]", "severities: [p1, p1]")
    result = rolebook("validate", cwd=northwind)
    assert result.returncode == 1
    assert [line.split(": ", 1)[1] for line in lines(result)] == [
        "error: severity level 'p1' is listed twice"
    ]
