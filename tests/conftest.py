"""Shared fixtures: input trees written from dicts, a private copy of the default playbook, and the
default site built once per test session (per worker under pytest-xdist) for the tests that only read it."""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.core.project import check_project
from generator.diagnostics import Diagnostic

from .sitekit import copy_project, rolebook, snapshot

REPO_ROOT = Path(__file__).parent.parent

# Reviews fall due with time; the tests measure them against a fixed day so they never age.
FIXED_TODAY = "2026-12-01"


def _test_environment(monkeypatch: pytest.MonkeyPatch, cache: Path | None = None) -> None:
    monkeypatch.setenv("ROLEBOOK_TODAY", FIXED_TODAY)
    # Builds share one build cache per test process (it is keyed by content, so a build takes from it
    # only what it would make itself, byte for byte: tests/test_build_cache.py); tests of the cache
    # itself, of where it lives and of builds without it set their own. The worker count is rolebook's.
    if cache is None:
        monkeypatch.delenv("ROLEBOOK_CACHE_DIR", raising=False)
    else:
        monkeypatch.setenv("ROLEBOOK_CACHE_DIR", str(cache))
    monkeypatch.delenv("ROLEBOOK_WORKERS", raising=False)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    _test_environment(monkeypatch, tmp_path_factory.getbasetemp() / "shared-build-cache")


# The first line of every default YAML file, by folder and name.
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/{kind}.schema.json"


def write_tree(root: Path, files: Mapping[str, str | bytes], *, dedent: bool = True) -> None:
    """Write ``{relative path: content}`` under ``root``; text is dedented, bytes are written as is."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content) if dedent else content, encoding="utf-8")


def position(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of character ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


@dataclass
class Project:
    """A project folder on tmp_path with small, checked editing helpers.

    Every edit insists that what it replaces occurs exactly once, so a test can
    never pass because its edit silently did nothing.
    """

    path: Path

    def file(self, rel: str) -> Path:
        return self.path / rel

    def read(self, rel: str) -> str:
        return self.file(rel).read_text(encoding="utf-8")

    def write(self, rel: str, content: str | bytes, *, dedent: bool = True) -> None:
        write_tree(self.path, {rel: content}, dedent=dedent)

    def remove(self, rel: str) -> None:
        target = self.file(rel)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()

    def find(self, rel: str, needle: str) -> tuple[int, int]:
        """Line and column where ``needle`` (which must occur exactly once) starts."""
        text = self.read(rel)
        count = text.count(needle)
        assert count == 1, f"{needle!r} occurs {count} times in {rel}"
        return position(text, text.index(needle))

    def sub(
        self, rel: str, pattern: str, replacement: str | Callable[[re.Match[str]], str]
    ) -> tuple[int, int]:
        """Replace the one match of the multi-line regex ``pattern``; return where it started."""
        text = self.read(rel)
        matches = list(re.finditer(pattern, text, flags=re.M))
        assert len(matches) == 1, f"{pattern!r} matches {len(matches)} times in {rel}"
        match = matches[0]
        new = replacement(match) if callable(replacement) else replacement
        self.file(rel).write_text(text[: match.start()] + new + text[match.end() :], encoding="utf-8")
        return position(text, match.start())

    def replace_block(self, rel: str, key: str, new: str) -> int:
        """Replace a top-level ``key:`` together with its indented lines (``new`` as is); return the key's line."""
        pattern = rf"^{re.escape(key)}:(?:[^\n]*\S[^\n]*\n|\n(?:[ \t]+[^\n]*\n|\n)*)"
        line, _ = self.sub(rel, pattern, new)
        return line

    def insert_after(self, rel: str, line_text: str, new: str) -> int:
        """Insert ``new`` (as is) right after the one line equal to ``line_text``; return its first line."""
        line, _ = self.sub(rel, rf"^{re.escape(line_text)}\n", lambda m: m.group(0) + new)
        return line + 1

    def append(self, rel: str, new: str) -> int:
        """Append ``new`` (as is) to the file; return the line it starts on."""
        text = self.read(rel)
        if not text.endswith("\n"):
            text += "\n"
        first = text.count("\n") + 1
        self.file(rel).write_text(text + new, encoding="utf-8")
        return first

    def first_key_line(self, rel: str) -> int:
        """The line of the first mapping key, i.e. where a whole-file diagnostic is located."""
        for number, line in enumerate(self.read(rel).splitlines(), start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                return number
        raise AssertionError(f"{rel} holds no data")

    def field(self, rel: str, key: str) -> str:
        """The plain value of a top-level ``key: value`` line."""
        match = re.search(rf"^{re.escape(key)}: (.+)$", self.read(rel), flags=re.M)
        assert match, f"no top-level {key!r} in {rel}"
        return match.group(1).strip()

    def diagnostics(self) -> list[Diagnostic]:
        return check_project(self.path)[1]

    def check(self) -> list[str]:
        """Every diagnostic as the human line ``file:line:col: severity: message``."""
        return [d.human() for d in self.diagnostics()]


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """Build a project from ``{relative path: text or bytes}``; inline YAML is dedented."""

    def make(files: Mapping[str, str | bytes], *, dedent: bool = True) -> Project:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        write_tree(root, files, dedent=dedent)
        return Project(root)

    return make


@pytest.fixture
def default_project(tmp_path: Path) -> Project:
    """A private copy of the repository's roles/ and site_config/, free to break."""
    root = tmp_path / "playbook"
    for folder in ("roles", "site_config"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    return Project(root)


@pytest.fixture(scope="session")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The default project copied and built once with ``rolebook build``: (project, site).

    Shared by every test of the session, so it is read only: a test that changes a project starts from
    its own copy (``sitekit.copy_built``). Whatever a test writes into it fails the session at its end.
    """
    project = copy_project(tmp_path_factory.mktemp("default-site") / "project")
    with pytest.MonkeyPatch.context() as monkeypatch:  # set up before any test's own environment
        _test_environment(monkeypatch)
        result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    built = snapshot(project)
    yield project, project / "site"
    now = snapshot(project)
    changed = sorted(rel for rel in built.keys() | now.keys() if built.get(rel) != now.get(rel))
    assert not changed, f"a test changed the shared default site (copy it with sitekit.copy_built): {changed}"
