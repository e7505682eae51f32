"""Detail frames behind the pages' charts (breakdowns of the catalogue's measures).

Why here and not in pages: every number is computed once, in SQL with bind parameters, by the
same scope and filter rules as the engine (both use metrics/query.py). No employee id ever leaves these
functions: they return aggregates or anonymous values only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import duckdb
import pandas as pd

from metrics.query import (
    AGENCY_SQL, DEFAULT_CASELOAD_THRESHOLD, EMPLOYED_SQL, bind, check_filters, check_scope, parse_period, require_period, where,
)
from metrics.types import MetricError
from store import loads_fingerprint, memo

LOS_BANDS = ("Under 1 year", "1 to 2 years", "2 to 5 years", "5 to 10 years", "10 years or more")
AGE_BANDS = ("Under 25", "25 to 34", "35 to 44", "45 to 54", "55 to 64", "65 and over", "Not known")
PROFILE_DIMENSIONS = ("age_band", "gender", "ethnicity", "disability", "lives_in_county")
OPTIONAL_COLUMNS = ("cases", "absence_days", "gender", "ethnicity", "age", "disability",
                    "lives_in_county", "converted_from_agency")

Filters = Mapping[str, Iterable[str]] | None


def _params(scope: str, filters: Filters, **extra) -> tuple[dict, dict]:
    check_scope(scope)
    clean = check_filters(filters)
    params = {"sw": scope == "social_workers", **extra}
    for k, v in clean.items():
        params[f"f_{k}"] = v
    return clean, params


def _svc(by_service: bool) -> str:
    """The leading `service, ` of a per-service query (fixed text, never input)."""
    return "service, " if by_service else ""


#: the detail frames `by_service` answers for every service in one query
BY_SERVICE = ("ratio_trend", "leavers_by_reason", "length_of_service_at_leaving",
              "caseload_distribution", "profile", "conversions_by_month")


def by_service(con: duckdb.DuckDBPyConnection, name: str, *, services: Iterable[str],
               **kwargs) -> dict[str, pd.DataFrame]:
    """service -> the detail frame `name` filtered to that service, for every one of `services`,
    from one query (one per service cost ~40 ms each at 100x on the pages that protect a table
    for the directorate and every service together). Each frame is what
    `name(con, filters={"service": [service]}, **kwargs)` gives (tests/integration/
    test_detail_by_service.py); `kwargs` may not filter by service."""
    if name not in BY_SERVICE:
        raise MetricError(f"{name!r} is not one of the detail frames by service ({', '.join(BY_SERVICE)}).")
    if "service" in dict(kwargs.get("filters") or {}):
        raise MetricError("by_service: the frames are split by service; do not filter by it too.")
    fn = globals()[name]
    every = fn(con, by_service=True, **kwargs)
    services = list(services)
    parts = {s: f.drop(columns="service").reset_index(drop=True)
             for s, f in every.groupby("service", sort=False)}
    for s in services:
        if s in parts:
            continue
        if name in ("length_of_service_at_leaving", "conversions_by_month"):
            # a service with none still lists every band / month, at zero: its own query (rare)
            parts[s] = fn(con, **{**kwargs, "filters": {**dict(kwargs.get("filters") or {}), "service": [s]}})
        else:
            parts[s] = every.iloc[0:0].drop(columns="service").reset_index(drop=True)
    return {s: parts[s] for s in services}


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    """Run bound SQL; a `period` column comes back as Python dates (pages and tests compare dates)."""
    df = con.execute(sql, bind(sql, params)).df()
    if "period" in df.columns:
        df["period"] = pd.to_datetime(df["period"]).dt.date
    return df


def ratio_trend(con: duckdb.DuckDBPyConnection, *, scope: str = "social_workers",
                filters: Filters = None, start: date | str | None = None,
                end: date | str | None = None, by_service: bool = False) -> pd.DataFrame:
    """Employed vs agency FTE at each month end (the 80:20 chart): period, employed_fte, agency_fte,
    headcount (everyone in post), employed_headcount (directly employed: DfE's in-post headcount),
    agency_rate. `by_service`: the same per service (a first `service` column; see `by_service`)."""
    clean, params = _params(scope, filters,
                            start=parse_period(start) if start else date(1900, 1, 1),
                            end=parse_period(end) if end else date(9999, 12, 1))
    sql = f"""
        SELECT {_svc(by_service)}period, coalesce(sum(fte) FILTER (WHERE {EMPLOYED_SQL}), 0) AS employed_fte,
               coalesce(sum(fte) FILTER (WHERE {AGENCY_SQL}), 0) AS agency_fte,
               count(*) AS headcount, count(*) FILTER (WHERE {EMPLOYED_SQL}) AS employed_headcount
        FROM staff WHERE {where('', clean)} AND period BETWEEN $start AND $end
        GROUP BY {_svc(by_service)}period ORDER BY {_svc(by_service)}period"""
    df = _run(con, sql, params)
    total = df["employed_fte"] + df["agency_fte"]
    df["agency_rate"] = (df["agency_fte"] / total).where(total > 0)
    return df


def _window(months: int) -> int:
    """A window of whole months (1 to 120) for the leavers' tables."""
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        raise MetricError(f"A window of {months!r} months is not a whole number of months from 1 to 120.")
    return months


def leavers_by_reason(con: duckdb.DuckDBPyConnection, *, period: date | str,
                      scope: str = "social_workers", filters: Filters = None,
                      by_service: bool = False, months: int = 12) -> pd.DataFrame:
    """Employed leavers in the 12 months to the period's end by reason: reason, leavers, fte
    (`months`: another window, e.g. 1 for the month's own leavers)."""
    p = require_period(con, period)
    clean, params = _params(scope, filters, p=p, months=_window(months))
    sql = f"""
        SELECT {_svc(by_service)}reason, count(*) AS leavers, sum(fte) AS fte FROM leavers
        WHERE {EMPLOYED_SQL} AND {where('', clean)}
          AND period > $p - to_months($months) AND period <= $p
        GROUP BY {_svc(by_service)}reason ORDER BY {_svc(by_service)}leavers DESC, reason"""
    return _run(con, sql, params)


def length_of_service_at_leaving(con: duckdb.DuckDBPyConnection, *, period: date | str,
                                 scope: str = "social_workers", filters: Filters = None,
                                 by_service: bool = False, months: int = 12) -> pd.DataFrame:
    """Leavers in the 12 months to the period by service at leaving: band, leavers (all bands
    listed; `months`: another window)."""
    p = require_period(con, period)
    clean, params = _params(scope, filters, p=p, months=_window(months))
    sql = f"""
        SELECT {_svc(by_service)}CASE
                 WHEN leave_date < start_date + INTERVAL 1 YEAR THEN 0
                 WHEN leave_date < start_date + INTERVAL 2 YEAR THEN 1
                 WHEN leave_date < start_date + INTERVAL 5 YEAR THEN 2
                 WHEN leave_date < start_date + INTERVAL 10 YEAR THEN 3
                 ELSE 4 END AS band_no, count(*) AS leavers
        FROM leavers WHERE {EMPLOYED_SQL} AND {where('', clean)}
          AND period > $p - to_months($months) AND period <= $p
        GROUP BY ALL"""
    rows = _run(con, sql, params)
    if by_service:  # every band of every service with leavers (`by_service` adds the rest)
        got = {(s, b): n for s, b, n in rows.itertuples(index=False, name=None)}
        services = sorted({s for s, _ in got})
        return pd.DataFrame({"service": [s for s in services for _ in LOS_BANDS],
                             "band": list(LOS_BANDS) * len(services),
                             "leavers": [int(got.get((s, i), 0)) for s in services for i in range(len(LOS_BANDS))]})
    got = dict(rows.itertuples(index=False, name=None))
    return pd.DataFrame({"band": list(LOS_BANDS),
                         "leavers": [int(got.get(i, 0)) for i in range(len(LOS_BANDS))]})


#: the windows `leavers_windows` gives: this month's 12 months, last month's 12 months, this month
WINDOWS = ("now", "before", "month")
_LOS_BAND_SQL = """CASE
                 WHEN leave_date < start_date + INTERVAL 1 YEAR THEN 0
                 WHEN leave_date < start_date + INTERVAL 2 YEAR THEN 1
                 WHEN leave_date < start_date + INTERVAL 5 YEAR THEN 2
                 WHEN leave_date < start_date + INTERVAL 10 YEAR THEN 3
                 ELSE 4 END"""


def leavers_windows(con: duckdb.DuckDBPyConnection, name: str, *, period: date | str, services: Iterable[str],
                    scope: str = "social_workers") -> dict[str, dict[str | None, pd.DataFrame]]:
    """{window: {view: frame}}: the 12-month leavers table `name` ("leavers_by_reason" or
    "length_of_service_at_leaving") of the directorate (view None) and each of `services`, for
    this month's 12 months ("now"), last month's ("before") and this month alone ("month"), from
    ONE query (the 12-month tables are protected beside last month's table and this month's own
    leavers: six queries a table before). Each frame is exactly what `name(con, period=...,
    months=..., filters=...)` gives for that view and window, rows in the same order (the order
    breaks ties in the disclosure policy's picks): tests/integration/test_detail_by_service.py."""
    if name not in ("leavers_by_reason", "length_of_service_at_leaving"):
        raise MetricError(f"{name!r} is not a 12-month leavers table.")
    p = require_period(con, period)
    clean, params = _params(scope, None, p=p)
    windows = {"now": "period > $p - to_months(12)", "before": "period <= $p - to_months(1)",
               "month": "period = $p"}
    category = "reason" if name == "leavers_by_reason" else f"{_LOS_BAND_SQL} AS band_no"
    key = "reason" if name == "leavers_by_reason" else "band_no"
    cols = ", ".join(f"count(*) FILTER (WHERE {w}) AS n_{k}" + (f", sum(fte) FILTER (WHERE {w}) AS fte_{k}"
                                                              if key == "reason" else "")
                     for k, w in windows.items())
    # the directorate's rows and each service's by two aggregates of one statement (GROUPING SETS
    # would add the FTE in another order: a different last bit from the table's own query)
    rows_sql = f"""FROM leavers WHERE {EMPLOYED_SQL} AND {where('', clean)}
          AND period > $p - to_months(13) AND period <= $p"""
    sql = f"""
        SELECT NULL AS service, {category}, 1 AS whole, {cols} {rows_sql} GROUP BY {key}
        UNION ALL
        SELECT service, {category}, 0 AS whole, {cols} {rows_sql} GROUP BY service, {key}"""
    rows = con.execute(sql, bind(sql, params)).df()
    views: list[str | None] = [None, *services]
    # each view's rows picked by position from plain lists, not by a boolean mask and a sort of a
    # frame per view and window (36 frames a page: ~35 ms of Turnover's first view); the frames
    # are the same, dtypes and row order too
    whole = (rows["whole"] == 1).to_numpy().tolist()
    service = rows["service"].tolist()
    mine_at: dict[str | None, list[int]] = {v: [] for v in views}
    for i, (w, s) in enumerate(zip(whole, service)):
        if w:
            mine_at[None].append(i)
        elif isinstance(s, str) and s in mine_at:
            mine_at[s].append(i)
    cats = rows[key]
    out: dict[str, dict[str | None, pd.DataFrame]] = {}
    for w in WINDOWS:
        out[w] = {}
        n = rows[f"n_{w}"]
        counts = n.tolist()
        if key == "reason":
            fte = rows[f"fte_{w}"]
            names = cats.tolist()
            any_service = any(c > 0 and not w for c, w in zip(counts, whole))
            for v in views:
                # the stable sort of sort_values(["leavers", "reason"], ascending=[False, True]):
                # most leavers first, then reasons A-Z with a missing reason last, then row order
                at = sorted((i for i in mine_at[v] if counts[i] > 0),
                            key=lambda i: (-counts[i], _missing(names[i]), "" if _missing(names[i]) else names[i]))
                f = pd.DataFrame({"reason": cats.take(at).reset_index(drop=True),
                                  "leavers": n.take(at).reset_index(drop=True),
                                  "fte": fte.take(at).reset_index(drop=True)})
                if not at and (v is None or not any_service):
                    f = f.astype({"reason": object})  # as DuckDB gives a query with no rows
                out[w][v] = f
        else:
            bands = cats.tolist()
            for v in views:
                got = {bands[i]: counts[i] for i in mine_at[v] if counts[i] > 0}
                out[w][v] = pd.DataFrame({"band": list(LOS_BANDS),
                                          "leavers": [int(got.get(i, 0)) for i in range(len(LOS_BANDS))]})
    return out


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def caseload_distribution(con: duckdb.DuckDBPyConnection, *, period: date | str,
                          scope: str = "social_workers", filters: Filters = None,
                          threshold: float = DEFAULT_CASELOAD_THRESHOLD, by_service: bool = False) -> pd.DataFrame:
    """FTE-adjusted caseload of each case holder (values only, no ids), sorted: caseload_per_fte, over_threshold."""
    p = require_period(con, period)
    clean, params = _params(scope, filters, p=p, threshold=float(threshold))
    sql = f"""
        SELECT {_svc(by_service)}cases / fte AS caseload_per_fte, cases / fte > $threshold AS over_threshold
        FROM staff WHERE period = $p AND cases >= 1 AND {where('', clean)}
        ORDER BY {_svc(by_service)}caseload_per_fte"""
    return _run(con, sql, params)


def profile(con: duckdb.DuckDBPyConnection, *, period: date | str, dimension: str,
            scope: str = "social_workers", filters: Filters = None, by_service: bool = False) -> pd.DataFrame:
    """Headcount by role_group and a diversity dimension: role_group, category, headcount, share (of role group)."""
    if dimension not in PROFILE_DIMENSIONS:
        raise MetricError(f"Unknown profile dimension {dimension!r}: choose one of {', '.join(PROFILE_DIMENSIONS)}")
    p = require_period(con, period)
    clean, params = _params(scope, filters, p=p)
    expr = {
        "age_band": """CASE WHEN age IS NULL THEN 'Not known' WHEN age < 25 THEN 'Under 25'
                       WHEN age < 35 THEN '25 to 34' WHEN age < 45 THEN '35 to 44'
                       WHEN age < 55 THEN '45 to 54' WHEN age < 65 THEN '55 to 64'
                       ELSE '65 and over' END""",
        "gender": "coalesce(gender, 'Not known')",
        "ethnicity": "coalesce(ethnicity, 'Not known')",
        "disability": "CASE disability WHEN 'Y' THEN 'Yes' WHEN 'N' THEN 'No' ELSE 'Not known' END",
        "lives_in_county": "CASE WHEN lives_in_county THEN 'Yes' WHEN NOT lives_in_county THEN 'No' ELSE 'Not known' END",
    }[dimension]
    sql = f"""
        SELECT {_svc(by_service)}role_group, {expr} AS category, count(*) AS headcount
        FROM staff WHERE period = $p AND {where('', clean)}
        GROUP BY ALL ORDER BY {_svc(by_service)}role_group, category"""
    df = _run(con, sql, params)
    within = ["service", "role_group"] if by_service else "role_group"
    df["share"] = df["headcount"] / df.groupby(within)["headcount"].transform("sum")
    return df


def agency_cover(con: duckdb.DuckDBPyConnection, *, period: date | str,
                 scope: str = "social_workers", filters: Filters = None) -> pd.DataFrame:
    """Vacant FTE and the part agency covers, by service: service, vacant_fte, covered_fte, uncovered_fte, cover_rate."""
    p = require_period(con, period)
    clean, params = _params(scope, filters, p=p)
    sql = f"""
        SELECT service, sum(vacant_fte) AS vacant_fte, sum(covered_by_agency_fte) AS covered_fte,
               sum(vacant_fte) - sum(covered_by_agency_fte) AS uncovered_fte,
               sum(covered_by_agency_fte) / nullif(sum(vacant_fte), 0) AS cover_rate
        FROM vacancies WHERE period = $p AND {where('', clean)}
        GROUP BY service ORDER BY service"""
    return _run(con, sql, params)


def conversions_by_month(con: duckdb.DuckDBPyConnection, *, scope: str = "social_workers",
                         filters: Filters = None, by_service: bool = False) -> pd.DataFrame:
    """Agency-to-employee conversions per loaded month: period, conversions.

    Each person once, in the month they converted: the month of their start date when the extract
    flags converted_from_agency, else the first month seen employed after an agency month."""
    clean, params = _params(scope, filters)
    # by service: each service's conversions as if filtered to it (the employee's employed rows
    # in that service), every month, for every service with any (`by_service` adds the rest)
    sv, ev = ("service, ", "e.service, ") if by_service else ("", "")
    sql = f"""
        WITH e AS (SELECT {sv}period, employee_id, start_date, converted_from_agency FROM staff
                   WHERE {EMPLOYED_SQL} AND {where('', clean)}),
        a AS (SELECT employee_id, min(period) AS first_agency FROM staff
              WHERE {AGENCY_SQL} GROUP BY employee_id),
        flagged AS (SELECT {sv}employee_id, min(date_trunc('month', start_date))::DATE AS period FROM e
                    WHERE coalesce(converted_from_agency, FALSE) GROUP BY {sv}employee_id),
        seen AS (SELECT {ev}e.employee_id, min(e.period) AS period FROM e JOIN a USING (employee_id)
                 WHERE a.first_agency < e.period GROUP BY {ev}e.employee_id),
        c AS (SELECT {sv}employee_id, min(period) AS period
              FROM (SELECT * FROM flagged UNION ALL SELECT * FROM seen) GROUP BY {sv}employee_id),
        per AS (SELECT DISTINCT period FROM staff)"""
    if by_service:
        sql += """
        SELECT s.service, per.period, count(c.employee_id) AS conversions
        FROM (SELECT DISTINCT service FROM c) s CROSS JOIN per
        LEFT JOIN c ON c.service = s.service AND c.period = per.period
        GROUP BY s.service, per.period ORDER BY s.service, per.period"""
    else:
        sql += """
        SELECT per.period, count(c.employee_id) AS conversions
        FROM per LEFT JOIN c USING (period) GROUP BY per.period ORDER BY per.period"""
    df = _run(con, sql, params)
    return df


def training_by_category(con: duckdb.DuckDBPyConnection, *, period: date | str,
                         scope: str = "social_workers", filters: Filters = None) -> pd.DataFrame:
    """Training completions in the 12 months to the period by category: category, completions, people."""
    p = require_period(con, period)
    clean, params = _params(scope, filters, p=p)
    sql = f"""
        SELECT t.category, count(*) AS completions, count(DISTINCT t.employee_id) AS people
        FROM training t LEFT JOIN staff st ON st.period = t.period AND st.employee_id = t.employee_id
        WHERE t.period > $p - INTERVAL 12 MONTH AND t.period <= $p AND {where('st.', clean)}
        GROUP BY t.category ORDER BY completions DESC, t.category"""
    return _run(con, sql, params)


def completeness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Share of staff rows with each optional column filled, per period: period, column, filled, rows, share."""
    counts = ", ".join(f"count({c}) AS {c}" for c in OPTIONAL_COLUMNS)
    wide = con.execute(
        f"SELECT period, count(*) AS rows, {counts} FROM staff GROUP BY period ORDER BY period"
    ).df()
    long = wide.melt(id_vars=["period", "rows"], value_vars=list(OPTIONAL_COLUMNS),
                     var_name="column", value_name="filled")
    long["share"] = (long["filled"] / long["rows"]).where(long["rows"] > 0)
    long["period"] = pd.to_datetime(long["period"]).dt.date
    return long[["period", "column", "filled", "rows", "share"]].sort_values(
        ["period", "column"]).reset_index(drop=True)


def load_touch(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per loaded period: the active load (file, who, when, rows) and how many times it was loaded."""
    return _run(con, """
        SELECT period, count(*) AS times_loaded,
               max(load_id) FILTER (WHERE active) AS load_id,
               any_value(file_name) FILTER (WHERE active) AS file_name,
               any_value(loaded_by) FILTER (WHERE active) AS loaded_by,
               max(loaded_at) FILTER (WHERE active) AS loaded_at,
               max(loaded_at) AS last_touched,
               any_value(rows_staff) FILTER (WHERE active) AS rows_staff,
               any_value(rows_leavers) FILTER (WHERE active) AS rows_leavers,
               any_value(rows_vacancies) FILTER (WHERE active) AS rows_vacancies
        FROM loads GROUP BY period ORDER BY period""", {})


def load_ledger(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every load ever recorded (newest first): who loaded which file for which month, and which
    load's rows are the month's data now (`active`). Traceability for the data-quality page."""
    return _run(con, """
        SELECT load_id, period, file_name, sha256, loaded_by, loaded_at, outcome, active,
               rows_staff, rows_leavers, rows_vacancies, rows_training, rows_survey, warnings,
               repeat_of
        FROM loads ORDER BY loaded_at DESC, load_id DESC""", {})


# --- small reads for the dashboard frame (filters, "data as at", cache keys) ------------------


def has_loads(con: duckdb.DuckDBPyConnection) -> bool:
    """True when any month has been loaded (an empty store is seeded with the demo on first run)."""
    return bool(con.execute("SELECT count(*) FROM loads").fetchone()[0])


def load_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a load is recorded: the key every cached figure is stored under (read
    once per page view: store.memo; the linked tables each ask it)."""
    return memo.remembered(con, "metrics.detail.load_fingerprint", lambda: loads_fingerprint(con))


def dimension_pairs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every (service, team) seen in the staff, vacancy and leaver data (for the filter lists)."""
    return [tuple(r) for r in con.execute(
        "SELECT DISTINCT service, team FROM (SELECT service, team FROM staff "
        "UNION ALL SELECT service, team FROM vacancies UNION ALL SELECT service, team FROM leavers) "
        "ORDER BY 1, 2"
    ).fetchall()]


def last_load(con: duckdb.DuckDBPyConnection) -> dict | None:
    """Latest loaded month end and the most recent load's time, loader and month (None when empty)."""
    row = con.execute(
        "SELECT (SELECT last_day(max(period)) FROM loads WHERE active), loaded_at, loaded_by, period "
        "FROM loads ORDER BY loaded_at DESC, load_id DESC LIMIT 1"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return {"as_at": row[0], "loaded_at": row[1], "loaded_by": row[2], "load_period": row[3]}


def period_load(con: duckdb.DuckDBPyConnection, *, period: date | str) -> dict | None:
    """The load whose rows are `period`'s data now: file, when (UTC), by whom, demo or not."""
    row = con.execute(
        "SELECT file_name, loaded_at, loaded_by, is_demo FROM loads WHERE period = ? AND active "
        "ORDER BY load_id DESC LIMIT 1", [parse_period(period)]).fetchone()
    if row is None:
        return None
    return {"file_name": row[0], "loaded_at": row[1], "loaded_by": row[2], "is_demo": bool(row[3])}


MOVEMENT_MEASURES = ("headcount", "fte", "leavers", "vacant_fte")


def unusual_movements(con: duckdb.DuckDBPyConnection, *, threshold: float = 0.2,
                      min_base: float = 5) -> pd.DataFrame:
    """Month-on-month changes bigger than `threshold` (a fraction) in headcount, FTE in post,
    leavers (rows of the Leavers sheet) and vacant FTE, per service and per team.

    Why: a team renamed, a sheet cut short or a service missing from an extract shows up as a
    jump on the month before, so HR can check the file before anyone reads the figures. A group
    absent from a loaded month counts 0 there (so a vanished team is flagged); the month before
    must itself be loaded, and bases under `min_base` are ignored (2 -> 3 is ordinary noise).
    Columns: period, level ('service'/'team'), group, measure, previous, current, change,
    change_rate (change / previous); newest month first.
    """
    for name, value in (("threshold", threshold), ("min_base", min_base)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise MetricError(f"{name} must be a number of 0 or more, got {value!r}")
    sql = """
        WITH per AS (SELECT DISTINCT period FROM staff),
        facts AS (
            SELECT period, service, team, 'headcount' AS measure, 1.0 AS x FROM staff
            UNION ALL SELECT period, service, team, 'fte', fte FROM staff
            UNION ALL SELECT period, service, team, 'leavers', 1.0 FROM leavers
            UNION ALL SELECT period, service, team, 'vacant_fte', vacant_fte FROM vacancies),
        lv AS (
            SELECT period, 'service' AS level, service AS grp, measure, round(sum(x), 6) AS v
            FROM facts GROUP BY ALL
            UNION ALL
            SELECT period, 'team', team, measure, round(sum(x), 6) FROM facts GROUP BY ALL),
        keys AS (SELECT DISTINCT level, grp, measure FROM lv),
        grid AS (SELECT per.period, keys.level, keys.grp, keys.measure, coalesce(lv.v, 0) AS v
                 FROM per CROSS JOIN keys
                 LEFT JOIN lv ON lv.period = per.period AND lv.level = keys.level
                             AND lv.grp = keys.grp AND lv.measure = keys.measure)
        SELECT cur.period, cur.level, cur.grp AS "group", cur.measure,
               prev.v AS previous, cur.v AS current, cur.v - prev.v AS change,
               (cur.v - prev.v) / prev.v AS change_rate
        FROM grid cur JOIN grid prev
          ON prev.level = cur.level AND prev.grp = cur.grp AND prev.measure = cur.measure
         AND prev.period = (cur.period - INTERVAL 1 MONTH)::DATE
        WHERE prev.v >= $min_base AND prev.v > 0 AND abs(cur.v - prev.v) > $threshold * prev.v
        ORDER BY cur.period DESC, cur.level, cur.grp,
                 list_position(['headcount', 'fte', 'leavers', 'vacant_fte'], cur.measure)"""
    df = _run(con, sql, {"threshold": float(threshold), "min_base": float(min_base)})
    for col in ("previous", "current", "change", "change_rate"):
        df[col] = df[col].astype(float)
    return df.reset_index(drop=True)
