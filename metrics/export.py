"""Downloads that are safe to open in Excel and say what they are: every file leaves through here.

Why: a text cell starting with = + - @ (or a tab / carriage return) is run as a formula by
spreadsheet programs (CSV/formula injection, OWASP). Text cells like that get a leading
apostrophe; numbers stay numbers so totals still work.

Why one writer: a file that leaves the dashboard loses the page around it, so every xlsx and csv
starts with the same header block (`FileHeader`: title, month, population, service, when it was
produced in UK time, where the figures come from, the suppression note) and every Excel sheet is
laid out the same way: readable widths, wrapped text, the table's header row frozen and repeated
on each printed page, landscape and one page wide, numbers stored as numbers with number formats
(no "18.3%" text, no float noise) and dates as dates shown the UK way.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

NOT_APPLICABLE = "Not applicable"
WHOLE_DIRECTORATE = "Whole directorate"
#: the labels of the header block, in order (after the title line)
HEADER_LABELS = ("Month", "Population", "Service", "Produced", "Source", "Suppression")
UK = "Europe/London"


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


# ------------------------------------------------------------------------------------------
# the header block


def produced_words(moment: datetime) -> str:
    """'26 November 2026 at 2:23am (UK time)' from an aware or naive-UTC moment."""
    ts = pd.Timestamp(moment)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    local = ts.tz_convert(UK)
    return f"{local:%-d %B %Y} at {local.strftime('%-I:%M%p').lower()} (UK time)"


@dataclass(frozen=True, kw_only=True)
class FileHeader:
    """What a downloaded file is about, written as its first rows (xlsx and csv alike).

    `month`, `population` and `service` are words ("October 2026", "Qualified social workers",
    "Early Help"); None where the file is not about one month / population ("Not applicable") and,
    for the service, the whole directorate. `suppression` is the note the caller's disclosure
    policy gives (legend of the symbols, what was hidden and why, or why nothing needed to be).
    """

    title: str
    source: str
    month: str | None = None
    population: str | None = None
    service: str | None = None
    suppression: tuple[str, ...] = ()
    produced: datetime | None = None  # None: when the file is built
    extra: tuple[tuple[str, str], ...] = field(default=())  # more (label, words) rows, after Service

    def rows(self) -> list[tuple[str, str]]:
        """(label, words) rows under the title; the suppression note may take several rows."""
        when = self.produced or datetime.now(timezone.utc)
        rows = [("Month", self.month or NOT_APPLICABLE),
                ("Population", self.population or NOT_APPLICABLE),
                ("Service", self.service or WHOLE_DIRECTORATE),
                *self.extra,
                ("Produced", produced_words(when)),
                ("Source", self.source)]
        notes = [n for n in self.suppression if n and str(n).strip()] or ["None needed"]
        rows += [("Suppression" if i == 0 else "", str(n)) for i, n in enumerate(notes)]
        return rows

    def lines(self) -> list[list[str]]:
        """The block as rows of cells: the title alone, the labelled rows, then one blank row."""
        return [[self.title], *([label, words] for label, words in self.rows()), []]


# ------------------------------------------------------------------------------------------
# cell values and number formats

_PERCENT_TEXT = re.compile(r"^(-?\d[\d,]*(?:\.(\d+))?)%$")
_MONEY_TEXT = re.compile(r"^(-?)£(\d[\d,]*(?:\.(\d+))?)( an hour)?$")
_NUMBER_TEXT = re.compile(r"^-?(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)(?:\.(\d+))?$")
#: columns whose text numbers ('27', '1,234') are figures written as words, in a table of measures
#: (one with a "Measure" column); elsewhere text that looks like a number (an id) stays text
VALUE_TEXT_COLUMNS = ("Value",)
_ISO_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
#: the number format of a unit written in a table's "Unit" column
UNIT_FORMATS = {"%": '0.0"%"', "people": "#,##0", "cases per FTE": "0.0", "out of 100": "0",
                "FTE": "#,##0.0", "£": '"£"#,##0', "£ per hour": '"£"#,##0.00'}
#: columns whose numbers are in the row's unit (a measures table: value, benchmarks, change)
UNIT_COLUMNS = ("Value", "England", "Statistical-neighbour median", "Target value")
CHANGE_COLUMN = "Change on a year ago"
DATE_FORMAT = "d mmm yyyy"
DATETIME_FORMAT = "d mmm yyyy h:mm"
MONTH_FORMAT = "mmmm yyyy"


def _clean_float(v: float) -> float | int:
    """41.10000000000001 -> 41.1 (binary noise from sums, never a real digit)."""
    r = round(v, 9)
    return 0.0 if r == 0 else r


def _decimals(v: float) -> int:
    for d in range(0, 3):
        if abs(round(v, d) - v) < 1e-9:
            return d
    return 2


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _to_uk_local(value: datetime) -> datetime:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.tz_convert(UK).tz_localize(None).to_pydatetime()


def _cell(value: object, *, numeric_text: bool = False) -> tuple[object, str | None]:
    """(what the cell stores, the number format it needs, if any) for one table value.

    Numbers stay numbers (noise removed); text that is really a number ('88.9%', '£1,234'),
    a month ('2026-10') or a date ('2026-11-03') is stored as one; timestamps (stored in UTC)
    become UK local time; any other text is neutralised."""
    if _is_blank(value):
        return None, None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return value, None
    if isinstance(value, datetime):
        if value.tzinfo is None and value.hour == value.minute == value.second == value.microsecond == 0:
            return value, DATE_FORMAT
        return _to_uk_local(value), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, int):
        return value, "#,##0"
    if isinstance(value, float):
        if math.isinf(value):
            return None, None
        v = _clean_float(value)
        d = _decimals(v)
        return v, "#,##0" if d == 0 else "#,##0." + "0" * d
    text = str(value)
    m = _PERCENT_TEXT.match(text)
    if m:
        d = len(m.group(2) or "")
        return _clean_float(float(m.group(1).replace(",", ""))), ("0" + ("." + "0" * d if d else "")) + '"%"'
    m = _MONEY_TEXT.match(text)
    if m:
        d = len(m.group(3) or "")
        v = float(m.group(2).replace(",", "")) * (-1 if m.group(1) else 1)
        return _clean_float(v), '"£"#,##0' + ("." + "0" * d if d else "") + ('" an hour"' if m.group(4) else "")
    m = _NUMBER_TEXT.match(text) if numeric_text else None
    if m:
        v = float(text.replace(",", ""))
        d = len(m.group(1) or "")
        return (int(v) if d == 0 else _clean_float(v)), "#,##0" + ("." + "0" * d if d else "")
    m = _ISO_MONTH.match(text)
    if m:
        return datetime(int(m.group(1)), int(m.group(2)), 1), MONTH_FORMAT
    m = _ISO_DATE.match(text)
    if m:
        try:
            return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))), DATE_FORMAT
        except ValueError:
            pass
    return neutralise(text), None


def _column_format(values: Sequence[tuple[object, str | None]], name: str) -> str | None:
    """One number format for a column's plain numbers: as many decimals as its values need,
    '£' when the header says pounds, '%' when it says per cent."""
    nums = [v for v, f in values if isinstance(v, (int, float)) and not isinstance(v, bool)
            and f is not None and (f.startswith("#,##0") or f == "0")]
    if not nums:
        return None
    if "year" in name.lower() and all(float(v).is_integer() and 1900 <= v <= 2100 for v in nums):
        return "0"  # a year, not a quantity: 2025, never 2,025
    d = max(_decimals(float(v)) for v in nums)
    fmt = "#,##0" + ("." + "0" * d if d else "")
    low = name.lower()
    if "£" in name:
        return '"£"' + fmt
    if "(%)" in name or low.endswith("%") or "per cent" in low or "percentage" in low:
        return ("0" + ("." + "0" * d if d else "")) + '"%"'
    return fmt


def _unit_formats(frame: pd.DataFrame) -> dict[str, list[str | None]]:
    """Per-row formats for the unit columns of a table that names each row's unit."""
    if "Unit" not in frame.columns:
        return {}
    units = [UNIT_FORMATS.get(str(u)) if not _is_blank(u) else None for u in frame["Unit"]]
    out: dict[str, list[str | None]] = {c: units for c in UNIT_COLUMNS if c in frame.columns}
    if CHANGE_COLUMN in frame.columns:  # a change is in points (rates) or the unit: signed, no % sign
        out[CHANGE_COLUMN] = [None if f is None else ("+#,##0;-#,##0;0" if f in ("#,##0", "0") else
                                                      "+#,##0.0;-#,##0.0;0.0") for f in units]
    return out


def _text_len(value: object) -> int:
    if _is_blank(value):
        return 0
    if isinstance(value, (datetime, date)):
        return 17 if isinstance(value, datetime) else 11
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return max((len(part) for part in str(value).splitlines()), default=0)


def _width(name: str, cells: Sequence[object]) -> float:
    """A readable column width: the header's longest word, the cells' typical length, capped."""
    lens = sorted(_text_len(v) for v in cells)
    typical = lens[int(0.9 * (len(lens) - 1))] if lens else 0
    longest_word = max((len(w) for w in str(name).split()), default=0)
    head = min(len(str(name)), 24)
    return float(max(8, longest_word + 2, head + 2, min(typical + 2, 50)))


# ------------------------------------------------------------------------------------------
# the files


def _table_cells(frame: pd.DataFrame, formats: Mapping[str, str | Sequence[str | None]] | None
                 ) -> tuple[list[list[tuple[object, str | None]]], list[str]]:
    columns = [str(c) for c in frame.columns]
    by_unit = _unit_formats(frame)
    cols: list[list[tuple[object, str | None]]] = []
    for j, col in enumerate(frame.columns):
        numeric_text = str(col) in VALUE_TEXT_COLUMNS and "Measure" in frame.columns
        cells = [_cell(v, numeric_text=numeric_text) for v in frame.iloc[:, j].tolist()]
        plain = _column_format(cells, str(col))
        given = (formats or {}).get(str(col), by_unit.get(str(col)))
        out = []
        for i, (v, f) in enumerate(cells):
            if isinstance(v, (int, float)) and not isinstance(v, bool) and f is not None:
                g = given[i] if isinstance(given, (list, tuple)) else given
                if g is None and f is not None and (f.startswith("#,##0") or f == "0"):
                    g = plain
                f = g or f
            out.append((v, f))
        cols.append(out)
    return cols, columns


def _write_sheet(ws, frame: pd.DataFrame, header: FileHeader | None, title: str | None, *,
                 formats: Mapping[str, str | Sequence[str | None]] | None,
                 widths: Mapping[str, float] | None, paper: str) -> None:
    row = 1
    if header is not None:
        ws.cell(row=1, column=1, value=neutralise(header.title)).font = Font(bold=True, size=14)
        row = 2
        for label, words in header.rows():
            ws.cell(row=row, column=1, value=neutralise(label)).font = Font(bold=True)
            ws.cell(row=row, column=2, value=neutralise(words))
            row += 1
        row += 1
    elif title:
        ws.cell(row=1, column=1, value=neutralise(title)).font = Font(bold=True, size=12)
        row = 3
    head_row = row
    cols, names = _table_cells(frame, formats)
    top = Alignment(wrap_text=True, vertical="top")
    for j, name in enumerate(names, start=1):
        c = ws.cell(row=head_row, column=j, value=neutralise(name))
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="bottom")
        letter = get_column_letter(j)
        given = (widths or {}).get(name)
        ws.column_dimensions[letter].width = given if given else _width(name, [v for v, _ in cols[j - 1]])
        for i, (value, fmt) in enumerate(cols[j - 1], start=head_row + 1):
            cell = ws.cell(row=i, column=j, value=value)
            cell.alignment = top
            if fmt:
                cell.number_format = fmt
    if header is not None and ws.column_dimensions["A"].width < 14:
        ws.column_dimensions["A"].width = 14  # the header block's labels
    ws.freeze_panes = ws.cell(row=head_row + 1, column=1)
    ws.print_title_rows = f"{head_row}:{head_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame] | pd.DataFrame, *, title: str | None = None,
                  header: FileHeader | None = None,
                  formats: Mapping[str, Mapping[str, str | Sequence[str | None]]] | None = None,
                  widths: Mapping[str, Mapping[str, float]] | None = None, paper: str = "A4",
                  hidden: Sequence[str] = ()) -> bytes:
    """An .xlsx workbook with one sheet per frame, each starting with `header`'s block.

    `formats` {sheet: {column: format or one format per row}} and `widths` {sheet: {column:
    width}} override what the writer works out; `hidden` sheets are kept but hidden."""
    if isinstance(sheets, pd.DataFrame):
        sheets = {"Data": sheets}
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        _write_sheet(ws, frame, header, title, formats=(formats or {}).get(name),
                     widths=(widths or {}).get(name), paper=paper)
        if name in hidden:
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv_text(value: object) -> object:
    v, fmt = _cell(value)
    if v is None:
        return ""
    if isinstance(v, datetime):
        if fmt == MONTH_FORMAT:
            return f"{v:%B %Y}"
        return f"{v:%-d %b %Y}" if fmt == DATE_FORMAT else f"{v:%-d %b %Y %H:%M}"
    if isinstance(v, date):
        return f"{v:%-d %b %Y}"
    if isinstance(value, str):
        return neutralise(value)  # text as written ('88.9%' stays '88.9%')
    if isinstance(v, float) and v.is_integer():
        return int(v)  # 147, not 147.0
    return v


def to_csv_bytes(frame: pd.DataFrame, *, header: FileHeader | None = None) -> bytes:
    """UTF-8 CSV (with BOM so Excel reads accents): `header`'s block (the title, labelled rows,
    a blank row), then the table; text neutralised, numbers without float noise, UK dates.
    Without a header (the command line's output) the values are written as stored."""
    if header is None:  # a machine-readable table (the command line): values as stored
        return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for line in header.lines():
        w.writerow([neutralise(x) for x in line])
    w.writerow([neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        w.writerow([_csv_text(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")
