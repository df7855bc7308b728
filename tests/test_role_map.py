"""The home page's role map: a layered layout with few crossings, every name inside its box, every line
ending on a box's border, the same bytes every time; in chromium, a switch that shows one kind of line
at a time without a script, readable at 1280 pixels, and a list instead of the picture on a phone.
Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.core.project import load_playbook
from generator.render.role_map import (
    ASCENT,
    KINDS,
    LINE_H,
    NAME_PX,
    PAD_X,
    RoleMap,
    crossings,
    layout,
)
from generator.render.role_map_text import ELLIPSIS, text_width, wrap

from .foreign import make_foreign_playbook
from .sitekit import REPO_ROOT, ROLE_IDS, rolebook

CHROMIUM = "/usr/bin/chromium"
SHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

# A logistics company's own roles: ids and names of its own, names up to the 80 characters allowed,
# four rows, lines within rows, and roles backing each other up (id: name, short, escalates to,
# works with, backups).
HARBOURLINE = {
    "crisis-director": (
        "Crisis Director",
        "CD",
        [],
        ["duty-controller", "press-office", "legal"],
        ["duty-controller"],
    ),
    "duty-controller": (
        "Regional Duty Controller for Northern and Coastal Depots",
        "RDC",
        ["crisis-director"],
        ["fleet", "warehouse", "network"],
        ["fleet"],
    ),
    "press-office": (
        "Press Office and Public Affairs Spokesperson",
        "PO",
        ["crisis-director"],
        ["customer-care", "legal"],
        ["customer-care"],
    ),
    "legal": (
        "Legal, Regulatory and Data Protection Counsel",
        "LEG",
        ["crisis-director"],
        ["security", "press-office"],
        ["press-office"],
    ),
    "finance": ("Finance Controller", "FIN", ["crisis-director"], ["vendors"], ["legal"]),
    "fleet": (
        "Fleet Operations Coordinator (night shift)",
        "FLT",
        ["duty-controller"],
        ["warehouse", "customs", "vendors"],
        ["warehouse"],
    ),
    "warehouse": (
        "Warehouse Management Systems Engineer",
        "WMS",
        ["duty-controller"],
        ["network", "vendors"],
        ["network"],
    ),
    "network": ("Network and Telephony Engineer", "NET", ["duty-controller"], ["security"], ["warehouse"]),
    "security": (
        "Security Operations Centre Analyst on Call",
        "SOC",
        ["duty-controller", "legal"],
        ["network"],
        ["network"],
    ),
    "customer-care": (
        "Customer Care Escalations Desk",
        "CC",
        ["press-office"],
        ["fleet", "scribe"],
        ["scribe"],
    ),
    "vendors": (
        "Vendor Liaison for Telematics and Route-Planning Suppliers",
        "VEN",
        ["duty-controller", "finance"],
        ["warehouse"],
        ["finance"],
    ),
    "customs": (
        "Deputy Coordinator for Cross-Border Customs Clearance and Bonded Goods Release",
        "CUS",
        ["fleet"],
        ["legal"],
        ["fleet"],
    ),
    "scribe": ("Scribe", "SCR", ["duty-controller"], ["crisis-director"], ["customer-care"]),
    "welfare": (
        "People and Welfare Officer",
        "PWO",
        ["crisis-director"],
        ["customer-care", "fleet"],
        ["scribe"],
    ),
}
# The crossings of all lines, the old layout (rows by escalation, ordered by the mean place of
# related roles, every line drawn at once, curves) against this one: default 23 -> 0, Northwind 1 -> 0,
# Harbourline 98 -> 36 (escalations alone 1 -> 1). The bounds leave room for small changes to the
# playbooks while staying under half the old counts; escalations, the view shown first, cross least.
MOST_CROSSINGS = {"default": (0, 3), "northwind": (0, 2), "harbourline": (2, 47)}  # (escalations, all)


def _harbourline(root: Path) -> Path:
    project = root / "harbourline"
    (project / "roles").mkdir(parents=True)
    (project / "site_config").mkdir()
    (project / "docs").mkdir()
    for rid, (name, short, escalates, works, backups) in HARBOURLINE.items():
        lines = [
            f'name: "{name}"',
            f"short: {short}",
            f"summary: What the {name} does in an incident.",
            "responsibilities: [Keeps their part of the response going.]",
            "checklists: {respond: [Join the incident channel.]}",
            "works_with: [" + ", ".join(f"{{role: {w}, how: Share what each knows.}}" for w in works) + "]",
            "escalates_to: ["
            + ", ".join(f"{{role: {e}, when: It is beyond them.}}" for e in escalates)
            + "]",
            f"backups: [{', '.join(backups)}]",
            "review: {owner: '@harbourline', last_reviewed: 2026-11-20}",
        ]
        (project / "roles" / f"{rid}.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    activities = [
        f"  - {{id: act-{rid}, name: Work of {rid}, phase: respond, raci: {{{rid}: AR}}}}"
        for rid in HARBOURLINE
    ]
    (project / "roles" / "activities.yaml").write_text(
        "activities:\n" + "\n".join(activities) + "\n", "utf-8"
    )
    (project / "site_config" / "playbook.yaml").write_text(
        textwrap.dedent(
            f"""\
            title: Harbourline Incident Roles
            organization: Harbourline Logistics
            version: "1.0"
            published: 2026-11-26
            intro: Who does what when the depots' systems fail.
            severities:
              - {{id: sev1, name: SEV1, description: Every depot is down., roles: [{", ".join(HARBOURLINE)}]}}
            """
        ),
        "utf-8",
    )
    shutil.copy(REPO_ROOT / "mkdocs.yml", project / "mkdocs.yml")
    return project


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("role-map")
    return {"default": REPO_ROOT, "northwind": make_foreign_playbook(root), "harbourline": _harbourline(root)}


@pytest.fixture(scope="module")
def maps(projects: dict[str, Path]) -> dict[str, RoleMap]:
    return {name: layout(load_playbook(project)) for name, project in projects.items()}


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    """Strictly inside a box (left, top, right, bottom), more than a rounding error from its border."""
    x, y = point
    left, top, right, bottom = box
    return left + 0.05 < x < right - 0.05 and top + 0.05 < y < bottom - 0.05


def _on_border(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y = point
    left, top, right, bottom = box
    near_x, near_y = left - 0.06 <= x <= right + 0.06, top - 0.06 <= y <= bottom + 0.06
    return (near_y and min(abs(x - left), abs(x - right)) <= 0.06) or (
        near_x and min(abs(y - top), abs(y - bottom)) <= 0.06
    )


def _boxes(rolemap: RoleMap) -> dict[str, tuple[float, float, float, float]]:
    return {n.id: (n.left, n.top, n.left + n.w, n.top + n.h) for n in rolemap.nodes}


@pytest.mark.parametrize("name", ["default", "northwind", "harbourline"])
def test_every_name_fits_inside_its_box(maps: dict[str, RoleMap], name: str) -> None:
    rolemap = maps[name]
    assert rolemap.nodes
    for node in rolemap.nodes:
        assert 1 <= len(node.lines) <= 2
        for line in node.lines:
            assert text_width(line, NAME_PX) <= node.w - 2 * PAD_X, (node.id, line)
        # the first line's ascenders and the abbreviation's descenders stay inside the box
        assert node.baselines[0] - ASCENT >= node.top
        assert node.baselines[-1] + LINE_H - ASCENT <= node.top + node.h
        drawn = " ".join(node.lines)
        if len(node.name) <= 40:  # a name of usual length is written whole
            assert drawn == node.name
        else:
            assert drawn == node.name or (drawn.endswith(ELLIPSIS) and len(node.lines) == 2)
        assert node.left >= 0 and node.left + node.w <= rolemap.width
        assert node.top >= 0 and node.top + node.h <= rolemap.height


@pytest.mark.skipif(not DEJAVU_BOLD.exists(), reason="fonts-dejavu-core is not installed")
def test_names_are_measured_no_narrower_than_the_font_draws_them() -> None:
    from fontTools.ttLib import TTFont

    font = TTFont(DEJAVU_BOLD)
    cmap, widths, em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
    names = [entry[0] for entry in HARBOURLINE.values()] + [
        "Ärztliche Leitung \u2013 Notfallzentrum",
        "Œuvre ÉQUIPE",
    ]
    for text in names:
        drawn = sum(widths[cmap[ord(c)]][0] for c in text) / em * NAME_PX
        assert text_width(text, NAME_PX) >= drawn - 0.01, text


def test_long_names_break_between_words_and_the_longest_are_cut_short() -> None:
    room = 226.0
    assert wrap("Incident Manager", room, NAME_PX) == ("Incident Manager",)
    lines = wrap("Security Operations Centre Analyst on Call", room, NAME_PX)
    assert len(lines) == 2 and " ".join(lines) == "Security Operations Centre Analyst on Call"
    longest = "W" * 10 + " " + "Deputy Coordinator for Cross-Border Customs Clearance and Bonded Release"
    lines = wrap(longest, room, NAME_PX)
    assert len(lines) == 2 and lines[1].endswith(ELLIPSIS)
    assert all(text_width(line, NAME_PX) <= room for line in lines)
    word = wrap("Supercalifragilisticexpialidocious-Incident-Coordination-Lead", room, NAME_PX)
    assert len(word) == 2 and all(text_width(line, NAME_PX) <= room for line in word)


@pytest.mark.parametrize("name", ["default", "northwind", "harbourline"])
def test_lines_end_on_the_borders_of_their_boxes_and_pass_no_other(
    maps: dict[str, RoleMap], name: str
) -> None:
    rolemap = maps[name]
    boxes = _boxes(rolemap)
    ends: list[tuple[float, float]] = []
    for edge in rolemap.edges:
        first, last = edge.points[0], edge.points[-1]
        assert _on_border(first, boxes[edge.source]), (edge.label, first)
        assert _on_border(last, boxes[edge.target]), (edge.label, last)
        # the arrowhead's line comes from outside the box, square to its side
        (px, py), (qx, qy) = edge.points[-2], last
        assert not _inside((px, py), boxes[edge.target])
        assert px == qx or py == qy, edge.label
        ends += [first, last]
        for (ax, ay), (bx, by) in zip(edge.points, edge.points[1:], strict=False):
            for rid, box in boxes.items():
                # sample the segment: no point of it is inside any box
                for step in range(1, 20):
                    t = step / 20
                    assert not _inside((ax + (bx - ax) * t, ay + (by - ay) * t), box), (edge.label, rid)
    assert len(ends) == len(set(ends)), "two lines end at the same point"
    # every relation is drawn once
    assert len({(e.kind, e.source, e.target) for e in rolemap.edges}) == len(rolemap.edges)


@pytest.mark.parametrize("name", ["default", "northwind", "harbourline"])
def test_few_lines_cross(maps: dict[str, RoleMap], name: str) -> None:
    rolemap = maps[name]
    most_escalations, most = MOST_CROSSINGS[name]
    assert crossings(rolemap, ["escalates-to"]) <= most_escalations
    assert crossings(rolemap) <= most
    assert crossings(rolemap, ["works-with"]) + crossings(rolemap, ["backs-up"]) <= most


def test_crossings_are_counted() -> None:
    from generator.render.role_map import Edge

    def line(kind: str, *points: tuple[float, float]) -> Edge:
        return Edge(kind, "a", "b", points, "")

    x = RoleMap(100, 100, (), (line("works-with", (0, 0), (10, 10)), line("backs-up", (0, 10), (10, 0))))
    assert crossings(x) == 1 and crossings(x, ["works-with"]) == 0
    apart = RoleMap(100, 100, (), (line("works-with", (0, 0), (10, 0)), line("works-with", (0, 5), (10, 5))))
    assert crossings(apart) == 0


def test_the_default_playbook_draws_every_role_and_relation(maps: dict[str, RoleMap]) -> None:
    rolemap = maps["default"]
    assert [n.id for n in rolemap.nodes] == list(ROLE_IDS)
    playbook = load_playbook(REPO_ROOT)
    for rid, role in playbook.roles.items():
        node = next(n for n in rolemap.nodes if n.id == rid)
        assert node.escalates_to == tuple(e.role for e in role.escalates_to)
        covered = tuple(other for other, r in playbook.roles.items() if rid in r.backups)
        assert node.backs_up == covered
        assert {e.role for e in role.works_with} <= set(node.works_with)
    kinds = {e.kind for e in rolemap.edges}
    assert kinds == set(KINDS)
    # escalations point upward: the role escalated to sits in a higher row
    y = {n.id: n.y for n in rolemap.nodes}
    assert all(y[e.target] < y[e.source] for e in rolemap.edges if e.kind == "escalates-to")


def test_the_layout_is_the_same_in_every_run(projects: dict[str, Path]) -> None:
    script = (
        "import sys, hashlib; from pathlib import Path; from generator.core.project import load_playbook;"
        "from generator.render.role_map import layout;"
        "print(hashlib.sha256(repr(layout(load_playbook(Path(sys.argv[1])))).encode()).hexdigest())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script, str(projects["harbourline"])],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO_ROOT,
        ).stdout
        for seed in (0, 1, 2)
    }
    assert len(runs) == 1
    here = hashlib.sha256(repr(layout(load_playbook(projects["harbourline"]))).encode()).hexdigest()
    assert runs == {here + "\n"}


# --- in chromium --------------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def sites(default_site: tuple[Path, Path], projects: dict[str, Path]) -> Iterator[dict[str, str]]:
    """The default site and Harbourline's, each served on an ephemeral port of 127.0.0.1."""
    harbourline = projects["harbourline"]
    result = rolebook("build", cwd=harbourline)
    assert result.returncode == 0, result.stderr
    servers = {"default": _serve(default_site[1]), "harbourline": _serve(harbourline / "site")}
    yield {name: url for name, (_, url) in servers.items()}
    for server, _ in servers.values():
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "chromium is not installed: apt-get install chromium (the tests never download a browser)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' brings playwright")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def _page(chromium: object, url: str, width: int) -> tuple[object, object]:
    """A page without JavaScript, as where a host strips scripts."""
    context = chromium.new_context(  # type: ignore[attr-defined]
        viewport={"width": width, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    return context, page


_VISIBLE_KINDS = """() => [...document.querySelectorAll('svg.rb-rolemap-svg path.rb-edge')]
    .filter(p => getComputedStyle(p).display !== 'none').map(p => p.classList[1].slice('rb-edge--'.length))"""

# every name's text inside its box as drawn, and its height on screen in pixels
_NAMES = """() => {
    const svg = document.querySelector('svg.rb-rolemap-svg');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('a.rb-node')].map(a => {
        const box = a.querySelector('rect').getBBox();
        const texts = [...a.querySelectorAll('text')].map(t => t.getBBox());
        const inside = texts.every(t => t.x >= box.x && t.x + t.width <= box.x + box.width
            && t.y >= box.y && t.y + t.height <= box.y + box.height);
        const px = Math.min(...[...a.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize)));
        return {role: a.dataset.role, inside, px: px * scale};
    });
}"""


@pytest.mark.browser
@pytest.mark.parametrize("name", ["default", "harbourline"])
def test_the_switch_shows_one_kind_of_line_at_a_time_without_a_script(
    chromium: object, sites: dict[str, str], name: str
) -> None:
    context, page = _page(chromium, sites[name], 1280)
    try:
        total = page.locator("svg.rb-rolemap-svg path.rb-edge").count()  # type: ignore[attr-defined]
        assert set(page.evaluate(_VISIBLE_KINDS)) == {"escalates-to"}  # type: ignore[attr-defined]
        SHOTS.mkdir(parents=True, exist_ok=True)
        for kind, label in [
            ("works-with", "works with"),
            ("backs-up", "backs up"),
            ("escalates-to", "escalates to"),
        ]:
            button = page.get_by_label(label, exact=True)  # type: ignore[attr-defined]
            page.click(f"label[for={button.get_attribute('id')}]")  # type: ignore[attr-defined]
            assert button.is_checked()
            assert set(page.evaluate(_VISIBLE_KINDS)) == {kind}  # type: ignore[attr-defined]
            page.locator(".rb-rolemap").screenshot(path=str(SHOTS / f"rolemap-{name}-1280-{kind}.png"))  # type: ignore[attr-defined]
        page.click("label[for=rb-rolemap-show-all]")  # type: ignore[attr-defined]
        assert len(page.evaluate(_VISIBLE_KINDS)) == total  # type: ignore[attr-defined]
        page.locator(".rb-rolemap").screenshot(path=str(SHOTS / f"rolemap-{name}-1280-all.png"))  # type: ignore[attr-defined]
        # by keyboard: the buttons are one group, the arrow keys move between them
        page.focus("#rb-rolemap-show-all")  # type: ignore[attr-defined]
        page.keyboard.press("ArrowLeft")  # type: ignore[attr-defined]
        assert page.is_checked("#rb-rolemap-show-backs-up")  # type: ignore[attr-defined]
        assert set(page.evaluate(_VISIBLE_KINDS)) == {"backs-up"}  # type: ignore[attr-defined]
        names = page.evaluate(_NAMES)  # type: ignore[attr-defined]
        assert len(names) == len(ROLE_IDS if name == "default" else HARBOURLINE)
        assert all(n["inside"] for n in names), [n["role"] for n in names if not n["inside"]]
        assert min(n["px"] for n in names) >= 9, names
    finally:
        context.close()  # type: ignore[attr-defined]


@pytest.mark.browser
def test_a_phone_gets_the_map_as_a_list(chromium: object, sites: dict[str, str]) -> None:
    context, page = _page(chromium, sites["default"], 375)
    try:
        assert not page.locator("svg.rb-rolemap-svg").is_visible()  # type: ignore[attr-defined]
        assert not page.get_by_label("works with", exact=True).is_visible()  # type: ignore[attr-defined]
        items = page.locator("ul.rb-rolemap-list > li")  # type: ignore[attr-defined]
        assert items.count() == len(ROLE_IDS)
        first = items.nth(0)
        assert first.is_visible()
        assert first.locator("a").first.get_attribute("href") == "roles/incident-manager/"
        assert "Escalates to Management and Leadership" in " ".join(first.inner_text().split())
        size = page.evaluate(  # type: ignore[attr-defined]
            "() => parseFloat(getComputedStyle(document.querySelector('ul.rb-rolemap-list dd a')).fontSize)"
        )
        assert size >= 9
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".rb-rolemap").screenshot(path=str(SHOTS / "rolemap-default-375.png"))  # type: ignore[attr-defined]
    finally:
        context.close()  # type: ignore[attr-defined]
