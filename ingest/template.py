"""The blank extract template HR fills in, written from the contract declaration.

Why generated: the template, the validator and the Instructions sheet read the same `SHEETS`, so
they cannot drift apart. Dropdowns keep controlled values right at the source.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ingest import contract as C

LISTS_SHEET = "Lists"
INSTRUCTIONS_SHEET = "Instructions"
_ROWS_WITH_VALIDATION = 5000
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def _dropdown_values(col: C.Column) -> tuple[str, ...]:
    if col.kind == "choice":
        return col.choices
    if col.kind == "flag":
        return C.YES_NO
    return ()


def build_template() -> Workbook:
    """The template as an openpyxl Workbook (Instructions first, then one sheet per contract sheet)."""
    wb = Workbook()
    info = wb.active
    info.title = INSTRUCTIONS_SHEET
    lists = wb.create_sheet(LISTS_SHEET)
    list_ranges: dict[tuple[str, ...], str] = {}

    def list_range(values: tuple[str, ...]) -> str:
        if values not in list_ranges:
            col = len(list_ranges) + 1
            letter = get_column_letter(col)
            for i, v in enumerate(values, start=1):
                lists.cell(row=i, column=col, value=v)
            list_ranges[values] = (f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:"
                                   f"${letter}${len(values)}")
        return list_ranges[values]

    for sheet in C.SHEETS.values():
        ws = wb.create_sheet(sheet.name)
        for pos, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=pos, value=col.label)
            cell.font = Font(bold=True)
            cell.fill = _REQUIRED_FILL if col.required else _HEADER_FILL
            ws.column_dimensions[get_column_letter(pos)].width = max(14, len(col.label) + 4)
            letter = get_column_letter(pos)
            rng = f"{letter}2:{letter}{_ROWS_WITH_VALIDATION}"
            values = _dropdown_values(col) or col.suggestions
            if values:
                dv = DataValidation(type="list", formula1=f"={list_range(tuple(values))}",
                                    allow_blank=not col.required)
                if col.suggestions and not _dropdown_values(col):
                    dv.showErrorMessage = False  # suggestions only: other values are allowed
                else:
                    dv.showErrorMessage = True
                    dv.errorTitle = col.label
                    dv.error = f"{col.label}: {col.allowed_text()}"
                dv.promptTitle = col.label
                dv.prompt = col.help[:250]
                dv.showInputMessage = True
                ws.add_data_validation(dv)
                dv.add(rng)
            elif col.kind in ("number", "whole"):
                dv = DataValidation(type="decimal" if col.kind == "number" else "whole",
                                    operator="greaterThanOrEqual",
                                    formula1=str(col.minimum if col.minimum is not None else 0),
                                    allow_blank=not col.required)
                if col.maximum is not None:
                    dv.operator = "between"
                    dv.formula2 = str(col.maximum)
                dv.showErrorMessage = True
                dv.errorTitle = col.label
                dv.error = f"{col.label}: {col.allowed_text()}"
                ws.add_data_validation(dv)
                dv.add(rng)
            if col.kind == "date":
                for r in range(2, 3):
                    ws.cell(row=r, column=pos).number_format = "DD/MM/YYYY"
        ws.freeze_panes = "A2"

    # Instructions
    info["A1"] = "Monthly workforce extract — how to fill this template"
    info["A1"].font = Font(bold=True, size=14)
    info["A2"] = ("One workbook per reporting month. Keep the sheet names and header row. "
                  "Staff, Leavers and Vacancies are required (Leavers and Vacancies may have no "
                  "rows); Training and Survey are optional. Never add names or email addresses: "
                  "Employee ID is the only personal key. Dates as Excel dates or dd/mm/yyyy.")
    info["A2"].alignment = Alignment(wrap_text=True)
    info.merge_cells("A2:G2")
    info.row_dimensions[2].height = 60
    header = ("Sheet", "Column", "Required?", "What it means", "Allowed values", "Example",
              "Other accepted headers")
    for pos, text in enumerate(header, start=1):
        c = info.cell(row=4, column=pos, value=text)
        c.font = Font(bold=True)
        c.fill = _HEADER_FILL
    r = 5
    for sheet in C.SHEETS.values():
        info.cell(row=r, column=1, value=sheet.name).font = Font(bold=True)
        info.cell(row=r, column=4, value=sheet.description + (
            "" if sheet.required else " (optional sheet)"))
        r += 1
        for col in sheet.columns:
            info.cell(row=r, column=1, value=sheet.name)
            info.cell(row=r, column=2, value=col.label)
            info.cell(row=r, column=3, value="Required" if col.required else "Optional")
            info.cell(row=r, column=4, value=col.help)
            allowed = col.allowed_text()
            if col.suggestions:
                allowed += " (for example " + ", ".join(col.suggestions) + ")"
            info.cell(row=r, column=5, value=allowed)
            info.cell(row=r, column=6, value=col.example)
            info.cell(row=r, column=7, value=", ".join(col.aliases))
            for c in range(1, 8):
                info.cell(row=r, column=c).alignment = Alignment(wrap_text=True, vertical="top")
            r += 1
    for letter, width in zip("ABCDEFG", (12, 24, 11, 60, 45, 22, 45)):
        info.column_dimensions[letter].width = width
    info.freeze_panes = "A5"
    lists.sheet_state = "hidden"
    # keep Instructions first, Lists last
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    return wb


def write_template(*, path: str | Path) -> Path:
    """Write the template to `path` (.xlsx) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_template().save(path)
    return path


def template_bytes() -> bytes:
    """The template as bytes (for a download button)."""
    buf = io.BytesIO()
    build_template().save(buf)
    return buf.getvalue()
