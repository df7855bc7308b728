"""`rolebook serve` while a file is invalid: requests answer at once, the last good site stays served with
a banner of the located problems (also printed in the terminal), and fixing the file brings it back."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup

from .sitekit import copy_project, http_get, serving, wait_for

ROLE = "roles/support-team.yaml"
PROBLEM = "roles/support-team.yaml:5:1: error: unknown field 'responsibilites'"


def _page(url: str) -> tuple[int, BeautifulSoup, float]:
    """Status, parsed page (of an error too) and the seconds it took; 0 and an empty page after 5 s."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except OSError:
        status, body = 0, b""
    return status, BeautifulSoup(body.decode("utf-8"), "html.parser"), time.monotonic() - start


def _problems(page: BeautifulSoup) -> list[str] | None:
    """The lines of the banner, first in the page's body; None without a banner."""
    banner = page.find(id="rolebook-problems")
    if banner is None:
        return None
    assert page.body is not None and page.body.find(True) is banner  # at the top of the page
    return [li.get_text() for li in banner.find_all("li")]


def _break(project: Path, text: str) -> None:
    role = project / ROLE
    role.write_text(text.replace("responsibilities:", "responsibilites:"), "utf-8")


def test_serve_keeps_the_last_good_site_while_a_file_is_invalid(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    role = project / ROLE
    original = role.read_text("utf-8")
    log = tmp_path / "serve.log"
    with serving(project, log) as (base, server):
        page = base + "roles/support-team/"
        assert wait_for(lambda: "Support Team" in str(_page(page)[1]), 60), "never served"
        assert _problems(_page(page)[1]) is None
        # invalid, and renamed: the old page stays, with the problem over it
        _break(project, original.replace("name: Support Team", "name: Customer Care"))
        assert wait_for(lambda: _problems(_page(page)[1]) is not None, 30), log.read_text()
        for url in (page, base, base + "raci/"):
            status, served, seconds = _page(url)
            assert status == 200 and seconds < 5, url
            problems = _problems(served)
            assert problems is not None and any(line.startswith(PROBLEM) for line in problems), problems
        assert "Support Team" in served.get_text() and "Customer Care" not in str(served)
        assert any(line.startswith(PROBLEM) for line in log.read_text().splitlines())  # as validate prints it
        # what is not a page is served as it was
        status, card = http_get(base + "cards/support-team.pdf")
        assert status == 200 and card.startswith(b"%PDF-")
        # markup in a problem is shown as text
        role.write_text(original + "'<b onclick=alert(1)>x</b>': 1\n", "utf-8")
        assert wait_for(lambda: any("<b onclick" in line for line in _problems(_page(page)[1]) or []), 30)
        banner = _page(page)[1].find(id="rolebook-problems")
        assert banner is not None and banner.find("b") is None and banner.find("script") is None
        # fixed: the new content, no banner
        role.write_text(original.replace("name: Support Team", "name: Customer Care"), "utf-8")
        assert wait_for(lambda: "Customer Care" in str(_page(page)[1]), 60), log.read_text()
        assert _problems(_page(page)[1]) is None and _problems(_page(base)[1]) is None
        assert server.poll() is None
    assert "Traceback" not in log.read_text()


def test_serve_starts_on_an_invalid_playbook(tmp_path: Path) -> None:
    """Never a good build yet: the served page lists the problems; the site comes once the file is fixed."""
    project = copy_project(tmp_path / "p")
    role = project / ROLE
    original = role.read_text("utf-8")
    _break(project, original)
    log = tmp_path / "serve.log"
    with serving(project, log) as (base, server):
        assert wait_for(lambda: _page(base)[0] == 200, 60), log.read_text()
        status, served, seconds = _page(base + "roles/support-team/")
        assert status == 404 and seconds < 5
        for page in (_page(base)[1], served):
            problems = _problems(page)
            assert problems is not None and any(line.startswith(PROBLEM) for line in problems)
        assert any(line.startswith(PROBLEM) for line in log.read_text().splitlines())
        role.write_text(original, "utf-8")
        assert wait_for(lambda: "Support Team" in str(_page(base + "roles/support-team/")[1]), 60)
        assert _problems(_page(base + "roles/support-team/")[1]) is None
        assert server.poll() is None
    assert "Traceback" not in log.read_text()


def test_serve_reports_a_failing_theme_partial_where_it_stands(tmp_path: Path) -> None:
    """A theme partial that reaches for what the sandbox refuses: located, and served around."""
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8").replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    )
    partial = project / "overrides" / "partials" / "copyright.html"
    partial.parent.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "serve.log"
    with serving(project, log) as (base, server):
        assert wait_for(lambda: "Support Team" in str(_page(base)[1]), 60), "never served"
        partial.write_text("{{ config.theme.get_env() }}", "utf-8")
        assert wait_for(lambda: _problems(_page(base)[1]) is not None, 30), log.read_text()
        problems = _problems(_page(base)[1]) or []
        assert any(
            p.startswith("overrides/partials/copyright.html:1:1: error: not allowed in a template")
            for p in problems
        )
        assert "internal error" not in log.read_text("utf-8")
        partial.write_text('<div class="org-note">ok</div>', "utf-8")
        assert wait_for(lambda: _problems(_page(base)[1]) is None, 30), log.read_text()
        assert server.poll() is None


def test_serve_rebuilds_when_a_brand_stylesheet_changes(tmp_path: Path) -> None:
    """The brand files the bundle copies are watched like the role files, wherever they are in the project."""
    project = copy_project(tmp_path / "p")
    (project / "brand").mkdir()
    css = project / "brand" / "acme.css"
    css.write_text(".md-header { color: red; }\n", "utf-8")
    settings = project / "site_config" / "playbook.yaml"
    settings.write_text(settings.read_text("utf-8") + "branding:\n  extra_css: [brand/acme.css]\n", "utf-8")
    log = tmp_path / "serve.log"
    with serving(project, log) as (base, server):
        url = base + "assets/brand/brand/acme.css"
        assert wait_for(lambda: http_get(url)[1] == b".md-header { color: red; }\n", 60), log.read_text()
        css.write_text(".md-header { color: teal; }\n", "utf-8")
        assert wait_for(lambda: http_get(url)[1] == b".md-header { color: teal; }\n", 30), log.read_text()
        assert server.poll() is None
