"""Agency rules compliance and agency cost, read from the store (issue 14).

Why here: SQL lives in metrics/ and store/ only. This module reads the agency assignments (with
the worker's service, team and FTE from the same month's Staff sheet) and the employment history
the cool-off rule needs, hands them to `agency.checks` (the rules) and `agency.costs` (the sums),
and returns plain DataFrames for pages, the CLI and the quarterly summary. All figures are exact:
callers that show them to scrutiny members or publish them pass them through the disclosure
policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from agency.checks import FLAG_COLUMNS, check_assignments
from agency.costs import WhatIf, annual_cost_per_fte, what_if
from agency.rules import SOCIAL_WORK_JOB_TYPES, AgencyRules
from metrics.query import EMPLOYED_SQL
from metrics.types import MetricError

#: Breakdowns of the compliance measures (job_type is the cap's job type).
AGENCY_BREAKDOWNS: tuple[str, ...] = ("job_type", "service", "team")
_FILTER_KEYS = ("service", "team", "job_type")

#: Registration-number columns the census items may add to Staff / Leavers (first found is used).
_REGISTRATION_COLUMNS = ("swe_registration", "swe_registration_number", "swe_number",
                         "registration_number")

#: The per-month compliance counts of `summarise` (the catalogue declares the same checks as
#: shares of assignments: metrics.catalogue.AGENCY_IDS).
_COUNT_FLAGS = {
    "agency_cap_breaches_unsigned": "cap_unsigned",
    "agency_under_experience": "under_experience",
    "agency_notice_below_minimum": "notice_below",
    "agency_references_incomplete": "references_incomplete",
    "agency_cool_off_breaches": "cool_off_breach",
    "agency_long_assignments": "long_assignment",
    "agency_project_team_workers": "project_team",
}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The table's column names (none when there is no such table). Through pragma_table_info:
    information_schema's first query on a connection cost ~24 ms (every page view opens one)."""
    try:
        rows = con.execute("SELECT name FROM pragma_table_info(?)", [table]).fetchall()
    except duckdb.CatalogException:
        return set()
    return {r[0] for r in rows}


def has_assignments(con: duckdb.DuckDBPyConnection) -> bool:
    """True when any month has an Agency assignments sheet loaded."""
    if "employee_id" not in _columns(con, "agency_assignments"):
        return False
    return bool(con.execute("SELECT count(*) FROM agency_assignments").fetchone()[0])


def assignment_periods(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Months with assignments loaded, ascending."""
    rows = con.execute("SELECT DISTINCT period FROM agency_assignments ORDER BY period").fetchall()
    return [r[0] for r in rows]


def _clean_filters(filters: Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = {}
    for key, values in (filters or {}).items():
        if key not in _FILTER_KEYS:
            raise MetricError(f"Unknown filter {key!r}: filters are {', '.join(_FILTER_KEYS)}")
        if values is None:
            continue
        vals = [values] if isinstance(values, str) else [str(v) for v in values]
        if vals:
            clean[key] = vals
    return clean


def read_assignments(con: duckdb.DuckDBPyConnection, *, start: date | None = None,
                     end: date | None = None,
                     filters: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Assignment rows (period between start and end) with service, team and FTE from Staff."""
    clean = _clean_filters(filters)
    where = ["a.period >= $start", "a.period <= $end"]
    params: dict[str, object] = {"start": start or date(1900, 1, 1), "end": end or date(9999, 1, 1)}
    for key, vals in clean.items():
        col = "a.job_type" if key == "job_type" else f"s.{key}"
        where.append(f"list_contains($f_{key}, {col})")
        params[f"f_{key}"] = vals
    sql = (
        "SELECT a.* EXCLUDE (load_id), s.service, s.team, s.fte, s.qualified_social_worker "
        "FROM agency_assignments a LEFT JOIN staff s "
        "ON s.period = a.period AND s.employee_id = a.employee_id "
        f"WHERE {' AND '.join(where)} ORDER BY a.period, a.employee_id"
    )
    frame = con.execute(sql, params).df()
    for col in ("period", "start_date", "planned_end_date", "date_qualified", "cap_signoff_date"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame


def read_employment(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """When people who later appear as agency workers were in employed social-work posts here.

    From the Leavers sheets (leave dates of employed, qualified social workers) and the Staff
    history (month ends at which they were employed). A person is matched by the same reference,
    or by Social Work England registration number: a registration column on Staff/Leavers where
    one exists, else the census item kept in the HR-only `staff_restricted` table (the latest
    number HR gave for that employee). An agency worker who left the council's employment is
    therefore found even under a new reference. The numbers are read only to match inside the
    cool-off check (agency.checks.EmploymentIndex); no output of this module carries them.
    """
    restricted = "swe_number" in _columns(con, "staff_restricted")
    with_sql = ("WITH reg AS (SELECT employee_id, arg_max(swe_number, period) AS swe_number "
                "FROM staff_restricted GROUP BY employee_id) ") if restricted else ""
    parts = []
    for table, on in (("leavers", "t.leave_date"), ("staff", "last_day(t.period)")):
        cols = _columns(con, table)
        own = next((c for c in _REGISTRATION_COLUMNS if c in cols), None)
        found = [f"t.{own}::VARCHAR"] if own else []
        found += ["reg.swe_number"] if restricted else []
        reg_sql = (f"coalesce({', '.join(found)})" if len(found) > 1
                   else found[0] if found else "NULL::VARCHAR")
        join = " LEFT JOIN reg ON reg.employee_id = t.employee_id" if restricted else ""
        match = "t.employee_id IN (SELECT employee_id FROM agency_assignments)"
        if found:
            match += (f" OR {reg_sql} IN (SELECT swe_registration FROM agency_assignments "
                      "WHERE swe_registration IS NOT NULL)")
        parts.append(
            f"SELECT t.employee_id, {reg_sql} AS swe_registration, {on} AS on "
            f"FROM {table} t{join} WHERE t.worker_type <> 'Agency' AND t.qualified_social_worker "
            f"AND ({match})"
        )
    return con.execute(with_sql + " UNION ALL ".join(parts)).df()


def checked(con: duckdb.DuckDBPyConnection, *, rules: AgencyRules, start: date | None = None,
            end: date | None = None,
            filters: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Assignments with every rule checked (see agency.checks.check_assignments)."""
    frame = read_assignments(con, start=start, end=end, filters=filters)
    return check_assignments(frame, rules=rules, employed=read_employment(con))


def checks_frame(con: duckdb.DuckDBPyConnection, *, rules: AgencyRules | None = None
                 ) -> pd.DataFrame:
    """Every assignment with the rules checked, typed for the engine's "agency" source.

    The engine registers it for a query (the catalogue's agency measures read it): rules come
    from data/agency_rules.toml unless given; a bad rules file is a MetricError naming the line.
    """
    from agency.rules import AgencyRulesError, load_rules
    from metrics.sqlgen import SOURCE_COLUMNS

    if rules is None:
        try:
            rules = load_rules()
        except AgencyRulesError as exc:
            raise MetricError(f"The agency measures need a valid rules file: {exc}") from None
    if "employee_id" not in _columns(con, "agency_assignments"):
        frame = pd.DataFrame(columns=["period", "employee_id", "job_type"])
    else:
        frame = checked(con, rules=rules)
    cols = sorted(SOURCE_COLUMNS["agency"] - {"d"})
    out = {}
    for col in cols:
        series = frame[col] if col in frame else pd.Series([None] * len(frame), dtype=object)
        if col == "period":
            out[col] = pd.to_datetime(series).astype("datetime64[s]")
        elif col in FLAG_COLUMNS:
            out[col] = series.astype(bool)
        elif col in ("employee_id", "job_type"):
            out[col] = series.astype(object)
        else:
            out[col] = pd.to_numeric(series, errors="coerce").astype("float64")
    return pd.DataFrame(out)


def summarise(checked_frame: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Compliance measures per period (and group): one row per period x group.

    Columns: period, group, assignments, with_cap, within_cap, agency_within_cap_share,
    agency_above_cap_per_hour, the counts of _COUNT_FLAGS, spend, hours, fte.
    """
    if by is not None and by not in AGENCY_BREAKDOWNS:
        raise MetricError(f"Cannot break agency figures down by {by!r}: choose one of "
                          f"{', '.join(AGENCY_BREAKDOWNS)}")
    f = checked_frame.copy()
    f["group"] = f[by].fillna("Not on Staff sheet") if by else None
    f["excess"] = np.where(f["above_cap"], f["excess_per_hour"].astype(float), np.nan)
    f["fte"] = f["fte"].astype(float) if "fte" in f else np.nan
    keys = ["period", "group"]
    agg = {
        "assignments": ("employee_id", "size"),
        "with_cap": ("with_cap", "sum"),
        "within_cap": ("within_cap", "sum"),
        "agency_above_cap_per_hour": ("excess", "mean"),
        "spend": ("spend", "sum"),
        "hours": ("hours", "sum"),
        "fte": ("fte", "sum"),
    }
    for measure, flag in _COUNT_FLAGS.items():
        agg[measure] = (flag, "sum")
    if f.empty:
        cols = keys + list(agg) + ["agency_within_cap_share"]
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    out = f.groupby(keys, dropna=False, sort=True).agg(**agg).reset_index()
    out["agency_within_cap_share"] = np.where(out["with_cap"] > 0,
                                              out["within_cap"] / out["with_cap"].where(
                                                  out["with_cap"] > 0), np.nan)
    for col in ("assignments", "with_cap", "within_cap", *_COUNT_FLAGS):
        out[col] = out[col].astype("int64")
    out["agency_above_cap_per_hour"] = out["agency_above_cap_per_hour"].round(2)
    out["spend"] = out["spend"].astype(float).round(2)
    return out


def compliance(con: duckdb.DuckDBPyConnection, *, period: date, rules: AgencyRules,
               by: str | None = None,
               filters: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """The compliance measures at `period` (one row, or one per group)."""
    frame = checked(con, rules=rules, start=period, end=period, filters=filters)
    return summarise(frame, by=by)


def compliance_history(con: duckdb.DuckDBPyConnection, *, rules: AgencyRules,
                       by: str | None = None,
                       filters: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """The compliance measures for every month with assignments loaded (trends)."""
    return summarise(checked(con, rules=rules, filters=filters), by=by)


# --------------------------------------------------------------------------- cost


def _months_back(period: date, n: int) -> date:
    total = period.year * 12 + period.month - 1 - n
    return date(total // 12, total % 12 + 1, 1)


def spend_by_month(checked_frame: pd.DataFrame) -> pd.DataFrame:
    """Agency spend (charge rate x hours) per month and over the rolling 12 months.

    Columns: period, spend, hours, fte, assignments, spend_12m, months_covered (loaded months of
    the 12 to the period; fewer than 12 = partial).
    """
    if checked_frame.empty:
        return pd.DataFrame(columns=["period", "spend", "hours", "fte", "assignments",
                                     "spend_12m", "months_covered"])
    monthly = (checked_frame.assign(fte=checked_frame["fte"].astype(float))
               .groupby("period", sort=True)
               .agg(spend=("spend", "sum"), hours=("hours", "sum"), fte=("fte", "sum"),
                    assignments=("employee_id", "size"))
               .reset_index())
    rolling, covered = [], []
    periods, spend = monthly["period"].tolist(), monthly["spend"]
    for i, p in enumerate(periods):  # months ascending, each once: the window is rows lo..i
        back = _months_back(p, 12)
        lo = next(j for j in range(i + 1) if periods[j] > back)
        window = spend.iloc[lo:i + 1]  # (positions, not a filter of the date column per month)
        rolling.append(round(float(window.sum()), 2))
        covered.append(len(window))
    monthly["spend"] = monthly["spend"].round(2)
    monthly["spend_12m"] = rolling
    monthly["months_covered"] = covered
    return monthly


#: Staff role group -> the cap job type the census pay items give an employed cost for (only the
#: unambiguous ones; a senior practitioner may be a senior social worker or an advanced
#: practitioner, so those job types keep the configured figure)
PAY_JOB_TYPES: dict[str, str] = {"Social worker": "Social worker", "Team manager": "Team manager"}
#: where an employed cost per FTE came from
PAY_SOURCE, RULES_SOURCE = "census pay items", "rules file"


def employed_cost_per_fte(rules: AgencyRules, pay: pd.DataFrame | None = None) -> dict[str, float]:
    """Annual cost of one employed FTE by job type: from the census pay items where the Staff
    sheet gives them (`pay`, from `employed_pay`), else the rules file's on-cost-inclusive figure."""
    out = dict(rules.employed_annual_per_fte)
    if pay is not None:
        out.update({j: float(v) for j, v in zip(pay["job_type"], pay["cost_per_fte"])})
    return out


def employed_pay(con: duckdb.DuckDBPyConnection, *, period: date) -> pd.DataFrame:
    """Employed cost per FTE from the census pay items, by cap job type, at the latest month up
    to `period` whose Staff sheet gives a base salary: (base salary + recruitment and retention +
    other payments) summed over the directly employed qualified social workers with a base salary,
    over their FTE (salaries are as paid, full-time equivalent not applied). Columns job_type,
    pay, fte, people, cost_per_fte, period; empty when no month gives the pay items."""
    groups = list(PAY_JOB_TYPES)
    frame = con.execute(
        f"""WITH p AS (SELECT max(period) AS period FROM staff
                       WHERE period <= ? AND base_salary IS NOT NULL)
            SELECT s.role_group, s.period,
                   sum(s.base_salary + coalesce(s.rr_payments, 0) + coalesce(s.other_payments, 0)) AS pay,
                   sum(s.fte) AS fte, count(*) AS people
            FROM staff s JOIN p ON s.period = p.period
            WHERE {EMPLOYED_SQL} AND s.qualified_social_worker AND s.base_salary IS NOT NULL
              AND s.fte > 0 AND list_contains(?, s.role_group)
            GROUP BY s.role_group, s.period""",
        [date(period.year, period.month, 1), groups]).df()
    frame = frame.assign(job_type=frame["role_group"].map(PAY_JOB_TYPES),
                         cost_per_fte=frame["pay"] / frame["fte"])
    return frame[["job_type", "pay", "fte", "people", "cost_per_fte", "period"]].reset_index(drop=True)


def cost_comparison(checked_frame: pd.DataFrame, *, period: date,
                    rules: AgencyRules, pay: pd.DataFrame | None = None) -> pd.DataFrame:
    """Agency cost per FTE beside employed cost per FTE, by job type, over the 12 months to period.

    The employed cost comes from the census pay items (`pay`, from `employed_pay`) where they are
    given, else from the rules file. Columns: job_type, agency_fte_now, spend_12m, fte_months,
    months_covered, agency_cost_per_fte, employed_cost_per_fte, employed_cost_source (PAY_SOURCE,
    RULES_SOURCE, both for the mix, or None), premium_per_fte, premium_share, premium_per_year
    (premium_per_fte x agency FTE now). Last row "All job types".
    """
    window = checked_frame[(checked_frame["period"] > _months_back(period, 12))
                           & (checked_frame["period"] <= period)].copy()
    window["fte"] = window["fte"].astype(float)
    months = window["period"].nunique()
    employed = employed_cost_per_fte(rules, pay)
    from_pay = set(pay["job_type"]) if pay is not None else set()
    rows = []
    for job, grp in window.groupby("job_type", sort=False):
        now = grp[grp["period"] == period]
        rows.append({"job_type": job, "agency_fte_now": float(now["fte"].sum()),
                     "spend_12m": float(grp["spend"].sum()),
                     "fte_months": float(grp["fte"].sum())})
    order = {j: i for i, j in enumerate(SOCIAL_WORK_JOB_TYPES + ("Other",))}
    rows.sort(key=lambda r: order.get(r["job_type"], 99))
    total = {"job_type": "All job types",
             "agency_fte_now": sum(r["agency_fte_now"] for r in rows),
             "spend_12m": sum(r["spend_12m"] for r in rows),
             "fte_months": sum(r["fte_months"] for r in rows)}
    for r in rows:
        r["employed_cost_per_fte"] = employed.get(r["job_type"])
        r["employed_cost_source"] = (None if r["employed_cost_per_fte"] is None else
                                     PAY_SOURCE if r["job_type"] in from_pay else RULES_SOURCE)
    # the employed cost of the mix: weighted by the FTE-months of each job type
    known = [r for r in rows if r["employed_cost_per_fte"] is not None and r["fte_months"] > 0]
    weight = sum(r["fte_months"] for r in known)
    total["employed_cost_per_fte"] = (
        sum(r["employed_cost_per_fte"] * r["fte_months"] for r in known) / weight if weight else None)
    sources = sorted({r["employed_cost_source"] for r in known})
    total["employed_cost_source"] = " and ".join(sources) if sources else None
    out = []
    for r in rows + [total]:
        agency_cost = annual_cost_per_fte(spend=r["spend_12m"], fte_months=r["fte_months"])
        emp = r["employed_cost_per_fte"]
        premium = agency_cost - emp if agency_cost is not None and emp is not None else None
        if r is total and premium is not None:
            per_year = sum((x["premium_per_year"] or 0.0) for x in out)
        else:
            per_year = premium * r["agency_fte_now"] if premium is not None else None
        out.append(r | {
            "months_covered": months,
            "agency_cost_per_fte": None if agency_cost is None else round(agency_cost, 2),
            "premium_per_fte": None if premium is None else round(premium, 2),
            "premium_share": None if premium is None or not emp else round(premium / emp, 4),
            "premium_per_year": None if per_year is None else round(per_year, 2),
        })
    return pd.DataFrame(out, columns=[
        "job_type", "agency_fte_now", "spend_12m", "fte_months", "months_covered",
        "agency_cost_per_fte", "employed_cost_per_fte", "employed_cost_source", "premium_per_fte",
        "premium_share", "premium_per_year"])


def conversion_what_if(con: duckdb.DuckDBPyConnection, *, period: date, rules: AgencyRules,
                       converted: int, checked_frame: pd.DataFrame | None = None) -> WhatIf:
    """What converting `converted` agency social workers to employed posts would save.

    Agency social workers are this month's assignments in the social-work job types; their cost
    per FTE is the last 12 months' (cost_comparison); the permanent share is the 80:20 ratio's
    (qualified social workers on the Staff sheet, by FTE).
    """
    return what_if(converted=converted, **conversion_basis(con, period=period, rules=rules,
                                                           checked_frame=checked_frame))


def conversion_basis(con: duckdb.DuckDBPyConnection, *, period: date, rules: AgencyRules,
                     checked_frame: pd.DataFrame | None = None) -> dict:
    """Everything `conversion_what_if` rests on but the number converted (`agency.costs.what_if(
    converted=n, **basis)`): read once for a page that asks about several numbers."""
    from metrics import engine  # the one definition of the 80:20 ratio

    frame = checked_frame if checked_frame is not None else checked(
        con, rules=rules, start=_months_back(period, 11), end=period)
    sw = frame[frame["job_type"].isin(SOCIAL_WORK_JOB_TYPES)]
    pay = employed_pay(con, period=period)
    comp = cost_comparison(sw, period=period, rules=rules, pay=pay)
    total = comp[comp["job_type"] == "All job types"].iloc[0] if len(comp) else None
    now = sw[sw["period"] == period]
    ratio = engine.compute(con, period=period, scope="social_workers",
                           metric_ids=["agency_rate_fte"])
    agency_fte = float(ratio["numerator"].iloc[0] or 0.0) if len(ratio) else 0.0
    total_fte = float(ratio["denominator"].iloc[0] or 0.0) if len(ratio) else 0.0
    return dict(
        agency_workers=len(now),
        workers_fte=float(now["fte"].astype(float).sum()), agency_fte=agency_fte,
        employed_fte=total_fte - agency_fte,
        agency_cost_per_fte=None if total is None else total["agency_cost_per_fte"],
        employed_cost_per_fte=None if total is None else total["employed_cost_per_fte"],
        months_covered=int(total["months_covered"]) if total is not None else 0,
        cost_source=_cost_source(total, pay, rules),
    )


def _cost_source(total: pd.Series | None, pay: pd.DataFrame, rules: AgencyRules) -> str:
    """Where the what-if's employed cost came from, in words."""
    rules_words = ("on-costs included; data/agency_rules.toml"
                   + (", EXAMPLE figures" if rules.cost_is_example else ""))
    source = "" if total is None else str(total["employed_cost_source"] or "")
    if PAY_SOURCE not in source:
        return rules_words
    month = pd.Timestamp(pay["period"].iloc[0]).strftime("%B %Y")
    words = (f"census pay items of {int(pay['people'].sum())} employed social workers in {month}: "
             "base salary, recruitment and retention and other payments, without employer on-costs")
    return words + (f"; other job types from {rules_words}" if RULES_SOURCE in source else "")


__all__ = [
    "AGENCY_BREAKDOWNS", "FLAG_COLUMNS", "checks_frame", "assignment_periods", "checked",
    "compliance", "compliance_history", "conversion_basis", "conversion_what_if", "cost_comparison",
    "employed_cost_per_fte", "employed_pay", "has_assignments", "read_assignments", "read_employment",
    "spend_by_month", "summarise",
]
