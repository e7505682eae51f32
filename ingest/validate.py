"""Validate an extract against the contract and shape it for the store, reporting every problem.

Why it works on distinct values: a 100,000-row extract has only a handful of distinct FTEs,
roles or flags, so each column is factorised and each *distinct* cell converted once in Python;
the rules themselves are vectorised pandas/numpy. Row numbers are the ones Excel shows.

Nothing here writes to the store; `con` is only read (previous month's headcount).
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from ingest import contract as C
from ingest.problems import PeriodError, Problem
from ingest.reader import FORMULA_WITHOUT_VALUE, RawSheet
from store import periods
from store.periods import month_end

HEADCOUNT_SWING = 0.20  # warn when Staff headcount moves more than this from the previous month
#: longest text a text column accepts (a team, a course title); longer is a paste gone wrong
MAX_TEXT_LENGTH = 255
_SHOWN_VALUE = 80  # a problem quotes at most this much of a cell
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)
_NAT = np.datetime64("NaT", "D")

_UK_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T]0{1,2}:00(?::00)?)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_PERIOD_RE = re.compile(r"(\d{4})-(\d{1,2})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[/\-.](\d{4})")
_MONTH_NAMES = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTH_NAMES.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH_NAMES["sept"] = 9
_NAMED_MONTH = re.compile(r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?([A-Za-z]+)[\s,\-]+(\d{4})")
_SWE_NUMBER = re.compile(r"SW\d{1,8}")


# --------------------------------------------------------------------------- period


def parse_period(period: str | date) -> date:
    """'YYYY-MM' (or a date) -> the first day of that month (store.periods, strictly as typed by
    a person); the loader's PeriodError when it is not one."""
    try:
        return periods.parse_period(period, strict=True)
    except periods.PeriodError as exc:
        raise PeriodError(str(exc)) from None


def _fmt_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _period_of(value: object) -> tuple[int, int] | None:
    """The (year, month) a 'period' cell states, or None when it cannot be read."""
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.year, value.month
    if isinstance(value, float) and value.is_integer() and 1 < value < 2958466:
        d = _EXCEL_EPOCH + timedelta(days=int(value))
        return d.year, d.month
    text = str(value).strip()
    d = _parse_date_text(text)
    if d is not None:
        return d.year, d.month
    for rx in (_PERIOD_RE, ):
        m = rx.fullmatch(text)
        if m and 1 <= int(m.group(2)) <= 12:
            return int(m.group(1)), int(m.group(2))
    m = _MONTH_YEAR.fullmatch(text)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(2)), int(m.group(1))
    m = _NAMED_MONTH.fullmatch(text)
    if m and m.group(1).lower() in _MONTH_NAMES:
        return int(m.group(2)), _MONTH_NAMES[m.group(1).lower()]
    return None


# --------------------------------------------------------------------------- cell converters
# Each converter takes one distinct cell value and returns (value, status):
# status 0 = ok, 1 = blank, 2 = invalid; then invalid for a reason with its own message, and
# "ok, but worth a word" (the value is kept; a warning says how it was read).

_OK, _BLANK, _BAD = 0, 1, 2
_BAD_COMMA = 3  # "1,7": a decimal comma (or a comma that is no thousands grouping)
_TOO_LONG = 4  # text longer than MAX_TEXT_LENGTH
_CELL_ISSUE = 5  # an Excel error value or a formula with no saved value (RawSheet.issues)
_NOTE_GROUPED = 6  # "1,500" read as 1500
_NOTE_DAY_MONTH = 7  # "03/04/2020" read as 3 April (UK), not 4 March
_OKS = (_OK, _NOTE_GROUPED, _NOTE_DAY_MONTH)


def _is_missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT or (
        isinstance(v, (np.datetime64,)) and np.isnat(v))


def cell_text(v: object) -> str:
    """How a cell reads as text: trimmed; 12345.0 -> '12345'; dates -> yyyy-mm-dd."""
    if _is_missing(v):
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def _conv_text(v: object) -> tuple[Any, int]:
    t = cell_text(v)
    if len(t) > MAX_TEXT_LENGTH:
        return None, _TOO_LONG
    return (t, _OK) if t else (None, _BLANK)


def _conv_number(v: object) -> tuple[Any, int]:
    if _is_missing(v):
        return None, _BLANK
    if isinstance(v, bool):
        return None, _BAD
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return (f, _OK) if math.isfinite(f) else (None, _BAD)
    if isinstance(v, str):
        t = v.strip()
        if not t:
            return None, _BLANK
        status = _OK
        if "," in t:  # only a valid thousands grouping, and that is worth a word
            if not _THOUSANDS.fullmatch(t):
                return None, _BAD_COMMA
            t, status = t.replace(",", ""), _NOTE_GROUPED
        try:
            f = float(t)
        except ValueError:
            return None, _BAD
        return (f, status) if math.isfinite(f) else (None, _BAD)
    return None, _BAD


def _conv_whole(v: object) -> tuple[Any, int]:
    f, st = _conv_number(v)
    if st not in _OKS:
        return f, st
    return (f, st) if float(f).is_integer() else (None, _BAD)


def _parse_date_text(t: str) -> date | None:
    m = _UK_DATE.fullmatch(t)
    try:
        if m:
            d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
            year = int(y) if len(y) == 4 else (2000 + int(y) if int(y) < 70 else 1900 + int(y))
            return date(year, mo, d)
        m = _ISO_DATE.fullmatch(t)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def _conv_date(v: object) -> tuple[Any, int]:
    if _is_missing(v):
        return None, _BLANK
    if isinstance(v, (pd.Timestamp, datetime)):
        return np.datetime64(v.date(), "D"), _OK
    if isinstance(v, date):
        return np.datetime64(v, "D"), _OK
    if isinstance(v, bool):
        return None, _BAD
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if f.is_integer() and 1 <= f <= 2958465:  # an Excel serial date that lost its format
            return np.datetime64(_EXCEL_EPOCH + timedelta(days=int(f)), "D"), _OK
        return None, _BAD
    if isinstance(v, str):
        t = v.strip()
        if not t:
            return None, _BLANK
        d = _parse_date_text(t)
        if d is None:
            return None, _BAD
        m = _UK_DATE.fullmatch(t)
        ambiguous = m is not None and d.day <= 12 and d.day != d.month
        return np.datetime64(d, "D"), _NOTE_DAY_MONTH if ambiguous else _OK
    return None, _BAD


def _conv_flag(v: object) -> tuple[Any, int]:
    if _is_missing(v):
        return None, _BLANK
    if isinstance(v, bool):
        return v, _OK
    key = C.normalise_key(cell_text(v))
    if not key:
        return None, _BLANK
    if key in C.FLAG_TRUE:
        return True, _OK
    if key in C.FLAG_FALSE:
        return False, _OK
    return None, _BAD


def _choice_converter(col: C.Column) -> Callable[[object], tuple[Any, int]]:
    if col.name == "ethnicity":
        def conv(v: object) -> tuple[Any, int]:
            t = cell_text(v)
            if not t:
                return None, _BLANK
            g = C.ethnic_group(t)
            return (g, _OK) if g else (None, _BAD)
        return conv
    lookup = C.choice_lookup(col)

    def conv(v: object) -> tuple[Any, int]:
        t = cell_text(v)
        if not t:
            return None, _BLANK
        hit = lookup.get(C.normalise_key(t))
        return (hit, _OK) if hit else (None, _BAD)
    return conv


_CONVERTERS: dict[str, Callable[[object], tuple[Any, int]]] = {
    "text": _conv_text, "number": _conv_number, "whole": _conv_whole, "date": _conv_date,
    "flag": _conv_flag,
}


def _convert(series: pd.Series, conv: Callable[[object], tuple[Any, int]], kind: str
             ) -> tuple[np.ndarray, np.ndarray]:
    """Convert a column; returns (values, status) arrays aligned with `series`.

    Uniform columns (all text, all numbers, all dates) take a vectorised path; anything else
    converts each *distinct* value once.
    """
    arr = series.to_numpy(dtype=object)
    fast = _fast_convert(arr, kind)
    if fast is not None:
        return fast
    return _convert_uniques(arr, conv, kind)


def _convert_uniques(arr: np.ndarray, conv: Callable[[object], tuple[Any, int]], kind: str
                     ) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    results = [conv(u) for u in uniques]
    status_u = np.array([r[1] for r in results] + [_BLANK], dtype=np.int8)
    if kind == "date":
        vals_u = np.array([r[0] if r[1] in _OKS else _NAT for r in results] + [_NAT],
                          dtype="datetime64[D]")
    elif kind in ("number", "whole", "flag"):  # flags as 1.0 / 0.0 / nan
        vals_u = np.array([float(r[0]) if r[1] in _OKS else np.nan for r in results] + [np.nan],
                          dtype=float)
    else:
        vals_u = np.empty(len(results) + 1, dtype=object)
        for i, r in enumerate(results):
            vals_u[i] = r[0] if r[1] in _OKS else None
        vals_u[-1] = None
    return vals_u[codes], status_u[codes]


def _fast_convert(arr: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Vectorised conversion of a uniformly typed column, or None to fall back."""
    if kind not in ("text", "number", "whole", "date") or len(arr) < 64:
        return None
    inferred = pd.api.types.infer_dtype(arr, skipna=True)
    if kind == "text" and inferred == "string":
        codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        stripped = pd.Series(uniques, dtype=object).str.strip().to_numpy(dtype=object, copy=True)
        blank_u = np.append(stripped == "", True)
        long_u = np.append(pd.Series(stripped, dtype=object).str.len().to_numpy() > MAX_TEXT_LENGTH,
                           False)
        vals_u = np.append(stripped, None)
        vals_u[blank_u | long_u] = None
        status_u = np.where(long_u, _TOO_LONG, np.where(blank_u, _BLANK, _OK)).astype(np.int8)
        return vals_u[codes], status_u[codes]
    if kind in ("number", "whole") and inferred in ("floating", "integer",
                                                   "mixed-integer-float"):
        try:
            vals = np.array(arr, dtype=float)  # None -> nan
        except TypeError:  # pd.NA and friends
            src = arr.copy()
            src[pd.isna(arr)] = np.nan
            vals = np.array(src, dtype=float)
        status = np.where(np.isnan(vals), _BLANK, _OK).astype(np.int8)
        bad = np.isinf(vals)
        if kind == "whole":
            with np.errstate(invalid="ignore"):
                bad |= ~np.isnan(vals) & (vals != np.round(vals))
        status[bad] = _BAD
        vals[bad] = np.nan
        return vals, status
    if kind == "date" and inferred in ("datetime", "datetime64", "date"):
        try:
            vals = pd.to_datetime(pd.Series(arr, dtype=object)).to_numpy().astype(
                "datetime64[D]", copy=True)
        except (ValueError, TypeError, OverflowError):
            return None
        status = np.where(np.isnat(vals), _BLANK, _OK).astype(np.int8)
        return vals, status
    if kind == "date" and inferred == "string":
        na = pd.isna(arr)
        s = pd.Series(arr, dtype=object).str.strip()
        parsed = pd.to_datetime(s, format="%d/%m/%Y", errors="coerce")
        vals = parsed.to_numpy().astype("datetime64[D]", copy=True)
        todo = np.isnat(vals) & ~na
        status = np.where(na, _BLANK, _OK).astype(np.int8)
        day, month = parsed.dt.day.to_numpy(), parsed.dt.month.to_numpy()
        with np.errstate(invalid="ignore"):
            status[~np.isnat(vals) & (day <= 12) & (day != month)] = _NOTE_DAY_MONTH
        if todo.any():
            rest_v, rest_s = _convert_uniques(arr[todo], _conv_date, "date")
            vals[todo] = rest_v
            status[todo] = rest_s
        return vals, status
    return None


def _blank_mask(series: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    blank_u = np.array([cell_text(u) == "" for u in uniques] + [True], dtype=bool)
    return blank_u[codes]


# --------------------------------------------------------------------------- result


@dataclass
class Validation:
    """Everything found about one extract. `frames` is filled only when there are no errors."""

    period: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # table -> store-shaped
    rows: dict[str, int] = field(default_factory=dict)  # table -> data rows
    #: HR-only rows (employee_id, swe_number) for C.RESTRICTED_TABLE, never in `frames`
    restricted: pd.DataFrame | None = None
    sha256: str | None = None
    file_name: str | None = None
    #: the other loaded month whose staff rows this file repeats (set by the loader)
    repeat_of: str | None = None

    @property
    def ok(self) -> bool:
        """True when the extract can be loaded (warnings never block)."""
        return not self.errors

    @property
    def problems(self) -> list[Problem]:
        """Errors first, then warnings."""
        return list(self.errors) + list(self.warnings)

    def report(self) -> str:
        """A plain-text report, one problem per line, for the CLI and logs."""
        lines = [f"ERROR   {p}" for p in self.errors] + [f"WARNING {p}" for p in self.warnings]
        return "\n".join(lines)


# --------------------------------------------------------------------------- sheets -> tables


@dataclass
class _Grid:
    """A sheet's header and data, positionally; `excel_rows[i]` is data row i's Excel number."""

    name: str  # as the user named it
    headers: list[str]
    header_row: int | None
    data: pd.DataFrame  # positional columns 0..n-1, object
    excel_rows: np.ndarray
    hidden: str = ""  # "hidden" / "veryHidden" tab (never read)
    #: (Excel row, column position) -> Excel error text or FORMULA_WITHOUT_VALUE
    issues: dict[tuple[int, int], str] = field(default_factory=dict)


def _grid_from_raw(raw: RawSheet, sheet: C.Sheet | None) -> _Grid:
    grid = _grid_from_cells(raw, sheet)
    grid.hidden = raw.hidden
    grid.issues = {(r + 1, c): text for (r, c), text in raw.issues.items()}
    return grid


def _grid_from_cells(raw: RawSheet, sheet: C.Sheet | None) -> _Grid:
    cells = raw.cells
    if cells.shape[0] == 0 or cells.shape[1] == 0:
        return _Grid(raw.name, [], None, pd.DataFrame(), np.array([], dtype=np.int64))
    cells = cells.set_axis(range(cells.shape[1]), axis=1)
    # header row: the first of the first 20 non-blank rows that names contract columns,
    # else the first non-blank row (a title row above the headers is allowed)
    head = cells.iloc[:60].to_numpy(dtype=object)
    nonblank = [i for i in range(len(head)) if any(cell_text(v) for v in head[i])][:20]
    if not nonblank:
        return _Grid(raw.name, [], None, pd.DataFrame(), np.array([], dtype=np.int64))
    header_pos = nonblank[0]
    if sheet is not None:
        for i in nonblank:
            hits = sum(1 for v in head[i] if C.column_for(sheet, cell_text(v)))
            if hits >= 2:
                header_pos = i
                break
    headers = [cell_text(v) for v in head[header_pos]]
    data = cells.iloc[header_pos + 1:]
    rows = np.arange(header_pos + 2, header_pos + 2 + len(data), dtype=np.int64)
    return _Grid(raw.name, headers, header_pos + 1, data.reset_index(drop=True), rows)


def _grid_from_frame(name: str, frame: pd.DataFrame) -> _Grid:
    headers = [cell_text(c) for c in frame.columns]
    data = frame.astype(object).set_axis(range(frame.shape[1]), axis=1).reset_index(drop=True)
    return _Grid(name, headers, 1, data, np.arange(2, 2 + len(frame), dtype=np.int64))


class _Checker:
    """Validates one period's grids; collects errors and warnings."""

    def __init__(self, period: date):
        self.period = period
        self.end = month_end(period)
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.headers: dict[str, dict[str, str]] = {}  # sheet -> column name -> header as written
        self.day_month: Problem | None = None  # the first text date read as day/month

    def err(self, sheet: str | None, row: int | None, column: str | None, value: Any,
            message: str) -> None:
        self.errors.append(Problem(sheet, row, column, _shown(value), message, "error"))

    def warn(self, sheet: str | None, row: int | None, column: str | None, value: Any,
             message: str) -> None:
        self.warnings.append(Problem(sheet, row, column, _shown(value), message, "warning"))

    # ---------------------------------------------------------------- one sheet

    def sheet_frame(self, sheet: C.Sheet, grid: _Grid) -> pd.DataFrame | None:
        """Validate one sheet; returns its store-shaped frame (None when errors make it moot)."""
        sname = sheet.name
        n_cols = len(grid.headers)
        mapped: dict[str, int] = {}
        period_cols: list[int] = []
        ignored: list[int] = []
        for pos, header in enumerate(grid.headers):
            if not header:
                ignored.append(pos)
                continue
            col = C.column_for(sheet, header)
            if col is not None:
                if col.name in mapped:
                    first = grid.headers[mapped[col.name]]
                    self.err(sname, grid.header_row, header, None,
                             f"two columns mean {col.label} ('{first}' and '{header}'): keep one")
                    continue
                mapped[col.name] = pos
            elif C.is_period_header(header):
                period_cols.append(pos)
            elif C.is_personal_header(header):
                ignored.append(pos)
                self.warn(sname, grid.header_row, header, None,
                          "identifies a person, so the column was dropped and is never stored")
            else:
                ignored.append(pos)
                self.warn(sname, grid.header_row, header, None,
                          "is not a column of the extract, so it was ignored")

        data = grid.data
        rows = grid.excel_rows
        width = min(n_cols, data.shape[1]) if len(data) else 0

        # convert every mapped column on all rows first; status BLANK also marks blank cells
        converted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for col in sheet.columns:
            if col.name in mapped and mapped[col.name] < width:
                conv = _choice_converter(col) if col.kind == "choice" else _CONVERTERS[col.kind]
                converted[col.name] = _convert(data[mapped[col.name]], conv, col.kind)
        if grid.issues and len(data):
            by_pos = {p: name for name, p in mapped.items() if name in converted}
            for (excel_row, pos), _text in grid.issues.items():
                i = excel_row - int(rows[0])
                if pos in by_pos and 0 <= i < len(data):
                    converted[by_pos[pos]][1][i] = _CELL_ISSUE

        # drop rows that are blank in every column
        if len(data):
            blank = np.ones(len(data), dtype=bool)
            for name, (_, status) in converted.items():
                blank &= status == _BLANK
            for pos in range(width):
                if pos in mapped.values():
                    continue
                if not blank.any() and grid.headers[pos]:
                    continue
                arr = data[pos].to_numpy(dtype=object)
                blank_col = pd.isna(arr) | (arr == "")
                if not grid.headers[pos] and not blank_col.all():
                    blank_col = _blank_mask(data[pos])
                    if not blank_col.all():
                        self.warn(sname, grid.header_row, f"column {get_column_letter(pos + 1)}",
                                  None, "has values but no header, so it was ignored")
                blank &= blank_col
            if blank.any():
                keep = ~blank
                data = data.loc[keep].reset_index(drop=True)
                rows = rows[keep]
                converted = {k: (v[keep], st[keep]) for k, (v, st) in converted.items()}
        n = len(data)

        if n == 0:
            if not sheet.may_be_empty:
                self.err(sname, None, None, None,
                         "has no rows: it must list everyone in post at the end of the month")
            return _empty_store_frame(sheet)

        missing = [c for c in sheet.columns if c.required and c.name not in mapped]
        for col in missing:
            self.err(sname, grid.header_row, col.label, None,
                     "this required column is missing: add it (see the template's "
                     "Instructions sheet for the accepted headers)")

        # period stated in the file
        for pos in period_cols:
            if pos < width:
                self._check_period_column(sname, grid.headers[pos], data[pos], rows)

        out: dict[str, Any] = {}
        for col in sheet.columns:
            if col.name not in converted:
                continue
            pos = mapped[col.name]
            header = grid.headers[pos]
            values, status = converted[col.name]
            bad = status == _BAD
            raw_vals = data[pos].to_numpy(dtype=object)
            if bad.any():
                msg = _bad_message(col)
                for i in np.flatnonzero(bad):
                    self.err(sname, int(rows[i]), header, cell_text(raw_vals[i]), msg)
            if (status > _BAD).any():
                self._reasoned(sname, col, header, pos, grid, status, raw_vals, rows)
            if col.required:
                for i in np.flatnonzero(status == _BLANK):
                    self.err(sname, int(rows[i]), header, "",
                             f"is blank: every row needs {col.label}")
            if col.kind in ("number", "whole"):
                self._check_bounds(sname, col, header, values, rows)
            out[col.name] = values

        if sheet.name == "Staff" and "ethnicity" in out and "census_ethnicity" not in out:
            # a census code (or its words) given as Ethnicity is kept as the census code too;
            # the six groups alone lose what the CSWW census needs. Anything else stays blank.
            detail = sheet.column("census_ethnicity")
            out["census_ethnicity"], _ = _convert(data[mapped["ethnicity"]],
                                                  _choice_converter(detail), "choice")
        cols = {c.name: _series(out[c.name]) for c in sheet.columns if c.name in out}
        cols["_row"] = pd.Series(rows, dtype=np.int64)
        frame = pd.DataFrame(cols, copy=False)
        self.headers[sname] = {c: grid.headers[p] for c, p in mapped.items()}
        return frame

    def _reasoned(self, sname: str, col: C.Column, header: str, pos: int, grid: _Grid,
                  status: np.ndarray, raw_vals: np.ndarray, rows: np.ndarray) -> None:
        """Problems with a reason of their own (error cells, commas, long text, UK dates);
        leaves the statuses that only warned as plain ok."""
        letter = get_column_letter(pos + 1)
        for i in np.flatnonzero(status == _CELL_ISSUE):
            row = int(rows[i])
            text = grid.issues.get((row, pos), "")
            if text == FORMULA_WITHOUT_VALUE:
                self.err(sname, row, header, None,
                         f"cell {letter}{row} holds a formula whose value was never saved: open "
                         "the file in Excel and save the workbook so the value is stored, then "
                         "upload it again")
            else:
                self.err(sname, row, header, text,
                         f"cell {letter}{row} holds the Excel error {text}: correct the formula "
                         "or type the value (an error is never read as a blank)")
        for i in np.flatnonzero(status == _BAD_COMMA):
            self.err(sname, int(rows[i]), header, cell_text(raw_vals[i]),
                     "has a comma that is not a thousands separator: write decimals with a "
                     "point (1.7, not 1,7)")
        for i in np.flatnonzero(status == _TOO_LONG):
            n = len(cell_text(raw_vals[i]))
            self.err(sname, int(rows[i]), header, cell_text(raw_vals[i]),
                     f"is {n:,} characters long; a {col.label} holds at most "
                     f"{MAX_TEXT_LENGTH}: check what was pasted into the cell")
        grouped = np.flatnonzero(status == _NOTE_GROUPED)
        for i in grouped:
            self.warn(sname, int(rows[i]), header, cell_text(raw_vals[i]),
                      "was read with a thousands separator as "
                      f"{cell_text(raw_vals[i]).replace(',', '')}: check it is not a decimal "
                      "comma (a decimal is written 1.5)")
        day_month = np.flatnonzero(status == _NOTE_DAY_MONTH)
        if len(day_month) and self.day_month is None:
            i = day_month[0]
            d = _parse_date_text(cell_text(raw_vals[i]))
            self.day_month = Problem(
                sname, int(rows[i]), header, cell_text(raw_vals[i]),
                f"text dates such as this were read as day/month/year ({d:%-d %B %Y}), the UK "
                "way: if the file writes the month first, correct the dates and upload again",
                "warning")
        status[np.isin(status, _OKS)] = _OK

    def _check_bounds(self, sname: str, col: C.Column, header: str, values: np.ndarray,
                      rows: np.ndarray) -> None:
        if col.minimum is None and col.maximum is None:
            return
        bad = np.zeros(len(values), dtype=bool)
        with np.errstate(invalid="ignore"):
            if col.minimum is not None:
                bad |= (values < col.minimum) if col.minimum_inclusive else (values <= col.minimum)
            if col.maximum is not None:
                bad |= values > col.maximum
        if bad.any():
            msg = "must be " + _bounds_text(col)
            for i in np.flatnonzero(bad):
                self.err(sname, int(rows[i]), header, _num_text(values[i]), msg)

    def _check_period_column(self, sname: str, header: str, series: pd.Series,
                             rows: np.ndarray) -> None:
        codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
        want = (self.period.year, self.period.month)
        for k, u in enumerate(uniques):
            if not cell_text(u):
                continue
            got = _period_of(u)
            idx = np.flatnonzero(codes == k)
            where = _row_span(rows[idx])
            if got is None:
                self.err(sname, int(rows[idx[0]]), header, cell_text(u),
                         f"cannot be read as a month (rows {where}); write it as YYYY-MM")
            elif got != want:
                self.err(sname, int(rows[idx[0]]), header, cell_text(u),
                         f"says the file is for {got[0]:04d}-{got[1]:02d} (rows {where}) but you "
                         f"are loading {want[0]:04d}-{want[1]:02d}: check the period or the file")

    # ---------------------------------------------------------------- cross-column rules

    def staff_rules(self, f: pd.DataFrame) -> pd.DataFrame:
        """Start date, duplicates, age; returns the store-shaped staff frame."""
        h = self.headers.get("Staff", {})
        rows = f["_row"].to_numpy()
        end64 = np.datetime64(self.end, "D")
        if "start_date" in f:
            self._date_not_after(f, "Staff", "start_date", h, end64,
                                 f"is after the end of the month ({_fmt_date(self.end)}): "
                                 "the start date cannot be later than the month end")
        if "employee_id" in f:
            ids = f["employee_id"]
            dup = ids.notna() & ids.duplicated(keep=False)
            if dup.any():
                groups: dict[str, list[int]] = {}
                for i in np.flatnonzero(dup.to_numpy()):
                    groups.setdefault(ids.iat[i], []).append(int(rows[i]))
                for eid, rws in groups.items():
                    listed = ", ".join(str(r) for r in rws[:10]) + (", ..." if len(rws) > 10 else "")
                    for r in rws:
                        self.err("Staff", r, h.get("employee_id", "Employee ID"), eid,
                                 f"appears more than once in Staff (rows {listed}): each person "
                                 "must appear once")
        if "swe_number" in f:
            self._swe_numbers(f, h, rows)
        # age: from date of birth where given, else the age column
        age = np.full(len(f), np.nan)
        if "age" in f:
            age = f["age"].to_numpy(dtype=float).copy()
        if "date_of_birth" in f:
            dob = f["date_of_birth"].to_numpy(dtype="datetime64[D]")
            ok = ~np.isnat(dob)
            if ok.any():
                ts = pd.DatetimeIndex(dob[ok])
                years = self.end.year - ts.year.to_numpy()
                before = (ts.month.to_numpy() > self.end.month) | (
                    (ts.month.to_numpy() == self.end.month) & (ts.day.to_numpy() > self.end.day))
                computed = (years - before).astype(float)
                age[ok] = computed
                badage = (computed < 14) | (computed > 100)
                if badage.any():
                    hdr = h.get("date_of_birth", "Date of birth")
                    raw_d = dob[ok]
                    rws = rows[ok]
                    for i in np.flatnonzero(badage):
                        self.err("Staff", int(rws[i]), hdr, _fmt_date(_d(raw_d[i])),
                                 f"gives an age of {int(computed[i])} at month end: check the "
                                 "date (dd/mm/yyyy)")
        f["age"] = age
        return f

    def _swe_numbers(self, f: pd.DataFrame, h: Mapping[str, str], rows: np.ndarray) -> None:
        """Registration numbers: the census's form, and one person per number.

        The value is never echoed in a message: it is personal data kept for HR only.
        """
        hdr = h.get("swe_number", "SWE registration number")
        values = f["swe_number"]
        seen: dict[str, list[int]] = {}
        for i, value in enumerate(values.to_numpy(dtype=object)):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            text = str(value).strip()
            if not C.SWE_NUMBER.fullmatch(text):
                self.err("Staff", int(rows[i]), hdr, None,
                         "is not a Social Work England registration number: two letters then "
                         "up to 10 digits (e.g. SW123456)")
                continue
            seen.setdefault(text.upper(), []).append(int(rows[i]))
        for rws in seen.values():
            if len(rws) > 1:
                listed = ", ".join(str(r) for r in rws[:10])
                for r in rws:
                    self.err("Staff", r, hdr, None,
                             f"the same registration number is on rows {listed}: each person "
                             "has their own")

    def leaver_rules(self, f: pd.DataFrame) -> pd.DataFrame:
        h = self.headers.get("Leavers", {})
        rows = f["_row"].to_numpy()
        start64, end64 = np.datetime64(self.period, "D"), np.datetime64(self.end, "D")
        if "leave_date" in f:
            ld = f["leave_date"].to_numpy(dtype="datetime64[D]")
            bad = ~np.isnat(ld) & ((ld < start64) | (ld > end64))
            for i in np.flatnonzero(bad):
                self.err("Leavers", int(rows[i]), h.get("leave_date", "Leave date"),
                         _fmt_date(_d(ld[i])),
                         f"is outside the month ({_fmt_date(self.period)} to "
                         f"{_fmt_date(self.end)}): list leavers in the month they left")
            if "start_date" in f:
                sd = f["start_date"].to_numpy(dtype="datetime64[D]")
                bad = ~np.isnat(ld) & ~np.isnat(sd) & (sd > ld)
                for i in np.flatnonzero(bad):
                    self.err("Leavers", int(rows[i]), h.get("start_date", "Start date"),
                             _fmt_date(_d(sd[i])), "is after the leave date")
        if "worker_type" in f:
            agency = (f["worker_type"] == C.AGENCY_WORKER_TYPE).to_numpy()
            for i in np.flatnonzero(agency):
                self.warn("Leavers", int(rows[i]), h.get("worker_type", "Worker type"), "Agency",
                          "agency workers are not counted as leavers (only employed staff are); "
                          "the row was kept but metrics ignore it")
        return f

    def vacancy_rules(self, f: pd.DataFrame) -> pd.DataFrame:
        h = self.headers.get("Vacancies", {})
        rows = f["_row"].to_numpy()
        if "vacant_fte" in f and "covered_by_agency_fte" in f:
            v = f["vacant_fte"].to_numpy(dtype=float)
            c = f["covered_by_agency_fte"].to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                bad = (c > v + 1e-9) & (v > 0)
            for i in np.flatnonzero(bad):
                self.err("Vacancies", int(rows[i]),
                         h.get("covered_by_agency_fte", "Covered by agency FTE"), _num_text(c[i]),
                         f"is more than the vacant FTE ({_num_text(v[i])}): agency cover cannot "
                         "exceed the vacancy")
        return f

    def training_rules(self, f: pd.DataFrame) -> pd.DataFrame:
        if "completed_date" in f:
            self._date_not_after(f, "Training", "completed_date", self.headers.get("Training", {}),
                                 np.datetime64(self.end, "D"),
                                 f"is after the end of the month ({_fmt_date(self.end)})")
        return f

    def agency_rules(self, f: pd.DataFrame, staff: pd.DataFrame | None) -> pd.DataFrame:
        """Agency assignments: dates in order, one row per worker, each an Agency worker on Staff."""
        sname = C.AGENCY_ASSIGNMENTS.name
        h = self.headers.get(sname, {})
        rows = f["_row"].to_numpy()
        end64 = np.datetime64(self.end, "D")
        for colname in ("start_date", "date_qualified", "cap_signoff_date"):
            if colname in f:
                self._date_not_after(f, sname, colname, h, end64,
                                     f"is after the end of the month ({_fmt_date(self.end)})")
        if "start_date" in f and "planned_end_date" in f:
            sd = f["start_date"].to_numpy(dtype="datetime64[D]")
            pe = f["planned_end_date"].to_numpy(dtype="datetime64[D]")
            for i in np.flatnonzero(~np.isnat(sd) & ~np.isnat(pe) & (pe < sd)):
                self.err(sname, int(rows[i]), h.get("planned_end_date", "Planned end"),
                         _fmt_date(_d(pe[i])),
                         f"is before the assignment start ({_fmt_date(_d(sd[i]))})")
        ids = f["employee_id"] if "employee_id" in f else None
        id_header = h.get("employee_id", "Agency reference")
        if ids is not None:
            dup = ids.notna() & ids.duplicated(keep=False)
            for i in np.flatnonzero(dup.to_numpy()):
                self.err(sname, int(rows[i]), id_header, ids.iat[i],
                         "appears more than once: give one row per agency worker")
            if staff is not None and "employee_id" in staff and "worker_type" in staff:
                types = dict(zip(staff["employee_id"], staff["worker_type"]))
                for i in range(len(f)):
                    ref = ids.iat[i]
                    if ref is None or (isinstance(ref, float) and math.isnan(ref)):
                        continue
                    wtype = types.get(ref)
                    if wtype is None:
                        self.err(sname, int(rows[i]), id_header, ref,
                                 "is not on the Staff sheet: every assignment must belong to an "
                                 "agency worker listed there with the same Employee ID")
                    elif wtype != C.AGENCY_WORKER_TYPE:
                        self.err(sname, int(rows[i]), id_header, ref,
                                 f"is {wtype} on the Staff sheet, not Agency: only agency "
                                 "workers have assignments (check the reference or the "
                                 "Staff sheet's worker type)")
        jt = f["job_type"].to_numpy(dtype=object) if "job_type" in f else np.full(len(f), None)
        social_work = np.array([v is not None and v != "Other" for v in jt], dtype=bool)
        if "swe_registration" in f:
            reg = f["swe_registration"].to_numpy(dtype=object)
        else:
            reg = np.full(len(f), None, dtype=object)
        for i in range(len(f)):
            value = reg[i]
            blank = value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
            hdr = h.get("swe_registration", "SWE registration number")
            if blank:
                if social_work[i]:
                    self.err(sname, int(rows[i]), hdr, "",
                             f"is blank: a {jt[i].lower()} must have a Social Work England "
                             "registration number (it is how cool-off breaches are found)")
            elif not _SWE_NUMBER.fullmatch(str(value)):
                self.err(sname, int(rows[i]), hdr, cell_text(value),
                         "is not a Social Work England registration number: write SW followed "
                         "by digits, e.g. SW123456")
        dq = (f["date_qualified"].to_numpy(dtype="datetime64[D]") if "date_qualified" in f
              else np.full(len(f), _NAT))
        pqe = f["years_pqe"].to_numpy(dtype=float) if "years_pqe" in f else np.full(len(f), np.nan)
        for i in np.flatnonzero(social_work & np.isnat(dq) & np.isnan(pqe)):
            self.err(sname, int(rows[i]), h.get("date_qualified", "Date qualified"), "",
                     "is blank and so is Years PQE: give the date the worker qualified (or "
                     "their years of post-qualifying experience)")
        sod = (f["cap_signoff_date"].to_numpy(dtype="datetime64[D]") if "cap_signoff_date" in f
               else np.full(len(f), _NAT))
        sob = (f["cap_signoff_by"].to_numpy(dtype=object) if "cap_signoff_by" in f
               else np.full(len(f), None, dtype=object))
        has_by = np.array([v is not None and v == v and v != "" for v in sob], dtype=bool)
        for i in np.flatnonzero(~np.isnat(sod) & ~has_by):
            self.err(sname, int(rows[i]), h.get("cap_signoff_by", "Cap breach signed off by"), "",
                     "is blank but a sign-off date is given: say who signed the cap breach off "
                     "(as a role)")
        for i in np.flatnonzero(np.isnat(sod) & has_by):
            self.err(sname, int(rows[i]), h.get("cap_signoff_date", "Cap breach sign-off date"),
                     "", "is blank but the sign-off is recorded as given: add the date it was "
                     "signed off")
        return f

    def _date_not_after(self, f: pd.DataFrame, sname: str, colname: str, h: Mapping[str, str],
                        end64: np.datetime64, message: str) -> None:
        d = f[colname].to_numpy(dtype="datetime64[D]")
        bad = ~np.isnat(d) & (d > end64)
        rows = f["_row"].to_numpy()
        label = C.SHEETS[sname].column(colname).label
        for i in np.flatnonzero(bad):
            self.err(sname, int(rows[i]), h.get(colname, label), _fmt_date(_d(d[i])), message)


def _series(values: np.ndarray) -> pd.Series:
    """A Series that keeps numpy's dtype (object stays object: no string inference)."""
    if values.dtype.kind == "M":
        values = values.astype("datetime64[s]")
    return pd.Series(values, dtype=values.dtype, copy=False)


def _shown(value: Any) -> Any:
    """A cell as a problem quotes it: long text cut (a 6 MB cell is not worth repeating)."""
    if isinstance(value, str) and len(value) > _SHOWN_VALUE:
        return value[:_SHOWN_VALUE - 1] + "…"
    return value


def _d(x: np.datetime64) -> date:
    return pd.Timestamp(x).date()


def _num_text(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:g}"


def _row_span(rows: np.ndarray) -> str:
    if len(rows) == 1:
        return str(int(rows[0]))
    if len(rows) == int(rows[-1] - rows[0] + 1):
        return f"{int(rows[0])}-{int(rows[-1])}"
    return ", ".join(str(int(r)) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")


def _bounds_text(col: C.Column) -> str:
    parts = []
    if col.minimum is not None:
        parts.append(f"at least {col.minimum:g}" if col.minimum_inclusive
                     else f"more than {col.minimum:g}")
    if col.maximum is not None:
        parts.append(f"at most {col.maximum:g}")
    return " and ".join(parts)


def _bad_message(col: C.Column) -> str:
    if col.kind == "choice":
        if col.name == "ethnicity":
            return ("is not a recognised ethnic group: use an ONS 2021 group (White, Mixed, Asian, "
                    "Black, Other), a DfE code such as WBRI, or Not known")
        return "is not an allowed value: use one of " + ", ".join(col.choices)
    if col.kind == "flag":
        return "must be Y or N"
    if col.kind == "date":
        return "is not a date: use an Excel date or dd/mm/yyyy"
    if col.kind == "whole":
        extra = f" {_bounds_text(col)}" if col.minimum is not None or col.maximum is not None else ""
        return f"must be a whole number{extra}"
    if col.kind == "number":
        extra = f" {_bounds_text(col)}" if col.minimum is not None or col.maximum is not None else ""
        return f"must be a number{extra}"
    return "cannot be read"


def _empty_store_frame(sheet: C.Sheet) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series([], dtype=object) for c in sheet.columns}
                        | {"_row": pd.Series([], dtype=np.int64)})


_STORE_DTYPES = {
    "text": object, "choice": object, "number": "float64", "whole": "Int64",
    "date": "datetime64[s]", "flag": "boolean",
}


def _store_shape(sheet: C.Sheet, frame: pd.DataFrame) -> pd.DataFrame:
    """Store columns in STORE_COLUMNS order, with store dtypes; absent optional columns -> NULL."""
    n = len(frame)
    kinds = {c.store_as: c.kind for c in sheet.columns if c.store_as}
    kinds["age"] = "whole"
    out: dict[str, Any] = {}
    for name in C.STORE_COLUMNS[sheet.table]:
        kind = kinds[name]
        present = name in frame
        if kind in ("whole", "number"):
            f = frame[name].to_numpy(dtype=float) if present else np.full(n, np.nan)
            if kind == "whole":
                mask = np.isnan(f)
                out[name] = pd.arrays.IntegerArray(np.where(mask, 0, f).astype(np.int64), mask)
            else:
                out[name] = pd.Series(f, dtype="float64", copy=False)
        elif kind == "date":
            d = (frame[name].to_numpy(dtype="datetime64[s]") if present
                 else np.full(n, np.datetime64("NaT"), dtype="datetime64[s]"))
            out[name] = pd.Series(d, dtype="datetime64[s]", copy=False)
        elif kind == "flag":
            f = frame[name].to_numpy(dtype=float) if present else np.full(n, np.nan)
            out[name] = pd.arrays.BooleanArray(f == 1.0, np.isnan(f))
        else:
            obj = frame[name].to_numpy(dtype=object) if present else np.full(n, None, object)
            out[name] = pd.Series(obj, dtype=object, copy=False)
    return pd.DataFrame(out, copy=False)


# --------------------------------------------------------------------------- entry points


def latest_headcount(con: Any, *, before: date) -> tuple[date, int] | None:
    """(period, staff headcount) of the latest loaded month before `before`, or None."""
    row = con.execute(
        "SELECT period, count(*) FROM staff WHERE period = "
        "(SELECT max(period) FROM staff WHERE period < ?) GROUP BY period",
        [before],
    ).fetchall()
    return (row[0][0], int(row[0][1])) if row else None


def validate_grids(grids: list[_Grid], *, period: str | date, con: Any = None) -> Validation:
    """The core: match grids to contract sheets, validate each, shape for the store."""
    first = parse_period(period)
    result = Validation(period=f"{first:%Y-%m}")
    chk = _Checker(first)
    found: dict[str, _Grid] = {}
    for grid in grids:
        sheet = C.sheet_for(grid.name)
        if grid.hidden:
            if sheet is not None:
                very = grid.hidden.lower() == "veryhidden"
                chk.err(grid.name, None, None, None,
                        f"is a {'very hidden' if very else 'hidden'} {sheet.name} sheet, and "
                        "hidden sheets are never read: delete it"
                        + (" (only Excel's VBA editor shows very hidden sheets)" if very else "")
                        + f", or unhide it and keep only one {sheet.name} sheet")
            continue
        if sheet is None:
            if C.normalise_key(grid.name) in _TEMPLATE_SHEETS:
                continue
            if grid.headers or len(grid.data):
                chk.warn(grid.name, None, None, None,
                         f"is not a sheet of the extract ({', '.join(C.SHEETS)}), so it "
                         "was ignored")
            continue
        if sheet.name in found:
            chk.err(grid.name, None, None, None,
                    f"is a second {sheet.name} sheet (the first is '{found[sheet.name].name}'): "
                    "keep one")
            continue
        found[sheet.name] = grid
    for sname in C.REQUIRED_SHEETS:
        if sname not in found:
            hint = (" (add it with its header row even if it has no rows)"
                    if C.SHEETS[sname].may_be_empty else "")
            chk.err(sname, None, None, None, f"the {sname} sheet is missing{hint}")

    shaped: dict[str, pd.DataFrame] = {}
    for sname, sheet in C.SHEETS.items():
        if sname not in found:
            if not sheet.required:
                shaped[sheet.table] = _store_shape(sheet, _empty_store_frame(sheet))
            continue
        frame = chk.sheet_frame(sheet, found[sname])
        if frame is None:
            continue
        if len(frame):
            if sname == "Staff":
                frame = chk.staff_rules(frame)
            elif sname == "Leavers":
                frame = chk.leaver_rules(frame)
            elif sname == "Vacancies":
                frame = chk.vacancy_rules(frame)
            elif sname == "Training":
                frame = chk.training_rules(frame)
        shaped[sheet.table] = frame
    agency = C.AGENCY_ASSIGNMENTS
    if agency.name in found and len(shaped.get(agency.table, ())):
        shaped[agency.table] = chk.agency_rules(shaped[agency.table], shaped.get("staff"))

    result.rows = {t: len(f) for t, f in shaped.items()}
    for t in C.STORE_COLUMNS:
        result.rows.setdefault(t, 0)

    if chk.day_month is not None:
        chk.warnings.append(chk.day_month)
    result.errors = _sorted(chk.errors)
    result.warnings = _sorted(chk.warnings)
    if result.ok:
        result.frames = {
            sheet.table: _store_shape(sheet, shaped[sheet.table])
            for sheet in C.SHEETS.values() if sheet.table in shaped
        }
        result.restricted = _restricted_shape(shaped.get("staff"))
    if con is not None:
        store_checks(result, con=con)
    return result


def store_checks(result: Validation, *, con: Any) -> None:
    """The checks that compare a validated file with the store (run by the caller of the
    bounded child): the previous month's headcount."""
    now = result.rows.get("staff")
    if not now:
        return
    first = parse_period(result.period)
    try:
        prev = latest_headcount(con, before=first)
    except Exception:  # a store without the table yet: nothing to compare with
        prev = None
    if prev is not None and prev[1] > 0:
        change = (now - prev[1]) / prev[1]
        if abs(change) > HEADCOUNT_SWING:
            result.warnings = _sorted(result.warnings + [Problem(
                "Staff", None, None, None,
                f"headcount is {now}, {abs(change):.0%} "
                f"{'more' if change > 0 else 'fewer'} than {prev[1]} in {prev[0]:%Y-%m}: "
                "check the extract is complete", "warning")])


def _restricted_shape(staff: pd.DataFrame | None) -> pd.DataFrame:
    """The HR-only rows: employee id and registration number, where one is given."""
    if staff is None or not len(staff) or "swe_number" not in staff:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in C.RESTRICTED_COLUMNS})
    swe = staff["swe_number"].map(lambda v: None if v is None or v is pd.NA or (
        isinstance(v, float) and np.isnan(v)) else str(v).strip())
    frame = pd.DataFrame({"employee_id": staff["employee_id"].to_numpy(dtype=object),
                          "swe_number": swe.to_numpy(dtype=object)})
    return frame.loc[frame["swe_number"].notna()].reset_index(drop=True)


_TEMPLATE_SHEETS = frozenset({"instructions", "lists", "notes", "readme"})
_SHEET_ORDER = {name: i for i, name in enumerate(C.SHEETS)}


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (
        _SHEET_ORDER.get(p.sheet or "", -1 if p.sheet is None else 99),
        p.row if p.row is not None else 0,
    ))


def validate_sheets(sheets: list[RawSheet], *, period: str | date, con: Any = None) -> Validation:
    """Validate raw sheets read from a file (row numbers as Excel shows them)."""
    grids = [_grid_from_raw(raw, C.sheet_for(raw.name)) for raw in sheets]
    return validate_grids(grids, period=period, con=con)


def validate_frames(*, frames: Mapping[str, pd.DataFrame], period: str | date,
                    con: Any = None) -> Validation:
    """Validate contract-shaped frames keyed by sheet name (header = contract column names).

    Row numbers are given as if each frame were a sheet with its header on row 1.
    """
    grids = [_grid_from_frame(str(name), frame) for name, frame in frames.items()]
    return validate_grids(grids, period=period, con=con)
