"""The one writer of downloaded files (metrics.export): header block, layout, numbers and dates.

Each check opens the real bytes with openpyxl or the csv module, as a person's spreadsheet would.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pandas as pd
from openpyxl import load_workbook

from metrics.export import FileHeader, to_csv_bytes, to_xlsx_bytes

HEADER = FileHeader(title="Agency share by team", month="October 2026", population="Qualified social workers",
                    service="Early Help", source="Monthly workforce extract for October 2026, loaded by HR",
                    suppression=("c = fewer than 5 people.", "This file: 2 figures shown as c."),
                    produced=datetime(2026, 7, 3, 13, 5, tzinfo=timezone.utc))


def _sheet(data: bytes, name: str | None = None):
    wb = load_workbook(io.BytesIO(data))
    return wb[name] if name else wb.worksheets[0]


def test_the_header_block_comes_first_in_words_with_uk_local_time():
    frame = pd.DataFrame({"Team": ["A"], "People": [12]})
    ws = _sheet(to_xlsx_bytes(frame, header=HEADER))
    assert ws["A1"].value == "Agency share by team" and ws["A1"].font.bold
    rows = [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value) for r in range(2, 10)]
    assert rows == [
        ("Month", "October 2026"), ("Population", "Qualified social workers"), ("Service", "Early Help"),
        # 13:05 UTC on 3 July is 2:05pm in London (BST)
        ("Produced", "3 July 2026 at 2:05pm (UK time)"),
        ("Source", "Monthly workforce extract for October 2026, loaded by HR"),
        ("Suppression", "c = fewer than 5 people."), (None, "This file: 2 figures shown as c."),
        (None, None),  # one blank row, then the table
    ]
    assert [c.value for c in ws[10]] == ["Team", "People"]
    assert ws.freeze_panes == "A11"
    assert ws.print_title_rows == "$10:$10"


def test_whole_directorate_and_not_applicable_are_said_not_left_blank():
    lines = FileHeader(title="Load ledger", source="The load ledger", produced=datetime(2026, 1, 5, 9, 0)).lines()
    assert lines[:4] == [["Load ledger"], ["Month", "Not applicable"], ["Population", "Not applicable"],
                         ["Service", "Whole directorate"]]
    assert lines[4] == ["Produced", "5 January 2026 at 9:00am (UK time)"]  # GMT in January
    assert ["Suppression", "None needed"] in lines and lines[-1] == []


def test_numbers_are_numbers_with_formats_and_no_float_noise():
    frame = pd.DataFrame({
        "Measure": ["Agency share", "Caseload", "Assignments", "Within the cap"],
        "Value": [18.3, 41.10000000000001, 147.0, "c"],
        "Unit": ["%", "cases per FTE", "people", "%"],
        "Change on a year ago": [-0.1, 0.30000000000000004, 3.0, "—"],
        "Share (%)": ["88.9%", "12.5%", None, "c"],
        "Spend (£)": [424534, 1200, 3, 0],
        "Year (30 September)": [2023, 2024, 2025, 2025],
    })
    ws = _sheet(to_xlsx_bytes(frame, header=HEADER))
    head = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "Measure")
    cells = {ws.cell(row=head, column=j).value: [ws.cell(row=head + i, column=j) for i in range(1, 5)]
             for j in range(1, 8)}
    value = cells["Value"]
    assert [c.value for c in value] == [18.3, 41.1, 147, "c"]
    assert [c.number_format for c in value[:3]] == ['0.0"%"', "0.0", "#,##0"]
    change = cells["Change on a year ago"]
    assert change[1].value == 0.3 and change[0].number_format == "+#,##0.0;-#,##0.0;0.0"
    share = cells["Share (%)"]
    assert share[0].value == 88.9 and share[0].data_type == "n" and share[0].number_format == '0.0"%"'
    assert cells["Spend (£)"][0].number_format == '"£"#,##0'
    assert cells["Year (30 September)"][0].number_format == "0"  # 2023, never 2,023
    # every table cell wraps; widths are readable
    assert all(c.alignment.wrap_text for col in cells.values() for c in col)
    assert 8 <= ws.column_dimensions["A"].width <= 50


def test_dates_are_dates_shown_the_uk_way_and_timestamps_in_uk_time():
    frame = pd.DataFrame({"Month": ["2026-10"], "Meeting date": [date(2024, 6, 13)],
                          "Loaded at": [datetime(2026, 7, 3, 23, 30)],  # stored UTC: 4 July 00:30 BST
                          "Employee ID": ["10234"]})
    ws = _sheet(to_xlsx_bytes(frame, header=HEADER))
    row = [ws.cell(row=11, column=j) for j in range(1, 5)]
    assert row[0].value == datetime(2026, 10, 1) and row[0].number_format == "mmmm yyyy"
    assert row[1].value == datetime(2024, 6, 13) and row[1].number_format == "d mmm yyyy"
    assert row[2].value == datetime(2026, 7, 4, 0, 30) and row[2].number_format == "d mmm yyyy h:mm"
    assert row[3].value == "10234"  # an id that looks like a number stays text
    text = to_csv_bytes(frame, header=HEADER).decode("utf-8-sig")
    assert "October 2026,13 Jun 2024,4 Jul 2026 00:30,10234" in text


def test_csv_has_the_block_a_blank_row_then_the_table():
    frame = pd.DataFrame({"Team": ["=cmd()", "B"], "People": [12.0, 41.10000000000001]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame, header=HEADER).decode("utf-8-sig"))))
    assert rows[0] == ["Agency share by team"]
    assert rows[1] == ["Month", "October 2026"] and rows[3] == ["Service", "Early Help"]
    assert rows[6] == ["Suppression", "c = fewer than 5 people."]
    blank = rows.index([])
    assert rows[blank + 1] == ["Team", "People"]
    assert rows[blank + 2] == ["'=cmd()", "12"] and rows[blank + 3] == ["B", "41.1"]


def test_print_settings_landscape_one_page_wide_and_hidden_sheets():
    frame = pd.DataFrame({"A": ["x"]})
    wb = load_workbook(io.BytesIO(to_xlsx_bytes({"Shown": frame, "Audit": frame}, header=HEADER, paper="A3",
                                                hidden=("Audit",))))
    ws = wb["Shown"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 8  # A3
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert wb["Audit"].sheet_state == "hidden" and wb["Audit"]["A1"].value == HEADER.title
