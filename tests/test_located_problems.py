"""Card fit, template and diff problems are Diagnostics: located at a file, line and column, with a
severity, in every output format a command offers (human lines, GitHub annotations, JSON objects).
Every run is the installed program on a real project (and a real git repository for diff)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .sitekit import copy_project, rolebook

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
SUP = "roles/support-team.yaml"
CARD_TEMPLATE = "templates/cards/card.html.j2"
ROLE_TEMPLATE = "templates/pages/role.md.j2"


def _repo(tmp_path: Path) -> Path:
    """The default project, committed as the branch ``main`` of a new git repository."""
    project = copy_project(tmp_path / "repo")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "defaults"]):
        subprocess.run([*GIT, *args], cwd=project, check=True, capture_output=True)
    return project


def _overlong_card(project: Path) -> int:
    """Ten more first actions for the Support Team: its A6 card no longer fits. The line of its ``card:``."""
    role = project / SUP
    text = role.read_text("utf-8")
    extra = "".join(f"    - Check dashboard {n} and write down what it shows.\n" for n in range(25))
    role.write_text(text.replace("  first_actions:\n", "  first_actions:\n" + extra, 1), "utf-8")
    return text.splitlines().index("card:") + 1


def _broken_template(project: Path, rel: str, expression: str) -> int:
    """``expression`` in the template ``rel`` made to read a field no role has; the line it stands on."""
    path = project / rel
    text = path.read_text("utf-8")
    assert expression in text, f"{rel} no longer writes {expression}"
    path.write_text(text.replace(expression, expression.replace("role.name", "role.nmae"), 1), "utf-8")
    return text[: text.index(expression)].count("\n") + 1


def _human(stderr: str, file: str) -> list[re.Match[str]]:
    return list(re.finditer(rf"^{re.escape(file)}:(\d+):(\d+): (error|warning): (.*)$", stderr, re.M))


def _github(stdout: str) -> list[dict[str, str]]:
    pattern = r"^::(error|warning) file=([^,]*),line=(\d+),col=(\d+)::(.*)$"
    found = [m.groups() for m in re.finditer(pattern, stdout, re.M)]
    assert len(found) == len(stdout.splitlines()), stdout  # every line is an annotation
    keys = ("severity", "file", "line", "col", "message")
    return [dict(zip(keys, groups, strict=True)) for groups in found]


def _diff_in_every_format(repo: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    return {
        fmt: rolebook("diff", "main", "--format", fmt, cwd=repo) for fmt in ("markdown", "json", "github")
    }


def _json(stdout: str) -> Any:
    return json.loads(stdout)


# --- a card that does not fit: the role file, at its card: key --------------------------------------


def test_a_card_that_does_not_fit_is_located_by_rolebook_cards(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    card_line = _overlong_card(project)
    result = rolebook("cards", "--role", "support-team", "-o", str(tmp_path / "c.pdf"), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [problem] = _human(result.stderr, SUP)
    assert (int(problem[1]), int(problem[2]), problem[3]) == (card_line, 1, "error")
    assert (
        problem[4].startswith("the front of the A6 (105 x 148 mm) card is ") and "mm too tall" in problem[4]
    )
    assert not (tmp_path / "c.pdf").exists()


def test_a_card_that_stops_fitting_is_located_by_rolebook_diff_in_every_format(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    card_line = _overlong_card(repo)
    runs = _diff_in_every_format(repo)
    for fmt, result in runs.items():
        assert result.returncode == 0, (fmt, result.stderr)  # both revisions are valid playbooks
        assert "Traceback" not in result.stderr
    said = "the Support Team card no longer fits: the front of the A6 (105 x 148 mm) card is "

    [card] = _json(runs["json"].stdout)["cards"]
    assert (card["file"], card["line"], card["col"], card["severity"]) == (SUP, card_line, 1, "error")
    assert card["message"].startswith(said)

    [annotation] = _github(runs["github"].stdout)
    assert annotation == {
        "severity": "error",
        "file": SUP,
        "line": str(card_line),
        "col": "1",
        "message": card["message"],
    }

    bullets = [line for line in runs["markdown"].stdout.splitlines() if line.startswith("- :warning: ")]
    assert len(bullets) == 1
    assert bullets[0].startswith(
        f"- :warning: {SUP}:{card_line}:1: error: the Support Team card no longer fits"
    )


# --- a template that fails: the template file, at its line -------------------------------------------


def test_a_failing_card_template_is_located_by_rolebook_cards(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    line = _broken_template(project, CARD_TEMPLATE, "{{ role.name }}")
    result = rolebook("cards", "-o", str(tmp_path / "c.pdf"), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [problem] = _human(result.stderr, CARD_TEMPLATE)
    assert (int(problem[1]), int(problem[2]), problem[3]) == (line, 1, "error")
    assert problem[4].startswith("undefined value in template: ") and "'nmae'" in problem[4]


def test_a_failing_page_template_is_located_by_rolebook_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    line = _broken_template(project, ROLE_TEMPLATE, "{{ role.name | plain }}")
    result = rolebook("build", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [problem] = _human(result.stderr, ROLE_TEMPLATE)
    assert (int(problem[1]), int(problem[2]), problem[3]) == (line, 1, "error")
    assert "undefined value in template" in problem[4] and "'nmae'" in problem[4]
    assert not (project / "site").exists()


def test_a_failing_card_template_is_located_by_rolebook_diff_in_every_format(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    line = _broken_template(repo, CARD_TEMPLATE, "{{ role.name }}")
    runs = _diff_in_every_format(repo)
    for fmt, result in runs.items():
        assert result.returncode == 0, (fmt, result.stderr)  # the playbook itself is valid
        assert "Traceback" not in result.stderr
    said = "the cards could not be printed to compare them (head revision): undefined value in template: "

    [problem] = _json(runs["json"].stdout)["cards"]
    assert (problem["file"], problem["line"], problem["col"], problem["severity"]) == (
        CARD_TEMPLATE,
        line,
        1,
        "error",
    )
    assert problem["message"].startswith(said)

    [annotation] = _github(runs["github"].stdout)
    assert (annotation["file"], annotation["line"], annotation["severity"]) == (
        CARD_TEMPLATE,
        str(line),
        "error",
    )
    assert annotation["message"] == problem["message"]

    assert (
        f"- :warning: {CARD_TEMPLATE}:{line}:1: error: the cards could not be printed"
        in runs["markdown"].stdout
    )


# --- a revision that does not validate: the file and line in that revision ---------------------------


@pytest.mark.parametrize("side", ["head", "base"])
def test_an_invalid_revision_is_located_by_rolebook_diff_in_every_format(tmp_path: Path, side: str) -> None:
    repo = _repo(tmp_path)
    role = repo / SUP
    line = role.read_text("utf-8").splitlines().index("responsibilities:") + 1
    role.write_text(role.read_text("utf-8").replace("responsibilities:", "responsibilites:", 1), "utf-8")
    if side == "base":  # the broken file committed as the base, the default restored in the working tree
        subprocess.run([*GIT, "commit", "-q", "-am", "typo"], cwd=repo, check=True, capture_output=True)
        subprocess.run([*GIT, "checkout", "-q", "main~1", "--", SUP], cwd=repo, check=True)
    base, label = ("main", "working tree") if side == "head" else ("main", "main")
    runs = {fmt: rolebook("diff", base, "--format", fmt, cwd=repo) for fmt in ("markdown", "json", "github")}
    for fmt, result in runs.items():
        assert result.returncode == 1, (fmt, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    message = "unknown field 'responsibilites' (did you mean 'responsibilities'?)"

    data = _json(runs["json"].stdout)
    assert data["valid"] is False and list(data["problems"]) == [label]
    [problem] = data["problems"][label]
    assert problem == {"file": SUP, "line": line, "col": 1, "severity": "error", "message": message}

    [annotation] = _github(runs["github"].stdout)
    prefix = "" if side == "head" else "in main: "  # a problem of the base revision says so
    assert annotation == {
        "severity": "error",
        "file": SUP,
        "line": str(line),
        "col": "1",
        "message": prefix + message,
    }

    assert f"{SUP}:{line}:1: error: {message}" in runs["markdown"].stdout
    assert f"### :x: `{label}` is invalid" in runs["markdown"].stdout


def test_a_diff_without_problems_annotates_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    result = rolebook("diff", "main", "--format", "github", "--no-cards", cwd=repo)
    assert (result.returncode, result.stdout) == (0, "")
