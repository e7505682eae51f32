"""The contract declaration: matching of headers and values, aliases, UK dates, ethnicity codes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ingest import contract as C
from ingest.loader import validate_file
from ingest.template import LISTS_SHEET, write_template
from tests.unit.ingest_files import PERIOD, base_sheets, write_csv_zip, write_xlsx


def test_normalise_key_ignores_case_space_and_punctuation() -> None:
    assert C.normalise_key("Fixed Term") == C.normalise_key("Fixed-term") == "fixedterm"
    assert C.normalise_key("PAYROLL_NO") == C.normalise_key("Payroll No")
    assert C.normalise_key("  D.O.B. ") == "dob"


@pytest.mark.parametrize(("header", "column"), [
    ("Employee Number", "employee_id"), ("Payroll No", "employee_id"),
    ("PAYROLL_NO", "employee_id"), ("Staff ID", "employee_id"),
    ("Contract Type", "worker_type"), ("Employment Type", "worker_type"),
    ("Worker Type", "worker_type"), ("DOB", "date_of_birth"), ("Hours FTE", "fte"),
    ("FTE", "fte"), ("Caseload", "cases"), ("qualified_social_worker", "qualified_social_worker"),
])
def test_staff_header_aliases(header: str, column: str) -> None:
    col = C.column_for(C.SHEETS["Staff"], header)
    assert col is not None and col.name == column


def test_every_sheet_and_column_is_fully_declared() -> None:
    assert list(C.SHEETS) == ["Staff", "Leavers", "Vacancies", "Training", "Survey",
                              "Agency assignments"]
    assert C.REQUIRED_SHEETS == ("Staff", "Leavers", "Vacancies")
    assert not C.SHEETS["Staff"].may_be_empty and C.SHEETS["Leavers"].may_be_empty
    for sheet in C.SHEETS.values():
        seen: set[str] = set()
        for col in sheet.columns:
            assert col.kind in C.KINDS and col.label and col.help and col.example
            assert not (col.header_keys & seen), f"{sheet.name}.{col.name} alias clash"
            seen |= col.header_keys
            if col.kind == "choice":
                assert col.choices
        stored = {c.store_as for c in sheet.columns if c.store_as}
        assert set(C.STORE_COLUMNS[sheet.table]) <= stored | {"age"}


def test_controlled_lists() -> None:
    assert C.WORKER_TYPES == ("Permanent", "Fixed-term", "Casual", "Agency")
    assert "Casual" in C.EMPLOYED_WORKER_TYPES and "Agency" not in C.EMPLOYED_WORKER_TYPES
    assert "End of fixed-term contract" in C.LEAVER_REASONS
    assert C.ETHNIC_GROUPS == ("White", "Mixed", "Asian", "Black", "Other", "Not known")


@pytest.mark.parametrize(("value", "group"), [
    ("WBRI", "White"), ("wiri", "White"), ("WIRT", "White"), ("WROM", "White"),
    ("MWBC", "Mixed"), ("MWAS", "Mixed"), ("AIND", "Asian"), ("APKN", "Asian"),
    ("CHNE", "Asian"), ("BCRB", "Black"), ("BAFR", "Black"), ("OOTH", "Other"),
    ("REFU", "Not known"), ("NOBT", "Not known"),
    ("White: English, Welsh, Scottish, Northern Irish or British", "White"),
    ("Mixed or Multiple ethnic groups: White and Asian", "Mixed"),
    ("Asian, Asian British or Asian Welsh: Bangladeshi", "Asian"),
    ("Black, Black British, Black Welsh, Caribbean or African: African", "Black"),
    ("Other ethnic group: Arab", "Other"), ("Prefer not to say", "Not known"),
    ("Martian", None), ("", None),
])
def test_ethnicity_labels_and_codes(value: str, group: str | None) -> None:
    assert C.ethnic_group(value) == group


@pytest.mark.parametrize("header", ["Name", "Full Name", "Forename", "First name", "Surname",
                                    "Last Name", "E-mail", "Email Address", "Manager Name",
                                    "NI Number", "Postcode"])
def test_personal_headers_are_recognised(header: str) -> None:
    assert C.is_personal_header(header)
    assert C.column_for(C.SHEETS["Staff"], header) is None


def test_aliases_uk_dates_flags_and_loose_values_in_a_workbook(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Staff"][0][:8] = ["PAYROLL_NO", "Team Name", "Service Area", "Job Family", "QSW",
                              "Employment Type", "Hours FTE", "Date Started"]
    staff = sheets["Staff"]
    staff[0][12] = "DOB"
    staff[1][4], staff[1][5], staff[1][7] = "yes", "fixed term", "01/04/2019"
    staff[2][4], staff[2][5], staff[2][7] = "TRUE", "PERMANENT ", "2022-09-05"
    staff[3][4], staff[3][3], staff[3][12] = 1, "social  worker", "01/12/1990"
    staff[4][4], staff[4][14] = "n", "No"
    staff[1][0] = 1234.0  # a payroll number typed as a number
    result = validate_file(path=write_xlsx(tmp_path / "a.xlsx", sheets), period=PERIOD)
    assert result.ok, result.report()
    st = result.frames["staff"]
    assert list(st["employee_id"]) == ["1234", "E002", "A003", "E004"]
    assert list(st["worker_type"]) == ["Fixed-term", "Permanent", "Agency", "Casual"]
    assert list(st["qualified_social_worker"]) == [True, True, True, False]
    assert list(st["start_date"].dt.date) == [date(2019, 4, 1), date(2022, 9, 5),
                                            date(2025, 1, 13), date(2024, 11, 1)]
    assert st["age"].tolist()[2] == 34  # born 01/12/1990 -> 34 at 31/03/2025
    assert st["lives_in_county"].tolist()[3] is False or st["lives_in_county"].tolist()[3] == False  # noqa: E712


def test_sheet_names_match_insensitively(tmp_path: Path) -> None:
    sheets = base_sheets()
    renamed = {"STAFF": sheets["Staff"], "leavers ": sheets["Leavers"],
               "Vacancies": sheets["Vacancies"]}
    result = validate_file(path=write_xlsx(tmp_path / "a.xlsx", renamed), period=PERIOD)
    assert result.ok, result.report()


def test_zip_of_csvs_with_any_case_file_names_and_uk_dates(tmp_path: Path) -> None:
    path = write_csv_zip(tmp_path / "extract.zip", base_sheets(),
                         names={"Staff": "staff.CSV", "Leavers": "LEAVERS.csv"})
    result = validate_file(path=path, period=PERIOD)
    assert result.ok, result.report()
    assert result.rows["staff"] == 4
    assert result.frames["leavers"]["leave_date"].dt.date.tolist() == [date(2025, 3, 14)]


def test_unknown_and_name_columns_are_warnings_and_dropped(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Staff"][0] += ["Full Name", "Email", "Grade"]
    for r in sheets["Staff"][1:]:
        r += ["Ann Example", "ann@example.org", "SW2"]
    result = validate_file(path=write_xlsx(tmp_path / "a.xlsx", sheets), period=PERIOD)
    assert result.ok
    msgs = {w.column: w.message for w in result.warnings}
    assert "never stored" in msgs["Full Name"] and "never stored" in msgs["Email"]
    assert "ignored" in msgs["Grade"]
    flat = [str(v) for v in result.frames["staff"].to_numpy().ravel()]
    assert not any("Ann Example" in v or "example.org" in v for v in flat)


def test_formula_like_text_is_kept_as_inert_text(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", base_sheets())
    wb = load_workbook(path)
    cell = wb["Staff"]["B2"]
    cell.value = "=cmd|' /C calc'!A0"
    cell.data_type = "s"  # typed as text, as a hostile export would
    wb["Staff"]["B3"] = "=1+1"  # a real formula: never evaluated by us (no cached value)
    wb.save(path)
    result = validate_file(path=path, period=PERIOD)
    assert [(p.row, p.column) for p in result.errors] == [(3, "Team")]
    assert "formula whose value was never saved" in result.errors[0].message
    sheets = base_sheets()
    sheets["Staff"][1][1] = "@SUM(1+1)*cmd|' /C calc'!A0"
    result = validate_file(path=write_xlsx(tmp_path / "b.xlsx", sheets), period=PERIOD)
    assert result.ok
    assert result.frames["staff"]["team"].iloc[0] == "@SUM(1+1)*cmd|' /C calc'!A0"


def test_datetime_cells_and_excel_serials_are_dates(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["Staff"][1][7] = datetime(2019, 4, 1, 0, 0)
    sheets["Staff"][2][7] = 44809  # 05/09/2022 as an Excel serial without a date format
    result = validate_file(path=write_xlsx(tmp_path / "a.xlsx", sheets), period=PERIOD)
    assert result.ok, result.report()
    assert result.frames["staff"]["start_date"].dt.date.tolist()[:2] == [date(2019, 4, 1),
                                                                        date(2022, 9, 5)]


def test_template_has_every_sheet_dropdowns_and_instructions(tmp_path: Path) -> None:
    out = write_template(path=tmp_path / "template.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Instructions"
    for sheet in C.SHEETS.values():
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == [col.label for col in sheet.columns]
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.bold
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        listed_cols = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in lists}
        for pos, col in enumerate(sheet.columns, start=1):
            if col.kind in ("choice", "flag"):
                from openpyxl.utils import get_column_letter
                assert get_column_letter(pos) in listed_cols, f"{sheet.name}.{col.name}"
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    roles = [wb[LISTS_SHEET].cell(row=i, column=c).value
             for c in range(1, wb[LISTS_SHEET].max_column + 1) for i in range(1, 9)]
    assert set(C.ROLE_GROUPS) <= set(roles)
    info = wb["Instructions"]
    text = " ".join(str(c.value) for row in info.iter_rows() for c in row if c.value)
    for sheet in C.SHEETS.values():
        for col in sheet.columns:
            assert col.label in text and col.help in text
    assert "Permanent, Fixed-term, Casual, Agency" in text
