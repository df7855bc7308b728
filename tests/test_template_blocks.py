"""The built-in templates: each opens with a comment saying what it reads, each is split into blocks,
the adapting guide lists every block, and an override of one block changes only that block."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import jinja2
import markdown
import pytest
from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag
from jinja2 import meta, nodes
from pypdf import PdfReader

from .sitekit import REPO_ROOT, copy_project, rolebook

TEMPLATES = REPO_ROOT / "templates"
GUIDE = REPO_ROOT / "docs" / "editing-the-playbook" / "adapting.md"
# the page, partial, card and asset templates (templates/theme/ holds Material's own partials, not these)
TEMPLATE_FILES = sorted(
    path.relative_to(TEMPLATES).as_posix()
    for pattern in ("pages/*.md.j2", "partials/*.html.j2", "cards/*.j2", "assets/*.j2")
    for path in TEMPLATES.glob(pattern)
)


def _parsed(name: str) -> tuple[jinja2.Environment, str, nodes.Template]:
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    return env, source, env.parse(source, name=name)


def _blocks(name: str) -> list[str]:
    return [block.name for block in _parsed(name)[2].find_all(nodes.Block)]


def _has_word(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def test_every_kind_of_template_is_there() -> None:
    assert len(TEMPLATE_FILES) >= 14
    assert {
        "pages/role.md.j2",
        "pages/severities.md.j2",
        "cards/card.html.j2",
        "assets/rolebook.css.j2",
    } <= set(TEMPLATE_FILES)


@pytest.mark.parametrize("name", TEMPLATE_FILES)
def test_a_template_opens_with_what_it_reads_and_has_blocks(name: str) -> None:
    env, source, ast = _parsed(name)
    tokens = list(env.lex(source))
    assert tokens[0][:2] == (1, "comment_begin"), f"{name} does not open with a {{# comment #}}"
    comment = tokens[1][2]
    assert "Context" in comment and "Filters:" in comment, f"{name}: the comment lists no context or filters"
    context_part, filters_part = comment.split("Filters:", 1)
    filters = {f.name for f in ast.find_all(nodes.Filter)}
    for filter_name in filters:  # rolebook's own filters are unknown to a plain environment
        env.filters.setdefault(filter_name, lambda value, *args, **kwargs: value)
    read = meta.find_undeclared_variables(ast) - {"self"}
    missing = sorted(v for v in read if not _has_word(v, context_part))
    assert not missing, f"{name} reads {missing}, which its opening comment does not list"
    unlisted = sorted(f for f in filters if not _has_word(f, filters_part))
    assert not unlisted, f"{name} uses the filters {unlisted}, which its opening comment does not list"
    tests = {t.name for t in ast.find_all(nodes.Test)}
    if tests:
        assert "Tests:" in comment, f"{name} uses the tests {sorted(tests)} and lists none"
        tests_part = comment.split("Tests:", 1)[1]
        assert all(_has_word(t, tests_part) for t in tests), f"{name}: tests {sorted(tests)}"
    assert list(ast.find_all(nodes.Block)), f"{name} has no block"


def _guide_table() -> dict[str, set[str]]:
    """The adapting guide's table of templates: each template's path and the block names it lists."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("\n## Templates\n", 1)[1].split("\n## ", 1)[0]
    html = BeautifulSoup(markdown.markdown(section, extensions=["tables"]), "html.parser")
    [table] = [
        t for t in html.find_all("table") if [th.get_text() for th in t.find_all("th")][:1] == ["Template"]
    ]
    headers = [th.get_text() for th in table.find_all("th")]
    blocks_column = headers.index("Blocks")
    rows: dict[str, set[str]] = {}
    for row in table.select("tbody tr"):
        cells = row.find_all("td")
        rows[cells[0].get_text()] = {code.get_text() for code in cells[blocks_column].find_all("code")}
    return rows


def test_the_guide_lists_every_template_and_exactly_its_blocks() -> None:
    table = _guide_table()
    assert sorted(table) == TEMPLATE_FILES
    for name, listed in table.items():
        defined = _blocks(name)
        assert len(defined) == len(set(defined))
        assert listed == set(defined), (
            f"{name}: the guide lists {sorted(listed - set(defined))} that the template lacks, "
            f"and leaves out {sorted(set(defined) - listed)}"
        )


def test_the_role_and_home_pages_keep_their_blocks() -> None:
    """Overrides written against the first blocks still find them."""
    assert {"contacts", "raci", "quick_card", "skills_training"} <= set(_blocks("pages/role.md.j2"))
    assert {"intro", "rolemap", "roles", "links"} <= set(_blocks("pages/index.md.j2"))


# --- an override of one block -------------------------------------------------------------------

SEVERITY_OVERRIDE = """\
    {% extends "!default/pages/severities.md.j2" %}
    {% block level_roles %}
    {{ super() }}
    Page the duty manager for {{ sev.name | plain }} before anyone else.

    {% endblock %}
    """
CARD_OVERRIDE = """\
    {% extends "!default/cards/card.html.j2" %}
    {% block contacts %}
    {{ super() }}
    <p class="rb-card__switchboard">Switchboard: +1 555 0100</p>
    {% endblock %}
    """
SWITCHBOARD = "Switchboard: +1 555 0100"


def _build(project: Path) -> None:
    for command in (("build",), ("cards", "-o", "quick-cards.pdf")):
        result = rolebook(*command, cwd=project)
        assert result.returncode == 0, f"rolebook {' '.join(command)}\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The default playbook as it comes, and the same with one block of the severity page and of the card
    overridden; both built (`rolebook build`, `rolebook cards`)."""
    root = tmp_path_factory.mktemp("blocks")
    plain = copy_project(root / "plain")
    custom = copy_project(root / "custom")
    for rel, text in (
        ("templates/pages/severities.md.j2", SEVERITY_OVERRIDE),
        ("templates/cards/card.html.j2", CARD_OVERRIDE),
    ):
        (custom / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    _build(plain)
    _build(custom)
    return plain, custom


def _page(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def _drop(tag: Tag) -> None:
    """Take ``tag`` out of its page with the line break that follows it."""
    after = tag.next_sibling
    if isinstance(after, NavigableString) and not after.strip():
        after.extract()
    tag.decompose()


def test_an_override_of_one_severity_block_changes_only_that_block(projects: tuple[Path, Path]) -> None:
    plain, custom = projects
    before = _page(plain / "site", "severities/index.html")
    after = _page(custom / "site", "severities/index.html")
    # the levels' headings (the page's own Markdown headings, such as "Choosing and changing a level",
    # carry a permalink)
    levels = [h2.get_text() for h2 in before.select("article h2[id]") if not h2.select_one(".headerlink")]
    assert len(levels) >= 3
    added = [p for p in after.select("article p") if p.get_text().startswith("Page the duty manager")]
    # one line per level, naming the level: the scoped block reads `sev`, and follows the roles engaged
    assert [p.get_text() for p in added] == [
        f"Page the duty manager for {level} before anyone else." for level in levels
    ]
    assert all(getattr(p.find_previous_sibling(), "name", None) == "ul" for p in added)
    for p in added:
        _drop(p)
    assert str(after) == str(before)  # the rest of the page, and the whole site page around it, as before


def _pdf_pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_an_override_of_one_card_block_reaches_the_printed_cards(projects: tuple[Path, Path]) -> None:
    plain, custom = projects
    before = _pdf_pages(plain / "quick-cards.pdf")
    after = _pdf_pages(custom / "quick-cards.pdf")
    assert len(after) == len(before) == 6  # one sheet per card: the override made no card overflow
    for old, new in zip(before, after, strict=True):
        assert new.count(SWITCHBOARD) == 1
        assert new.split()[:4] == old.split()[:4]
    # the rest of each card as before: its HTML is the built-in card's with the one line added (printed, a
    # section shown only where it fits may give way to the line)
    from generator.core.project import load_playbook
    from generator.render.card_content import SIZES
    from generator.render.renderer import RenderOptions, render_cards

    def cards(project: Path) -> dict[str, str]:
        options = RenderOptions((project / "templates",))
        return render_cards(load_playbook(project), options, SIZES["a6"], back=False)

    line = f'<p class="rb-card__switchboard">{SWITCHBOARD}</p>'
    for (path, old_html), new_html in zip(cards(plain).items(), cards(custom).values(), strict=True):
        squeezed = "".join(new_html.replace(line, "").split())
        assert new_html.count(line) == 1 and squeezed == "".join(old_html.split()), path
    # the site's card PDFs are laid out from the same template
    assert SWITCHBOARD in _pdf_pages(custom / "site" / "cards" / "incident-manager.pdf")[0]
    assert SWITCHBOARD not in " ".join(_pdf_pages(plain / "site" / "cards" / "quick-cards.pdf"))
