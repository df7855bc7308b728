"""The playbook site: real builds of the default project into tmp_path, read back as HTML."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from generator.core.project import load_playbook
from generator.render.renderer import RenderOptions, render_site

from .sitekit import (
    ROLE_IDS,
    copy_project,
    free_port,
    http_get,
    load_yaml,
    mkdocs,
    rolebook,
    snapshot,
    soup,
    wait_for,
)

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def built(default_site: tuple[Path, Path]) -> tuple[Path, Path]:
    """The default project built once per session with ``rolebook build`` (conftest): (project, site), read only."""
    return default_site


def test_build_output_is_clean(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    result = rolebook("build", "--site-dir", str(tmp_path / "out"), cwd=project)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert output.strip() == f"built the playbook site in {tmp_path / 'out'}"
    assert (tmp_path / "out" / "index.html").is_file()


def test_one_page_per_role_with_its_name(built: tuple[Path, Path]) -> None:
    project, site = built
    pages = sorted(p.parent.name for p in (site / "roles").glob("*/index.html"))
    assert pages == sorted(ROLE_IDS)
    for role_id in ROLE_IDS:
        data = load_yaml(project / "roles" / f"{role_id}.yaml")
        page = soup(site / "roles" / role_id / "index.html")
        assert page.find("h1").get_text(strip=True).rstrip("¶") == data["name"]
        text = page.get_text(" ", strip=True)
        assert data["summary"] in text
        for item in data["responsibilities"] + data["handoff"]:
            assert item in text


def test_navigation_lists_roles_in_site_order(built: tuple[Path, Path]) -> None:
    project, site = built
    order = load_yaml(project / "site_config" / "playbook.yaml")["role_order"]
    page = soup(site / "index.html")
    nav_links = [a["href"] for a in page.select("nav.md-nav--primary a.md-nav__link[href]")]
    role_links = [h for h in nav_links if "roles/" in h]
    assert [h.rstrip("/").split("/")[-1] for h in role_links] == order


def test_role_page_sections(built: tuple[Path, Path]) -> None:
    project, site = built
    data = load_yaml(project / "roles" / "incident-manager.yaml")
    page = soup(site / "roles" / "incident-manager" / "index.html")
    headings = [h.get_text(strip=True).rstrip("¶") for h in page.select("article h2")]
    assert headings == [
        "During an incident",
        "Contacts",
        "Decisions by severity",
        "When it gets difficult",
        "Pitfalls",
        *(section["title"] for section in data["guidance"]),
        "Responsibilities",
        "Works with",
        "Handoff checklist",
        "Backups",
        "Quick card",
        "RACI",
        "Before and after an incident",
        "Skills and training",
    ]
    during = [h.get_text(strip=True).rstrip("¶") for h in page.select("article h3")]
    assert during[:6] == [
        "First 5 minutes",
        "First hour",
        "Until resolved",
        "Escalate to",
        "Do and don't",
        "What to say",
    ]
    # every checklist and handoff item is a box with the item's stable id, empty and off until a script
    # turns the page into a live checklist
    items = page.select("article ul.rb-checklist[data-rb-role=incident-manager] li.rb-check")
    ids = [li["data-rb-item"] for li in items]
    expected = [
        item["id"] if isinstance(item, dict) else None
        for items_ in data["checklists"].values()
        for item in items_
    ]
    assert len(ids) == len(expected) + len(data["handoff"]) == len(set(ids))
    assert {i for i in expected if i} <= set(ids) and "declare" in ids
    for li in items:
        box = li.select_one("input.rb-check-box[type=checkbox]")
        assert box is not None and box.has_attr("disabled") and not box.has_attr("checked")
    declare = page.select_one("li#check-incident-manager-declare")
    assert declare is not None and declare.select_one(".rb-check-within").get_text() == "within 5 minutes"
    # the first actions come first, in order
    first = page.find("h2", id="during-an-incident").find_next("ol")
    assert [li.get_text(" ", strip=True) for li in first.find_all("li")] == data["card"]["first_actions"]
    # escalate to: the role, when, and how to reach it
    escalation = page.find("h3", id="escalate-to").find_next("table").get_text(" ", strip=True)
    assert "Management and Leadership" in escalation and "leadership@example.org" in escalation
    # works-with and escalation link to the other roles' pages
    hrefs = {a["href"] for a in page.select("article a[href]")}
    for link in data["works_with"] + data["escalates_to"]:
        assert f"../{link['role']}/" in hrefs
    for backup in data["backups"]:
        assert f"../{backup}/" in hrefs
    text = page.get_text(" ", strip=True)
    contacts = load_yaml(project / "site_config" / "contacts.yaml")["contacts"]["incident-manager"]
    assert contacts["channel"] in text and contacts["pager"] in text and contacts["email"] in text


def test_role_raci_row_matches_the_activity_file(built: tuple[Path, Path]) -> None:
    project, site = built
    activities = load_yaml(project / "roles" / "activities.yaml")["activities"]
    for role_id in ROLE_IDS:
        expected = {  # a role both Accountable and Responsible (AR) is shown A/R
            a["name"]: a["raci"][role_id].replace("AR", "A/R") for a in activities if role_id in a["raci"]
        }
        page = soup(site / "roles" / role_id / "index.html")
        raci_table = page.find("h2", id="raci").find_next("table")
        rows = {}
        for tr in raci_table.select("tbody tr"):
            cells = tr.find_all("td")
            rows[cells[1].find("a").get_text(strip=True)] = cells[2].find("span").get_text(strip=True)
        assert rows == expected, role_id


def test_every_raci_cell_equals_the_yaml(built: tuple[Path, Path]) -> None:
    project, site = built
    activities = load_yaml(project / "roles" / "activities.yaml")["activities"]
    page = soup(site / "raci" / "index.html")
    table = page.find("table", class_="rb-raci")
    header = [th["data-role"] for th in table.select("thead th[data-role]")]
    assert header == load_yaml(project / "site_config" / "playbook.yaml")["role_order"]
    seen = []
    for tr in table.select("tbody tr[data-activity]"):
        activity = next(a for a in activities if a["id"] == tr["data-activity"])
        assert next(tr.find("th").strings).strip() == activity["name"]  # then its notes, if any
        cells = {td["data-role"]: td.get_text(strip=True) for td in tr.find_all("td")}
        assert cells == {role: activity["raci"].get(role, "").replace("AR", "A/R") for role in header}
        seen.append(activity["id"])
    # every activity once, grouped by phase in the configured phase order
    phases = [p["id"] for p in load_yaml(project / "site_config" / "playbook.yaml")["phases"]]
    assert sorted(seen) == sorted(a["id"] for a in activities)
    by_phase = sorted(activities, key=lambda a: phases.index(a["phase"]))
    assert seen == [a["id"] for a in by_phase]
    assert [tb["data-phase"] for tb in table.find_all("tbody")] == phases


def test_raci_page_has_legend_and_sticky_header_styles(built: tuple[Path, Path]) -> None:
    _, site = built
    page = soup(site / "raci" / "index.html")
    legend = page.find("dl", class_="rb-legend").get_text(" ", strip=True)
    for word in ("Responsible", "Accountable", "Consulted", "Informed"):
        assert word in legend
    css = (site / "assets" / "rolebook-raci.css").read_text(encoding="utf-8")
    assert re.search(r"table\.rb-raci thead th ?\{[^}]*position: ?sticky;[^}]*top: ?2\.4rem", css)  # minified
    assert page.find("style", media="print").get_text() == "@page { size: landscape; margin: 12mm; }"
    assert ".rb-letter{" in page.find("style").get_text()  # the base stylesheet, written into the page
    assert page.find("link", href=re.compile(r"assets/rolebook-raci\.css$"))


def test_home_page_has_metadata_role_map_and_grid(built: tuple[Path, Path]) -> None:
    project, site = built
    settings = load_yaml(project / "site_config" / "playbook.yaml")
    page = soup(site / "index.html")
    text = page.get_text(" ", strip=True)
    assert settings["title"] in text and settings["organization"] in text
    assert f"Version {settings['version']}" in text and "Published 2024-04-15" in text
    assert "cross-training" in text
    svg = page.find("svg", class_="rb-rolemap-svg")
    nodes = svg.select("a.rb-node")
    assert sorted(n["data-role"] for n in nodes) == sorted(ROLE_IDS)
    # every works-with, escalation and backup relation is drawn
    edges = {(p["data-source"], p["data-target"], p["class"][1]) for p in svg.select("path.rb-edge")}
    for role_id in ROLE_IDS:
        data = load_yaml(project / "roles" / f"{role_id}.yaml")
        for esc in data["escalates_to"]:
            assert (role_id, esc["role"], "rb-edge--escalates-to") in edges
        for backup in data["backups"]:
            assert (backup, role_id, "rb-edge--backs-up") in edges
        for link in data["works_with"]:
            assert (role_id, link["role"], "rb-edge--works-with") in edges or (
                link["role"],
                role_id,
                "rb-edge--works-with",
            ) in edges
    grid = page.select("div.grid.cards li")
    assert len(grid) == len(ROLE_IDS)


def test_severities_page_lists_engaged_roles(built: tuple[Path, Path]) -> None:
    project, site = built
    severities = load_yaml(project / "site_config" / "playbook.yaml")["severities"]
    page = soup(site / "severities" / "index.html")
    for sev in severities:
        heading = page.find(id=sev["id"])
        assert heading is not None and heading.get_text(strip=True).rstrip("¶") == sev["name"]
        links = []
        for sibling in heading.find_next_siblings():
            if sibling.name == "h2":
                break
            links += [a["href"] for a in sibling.select("a[href*='roles/']")]
        assert [h.rstrip("/").split("/")[-1] for h in links] == sev["roles"]


def test_edit_links_open_the_source_yaml(built: tuple[Path, Path]) -> None:
    _, site = built
    base = "https://github.com/example/rolebook/edit/main/"
    expected = {
        "index.html": "site_config/playbook.yaml",
        "raci/index.html": "roles/activities.yaml",
        "severities/index.html": "site_config/playbook.yaml",
        **{f"roles/{r}/index.html": f"roles/{r}.yaml" for r in ROLE_IDS},
    }
    for page_path, source in expected.items():
        edit = soup(site / page_path).select_one("a.md-content__button[href*='/edit/']")
        assert edit is not None, page_path
        assert edit["href"] == base + source


_RESOURCE_ATTRS = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "embed": "src",
    "object": "data",
    "use": "href",
    "image": "href",
}


_LOADED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "preconnect", "dns-prefetch"}


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme in ("http", "https") or url.startswith("//"))


def test_no_page_or_stylesheet_loads_anything_from_another_host(built: tuple[Path, Path]) -> None:
    _, site = built
    external = []
    for page_path in site.rglob("*.html"):
        page = soup(page_path)
        for tag, attr in _RESOURCE_ATTRS.items():
            external += [
                (page_path.name, t[attr]) for t in page.find_all(tag) if t.get(attr) and _is_external(t[attr])
            ]
        for link in page.find_all("link", href=True):
            if set(link.get("rel", [])) & _LOADED_RELS and _is_external(link["href"]):
                external.append((page_path.name, link["href"]))
        for style in page.find_all(style=True):
            external += [
                (page_path.name, u) for u in re.findall(r"url\(([^)]*)\)", style["style"]) if "//" in u
            ]
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        external += [(css.name, u) for u in re.findall(r"url\(\s*['\"]?(https?:)?//[^)]*\)", text)]
        external += [(css.name, m) for m in re.findall(r"@import[^;]*(?:https?:)?//[^;]*;", text)]
    assert external == []
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    assert not any("fonts.googleapis" in text for text in pages)
    # Material's header script asks the code host's API for repository facts; rolebook's partial does not
    assert not any('data-md-component="source"' in text for text in pages)


def test_template_syntax_in_role_text_is_shown_as_written(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    role = project / "roles" / "support-team.yaml"
    text = role.read_text(encoding="utf-8")
    text = text.replace(
        "  - Provide customer and end-user support throughout the incident.\n",
        "  - Provide customer and end-user support throughout the incident.\n"
        "  - 'Reply with {{ 7 * 7 }} and {% raw %}{{ site.title }}'\n",
    )
    role.write_text(text, encoding="utf-8")
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    page = soup(project / "site" / "roles" / "support-team" / "index.html")
    assert "Reply with {{ 7 * 7 }} and {% raw %}{{ site.title }}" in page.get_text()
    assert "49" not in page.get_text()


def test_broken_role_stops_rolebook_build_and_keeps_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ROLEBOOK_CACHE_DIR")  # the cache where rolebook keeps it by default, in the project
    project = copy_project(tmp_path / "p")
    assert rolebook("build", cwd=project).returncode == 0
    before = snapshot(project / "site")
    role = project / "roles" / "support-team.yaml"
    role.write_text(
        role.read_text(encoding="utf-8").replace("responsibilities:", "responsibilites:"), "utf-8"
    )
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    assert re.search(
        r"^roles/support-team\.yaml:\d+:1: error: unknown field 'responsibilites' "
        r"\(did you mean 'responsibilities'\?\)$",
        result.stderr,
        re.M,
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(project / "site") == before
    # no half-built folder is left beside the site (.cache holds the laid-out cards)
    assert sorted(p.name for p in project.iterdir()) == [
        ".cache",
        "docs",
        "mkdocs.yml",
        "roles",
        "site",
        "site_config",
        "templates",
    ]


def test_broken_role_stops_plain_mkdocs_build_and_keeps_the_old_site(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    assert mkdocs("build", cwd=project).returncode == 0
    before = snapshot(project / "site")
    activities = project / "roles" / "activities.yaml"
    activities.write_text(
        activities.read_text(encoding="utf-8").replace(
            "raci: {incident-manager: A, operations-team: R, subject-matter-experts: C, communication-lead: I, management-leadership: I}",
            "raci: {incident-manager: R, operations-team: R, subject-matter-experts: C, communication-lead: I, management-leadership: I}",
        ),
        "utf-8",
    )
    result = mkdocs("build", cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert re.search(
        r"^roles/activities\.yaml:\d+:\d+: error: activity 'declare-incident' \(Declare the incident and set its "
        r"severity\) has no Accountable role",
        output,
        re.M,
    )
    assert "Traceback" not in output
    assert snapshot(project / "site") == before


def test_a_template_typo_fails_naming_the_template(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    template = project / "templates" / "pages" / "role.md.j2"
    text = template.read_text(encoding="utf-8")
    assert "{{ role.summary | rich }}" in text
    template.write_text(text.replace("{{ role.summary | rich }}", "{{ role.summry | rich }}"), "utf-8")
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    assert re.search(
        r"templates/pages/role\.md\.j2:\d+:1: error: undefined value in template: .*summry", result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()


def test_a_docs_page_colliding_with_a_generated_page_is_an_error(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    (project / "docs" / "raci.md").write_text("# Mine\n", encoding="utf-8")
    (project / "docs" / "cards").mkdir()
    (project / "docs" / "cards" / "support-team.pdf").write_bytes(b"%PDF- an old card")
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    assert "docs/raci.md:1:1: error: has the same path as a page rolebook generates" in result.stderr
    assert (
        "docs/cards/support-team.pdf:1:1: error: has the same path" in result.stderr
    )  # cards are still being laid out
    assert not (project / "site").exists()


def test_own_docs_pages_follow_the_generated_ones_in_the_navigation(built: tuple[Path, Path]) -> None:
    _, site = built
    assert (site / "editing-the-playbook" / "file-format" / "index.html").is_file()
    nav = [
        a.get_text(strip=True) for a in soup(site / "index.html").select("nav.md-nav--primary .md-nav__link")
    ]
    assert nav.index("RACI matrix") < nav.index("The role file format")


def test_two_builds_give_the_same_bytes(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    first, second = tmp_path / "one", tmp_path / "two"
    assert rolebook("build", "-d", str(first), cwd=project).returncode == 0
    os.utime(project / "roles" / "incident-manager.yaml")  # a touched file changes nothing
    assert rolebook("build", "-d", str(second), cwd=project).returncode == 0
    drop = {"sitemap.xml", "sitemap.xml.gz"}
    one = {k: v for k, v in snapshot(first).items() if k not in drop}
    two = {k: v for k, v in snapshot(second).items() if k not in drop}
    assert one == two and len(one) > 20


def test_renderer_is_pure_and_deterministic() -> None:
    from .sitekit import REPO_ROOT

    playbook = load_playbook(REPO_ROOT)
    first = render_site(playbook, RenderOptions())
    assert first == render_site(playbook, RenderOptions())
    assert set(first) == {
        "index.md",
        "raci.md",
        "severities.md",
        "cards.md",
        "assets/rolebook.css",
        "assets/rolebook-raci.css",
        "assets/rolebook-map.css",
        "assets/rolebook-cards.css",
        "assets/rolebook-incident.css",
        *(f"roles/{r}.md" for r in ROLE_IDS),
        "incident-log.md",
        "board.md",
        "assets/rolebook.js",
        "assets/rolebook-incident.json",
        "assets/rolebook-offline.js",
    }


def test_golden_role_page() -> None:
    """The rendered Markdown of one role page, compared with tests/golden (UPDATE_GOLDEN=1 rewrites it)."""
    from .sitekit import REPO_ROOT

    rendered = render_site(load_playbook(REPO_ROOT))["roles/incident-manager.md"]
    golden = GOLDEN / "incident-manager.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def test_links_without_directory_urls(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "use_directory_urls: false\n", "utf-8")
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    raci = soup(site / "raci.html")
    for a in raci.select("table.rb-raci thead a[href]"):
        assert (site / a["href"]).is_file(), a["href"]
    home = soup(site / "index.html")
    for a in home.select("svg a.rb-node"):
        assert (site / a["href"]).is_file(), a["href"]


def _get(url: str) -> tuple[int, str]:
    status, body = http_get(url)
    return status, body.decode("utf-8")


def test_serve_rebuilds_on_role_edits_additions_and_removals(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    port = free_port()
    exe = Path(sys.executable).with_name("rolebook")
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [str(exe), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"  # at the root, whatever the path of site_url
    try:
        assert wait_for(lambda: "Support Team" in _get(base + "roles/support-team/")[1]), "never served"
        role = project / "roles" / "support-team.yaml"
        original = role.read_text(encoding="utf-8")
        role.write_text(original.replace("name: Support Team", "name: Customer Care"), "utf-8")
        assert wait_for(
            lambda: "<h1" in (p := _get(base + "roles/support-team/")[1]) and "Customer Care" in p
        )
        # the card, laid out while the pages were built, is served whole, with the edit
        card = PdfReader(io.BytesIO(http_get(base + "cards/support-team.pdf")[1]))
        assert "Customer Care" in (card.pages[0].extract_text() or "")
        # a broken edit is reported in the compiler format (MkDocs then holds requests until it is fixed)
        role.write_text(original.replace("responsibilities:", "responsibilites:"), "utf-8")
        assert wait_for(lambda: "unknown field 'responsibilites'" in (tmp_path / "serve.log").read_text())
        # an added role gets a page; a removed one loses it
        role.write_text(original, "utf-8")
        (project / "roles" / "scribe.yaml").write_text(
            original.replace("name: Support Team", "name: Scribe").replace("short: SUP", "short: SCR"),
            "utf-8",
        )
        assert wait_for(lambda: _get(base + "roles/scribe/")[0] == 200)
        (project / "roles" / "scribe.yaml").unlink()
        assert wait_for(lambda: _get(base + "roles/scribe/")[0] == 404)
        # templates and settings are watched too
        settings = project / "site_config" / "playbook.yaml"
        settings.write_text(
            settings.read_text("utf-8").replace("Example Organization", "Acme Rockets"), "utf-8"
        )
        assert wait_for(lambda: "Acme Rockets" in _get(base)[1])
        template = project / "templates" / "pages" / "severities.md.j2"
        template.write_text(
            template.read_text("utf-8").replace("# Severity levels", "# How bad is it"), "utf-8"
        )
        assert wait_for(lambda: "How bad is it" in _get(base + "severities/")[1])
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
