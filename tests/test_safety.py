"""What a careless command or a hostile role file must never do: lose work, run script, fetch things."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.render.safe_text import plain, rich

from .sitekit import REPO_ROOT, copy_project, mkdocs, rolebook, snapshot, soup, sweep

SUP = "roles/support-team.yaml"


def _add_skill(project: Path, text: str) -> None:
    role = project / SUP
    body = role.read_text("utf-8")
    assert "skills:\n" in body
    role.write_text(
        body.replace("skills:\n", "skills:\n  - " + repr(text).replace("\\\\", "\\") + "\n"), "utf-8"
    )


@pytest.mark.parametrize("target", ["roles", ".", "..", "site_config/sub", "templates"])
def test_build_refuses_to_put_the_site_over_the_sources(tmp_path: Path, target: str) -> None:
    project = copy_project(tmp_path / "p")
    before = snapshot(project)
    result = rolebook("build", "-d", target, cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "the site cannot go there" in result.stderr or "should not be within" in result.stderr
    assert snapshot(project) == before


def test_build_refuses_a_folder_of_other_files(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.txt").write_text("years of work", "utf-8")
    result = rolebook("build", "-d", str(other), cwd=project)
    assert result.returncode == 1
    assert "does not look like a built site" in result.stderr
    assert (other / "thesis.txt").read_text("utf-8") == "years of work"


def test_build_and_cards_output_is_readable_by_others(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    assert rolebook("build", cwd=project).returncode == 0
    assert rolebook("cards", "-o", "cards.pdf", cwd=project).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((project / "site").stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((project / "cards.pdf").stat().st_mode) == 0o666 & ~umask


def test_build_without_the_plugin_is_an_error(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("  - rolebook\n", ""), "utf-8")
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    assert "the rolebook plugin is not enabled" in result.stderr
    assert not (project / "site").exists()


def test_a_clash_with_docs_leaves_the_old_site_under_plain_mkdocs(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    assert mkdocs("build", cwd=project).returncode == 0
    before = snapshot(project / "site")
    (project / "docs" / "raci.md").write_text("# Mine\n", "utf-8")
    result = mkdocs("build", cwd=project)
    assert result.returncode == 1
    assert (
        "docs/raci.md:1:1: error: has the same path as a page rolebook generates"
        in result.stdout + result.stderr
    )
    assert snapshot(project / "site") == before


def test_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    result = rolebook("cards", "-o", str(blocker / "cards.pdf"), cwd=project)
    assert result.returncode == 1
    assert "cannot write" in result.stderr and "internal error" not in result.stderr


HOSTILE = [
    '[safe link](https://example.org){: href="javascript:alert(4)" }',
    '[click](https://example.org){: onclick="alert(2)" }',
    '[a](https://x "t"){: onfocus="alert(1)" autofocus tabindex=1 }',
    'Last words {: onmouseover="alert(5)" }',
    '*em*{: style="background:url(https://evil.example/x)" }',
]


@pytest.mark.parametrize("text", sweep(HOSTILE))
def test_attribute_lists_in_role_text_stay_text(tmp_path: Path, text: str) -> None:
    project = copy_project(tmp_path / "p")
    _add_skill(project, text)
    assert rolebook("validate", cwd=project).returncode == 0
    assert rolebook("build", cwd=project).returncode == 0
    page = soup(project / "site" / "roles" / "support-team" / "index.html")
    article = page.find("article")
    for tag in article.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.startswith("on"), tag
            assert "javascript" not in str(value).lower(), tag
            assert name != "style", tag
    assert "{:" in article.get_text()  # shown as the editor wrote it


def test_a_hostile_contact_link_and_channel_stay_inert(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    contacts = project / "site_config" / "contacts.yaml"
    contacts.write_text(
        contacts.read_text("utf-8").replace(
            '    channel: "#support-escalations"',
            '    channel: "x` [y](https://a.example){: onclick=alert(9)} `"',
        ),
        "utf-8",
    )
    assert rolebook("build", cwd=project).returncode == 0
    article = soup(project / "site" / "roles" / "support-team" / "index.html").find("article")
    assert not any(n.startswith("on") for t in article.find_all(True) for n in t.attrs)
    assert "[y](https://a.example){: onclick=alert(9)}" in article.get_text()


def test_images_are_refused_and_cards_fetch_nothing(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    _add_skill(project, "Tag ![x](file:///etc/hostname) it")
    result = rolebook("validate", cwd=project)
    assert result.returncode == 1
    assert "images are not allowed in playbook text" in result.stdout
    # Even a template that asks for an outside file gets nothing: WeasyPrint may not fetch.
    project = copy_project(tmp_path / "q")
    card = project / "templates" / "cards" / "card.html.j2"
    card.write_text(
        card.read_text("utf-8").replace("</header>", '<img src="file:///etc/hostname"></header>', 1)
    )
    assert rolebook("cards", "-o", "c.pdf", "--role", "support-team", cwd=project).returncode == 0
    pdf = PdfReader(project / "c.pdf")
    assert not pdf.pages[0].images


def test_code_spans_may_hold_angle_brackets(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    _add_skill(project, "Run `kubectl logs deploy/<service>` first")
    assert rolebook("validate", cwd=project).returncode == 0
    assert rolebook("build", cwd=project).returncode == 0
    page = soup(project / "site" / "roles" / "support-team" / "index.html")
    assert page.find("code", string="kubectl logs deploy/<service>") is not None


def test_names_with_markdown_characters_keep_pages_whole(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    role = project / SUP
    role.write_text(
        role.read_text("utf-8").replace("name: Support Team", 'name: "Support | Team [L2] #1"'), "utf-8"
    )
    assert rolebook("build", cwd=project).returncode == 0
    page = soup(project / "site" / "roles" / "incident-manager" / "index.html")
    cells = [
        td.get_text(strip=True) for td in page.find("h2", id="works-with").find_next("table").find_all("td")
    ]
    assert len(cells) % 2 == 0  # still two columns
    own = soup(project / "site" / "roles" / "support-team" / "index.html")
    assert own.find("h1").get_text(strip=True).rstrip("¶") == "Support | Team [L2] #1"


def test_a_name_must_be_one_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    role = project / SUP
    role.write_text(
        role.read_text("utf-8").replace("name: Support Team", 'name: "Support\\n\\n# Team"'), "utf-8"
    )
    result = rolebook("validate", cwd=project)
    assert result.returncode == 1
    assert "roles/support-team.yaml:2:7: error: 'name' must be a single line" in result.stdout


def test_the_text_filters_neutralise_markdown() -> None:
    assert str(plain("a | b [c](d) *e* {: x}")) == "a &#124; b &#91;c&#93;(d) &#42;e&#42; &#123;: x&#125;"
    assert str(rich("*e* and `<b>`")) == "<em>e</em> and <code>&lt;b&gt;</code>"
    assert str(rich("[x](javascript:alert(1))")) == "<a>x</a>"


def test_role_map_layout_does_not_depend_on_hash_seeds(tmp_path: Path) -> None:
    """Two roles whose neighbours average to the same place must be ordered the same in every run."""
    script = (
        "from pathlib import Path; from generator.core.project import load_playbook;"
        "from generator.render.role_map import layout;"
        f"print([n.id for n in layout(load_playbook(Path({str(REPO_ROOT)!r}))).nodes])"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(8)
    }
    assert len(runs) == 1


def test_build_replaces_only_a_folder_it_built(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    web = tmp_path / "www"
    web.mkdir()
    (web / "index.html").write_text("<h1>our intranet</h1>", "utf-8")
    (web / "notes.txt").write_text("keep me", "utf-8")
    result = rolebook("build", "-d", str(web), cwd=project)
    assert result.returncode == 1 and "does not look like a built site" in result.stderr
    assert (web / "notes.txt").read_text("utf-8") == "keep me"
    assert rolebook("build", "-d", str(tmp_path / "out"), cwd=project).returncode == 0
    assert (tmp_path / "out" / ".rolebook-site").is_file()
    assert rolebook("build", "-d", str(tmp_path / "out"), cwd=project).returncode == 0  # its own: replaced
