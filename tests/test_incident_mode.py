"""Incident mode in the built site: the script rolebook ships, the incident log and assignment board pages,
the navigation, the site data the script reads, and the Markdown export's mkdocs.yml. Real builds; the
script's behaviour in a browser is tests/test_incident_browser.py."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from generator.core.project import load_playbook
from generator.exports.schema import SCHEMAS, schema_text
from generator.render.incident_assets import site_data
from generator.render.minify import minified

from .sitekit import REPO_ROOT, ROLE_IDS, copy_project, mkdocs, rolebook, soup

STATIC = REPO_ROOT / "generator" / "render" / "static"
SCRIPT = STATIC / "incident.js"
BOOTSTRAP = STATIC / "offline.js"
SCRIPT_BUDGET = 12 * 1024  # gzipped, leaving room for the offline script within the 15 KB
SHIPPED_BUDGET = 10 * 1024  # the file a site ships: minified, then gzipped


def _config() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load((REPO_ROOT / "site_config" / "playbook.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _contacts() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load((REPO_ROOT / "site_config" / "contacts.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data["contacts"]  # type: ignore[no-any-return]


# --- the script ------------------------------------------------------------------------------------


def test_the_script_is_small_and_writes_no_markup() -> None:
    source = SCRIPT.read_text("utf-8")
    assert len(gzip.compress(source.encode(), compresslevel=9)) <= SCRIPT_BUDGET
    shipped = minified("rolebook.js", source).encode()
    assert len(gzip.compress(shipped, compresslevel=9)) < SHIPPED_BUDGET
    # values reach the page as text only; nothing is evaluated; nothing is asked of another host
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
        assert banned not in source, banned
    assert not re.search(r"""["'`](https?:)?//""", source), "the script names an address of its own"


@pytest.mark.parametrize(
    "page", ["index.html", "roles/incident-manager/index.html", "incident-log/index.html", "raci/index.html"]
)
def test_every_page_holds_the_bootstrap_after_the_theme(default_site: tuple[Path, Path], page: str) -> None:
    """Incident mode's script is not on the page: the bootstrap adds it after the load event (in a browser:
    tests/test_incident_browser.py). The bootstrap is written into the page (site/inline_assets.py), a plain
    script after Material's bundle, with the address of the site's assets/ from the page."""
    _, site = default_site
    html = soup(site / page)
    tags = html.select("script")
    assert not [
        t for t in tags if str(t.get("src", "")).endswith(("assets/rolebook.js", "rolebook-offline.js"))
    ]
    ours = [tag for tag in tags if tag.has_attr("data-rb-assets")]
    assert len(ours) == 1 and not ours[0].has_attr("async") and not ours[0].has_attr("defer")
    assert ours[0].get_text() == (site / "assets" / "rolebook-offline.js").read_text("utf-8").strip()
    bundle = next(i for i, t in enumerate(tags) if "/bundle." in str(t.get("src", "")))
    assert tags.index(ours[0]) > bundle
    assert urljoin(f"http://h/{page}", str(ours[0]["data-rb-assets"])) == "http://h/assets/"
    # and the base stylesheet, where the theme would link it, before any stylesheet of the brand
    (style,) = html.select("head > style")
    assert style.get_text() == (site / "assets" / "rolebook.css").read_text("utf-8").strip()
    assert not html.select('head link[href$="assets/rolebook.css"]')


def test_the_site_ships_the_scripts_and_stylesheet_minified(default_site: tuple[Path, Path]) -> None:
    _, site = default_site
    for shipped, source in (("rolebook.js", SCRIPT), ("rolebook-offline.js", BOOTSTRAP)):
        text = (site / "assets" / shipped).read_text("utf-8")
        assert text == minified(shipped, source.read_text("utf-8"))
        assert len(text) < 0.8 * source.stat().st_size and text.startswith("(function(){")  # no comment
    # the bootstrap finds incident mode's script and the worker from its own address
    bootstrap = (site / "assets" / "rolebook-offline.js").read_text("utf-8")
    assert '"rolebook.js"' in bootstrap and '"../sw.js"' in bootstrap
    css = (site / "assets" / "rolebook.css").read_text("utf-8")
    assert "/*" not in css and "\n" not in css.rstrip("\n") and ".rb-letter{" in css


def test_the_minified_files_are_the_same_bytes_in_every_build(
    default_site: tuple[Path, Path], tmp_path: Path
) -> None:
    _, site = default_site
    project = copy_project(tmp_path / "p")
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    for name in ("rolebook.css", "rolebook-incident.css", "rolebook.js", "rolebook-offline.js"):
        assert (project / "site" / "assets" / name).read_bytes() == (site / "assets" / name).read_bytes(), (
            name
        )


def test_the_site_data_names_the_severities_and_the_pages(default_site: tuple[Path, Path]) -> None:
    _, site = default_site
    data = json.loads((site / "assets" / "rolebook-incident.json").read_text("utf-8"))
    config = _config()
    assert data["title"] == config["title"] and data["version"] == config["version"]
    assert data["severities"] == [
        {"id": s["id"], "name": s["name"], "roles": s["roles"]} for s in config["severities"]
    ]
    for page in data["pages"].values():  # relative to the site's root, as the script resolves them
        assert (site / urljoin("/", page).lstrip("/") / "index.html").is_file(), page


def test_the_site_data_follows_the_url_style(tmp_path: Path) -> None:
    playbook = load_playbook(copy_project(tmp_path / "p"))
    assert json.loads(site_data(playbook, False))["pages"] == {
        "log": "incident-log.html",
        "board": "board.html",
    }
    assert json.loads(site_data(playbook, True))["pages"] == {"log": "incident-log/", "board": "board/"}


# --- navigation --------------------------------------------------------------------------------------


def test_the_navigation_lists_the_log_and_the_board_after_home(default_site: tuple[Path, Path]) -> None:
    _, site = default_site
    links = soup(site / "roles" / "incident-manager" / "index.html").select(
        "nav.md-nav--primary a.md-nav__link"
    )
    titles = [a.get_text(" ", strip=True) for a in links]
    start = titles.index("Home")
    assert titles[start : start + 3] == ["Home", "Incident log", "Assignment board"]
    hrefs = [str(a.get("href")) for a in links[start + 1 : start + 3]]
    assert hrefs == ["../../incident-log/", "../../board/"]


# --- the assignment board ----------------------------------------------------------------------------


def test_the_board_has_one_row_per_role_with_levels_contacts_and_blanks(
    default_site: tuple[Path, Path],
) -> None:
    _, site = default_site
    page = soup(site / "board" / "index.html")
    [table] = page.select("table[data-rb-board]")
    rows = table.select("tbody tr")
    assert [r["data-rb-role"] for r in rows] == list(ROLE_IDS)
    severities = _config()["severities"]
    contacts = _contacts()
    for row in rows:
        rid = str(row["data-rb-role"])
        link = row.select_one("th a")
        assert link is not None and link["href"] == f"../roles/{rid}/"
        assert (site / "roles" / rid / "index.html").is_file()
        assert row["data-rb-role-name"] == link.get_text()
        engaged = [s for s in severities if rid in s["roles"]]
        assert str(row["data-rb-severities"]).split() == [s["id"] for s in engaged]
        assert row.select_one(".rb-board-sevs").get_text() == ", ".join(s["name"] for s in engaged)  # type: ignore[union-attr]
        contact = row.select_one(".rb-board-contact").get_text(" ", strip=True)  # type: ignore[union-attr]
        for value in contacts.get(rid, {}).values():
            assert value in contact
        inputs = row.select("input")
        assert [i["data-rb-field"] for i in inputs] == ["holder", "since", "handed_to", "at"]
        assert all(
            i.has_attr("disabled") and not i.get("value") for i in inputs
        )  # blank until the script runs
    # not every role is engaged at every level in the default playbook, so the highlight means something
    assert any(len(str(r["data-rb-severities"]).split()) < len(severities) for r in rows)


def test_the_board_names_each_level_with_its_id_for_print(default_site: tuple[Path, Path]) -> None:
    """Printed, the board shows the levels that engage a role by their ids (rolebook-incident.css), so each row
    stays one or two lines high; a key under the table, shown in print only, names every id."""
    _, site = default_site
    page = soup(site / "board" / "index.html")
    names = {s["id"]: s["name"] for s in _config()["severities"]}
    for row in page.select("table[data-rb-board] tbody tr"):
        levels = row.select(".rb-board-sevs .rb-board-sev")
        assert [str(s["data-rb-sev"]) for s in levels] == str(row["data-rb-severities"]).split()
        assert [s.get_text() for s in levels] == [names[str(s["data-rb-sev"])] for s in levels]
    [key] = page.select("article .rb-board-key")
    assert [b.get_text() for b in key.select("strong")] == list(names)
    assert " ".join(key.get_text().split()) == "Severity levels: " + " · ".join(
        f"{sid} {name}" for sid, name in names.items()
    )
    css = (site / "assets" / "rolebook-incident.css").read_text("utf-8")
    assert ".rb-board-sev::before{content:attr(data-rb-sev)" in css


def test_the_board_asks_for_one_landscape_sheet(default_site: tuple[Path, Path]) -> None:
    _, site = default_site
    styles = [s.get_text() for s in soup(site / "board" / "index.html").select("article style[media=print]")]
    assert styles == ["@page { size: landscape; margin: 10mm; }"]


# --- the incident log ----------------------------------------------------------------------------------


def test_the_log_page_says_it_needs_javascript_and_offers_a_blank_log(
    default_site: tuple[Path, Path],
) -> None:
    _, site = default_site
    page = soup(site / "incident-log" / "index.html")
    assert page.select_one("article [data-rb-log]") is not None
    assert page.select_one("article [data-rb-bar]") is not None
    [note] = page.select("article .rb-nojs-note")
    assert "needs JavaScript" in note.get_text()
    [blank] = page.select("article .rb-nojs table.rb-blank-table")
    assert [th.get_text() for th in blank.select("thead th")] == [
        "Time",
        "Role",
        "Notable activity",
        "Initials",
    ]
    rows = blank.select("tbody tr")
    assert len(rows) == 15
    assert all(len(r.select("td")) == 4 and not r.get_text(strip=True) for r in rows)
    choices = [c.get_text(strip=True) for c in page.select("article .rb-form-choice")]
    assert choices == [s["name"] for s in _config()["severities"]]


def test_role_pages_are_static_checklists_without_the_script(default_site: tuple[Path, Path]) -> None:
    _, site = default_site
    for rid in ROLE_IDS:
        page = soup(site / "roles" / rid / "index.html")
        boxes = page.select("article ul.rb-checklist li.rb-check input.rb-check-box")
        assert boxes, rid
        assert all(b.has_attr("disabled") and not b.has_attr("checked") for b in boxes)
        assert all(not d.get_text(strip=True) for d in page.select("article .rb-check-done"))


# --- the JSON Schema of the exported log ------------------------------------------------------------------


def test_rolebook_schema_writes_the_incident_log_schema(tmp_path: Path) -> None:
    assert "incident-log" in SCHEMAS
    result = rolebook("schema", "-o", str(tmp_path / "schemas"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "schemas" / "incident-log.schema.json").read_text("utf-8")
    assert (
        written
        == schema_text("incident-log")
        == (REPO_ROOT / "schema" / "incident-log.schema.json").read_text("utf-8")
    )
    schema = json.loads(written)
    assert schema["properties"]["format"]["const"] == "rolebook-incident-log"
    assert set(schema["required"]) >= {"incident", "activity", "assignments", "playbook", "exported"}


# --- the Markdown export and project templates --------------------------------------------------------------


def test_the_markdown_export_lists_the_script_deferred_and_builds_with_plain_mkdocs(tmp_path: Path) -> None:
    """Plain MkDocs builds no service worker: the export lists incident mode's script itself, deferred, and
    ships no bootstrap (which would ask for a sw.js that is not there). In a browser:
    tests/test_incident_browser.py."""
    project = copy_project(tmp_path / "p")
    out = tmp_path / "md"
    result = rolebook("export", "--format", "markdown", "-o", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((out / "mkdocs.yml").read_text("utf-8"))
    assert config["extra_javascript"] == [{"path": "assets/rolebook.js", "defer": True}]
    shipped = (out / "docs" / "assets" / "rolebook.js").read_text("utf-8")
    assert shipped == minified("rolebook.js", SCRIPT.read_text("utf-8"))
    assert not (out / "docs" / "assets" / "rolebook-offline.js").exists()
    titles = [next(iter(entry)) for entry in config["nav"]]
    assert titles[:3] == ["Home", "Incident log", "Assignment board"]
    built = mkdocs("build", "--site-dir", str(tmp_path / "site"), cwd=out)
    assert built.returncode == 0, built.stderr
    for page in ("board/index.html", "roles/incident-manager/index.html"):
        tags = soup(tmp_path / "site" / page).select("script[src]")
        ours = [tag for tag in tags if str(tag["src"]).endswith("assets/rolebook.js")]
        assert len(ours) == 1 and ours[0].has_attr("defer"), page
        assert not [tag for tag in tags if "rolebook-offline" in str(tag["src"])]
    assert not (tmp_path / "site" / "sw.js").exists()


def test_a_project_template_cannot_add_script_to_the_board(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    override = project / "templates" / "pages" / "board.md.j2"
    override.write_text(
        '{% extends "!default/pages/board.md.j2" %}\n{% block intro %}<script src="x.js"></script>{% endblock %}\n',
        "utf-8",
    )
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    assert "templates may not add script" in result.stderr
