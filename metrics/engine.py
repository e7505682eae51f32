"""The metric engine: every figure of DESIGN §4 as one set-based DuckDB query per metric.

Why set-based: the history of a measure over all loaded months is one query (windows and range
joins over periods), so a 36-month trend at 100x the demo's size still answers in well under a
second. Why bind parameters: scope, filters and dates come from users; only identifiers from fixed
whitelists (the breakdown column) are ever placed into the SQL text.

Conventions: `period` is the first day of the month and d = last_day(period) is the reference
date. "Employed" = Permanent + Fixed-term + Casual; "agency" = Agency. A zero or missing
denominator gives NULL ("no data"), never 0. Rolling 12-month measures cover the 12 monthly
periods p-11..p and say how many of them are loaded (`months_covered`, `partial`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from metrics import aggregates, catalogue, sqlgen, stored
from metrics.query import (
    COV_CTE, DEFAULT_CASELOAD_THRESHOLD, FILTER_KEYS, PER_CTE, bind, calendar, check_by, check_filters, check_scope,
    latest_period, parse_period, periods, require_period, working_days,
)
from ingest.published import DFE_INDICATORS
from metrics.types import MetricError, as_float
from store.periods import add_months, year_ago
from store import memo

__all__ = [
    "COLUMNS", "EVALUATED_COLUMNS", "DEFAULT_CASELOAD_THRESHOLD", "FILTER_KEYS", "add_targets",
    "compute", "evaluate", "evaluate_history", "history", "latest_period", "parse_period",
    "periods", "refresh_values", "require_period", "values_fresh", "working_days",
    "evaluate_history_with_services",
]

COLUMNS = [
    "metric_id", "period", "scope", "group", "value", "numerator", "denominator",
    "months_covered", "partial", "base_count",
]
EVALUATED_COLUMNS = COLUMNS + ["target", "status", "year_ago_value", "change_on_year"]


# Every declaration must resolve before any figure is computed (a bad one is refused here).
sqlgen.resolve(catalogue.MEASURES, catalogue.CATALOGUE.values(), dfe_indicators=DFE_INDICATORS)

_require_period = require_period  # the CLI's older name
#: Per metric, how many months before the first month asked for its sources are read from.
_LOOKBACK = {m.id: sqlgen.lookback_months([m]) for m in catalogue.CATALOGUE.values()}


def _metric_ids(metric_ids: Iterable[str] | None) -> list[str]:
    if metric_ids is None:
        return list(catalogue.CATALOGUE)
    if isinstance(metric_ids, str):
        metric_ids = [metric_ids]
    ids = list(metric_ids)
    for mid in ids:
        catalogue.get(mid)  # raises MetricError naming the known ids
    return ids


def _metric_query(metric_id: str, *, by: str | None, filters: dict[str, list[str]],
                  cal_name: str, cube: bool = False, cube_agency: bool = True) -> str:
    """The declared metric as one query over every loaded period in [$start, $end]."""
    metric = catalogue.get(metric_id)
    ctes, kind = sqlgen.compile_metric(metric, measures=catalogue.MEASURE_BY_ID, by=by,
                                       filters=filters, cube=cube, cube_agency=cube_agency)
    ctes = [PER_CTE, COV_CTE] + [c.replace("__CAL__", cal_name) for c in ctes]
    if kind == "ratio":
        value = "CASE WHEN m.den IS NULL OR m.den = 0 THEN NULL ELSE m.num / m.den END"
    elif kind == "count":
        value = "coalesce(m.num, 0)"  # a loaded month with none is 0, not "no data"
    else:
        value = "m.num"
    num = "coalesce(m.num, 0)" if kind == "count" else "m.num"
    base = "coalesce(m.base, 0)" if kind == "count" else "m.base"
    history = metric.needs_history
    covered = "cov.months_covered" if history else "NULL::INTEGER"
    partial = "cov.months_covered < 12" if history else "FALSE"
    # Without a breakdown every loaded period gets a row (NULL = no data); with one, the groups
    # that have data in that period.
    frm = "per LEFT JOIN m ON m.period = per.period" if by is None else "m JOIN per ON m.period = per.period"
    return (
        "WITH " + ",\n".join(ctes) + f"""
        SELECT per.period AS period, m.grp AS "group", ({value})::DOUBLE AS value,
               ({num})::DOUBLE AS numerator, m.den::DOUBLE AS denominator,
               {covered} AS months_covered, {partial} AS partial, ({base})::BIGINT AS base_count
        FROM {frm} JOIN cov ON cov.period = per.period
        WHERE per.period BETWEEN $start AND $end"""
    )


#: The metrics that read the checked agency assignments (the catalogue's agency measures).
_AGENCY_METRICS = frozenset(mid for mid in catalogue.CATALOGUE if "__AGENCY__" in _metric_query(
    mid, by=None, filters={}, cal_name="__CAL__"))


def _agency_kept(con: duckdb.DuckDBPyConnection) -> bool:
    from metrics.agency import kept_fresh

    return kept_fresh(con)


# ----------------------------------------------------------------------------- public API

def history(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str = "social_workers",
    by: str | None = None,
    metric_ids: Iterable[str] | None = None,
    filters: Mapping[str, Iterable[str]] | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    caseload_threshold: float = DEFAULT_CASELOAD_THRESHOLD,
    use_stored: bool = True,
    use_values: bool = True,
) -> pd.DataFrame:
    """Every requested metric for every loaded period in [start, end].

    With no breakdown or a kept one (`KEPT_BY`), no filter and the default caseload threshold, the figures
    are read from the metric values kept per load (`refresh_values`) when they are current. Otherwise one
    statement: the generated query of each metric, side by side. Measures come from the
    per-load aggregates kept in the store (metrics.aggregates) when they are current and the
    caseload threshold is the default;
    otherwise from the raw rows (`use_stored=False` forces that, `use_values=False` skips only the
    stored values: tests and the benchmarks use them)."""
    check_scope(scope)
    check_by(by)
    clean = check_filters(filters)
    ids = _metric_ids(metric_ids)
    lo = parse_period(start) if start is not None else date(1900, 1, 1)
    hi = parse_period(end) if end is not None else date(9999, 12, 1)
    default = use_stored and float(caseload_threshold) == DEFAULT_CASELOAD_THRESHOLD
    if default and use_values and by in KEPT_BY and not clean and values_fresh(con):
        return _stored_values(con, scope=scope, ids=ids, lo=lo, hi=hi, by=by)
    cube = default and aggregates.is_fresh(con)
    # the agency measures' cube rows answer only for the rules their checked rows were kept under
    cube_agency = cube and (not _AGENCY_METRICS.intersection(ids) or _agency_kept(con))
    pers = periods(con)
    params: dict[str, Any] = {
        "sw": scope == "social_workers", "start": lo, "end": hi,
        "threshold": float(caseload_threshold),
    }
    for key, vals in clean.items():
        params[f"f_{key}"] = vals
    cal_name = f"__workdays_{uuid.uuid4().hex}"
    agency_name = f"__agency_{uuid.uuid4().hex}"
    parts = []
    for k, mid in enumerate(ids):
        # each metric's sources are read from the first month its figures need
        params[f"src_lo_{k}"] = add_months(lo, -_LOOKBACK[mid]) if lo.year > 1900 else lo
        sql = _metric_query(mid, by=by, filters=clean, cal_name=cal_name, cube=cube,
                            cube_agency=cube_agency)
        parts.append(f"SELECT {k} AS _k, '{mid}' AS metric_id, * FROM ({sql.replace('$src_lo', f'$src_lo_{k}')})")
    if not parts:
        return _empty()
    # every metric in one statement: one round trip, and DuckDB runs the metrics side by side
    sql = " UNION ALL ".join(parts) + ' ORDER BY _k, period, "group" NULLS FIRST'
    registered = cal_name in sql
    registered_agency = "__AGENCY__" in sql
    try:
        if registered:
            con.register(cal_name, calendar(pers))
        if registered_agency:
            from metrics.agency import checks_frame  # the agency rules, applied (issue 14)

            sql = sql.replace("__AGENCY__", agency_name)
            con.register(agency_name, checks_frame(con))
        out = con.execute(sql, bind(sql, params)).df().drop(columns="_k")
    finally:
        if registered:
            con.unregister(cal_name)
        if registered_agency:
            con.unregister(agency_name)
    out.insert(2, "scope", scope)
    return _tidy(out)


# ----------------------------------------------------------------------------- stored values
# Every metric, every loaded month, per scope, no filter, overall and by service (what every
# page's trends, cards and themes read, published together with each service's figures):
# computed once in each load's transaction (`refresh_values`, registered with the loader below)
# and kept in the store (migrations 80, 81), so the first page view after a load reads a table. Read only while they provably answer: the state records a signature of the
# generated SQL, the data fingerprint (metrics.stored) and the agency rules file the agency
# measures were checked against; anything else computes live, so a stale figure is never shown.

VALUES = "metric_values"
VALUES_STATE = "metric_values_state"
_VALUE_COLS = ["metric_id", "period", "value", "numerator", "denominator", "months_covered",
               "partial", "base_count"]
#: the breakdowns kept (None = the overall figure; column `breakdown` of the kept rows)
KEPT_BY = (None, "service", "team", "role_group")


def _values_signature() -> str:
    import hashlib

    h = hashlib.sha256(",".join(_VALUE_COLS).encode())
    for mid in catalogue.CATALOGUE:
        h.update(mid.encode())
        for by in KEPT_BY:
            h.update(_metric_query(mid, by=by, filters={}, cal_name="__CAL__", cube=True).encode())
    h.update(str(DEFAULT_CASELOAD_THRESHOLD).encode())
    return h.hexdigest()[:32]


VALUES_SIGNATURE = _values_signature()


def _rules_fingerprint() -> str:
    """The agency rules file the agency measures are checked against, by its content only (not its
    path: the same rules read from another install directory leave the kept values current)."""
    import hashlib

    from agency.rules import rules_path

    path = rules_path()
    try:
        content = path.read_bytes()
    except OSError:
        content = b"(none)"
    return hashlib.sha256(content).hexdigest()[:16]


def _values_key(con: duckdb.DuckDBPyConnection) -> str:
    return f"{VALUES_SIGNATURE}|{_rules_fingerprint()}|{stored.data_fingerprint(con)}"


def values_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the stored metric values answer for these declarations, rules and data (asked
    once per page view: store.memo)."""
    return memo.remembered(con, "metrics.engine.values_fresh", lambda: _values_fresh(con))


def _values_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        row = con.execute(f"SELECT value FROM {VALUES_STATE} WHERE key = 'key'").fetchone()
    except duckdb.Error:  # a store from before migration 80 (opened without migrating)
        return False
    return row is not None and row[0] == _values_key(con)


def _stored_values(con: duckdb.DuckDBPyConnection, *, scope: str, ids: list[str], lo: date,
                   hi: date, by: str | None = None, both: bool = False) -> pd.DataFrame:
    """The kept values overall (`by` None) or by one of `KEPT_BY`, or `both`: the overall rows
    first, then the services'."""
    # fixed text, never input
    which = ("(breakdown IS NULL OR breakdown = 'service')" if both else "breakdown IS NULL"
             if by is None else "breakdown = $by")
    first = "breakdown IS NOT NULL, " if both else ""
    params = {"scope": scope, "ids": ids, "lo": lo, "hi": hi}
    if by is not None and not both:
        params["by"] = by
    out = con.execute(
        f"SELECT {', '.join(_VALUE_COLS)}, group_name AS \"group\" FROM {VALUES} WHERE scope = $scope "
        f"AND {which} AND list_contains($ids, metric_id) AND period BETWEEN $lo AND $hi "
        f"ORDER BY {first}list_position($ids, metric_id), period, group_name",  # the order history() gives
        params).df()
    out["scope"] = scope  # `_tidy` puts the columns in their order
    return _tidy(out)


#: How many months after a month whose figures changed the values can change too: the longest
#: window or cohort of any metric, and the 12 months a rolling figure says it covers.
_VALUES_REACH = max(12, max(_LOOKBACK.values(), default=0))


def _values_months(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """{loaded month: a fingerprint of what its values are computed from}: its active load and
    rows per table (metrics.stored.period_fingerprints) and its rows of the measure cube (the
    agency measures' rows change with the checked assignments, not only with the month's load)."""
    cube = dict(con.execute(
        f"SELECT period, sum(hash(measure_id, qualified_social_worker, service, team, role_group, v, n, "
        f"scope, by_col)::HUGEINT)::VARCHAR || '#' || count(*)::VARCHAR FROM {stored.TABLE} "
        "GROUP BY period").fetchall())
    return {p.isoformat(): f"{fp}|{cube.get(p, '')}" for p, fp in stored.period_fingerprints(con).items()}


def _values_to_compute(con: duckdb.DuckDBPyConnection, now: dict[str, str], *, full: bool) -> list[date] | None:
    """The loaded months whose stored values must be computed again, or None for every month:
    those whose inputs (`_values_months`) changed since the values were kept and the months up
    to `_VALUES_REACH` after each (or after a month no longer loaded). Every month when `full`,
    when the declarations or agency rules changed, or when the values may have been computed
    from anything but the kept aggregates and checked assignments (the live agency checks read
    every month)."""
    if full or not aggregates.is_fresh(con) or (_AGENCY_METRICS and not _agency_kept(con)):
        return None
    try:
        state = dict(con.execute(f"SELECT key, value FROM {VALUES_STATE}").fetchall())
    except duckdb.Error:
        return None
    was = state.get("key", "")
    if not was.startswith(f"{VALUES_SIGNATURE}|{_rules_fingerprint()}|") or "months" not in state:
        return None
    import json

    before = json.loads(state["months"])
    changed = [date.fromisoformat(p) for p in set(now) | set(before) if now.get(p) != before.get(p)]
    return sorted({q for q in map(date.fromisoformat, now)
                   for c in changed if c <= q <= add_months(c, _VALUES_REACH)})


def refresh_values(con: duckdb.DuckDBPyConnection, *, full: bool = False) -> int:
    """Bring the stored metric values (both scopes) up to date in the caller's transaction;
    returns the rows written. Only the months whose figures can have changed since they were
    kept are computed again (`_values_to_compute`: a load's month and the 12 after it), so a
    load's cost grows with the month, not with the history; everything when `full`, or when the
    declarations or rules changed. When a figure cannot be computed (a bad agency rules file)
    nothing is kept and the engine computes live, where the error is shown to whoever asks."""
    import json

    from metrics.types import SCOPES

    now = _values_months(con)
    months = _values_to_compute(con, now, full=full)
    con.execute(f"DELETE FROM {VALUES_STATE}")
    if months is None:
        con.execute(f"DELETE FROM {VALUES}")
    else:
        con.execute(f"DELETE FROM {VALUES} WHERE list_contains($p, period) OR NOT list_contains($l, period)",
                    {"p": months, "l": [date.fromisoformat(p) for p in now]})
    if months == []:
        frames = []
    else:
        span = {} if months is None else {"start": months[0], "end": months[-1]}
        try:
            frames = [(by, history(con, scope=scope, by=by, use_values=False, **span))
                      for scope in SCOPES for by in KEPT_BY]
        except MetricError:
            con.execute(f"DELETE FROM {VALUES}")
            return 0
    rows = 0
    for by, frame in frames:
        if months is not None:
            frame = frame[frame["period"].isin(months)]
        if frame.empty:
            continue
        part = frame[["scope", *_VALUE_COLS]].assign(group_name=frame["group"], breakdown=by)
        name = f"__values_{uuid.uuid4().hex}"
        con.register(name, part)
        try:
            con.execute(f"INSERT INTO {VALUES} (scope, {', '.join(_VALUE_COLS)}, group_name, breakdown) "
                        f"SELECT scope, {', '.join(_VALUE_COLS)}, group_name, breakdown FROM {name}")
        finally:
            con.unregister(name)
        rows += len(part)
    con.executemany(f"INSERT INTO {VALUES_STATE} VALUES (?, ?)",
                    [("key", _values_key(con)), ("months", json.dumps(now, sort_keys=True))])
    return rows


def _after_load(cur: duckdb.DuckDBPyConnection) -> None:
    refresh_values(cur)


def _cost_after_load(cur: duckdb.DuckDBPyConnection) -> None:
    from metrics import agency

    agency.keep_cost(cur)


def register() -> None:
    """Have every load in this process refresh the stored values in its own transaction, after
    the measure cube (metrics.aggregates registers first: this module imports it), and then keep
    the agency cost panel's figures (metrics.agency.keep_cost: they read the stored 80:20 ratio);
    idempotent."""
    from ingest import loader

    aggregates.register()
    if _after_load not in loader.AFTER_WRITE:
        loader.AFTER_WRITE.append(_after_load)
    if _cost_after_load not in loader.AFTER_WRITE:
        loader.AFTER_WRITE.append(_cost_after_load)


def _tidy(out: pd.DataFrame) -> pd.DataFrame:
    """The engine's column types: dates, nullable integers, bool partial, None for no group."""
    out["period"] = pd.to_datetime(out["period"]).dt.date
    out["months_covered"] = out["months_covered"].astype("Int64")
    out["base_count"] = out["base_count"].astype("Int64")
    out["partial"] = out["partial"].astype(bool)
    out["group"] = out["group"].astype(object).where(out["group"].notna(), None)
    return out[COLUMNS]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})


def compute(
    con: duckdb.DuckDBPyConnection,
    *,
    period: date | str,
    scope: str = "social_workers",
    by: str | None = None,
    metric_ids: Iterable[str] | None = None,
    filters: Mapping[str, Iterable[str]] | None = None,
    caseload_threshold: float = DEFAULT_CASELOAD_THRESHOLD,
) -> pd.DataFrame:
    """The metrics at one loaded period (named error listing loaded periods if it is not)."""
    p = require_period(con, period)
    return history(
        con, scope=scope, by=by, metric_ids=metric_ids, filters=filters, start=p, end=p,
        caseload_threshold=caseload_threshold,
    )


def evaluate(
    con: duckdb.DuckDBPyConnection,
    *,
    period: date | str,
    scope: str = "social_workers",
    by: str | None = None,
    metric_ids: Iterable[str] | None = None,
    filters: Mapping[str, Iterable[str]] | None = None,
    targets: Mapping[str, Any] | None = None,
    caseload_threshold: float = DEFAULT_CASELOAD_THRESHOLD,
) -> pd.DataFrame:
    """compute() plus target, RAG status and the change on the same month a year earlier."""
    p = require_period(con, period)
    both = history(
        con, scope=scope, by=by, metric_ids=metric_ids, filters=filters, start=year_ago(p), end=p,
        caseload_threshold=caseload_threshold,
    )
    out = add_targets(both, targets=targets)
    return out[out["period"] == p].reset_index(drop=True)


def evaluate_history(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str = "social_workers",
    by: str | None = None,
    metric_ids: Iterable[str] | None = None,
    filters: Mapping[str, Iterable[str]] | None = None,
    targets: Mapping[str, Any] | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    caseload_threshold: float = DEFAULT_CASELOAD_THRESHOLD,
) -> pd.DataFrame:
    """history() with target, status, year_ago_value and change_on_year on every row."""
    frame = history(
        con, scope=scope, by=by, metric_ids=metric_ids, filters=filters,
        caseload_threshold=caseload_threshold,
    )
    out = add_targets(frame, targets=targets)
    if start is not None:
        out = out[out["period"] >= parse_period(start)]
    if end is not None:
        out = out[out["period"] <= parse_period(end)]
    return out.reset_index(drop=True)


def evaluate_history_with_services(con: duckdb.DuckDBPyConnection, *, scope: str = "social_workers"
                                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(`evaluate_history(con, scope=scope)`, `evaluate_history(con, scope=scope, by="service")`):
    what every page reads first, from one read of the kept values and one pass of targets when
    the values are current (each call alone reads and checks them again)."""
    if not values_fresh(con):
        return evaluate_history(con, scope=scope), evaluate_history(con, scope=scope, by="service")
    frame = _stored_values(con, scope=scope, ids=_metric_ids(None), lo=date(1900, 1, 1),
                           hi=date(9999, 12, 1), both=True)
    out = add_targets(frame)  # overall rows (group None) and services' (group = service) apart
    overall = out["group"].isna().to_numpy()
    return out[overall].reset_index(drop=True), out[~overall].reset_index(drop=True)


def add_targets(frame: pd.DataFrame, *, targets: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Target, status and change on the same month a year earlier (null when not loaded)."""
    from metrics.targets import load_targets, statuses

    tg = load_targets() if targets is None else targets
    out = frame.copy()
    # whole columns as codes (measure, group, month): a first history read is ~4,500 rows, and a
    # tuple and a dict look-up per row for the year-ago figure cost a third of this function
    mcodes, mids = pd.factorize(out["metric_id"])
    gcodes, groups = pd.factorize(out["group"])  # None/NaN: -1, one group (the overall figure)
    gcodes = gcodes + 1
    pcodes, when = pd.factorize(out["period"])
    if pd.api.types.is_float_dtype(out["value"]) and not pd.api.types.is_extension_array_dtype(out["value"]):
        now = out["value"].to_numpy(dtype="float64")  # the engine's own frames (NaN = no data)
    else:  # anything else ("c", None, pd.NA): as_float's reading, NaN where it gives none
        now = np.array([np.nan if (f := as_float(v)) is None else f for v in out["value"].tolist()],
                       dtype="float64")
    n_groups, n_months = len(groups) + 1, len(when)
    at_month = {p: i for i, p in enumerate(when)}
    # each month's same month a year earlier (store.periods), as a month code (-1: not loaded)
    ago = np.array([at_month.get(year_ago(p), -1) for p in when], dtype="int64")
    cell = (mcodes.astype("int64") * n_groups + gcodes) * n_months
    figures = pd.Series(now, index=cell + pcodes)
    figures = figures[~figures.index.duplicated(keep="last")]  # a repeated row: the last one counts
    then = ago[pcodes]
    ya = figures.reindex(np.where(then >= 0, cell + then, -1)).to_numpy(dtype="float64")
    targets_of = pd.array([(tg[m].value if m in tg else None) for m in mids], dtype="Float64")
    out["target"] = targets_of.take(mcodes, allow_fill=True)  # a measure of none (-1): no target
    # one pass of the targets per measure (row by row this was ~15 ms of every page's first
    # history read)
    verdict = np.full(len(out), "grey", dtype=object)
    for k, m in enumerate(mids):
        at = np.flatnonzero(mcodes == k)
        verdict[at] = statuses(m, now[at], tg)
    # no verdict on a 12-month figure that covers fewer months: it is not the measure the target is for
    if "partial" in out:
        verdict[out["partial"].fillna(False).astype(bool).to_numpy()] = "grey"
    out["status"] = verdict.tolist()
    out["year_ago_value"] = pd.array(ya, dtype="Float64")  # NaN (not loaded) reads as missing
    out["change_on_year"] = pd.array(now - ya, dtype="Float64")
    return out[EVALUATED_COLUMNS]


register()
