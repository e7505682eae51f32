"""No value changes silently: every case the second bad-input review found, in a real file.

Each test writes the workbook (openpyxl writes "#N/A" as a real Excel error cell and "=..."
as a formula with no saved value, exactly as a script-made file arrives) or a zip of CSVs.
"""

from __future__ import annotations

import random
import string
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.loader import validate_file
from tests.unit.ingest_files import (PERIOD, base_sheets, set_cell, write_csv_zip,
                                     write_xlsx)


def check(tmp_path: Path, sheets, *, csv: bool = False, period: str = PERIOD):
    path = (write_csv_zip(tmp_path / "x.zip", sheets) if csv
            else write_xlsx(tmp_path / "x.xlsx", sheets))
    return validate_file(path=path, period=period)


@pytest.mark.parametrize("header, cell, error", [("Cases", "I2", "#N/A"),
                                                 ("Absence days", "J3", "#DIV/0!")])
def test_excel_error_in_an_optional_number_column_is_an_error(tmp_path: Path, header: str,
                                                              cell: str, error: str) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", int(cell[1:]), header, error)
    result = check(tmp_path, sheets)
    assert not result.ok
    [p] = result.errors
    assert (p.sheet, p.row, p.column, p.value) == ("Staff", int(cell[1:]), header, error)
    assert f"cell {cell} holds the Excel error {error}" in p.message


def test_ref_error_in_a_required_cell_names_the_error_not_blank(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", 3, "FTE", "#REF!")
    result = check(tmp_path, sheets)
    [p] = result.errors
    assert p.value == "#REF!" and "Excel error #REF!" in p.message
    assert "blank" not in str(p).replace("never read as a blank", "")


def test_formula_without_a_saved_value_says_save_in_excel(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", 2, "Cases", "=10+7")
    set_cell(sheets, "Vacancies", 2, "Vacant FTE", "=1+1")
    result = check(tmp_path, sheets)
    assert [(p.sheet, p.row, p.column) for p in result.errors] == [
        ("Staff", 2, "Cases"), ("Vacancies", 2, "Vacant FTE")]
    assert all("save the workbook so the value is stored" in p.message for p in result.errors)


@pytest.mark.parametrize("csv", [True, False], ids=["csv", "xlsx-text"])
def test_decimal_commas_are_refused_not_multiplied(tmp_path: Path, csv: bool) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", 3, "FTE", "0,8")
    set_cell(sheets, "Staff", 2, "Absence days", "2,5")
    set_cell(sheets, "Vacancies", 2, "Vacant FTE", "1,7")
    result = check(tmp_path, sheets, csv=csv)
    got = {(p.sheet, p.row, p.column, p.value) for p in result.errors}
    assert got == {("Staff", 3, "FTE", "0,8"), ("Staff", 2, "Absence days", "2,5"),
                   ("Vacancies", 2, "Vacant FTE", "1,7")}
    assert all("decimals with a point" in p.message for p in result.errors)


def test_a_thousands_separator_is_read_but_flagged(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", 2, "Absence days", "1,500")
    set_cell(sheets, "Staff", 3, "FTE", "1,000")
    result = check(tmp_path, sheets, csv=True)
    assert [(p.row, p.column, p.message) for p in result.errors] == [
        (3, "FTE", "must be more than 0 and at most 1")]
    flagged = [p for p in result.warnings if p.column in ("Absence days", "FTE")]
    assert {(p.row, p.value) for p in flagged} == {(2, "1,500"), (3, "1,000")}
    assert all("thousands separator" in p.message and "decimal" in p.message for p in flagged)


@pytest.mark.parametrize("state, words", [("hidden", "hidden"),
                                          ("veryHidden", "very hidden")])
def test_a_hidden_contract_sheet_is_never_read_in_place_of_the_visible_one(
        tmp_path: Path, state: str, words: str) -> None:
    sheets = base_sheets()
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet("Workforce" if name == "Staff" else name)
        for r in rows:
            ws.append(r)
    stale = wb.create_sheet("Staff")  # last month's rows, hidden
    for r in sheets["Staff"][:2]:
        stale.append(r)
    stale.sheet_state = state
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    result = validate_file(path=path, period=PERIOD)
    [p] = result.errors
    assert p.sheet == "Staff" and f"is a {words} Staff sheet" in p.message
    assert "never read" in p.message


def test_text_longer_than_a_column_holds_is_an_error_quoted_short(tmp_path: Path) -> None:
    sheets = base_sheets()
    pasted = "".join(random.Random(11).choices(string.ascii_letters, k=6_000_000))
    set_cell(sheets, "Staff", 4, "Team", pasted)  # CSV: Excel would stop at 32,767
    result = check(tmp_path, sheets, csv=True)
    [p] = result.errors
    assert (p.row, p.column) == (4, "Team")
    assert "6,000,000 characters long" in p.message and "at most 255" in p.message
    assert len(p.value) <= 80


def test_ambiguous_text_dates_are_uk_dates_with_one_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", 2, "Start date", "03/04/2020")
    set_cell(sheets, "Staff", 3, "Start date", "05/06/2021")
    set_cell(sheets, "Staff", 4, "Start date", "25/12/2024")  # not ambiguous
    result = check(tmp_path, sheets)
    assert result.ok, result.report()
    notes = [p for p in result.warnings if "day/month/year" in p.message]
    assert len(notes) == 1
    assert notes[0].row == 2 and "3 April 2020" in notes[0].message
    starts = list(result.frames["staff"]["start_date"].dt.date)
    assert starts[:3] == [date(2020, 4, 3), date(2021, 6, 5), date(2024, 12, 25)]


def test_a_period_in_the_file_that_disagrees_with_the_month_is_an_error(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Staff"][0].append("Reporting month")
    for row in sheets["Staff"][1:]:
        row.append("2025-02")
    result = check(tmp_path, sheets)
    assert result.errors and all(p.column == "Reporting month" for p in result.errors)
    assert "says the file is for 2025-02" in result.errors[0].message
    assert "you are loading 2025-03" in result.errors[0].message
