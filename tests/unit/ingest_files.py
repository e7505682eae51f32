"""Build real extract files (xlsx via openpyxl, zip of CSVs) for the ingest tests.

A valid March 2025 extract is `base_sheets()`: {sheet: [header, row, row, ...]} with Excel
row numbers header=1, first data row=2. Tests change one cell and assert the reported place.
"""

from __future__ import annotations

import copy
import csv
import io
import zipfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook

PERIOD = "2025-03"

_BASE: dict[str, list[list[object]]] = {
    "Staff": [
        ["Employee ID", "Team", "Service", "Role group", "Qualified social worker",
         "Worker type", "FTE", "Start date", "Cases", "Absence days", "Gender", "Ethnicity",
         "Date of birth", "Disability", "Lives in county", "Converted from agency"],
        ["E001", "Safeguarding 1", "Safeguarding and Family Support", "Social worker", "Y",
         "Permanent", 1, date(2019, 4, 1), 17, 0, "Female", "WBRI", date(1985, 6, 15), "N", "Y",
         "N"],
        ["E002", "Safeguarding 1", "Safeguarding and Family Support", "Team manager", "Y",
         "Fixed-term", 0.8, date(2022, 9, 5), None, 2.5, "Male", "White: Irish",
         date(1970, 3, 31), "Not known", "N", "N"],
        ["A003", "Children in Care 2", "Children in Care", "Social worker", "Y", "Agency", 1,
         date(2025, 1, 13), 22, 0, "Female", "ABAN", date(1990, 12, 1), "N", "N", "N"],
        ["E004", "Early Help North", "Early Help", "Family support / practitioner", "N",
         "Casual", 0.5, date(2024, 11, 1), 9, 1, "Not known", "Mixed", None, "Y", "Y", "Y"],
    ],
    "Leavers": [
        ["Employee ID", "Leave date", "Reason", "Team", "Service", "Role group",
         "Qualified social worker", "Worker type", "FTE", "Start date"],
        ["E900", date(2025, 3, 14), "Resignation", "Safeguarding 1",
         "Safeguarding and Family Support", "Social worker", "Y", "Permanent", 1,
         date(2021, 2, 1)],
    ],
    "Vacancies": [
        ["Team", "Service", "Role group", "Qualified social worker", "Vacant FTE",
         "Covered by agency FTE"],
        ["Safeguarding 1", "Safeguarding and Family Support", "Social worker", "Y", 2, 1],
    ],
    "Training": [
        ["Employee ID", "Course", "Category", "Completed date"],
        ["E001", "Working with risk", "Safeguarding", date(2025, 3, 12)],
    ],
    "Survey": [
        ["Team", "Measure", "Score", "Respondents"],
        ["All", "Engagement", 71.5, 88],
    ],
}


def base_sheets() -> dict[str, list[list[object]]]:
    """A fresh, valid March 2025 extract (deep copy: tests may change it)."""
    return copy.deepcopy(_BASE)


def set_cell(sheets: dict[str, list[list[object]]], sheet: str, row: int, header: str,
             value: object) -> None:
    """Set the cell at Excel `row` under `header` in `sheet`."""
    col = sheets[sheet][0].index(header)
    sheets[sheet][row - 1][col] = value


def drop_column(sheets: dict[str, list[list[object]]], sheet: str, header: str) -> None:
    """Remove a whole column (header and cells)."""
    col = sheets[sheet][0].index(header)
    for r in sheets[sheet]:
        del r[col]


def add_column(sheets: dict[str, list[list[object]]], sheet: str, header: str,
               values: list[object]) -> None:
    """Append a column: `values` for the data rows (padded with None)."""
    rows = sheets[sheet]
    rows[0].append(header)
    for i, r in enumerate(rows[1:]):
        r.append(values[i] if i < len(values) else None)


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Write `sheets` as a real .xlsx with openpyxl."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def _csv_cell(v: object) -> object:
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")  # UK text dates, as HR systems export them
    return "" if v is None else v


def write_csv_zip(path: Path, sheets: dict[str, list[list[object]]], *,
                  encoding: str = "utf-8", names: dict[str, str] | None = None) -> Path:
    """Write one CSV per sheet into a .zip (file names default to '<Sheet>.csv')."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, rows in sheets.items():
            buf = io.StringIO()
            w = csv.writer(buf)
            for r in rows:
                w.writerow([_csv_cell(v) for v in r])
            zf.writestr((names or {}).get(name, f"{name}.csv"), buf.getvalue().encode(encoding))
    return path
