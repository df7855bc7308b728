"""Quick cards as job action sheets: tasks with Time and Initials, the back's assignment log and notes, the
legibility floors (text, QR codes read back at 150 dpi, contacts never broken inside) and who covers whom.
Real PDFs from ``rolebook cards``, read back with pypdf, pdfium, pdftoppm and zxing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium
import pytest
import segno
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from generator.cards.fit import PX_TO_MM
from generator.cards.layout import laid_out
from generator.core.project import load_playbook
from generator.render.card_content import SIZES, fill_qr_marks
from generator.render.renderer import RenderOptions, render_cards

from .foreign import ORGANIZATION, make_foreign_playbook
from .sitekit import ROLE_IDS, copy_project, load_yaml, own_template, rolebook, soup

SITE_URL = "https://example.org/playbook/"
PX_TO_PT = 0.75  # WeasyPrint writes its text in CSS pixels, scaled to points by the page's matrix


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("sheets") / "project")


@pytest.fixture(scope="module")
def printed(project: Path) -> dict[str, Path]:
    """Every size's cards of every default role, with back sides."""
    found = {}
    for size in SIZES:
        out = project / f"{size}.pdf"
        result = rolebook("cards", "--size", size, "--back", "-o", str(out), cwd=project)
        assert result.returncode == 0, result.stderr
        found[size] = out
    return found


def _texts(pdf: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]


def _item_text(item: str | dict[str, str]) -> str:
    return " ".join((item if isinstance(item, str) else item["text"]).split()[:5])


def test_the_a6_front_lists_every_task_in_its_time_box_with_time_and_initials(
    project: Path, printed: dict[str, Path]
) -> None:
    texts = _texts(printed["a6"])
    playbook = load_playbook(project)
    for index, role_id in enumerate(ROLE_IDS):
        data = load_yaml(project / "roles" / f"{role_id}.yaml")
        front = texts[2 * index]
        assert f"Mission: {' '.join(data['summary'].split()[:6])}" in front
        assert "Reports to:" in front or role_id == "management-leadership"  # the top of the chain
        groups = playbook.during_incident(role_id)  # by time box, or by phase when none has a time
        assert f"Tasks: {groups[0].name} Time Initials" in front
        for phase in ("detect", "respond", "recover"):
            for item in data["checklists"].get(phase) or ():
                assert _item_text(item) in front, (role_id, item)
        for group in groups:
            assert group.name in front
        for item in data["card"]["first_actions"]:  # every card keeps its first actions
            assert item in front, (role_id, item)
        assert "more tasks on the role's page" not in front  # A6 has room for every time box
    assert "First hour" in texts[0] and "Until resolved" in texts[0]


def test_do_and_dont_are_printed_where_they_fit(project: Path, printed: dict[str, Path]) -> None:
    """The Subject Matter Experts' A6 front has room for do and don't; the Incident Manager's nine tasks
    leave none, so its card goes without them rather than fail or shrink."""
    texts = _texts(printed["a6"])
    experts = load_yaml(project / "roles" / "subject-matter-experts.yaml")["card"]
    manager = load_yaml(project / "roles" / "incident-manager.yaml")["card"]
    sme_front = texts[2 * ROLE_IDS.index("subject-matter-experts")]
    im_front = texts[2 * ROLE_IDS.index("incident-manager")]
    assert all(item in sme_front for item in experts["do"] + experts["dont"])
    assert not any(item in im_front for item in manager["do"] + manager["dont"])


def test_the_back_carries_the_assignment_log_handoff_contacts_cover_and_notes(
    project: Path, printed: dict[str, Path]
) -> None:
    texts = _texts(printed["a6"])
    contacts = load_yaml(project / "site_config" / "contacts.yaml")["contacts"]
    back = texts[2 * ROLE_IDS.index("incident-manager") + 1]
    assert "ASSIGNMENT LOG Assigned to Date Start End Initials" in back
    assert "HANDOFF: PASS ON" in back and "NOTES" in back
    # the role's own contacts and those of the role it reports to (it escalates to the same one)
    assert f"IM Chat {contacts['incident-manager']['channel']}" in back
    assert f"MGT Pager {contacts['management-leadership']['pager']}" in back
    # who covers whom, the right way round: its backups cover it; it covers the roles naming it a backup
    assert "Covered by: Operations Team · Subject Matter Experts" in back
    assert "Covers: Communication Lead · Management and Leadership" in back


def _boxes_of(document: object, page: int, css_class: str) -> list[object]:
    stack, found = [document.pages[page]._page_box], []  # type: ignore[attr-defined]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and css_class in (element.get("class") or "").split():
            found.append(box)
        stack.extend(getattr(box, "children", None) or ())
    return found


def test_the_notes_fill_the_back_to_its_foot(project: Path) -> None:
    """Laid out, every default card's back reaches the foot of its page's content, ruled below what is
    written on it, with room for at least one line of notes."""
    playbook = load_playbook(project)
    for size_id in ("a6", "a7", "wallet", "a4"):
        size = SIZES[size_id]
        for role_id in ("incident-manager", "support-team"):
            html = render_cards(playbook, RenderOptions(), size, back=True, role_ids=[role_id])
            document = laid_out(fill_qr_marks(html[f"cards/{role_id}.html"]), 2)
            assert len(document.pages) == 2
            page = document.pages[1]._page_box
            [back] = [box for box in _boxes_of(document, 1, "rb-card--back") if box.element_tag == "section"]
            [written] = _boxes_of(document, 1, "rb-card__written")
            back_end = (back.position_y + back.margin_height()) * PX_TO_MM
            content_end = (page.content_box_y() + page.height) * PX_TO_MM
            assert back_end == pytest.approx(content_end, abs=1.0), (size_id, role_id)
            lines = back_end - (written.position_y + written.margin_height()) * PX_TO_MM
            assert lines >= 1.8 * size.font_pt * 25.4 / 72 - 0.1, (size_id, role_id)
            assert back.style["background_image"], "the back is ruled"


def _font_sizes(pdf: Path) -> list[float]:
    """The smallest printed character's size on each page, in points."""
    document = pypdfium2.PdfDocument(str(pdf))
    smallest = []
    for page in document:
        text = page.get_textpage()
        sizes = [
            pdfium.FPDFText_GetFontSize(text.raw, index) * PX_TO_PT
            for index in range(text.count_chars())
            if text.get_text_range(index, 1).strip()
        ]
        smallest.append(min(sizes))
    document.close()
    return smallest


@pytest.mark.parametrize(
    ("size", "floor"),
    [("a6", 7), ("a7", 7), ("wallet", 6.5), ("a5", 7), ("index-4x6", 7), ("a4", 7), ("letter", 7)],
)
def test_no_text_is_below_the_floor(printed: dict[str, Path], size: str, floor: float) -> None:
    smallest = _font_sizes(printed[size])
    assert len(smallest) == 2 * len(ROLE_IDS)
    assert min(smallest) >= floor - 0.01, smallest


def _qr_at_150_dpi(pdf: Path, out: Path) -> list[tuple[str, float]]:
    """Each page printed at 150 dpi: the one QR code read from it, and its width in mm (quiet zone aside)."""
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(out / "page")], check=True, timeout=300)
    found = []
    for image in sorted(out.glob("page-*.png")):
        codes = zxingcpp.read_barcodes(Image.open(image))
        assert len(codes) == 1, image
        corners = codes[0].position
        width_px = (corners.top_right.x - corners.top_left.x) ** 2 + (
            corners.top_right.y - corners.top_left.y
        ) ** 2
        found.append((codes[0].text, width_px**0.5 / 150 * 25.4))
    return found


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
@pytest.mark.parametrize("size", list(SIZES))
def test_every_size_has_a_qr_code_of_15_mm_that_decodes_at_150_dpi(
    printed: dict[str, Path], tmp_path: Path, size: str
) -> None:
    expected = [f"{SITE_URL}roles/{rid}/" for rid in ROLE_IDS for _ in range(2)]  # front and back
    found = _qr_at_150_dpi(printed[size], tmp_path)
    assert [text for text, _ in found] == expected
    for url, width in found:
        modules = segno.make(url, error="m").symbol_size(border=0)[0]
        # zxing reports the centres of the corner modules, a module less than the symbol's side
        assert width * modules / (modules - 1) >= 15 - 0.15, (url, width)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_a_long_site_url_still_decodes_on_a_wallet_card(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    long_url = "https://incident-response.platform-engineering.internal.example-organization.com/playbooks/"
    mkdocs = project / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text("utf-8").replace(SITE_URL, long_url), "utf-8")
    out = tmp_path / "wallet.pdf"
    result = rolebook(
        "cards", "--size", "wallet", "--role", "management-leadership", "-o", str(out), cwd=project
    )
    assert result.returncode == 0, result.stderr
    (tmp_path / "png").mkdir()
    [(text, _)] = _qr_at_150_dpi(out, tmp_path / "png")
    assert text == f"{long_url}roles/management-leadership/"


def test_a_site_url_too_long_for_a_readable_code_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    mkdocs = project / "mkdocs.yml"
    lines = mkdocs.read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("site_url"))
    mkdocs.write_text(mkdocs.read_text("utf-8").replace(SITE_URL, SITE_URL + "x" * 120 + "/"), "utf-8")
    out = tmp_path / "cards.pdf"
    out.write_bytes(b"the previous print run")
    result = rolebook("cards", "-o", str(out), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"mkdocs.yml:{line}:1: error: the QR code of" in result.stderr
    assert "finer than the 0.3 mm that scans at 150 dpi" in result.stderr
    assert out.read_bytes() == b"the previous print run"


def test_card_styles_below_the_floor_are_refused_at_the_styles_file(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    own_template(
        project,
        "cards/card.css.j2",
        '{% extends "!default/cards/card.css.j2" %}\n'
        "{% block mission %}{{ super() }}\n.rb-card__mission { font-size: 5pt; }\n{% endblock mission %}\n",
    )
    result = rolebook("cards", "--role", "support-team", "-o", str(tmp_path / "x.pdf"), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        "templates/cards/card.css.j2:1:1: error: the A6 (105 x 148 mm) card sets 'Mission:' in 5 pt, "
        "below the 7 pt floor of its size" in result.stderr
    )
    assert not (tmp_path / "x.pdf").exists()


def _set_contact(project: Path, field: str, value: str, role: str = "incident-manager") -> int:
    """Sets a role's contact ``field``; the line it is on."""
    path = project / "site_config" / "contacts.yaml"
    lines = path.read_text("utf-8").splitlines()
    start = lines.index(f"  {role}:")
    line = next(n for n in range(start, len(lines)) if lines[n].strip().startswith(f"{field}:"))
    lines[line] = f"    {field}: {value}"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return line + 1


@pytest.mark.parametrize("size", ["a7", "wallet"])
def test_contact_ids_and_addresses_never_break_inside(tmp_path: Path, size: str) -> None:
    """The contacts on an A7 card's front (no back side) and on a wallet card's back."""
    project = copy_project(tmp_path / "p")
    _set_contact(project, "pager", "im-primary-on-call", "management-leadership")
    _set_contact(project, "email", "incident-managers@example.org", "management-leadership")
    out = tmp_path / "cards.pdf"
    sides = ["--back"] if size == "wallet" else []
    result = rolebook(
        "cards", "--size", size, *sides, "--role", "management-leadership", "-o", str(out), cwd=project
    )
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for page in PdfReader(out).pages for line in page.extract_text().splitlines()]
    assert any("Pager im-primary-on-call" in line for line in lines), lines
    # an address breaks after its @ or not at all
    assert any("incident-managers@example.org" in line for line in lines) or any(
        line.endswith("incident-managers@") for line in lines
    ), lines
    assert not any(line.endswith(("im-", "im-primary-", "incident-")) for line in lines), lines


def test_a_contact_too_wide_for_the_card_is_refused_at_its_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    pager = "incident-manager-primary-rotation-for-the-whole-organization-and-its-partners"
    line = _set_contact(project, "pager", pager)
    out = tmp_path / "x.pdf"  # the Subject Matter Experts' card lists the contacts of the role they report to
    result = rolebook(
        "cards", "--size", "a4", "--role", "subject-matter-experts", "-o", str(out), cwd=project
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"site_config/contacts.yaml:{line}:1: error: 'Pager {pager}' is " in result.stderr
    assert (
        "mm wider than the A4 (210 x 297 mm) card (a contact or a word is never broken inside)"
        in result.stderr
    )
    assert not out.exists()


def test_every_page_names_the_organization_version_and_date(tmp_path: Path) -> None:
    """A new organization's cards, both sides: its organization, version and date on every page."""
    northwind = make_foreign_playbook(tmp_path)
    settings = load_yaml(northwind / "site_config" / "playbook.yaml")
    out = tmp_path / "cards.pdf"
    result = rolebook("cards", "--back", "-o", str(out), cwd=northwind)
    assert result.returncode == 0, result.stderr
    for text in _texts(out):
        assert ORGANIZATION in text
        assert f"Version {settings['version']} · {settings['published']}" in text


def test_reports_to_is_checked_and_shown_on_the_card_and_the_page(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    role = project / "roles" / "support-team.yaml"
    original = role.read_text("utf-8")
    role.write_text(
        original.replace("works_with:\n", "reports_to: incident-manger\nworks_with:\n", 1), "utf-8"
    )
    result = rolebook("validate", cwd=project)
    line = role.read_text("utf-8").splitlines().index("reports_to: incident-manger") + 1
    assert result.returncode == 1
    assert (
        f"roles/support-team.yaml:{line}:13: error: reports_to names unknown role 'incident-manger' "
        "(did you mean 'incident-manager'?)" in result.stdout
    )
    role.write_text(original.replace("works_with:\n", "reports_to: support-team\nworks_with:\n", 1), "utf-8")
    assert "a role cannot report to itself" in rolebook("validate", cwd=project).stdout

    role.write_text(
        original.replace("works_with:\n", "reports_to: incident-manager\nworks_with:\n", 1), "utf-8"
    )
    out = tmp_path / "sup.pdf"
    assert rolebook("cards", "--role", "support-team", "-o", str(out), cwd=project).returncode == 0
    assert "Reports to: Incident Manager" in _texts(out)[0]
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    meta = soup(project / "site" / "roles" / "support-team" / "index.html").select_one(".rb-role-meta")
    assert meta is not None and "Reports to Incident Manager" in " ".join(meta.get_text().split())
    link = meta.find("a")
    assert link is not None and link["href"] == "../incident-manager/"


def test_the_role_page_says_covered_by_and_covers_the_right_way_round(
    default_site: tuple[Path, Path],
) -> None:
    _, site = default_site
    page = soup(site / "roles" / "incident-manager" / "index.html")
    heading = page.find(id="backups")
    assert heading is not None
    said = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        said.append(sibling.get_text())
    text = " ".join(" ".join(said).split())
    assert "Covered by: Operations Team, Subject Matter Experts. They are cross-trained" in text
    assert "Covers: Communication Lead, Management and Leadership. This role is cross-trained" in text


def test_a_change_of_reports_to_is_said_and_asks_for_a_reprint(project: Path) -> None:
    from dataclasses import replace

    from generator.review.diff import role_changes
    from generator.review.diff_cards import card_data

    before = load_playbook(project)
    names = {rid: role.name for rid, role in before.roles.items()}
    role = before.roles["support-team"]
    moved = role.model_copy(update={"reports_to": "incident-manager"})
    assert role_changes(role, moved, names) == ["reports to set to “Incident Manager”"]
    assert role_changes(moved, role, names) == ["reports to removed (was “Incident Manager”)"]
    after = replace(before, roles={**before.roles, "support-team": moved})
    old, new = card_data(before, None), card_data(after, None)
    assert [rid for rid in old if old[rid] != new[rid]] == ["support-team"]


def test_card_styles_that_shrink_the_qr_code_are_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    own_template(
        project,
        "cards/card.css.j2",
        '{% extends "!default/cards/card.css.j2" %}\n'
        "{% block footer %}{{ super() }}\n.rb-qr { width: 10mm; height: 10mm; }\n{% endblock footer %}\n",
    )
    result = rolebook(
        "cards", "--size", "a7", "--role", "support-team", "-o", str(tmp_path / "x.pdf"), cwd=project
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        "templates/cards/card.css.j2:1:1: error: the A7 (74 x 105 mm) card draws its QR code 10 mm wide, less "
        "than the 15 mm of its size" in result.stderr
    )


def test_a_contact_problem_from_workers_is_said_once(tmp_path: Path) -> None:
    """Cards laid out by worker processes bring their text checks back; a contact shown on several cards is
    one problem, not one per card."""
    project = copy_project(tmp_path / "p")
    pager = "incident-manager-primary-rotation-for-the-whole-organization-and-its-partners"
    line = _set_contact(project, "pager", pager)
    env = {**os.environ, "ROLEBOOK_WORKERS": "2"}
    exe = Path(sys.executable).with_name("rolebook")
    result = subprocess.run(
        [str(exe), "cards", "--size", "a4", "-o", str(tmp_path / "x.pdf")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    said = [
        text for text in result.stderr.splitlines() if text.startswith(f"site_config/contacts.yaml:{line}:1:")
    ]
    assert len(said) == 1, result.stderr


def test_optional_sections_are_marked_dropped_and_replaced() -> None:
    """The marks the card template writes: a section goes with its own rank only (a time box inside the tasks
    of a small card too), and what it leaves instead is printed in its place."""
    from generator.cards.fit import optional_parts, without, without_optional

    html = (
        "<p>name</p>"
        "<!--rb-drop front 1--><div>mission</div><!--/rb-drop front 1-->"
        "<!--rb-drop front 4--><table><!--rb-drop front 2--><tbody>later box</tbody>"
        "<!--rb-instead:<tbody>3 more tasks</tbody>--><!--/rb-drop front 2--></table><!--/rb-drop front 4-->"
        "<!--rb-drop back 1--><div>cover</div><!--/rb-drop back 1-->"
    )
    assert optional_parts(html) == {"front": [1, 2, 4], "back": [1]}
    assert "later box" not in without(html, "front", 2)
    assert "<tbody>3 more tasks</tbody></table>" in without(html, "front", 2)
    assert "mission" in without(html, "front", 2) and "cover" in without(html, "front", 2)
    assert "cover" in without(html, "front", 1) and "mission" not in without(html, "front", 1)
    assert "cover" not in without(html, "back", 1) and "mission" in without(html, "back", 1)
    smallest = without_optional(html)
    assert smallest == "<p>name</p>" and optional_parts(smallest) == {}


def test_sections_go_least_wanted_first_and_come_back_when_they_fit() -> None:
    from generator.cards.fit import _Face, _to_drop

    face = _Face(pages=1, height=130.0, content=130.0, parts={1: 4.0, 2: 20.0, 3: 5.0, 4: 12.0})
    # 31 px over (a pixel to spare): ranks 1 to 3 take 29, so 4 goes too; then 3 and 1 fit back in the 10
    # left over, the most wanted first; 2 (20) does not
    assert _to_drop(face, 100.0) == [2, 4]
    assert _to_drop(face, 131.0) == []  # fits, with the pixel kept to spare
    assert _to_drop(face, 120.0) == [2]  # 11 over: 1 and 2 go (24); 1 comes back in the 13 to spare
