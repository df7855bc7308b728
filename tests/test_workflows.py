"""The GitHub workflows rolebook ships: this repository's, and those ``rolebook init`` writes.

They pass a zizmor audit (run offline, from this environment) with no high or medium finding, pin every
action to a commit, and the comment workflow posts the report of a pull request without trusting it:
its script runs here for real under bash and jq, with a stand-in for the ``gh`` command (no network).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .sitekit import REPO_ROOT, rolebook

REPO_WORKFLOWS = sorted(
    p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / ".github/workflows").glob("*.y*ml")
)
# scaffold file -> where `rolebook init` writes it
SCAFFOLD_WORKFLOWS = {
    "scaffold/playbook-workflow.yml": ".github/workflows/playbook.yml",
    "scaffold/playbook-comment-workflow.yml": ".github/workflows/playbook-comment.yml",
}
ALL_WORKFLOWS = [*REPO_WORKFLOWS, *SCAFFOLD_WORKFLOWS]
COMMENT_WORKFLOWS = [".github/workflows/playbook-comment.yml", "scaffold/playbook-comment-workflow.yml"]
CHECK_WORKFLOWS = [".github/workflows/playbook.yml", "scaffold/playbook-workflow.yml"]
ZIZMOR = Path(sys.executable).with_name("zizmor")
PINNED = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+(?:\.\d+){0,2})\s*$")


def _load(workflow: str) -> dict[Any, Any]:
    data = yaml.safe_load((REPO_ROOT / workflow).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _zizmor(*args: str) -> list[dict[str, Any]]:
    assert ZIZMOR.exists(), (
        f"zizmor is not installed in this environment ({ZIZMOR}): pip install -e '.[test]'"
    )
    result = subprocess.run(
        [
            str(ZIZMOR),
            "--offline",
            "--no-config",
            "--no-exit-codes",
            "--format",
            "json",
            *args,
            *ALL_WORKFLOWS,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    assert isinstance(findings, list)
    return findings


def _serious(findings: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (
            f["ident"],
            f["determinations"]["severity"],
            f["locations"][0]["symbolic"]["key"]["Local"]["verbatim_path"],
        )
        for f in findings
        if f["determinations"]["severity"] in ("High", "Medium")
    ]


def test_zizmor_finds_nothing_high_or_medium() -> None:
    # the auditor persona: every audit, false positives included
    assert _serious(_zizmor("--persona", "auditor")) == []


def test_the_one_finding_set_aside_is_the_workflow_run_trigger() -> None:
    """Without the ignore comments, the only serious finding is the trigger of the comment workflows,
    which must be workflow_run for pull requests from forks to get their comment."""
    findings = _zizmor("--persona", "auditor", "--no-ignores")
    assert sorted(_serious(findings)) == sorted(("dangerous-triggers", "High", w) for w in COMMENT_WORKFLOWS)
    for workflow in ALL_WORKFLOWS:
        ignores = re.findall(r"zizmor: ignore\[([^\]]*)\]", (REPO_ROOT / workflow).read_text("utf-8"))
        assert ignores == (["dangerous-triggers"] if workflow in COMMENT_WORKFLOWS else []), workflow


@pytest.mark.parametrize("workflow", ALL_WORKFLOWS)
def test_every_action_is_pinned_to_a_commit_with_its_release(workflow: str) -> None:
    text = (REPO_ROOT / workflow).read_text("utf-8")
    _load(workflow)  # well-formed YAML
    uses = [line for line in text.splitlines() if re.match(r"^\s*(?:- )?uses:", line)]
    for line in uses:
        assert PINNED.match(line), f"{workflow}: not pinned to a commit with its release in a comment: {line}"


def test_each_action_is_pinned_to_the_same_commit_everywhere() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for workflow in ALL_WORKFLOWS:
        for line in (REPO_ROOT / workflow).read_text("utf-8").splitlines():
            if match := PINNED.match(line):
                pins.setdefault(match[1], set()).add((match[2], match[3]))
    assert pins and all(len(found) == 1 for found in pins.values()), pins


@pytest.mark.parametrize("workflow", ALL_WORKFLOWS)
def test_least_permissions_and_no_expressions_in_scripts(workflow: str) -> None:
    data = _load(workflow)
    assert data["permissions"] == {}  # nothing for the whole workflow: each job says what it needs
    for name, job in data["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"{workflow}: job {name} states no permissions"
        for step in job.get("steps", []):
            assert "${{" not in str(step.get("run", "")), f"{workflow}: an expression inside a script"
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("workflow", CHECK_WORKFLOWS)
def test_the_check_workflow_has_a_read_only_token_and_keeps_the_report(workflow: str) -> None:
    data = _load(workflow)
    assert data["jobs"]["check"]["permissions"] == {"contents": "read"}
    assert data["jobs"]["publish"]["permissions"] == {"pages": "write", "id-token": "write"}
    steps = data["jobs"]["check"]["steps"]
    report = next(step for step in steps if "rolebook diff" in str(step.get("run", "")))
    assert report["env"] == {
        "BASE_REF": "${{ github.base_ref }}",
        "PR_NUMBER": "${{ github.event.pull_request.number }}",
    }
    upload = next(s for s in steps if s.get("with", {}).get("name") == "playbook-report")
    assert (
        upload["uses"].startswith("actions/upload-artifact@") and upload["with"]["path"] == "playbook-report/"
    )
    assert "gh " not in "\n".join(str(step.get("run", "")) for step in steps)  # it comments nothing itself


@pytest.mark.parametrize("workflow", COMMENT_WORKFLOWS)
def test_the_comment_workflow_only_comments(workflow: str) -> None:
    data = _load(workflow)
    assert data[True] == {"workflow_run": {"workflows": ["playbook"], "types": ["completed"]}}  # YAML 1.1: on
    [job] = data["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert job["if"] == "github.event.workflow_run.event == 'pull_request'"
    assert [step.get("uses") for step in job["steps"]] == [None]  # checks out and runs nothing else


def test_the_scaffold_workflows_are_this_repositorys() -> None:
    ours = (REPO_ROOT / ".github/workflows/playbook.yml").read_text("utf-8")
    theirs = (REPO_ROOT / "scaffold/playbook-workflow.yml").read_text("utf-8")
    install_ours = "      - run: pip install .\n        # this repository is rolebook itself: install it from the checkout\n"
    assert ours.replace(install_ours, "      - run: pip install rolebook\n") == theirs
    assert (REPO_ROOT / COMMENT_WORKFLOWS[0]).read_bytes() == (REPO_ROOT / COMMENT_WORKFLOWS[1]).read_bytes()


def test_init_writes_both_workflows(tmp_path: Path) -> None:
    result = rolebook("init", str(tmp_path / "p"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for scaffold, written in SCAFFOLD_WORKFLOWS.items():
        assert (tmp_path / "p" / written).is_file(), f"rolebook init does not write {written} ({scaffold})"
        assert (tmp_path / "p" / written).read_bytes() == (REPO_ROOT / scaffold).read_bytes(), written


# --- the comment workflow's script, run for real ---------------------------------------------------

FAKE_GH = r"""
import json, os, shutil, subprocess, sys
state_dir = os.environ["FAKE_GH_STATE"]
with open(os.path.join(state_dir, "state.json")) as f:
    state = json.load(f)
args = sys.argv[1:]
with open(os.path.join(state_dir, "calls.jsonl"), "a") as log:
    stdin = sys.stdin.read() if "--input" in args else None
    log.write(json.dumps({"args": args, "stdin": stdin}) + "\n")
if args[:2] == ["run", "download"]:
    if not state.get("artifact"):
        sys.exit("no valid artifacts found to download")
    shutil.copytree(state["artifact"], args[args.index("--dir") + 1], symlinks=True)
    sys.exit(0)
assert args[0] == "api", args
if "--method" in args:
    print("{}")
    sys.exit(0)
path = next(a for a in args[1:] if a.startswith("repos/"))
answer = json.dumps(state["api"][path])
expression = args[args.index("--jq") + 1]
sys.exit(subprocess.run(["jq", "-r", expression], input=answer, text=True).returncode)
"""

REPO = "example/playbook"
HEAD = "a" * 40
MARKER = "<!-- rolebook: playbook report -->"


class CommentRun:
    """The comment workflow's script in a folder of its own, with a stand-in ``gh`` and an artifact."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path
        self.artifact = tmp_path / "artifact"
        self.artifact.mkdir()
        (tmp_path / "bin").mkdir()
        gh = tmp_path / "bin" / "gh"
        gh.write_text(f"#!{sys.executable}\n{FAKE_GH}", "utf-8")
        gh.chmod(0o755)
        (tmp_path / "runner-temp").mkdir()
        self.state: dict[str, Any] = {
            "artifact": str(self.artifact),
            "api": {
                f"repos/{REPO}/actions/runs/42/artifacts": {
                    "artifacts": [{"name": "playbook-report", "expired": False}]
                },
                f"repos/{REPO}/pulls/7": {"head": {"sha": HEAD}},
                f"repos/{REPO}/issues/7/comments": [],
            },
        }

    def report(self, diff: str, pr_number: str = "7\n") -> None:
        (self.artifact / "playbook-diff.md").write_text(diff, "utf-8")
        (self.artifact / "pr-number").write_text(pr_number, "utf-8")

    def run(self) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
        (self.root / "state.json").write_text(json.dumps(self.state), "utf-8")
        [job] = _load(COMMENT_WORKFLOWS[0])["jobs"].values()
        script = self.root / "script.sh"
        script.write_text(job["steps"][0]["run"], "utf-8")
        env = {
            "PATH": f"{self.root / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.root),
            "FAKE_GH_STATE": str(self.root),
            "RUNNER_TEMP": str(self.root / "runner-temp"),
            "GH_TOKEN": "not-a-token",
            "REPO": REPO,
            "RUN_ID": "42",
            "HEAD_SHA": HEAD,
        }
        result = subprocess.run(
            ["bash", "-e", str(script)], cwd=self.root, env=env, capture_output=True, text=True, timeout=60
        )
        log = self.root / "calls.jsonl"
        calls = [json.loads(line) for line in log.read_text("utf-8").splitlines()] if log.exists() else []
        return result, [call for call in calls if "--method" in call["args"]]


needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq (Debian package jq) is not installed")
HOSTILE = "Role added: `$(touch pwned)` ${{ github.token }} $GH_TOKEN '; touch pwned; '\n"


@needs_jq
def test_the_report_is_posted_as_data(tmp_path: Path) -> None:
    run = CommentRun(tmp_path)
    run.report(HOSTILE)
    result, writes = run.run()
    assert result.returncode == 0, result.stderr
    [post] = writes
    assert post["args"][1:5] == ["--method", "POST", f"repos/{REPO}/issues/7/comments", "--input"]
    assert json.loads(post["stdin"]) == {"body": f"{MARKER}\n{HOSTILE}"}  # verbatim, nothing expanded
    assert not (tmp_path / "pwned").exists() and "not-a-token" not in post["stdin"]


@needs_jq
def test_the_comment_of_an_earlier_run_is_updated(tmp_path: Path) -> None:
    run = CommentRun(tmp_path)
    run.state["api"][f"repos/{REPO}/issues/7/comments"] = [
        {"id": 100, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\nold"},
        {"id": 101, "user": {"login": "someone"}, "body": f"{MARKER}\nnot ours"},
        {"id": 102, "user": {"login": "github-actions[bot]"}, "body": "another bot comment"},
    ]
    run.report("Role renamed\n")
    result, writes = run.run()
    assert result.returncode == 0, result.stderr
    [patch] = writes
    assert patch["args"][1:4] == ["--method", "PATCH", f"repos/{REPO}/issues/comments/100"]
    assert json.loads(patch["stdin"])["body"] == f"{MARKER}\nRole renamed\n"


@needs_jq
@pytest.mark.parametrize(
    "number", ["7; touch pwned", "$(touch pwned)", "", "-1", "7 8", "0x7", "12345678901"]
)
def test_a_pull_request_number_that_is_not_digits_is_refused(tmp_path: Path, number: str) -> None:
    run = CommentRun(tmp_path)
    run.report("report\n", number)
    result, writes = run.run()
    assert result.returncode == 1 and writes == []
    assert "expected digits" in result.stdout
    assert not (tmp_path / "pwned").exists()


@needs_jq
def test_a_number_naming_another_pull_request_is_not_commented_on(tmp_path: Path) -> None:
    run = CommentRun(tmp_path)
    run.state["api"][f"repos/{REPO}/pulls/7"] = {"head": {"sha": "b" * 40}}  # not the commit the run checked
    run.report("report\n")
    result, writes = run.run()
    assert result.returncode == 0 and writes == []
    assert "nothing posted" in result.stdout


@needs_jq
def test_a_linked_file_in_the_report_is_refused(tmp_path: Path) -> None:
    run = CommentRun(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("a secret\n", "utf-8")
    (run.artifact / "pr-number").write_text("7\n", "utf-8")
    (run.artifact / "playbook-diff.md").symlink_to(secret)
    result, writes = run.run()
    assert result.returncode == 1 and writes == []
    assert "no plain file playbook-diff.md" in result.stdout


@needs_jq
def test_a_run_without_a_report_posts_nothing(tmp_path: Path) -> None:
    run = CommentRun(tmp_path)
    run.state["api"][f"repos/{REPO}/actions/runs/42/artifacts"] = {"artifacts": []}
    run.state["artifact"] = None
    result, writes = run.run()
    assert result.returncode == 0 and writes == []
    assert "nothing to post" in result.stdout


@needs_jq
def test_a_long_report_is_cut_to_fit_a_comment(tmp_path: Path) -> None:
    run = CommentRun(tmp_path)
    run.report("x" * 100_000)
    result, writes = run.run()
    assert result.returncode == 0, result.stderr
    body = json.loads(writes[0]["stdin"])["body"]
    assert body.startswith(MARKER + "\n" + "x" * 60_000 + "\n\n(The report is cut short here")
    assert len(body) < 65_536
