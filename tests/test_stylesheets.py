"""The site's stylesheets, one per kind of page: every page loads the small base sheet, and a page loads
the matrix's, the role map's, the cards' or incident mode's sheet only when it holds them. So a role page
on a phone waits for a few kilobytes of rolebook's styles (the phone benchmark's first visit), and every
other page still looks as it did. Built for real and read back; in chromium, with Material's instant
navigation, which swaps the content and the head's children."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.core.project import load_playbook
from generator.render.incident_assets import static_script
from generator.render.renderer import RenderOptions, render_site
from generator.render.stylesheets import BASE, PAGE_SHEETS, SHEETS, sheets_for, with_sheets

from .sitekit import (
    ROLE_IDS,
    copy_built,
    free_port,
    launched_chromium,
    needs_chromium,
    rolebook,
    soup,
    static_server,
)

# what each sheet styles: a selector that must be in it and in no other sheet
OWN = {
    "base": ".rb-role-meta",
    "raci": "table.rb-raci",
    "map": ".rb-rolemap-svg",
    "cards": ".rb-card__head",
    "incident": ".rb-bar-main",
}
PAGES = {  # page of the default site: the sheets it links besides the base one
    "index.html": ["map"],
    "raci/index.html": ["raci"],
    "cards/index.html": ["cards"],
    "board/index.html": ["incident"],
    "incident-log/index.html": ["incident"],
    "severities/index.html": [],
    **{f"roles/{rid}/index.html": [] for rid in ROLE_IDS},
    "editing-the-playbook/adapting/index.html": [],
}


def _linked(site: Path, page: str) -> tuple[list[str], list[str]]:
    """The page's stylesheets of rolebook's in its head and in its content, as site paths; the base one,
    written into the page (site/inline_assets.py), by its path."""
    html = soup(site / page)
    folder = (site / page).parent

    def paths(links: Any) -> list[str]:
        return [(folder / link["href"]).resolve().relative_to(site.resolve()).as_posix() for link in links]

    base = (site / BASE.path).read_text("utf-8").strip()
    inline = [BASE.path for style in html.select("head > style") if style.get_text() == base]
    return (
        inline + paths(html.select("head link[rel=stylesheet][href*=rolebook]")),
        paths(html.select("article .rb-sheets link[rel=stylesheet]")),
    )


def test_every_page_loads_the_base_sheet_and_only_the_sheets_of_what_it_holds(
    default_site: tuple[Path, Path],
) -> None:
    site = default_site[1]
    by_name = {sheet.name: sheet.path for sheet in SHEETS}
    for page, names in PAGES.items():
        head, content = _linked(site, page)
        assert head == [BASE.path], page
        assert content == [by_name[name] for name in names], page
    for sheet in SHEETS:
        text = (site / sheet.path).read_text("utf-8")
        for name, selector in OWN.items():
            assert (selector in text) == (name == sheet.name), (sheet.path, selector)
    # the sheet every page waits for is small: what a role page needs and no more
    assert len((site / BASE.path).read_bytes()) < 5000
    # the offline copy keeps every sheet
    worker = (site / "sw.js").read_text("utf-8")
    assert all(sheet.path in worker for sheet in SHEETS)


def test_the_links_sit_after_the_front_matter_and_the_title_and_take_no_room() -> None:
    text = '---\nhide:\n  - toc\n---\n# RACI\n\n<table class="rb-raci"></table>\n'
    out = with_sheets("raci.md", text, directory_urls=True)
    # MkDocs takes the title from a heading that opens the page, and the front matter stays front matter
    assert out.startswith('---\nhide:\n  - toc\n---\n# RACI\n\n<div class="rb-sheets" hidden>')
    assert '<link rel="stylesheet" href="../assets/rolebook-raci.css">' in out
    assert with_sheets("raci.md", text, directory_urls=False).count('href="assets/rolebook-raci.css"') == 1
    assert with_sheets("roles/x.md", '# X\n\n<ul class="rb-checklist"></ul>\n', True).startswith("# X")
    # MultiMarkdown's front matter (key: value lines) too; and the brand's sheets come after rolebook's
    meta = with_sheets(
        "board.md", "hide: toc\n\n# Board\n<table data-rb-board></table>\n", True, ["assets/brand/b.css"]
    )
    assert meta.startswith('hide: toc\n\n# Board\n\n<div class="rb-sheets" hidden>')
    assert (
        '<link rel="stylesheet" href="../assets/rolebook-incident.css"><link rel="stylesheet" href="../assets/brand/b.css">'
        in meta
    )
    # a class that only begins like a sheet's, or the name in running text, brings nothing
    assert sheets_for('<p class="rb-raci-note-x">') == [PAGE_SHEETS[0]]
    assert sheets_for("the rb-raci table") == []
    assert [s.name for s in sheets_for('<div class="x rb-cards"><table data-rb-board>')] == [
        "cards",
        "incident",
    ]


def test_a_block_overridden_lands_in_its_sheet(default_project: Any) -> None:
    project = default_project.path
    templates = project / "templates" / "assets"
    templates.mkdir(parents=True)
    (templates / "rolebook.css.j2").write_text(
        '{% extends "!default/assets/rolebook.css.j2" %}\n'
        "{% block matrix %}{{ super() }}\n.org-matrix-rule { color: teal; }\n{% endblock %}\n"
        "{% block role_meta %}{{ super() }}\n.org-role-rule { color: navy; }\n{% endblock %}\n",
        "utf-8",
    )
    out = render_site(load_playbook(project), RenderOptions(template_dirs=(project / "templates",)))
    holding = {path for path, text in out.items() if path.endswith(".css") and ".org-" in text}
    assert holding == {"assets/rolebook-raci.css", BASE.path}
    assert ".org-matrix-rule" in out["assets/rolebook-raci.css"] and ".org-role-rule" in out[BASE.path]
    assert ".org-matrix-rule" not in out[BASE.path]


def test_incident_modes_script_adds_the_incident_sheet() -> None:
    script = static_script("incident.js")
    assert script is not None
    (incident,) = (sheet for sheet in SHEETS if sheet.name == "incident")
    assert re.search(r"ROOT \+ '" + re.escape(incident.path) + "'", script)


# --- in chromium, with instant navigation ---------------------------------------------------------------


STYLED = """() => ({
  bar: (() => { const b = document.querySelector('.rb-bar'); return b && !b.hidden ? getComputedStyle(b).borderBottomWidth + ' ' + getComputedStyle(b).borderTopWidth : null; })(),
  raci: (() => { const t = document.querySelector('table.rb-raci'); return t && getComputedStyle(t).fontSize; })(),
  board: (() => { const i = document.querySelector('.rb-board-input'); return i && getComputedStyle(i).minHeight; })(),
})"""


@pytest.mark.browser
@needs_chromium
def test_pages_opened_by_instant_navigation_are_styled(
    default_site: tuple[Path, Path], tmp_path: Path
) -> None:
    """Material's instant navigation swaps the content and the head's children: the RACI page and the board
    opened from a role page bring their sheets along, the role page's bar is styled, and the brand's
    stylesheet still wins over them all."""
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' brings playwright")
    project = copy_built(default_site, tmp_path / "project")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    config = project / "mkdocs.yml"
    text = config.read_text("utf-8").replace("  features:\n", "  features:\n    - navigation.instant\n")
    # instant navigation follows the links of the sitemap, which name the site's address
    config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {url}", text), "utf-8")
    # the brand's stylesheet overrides rules of the sheets pages link and incident mode's script adds
    (project / "brand").mkdir()
    (project / "brand" / "acme.css").write_text(
        ".md-typeset .rb-bar { border-top-width: 5px; }\n.md-typeset table.rb-raci { font-size: 13px; }\n",
        "utf-8",
    )
    settings = project / "site_config" / "playbook.yaml"
    settings.write_text(settings.read_text("utf-8") + "branding:\n  extra_css: [brand/acme.css]\n", "utf-8")
    shutil.rmtree(project / "site")
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    with static_server(project / "site", port), launched_chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(url + "roles/incident-manager/", wait_until="networkidle")
        page.wait_for_selector(".rb-bar:not([hidden])")
        assert page.evaluate(STYLED)["bar"] == "2px 5px"  # incident mode's sheet, then the brand's
        loads = page.evaluate("() => performance.timeOrigin")
        page.click("nav.md-nav--primary a[href$='raci/']")
        page.wait_for_selector("table.rb-raci")
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('table.rb-raci')).borderSpacing === '0px'"
        )
        assert page.evaluate(STYLED)["raci"] == "13px"  # the brand's rule still wins over the matrix's sheet
        page.click("nav.md-nav--primary a[href$='board/']")
        page.wait_for_selector(".rb-board-input")
        assert page.evaluate(STYLED)["board"] == "44px"
        # back on a role page, whose head lists no sheet of incident mode: the bar is styled still
        page.click("nav.md-nav--primary a[href$='roles/support-team/']")
        page.wait_for_selector("h1:has-text('Support Team')")
        page.wait_for_selector(".rb-bar:not([hidden])")
        assert page.evaluate(STYLED)["bar"] == "2px 5px"
        # one document all along: instant navigation opened the pages
        assert page.evaluate("() => performance.timeOrigin") == loads
        assert not errors, errors


def test_a_stylesheet_that_would_close_its_element_stays_linked() -> None:
    """A project's template writes the base stylesheet; written into the page, "</style>" in it would end the
    element and what follows would be markup. Such a sheet stays a linked file."""
    from generator.site.inline_assets import inline_assets

    page = (
        '<head><link rel="stylesheet" href="../../assets/rolebook.css"></head><body>'
        '<script src="../../assets/rolebook-offline.js"></script></body>'
    )
    plain = inline_assets(page, ".a{color:red}", "(function(){})();")
    assert "<style>.a{color:red}</style>" in plain and "rolebook.css" not in plain
    assert '<script data-rb-assets="../../assets/">(function(){})();</script>' in plain
    hostile = inline_assets(page, ".a{}</STYLE><script>alert(1)</script>", "x</script><b>")
    assert hostile == page
    assert inline_assets(page, ".a{}", "/*<!--<script>*/") == inline_assets(page, ".a{}", None)
    # a sheet naming another file by a relative address would lead elsewhere from the page
    for naming in (".a{background:url(brand/x.svg)}", "@import 'x.css';", ".a{background:URL(x.png)}"):
        assert "<style>" not in inline_assets(page, naming, None)
    # only rolebook's own files, linked from inside the site, are written in
    elsewhere = page.replace("../../assets/rolebook.css", "https://cdn.example/assets/rolebook.css")
    assert inline_assets(elsewhere, ".a{}", None) == elsewhere


def test_the_theme_s_indentation_is_dropped_but_not_inside_pre_or_textarea(
    default_site: tuple[Path, Path],
) -> None:
    from generator.site.inline_assets import without_indentation

    page = "<div>\n    <p>a\n      b</p>\n  <PRE><code>x:\n  y: 1\n</code></PRE>\n  <textarea>\n  keep</textarea>\n  <i>c</i>\n</div>"
    assert without_indentation(page) == (
        "<div>\n<p>a\nb</p>\n<PRE><code>x:\n  y: 1\n</code></PRE>\n<textarea>\n  keep</textarea>\n<i>c</i>\n</div>"
    )
    site = default_site[1]
    role = (site / "roles" / "incident-manager" / "index.html").read_text("utf-8")
    assert not re.search(r"\n[ \t]", role)
    # the file format guide's YAML examples keep their indentation, line for line
    guide = soup(site / "editing-the-playbook" / "file-format" / "index.html")
    blocks = [pre.get_text() for pre in guide.select("pre")]
    assert any("\n  " in block for block in blocks)
    source = (Path(__file__).parent.parent / "docs" / "editing-the-playbook" / "file-format.md").read_text(
        "utf-8"
    )
    for block in blocks:
        for line in block.splitlines():
            assert line.strip() == "" or line in source, line
