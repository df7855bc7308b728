"""Property tests: whatever a role, activity or settings file holds, the result is a valid playbook
that renders, or located errors; never another exception."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core.project import check_project
from generator.render.renderer import render_site

from .sitekit import REPO_ROOT, copy_project

FILES = sorted(
    f"{p.parent.name}/{p.name}"
    for folder in ("roles", "site_config")
    for p in (REPO_ROOT / folder).glob("*.yaml")
)

TOKENS = [
    ":", ": ", "- ", "-", "&a ", "*a", "!!python/object/apply:os.system ['x']", "!x ", "{", "}", "[", "]",
    "'", '"', "\t", "\x00", "\x07", "\ufeff", "é", "\u202e", "<script>", "{{ 7*7 }}", "{: onclick=x}",
    "[x](javascript:alert(1))", "![i](file:///etc/passwd)", "\n", "\n  ", "#", "|", ">", "~", "null", "yes",
    "1.0", "2024-13-45", "incident-manager", "R", "A", "99999999999999999999999", "---\n", "...",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        kind = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "truncate", "indent"]))
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "delete" and lines:
            del lines[at]
        elif kind == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif kind == "indent" and lines:
            lines[at] = draw(st.sampled_from([" ", "  ", "\t", "    "])) + lines[at]
        elif kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
            continue
        else:
            line = lines[at] if lines else ""
            pos = draw(st.integers(0, len(line)))
            token = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)))
            cut = pos + (draw(st.integers(0, 4)) if kind == "replace" else 0)
            lines[at] = line[:pos] + token + line[cut:]
        text = "\n".join(lines)
    return text


plain_values = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=30), st.sampled_from(TOKENS)
)
structures = st.recursive(
    plain_values,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "name",
                        "short",
                        "summary",
                        "responsibilities",
                        "extends",
                        "activities",
                        "raci",
                        "review",
                        "card",
                        "title",
                        "phases",
                        "id",
                        "remove",
                        "add",
                    ]
                ),
                st.text(max_size=10),
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("props") / "project")


def _check(project: Path) -> None:
    playbook, diagnostics = check_project(project)
    for d in diagnostics:
        assert d.file and d.line >= 1 and d.col >= 1, d
        assert "\n" not in d.message, d
        assert d.severity in ("error", "warning")
    if playbook is None:
        assert any(d.severity == "error" for d in diagnostics)
    else:
        pages = render_site(playbook)
        assert "roles/incident-manager.md" in pages or not playbook.roles.get("incident-manager")


def _with(project: Path, rel: str, content: str | bytes) -> None:
    target = project / rel
    original = target.read_bytes()
    try:
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, "utf-8", errors="surrogatepass")
        _check(project)
    finally:
        target.write_bytes(original)


@pytest.mark.slow  # 150 generated files, each checked
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), rel=st.sampled_from(FILES))
def test_mutated_files(project: Path, data: st.DataObject, rel: str) -> None:
    text = (project / rel).read_text("utf-8")
    _with(project, rel, data.draw(mutated(text)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=structures, rel=st.sampled_from(FILES))
def test_arbitrary_structures(project: Path, value: object, rel: str) -> None:
    _with(project, rel, yaml.safe_dump(value, allow_unicode=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200), rel=st.sampled_from(FILES))
def test_arbitrary_bytes(project: Path, raw: bytes, rel: str) -> None:
    _with(project, rel, raw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=structures, name=st.text(min_size=1, max_size=12))
def test_arbitrary_new_files(project: Path, value: object, name: str) -> None:
    """A new file of any name and content in roles/ is read or reported, never a crash."""
    safe = "".join(c for c in name if c not in "/\\\x00") or "x"
    target = project / "roles" / f"{safe}.yaml"
    if target.exists():
        return
    try:
        target.write_text(yaml.safe_dump(value, allow_unicode=True), "utf-8", errors="surrogatepass")
        _check(project)
    finally:
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
