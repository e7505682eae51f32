"""The per-load aggregates (the measure cube, metrics.stored), computed from the declarations.

Why here and when: every loader (the ingest command, the upload page, the demo command) calls
`refresh(con)` inside the load's own transaction, after the rows are written, so the aggregates
and the rows they come from commit together. A measure of month p reads month p only; a cohort
(stability) or an additive custom count (conversions) at p reads up to 12 months before it, so
loading month p recomputes p's measures and those figures for the loaded months up to 12 after it:
the cost grows with the month loaded, not with the history.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

import duckdb

from metrics import catalogue, sqlgen, stored
from metrics.query import COV_CTE, DEFAULT_CASELOAD_THRESHOLD, PER_CTE, bind, calendar, periods
from metrics.types import BREAKDOWNS, Distinct, Metric, refs
from store.periods import add_months

_OUT = "period, measure_id, qualified_social_worker, service, team, role_group, v, n"
_DIMS = ", ".join(f"grp.{d} AS {d}" for d in sqlgen.DIMS)


def _measure_sql(source: str) -> str | None:
    """Every declared measure of `source` for the months in $ps, per dimension combination."""
    ms = [m for m in catalogue.MEASURES if m.source == source]
    if not ms:
        return None
    extras = set().union(*(sqlgen._columns_used(f"{m.expr} {m.filter or ''}") for m in ms))
    items = ", ".join(
        f"struct_pack(id := '{m.id}', "
        f"v := ({'count(*)' if m.agg == 'count' else f'sum({m.expr})'} FILTER (WHERE {m.filter or 'TRUE'}))::DOUBLE, "
        f"n := count(*) FILTER (WHERE {m.filter or 'TRUE'}))" for m in ms)
    src = sqlgen._source_sql(source, None, {}, extras=extras, dims=True)
    return f"""
        WITH a AS (SELECT period, grp, [{items}] AS ms FROM {src}
                   WHERE list_contains($ps, period) GROUP BY period, grp),
        b AS (SELECT period, grp, unnest(ms) AS m FROM a)
        SELECT period, m.id AS measure_id, {_DIMS}, m.v AS v, m.n AS n FROM b WHERE m.n > 0"""


def _metric_sql(metric: Metric) -> str:
    """A Cohort or additive Custom metric's num (v) and base (n) per dimension combination."""
    ctes, _ = sqlgen.compile_metric(metric, measures=catalogue.MEASURE_BY_ID, by=None, filters={},
                                    dims=True)
    return ("WITH " + ",\n".join([PER_CTE, COV_CTE, *ctes]) + f"""
        SELECT m.period, '{sqlgen.cube_key(metric)}' AS measure_id, {_DIMS.replace('grp.', 'm.grp.')},
               m.num::DOUBLE AS v, m.base::BIGINT AS n
        FROM m WHERE list_contains($ps, m.period) AND m.base > 0""")


_CUBE_METRICS = tuple(m for m in catalogue.CATALOGUE.values() if sqlgen.cube_key(m) is not None)
_DISTINCTS = tuple(dict.fromkeys(
    r for m in catalogue.CATALOGUE.values() for r in refs(m.compute) if isinstance(r, Distinct)))
_BYS = (None, *BREAKDOWNS)


@lru_cache(maxsize=1)
def signature() -> str:
    """Hash of every SQL text the refresh runs: changes whenever a declaration or the generator does."""
    h = hashlib.sha256()
    for source in sqlgen.SOURCES_WITH_CUBE:
        h.update((_measure_sql(source) or "").encode())
    for m in _CUBE_METRICS:
        h.update(_metric_sql(m).encode())
    for r in _DISTINCTS:
        for by in _BYS:
            h.update(sqlgen.distinct_sql(r, by=by).encode())
    h.update(str(DEFAULT_CASELOAD_THRESHOLD).encode())
    return h.hexdigest()[:32]


def is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """The engine reads the cube only when this is True."""
    return stored.is_fresh(con, signature())


def _run(con: duckdb.DuckDBPyConnection, sql: str, ps: Sequence[date], *, lookback: int,
         cal: str, sw: bool = False, out: str = _OUT) -> int:
    sql = sql.replace("__CAL__", cal)
    params = {"ps": list(ps), "src_lo": add_months(min(ps), -lookback), "end": max(ps),
              "threshold": DEFAULT_CASELOAD_THRESHOLD, "sw": sw}
    before = con.execute(f"SELECT count(*) FROM {stored.TABLE}").fetchone()[0]
    con.execute(f"INSERT INTO {stored.TABLE} ({out}) {sql}", bind(sql, params))
    return con.execute(f"SELECT count(*) FROM {stored.TABLE}").fetchone()[0] - before


def refresh(con: duckdb.DuckDBPyConnection, *, full: bool = False) -> dict[str, object]:
    """Bring the cube up to date; returns {'periods': months whose measures were recomputed,
    'rows': rows written}. Runs in the caller's transaction (no BEGIN/COMMIT here). Recomputes
    everything when the declarations changed (or `full`), else only what the changed months touch."""
    from metrics import agency  # the agency measures' source: checked assignments, kept per load

    checked = agency.keep_checked(con)  # the months whose checked assignments changed
    now = stored.period_fingerprints(con)
    sig = signature()
    before = {} if full or stored.state(con).get("signature") != sig else dict(
        con.execute(f"SELECT period, fingerprint FROM {stored.PERIODS}").fetchall())
    loaded = sorted(now)
    if not before:
        con.execute(f"DELETE FROM {stored.TABLE}")
    dirty = sorted(p for p in set(now) | set(before) if now.get(p) != before.get(p))
    # a month's measures read that month; cohort/custom figures read up to 12 months before
    lookback = max(12, max((sqlgen.lookback_months([m]) for m in _CUBE_METRICS), default=0))
    after = sorted({p for p in loaded for d in dirty if d <= p <= add_months(d, lookback)})
    measured = [p for p in dirty if p in now]
    # the agency measures: also the months whose checked rows changed (the cool-off reads other
    # months; other rules or code check every month again); none when nothing could be kept
    agency_months = [] if checked is None else sorted(set(measured) | {p for p in checked if p in now})
    agency_ids = [m.id for m in catalogue.MEASURES if m.source == sqlgen.AGENCY_SOURCE]
    keys = [sqlgen.cube_key(m) for m in _CUBE_METRICS] + [sqlgen.distinct_key(r) for r in _DISTINCTS]
    if before and agency_months:
        con.execute(f"DELETE FROM {stored.TABLE} WHERE list_contains($p, period) "
                    "AND list_contains($k, measure_id)", {"p": agency_months, "k": agency_ids})
    if before and dirty:
        con.execute(f"DELETE FROM {stored.TABLE} WHERE list_contains($p, period) "
                    "AND NOT list_contains($k, measure_id)", {"p": dirty, "k": keys})
        con.execute(f"DELETE FROM {stored.TABLE} WHERE list_contains($p, period) "
                    "AND list_contains($k, measure_id)", {"p": sorted(set(dirty) | set(after)), "k": keys})
    rows = 0
    cal = f"__workdays_{uuid.uuid4().hex}"
    con.register(cal, calendar(periods(con)))
    try:
        for source in sqlgen.SOURCES_WITH_CUBE:
            sql = _measure_sql(source)
            months = agency_months if source == sqlgen.AGENCY_SOURCE else measured
            if sql and months:
                sql = sql.replace("__AGENCY__", agency.KEPT)
                rows += _run(con, sql, months, lookback=0, cal=cal)
        if after:
            for m in _CUBE_METRICS:
                rows += _run(con, _metric_sql(m), after, lookback=sqlgen.lookback_months([m]), cal=cal)
            for r in _DISTINCTS:
                for by in _BYS:
                    for sw in (True, False):
                        rows += _run(con, sqlgen.distinct_sql(r, by=by), after, lookback=r.months,
                                     cal=cal, sw=sw, out=_OUT + ", scope, by_col")
    finally:
        try:
            con.unregister(cal)
        except duckdb.Error:  # the statement that failed is the error worth raising
            pass
    con.execute(f"DELETE FROM {stored.PERIODS}")
    if now:
        con.executemany(f"INSERT INTO {stored.PERIODS} VALUES (?, ?)", list(now.items()))
    con.execute(f"DELETE FROM {stored.STATE}")
    con.executemany(f"INSERT INTO {stored.STATE} VALUES (?, ?)",
                    [("signature", sig), ("data", stored.data_fingerprint(con))])
    return {"periods": measured, "rows": rows}


def _after_load(cur: duckdb.DuckDBPyConnection) -> None:
    refresh(cur)


def register() -> None:
    """Have every load in this process refresh the cube in its own transaction (idempotent)."""
    from ingest import loader

    if _after_load not in loader.AFTER_WRITE:
        loader.AFTER_WRITE.append(_after_load)


register()
