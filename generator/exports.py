"""Exports of the validated playbook: the RACI as CSV and XLSX, the whole playbook as JSON.

Every export is deterministic: the same playbook gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile

from pydantic import BaseModel, Field

from . import __version__
from .model import Activity, Contact, Phase, Role, Severity
from .playbook import LETTER_NAMES, Playbook

DOWNLOADS = {"csv": "downloads/raci.csv", "xlsx": "downloads/raci.xlsx", "json": "downloads/playbook.json"}
# Colours for the spreadsheet; the letter itself always carries the meaning.
_FILLS = {"R": "DBEAFE", "A": "FEE2E2", "C": "FEF3C7", "I": "E5E7EB"}
_LETTER_HELP = {
    "R": "does the work; at least one per activity",
    "A": "owns the outcome and decides; exactly one per activity",
    "C": "asked before acting",
    "I": "told after acting",
}


class RoleExport(Role):
    id: str = Field(description="The role's id: its file name in roles/.")


class PlaybookExport(BaseModel):
    """The JSON export: everything a chat bot or incident tool needs, in the order of the site."""

    format: str = Field(default="rolebook-playbook/1", description="The version of this export format.")
    generator: str = Field(description="The rolebook version that wrote the export.")
    title: str
    organization: str
    version: str
    published: dt.date
    intro: str
    phases: list[Phase]
    severities: list[Severity]
    contacts: dict[str, Contact]
    roles: list[RoleExport]
    activities: list[Activity]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """Text a spreadsheet shows as written: a leading = + - @ would start a formula when opened."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _matrix(playbook: Playbook) -> tuple[list[str], list[list[str]]]:
    header = ["activity", "phase", *(_inert(role.name) for role in playbook.roles.values())]
    rows = [
        [_inert(activity.name), _inert(phase.name), *(activity.raci.get(rid, "") for rid in playbook.roles)]
        for phase, activities in playbook.activities_by_phase()
        for activity in activities
    ]
    return header, rows


def raci_csv(playbook: Playbook) -> str:
    """The matrix: activity, phase, then one column per role, one row per activity in phase order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header, rows = _matrix(playbook)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def playbook_json(playbook: Playbook) -> str:
    config = playbook.config
    export = PlaybookExport(
        generator=f"rolebook {__version__}",
        title=config.title,
        organization=config.organization,
        version=config.version,
        published=config.published,
        intro=config.intro,
        phases=list(config.phases),
        severities=list(config.severities),
        contacts=dict(config.contacts),
        roles=[RoleExport(id=rid, **role.model_dump()) for rid, role in playbook.roles.items()],
        activities=list(playbook.activities),
    )
    return json.dumps(export.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def raci_xlsx(playbook: Playbook) -> bytes:
    """The matrix as a spreadsheet a manager can use: coloured letters, frozen header, phases grouped, a legend."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "RACI"
    roles = list(playbook.roles.values())
    bold = Font(bold=True)
    thin = Side(style="thin", color="9CA3AF")
    sheet.append(["Activity", *(role.name for role in roles)])
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="bottom", horizontal="center")
        cell.border = Border(bottom=thin)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 60
    for index in range(len(roles)):
        sheet.column_dimensions[get_column_letter(index + 2)].width = 16
    for phase, activities in playbook.activities_by_phase():
        if not activities:
            continue
        sheet.append([phase.name.upper()])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        first = sheet.max_row + 1
        for activity in activities:
            sheet.append([activity.name, *(activity.raci.get(rid, "") for rid in playbook.roles)])
            for cell in sheet[sheet.max_row][1:]:
                letter = str(cell.value or "")
                cell.alignment = Alignment(horizontal="center")
                if letter:
                    cell.fill = PatternFill("solid", fgColor=_FILLS[letter])
                    cell.font = Font(bold=letter != "I")
        for row in range(first, sheet.max_row + 1):
            sheet.row_dimensions[row].outline_level = 1  # each phase folds open and closed
    legend = book.create_sheet("Legend")
    legend.append(["Letter", "Meaning", ""])
    for cell in legend[1]:
        cell.font = bold
    for letter, name in LETTER_NAMES.items():
        legend.append([letter, name, _LETTER_HELP[letter]])
        legend.cell(row=legend.max_row, column=1).fill = PatternFill("solid", fgColor=_FILLS[letter])
    legend.append([])
    legend.append(
        [f"{playbook.config.title}, version {playbook.config.version}, {playbook.config.published}"]
    )
    legend.column_dimensions["B"].width = 14
    legend.column_dimensions["C"].width = 50
    stamp = dt.datetime.combine(playbook.config.published, dt.time())
    book.properties.creator = "rolebook"
    book.properties.created = stamp
    book.properties.modified = stamp
    for ws in (sheet, legend):  # text is text: nothing from a role file becomes a formula
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip_times(raw.getvalue(), stamp)


def _fixed_zip_times(data: bytes, stamp: dt.datetime) -> bytes:
    """The same archive with every member dated ``stamp``, so equal input gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    content,
                )
            target.writestr(fixed, content)
    return out.getvalue()


def downloads(playbook: Playbook) -> dict[str, str | bytes]:
    """The files the RACI page offers for download, by site path."""
    return {
        DOWNLOADS["csv"]: raci_csv(playbook),
        DOWNLOADS["xlsx"]: raci_xlsx(playbook),
        DOWNLOADS["json"]: playbook_json(playbook),
    }
