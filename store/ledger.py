"""The load ledger: one row per successful load of a month (rejected files write nothing).

Why here: the ledger is how every figure is traced to the file it came from, how the dashboard
knows its data changed (`load_fingerprint`), and how a demo store is told from a real one
(`is_demo` on each load, set by the demo command only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from store.connection import DATA_TABLES as LEDGER_ROWS  # rows_<table> columns, in order
from store import memo
from store.connection import RESTRICTED_TABLE, StoreError

#: The tables a month's load replaces: the data tables and the HR-only table.
MONTH_TABLES: tuple[str, ...] = (*LEDGER_ROWS, RESTRICTED_TABLE)
_NAME = re.compile(r"[a-z_][a-z0-9_]*")

_ROWS = ", ".join(f"rows_{t}" for t in LEDGER_ROWS)  # fixed names from the code, never input


def replace_month(con: Any, *, period: date, load_id: int, frames: Mapping[str, Any],
                  columns: Mapping[str, Sequence[str]], replace: bool = True) -> None:
    """Make `frames` (table -> DataFrame; None or empty for no rows) the rows of `period` in
    MONTH_TABLES, stamped with `load_id`, in the caller's transaction (with its ledger row: a
    month's rows only ever enter through a recorded load). `columns[table]` are the columns
    copied from each frame. `replace=False` skips deleting (a month never loaded has no rows).
    Unknown tables or column names are refused (StoreError): identifiers never come from input."""
    unknown = sorted(set(frames) - set(MONTH_TABLES))
    bad = sorted(c for t in frames for c in columns.get(t, ()) if not _NAME.fullmatch(c))
    if unknown or bad:
        raise StoreError(f"replace_month: unknown table(s) {unknown} or column name(s) {bad}")
    if replace:
        for table in MONTH_TABLES:
            con.execute(f"DELETE FROM {table} WHERE period = ?", [period])  # noqa: S608 - fixed names
    for table in MONTH_TABLES:
        frame = frames.get(table)
        if frame is None or len(frame) == 0:
            continue
        view = f"_month_{table}_{load_id}"
        cols = ", ".join(columns[table])
        con.register(view, frame)
        try:
            con.execute(f"INSERT INTO {table} (period, load_id, {cols}) "  # noqa: S608 - checked names
                        f"SELECT ?::DATE, ?::INTEGER, {cols} FROM {view}", [period, load_id])
        finally:
            con.unregister(view)


def next_load_id(con: Any) -> int:
    """A new load id (the caller uses it for the data rows and `record_load`)."""
    return int(con.execute("SELECT nextval('load_id_seq')").fetchall()[0][0])


def record_load(con: Any, *, load_id: int, period: date, file_name: str, sha256: str,
                rows: dict[str, int], loaded_by: str, loaded_at: datetime, outcome: str,
                warnings_json: str, is_demo: bool = False, repeat_of: date | None = None) -> None:
    """Write the ledger row of a load, making it the period's active load (caller's transaction).

    `repeat_of`: the month whose staff rows this load repeats, loaded because HR confirmed it."""
    con.execute("UPDATE loads SET active = false WHERE period = ? AND active", [period])
    con.execute(
        f"INSERT INTO loads (load_id, period, file_name, sha256, {_ROWS}, "
        "loaded_by, loaded_at, outcome, warnings, "
        f"active, is_demo, repeat_of) VALUES ({', '.join(['?'] * (8 + len(LEDGER_ROWS)))}, true, ?, ?)",
        [load_id, period, file_name, sha256, *(int(rows.get(t, 0)) for t in LEDGER_ROWS),
         loaded_by, loaded_at, outcome, warnings_json, bool(is_demo), repeat_of],
    )


def active_load(con: Any, period: date) -> tuple[int, str, dict[str, int]] | None:
    """(load_id, sha256, rows per table) of the load whose rows are `period`'s data now, if any."""
    row = con.execute(
        f"SELECT load_id, sha256, {_ROWS} FROM loads "
        "WHERE period = ? AND active ORDER BY load_id DESC LIMIT 1",
        [period],
    ).fetchall()
    if not row:
        return None
    r = row[0]
    return int(r[0]), str(r[1]), {t: int(v) for t, v in zip(LEDGER_ROWS, r[2:])}


#: The months that are loaded, as a SELECT of one `period` column: every month with an active
#: load (and any month with staff rows, for stores built by hand in tests). Use it in SQL
#: (e.g. a CTE `per AS ({LOADED_PERIODS_SQL})`) and through `loaded_periods` in Python.
LOADED_PERIODS_SQL = (
    "SELECT DISTINCT period FROM (SELECT period FROM loads WHERE active "
    "UNION ALL SELECT DISTINCT period FROM staff)"
)


def loaded_periods(con: Any) -> list[date]:
    """The loaded months (first days), ascending: the one list every layer uses (read once per
    page view: store.memo)."""
    return list(memo.remembered(con, "store.loaded_periods", lambda: tuple(
        r[0] for r in con.execute(f"{LOADED_PERIODS_SQL} ORDER BY period").fetchall())))


def period_ever_loaded(con: Any, period: date) -> bool:
    """True when any load (active or replaced) was made for `period`."""
    return bool(con.execute("SELECT count(*) FROM loads WHERE period = ?", [period]).fetchall()[0][0])


def has_loads(con: Any) -> bool:
    """True when any month has been loaded."""
    return bool(con.execute("SELECT count(*) FROM loads").fetchall()[0][0])


def holds_real_loads(con: Any) -> bool:
    """True when any load (active or replaced) was made from a real file, not by the demo command."""
    return bool(con.execute("SELECT count(*) FROM loads WHERE NOT is_demo").fetchall()[0][0])


def is_demo_store(con: Any) -> bool:
    """True while demo data is shown: some month's active load was made by the demo command."""
    return bool(con.execute("SELECT count(*) FROM loads WHERE active AND is_demo").fetchall()[0][0])


def loads_fingerprint(con: Any) -> str:
    """Changes whenever a load is recorded: the count of loads, the latest load id and time
    ("0:None:None" for an empty store). The figures' key (metrics.detail) and the start of
    `load_fingerprint`."""
    row = con.execute("SELECT count(*), max(load_id), max(loaded_at) FROM loads").fetchall()[0]
    return f"{row[0]}:{row[1]}:{row[2]}"


def load_fingerprint(con: Any) -> str:
    """Changes whenever a load is recorded, or a census return is imported or produced (from the
    command line too): the key every cached figure is stored under."""
    text = loads_fingerprint(con)
    census = con.execute("SELECT (SELECT count(*) FROM census_returns), "
                         "(SELECT count(*) FROM census_produced)").fetchall()[0]
    return text if census == (0, 0) else f"{text}:census {census[0]}/{census[1]}"
