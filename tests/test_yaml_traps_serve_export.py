"""Valid YAML that says something else than it looks (warned where it stands), `rolebook serve` at the
address it prints, and `rolebook export` to standard output."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.core.yaml_loading import YamlProblem, parse_yaml

from .sitekit import REPO_ROOT, copy_project, free_port, http_get, rolebook, snapshot, wait_for

SUP = "roles/support-team.yaml"
CONTACTS = "site_config/contacts.yaml"


def _warnings(text: str) -> list[tuple[int, int, str]]:
    doc = parse_yaml(text, "x.yaml")
    assert all(p.severity == "warning" for p in doc.problems)
    return [(p.line, p.col, p.message) for p in doc.problems]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    result = rolebook("init", "org", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "org"


# --- YAML traps ---------------------------------------------------------------------------------


def test_a_list_item_indented_one_space_too_far_is_warned_at_its_dash() -> None:
    text = (
        "responsibilities:\n"
        "  - Leads the response during it.\n"
        "   - Coordinates the work of the responders.\n"
        "  - Keeps the timeline.\n"
    )
    doc = parse_yaml(text, "x.yaml")
    # still what YAML says: the data is not changed, only explained
    assert doc.data["responsibilities"][0] == (
        "Leads the response during it. - Coordinates the work of the responders."
    )
    assert _warnings(text) == [
        (
            3,
            4,
            "this line is part of the item above, not an item of its own: its '-' is indented 1 space "
            "more than the list's, so YAML joins it to the text above; align the '-' with the other items",
        )
    ]


def test_every_joined_item_is_warned_with_how_far_it_is_indented() -> None:
    text = "steps:\n- One.\n   - Two.\n   -\n"  # a list at the key's indentation; an empty item too
    found = _warnings(text)
    assert [(line, col) for line, col, _ in found] == [(3, 4), (4, 4)]
    assert all("indented 3 spaces more than the list's" in message for _, _, message in found)


def test_a_list_written_under_text_is_warned() -> None:
    found = _warnings("summary: Answers customers\n  - during incidents\n")
    assert [(line, col) for line, col, _ in found] == [(2, 3)]
    assert found[0][2].startswith("this line is part of the text of 'summary' above, not a list item")
    assert "write 'summary: |'" in found[0][2]


@pytest.mark.parametrize(
    ("text", "line", "col", "start"),
    [
        ("contact: Slack #incidents\n", 1, 16, "the text ends at 'Slack': ' #' starts a YAML comment"),
        (
            "channel: #ops\n",
            1,
            10,
            "'channel' has no value: ' #' starts a YAML comment, so '#ops' is left out",
        ),
        ("- Leads the\n  response #now\n", 2, 12, "the text ends at 'Leads the response'"),
    ],
    ids=["after-text", "whole-value", "multi-line"],
)
def test_a_comment_that_cuts_text_short_is_warned(text: str, line: int, col: int, start: str) -> None:
    [(at_line, at_col, message)] = _warnings(text)
    assert (at_line, at_col) == (line, col)
    assert message.startswith(start)
    assert "quotes" in message


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  - One.\n  - Two.\n",
        "a:\n  - One, written\n    over two lines.\n",
        "a: |\n  - a list in text\n  - kept as written\n",
        "a: >\n  folded\n  - on purpose\n",
        "a: '- quoted'\nb: \"text\n  - quoted\"\n",
        'channel: "#ops"\nb: text # a comment\n# a comment line\nc: 3 #three\n',
        "a: [x, y]\nb: {c: d}\n",
        "a: text-with - dashes - inside\n",
    ],
    ids=["list", "wrapped", "literal", "folded", "quoted", "comments", "flow", "dashes"],
)
def test_plain_yaml_is_not_warned(text: str) -> None:
    assert _warnings(text) == []


def test_the_default_playbook_has_no_traps() -> None:
    files = sorted((REPO_ROOT / "roles").glob("*.yaml")) + sorted((REPO_ROOT / "site_config").glob("*.yaml"))
    assert files
    for file in files:
        assert _warnings(file.read_text("utf-8")) == [], file


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        (
            "a:\n  - Leads the response\n    owner: x\n",
            3,
            10,
            "'owner:' is indented as part of the text on the line above: if it is a key, align it with "
            "the keys of its mapping; if it is text, put the whole text in quotes",
        ),
        (
            "a:\n  b: 1\n\tc: 2\n",
            3,
            1,
            "found a tab character in the indentation: YAML indents with spaces only; replace it with spaces",
        ),
    ],
    ids=["mis-indented-key", "tab"],
)
def test_syntax_errors_say_what_to_change(text: str, line: int, col: int, message: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(text, "x.yaml")
    assert (caught.value.line, caught.value.col, caught.value.message) == (line, col, message)
    assert caught.value.severity == "error"


def test_validate_warns_at_each_trap(project: Path) -> None:
    (project / SUP).write_text(
        "extends: default\n"
        "responsibilities:\n"
        "  add:\n"
        "    - Leads the customer response during it.\n"
        "     - Coordinates the answers of the support agents.\n"
        "    - Posts updates in Slack #customer-updates\n",
        "utf-8",
    )
    contacts = (project / CONTACTS).read_text("utf-8")
    assert contacts.count('channel: "#support-escalations"') == 1
    (project / CONTACTS).write_text(
        contacts.replace('channel: "#support-escalations"', "channel: #support-escalations"), "utf-8"
    )
    contact_line = 1 + next(
        i for i, line in enumerate(contacts.splitlines()) if "#support-escalations" in line
    )

    result = rolebook("validate", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr  # warnings: still valid
    lines = result.stdout.splitlines()
    assert (
        f"{SUP}:5:6: warning: this line is part of the item above, not an item of its own: its '-' is "
        "indented 1 space more than the list's, so YAML joins it to the text above; align the '-' with "
        "the other items"
    ) in lines
    assert any(x.startswith(f"{SUP}:6:30: warning: the text ends at 'Posts updates in Slack'") for x in lines)
    assert any(x.startswith(f"{CONTACTS}:{contact_line}:14: warning: 'channel' has no value") for x in lines)

    strict = rolebook("validate", "--strict", "--format", "json", cwd=project)
    assert strict.returncode == 1
    found = json.loads(strict.stdout)["diagnostics"]
    assert {"file": SUP, "line": 5, "col": 6, "severity": "error"}.items() <= next(
        d for d in found if d["file"] == SUP and d["line"] == 5
    ).items()


# --- serve ----------------------------------------------------------------------------------------


def _get_exactly(host: str, port: int, path: str) -> tuple[int, bytes]:
    """One request, redirects not followed."""
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serve_answers_at_the_address_it_prints(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")  # its mkdocs.yml has site_url https://example.org/playbook/
    assert "site_url: https://example.org/playbook/" in (project / "mkdocs.yml").read_text("utf-8")
    port = free_port()
    log = tmp_path / "serve.log"
    exe = Path(sys.executable).with_name("rolebook")
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(exe), "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=project, stdout=out, stderr=out
        )
        try:
            assert wait_for(lambda: "Serving on " in log.read_text("utf-8"), 120), log.read_text("utf-8")
            printed = re.search(r"Serving on (\S+)", log.read_text("utf-8"))
            assert printed is not None
            address = printed.group(1)
            assert address == f"http://127.0.0.1:{port}/"
            assert wait_for(lambda: b"Support Team" in http_get(address)[1], 60)
            status, home = _get_exactly("127.0.0.1", port, "/")
            assert status == 200
            assert b'href="roles/support-team/"' in home  # the home page, linking the roles
            status, page = _get_exactly("127.0.0.1", port, "/roles/support-team/")
            assert status == 200 and b"Support Team" in page
        finally:
            server.terminate()
            server.wait(timeout=20)
    output = log.read_text("utf-8")
    requests = [line for line in output.splitlines() if '"GET ' in line]  # 200s are not logged
    assert requests == [], output
    assert "/playbook/" not in output


# --- export ---------------------------------------------------------------------------------------


def test_export_csv_and_json_go_to_standard_output(project: Path) -> None:
    before = snapshot(project)
    csv = rolebook("export", "--format", "csv", cwd=project)
    assert csv.returncode == 0, csv.stderr
    assert csv.stdout.startswith("activity,phase,")
    data = json.loads(rolebook("export", "--format", "json", cwd=project).stdout)
    assert len(data["roles"]) == 6
    assert snapshot(project) == before  # no raci.csv, no playbook.json


def test_export_with_output_writes_the_file(project: Path, tmp_path: Path) -> None:
    result = rolebook("export", "--format", "csv", "-o", str(tmp_path / "raci.csv"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "raci.csv").read_text("utf-8").startswith("activity,phase,")
    result = rolebook("export", "--format", "json", "-o", str(tmp_path / "p.json"), cwd=project)
    assert result.returncode == 0 and json.loads((tmp_path / "p.json").read_text("utf-8"))["roles"]


@pytest.mark.parametrize("output", [[], ["-o", "-"]], ids=["no-output", "stdout"])
def test_export_xlsx_needs_a_file(project: Path, output: list[str]) -> None:
    before = snapshot(project)
    result = rolebook("export", "--format", "xlsx", *output, cwd=project)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: rolebook export")
    assert "Error: --format xlsx writes a spreadsheet file: name it with -o FILE.xlsx" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(project) == before


def test_export_markdown_keeps_its_default_folder(project: Path) -> None:
    result = rolebook("export", "--format", "markdown", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (project / "playbook-markdown" / "mkdocs.yml").is_file()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name: x\nreview:\n  owner: @ops/governance\n",
            "3:10: error: a value cannot begin with '@' unless it is in quotes: write \"@ops/governance\"",
        ),
        (
            "name: x\nresponsibilities:\n  - First.\n  -Second.\n  - Third.\n",
            "5:3: error: line 4: a list item needs a space after its '-' (write '- ' before the text)",
        ),
    ],
)
def test_parser_errors_say_what_to_do(tmp_path: Path, text: str, message: str) -> None:
    from generator.core.yaml_loading import YamlProblem, parse_yaml

    with pytest.raises(YamlProblem) as caught:
        parse_yaml(text, "roles/x.yaml")
    assert f"{caught.value.line}:{caught.value.col}: error: {caught.value.message}" == message


def test_two_letters_for_one_role_point_to_ar() -> None:
    from generator.core.yaml_loading import YamlProblem, parse_yaml

    with pytest.raises(YamlProblem) as caught:
        parse_yaml("activities:\n  - raci: {scribe: A, scribe: R}\n", "roles/activities.yaml")
    assert caught.value.message == (
        "duplicate key 'scribe' (first defined on line 2); a role holds one letter per activity: "
        "AR makes it Accountable and Responsible"
    )
