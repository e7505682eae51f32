"""The published history kept per load: rows in, rows out (disclosure.history decides them).

Why here: SQL lives in store/ and metrics/; what the rows mean (the disclosure policy's decision
for every measure, month and service) is disclosure.history's. Tables: store migration 82.
"""

from __future__ import annotations

import uuid

import duckdb
import pandas as pd

TABLE = "published_history"
STATE = "published_history_state"
COLUMNS = ("scope", "metric_id", "period", "service", "value", "numerator", "denominator",
           "base_count", "people_in_view", "suppressed", "suppression")


def kept_key(con: duckdb.DuckDBPyConnection) -> str | None:
    """The key the kept rows were decided under; None when nothing is kept (or no table yet)."""
    try:
        row = con.execute(f"SELECT value FROM {STATE} WHERE key = 'key'").fetchone()
    except duckdb.Error:  # a store from before migration 82 (opened without migrating)
        return None
    return None if row is None else row[0]


def read(con: duckdb.DuckDBPyConnection, *, scope: str | None = None, metric_ids: list[str] | None = None,
         shown_only: bool = False, columns: tuple[str, ...] = COLUMNS) -> pd.DataFrame:
    """The kept rows (of one scope, or all; of some measures, or all; only those not hidden, or
    all), `columns` of them (COLUMNS, or some), in no particular order. Read only what is used:
    the compliance decision reads a few hundred of ~10,000 rows."""
    if any(c not in COLUMNS for c in columns):
        raise ValueError(f"store.published.read: no such columns {sorted(set(columns) - set(COLUMNS))}")
    where, params = [], {}
    if scope is not None:
        where.append("scope = $scope")
        params["scope"] = scope
    if metric_ids is not None:
        where.append("list_contains($ids, metric_id)")
        params["ids"] = list(metric_ids)
    if shown_only:
        where.append("NOT suppressed")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return con.execute(f"SELECT {', '.join(columns)} FROM {TABLE} {clause}", params).df()


def write(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, *, key: str) -> int:
    """Replace every kept row with `rows` (columns COLUMNS) and record `key`, in the caller's
    transaction; returns the rows written."""
    forget(con)
    if not rows.empty:
        name = f"__published_{uuid.uuid4().hex}"
        con.register(name, rows[list(COLUMNS)])
        try:
            con.execute(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM {name}")
        finally:
            con.unregister(name)
    con.execute(f"INSERT INTO {STATE} VALUES ('key', ?)", [key])
    return len(rows)


def remember_moved(con: duckdb.DuckDBPyConnection, months: set[str]) -> None:
    """Record the months ("YYYY-MM") whose kept rows the write just made decided otherwise than
    the rows it replaced (read by the next step of the same load: `moved`), in the caller's
    transaction."""
    con.execute(f"DELETE FROM {STATE} WHERE key = 'moved'")
    con.execute(f"INSERT INTO {STATE} VALUES ('moved', ?)", [",".join(sorted(months))])


def moved(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The months `remember_moved` recorded (none when nothing was), forgotten once read."""
    try:
        row = con.execute(f"SELECT value FROM {STATE} WHERE key = 'moved'").fetchone()
    except duckdb.Error:  # a store from before migration 82
        return set()
    if row is None:
        return set()
    con.execute(f"DELETE FROM {STATE} WHERE key = 'moved'")
    return {m for m in row[0].split(",") if m}


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Keep nothing (readers then decide live)."""
    con.execute(f"DELETE FROM {STATE}")
    con.execute(f"DELETE FROM {TABLE}")
