"""The load ledger: one row per successful load of a month (rejected files write nothing).

Why here: the ledger is how every figure is traced to the file it came from, how the dashboard
knows its data changed (`load_fingerprint`), and how a demo store is told from a real one
(`is_demo` on each load, set by the demo command only).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from store.connection import DATA_TABLES as LEDGER_ROWS  # rows_<table> columns, in order

_ROWS = ", ".join(f"rows_{t}" for t in LEDGER_ROWS)  # fixed names from the code, never input


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
    """The loaded months (first days), ascending: the one list every layer uses."""
    return [r[0] for r in con.execute(f"{LOADED_PERIODS_SQL} ORDER BY period").fetchall()]


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


def load_fingerprint(con: Any) -> str:
    """Changes whenever a load is recorded, or a census return is imported or produced (from the
    command line too): the key every cached figure is stored under."""
    row = con.execute("SELECT count(*), max(load_id), max(loaded_at) FROM loads").fetchall()[0]
    text = f"{row[0]}:{row[1]}:{row[2]}"
    census = con.execute("SELECT (SELECT count(*) FROM census_returns), "
                         "(SELECT count(*) FROM census_produced)").fetchall()[0]
    return text if census == (0, 0) else f"{text}:census {census[0]}/{census[1]}"
