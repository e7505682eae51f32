"""Bookkeeping of the per-load aggregates (the measure cube) kept in the store.

Why: at 100x the demo, computing every measure from the raw rows on each page view costs seconds.
metrics.aggregates keeps, for every loaded month, each declared measure summed per combination of
the dimensions a scope, filter or breakdown can use (qualified_social_worker, service, team,
role_group): a few hundred rows a month instead of tens of thousands. The engine reads those
(metrics.sqlgen, `cube=True`) only when they are provably current: the state records a signature
of the declarations (the generated refresh SQL itself) and a fingerprint of the data (active loads
and row counts); if either differs (a new declaration, rows written by something that did not
refresh them) the engine computes from the raw rows instead, so a stale figure is never shown.

Tables (store migration 10): measure_cube(period, measure_id, qualified_social_worker, service,
team, role_group, v, n), measure_cube_state(key, value), measure_cube_periods(period, fingerprint).
"""

from __future__ import annotations

from datetime import date

import duckdb

from metrics.sqlgen import CUBE
from store import memo

TABLE = CUBE
STATE = "measure_cube_state"
PERIODS = "measure_cube_periods"
_TABLES = ("staff", "leavers", "vacancies", "training", "survey")


def data_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Active loads and row counts of every data table (cheap: no scan of the rows; read once
    per page view: store.memo)."""
    return memo.remembered(con, "metrics.stored.data_fingerprint", lambda: _data_fingerprint(con))


def _data_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    counts = ", ".join(f"(SELECT count(*) FROM {t})" for t in _TABLES)
    row = con.execute(
        "SELECT (SELECT string_agg(load_id::VARCHAR || '@' || period::VARCHAR, ',' ORDER BY period) "
        f"FROM loads WHERE active), {counts}"
    ).fetchone()
    return "|".join("" if v is None else str(v) for v in row)


def period_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[date, str]:
    """Per loaded period: its active load and rows per table (what a refresh compares)."""
    parts = " UNION ALL ".join(
        f"SELECT period, '{t}' AS t, count(*) AS n FROM {t} GROUP BY period" for t in _TABLES)
    rows = con.execute(f"""
        WITH c AS ({parts}),
        l AS (SELECT period, max(load_id) FILTER (WHERE active) AS load_id FROM loads GROUP BY period),
        p AS (SELECT period FROM c UNION SELECT period FROM l WHERE load_id IS NOT NULL)
        SELECT p.period, any_value(l.load_id) AS load_id,
               string_agg(c.t || '=' || c.n::VARCHAR, ',' ORDER BY c.t) AS counts
        FROM p LEFT JOIN l USING (period) LEFT JOIN c USING (period) GROUP BY p.period""").fetchall()
    return {r[0]: f"{r[1]}|{r[2]}" for r in rows}


def has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        con.execute(f"SELECT 1 FROM {STATE} LIMIT 0")
        return True
    except duckdb.Error:
        return False


def state(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute(f"SELECT key, value FROM {STATE}").fetchall())


def is_fresh(con: duckdb.DuckDBPyConnection, signature: str) -> bool:
    """True when the cube answers for the current declarations (`signature`) and data."""
    if not has_tables(con):
        return False
    st = state(con)
    return st.get("signature") == signature and st.get("data") == data_fingerprint(con)
