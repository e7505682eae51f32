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

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from metrics import catalogue
from metrics.types import BREAKDOWNS, SCOPES, MetricError, as_float

COLUMNS = [
    "metric_id", "period", "scope", "group", "value", "numerator", "denominator",
    "months_covered", "partial", "base_count",
]
EVALUATED_COLUMNS = COLUMNS + ["target", "status", "year_ago_value", "change_on_year"]

DEFAULT_CASELOAD_THRESHOLD = 20.0
FILTER_KEYS = ("service", "team", "role_group")
ENGAGEMENT_MEASURE = "overall engagement"


# ----------------------------------------------------------------------------- helpers

def parse_period(value: date | datetime | str) -> date:
    """'YYYY-MM', 'YYYY-MM-DD' or a date -> first day of that month (named error otherwise)."""
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*", value)
        if m and 1 <= int(m.group(2)) <= 12:
            return date(int(m.group(1)), int(m.group(2)), 1)
    raise MetricError(f"Period {value!r} is not a month: write it as YYYY-MM, e.g. 2025-09")


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise MetricError(f"Unknown scope {scope!r}: choose one of {', '.join(SCOPES)}")


def _check_by(by: str | None) -> None:
    if by is not None and by not in BREAKDOWNS:
        raise MetricError(f"Cannot break down by {by!r}: choose one of {', '.join(BREAKDOWNS)}")


def _check_filters(filters: Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = {}
    for key, values in (filters or {}).items():
        if key not in FILTER_KEYS:
            raise MetricError(f"Unknown filter {key!r}: filters are {', '.join(FILTER_KEYS)}")
        if values is None:
            continue
        if isinstance(values, str):
            values = [values]
        vals = [str(v) for v in values]
        if vals:
            clean[key] = vals
    return clean


def _metric_ids(metric_ids: Iterable[str] | None) -> list[str]:
    if metric_ids is None:
        return list(catalogue.CATALOGUE)
    if isinstance(metric_ids, str):
        metric_ids = [metric_ids]
    ids = list(metric_ids)
    for mid in ids:
        catalogue.get(mid)  # raises MetricError naming the known ids
    return ids


def _bind(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Only the named parameters the SQL uses (DuckDB refuses extras)."""
    used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))
    return {k: v for k, v in params.items() if k in used}


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.UK(subdiv="ENG", years=year))


def working_days(period: date) -> int:
    """Mon-Fri in the month of `period` less England bank holidays (holidays.UK(subdiv='ENG'))."""
    start = parse_period(period)
    nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return int(np.busday_count(start, nxt, holidays=sorted(_bank_holidays(start.year))))


def _calendar(pers: Sequence[date]) -> pd.DataFrame:
    return pd.DataFrame(
        {"period": pd.to_datetime(list(pers)).date if pers else [],
         "working_days": [working_days(p) for p in pers]}
    ).astype({"working_days": "int64"})


def periods(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Loaded periods ascending (active loads, plus any month with staff rows)."""
    rows = con.execute(
        "SELECT DISTINCT period FROM (SELECT period FROM loads WHERE active "
        "UNION ALL SELECT DISTINCT period FROM staff) ORDER BY period"
    ).fetchall()
    return [r[0] for r in rows]


def latest_period(con: duckdb.DuckDBPyConnection) -> date:
    """The most recent loaded period; a named error when the store is empty."""
    pers = periods(con)
    if not pers:
        raise MetricError("No months are loaded yet: load a monthly extract first (python -m ingest)")
    return pers[-1]


def _require_period(con: duckdb.DuckDBPyConnection, period: date | str) -> date:
    p = parse_period(period)
    pers = periods(con)
    if p not in pers:
        loaded = ", ".join(x.strftime("%Y-%m") for x in pers) or "none"
        raise MetricError(f"Period {p:%Y-%m} is not loaded. Loaded periods: {loaded}")
    return p


# ----------------------------------------------------------------------------- SQL pieces

_PER = (
    "per AS (SELECT DISTINCT period FROM (SELECT period FROM loads WHERE active "
    "UNION ALL SELECT DISTINCT period FROM staff))"
)
# months of p-11..p that are loaded
_COV = (
    "cov AS (SELECT a.period, count(*)::INTEGER AS months_covered FROM per a JOIN per b "
    "ON b.period > a.period - INTERVAL 12 MONTH AND b.period <= a.period GROUP BY a.period)"
)


def _where(alias: str, filters: dict[str, list[str]], *, scoped: bool = True) -> str:
    parts = ["TRUE"]
    if scoped:
        parts.append(f"(NOT $sw OR {alias}qualified_social_worker)")
    for key in filters:
        parts.append(f"list_contains($f_{key}, {alias}{key})")
    return " AND ".join(parts)


def _grp(alias: str, by: str | None) -> str:
    return f"{alias}{by}" if by else "NULL::VARCHAR"


def _sources(by: str | None, filters: dict[str, list[str]]) -> dict[str, str]:
    """Scoped, filtered CTEs of each table with the breakdown column as `grp`."""
    return {
        "s": (
            f"s AS (SELECT period, employee_id, {_grp('', by)} AS grp, "
            "worker_type <> 'Agency' AS employed, fte, start_date, cases, absence_days, "
            "ethnicity, age, lives_in_county, converted_from_agency, role_group, "
            f"last_day(period) AS d FROM staff WHERE {_where('', filters)})"
        ),
        "l": (
            f"l AS (SELECT period, employee_id, {_grp('', by)} AS grp, fte, leave_date, start_date "
            f"FROM leavers WHERE worker_type <> 'Agency' AND {_where('', filters)})"
        ),
        "v": (
            f"v AS (SELECT period, {_grp('', by)} AS grp, vacant_fte, covered_by_agency_fte "
            f"FROM vacancies WHERE {_where('', filters)})"
        ),
    }


# Each metric: (CTE names needed, SQL of CTE `m` with period, grp, num, den, base, kind)
# kind: 'ratio' (value = num/den), 'count' (value = num), 'score' (value = num)
_METRIC_SQL: dict[str, tuple[tuple[str, ...], str, str]] = {
    "agency_rate_fte": (("s",), """
        m AS (SELECT period, grp, coalesce(sum(fte) FILTER (WHERE NOT employed), 0) AS num,
                     sum(fte) AS den, count(*) AS base
              FROM s GROUP BY period, grp)""", "ratio"),
    "vacancy_rate_fte": (("s", "v"), """
        e AS (SELECT period, grp, sum(fte) AS fte, count(*) AS n FROM s WHERE employed GROUP BY ALL),
        vv AS (SELECT period, grp, sum(vacant_fte) AS fte FROM v GROUP BY ALL),
        m AS (SELECT coalesce(e.period, vv.period) AS period, coalesce(e.grp, vv.grp) AS grp,
                     coalesce(vv.fte, 0) AS num, coalesce(vv.fte, 0) + coalesce(e.fte, 0) AS den,
                     coalesce(e.n, 0) AS base
              FROM e FULL JOIN vv ON e.period = vv.period AND e.grp IS NOT DISTINCT FROM vv.grp)""",
        "ratio"),
    "agency_cover_rate": (("v",), """
        m AS (SELECT period, grp, sum(covered_by_agency_fte) AS num, sum(vacant_fte) AS den,
                     count(*) AS base FROM v GROUP BY ALL)""", "ratio"),
    "agency_conversions_12m": (("s",), """
        ag AS (SELECT period, employee_id FROM staff WHERE worker_type = 'Agency'),
        -- only people seen both as agency and as employed can have converted (cuts the join)
        both_ids AS (SELECT DISTINCT employee_id FROM staff
                     WHERE worker_type <> 'Agency' AND employee_id IN (SELECT employee_id FROM ag)),
        conv AS (
            SELECT period, grp, employee_id FROM s
            WHERE employed AND coalesce(converted_from_agency, FALSE)
              AND start_date > last_day(period - INTERVAL 12 MONTH) AND start_date <= d
            UNION
            SELECT e.period, e.grp, e.employee_id
            FROM (SELECT period, grp, employee_id FROM s
                  WHERE employed AND employee_id IN (SELECT employee_id FROM both_ids)) e
            JOIN (SELECT period, employee_id FROM ag
                  WHERE employee_id IN (SELECT employee_id FROM both_ids)) a
              ON a.employee_id = e.employee_id AND a.period < e.period
             AND a.period > e.period - INTERVAL 12 MONTH),
        m AS (SELECT period, grp, count(*) AS num, NULL::DOUBLE AS den, count(*) AS base
              FROM conv GROUP BY ALL)""", "count"),
    "turnover_rate_fte_12m": (("s", "l"), """
        lm AS (SELECT period, grp, sum(fte) AS fte FROM l GROUP BY ALL),
        lw AS (SELECT p.period, lm.grp, sum(lm.fte) AS fte FROM per p JOIN lm
                 ON lm.period > p.period - INTERVAL 12 MONTH AND lm.period <= p.period GROUP BY ALL),
        e AS (SELECT period, grp, sum(fte) AS fte, count(*) AS n FROM s WHERE employed GROUP BY ALL),
        m AS (SELECT coalesce(e.period, lw.period) AS period, coalesce(e.grp, lw.grp) AS grp,
                     coalesce(lw.fte, 0) AS num, e.fte AS den, coalesce(e.n, 0) AS base
              FROM e FULL JOIN lw ON e.period = lw.period AND e.grp IS NOT DISTINCT FROM lw.grp
              WHERE coalesce(e.period, lw.period) IN (SELECT period FROM per))""", "ratio"),
    "stability_index_12m": (("s",), """
        a AS (SELECT p12, grp, employee_id
              FROM (SELECT (period + INTERVAL 12 MONTH)::DATE AS p12, grp, employee_id FROM s WHERE employed)
              WHERE p12 IN (SELECT period FROM per)),
        b AS (SELECT period, employee_id FROM staff
              WHERE worker_type <> 'Agency' AND period IN (SELECT DISTINCT p12 FROM a)),
        m AS (SELECT a.p12 AS period, a.grp, count(b.employee_id) AS num, count(*) AS den,
                     count(*) AS base
              FROM a LEFT JOIN b ON b.employee_id = a.employee_id AND b.period = a.p12
              GROUP BY ALL)""", "ratio"),
    "early_leaver_rate_12m": (("l",), """
        lm AS (SELECT period, grp, count(*) FILTER (WHERE leave_date < start_date + INTERVAL 12 MONTH) AS early,
                      count(*) AS n FROM l GROUP BY ALL),
        m AS (SELECT p.period, lm.grp, sum(lm.early) AS num, sum(lm.n) AS den, sum(lm.n) AS base
              FROM per p JOIN lm ON lm.period > p.period - INTERVAL 12 MONTH AND lm.period <= p.period
              GROUP BY ALL)""", "ratio"),
    "avg_caseload": (("s",), """
        m AS (SELECT period, grp, sum(cases) AS num, sum(fte) AS den, count(*) AS base
              FROM s WHERE cases >= 1 GROUP BY ALL)""", "ratio"),
    "caseload_over_threshold_rate": (("s",), """
        m AS (SELECT period, grp, count(*) FILTER (WHERE cases / fte > $threshold) AS num,
                     count(*) AS den, count(*) AS base
              FROM s WHERE cases >= 1 GROUP BY ALL)""", "ratio"),
    "absence_rate": (("s",), """
        used AS (SELECT period FROM staff GROUP BY period HAVING count(absence_days) > 0),
        m AS (SELECT s.period, s.grp, sum(coalesce(s.absence_days, 0)) AS num,
                     sum(s.fte) * any_value(c.working_days) AS den, count(*) AS base
              FROM s JOIN __CAL__ c ON c.period = s.period
              WHERE s.employed AND s.period IN (SELECT period FROM used) GROUP BY ALL)""", "ratio"),
    "permanent_team_manager_rate": (("s",), """
        m AS (SELECT period, grp, coalesce(sum(fte) FILTER (WHERE employed), 0) AS num,
                     sum(fte) AS den, count(*) AS base
              FROM s WHERE role_group = 'Team manager' GROUP BY ALL)""", "ratio"),
    "ethnic_minority_rate": (("s",), """
        m AS (SELECT period, grp, count(*) FILTER (WHERE ethnicity <> 'White') AS num,
                     count(*) AS den, count(*) AS base
              FROM s WHERE ethnicity IS NOT NULL AND ethnicity <> 'Not known' GROUP BY ALL)""", "ratio"),
    "aged_55_plus_rate": (("s",), """
        m AS (SELECT period, grp, count(*) FILTER (WHERE age >= 55) AS num, count(*) AS den,
                     count(*) AS base FROM s WHERE age IS NOT NULL GROUP BY ALL)""", "ratio"),
    "local_residence_rate": (("s",), """
        m AS (SELECT period, grp, count(*) FILTER (WHERE lives_in_county) AS num, count(*) AS den,
                     count(*) AS base FROM s WHERE lives_in_county IS NOT NULL GROUP BY ALL)""", "ratio"),
}


def _training_sql(by: str | None, filters: dict[str, list[str]]) -> str:
    grp = _grp("st.", by)
    not_null = f" AND st.{by} IS NOT NULL" if by else ""
    return f"""
        t AS (SELECT t.period, {grp} AS grp, t.employee_id FROM training t
              LEFT JOIN staff st ON st.period = t.period AND st.employee_id = t.employee_id
              WHERE {_where('st.', filters)}{not_null}),
        tm AS (SELECT period, grp, count(*) AS n FROM t GROUP BY ALL),
        tp AS (SELECT DISTINCT period, grp, employee_id FROM t),
        -- people in the window without a distinct count over a range join: each person's months
        -- [q, q+11] are cut at their next completion month, so intervals never overlap
        ti AS (SELECT grp, period AS a,
                      least((period + INTERVAL 11 MONTH)::DATE,
                            coalesce((lead(period) OVER (PARTITION BY grp, employee_id ORDER BY period)
                                      - INTERVAL 1 MONTH)::DATE, (period + INTERVAL 11 MONTH)::DATE)) AS b
               FROM tp),
        tia AS (SELECT grp, a, b, count(*) AS n FROM ti GROUP BY ALL),
        tb AS (SELECT p.period, tia.grp, sum(tia.n) AS people FROM per p
               JOIN tia ON p.period BETWEEN tia.a AND tia.b GROUP BY ALL),
        tw AS (SELECT p.period, tm.grp, sum(tm.n) AS n FROM per p
               JOIN tm ON tm.period > p.period - INTERVAL 12 MONTH AND tm.period <= p.period
               GROUP BY ALL),
        m AS (SELECT tw.period, tw.grp, tw.n AS num, NULL::DOUBLE AS den, tb.people AS base
              FROM tw LEFT JOIN tb ON tb.period = tw.period AND tb.grp IS NOT DISTINCT FROM tw.grp
              )"""


_NO_ROWS = """
        m AS (SELECT NULL::DATE AS period, NULL::VARCHAR AS grp, NULL::DOUBLE AS num,
                     NULL::DOUBLE AS den, NULL::BIGINT AS base WHERE FALSE)"""


def _engagement_sql(by: str | None, filters: dict[str, list[str]]) -> str:
    """Directorate-wide score; by team uses team rows; service/role_group have no survey data
    (the survey is reported by team), so those give no data rather than a misleading figure."""
    if by in ("service", "role_group") or set(filters) - {"team"}:
        return _NO_ROWS
    if by == "team" or filters:
        team_pred = "team <> 'All'" + (" AND list_contains($f_team, team)" if filters else "")
        grp = "team" if by == "team" else "NULL::VARCHAR"
        agg = f"""
        sv AS (SELECT period AS sp, {grp} AS grp,
                      sum(score * coalesce(respondents, 1)) / sum(coalesce(respondents, 1)) AS score,
                      sum(respondents) AS resp
               FROM survey WHERE lower(measure) = '{ENGAGEMENT_MEASURE}' AND {team_pred} GROUP BY ALL)"""
    else:
        agg = f"""
        sv AS (SELECT period AS sp, NULL::VARCHAR AS grp,
                      coalesce(max(score) FILTER (WHERE team = 'All'),
                               sum(score * coalesce(respondents, 1)) FILTER (WHERE team <> 'All')
                               / sum(coalesce(respondents, 1)) FILTER (WHERE team <> 'All')) AS score,
                      coalesce(max(respondents) FILTER (WHERE team = 'All'),
                               sum(respondents) FILTER (WHERE team <> 'All')) AS resp
               FROM survey WHERE lower(measure) = '{ENGAGEMENT_MEASURE}' GROUP BY ALL)"""
    return agg + """,
        latest AS (SELECT p.period, max(sv.sp) AS sp FROM per p JOIN sv ON sv.sp <= p.period GROUP BY p.period),
        m AS (SELECT latest.period, sv.grp, sv.score AS num, NULL::DOUBLE AS den, sv.resp AS base
              FROM latest JOIN sv ON sv.sp = latest.sp)"""


def _metric_query(metric_id: str, *, by: str | None, filters: dict[str, list[str]],
                  cal_name: str) -> str | None:
    if metric_id == "training_completions_12m":
        needs, body, kind = (), _training_sql(by, filters), "count"
    elif metric_id == "engagement_score":
        needs, body, kind = (), _engagement_sql(by, filters), "score"
    else:
        needs, body, kind = _METRIC_SQL[metric_id]
    src = _sources(by, filters)
    ctes = [_PER, _COV] + [src[n] for n in needs] + [body.replace("__CAL__", cal_name).strip()]
    if kind == "ratio":
        value = "CASE WHEN m.den IS NULL OR m.den = 0 THEN NULL ELSE m.num / m.den END"
    elif kind == "count":
        value = "coalesce(m.num, 0)"  # a loaded month with none is 0, not "no data"
    else:
        value = "m.num"
    num = "coalesce(m.num, 0)" if kind == "count" else "m.num"
    base = "coalesce(m.base, 0)" if kind == "count" else "m.base"
    window = catalogue.get(metric_id).window_months
    covered = "cov.months_covered" if window else "NULL::INTEGER"
    partial = "cov.months_covered < 12" if window else "FALSE"
    # Without a breakdown every loaded period gets a row (NULL = no data); with one, the groups
    # that have data in that period.
    frm = "per LEFT JOIN m ON m.period = per.period" if by is None else "m JOIN per ON m.period = per.period"
    return (
        "WITH " + ",\n".join(ctes) + f"""
        SELECT per.period AS period, m.grp AS "group", ({value})::DOUBLE AS value,
               ({num})::DOUBLE AS numerator, m.den::DOUBLE AS denominator,
               {covered} AS months_covered, {partial} AS partial, ({base})::BIGINT AS base_count
        FROM {frm} JOIN cov ON cov.period = per.period
        WHERE per.period BETWEEN $start AND $end
        ORDER BY period, "group" NULLS FIRST"""
    )


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
) -> pd.DataFrame:
    """Every requested metric for every loaded period in [start, end]: one query per metric."""
    _check_scope(scope)
    _check_by(by)
    clean = _check_filters(filters)
    ids = _metric_ids(metric_ids)
    pers = periods(con)
    lo = parse_period(start) if start is not None else date(1900, 1, 1)
    hi = parse_period(end) if end is not None else date(9999, 12, 1)
    params: dict[str, Any] = {
        "sw": scope == "social_workers", "start": lo, "end": hi,
        "threshold": float(caseload_threshold),
    }
    for key, vals in clean.items():
        params[f"f_{key}"] = vals
    cal_name = f"__workdays_{uuid.uuid4().hex}"
    frames = []
    registered = False
    try:
        if "absence_rate" in ids:
            con.register(cal_name, _calendar(pers))
            registered = True
        for mid in ids:
            sql = _metric_query(mid, by=by, filters=clean, cal_name=cal_name)
            if sql is None:
                continue
            df = con.execute(sql, _bind(sql, params)).df()
            df.insert(0, "metric_id", mid)
            frames.append(df)
    finally:
        if registered:
            con.unregister(cal_name)
    if not frames:
        return _empty()
    out = pd.concat([f for f in frames if not f.empty] or [frames[0]], ignore_index=True)
    out.insert(2, "scope", scope)
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
    p = _require_period(con, period)
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
    p = _require_period(con, period)
    year_ago = (pd.Timestamp(p) - pd.DateOffset(months=12)).date()
    both = history(
        con, scope=scope, by=by, metric_ids=metric_ids, filters=filters, start=year_ago, end=p,
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


def add_targets(frame: pd.DataFrame, *, targets: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Target, status and change on the same month a year earlier (null when not loaded)."""
    from metrics.targets import load_targets, status

    tg = load_targets() if targets is None else targets
    out = frame.copy()
    key = out["group"].astype(object).where(out["group"].notna(), "\x00")
    lookup = {
        (m, g, p): v
        for m, g, p, v in zip(out["metric_id"], key, out["period"], out["value"])
    }
    ago_period = [(pd.Timestamp(p) - pd.DateOffset(months=12)).date() for p in out["period"]]
    out["target"] = pd.array(
        [(tg[m].value if m in tg else None) for m in out["metric_id"]], dtype="Float64"
    )
    out["status"] = [
        status(metric_id=m, value=as_float(v), targets=tg) for m, v in zip(out["metric_id"], out["value"])
    ]
    ya = [as_float(lookup.get((m, g, p))) for m, g, p in zip(out["metric_id"], key, ago_period)]
    out["year_ago_value"] = pd.array(ya, dtype="Float64")
    out["change_on_year"] = pd.array(
        [(None if as_float(v) is None or y is None else float(v) - y) for v, y in zip(out["value"], ya)],
        dtype="Float64",
    )
    return out[EVALUATED_COLUMNS]




# Detail frames for the pages live in metrics/detail.py; reachable here too (docs/INTERFACES.md).
_DETAIL_NAMES = (
    "ratio_trend", "leavers_by_reason", "length_of_service_at_leaving", "caseload_distribution",
    "profile", "agency_cover", "conversions_by_month", "training_by_category", "completeness",
    "load_touch", "load_ledger",
)


def __getattr__(name: str) -> Any:
    if name in _DETAIL_NAMES:
        from metrics import detail

        return getattr(detail, name)
    raise AttributeError(f"module 'metrics.engine' has no attribute {name!r}")
