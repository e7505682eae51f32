"""Downloads that are safe to open in Excel: every table leaves the app through here.

Why: a text cell starting with = + - @ (or a tab / carriage return) is run as a formula by
spreadsheet programs (CSV/formula injection, OWASP). Text cells like that get a leading
apostrophe; numbers stay numbers so totals still work.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Make one cell inert: text that a spreadsheet would run as a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell (and header) neutralised; numbers untouched."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM so Excel reads accents) of a neutralised copy of `frame`."""
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")


def _cell(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (date, datetime, int, float, bool)):
        return value
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return neutralise(str(value))


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame] | pd.DataFrame, *, title: str | None = None) -> bytes:
    """An .xlsx workbook with one sheet per frame; text neutralised, numbers kept numeric."""
    if isinstance(sheets, pd.DataFrame):
        sheets = {"Data": sheets}
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        row0 = 1
        if title:
            ws.cell(row=1, column=1, value=neutralise(title)).font = Font(bold=True, size=12)
            row0 = 3
        for j, col in enumerate(frame.columns, start=1):
            ws.cell(row=row0, column=j, value=neutralise(str(col))).font = Font(bold=True)
            ws.column_dimensions[get_column_letter(j)].width = max(12, min(60, len(str(col)) + 4))
        for i, row in enumerate(frame.itertuples(index=False), start=row0 + 1):
            for j, value in enumerate(row, start=1):
                ws.cell(row=i, column=j, value=_cell(value))
        ws.freeze_panes = ws.cell(row=row0 + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
