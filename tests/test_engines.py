"""The plugin under ProperDocs, the maintained fork of MkDocs 1.x: `properdocs build` and `properdocs serve`
run it from mkdocs.yml or properdocs.yml, on a playbook of a real organization's own roles.

(Zensical, which runs no plugin, and Backstage TechDocs are in tests/test_engines_elsewhere.py.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.foreign import SITE_NAME, make_foreign_playbook
from tests.sitekit import own_template, rolebook, serving, snapshot, soup, wait_for

REPO = Path(__file__).parent.parent


def properdocs(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("properdocs")
    return subprocess.run(
        [str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False, env=env
    )


@pytest.fixture(scope="module")
def northwind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_foreign_playbook(tmp_path_factory.mktemp("engines"))


def test_properdocs_builds_the_site_rolebook_builds(northwind: Path, tmp_path: Path) -> None:
    """Byte for byte, but for the generator named in each page's head: dated by the playbook (the sitemap),
    whichever command builds it."""
    by_rolebook = rolebook("build", "-d", str(tmp_path / "rolebook"), cwd=northwind)
    assert by_rolebook.returncode == 0, by_rolebook.stderr
    env = {name: value for name, value in os.environ.items() if name != "SOURCE_DATE_EPOCH"}
    by_properdocs = properdocs("build", "-d", str(tmp_path / "properdocs"), cwd=northwind, env=env)
    assert by_properdocs.returncode == 0, by_properdocs.stderr
    assert "Traceback" not in by_properdocs.stderr
    one, other = snapshot(tmp_path / "rolebook"), snapshot(tmp_path / "properdocs")
    assert sorted(one) == sorted(other)
    assert "roles/incident-commander/index.html" in one and "cards/incident-commander.pdf" in one
    differ = [path for path in one if one[path] != other[path]]
    assert "sitemap.xml" not in differ
    generator = re.compile(r'<meta name="generator" content="[^"]*">')
    digest = re.compile(r"[0-9a-f]{8,}|\d+")  # the offline worker names each page's digest and the bytes
    for path in differ:
        ours, theirs = ((tmp_path / side / path).read_text("utf-8") for side in ("rolebook", "properdocs"))
        if path == "sw.js":
            assert digest.sub("", ours) == digest.sub("", theirs)
            continue
        assert path.endswith(".html"), path
        assert generator.sub("", ours) == generator.sub("", theirs), path
        assert "ProperDocs" in theirs
    page = soup(tmp_path / "properdocs" / "roles" / "incident-commander" / "index.html")
    assert page.h1 is not None and page.h1.get_text(strip=True).rstrip("¶") == "Incident Commander"
    assert SITE_NAME in page.title.get_text()  # type: ignore[union-attr]


def test_properdocs_strict_fails_on_every_build_of_a_page_that_warns(northwind: Path, tmp_path: Path) -> None:
    """The page cache keeps only pages whose conversion logged nothing, whichever engine logs it."""
    project = tmp_path / "northwind"
    shutil.copytree(northwind, project, ignore=shutil.ignore_patterns("site"))
    builtin = (REPO / "templates" / "pages" / "severities.md.j2").read_text("utf-8")
    own_template(project, "pages/severities.md.j2", builtin + "\nSee [the old runbook](runbook.md).\n")
    for _ in range(2):
        built = properdocs("build", "--strict", "-d", str(tmp_path / "site"), cwd=project)
        assert built.returncode == 1, built.stderr
        assert "runbook.md" in built.stderr


@pytest.fixture
def own_file(northwind: Path, tmp_path: Path) -> Path:
    """The playbook with its configuration in properdocs.yml alone."""
    project = tmp_path / "northwind"
    subprocess.run(["cp", "-r", str(northwind), str(project)], check=True)
    (project / "mkdocs.yml").rename(project / "properdocs.yml")
    return project


def test_properdocs_yml_is_the_configuration_for_every_command(own_file: Path, tmp_path: Path) -> None:
    built = properdocs("build", "-d", str(tmp_path / "site"), cwd=own_file)
    assert built.returncode == 0, built.stderr
    assert "should be renamed" not in built.stderr  # ProperDocs found its own file
    assert (tmp_path / "site" / "roles" / "clinical-liaison" / "index.html").is_file()
    assert (tmp_path / "site" / "cards" / "quick-cards.pdf").is_file()
    # rolebook's own commands read the same file
    validated = rolebook("validate", cwd=own_file)
    assert validated.returncode == 0, validated.stderr
    cards = rolebook("cards", "-o", str(tmp_path / "cards.pdf"), cwd=own_file)
    assert cards.returncode == 0, cards.stderr
    site = rolebook("build", "-d", str(tmp_path / "by-rolebook"), cwd=own_file)
    assert site.returncode == 0, site.stderr
    assert (tmp_path / "by-rolebook" / "roles" / "clinical-liaison" / "index.html").is_file()
    # a problem in it is located in it: the example address left
    config = own_file / "properdocs.yml"
    text = config.read_text("utf-8")
    config.write_text(
        text.replace("https://playbook.nwh.internal/", "https://example.org/playbook/"), "utf-8"
    )
    line = next(
        n for n, t in enumerate(config.read_text("utf-8").splitlines(), 1) if t.startswith("site_url")
    )
    warned = rolebook("validate", cwd=own_file)
    assert f"properdocs.yml:{line}:11: warning: site_url is still the example value" in warned.stdout


def test_both_configuration_files_are_a_warning(own_file: Path) -> None:
    (own_file / "mkdocs.yml").write_text((own_file / "properdocs.yml").read_text("utf-8"), "utf-8")
    warned = rolebook("validate", cwd=own_file)
    assert warned.returncode == 0 and "properdocs.yml:1:1: warning: both mkdocs.yml and" in warned.stdout
    said = rolebook("validate", "--strict", cwd=own_file)
    assert said.returncode == 1
    assert (
        "properdocs.yml:1:1: error: both mkdocs.yml and properdocs.yml: ProperDocs builds from properdocs.yml"
        in said.stdout
    )
    (own_file / "properdocs.yml").unlink()
    assert rolebook("validate", "--strict", cwd=own_file).returncode == 0


def test_an_unreadable_configuration_is_located_by_validate(own_file: Path, tmp_path: Path) -> None:
    """Every command but validate needs the file (cards print its site_url): validate says what is wrong."""
    config = own_file / "properdocs.yml"
    for text, said in (
        (
            "site_name: Northwind\nsite_url: [\n",
            "properdocs.yml:3:1: error: cannot read the settings: expected",
        ),
        ("- a list\n", "properdocs.yml:1:1: error: expected 'key: value' settings"),
    ):
        config.write_text(text, "utf-8")
        result = rolebook("validate", cwd=own_file)
        assert result.returncode == 1 and said in result.stdout, result.stdout + result.stderr
        cards = rolebook("cards", "-o", str(tmp_path / "x.pdf"), cwd=own_file)
        assert cards.returncode == 1 and "Traceback" not in cards.stderr


def test_no_configuration_file_is_a_clear_error(own_file: Path, tmp_path: Path) -> None:
    (own_file / "properdocs.yml").unlink()
    said = rolebook("cards", "-o", str(tmp_path / "x.pdf"), cwd=own_file)
    assert said.returncode == 1 and "Traceback" not in said.stderr
    assert "no site configuration; a playbook project has mkdocs.yml (or properdocs.yml)" in said.stderr


def _heading(url: str) -> str:
    found = re.search(r"<h1[^>]*>([^<]*)", _get(url))
    return found.group(1) if found else ""


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


def test_properdocs_serve_rebuilds_when_a_role_file_changes(own_file: Path, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serving(own_file, log, "properdocs") as (base, _):  # at the root: site_url's path is /
        page = base + "roles/clinical-liaison/"
        assert wait_for(lambda: _heading(page) == "Clinical Liaison", 90), log.read_text("utf-8", "replace")
        role = own_file / "roles" / "clinical-liaison.yaml"
        role.write_text(re.sub(r"(?m)^name: .*$", "name: Ward Liaison", role.read_text("utf-8")), "utf-8")
        assert wait_for(lambda: _heading(page) == "Ward Liaison", 90), log.read_text("utf-8", "replace")
        assert "Ward Liaison" in _get(base + "raci/")  # the whole playbook follows, not one page
    assert "Traceback" not in log.read_text("utf-8", "replace")
