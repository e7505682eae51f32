"""The Agency assignments sheet: declared like every sheet, one error per problem, nothing written.

Every test writes a real .xlsx (openpyxl) with the valid March 2025 extract plus an Agency
assignments sheet and changes one thing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest import contract as C
from ingest.loader import ExtractRejected, load_file, validate_file
from tests.unit.ingest_files import PERIOD, base_sheets, set_cell, write_xlsx

SHEET = "Agency assignments"
HEADER = ["Agency reference", "SWE registration number", "Agency", "Job type",
          "Hourly charge rate", "Hours in month", "Assignment start", "Planned end",
          "Notice period (weeks)", "Date qualified", "Years PQE", "Practice references received",
          "Project team", "Cap breach sign-off date", "Cap breach signed off by"]
ROW = ["A003", "SW100200", "Acme Social Care", "Social worker", 45.5, 150, date(2025, 1, 13),
       date(2025, 7, 11), 4, date(2015, 6, 1), None, 2, "N", None, None]


def _sheets(*rows: list) -> dict:
    sheets = base_sheets()
    sheets[SHEET] = [list(HEADER)] + [list(r) for r in (rows or [ROW])]
    return sheets


def _validate(tmp_path: Path, sheets):
    return validate_file(path=write_xlsx(tmp_path / "extract.xlsx", sheets), period=PERIOD)


def test_the_sheet_is_declared_with_aliases_dropdowns_and_help() -> None:
    sheet = C.SHEETS[SHEET]
    assert not sheet.required and sheet.table == "agency_assignments"
    assert C.sheet_for("MSP report") is sheet
    assert sheet.column("job_type").choices == C.AGENCY_JOB_TYPES
    assert C.column_for(sheet, "Charge Rate").name == "hourly_rate"
    assert C.column_for(sheet, "SWE No").name == "swe_registration"
    assert C.choice_lookup(sheet.column("job_type"))["iro"] == "IRO / child protection chair"
    assert all(col.help for col in sheet.columns)


def test_a_valid_sheet_is_shaped_for_the_store(tmp_path: Path) -> None:
    hdr = list(HEADER)
    hdr[0], hdr[4], hdr[3] = "Candidate ID", "Charge rate", "Role"  # aliases
    sheets = _sheets(["A003", "SW100200", "Acme", "IRO", 45.5, 150, date(2025, 1, 13), None, 4,
                      None, 7, 2, "Y", date(2025, 2, 1), "DCS & CEO"])
    sheets[SHEET][0] = hdr
    result = _validate(tmp_path, sheets)
    assert result.errors == []
    assert result.rows["agency_assignments"] == 1
    row = result.frames["agency_assignments"].iloc[0]
    assert (row.employee_id, row.job_type, row.hourly_rate, row.years_pqe) == (
        "A003", "IRO / child protection chair", 45.5, 7.0)
    assert bool(row.project_team) and row.cap_signoff_by == "DCS and chief executive"


# (header, new value, expected fragment) on the one data row (Excel row 2)
CELL_RULES = [
    ("Agency reference", "E001", "is Permanent on the Staff sheet, not Agency"),
    ("Agency reference", "Z999", "is not on the Staff sheet"),
    ("SWE registration number", None, "must have a Social Work England registration number"),
    ("SWE registration number", "12345", "is not a Social Work England registration number"),
    ("Agency", None, "is blank"),
    ("Job type", "Wizard", "is not an allowed value"),
    ("Hourly charge rate", 0, "must be more than 0 and at most 500"),
    ("Hourly charge rate", 4550, "must be more than 0 and at most 500"),
    ("Hours in month", -3, "must be at least 0 and at most 744"),
    ("Assignment start", date(2025, 4, 2), "is after the end of the month"),
    ("Planned end", date(2024, 12, 31), "is before the assignment start (13/01/2025)"),
    ("Notice period (weeks)", "a month", "must be a number"),
    ("Date qualified", None, "is blank and so is Years PQE"),
    ("Date qualified", date(2025, 5, 1), "is after the end of the month"),
    ("Practice references received", 1.5, "must be a whole number"),
    ("Project team", "perhaps", "must be Y or N"),
    # the error names the blank partner cell
    ("Cap breach sign-off date", date(2025, 3, 3), "say who signed the cap breach off"),
    ("Cap breach signed off by", "DCS only", "add the date it was signed off"),
    ("Cap breach signed off by", "The mayor", "is not an allowed value"),
]


@pytest.mark.parametrize(("header", "value", "fragment"), CELL_RULES)
def test_each_rule_gives_one_error_naming_the_cell(tmp_path: Path, header: str, value: object,
                                                  fragment: str) -> None:
    sheets = _sheets()
    set_cell(sheets, SHEET, 2, header, value)
    errors = _validate(tmp_path, sheets).errors
    assert len(errors) == 1, [str(e) for e in errors]
    partner = {"Cap breach sign-off date": "Cap breach signed off by",
               "Cap breach signed off by": "Cap breach sign-off date"}
    column = partner[header] if "signed off" in fragment or "who signed" in fragment else header
    assert (errors[0].sheet, errors[0].row, errors[0].column) == (SHEET, 2, column)
    assert fragment in errors[0].message


def test_other_job_types_need_no_registration_or_qualification(tmp_path: Path) -> None:
    row = list(ROW)
    row[1], row[3], row[9] = None, "Other", None
    assert _validate(tmp_path, _sheets(row)).errors == []


def test_duplicates_and_a_missing_required_column(tmp_path: Path) -> None:
    result = _validate(tmp_path, _sheets(ROW, ROW))
    assert [(e.row, "more than once" in e.message) for e in result.errors] == [(2, True), (3, True)]
    sheets = _sheets()
    for r in sheets[SHEET]:
        del r[HEADER.index("Notice period (weeks)")]
    errors = _validate(tmp_path, sheets).errors
    assert len(errors) == 1 and "required column is missing" in errors[0].message


def test_an_error_in_the_sheet_writes_nothing(tmp_path: Path, tmp_db: Path) -> None:
    from store import connect

    sheets = _sheets()
    set_cell(sheets, SHEET, 2, "Agency reference", "Z999")
    con = connect(tmp_db)
    try:
        with pytest.raises(ExtractRejected):
            load_file(con=con, path=write_xlsx(tmp_path / "bad.xlsx", sheets), period=PERIOD,
                      loaded_by="hr")
        assert con.execute("SELECT count(*) FROM staff").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM agency_assignments").fetchone()[0] == 0
        load_file(con=con, path=write_xlsx(tmp_path / "good.xlsx", _sheets()), period=PERIOD,
                  loaded_by="hr")
        assert con.execute("SELECT employee_id, hourly_rate FROM agency_assignments").fetchall() == [
            ("A003", 45.5)]
    finally:
        con.close()
