"""The assignment board to print: an ICS 203-style organization assignment sheet and an ICS 214-style
activity log sheet, in one HTML document that ``cards/board.py`` lays out with WeasyPrint.

Rendering is pure, like every page and card: the playbook and the paper give the same HTML every time.
The sheets are forms to fill in by hand, so their blanks are sized for handwriting and the activity log
has as many ruled rows as the paper holds below its heading fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from generator.core.playbook import Playbook
    from generator.render.renderer import RenderOptions

BOARD_HTML = "cards/board.html"
BOARD_TEMPLATE = "cards/board.html.j2"
PaperName = Literal["a4", "letter"]

# The page's margins and the height of a row to write in, in mm (the template's styles read them).
MARGIN_MM = 12.0
FOOT_MM = 16.0  # the bottom margin, which holds the edition and the page number
ROW_MM = 8.0
ROW_PITCH_MM = ROW_MM + 0.75 * 25.4 / 72  # a blank row and its rule (.75 pt)
# What the activity log sheet takes above and below its log's rows (140 mm as laid out: its title and
# fields, the resources table, the log's heading and header row, the "Prepared by" fields), and 2 mm to spare.
LOG_SHEET_FIXED_MM = 142.0
RESOURCE_ROWS = 6
# Up to this many severity levels, each has a narrow column of its own, ticked for the roles it engages;
# with more, one column lists the levels that engage each role.
LEVEL_COLUMNS = 4


@dataclass(frozen=True)
class Paper:
    id: PaperName
    label: str
    width_mm: float
    height_mm: float

    @property
    def css_size(self) -> str:
        return f"{self.width_mm}mm {self.height_mm}mm"

    @property
    def log_rows(self) -> int:
        """The activity log's blank rows: as many as fill the page below the sheet's other parts."""
        room = self.height_mm - MARGIN_MM - FOOT_MM - LOG_SHEET_FIXED_MM
        return max(5, int(room // ROW_PITCH_MM))


PAPERS: dict[PaperName, Paper] = {
    "a4": Paper("a4", "A4", 210, 297),
    "letter": Paper("letter", "US Letter", 215.9, 279.4),
}


def board_context(playbook: Playbook, paper: Paper) -> dict[str, Any]:
    """What ``cards/board.html.j2`` reads (its opening comment describes each value)."""
    config = playbook.config
    return {
        "playbook": playbook,
        "site": config,
        "roles": playbook.roles,
        "severities": config.severities,
        "engaged": {role_id: playbook.engaged_at(role_id) for role_id in playbook.roles},
        "contacts": config.contacts,
        "level_columns": len(config.severities) <= LEVEL_COLUMNS,
        "paper": paper,
        "margin_mm": MARGIN_MM,
        "foot_mm": FOOT_MM,
        "row_mm": ROW_MM,
        "resource_rows": range(RESOURCE_ROWS),
        "log_rows": range(paper.log_rows),
    }


def render_board(playbook: Playbook, options: RenderOptions, paper: Paper) -> dict[str, str]:
    """The assignment board's printable HTML document: ``{"cards/board.html": html}``.

    A project's ``templates/cards/board.html.j2`` replaces the built-in one, as with the card templates."""
    from generator.render.renderer import _environment, _render

    return {BOARD_HTML: _render(_environment(options), BOARD_TEMPLATE, board_context(playbook, paper))}
