"""Large organizations: the navigation, the RACI page and the home page stay usable and small."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from benchmarks.synth import make_org
from generator.render.renderer import GRID_ROLE_LIMIT, NAV_ROLE_LIMIT

from .sitekit import rolebook, soup

ROLES = 40  # above both limits

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert ROLES > NAV_ROLE_LIMIT > GRID_ROLE_LIMIT
    project = make_org(ROLES, tmp_path_factory.mktemp("scale") / "org")
    result = rolebook("build", "-d", str(project / "site"), cwd=project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_the_navigation_lists_a_roles_index_not_every_role(site: Path) -> None:
    page = soup(site / "roles" / "role-0007" / "index.html")
    links = page.select("nav.md-nav--primary a.md-nav__link[href]")
    assert not [a for a in links if "role-00" in a["href"]]
    assert any(a["href"].rstrip("/").endswith("roles") or a["href"] == "../" for a in links)
    index = soup(site / "roles" / "index.html")
    rows = index.select("article table tbody tr")
    assert len(rows) == ROLES
    assert rows[7].find("a")["href"] == "role-0007/"


def test_the_raci_lists_roles_per_activity(site: Path) -> None:
    page = soup(site / "raci" / "index.html")
    assert page.select("table.rb-raci thead th[data-role]") == []  # no grid of 40 columns
    tables = page.select("table.rb-raci--list")
    assert [t["data-phase"] for t in tables] == ["prepare", "detect", "respond", "recover", "review"]
    first = page.select_one("tr[data-activity='act-00000']")
    assert first is not None
    held = {td["data-letter"]: [a["data-role"] for a in td.find_all("a")] for td in first.find_all("td")}
    assert held == {"R": ["role-0001"], "A": ["role-0000"], "C": ["role-0002"], "I": ["role-0003"]}
    assert (site / "raci" / "index.html").stat().st_size < 200_000


def test_the_home_page_points_to_the_index_instead_of_a_huge_map(site: Path) -> None:
    page = soup(site / "index.html")
    assert page.find("svg", class_="rb-rolemap-svg") is None
    assert f"This playbook has {ROLES} roles" in page.get_text()


def test_the_cards_page_lists_each_card_pdf_instead_of_every_card(site: Path) -> None:
    page = soup(site / "cards" / "index.html")
    assert page.select("section.rb-card") == []
    links = [a["href"] for a in page.select("article table a[href$='.pdf']")]
    assert links == [f"../cards/role-{n:04d}.pdf".removeprefix("../cards/") for n in range(ROLES)]
    assert page.find("a", href="quick-cards.pdf") is not None
    assert (site / "cards" / "index.html").stat().st_size < 100_000
    combined = PdfReader(site / "cards" / "quick-cards.pdf")
    assert len(combined.pages) == ROLES  # laid out by worker processes at this size, merged in order
    names = [item.title for item in combined.outline if not isinstance(item, list)]  # lists: sub-headings
    assert names == [f"Role {n:04d}" for n in range(ROLES)]
    for n in (0, ROLES - 1):
        card = PdfReader(site / "cards" / f"role-{n:04d}.pdf")
        assert len(card.pages) == 1 and f"Role {n:04d}" in (card.pages[0].extract_text() or "")
