"""Every xlsx and csv the dashboard offers starts with the header block, through the real buttons.

How: Streamlit registers each download button's file with its media file manager (deferred files
as the callable the button will run on click, static files as bytes). These tests record what
the app registers while AppTest runs each page, then build each file exactly as a click would and
open it with openpyxl or the csv module. A new download button that bypasses the writer
(metrics.export with a FileHeader) fails `test_every_download_on_every_page_starts_with_the_header_block`.
"""

from __future__ import annotations

import io
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager

from metrics.export import HEADER_LABELS
from tests.app.test_app_frame import every_breakdown, make_app
from tests.app.test_app_recommendations import publish_demo_pack
from tests.downloaded import header_of_csv, header_of_sheet
from tests.e2e.workbooks import bad_workbook_bytes, day_after_next_month, latest_loaded, month_frames, next_month

ANALYSIS_PAGES = ("overview", "themes", "agency", "caseloads", "turnover", "profile", "agency_rules",
                  "data_quality", "benchmarks", "tracker", "upload", "census")
#: downloads that are not reports of figures, with the reason they carry no header block
NOT_REPORTS = {
    "workforce-extract-template.xlsx": "a blank form HR fills in and uploads: rows above its header "
                                       "row would be read as data",
}
PRODUCED = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}(am|pm) \(UK time\)$")
ISO = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
NUMBER_TEXT = re.compile(r"^-?£?\d[\d,]*(\.\d+)?%?$")


class Recorder:
    """What the app registers for its download buttons: file name -> callable or bytes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: dict[str, object] = {}
        real_deferred, real_add = MediaFileManager.add_deferred, MediaFileManager.add

        def add_deferred(mgr, fn, mimetype, coordinates, file_name=None, element_id=""):
            self.files[file_name] = fn
            return real_deferred(mgr, fn, mimetype, coordinates, file_name=file_name, element_id=element_id)

        def add(mgr, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
            if file_name:
                self.files[file_name] = data
            return real_add(mgr, data, mimetype, coordinates, file_name=file_name,
                            is_for_static_download=is_for_static_download)

        monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
        monkeypatch.setattr(MediaFileManager, "add", add)

    def data(self, name: str) -> bytes:
        made = self.files[name]
        made = made() if callable(made) else made
        return made.encode("utf-8") if isinstance(made, str) else bytes(made)

    def named(self, prefix: str) -> str:
        return next(n for n in self.files if n.startswith(prefix))


def check_block(title: str, labels: dict[str, list[str]], *, where: str) -> None:
    assert title and isinstance(title, str), where
    assert [k for k in labels if k in HEADER_LABELS] == list(HEADER_LABELS), (where, list(labels))
    for label in HEADER_LABELS:
        assert all(isinstance(v, str) and v.strip() for v in labels[label]), (where, label, labels[label])
    assert PRODUCED.match(labels["Produced"][0]), (where, labels["Produced"])
    assert not ISO.match(labels["Month"][0]), where


def check_table_cells(ws, head_row: int, *, where: str) -> None:
    """Readable widths, wrapped text, the heading row frozen and printed on every page, numbers
    stored as numbers (never '18.3%' text, never float noise), no ISO dates, targets in words."""
    assert ws.freeze_panes == f"A{head_row + 1}", where
    assert ws.print_title_rows == f"${head_row}:${head_row}", where
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, where
    for j in range(1, ws.max_column + 1):
        heading = ws.cell(row=head_row, column=j).value
        if heading is None:
            continue
        letter = ws.cell(row=head_row, column=j).column_letter
        assert 8 <= ws.column_dimensions[letter].width <= 60, (where, heading)
        for i in range(head_row + 1, ws.max_row + 1):
            cell = ws.cell(row=i, column=j)
            v = cell.value
            if v is None:
                continue
            assert cell.alignment.wrap_text, (where, heading)
            if isinstance(v, float):
                assert len(repr(v).split(".")[-1]) <= 9, (where, heading, v)  # no 41.10000000000001
                assert cell.number_format != "General", (where, heading, v)
            if isinstance(v, str):
                assert not ISO.match(v), (where, heading, v)
                assert not re.match(r"^Target \d", v), (where, heading, v)
                if heading in ("Value", "Target value") or "%" in str(heading):
                    assert not NUMBER_TEXT.match(v), (where, heading, v)
                if heading == "Target":
                    assert v == "—" or v.startswith(("at most ", "at least ")), (where, v)


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db):
    """A store copy with one published meeting pack (so the pack's buttons show)."""
    dst = tmp_path_factory.mktemp("download-files") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    publish_demo_pack(dst)
    return dst


@pytest.fixture(scope="module")
def hr_files(store):
    """Every file offered on every page HR sees, as the buttons would serve them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKFORCE_DEMO", "1")  # (the autouse fixture that sets it is per test)
        mp.setenv("WORKFORCE_TODAY", day_after_next_month(store))
        rec = Recorder(mp)
        at = make_app(mp, db=store, role="hr")
        for page in ANALYSIS_PAGES:
            at.switch_page(f"views/{page}.py").run()
            assert not at.exception, (page, [e.value for e in at.exception])
            if page == "agency_rules":  # the quarterly summary sits behind its quarter picker
                assert any(n.startswith("agency_summary_") for n in rec.files), "quarterly button"
            every_breakdown(at)  # each breakdown's files (one is shown at a time)
        yield {name: rec.data(name) for name in list(rec.files)}


def test_every_download_on_every_page_starts_with_the_header_block(hr_files):
    names = [n for n in hr_files if n.endswith((".xlsx", ".csv"))]
    assert len(names) >= 100, len(names)
    for kind in ("headline-measures.", "agency_summary_", "scrutiny-recommendations-", "meeting-pack-",
                 "load-ledger.", "census-figures.", "agency-share-by-team."):
        assert any(n.startswith(kind) for n in names), kind
    for name in names:
        if name in NOT_REPORTS:
            continue
        data = hr_files[name]
        if name.endswith(".csv"):
            title, labels, table = header_of_csv(data)
            check_block(title, labels, where=name)
            assert table and table[0] and all(table[0]), name  # then the table's headings
            continue
        wb = load_workbook(io.BytesIO(data))
        for ws in wb.worksheets:
            title, labels, head_row = header_of_sheet(ws)
            check_block(title, labels, where=f"{name}:{ws.title}")
            check_table_cells(ws, head_row, where=f"{name}:{ws.title}")


def test_the_headline_download_says_which_month_people_and_service(monkeypatch, store):
    from ui import data

    monkeypatch.setenv("WORKFORCE_TODAY", day_after_next_month(store))
    rec = Recorder(monkeypatch)
    latest = latest_loaded(store)
    y, m = (int(p) for p in latest.split("-"))
    month = f"{y - 1:04d}-{m:02d}"  # a year before the latest month
    at = make_app(monkeypatch, db=store, role="leadership",
                  query={"period": month, "scope": "all_staff", "service": "Early Help"})
    assert not at.exception
    words = date(y - 1, m, 1).strftime("%B %Y")
    shown = next(d.value for d in at.dataframe if "Measure" in d.value.columns and "Target" in d.value.columns)

    ws = load_workbook(io.BytesIO(rec.data("headline-measures.xlsx")))["Data"]
    title, labels, head_row = header_of_sheet(ws)
    assert title == "Headline measures"
    assert labels["Month"] == [words]
    assert labels["Population"] == ["All staff"]
    assert labels["Service"] == ["Early Help"]
    assert labels["Source"][0].startswith("Demo data: an invented monthly workforce extract for " + words)
    assert f"workforce_{month}.xlsx" in labels["Source"][0] and "loaded by HR on" in labels["Source"][0]
    assert labels["Suppression"][0].startswith("c = ")
    heads = [c.value for c in ws[head_row]]
    rows = {ws.cell(row=i, column=1).value: {h: ws.cell(row=i, column=j + 1) for j, h in enumerate(heads)}
            for i in range(head_row + 1, ws.max_row + 1)}
    agency = rows["Agency share of FTE"]
    on_screen = shown.loc[shown["Measure"] == "Agency share of FTE"].iloc[0]
    assert agency["Value"].value == on_screen["Value"] and isinstance(agency["Value"].value, float)
    assert agency["Value"].number_format == '0.0"%"'
    assert agency["Target"].value == "at most 20%"
    people = agency["People"]
    assert isinstance(people.value, int) and people.number_format == "#,##0"
    assert rows["Average caseload"]["Value"].number_format == "0.0"
    assert rows["Average caseload"]["Target"].value.startswith("at most ")
    # the CSV carries the same block
    title, labels, table = header_of_csv(rec.data("headline-measures.csv"))
    assert (labels["Month"], labels["Population"], labels["Service"]) == ([words], ["All staff"], ["Early Help"])
    assert table[0][:2] == ["Measure", "Value"]


def test_a_scrutiny_download_carries_the_suppression_legend(monkeypatch, store):
    monkeypatch.setenv("WORKFORCE_TODAY", day_after_next_month(store))
    rec = Recorder(monkeypatch)
    at = make_app(monkeypatch, db=store, role="scrutiny")
    at.switch_page("views/agency.py").run()
    assert not at.exception
    ws = load_workbook(io.BytesIO(rec.data("agency-share-by-service.xlsx")))["Data"]
    _, labels, head_row = header_of_sheet(ws)
    note = " ".join(labels["Suppression"])
    assert "c = " in note and "shown as c" in note
    assert labels["Population"] == ["Qualified social workers"] and labels["Service"] == ["Whole directorate"]
    _, labels, table = header_of_csv(rec.data("agency-share-by-service.csv"))
    assert "c = " in " ".join(labels["Suppression"])


def test_the_tracker_workbook_prints_as_a_committee_appendix(hr_files):
    name = next(n for n in hr_files if n.startswith("scrutiny-recommendations-"))
    wb = load_workbook(io.BytesIO(hr_files[name]))
    ws = wb["Recommendations"]
    title, labels, head_row = header_of_sheet(ws)
    assert title.startswith("Recommendations made by Children and Young People Scrutiny Committee: tracker as at ")
    assert labels["Month"] == ["Every meeting since the tracker began (not one month)"]
    assert labels["Source"][0].startswith("The scrutiny committee's papers")
    assert labels["Suppression"][0].startswith("None needed")
    # print: landscape, one A3 page wide, headings repeated on every page, frozen under them
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 8
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${head_row}:${head_row}" and ws.freeze_panes == f"A{head_row + 1}"
    heads = [c.value for c in ws[head_row]]
    col = {h: ws.cell(row=head_row, column=j + 1).column_letter for j, h in enumerate(heads)}
    assert ws.column_dimensions[col["Recommendation"]].width == 40
    assert ws.column_dimensions[col["Rec."]].width < 15
    total = sum(ws.column_dimensions[c].width for c in col.values())
    assert total < 330  # about 60% scale on A3 landscape: readable when printed
    first = head_row + 1
    meeting = ws[f"{col['Meeting date']}{first}"]
    assert meeting.is_date and meeting.number_format == "d mmm yyyy"  # UK dates, no ISO text
    assert ws[f"{col['Recommendation']}{first}"].alignment.wrap_text
    for sheet in ("Responses", "Progress updates"):
        check_table_cells(wb[sheet], header_of_sheet(wb[sheet])[2], where=sheet)


def test_the_meeting_pack_workbook_has_the_block_and_numbers(hr_files):
    name = next(n for n in hr_files if n.startswith("meeting-pack-") and n.endswith(".xlsx"))
    wb = load_workbook(io.BytesIO(hr_files[name]))
    ws = wb["Figures"]
    _, labels, head_row = header_of_sheet(ws)
    assert labels["Population"] == ["Qualified social workers"]
    assert labels["Month"][0].endswith("(month end)") and "Meeting pack" in labels["Source"][0]
    heads = [c.value for c in ws[head_row]]
    value = ws.cell(row=head_row + 1, column=heads.index("Value") + 1)
    assert isinstance(value.value, float) and value.number_format == "0.0%"  # agency share, a fraction
    assert wb["Provenance"].sheet_state == "hidden"


def test_the_quarterly_agency_summary_has_the_block(hr_files):
    name = next(n for n in hr_files if n.startswith("agency_summary_"))
    ws = load_workbook(io.BytesIO(hr_files[name]))["About"]
    _, labels, _ = header_of_sheet(ws)
    quarter = name.removeprefix("agency_summary_").removesuffix(".xlsx")
    assert labels["Month"][0].endswith(f"({quarter})") and " to " in labels["Month"][0]
    assert labels["Population"] == ["Agency workers"]
    assert labels["Suppression"][0].startswith("None: exact figures")


def test_the_upload_error_report_has_the_block(monkeypatch, app_store):
    from streamlit.testing.v1 import AppTest

    rec = Recorder(monkeypatch)
    period = next_month(latest_loaded(app_store))
    monkeypatch.setenv("WORKFORCE_ROLE", "hr")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "views" / "upload.py"), default_timeout=60)
    at.run()
    at.file_uploader[0].upload("broken.xlsx", bad_workbook_bytes(month_frames(period=period)),
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    at.run()
    assert not at.exception
    y, m = (int(p) for p in period.split("-"))
    stem = rec.named("problems-to-fix-in-broken").rsplit(".", 1)[0]
    _, labels, table = header_of_csv(rec.data(stem + ".csv"))
    assert labels["Month"] == [date(y, m, 1).strftime("%B %Y")]
    assert labels["Source"][0].startswith("The file broken.xlsx, checked on upload")
    assert table[0] == ["Sheet", "Row", "Column", "Value", "Problem"]
    ws = load_workbook(io.BytesIO(rec.data(stem + ".xlsx")))["Data"]
    _, _, head_row = header_of_sheet(ws)
    row = ws.cell(row=head_row + 1, column=2)
    assert isinstance(row.value, int) and row.number_format == "#,##0"  # row numbers are numbers


#: every download button in the code and the file it serves; the scan above opens each xlsx/csv
#: (the census XML is DfE's statutory format, the pack's HTML/PDF are committee papers with their
#: own heading). A new button fails here until its file is made by metrics.export with a
#: FileHeader and it is listed (and reached by the scan).
DOWNLOAD_BUTTONS = {
    "ui/downloads.py": 2,       # every table's Excel and CSV (download_table)
    "ui/tracker.py": 4,         # tracker xlsx; pack xlsx, html, pdf
    "views/agency_rules.py": 1,  # quarterly summary xlsx
    "views/upload.py": 1,       # the blank template (NOT_REPORTS)
    "views/census.py": 1,       # csww_<year>.xml
}


def test_every_download_button_in_the_code_is_known():
    root = Path(__file__).resolve().parents[2]
    found: dict[str, int] = {}
    for path in [*root.joinpath("ui").rglob("*.py"), *root.joinpath("views").rglob("*.py"), root / "dashboard.py"]:
        n = path.read_text(encoding="utf-8").count("download_button(")
        if n:
            found[str(path.relative_to(root))] = n
    assert found == DOWNLOAD_BUTTONS
