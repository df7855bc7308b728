"""Quick cards: real PDFs written by ``rolebook cards``, read back with pypdf and pdfium."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import NamedTuple

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from generator.render.card_content import SIZES

from .sitekit import ROLE_IDS, copy_project, load_yaml, rolebook, soup, sweep

MM_TO_PT = 72 / 25.4
SITE_URL = "https://example.org/playbook/"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("cards") / "project")


def _cards(project: Path, out: Path, *args: str) -> PdfReader:
    result = rolebook("cards", "-o", str(out), *args, cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return PdfReader(out)


def _names(project: Path) -> list[str]:
    return [load_yaml(project / "roles" / f"{rid}.yaml")["name"] for rid in ROLE_IDS]


@pytest.mark.parametrize("size", sweep(SIZES, keep=3))  # a6, a7, a5: three of the four layouts
def test_one_page_per_role_of_the_requested_size(project: Path, tmp_path: Path, size: str) -> None:
    reader = _cards(project, tmp_path / f"{size}.pdf", "--size", size)
    assert len(reader.pages) == len(ROLE_IDS)
    expected = (SIZES[size].width_mm * MM_TO_PT, SIZES[size].height_mm * MM_TO_PT)
    names = _names(project)
    for page, name in zip(reader.pages, names, strict=True):
        box = page.mediabox
        assert float(box.width) == pytest.approx(expected[0], abs=0.5)
        assert float(box.height) == pytest.approx(expected[1], abs=0.5)
        text = " ".join(page.extract_text().split())
        assert name in text  # in the order of the site
        assert "Version 1.0" in text and "2024-04-15" in text


def test_back_sides_double_the_pages_and_carry_the_handoff(project: Path, tmp_path: Path) -> None:
    reader = _cards(project, tmp_path / "back.pdf", "--back")
    assert len(reader.pages) == 2 * len(ROLE_IDS)
    for i, role_id in enumerate(ROLE_IDS):
        data = load_yaml(project / "roles" / f"{role_id}.yaml")
        front = " ".join(reader.pages[2 * i].extract_text().split())
        back = " ".join(reader.pages[2 * i + 1].extract_text().split())
        assert data["name"] in front and data["name"] in back
        for heading in ("ASSIGNMENT LOG", "Assigned to Date Start End Initials", "HANDOFF: PASS ON", "NOTES"):
            assert heading in back
        for item in data["handoff"]:
            assert " ".join(item.split()[:4]) in back
        assert "Version 1.0" in back and "Example Organization" in back


def test_a_card_carries_its_content(project: Path, tmp_path: Path) -> None:
    """The Support Team's A6 card: mission, reports to, first actions, its tasks in time boxes, and the contacts
    (a card without a back side carries them on its front, before do and don't)."""
    reader = _cards(project, tmp_path / "sup.pdf", "--role", "support-team")
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    data = load_yaml(project / "roles" / "support-team.yaml")
    contacts = load_yaml(project / "site_config" / "contacts.yaml")["contacts"]
    assert f"Mission: {data['summary']}" in text
    assert "Reports to: Communication Lead" in text  # no reports_to: the first role it escalates to
    for item in data["card"]["first_actions"]:
        assert item in text
    for phase in ("detect", "respond", "recover"):
        for item in data["checklists"][phase]:
            assert " ".join((item if isinstance(item, str) else item["text"]).split()[:5]) in text
    for heading in ("FIRST ACTIONS", "Tasks: First 5 minutes Time Initials", "Until resolved", "CONTACTS"):
        assert heading in text
    assert contacts["support-team"]["channel"] in text and contacts["communication-lead"]["pager"] in text
    assert "Example Organization" in text and "Incident Response Roles" in text  # organization and title


def test_selected_roles_come_in_site_order(project: Path, tmp_path: Path) -> None:
    reader = _cards(project, tmp_path / "two.pdf", "--role", "support-team", "--role", "incident-manager")
    firsts = [" ".join(p.extract_text().split())[:40] for p in reader.pages]
    assert firsts[0].startswith("Incident Manager") and firsts[1].startswith("Support Team")


def _qr_codes(pdf: Path) -> list[str]:
    document = pypdfium2.PdfDocument(str(pdf))
    found = []
    for page in document:
        image = page.render(scale=300 / 72).to_pil()
        codes = zxingcpp.read_barcodes(image)
        found.append(codes[0].text if len(codes) == 1 else f"{len(codes)} codes")
    document.close()
    return found


@pytest.mark.parametrize("size", ["a6", "wallet"])
def test_qr_code_opens_the_role_page(project: Path, tmp_path: Path, size: str) -> None:
    pdf = tmp_path / "qr.pdf"
    _cards(project, pdf, "--size", size)
    assert _qr_codes(pdf) == [f"{SITE_URL}roles/{rid}/" for rid in ROLE_IDS]


def test_card_size_and_back_sides_come_from_site_config(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    settings = project / "site_config" / "playbook.yaml"
    settings.write_text(settings.read_text("utf-8") + "cards:\n  size: a7\n  back: true\n", "utf-8")
    reader = _cards(project, tmp_path / "a7.pdf")
    assert len(reader.pages) == 2 * len(ROLE_IDS)
    assert float(reader.pages[0].mediabox.width) == pytest.approx(74 * MM_TO_PT, abs=0.5)


def test_an_overlong_card_fails_naming_its_role_and_keeps_the_old_pdf(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    out = tmp_path / "cards.pdf"
    out.write_bytes(b"the previous print run")
    role = project / "roles" / "support-team.yaml"
    text = role.read_text("utf-8")
    extra = "".join(
        f"    - Check the dashboard number {n} and write down what it shows.\n" for n in range(30)
    )
    role.write_text(text.replace("  first_actions:\n", "  first_actions:\n" + extra), "utf-8")
    result = rolebook("cards", "-o", str(out), cwd=project)
    assert result.returncode == 1
    match = re.search(
        r"^roles/support-team\.yaml:(\d+):1: error: the front of the A6 \(105 x 148 mm\) card is "
        r"(\d+\.\d) mm too tall \((\d+) mm of content for (\d+) mm of room; largest parts: the checklist \d+ mm",
        result.stderr,
        re.M,
    )
    assert match, result.stderr
    card_line = role.read_text("utf-8").splitlines().index("card:") + 1  # the error points at the card
    assert int(match[1]) == card_line
    over, content, room = float(match[2]), int(match[3]), int(match[4])
    assert over > 20 and abs(content - room - over) <= 1
    assert "incident-manager" not in result.stderr  # only the card that does not fit
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == b"the previous print run"


def test_an_overlong_card_stops_the_site_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    _lengthen(project, first_actions=90)  # far too long: taller than the page it was once measured on
    result = rolebook("build", cwd=project)
    assert result.returncode == 1
    [problem] = _overflows(result.stderr)  # one problem, not one per page it runs over
    assert problem.face == "front" and problem.over > 3000
    assert not (project / "site").exists()


# A step long enough to take several lines of a card; numbered with digits of one width, so each takes as many.
LONG_STEP = "Step {:03d}, " + "check the dashboards, write down what they show and who looked at them, " * 8


def _lengthen(project: Path, first_actions: int = 0, handoff: int = 0) -> None:
    """Adds long entries to the Support Team's first actions (on the card's front; every A6 card carries them)
    and to its handoff (the back)."""
    role = project / "roles" / "support-team.yaml"
    text = role.read_text("utf-8")
    for key, count in (("  first_actions:\n", first_actions), ("handoff:\n", handoff)):
        extra = "".join(f"    - {LONG_STEP.format(n).strip()}\n" for n in range(count))
        if key == "handoff:\n":
            extra = extra.replace("    - ", "  - ")
        text = text.replace(key, key + extra, 1)
    role.write_text(text, "utf-8")


_OVERFLOW = re.compile(
    r"^roles/support-team\.yaml:(?P<line>\d+):1: error: the (?P<face>front|back) of the A6 \(105 x 148 mm\) "
    r"card is (?P<over>\d+\.\d) mm too tall \((?P<content>\d+) mm of content for (?P<room>\d+) mm of room; "
    r"largest parts: (?P<largest>[a-z /']+) (?P<largest_mm>\d+) mm",
    re.M,
)


class Overflow(NamedTuple):
    line: int
    face: str
    over: float
    content: int
    room: int
    largest: str


def _overflows(stderr: str) -> list[Overflow]:
    """The card problems of a run; every line about a card too tall must be one of them."""
    too_tall = [line for line in stderr.splitlines() if "mm too tall" in line]
    found = [
        Overflow(int(m["line"]), m["face"], float(m["over"]), int(m["content"]), int(m["room"]), m["largest"])
        for m in _OVERFLOW.finditer(stderr)
    ]
    assert len(found) == len(too_tall), stderr
    return found


def test_a_far_too_long_card_gives_one_problem_per_side_with_the_true_overflow(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    _lengthen(project, first_actions=45, handoff=45)
    card_line = (project / "roles" / "support-team.yaml").read_text("utf-8").splitlines().index("card:") + 1
    result = rolebook("cards", "-o", str(tmp_path / "x.pdf"), "--back", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    front, back = _overflows(result.stderr)  # one problem for each side
    assert (front.face, back.face) == ("front", "back")
    room = SIZES["a6"].body_height_mm
    for problem in (front, back):
        assert problem.line == card_line
        assert problem.room == round(room)
        assert abs(problem.content - room - problem.over) <= 1  # the overflow is content minus room
    assert front.largest == "the checklist" and back.largest == "the handoff"
    assert front.over > 1000 and back.over > 1000

    # twice the long steps: the content grows by what the steps took the first time, that is by the
    # first content less what the card held before (which fitted: more than nothing, no more than the room)
    twice = copy_project(tmp_path / "twice")
    _lengthen(twice, first_actions=90)
    result = rolebook("cards", "-o", str(tmp_path / "y.pdf"), cwd=twice)
    [front2] = _overflows(result.stderr)
    assert front2.content > 3000  # taller than the page the check once measured on
    grown = front2.content - front.content
    assert front.content - room - 2 <= grown <= front.content + 2, (front, front2)

    # measured independently: the card laid out on sheets of its size fills them all but the last
    from generator.cards.layout import lay_out_one
    from generator.core.project import load_playbook
    from generator.render.renderer import RenderOptions, render_cards

    html = render_cards(
        load_playbook(twice), RenderOptions(), SIZES["a6"], back=False, role_ids=["support-team"]
    )
    sheets = lay_out_one(html["cards/support-team.html"], 1, "0").pages
    assert (sheets - 1) * room * 0.85 <= front2.content <= sheets * room + 1, (sheets, front2)


def test_cards_are_the_same_bytes_every_time(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Laid out afresh each time (no cache), seconds apart: where WeasyPrint subsets fonts with fontTools
    (no HarfBuzz-Subset on the machine, as on a fresh Debian) the font is dated by the clock unless the
    layout dates it. WeasyPrint's notice about that is not a card's warning."""
    monkeypatch.setenv("ROLEBOOK_CACHE_DIR", "")
    _cards(project, tmp_path / "one.pdf", "--back")
    time.sleep(1.1)
    result = rolebook("cards", "-o", str(tmp_path / "two.pdf"), "--back", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "HarfBuzz" not in result.stderr and "warning" not in result.stderr
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()


def test_fonts_subset_by_fonttools_are_dated_by_the_playbook(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the system has no HarfBuzz-Subset (a fresh Debian), WeasyPrint subsets fonts with fontTools,
    which stamps each subset with the time: forced here, a card and the board laid out a second apart are
    the same bytes, and WeasyPrint's notice about it is not a card's warning."""
    import logging

    import weasyprint.pdf.fonts

    from generator.cards.board import lay_out_board
    from generator.cards.layout import lay_out_one
    from generator.core.project import load_playbook
    from generator.render.board_content import PAPERS
    from generator.render.renderer import RenderOptions, render_cards

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    playbook = load_playbook(project)
    html = render_cards(playbook, RenderOptions(), SIZES["a6"], back=False, role_ids=["support-team"])
    card = html["cards/support-team.html"]
    said: list[str] = []
    notice = logging.Handler()
    notice.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("weasyprint").addHandler(notice)
    try:
        first, boards = (
            lay_out_one(card, 1, "1780000000"),
            [lay_out_board(playbook, RenderOptions(), PAPERS["a4"])],
        )
        time.sleep(1.1)
        again, boards = (
            lay_out_one(card, 1, "1780000000"),
            [*boards, lay_out_board(playbook, RenderOptions(), PAPERS["a4"])],
        )
    finally:
        logging.getLogger("weasyprint").removeHandler(notice)
    assert any("Using fontTools" in message for message in said)  # the path under test was taken
    assert first.pdf is not None and first.pdf == again.pdf
    assert not [w for w in (*first.warnings, *again.warnings) if "HarfBuzz" in w]
    assert boards[0].pdf == boards[1].pdf
    assert lay_out_one(card, 1, "1790000000").pdf != first.pdf  # the date is in the bytes: another differs


def test_a_date_that_is_not_a_number_is_a_clear_error(project: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("rolebook")
    for command in (["cards", "-o", str(tmp_path / "x.pdf")], ["build", "-d", str(tmp_path / "site")]):
        said = subprocess.run(
            [str(exe), *command],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "SOURCE_DATE_EPOCH": "yesterday"},
            check=False,
        )
        assert said.returncode == 1, said.stderr
        assert "SOURCE_DATE_EPOCH='yesterday': expected whole seconds since 1970-01-01" in said.stderr
        assert "Traceback" not in said.stderr and "internal error" not in said.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "site").exists()


def test_unknown_role_and_size_are_refused(project: Path, tmp_path: Path) -> None:
    result = rolebook("cards", "-o", str(tmp_path / "x.pdf"), "--role", "scribe", cwd=project)
    assert result.returncode == 1 and "unknown role 'scribe'" in result.stderr
    result = rolebook("cards", "-o", str(tmp_path / "x.pdf"), "--size", "b5", cwd=project)
    assert result.returncode == 2 and "'b5' is not one of" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_site_has_card_pdfs_and_a_printable_cards_page(default_site: tuple[Path, Path]) -> None:
    _, site = default_site
    combined = PdfReader(site / "cards" / "quick-cards.pdf")
    assert len(combined.pages) == len(ROLE_IDS)
    for role_id in ROLE_IDS:
        assert len(PdfReader(site / "cards" / f"{role_id}.pdf").pages) == 1
        page = soup(site / "roles" / role_id / "index.html")
        assert page.find("a", href=f"../../cards/{role_id}.pdf") is not None
        assert page.find("a", href="../../cards/") is not None
    cards_page = soup(site / "cards" / "index.html")
    assert len(cards_page.select("section.rb-card")) == len(ROLE_IDS)
    assert cards_page.find("a", href="quick-cards.pdf") is not None
    style = cards_page.find("style", media="print").get_text()
    assert "@page { size: 105mm 148mm; margin: 0; }" in style
    assert re.search(r"\.md-header, .*\.md-sidebar, \.md-footer.*display: none !important", style, re.S)
    assert "break-after: page" in style


def test_the_documented_size_limits_match_the_code() -> None:
    """docs/editing-the-playbook/quick-cards.md lists every size with its real paper, type, floor, QR code
    and room, and the floors are the issue's: 7 pt on A6 and A7, 6.5 pt on wallet cards, QR codes 15 mm."""
    from .sitekit import REPO_ROOT

    text = (REPO_ROOT / "docs" / "editing-the-playbook" / "quick-cards.md").read_text("utf-8")
    rows = {
        m[1]: m
        for m in re.finditer(
            r"^\| `([a-z0-9-]+)`[^|]*\| ([^|]+) \|[^|]+\| ([\d.]+) pt \(([\d.]+) pt\) \| (\d+) mm \| (\d+) mm \|",
            text,
            re.M,
        )
    }
    assert sorted(rows) == sorted(SIZES)
    for name, size in SIZES.items():
        row = rows[name]
        assert row[2] == size.label
        assert (float(row[3]), float(row[4])) == (size.font_pt, size.min_pt)
        assert (int(row[5]), int(row[6])) == (size.qr_mm, round(size.body_height_mm))
        assert size.font_pt >= size.min_pt >= (6.5 if name == "wallet" else 7) and size.qr_mm >= 15
