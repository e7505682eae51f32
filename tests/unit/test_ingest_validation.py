"""One failing file per validation rule: each must name the right sheet, Excel row and column.

Every test writes a real .xlsx with openpyxl and validates it through `validate_file`.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from ingest.loader import validate_file
from tests.unit.ingest_files import (
    PERIOD,
    add_column,
    base_sheets,
    drop_column,
    set_cell,
    write_xlsx,
)


def _validate(tmp_path: Path, sheets, period: str = PERIOD):
    path = write_xlsx(tmp_path / "extract.xlsx", sheets)
    return validate_file(path=path, period=period)


def test_the_base_extract_is_valid(tmp_path: Path) -> None:
    result = _validate(tmp_path, base_sheets())
    assert result.errors == []
    assert result.rows == {"staff": 4, "leavers": 1, "vacancies": 1, "training": 1, "survey": 1,
                           "agency_assignments": 0}
    staff = result.frames["staff"].set_index("employee_id")
    assert staff.loc["E002", "age"] == 55  # born 31/03/1970, month end 31/03/2025
    assert staff.loc["E001", "ethnicity"] == "White"  # WBRI
    assert staff.loc["A003", "ethnicity"] == "Asian"  # ABAN
    assert bool(staff.loc["E004", "converted_from_agency"]) is True


# (sheet, excel row, header, new value, expected message fragment)
CELL_RULES = [
    ("Staff", 3, "FTE", 1.7, "must be more than 0 and at most 1"),
    ("Staff", 2, "FTE", 0, "must be more than 0 and at most 1"),
    ("Staff", 4, "FTE", "full", "must be a number"),
    ("Staff", 5, "Cases", -1, "must be at least 0"),
    ("Staff", 2, "Cases", 2.5, "must be a whole number"),
    ("Staff", 3, "Absence days", -0.5, "must be at least 0"),
    ("Staff", 4, "Start date", date(2025, 4, 1), "after the end of the month"),
    ("Staff", 2, "Start date", "31/02/2024", "is not a date"),
    ("Staff", 3, "Role group", "Wizard", "is not an allowed value"),
    ("Staff", 4, "Worker type", "Volunteer", "is not an allowed value"),
    ("Staff", 5, "Qualified social worker", "maybe", "must be Y or N"),
    ("Staff", 2, "Gender", "Unicorn", "is not an allowed value"),
    ("Staff", 3, "Ethnicity", "Martian", "not a recognised ethnic group"),
    ("Staff", 4, "Date of birth", date(2020, 1, 1), "gives an age of 5"),
    ("Staff", 5, "Team", None, "is blank"),
    ("Staff", 2, "Disability", "perhaps", "is not an allowed value"),
    ("Leavers", 2, "Leave date", date(2025, 2, 28), "outside the month"),
    ("Leavers", 2, "Leave date", date(2025, 4, 1), "outside the month"),
    ("Leavers", 2, "Reason", "Abducted by aliens", "is not an allowed value"),
    ("Leavers", 2, "Start date", date(2025, 3, 20), "after the leave date"),
    ("Vacancies", 2, "Vacant FTE", 0, "must be more than 0"),
    ("Vacancies", 2, "Covered by agency FTE", 2.5, "more than the vacant FTE"),
    ("Vacancies", 2, "Covered by agency FTE", -1, "must be at least 0"),
    ("Training", 2, "Completed date", date(2025, 4, 2), "after the end of the month"),
    ("Survey", 2, "Score", 120, "at most 100"),
    ("Survey", 2, "Respondents", -3, "at least 0"),
]


@pytest.mark.parametrize(("sheet", "row", "header", "value", "fragment"), CELL_RULES)
def test_each_rule_reports_sheet_row_and_column(tmp_path: Path, sheet: str, row: int,
                                                header: str, value: object,
                                                fragment: str) -> None:
    sheets = base_sheets()
    set_cell(sheets, sheet, row, header, value)
    result = _validate(tmp_path, sheets)
    assert not result.ok
    assert result.frames == {}, "no store frames when there are errors"
    hits = [p for p in result.errors if (p.sheet, p.row, p.column) == (sheet, row, header)]
    assert hits, f"expected {sheet} row {row}, {header}; got {[str(p) for p in result.errors]}"
    assert fragment in hits[0].message


def test_fte_message_reads_as_plain_english(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", 7 - 4, "FTE", 1.7)  # row 3
    sheets["Staff"] += [list(sheets["Staff"][1]) for _ in range(4)]  # rows 6-9
    for i, r in enumerate(sheets["Staff"][5:], start=6):
        r[0] = f"X{i}"
    set_cell(sheets, "Staff", 7, "FTE", 1.7)
    result = _validate(tmp_path, sheets)
    assert "Staff row 7, FTE: 1.7 — must be more than 0 and at most 1" in [
        str(p) for p in result.errors]


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", 2, "FTE", 3)
    set_cell(sheets, "Staff", 4, "Worker type", "??")
    set_cell(sheets, "Vacancies", 2, "Covered by agency FTE", 5)
    result = _validate(tmp_path, sheets)
    places = {(p.sheet, p.row, p.column) for p in result.errors}
    assert places == {("Staff", 2, "FTE"), ("Staff", 4, "Worker type"),
                      ("Vacancies", 2, "Covered by agency FTE")}


def test_duplicate_employee_id_reports_every_duplicate_row(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", 3, "Employee ID", "E001")
    set_cell(sheets, "Staff", 5, "Employee ID", " e001 ".upper().strip())
    result = _validate(tmp_path, sheets)
    dup = [p for p in result.errors if "more than once" in p.message]
    assert [(p.sheet, p.row, p.column, p.value) for p in dup] == [
        ("Staff", 2, "Employee ID", "E001"), ("Staff", 3, "Employee ID", "E001"),
        ("Staff", 5, "Employee ID", "E001")]
    assert "rows 2, 3, 5" in dup[0].message


def test_missing_required_column_names_it(tmp_path: Path) -> None:
    sheets = base_sheets()
    drop_column(sheets, "Staff", "FTE")
    result = _validate(tmp_path, sheets)
    hit = [p for p in result.errors if p.column == "FTE"]
    assert hit and hit[0].sheet == "Staff" and hit[0].row == 1
    assert "required column is missing" in hit[0].message


def test_missing_optional_column_is_fine(tmp_path: Path) -> None:
    sheets = base_sheets()
    drop_column(sheets, "Staff", "Cases")
    drop_column(sheets, "Staff", "Date of birth")
    result = _validate(tmp_path, sheets)
    assert result.ok
    assert result.frames["staff"]["cases"].isna().all()
    assert result.frames["staff"]["age"].isna().all()


@pytest.mark.parametrize("sheet", ["Staff", "Leavers", "Vacancies"])
def test_missing_required_sheet(tmp_path: Path, sheet: str) -> None:
    sheets = base_sheets()
    del sheets[sheet]
    result = _validate(tmp_path, sheets)
    hit = [p for p in result.errors if p.sheet == sheet]
    assert hit and hit[0].row is None and hit[0].column is None
    assert "missing" in hit[0].message


def test_leavers_and_vacancies_may_be_empty_optional_sheets_may_be_absent(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Leavers"] = sheets["Leavers"][:1]
    sheets["Vacancies"] = sheets["Vacancies"][:1]
    del sheets["Training"], sheets["Survey"]
    result = _validate(tmp_path, sheets)
    assert result.ok, result.report()
    assert result.rows["leavers"] == 0 and result.rows["training"] == 0


def test_staff_with_no_rows_is_an_error(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Staff"] = sheets["Staff"][:1]
    result = _validate(tmp_path, sheets)
    assert [(p.sheet, p.row) for p in result.errors] == [("Staff", None)]
    assert "has no rows" in result.errors[0].message


def test_period_column_must_match_the_period_given(tmp_path: Path) -> None:
    sheets = base_sheets()
    add_column(sheets, "Staff", "Reporting month", ["2025-03", "2025-03", "2025-02", "2025-03"])
    result = _validate(tmp_path, sheets)
    hit = [p for p in result.errors if p.column == "Reporting month"]
    assert [(p.sheet, p.row, p.value) for p in hit] == [("Staff", 4, "2025-02")]
    assert "2025-02" in hit[0].message and "2025-03" in hit[0].message


def test_period_column_matching_in_any_form_is_fine(tmp_path: Path) -> None:
    sheets = base_sheets()
    add_column(sheets, "Staff", "Period", [datetime(2025, 3, 31), "March 2025", "03/2025",
                                           "31/03/2025"])
    result = _validate(tmp_path, sheets)
    assert result.ok, result.report()


def test_excel_row_numbers_count_rows_above_the_header_and_blank_rows(tmp_path: Path) -> None:
    sheets = base_sheets()
    staff = sheets["Staff"]
    # a title row and a blank row above the header, a blank row inside the data
    sheets["Staff"] = [["Staff in post at 31 March 2025"], [], staff[0], staff[1], [],
                       staff[2], staff[3], staff[4]]
    staff[3][staff[0].index("FTE")] = 9  # staff[3] sits on Excel row 7
    result = _validate(tmp_path, sheets)
    assert [(p.sheet, p.row, p.column) for p in result.errors] == [("Staff", 7, "FTE")]


def test_two_columns_meaning_the_same_thing_is_an_error(tmp_path: Path) -> None:
    sheets = base_sheets()
    add_column(sheets, "Staff", "Payroll No", ["1", "2", "3", "4"])
    result = _validate(tmp_path, sheets)
    assert [(p.sheet, p.row, p.column) for p in result.errors] == [("Staff", 1, "Payroll No")]


def test_headcount_swing_is_a_warning_only(tmp_path: Path, tmp_db: Path) -> None:
    from ingest.loader import load_file
    from store import connect

    con = connect(tmp_db)
    sheets = base_sheets()
    for i in range(6):  # 10 staff in February
        row = list(sheets["Staff"][1])
        row[0] = f"F{i}"
        sheets["Staff"].append(row)
    for r in sheets["Staff"][1:]:
        r[7] = date(2019, 4, 1)
    sheets["Leavers"] = sheets["Leavers"][:1]
    sheets["Training"] = sheets["Training"][:1]
    feb = write_xlsx(tmp_path / "feb.xlsx", sheets)
    load_file(con=con, path=feb, period="2025-02", loaded_by="t")
    march = write_xlsx(tmp_path / "march.xlsx", base_sheets())  # 4 staff: -60%
    result = validate_file(path=march, period=PERIOD, con=con)
    assert result.ok
    swing = [w for w in result.warnings if "headcount" in w.message]
    assert len(swing) == 1 and "60%" in swing[0].message and "2025-02" in swing[0].message
    con.close()
