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
from typing import Literal

from pydantic import BaseModel, Field

from generator import __version__
from generator.cache import BuildCache, content_key
from generator.core.guidance import SeverityRules
from generator.core.model import Activity, Contact, Phase, Role, Severity, TimeBox
from generator.core.playbook import Playbook
from generator.core.raci import LETTER_LABELS, LETTER_NAMES
from generator.exports.terraform_providers import TERRAFORM_FORMATS
from generator.render.urls import DOWNLOADS

# Colours for the spreadsheet; the letter itself always carries the meaning.
_FILLS = {"R": "DBEAFE", "A": "FEE2E2", "AR": "FEE2E2", "C": "FEF3C7", "I": "E5E7EB"}
_LETTER_HELP = {
    "R": "does the work; at least one per activity",
    "A": "owns the outcome and decides; exactly one per activity",
    "AR": "owns the outcome and does the work: the A and an R of the activity",
    "C": "asked before acting",
    "I": "told after acting",
}


class RoleExport(Role):
    id: str = Field(description="The role's id: its file name in roles/.")


class ActivityExport(Activity):
    raci: dict[str, Literal["R", "A", "A/R", "C", "I"]] = Field(  # type: ignore[assignment]
        description="Role id to its letter; A/R for a role both Accountable and Responsible."
    )


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
    time_boxes: list[TimeBox] = Field(
        default_factory=list,
        description="How checklist items are grouped by time; an item's within names one.",
    )
    severity_rules: SeverityRules | None = Field(
        default=None, description="Who declares and changes a level (activity ids), and how to choose one."
    )
    contacts: dict[str, Contact]
    roles: list[RoleExport]
    activities: list[ActivityExport]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """Text a spreadsheet shows as written: a leading = + - @ would start a formula when opened."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _matrix(playbook: Playbook) -> tuple[list[str], list[list[str]]]:
    header = ["activity", "phase", *(_inert(role.name) for role in playbook.roles.values())]
    rows = [
        [
            _inert(activity.name),
            _inert(phase.name),
            *(LETTER_LABELS.get(activity.raci.get(rid, ""), "") for rid in playbook.roles),
        ]
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
        time_boxes=list(config.time_boxes),
        severity_rules=config.severity_rules,
        contacts=dict(config.contacts),
        roles=[RoleExport(id=rid, **role.model_dump()) for rid, role in playbook.roles.items()],
        activities=[
            ActivityExport.model_construct(
                **{**a.model_dump(), "raci": {r: LETTER_LABELS[x] for r, x in a.raci.items()}}
            )
            for a in playbook.activities
        ],
    )
    return json.dumps(export.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def raci_xlsx(playbook: Playbook) -> bytes:
    """The matrix as a spreadsheet a manager can use: coloured letters, frozen header, phases grouped, a legend.

    Cells are written one by one and only where there is a value, so the time grows with the letters in
    the matrix, not with roles times activities (openpyxl's ``max_row`` scans every cell).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    def put(ws: Worksheet, row: int, column: int, value: str, **style: object) -> None:
        cell = ws.cell(row=row, column=column, value=value)
        cell.data_type = "s"  # text is text: nothing from a role file becomes a formula
        for name, value_ in style.items():
            setattr(cell, name, value_)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "RACI"
    role_ids = list(playbook.roles)
    bold, centred = Font(bold=True), Alignment(horizontal="center")
    fills = {letter: PatternFill("solid", fgColor=colour) for letter, colour in _FILLS.items()}
    letter_fonts = {letter: Font(bold=letter != "I") for letter in _FILLS}
    header = Alignment(wrap_text=True, vertical="bottom", horizontal="center")
    underline = Border(bottom=Side(style="thin", color="9CA3AF"))
    put(sheet, 1, 1, "Activity", font=bold, alignment=header, border=underline)
    for column, role in enumerate(playbook.roles.values(), start=2):
        put(sheet, 1, column, role.name, font=bold, alignment=header, border=underline)
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 60
    row = 1
    for phase, activities in playbook.activities_by_phase():
        if not activities:
            continue
        row += 1
        put(sheet, row, 1, phase.name.upper(), font=bold)
        for activity in activities:
            row += 1
            put(sheet, row, 1, activity.name)
            for column, rid in enumerate(role_ids, start=2):
                letter = activity.raci.get(rid)
                if letter:
                    put(
                        sheet,
                        row,
                        column,
                        LETTER_LABELS[letter],
                        alignment=centred,
                        fill=fills[letter],
                        font=letter_fonts[letter],
                    )
            sheet.row_dimensions[row].outline_level = 1  # each phase folds open and closed
    legend = book.create_sheet("Legend")
    for column, title in enumerate(["Letter", "Meaning"], start=1):
        put(legend, 1, column, title, font=bold)
    for row, (key, name) in enumerate(LETTER_NAMES.items(), start=2):
        put(legend, row, 1, LETTER_LABELS[key], fill=fills[key])
        put(legend, row, 2, name)
        put(legend, row, 3, _LETTER_HELP[key])
    config = playbook.config
    put(legend, len(LETTER_NAMES) + 3, 1, f"{config.title}, version {config.version}, {config.published}")
    legend.column_dimensions["B"].width = 14
    legend.column_dimensions["C"].width = 50
    # the files are dated by the publication date; a ZIP date runs from 1980 to 2107, so a date outside
    # that range is dated at its nearest end (the legend above keeps the real one)
    stamp = min(max(dt.datetime.combine(config.published, dt.time()), _ZIP_FIRST), _ZIP_LAST)
    book.properties.creator = "rolebook"
    book.properties.created = stamp
    book.properties.modified = stamp
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip_times(raw.getvalue(), stamp)


_ZIP_FIRST, _ZIP_LAST = dt.datetime(1980, 1, 1), dt.datetime(2107, 12, 31)


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


def downloads(playbook: Playbook, cache: BuildCache | None = None) -> dict[str, str | bytes]:
    """The files the RACI page offers for download, by site path.

    The spreadsheet, the slowest to write, is kept in ``cache`` under the JSON export, which holds
    everything it is made from."""
    whole = playbook_json(playbook)
    cache = cache or BuildCache(None)
    key = content_key("raci.xlsx", whole)
    xlsx = cache.get("downloads", key)
    if xlsx is None or not xlsx.startswith(b"PK"):
        xlsx = raci_xlsx(playbook)
        cache.put("downloads", key, xlsx)
    cache.prune("downloads")
    return {DOWNLOADS["csv"]: raci_csv(playbook), DOWNLOADS["xlsx"]: xlsx, DOWNLOADS["json"]: whole}


FILE_FORMATS = ("csv", "xlsx", "json", *TERRAFORM_FORMATS)  # what ``rolebook export`` writes as one file


def export_data(playbook: Playbook, fmt: str) -> bytes:
    """The playbook exported in one of FILE_FORMATS: the bytes of the file."""
    if fmt == "xlsx":
        return raci_xlsx(playbook)
    if fmt in TERRAFORM_FORMATS:
        return TERRAFORM_FORMATS[fmt](playbook).encode("utf-8")
    return (raci_csv(playbook) if fmt == "csv" else playbook_json(playbook)).encode("utf-8")
