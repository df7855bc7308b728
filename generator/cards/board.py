"""The assignment board as PDF: the organization assignment sheet and the activity log sheet (WeasyPrint).

The document is made from the playbook alone (``layout.weasy_html`` loads nothing but data: URLs) and is
the same bytes for the same playbook and paper: WeasyPrint writes no date unless the document gives one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.cards.layout import weasy_html
from generator.core.playbook import Playbook
from generator.dates import date_stamp, dated
from generator.render.board_content import BOARD_HTML, PAPERS, Paper, PaperName, render_board
from generator.render.renderer import RenderOptions


@dataclass(frozen=True)
class Board:
    """The board's PDF, how many pages it took, and the paper it is for."""

    pdf: bytes
    pages: int
    paper: Paper

    def summary(self) -> str:
        return f"{self.pages} pages (organization assignment and activity log sheets, {self.paper.label})"


def lay_out_board(playbook: Playbook, options: RenderOptions, paper: Paper) -> Board:
    """The board laid out on ``paper``."""
    from weasyprint.text.fonts import FontConfiguration

    html = render_board(playbook, options, paper)[BOARD_HTML]
    document = weasy_html(html).render(font_config=FontConfiguration())
    with dated(date_stamp(playbook.config.published)):  # the fonts' date: the same bytes on any day
        pdf = document.write_pdf()
    return Board(pdf, len(document.pages), paper)


def print_board(project: Path, playbook: Playbook, paper: PaperName) -> Board:
    """The board of a project's playbook, with the project's own templates, on the paper asked for."""
    from generator.core.project import TEMPLATES_DIR

    # the board links nothing: of the site's settings it needs only the project's own templates
    return lay_out_board(playbook, RenderOptions((project / TEMPLATES_DIR,)), PAPERS[paper])
