"""Reading the dashboard's downloaded files back as a person's spreadsheet would (tests only).

Every xlsx sheet and csv starts with the header block (metrics.export.FileHeader): a title row,
labelled rows, one blank row, then the table. These helpers find the table under it.
"""

from __future__ import annotations

import csv
import io


def head_row(ws) -> int:
    """The row of the table's column headings (the block above it is frozen with it)."""
    return int(str(ws.freeze_panes)[1:]) - 1


def table_rows(ws) -> list[list]:
    """The table's rows, headings first (values only)."""
    return [list(r) for r in ws.iter_rows(min_row=head_row(ws), values_only=True)]


def header_of_sheet(ws) -> tuple[str, dict[str, list[str]], int]:
    """(title, {label: [words...]}, the table's heading row) of one sheet's header block."""
    title = ws["A1"].value
    labels: dict[str, list[str]] = {}
    row, last = 2, None
    while ws.cell(row=row, column=1).value is not None or ws.cell(row=row, column=2).value is not None:
        label = ws.cell(row=row, column=1).value or last
        labels.setdefault(label, []).append(ws.cell(row=row, column=2).value)
        last, row = label, row + 1
    return title, labels, row + 1


def header_of_csv(data: bytes) -> tuple[str, dict[str, list[str]], list[list[str]]]:
    """(title, {label: [words...]}, the table's rows with its headings first) of a csv file."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    blank = rows.index([])
    labels: dict[str, list[str]] = {}
    last = None
    for r in rows[1:blank]:
        last = r[0] or last
        labels.setdefault(last, []).append(r[1])
    return rows[0][0], labels, rows[blank + 1:]


def csv_records(data: bytes) -> list[dict[str, str]]:
    """The csv file's table as one dict per row (the header block skipped)."""
    _, _, rows = header_of_csv(data)
    return [dict(zip(rows[0], r)) for r in rows[1:]]
