"""The frames pages draw: cached, role-checked, suppressed for scrutiny.

Why here: pages hold no SQL and no arithmetic. Every public function checks the role on the
server (PermissionError when it may not see the figures, whatever the menu shows), and caches on
(store path, data version, role, arguments) so an upload refreshes every page and one role's
figures are never served to another. For the scrutiny role every figure passes through
metrics.suppression first ("c" where it rests on fewer than 5 people).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from metrics import catalogue, detail, engine
from metrics.suppression import SUPPRESSED, suppress_metric_frame
from metrics.types import Metric
from ui import db
from ui.state import (
    ALL_ROLES,
    SUPPRESSED_ROLES,
    TEAM_ROLES,
    FilterOptions,
    Filters,
    check_role,
)

CACHE = dict(show_spinner=False, max_entries=512)
BY_LABELS = {"service": "Service", "team": "Team", "role_group": "Job type"}


@dataclass(frozen=True)
class Ctx:
    path: str
    version: str
    role: str


def _ctx(*roles: str, filters: Filters | None = None, by: str | None = None) -> Ctx:
    """Role check first (PermissionError), then the cache key parts."""
    role = check_role(*(roles or ALL_ROLES))
    if role not in TEAM_ROLES and ((filters is not None and filters.team) or by == "team"):
        raise PermissionError(f"Team figures are not available to the {role} role.")
    return Ctx(db.db_path(), db.data_version(), role)


def _fkey(filters: Filters) -> tuple:
    return (filters.period, filters.scope, filters.service, filters.team)


def _engine_filters(service: str | None, team: str | None) -> dict[str, list[str]] | None:
    out = {}
    if service:
        out["service"] = [service]
    if team:
        out["team"] = [team]
    return out or None


def metric(metric_id: str) -> Metric:
    """The catalogue entry (label, unit, direction, description) for a measure."""
    return catalogue.get(metric_id)


# --- store-level facts -------------------------------------------------------------------------


def filter_options() -> FilterOptions:
    """Loaded months, services and each service's teams (teams empty for roles without them)."""
    ctx = _ctx()
    return _filter_options(ctx.path, ctx.version, ctx.role in TEAM_ROLES)


@st.cache_data(**CACHE)
def _filter_options(path: str, version: str, with_teams: bool) -> FilterOptions:
    with db.open_cursor() as cur:
        pers = tuple(p.strftime("%Y-%m") for p in engine.periods(cur))
        pairs = detail.dimension_pairs(cur)
    services = tuple(sorted({s for s, _ in pairs}))
    teams: dict[str, tuple[str, ...]] = {}
    if with_teams:
        for s in services:
            teams[s] = tuple(sorted({t for sv, t in pairs if sv == s}))
    return FilterOptions(periods=pers, services=services, teams=teams)


def load_info() -> dict | None:
    """Month end of the latest loaded month and who loaded what last (None when empty)."""
    ctx = _ctx()
    return _load_info(ctx.path, ctx.version)


@st.cache_data(**CACHE)
def _load_info(path: str, version: str) -> dict | None:
    with db.open_cursor() as cur:
        return detail.last_load(cur)


# --- metric frames -----------------------------------------------------------------------------


@st.cache_data(**CACHE)
def _evaluated(path: str, version: str, role: str, scope: str, service: str | None,
               team: str | None) -> pd.DataFrame:
    """Every measure, every loaded month, with target/status/change; suppressed for scrutiny."""
    with db.open_cursor() as cur:
        frame = engine.evaluate_history(cur, scope=scope, filters=_engine_filters(service, team))
    if role in SUPPRESSED_ROLES:
        frame = suppress_metric_frame(frame)
        hidden = frame["suppressed"].to_numpy()
        # a change on a year ago would reveal a hidden year-ago figure: hide it too
        was_hidden = {(m, pd.Timestamp(p)) for m, p, h in zip(frame["metric_id"], frame["period"], hidden) if h}
        year_ago = [pd.Timestamp(p) - pd.DateOffset(months=12) for p in frame["period"]]
        hidden = hidden | np.array([(m, y) in was_hidden for m, y in zip(frame["metric_id"], year_ago)], dtype=bool)
        for col in ("change_on_year", "year_ago_value"):
            frame[col] = frame[col].astype(object).where(~hidden, SUPPRESSED)
        frame.loc[frame["suppressed"], "status"] = "grey"
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def evaluated(filters: Filters) -> pd.DataFrame:
    """All measures for all months in this view (target, status, change on a year ago)."""
    ctx = _ctx(filters=filters)
    return _evaluated(ctx.path, ctx.version, ctx.role, filters.scope, filters.service, filters.team)


def at_period(filters: Filters, metric_ids: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per measure at the chosen month, in catalogue order, with label/unit/direction."""
    frame = evaluated(filters)
    when = pd.Timestamp(filters.period_date) if filters.period else None
    ids = list(metric_ids or catalogue.CATALOGUE)
    rows = frame[(frame["period"] == when) & frame["metric_id"].isin(ids)].set_index("metric_id")
    out = []
    for mid in ids:
        m = catalogue.get(mid)
        r = rows.loc[mid] if mid in rows.index else None
        out.append({
            "metric_id": mid, "label": m.label, "unit": m.unit, "direction": m.direction,
            "theme": m.theme, "description": m.description,
            "value": None if r is None else _clean(r["value"]),
            "target": None if r is None else _clean(r["target"]),
            "status": "grey" if r is None else r["status"],
            "change_on_year": None if r is None else _clean(r["change_on_year"]),
            "year_ago_value": None if r is None else _clean(r["year_ago_value"]),
            "partial": False if r is None else bool(r["partial"]),
            "months_covered": None if r is None or pd.isna(r["months_covered"]) else int(r["months_covered"]),
            "base_count": None if r is None else _clean(r["base_count"]),
        })
    return pd.DataFrame(out)


def _clean(value: object) -> object:
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return None
    return float(value)


def trend(metric_id: str, filters: Filters, *, months: int | None = None) -> pd.DataFrame:
    """`period`, `value` (fraction for rates; 'c' when suppressed) for one measure up to the month."""
    frame = evaluated(filters)
    when = pd.Timestamp(filters.period_date) if filters.period else None
    part = frame[(frame["metric_id"] == metric_id) & (frame["period"] <= when)]
    part = part[["period", "value", "target", "months_covered", "partial"]].sort_values("period")
    if months:
        part = part.tail(months)
    return part.reset_index(drop=True)


def headline(filters: Filters) -> pd.DataFrame:
    """The Overview cards: headline measures at the month, each with a 12-month sparkline."""
    rows = at_period(filters, catalogue.HEADLINE_IDS)
    rows["spark"] = [list(trend(mid, filters, months=12)["value"]) for mid in rows["metric_id"]]
    rows["target_date"] = [target_info(mid)["date"] for mid in rows["metric_id"]]
    return rows


def target_info(metric_id: str) -> dict:
    """Target value, date and where it comes from (targets config), for drawing on charts."""
    from metrics.targets import load_targets

    tg = load_targets().get(metric_id)
    if tg is None:
        return {"value": None, "date": None, "source": "", "direction": None}
    return {"value": tg.value, "date": tg.target_date, "source": tg.source, "direction": tg.direction}


def narrative(filters: Filters) -> str:
    """The plain-English paragraph on the headline measures (metrics.narrative)."""
    from metrics import narrative as nar

    rows = evaluated(filters)
    when = pd.Timestamp(filters.period_date) if filters.period else None
    frame = rows[(rows["period"] == when) & rows["metric_id"].isin(catalogue.HEADLINE_IDS)].copy()
    frame["period"] = frame["period"].dt.date
    return nar.paragraph(frame)


STATUS_WORDS = {"green": "On target", "amber": "Close to target", "red": "Off target", "grey": "No target"}
UNIT_WORDS = {"rate": "%", "caseload": "cases per FTE", "count": "people", "score": "out of 100"}


def _shown(value: object, unit: str) -> object:
    """Rates as percentages (numbers stay numbers for the downloads); 'c' and blanks kept."""
    if isinstance(value, str) or value is None:
        return value
    return round(value * 100, 1) if unit == "rate" else round(value, 1)


def measures_table(rows: pd.DataFrame) -> pd.DataFrame:
    """A readable, downloadable table of measures at one month (from `at_period`/`headline`)."""
    windows = [metric(mid).window_months for mid in rows["metric_id"]]
    out = pd.DataFrame({
        "Measure": rows["label"],
        "Value": [("No data yet" if v is None else _shown(v, u)) for v, u in zip(rows["value"], rows["unit"])],
        "Unit": [UNIT_WORDS.get(u, "") for u in rows["unit"]],
        "Target": [("No target" if v is None else _shown(v, u)) for v, u in zip(rows["target"], rows["unit"])],
        "Status": [
            "No figure" if (v is None or isinstance(v, str)) and t is not None else STATUS_WORDS.get(s, s)
            for v, t, s in zip(rows["value"], rows["target"], rows["status"])
        ],
        "Change on a year ago": [
            ("No figure" if v is None else _shown(v, u))
            for v, u in zip(rows["change_on_year"], rows["unit"])
        ],
        "Period covered": [
            "Month end" if not w else (f"{m} of {w} months (partial)" if p else f"{w} months")
            for w, m, p in zip(windows, rows["months_covered"], rows["partial"])
        ],
    })
    out["Change on a year ago"] = out["Change on a year ago"].astype(object)
    return out


def headline_table(filters: Filters) -> pd.DataFrame:
    """The Overview cards as a table (change for rates in percentage points)."""
    return measures_table(at_period(filters, catalogue.HEADLINE_IDS))


# --- comparisons and projections ---------------------------------------------------------------


def england(metric_id: str) -> pd.DataFrame:
    """England's published figure (DfE, 30 September each year) in our units; empty if not imported."""
    ctx = _ctx()
    return _england(ctx.path, ctx.version, metric_id)


@st.cache_data(**CACHE)
def _england(path: str, version: str, metric_id: str) -> pd.DataFrame:
    import duckdb

    from metrics import benchmarks

    empty = pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype=float)})
    indicator = benchmarks.OUR_TO_DFE.get(metric_id)
    if indicator is None:
        return empty
    cur = db.cursor()
    try:
        frame = benchmarks.comparison(cur, indicators=[indicator], include_ours=False)
    except (benchmarks.BenchmarkError, duckdb.Error):
        return empty
    finally:
        cur.close()
    frame = frame.dropna(subset=["england_value"])
    if frame.empty:
        return empty
    per_cent = benchmarks.INDICATOR_UNITS.get(indicator) == "percent"
    return pd.DataFrame({
        "period": pd.to_datetime([f"{int(y)}-09-30" for y in frame["year"]]),
        "value": frame["england_value"].astype(float) / (100 if per_cent else 1),
    }).reset_index(drop=True)


#: When a target is met already, the projection is still drawn this many months ahead.
MET_AHEAD_MONTHS = 12


def projection(metric_id: str, filters: Filters, *, as_share_employed: bool = False) -> dict:
    """Straight-line projection of a measure towards its target (metrics.projection).

    Returns {'fitted': DataFrame(period, value, low, high) or empty, 'message', 'projection'}.
    `as_share_employed` turns the agency share into the permanent (employed) share for the 80:20
    chart, so the line and its 80% target read the same way round. When the target is met
    already, the line and its interval are still drawn MET_AHEAD_MONTHS ahead and the message
    says whether the trend keeps it met.
    """
    from metrics.projection import ProjectionError, project

    series = trend(metric_id, filters)
    values = pd.to_numeric(series["value"], errors="coerce")
    tg = target_info(metric_id)
    target, direction = tg["value"], tg["direction"] or (metric(metric_id).direction or "lower")
    if as_share_employed:
        values = 1 - values
        target = None if target is None else 1 - target
        direction = "higher" if direction == "lower" else "lower"
    label = "the 80:20 target" if as_share_employed else "the target"
    args = dict(periods=list(series["period"].dt.date), values=list(values), target=target,
                direction=direction, target_label=label)
    try:
        proj = project(**args, target_date=tg["date"])
    except ProjectionError as exc:
        return {"fitted": pd.DataFrame(), "message": str(exc), "projection": None}
    last = series.loc[values.notna(), "period"].max()
    fitted = _ahead(proj.fitted, last)
    message = proj.message + (f" {proj.interval_message}" if proj.interval_message else "")
    if proj.reached_already and proj.last_period is not None:
        horizon = (pd.Timestamp(proj.last_period) + pd.DateOffset(months=MET_AHEAD_MONTHS)).date()
        if fitted.empty or fitted["period"].max() < pd.Timestamp(horizon):
            ahead = project(**args, target_date=horizon)  # same fit, drawn to the horizon
            fitted = _ahead(ahead.fitted, last)
            message = _met_message(ahead, fitted, metric_id=metric_id, label=label,
                                   as_share_employed=as_share_employed)
    return {"fitted": fitted, "message": message, "projection": proj}


def _ahead(fitted: pd.DataFrame, last: object) -> pd.DataFrame:
    """Only the months from the latest one on: the fit over past months would hide the data."""
    out = fitted.rename(columns={"fitted": "value"}).copy()
    if out.empty:
        return out
    out["period"] = pd.to_datetime(out["period"])
    out = out[out["period"] >= last].reset_index(drop=True)
    return out if len(out) >= 2 else out.iloc[0:0]


def _met_message(proj, fitted: pd.DataFrame, *, metric_id: str, label: str, as_share_employed: bool) -> str:
    """The target is met now: say so, with the latest value, then whether the trend keeps it met."""
    from metrics.narrative import format_number
    from metrics.projection import month_name

    unit = metric(metric_id).unit
    fmt = (lambda v: format_number(v, unit))
    text = f"{label[:1].upper()}{label[1:]} is met already ({fmt(proj.last_value)}"
    text += f" permanent in {month_name(proj.last_period)})." if as_share_employed else \
        f" in {month_name(proj.last_period)})."
    if fitted.empty or proj.interval_low is None:
        return text
    end = fitted.iloc[-1]
    holds = "stays below 20%" if as_share_employed else "stays within the target"
    lost = "rises above 20%" if as_share_employed else "misses the target"
    hi = proj.direction == "higher"
    meets = (lambda v: v >= proj.target) if hi else (lambda v: v <= proj.target)
    crossing = fitted[~fitted["value"].map(meets)]
    what = "the permanent share" if as_share_employed else "it"
    text += (f" On the current trend {what} would be {fmt(end['value'])} in {month_name(end['period'])} "
             f"({proj.level:.0%} prediction interval {fmt(end['low'])} to {fmt(end['high'])}).")
    if not crossing.empty:
        text += (f" The trend is moving away from the target: the agency share {lost} around "
                 f"{month_name(crossing['period'].iloc[0])}." if as_share_employed else
                 f" The trend is moving away from it: it {lost} around {month_name(crossing['period'].iloc[0])}.")
    elif all(meets(v) for v in fitted["low" if hi else "high"]):
        text += f" The trend keeps it met: the agency share {holds} even at the edge of that range." \
            if as_share_employed else f" The trend keeps it met: it {holds} even at the edge of that range."
    else:
        text += (f" The trend keeps it met, but month-to-month variation could take the agency share back "
                 f"above 20%." if as_share_employed else
                 " The trend keeps it met, but month-to-month variation could take it past the target.")
    return text


def permanent_share_trend(filters: Filters) -> pd.DataFrame:
    """Employed (permanent, fixed-term, casual) share of FTE each month: the 80:20 line."""
    series = trend("agency_rate_fte", filters)
    values = pd.to_numeric(series["value"], errors="coerce")
    out = series[["period"]].copy()
    out["value"] = [v if isinstance(v, str) else 1 - n for v, n in zip(series["value"], values)]
    return out


def ratio_table(filters: Filters) -> pd.DataFrame:
    """Month by month: employed FTE, agency FTE and the permanent:agency split (downloadable)."""
    ctx = _ctx(filters=filters)
    return _ratio_table(ctx.path, ctx.version, ctx.role, *_fkey(filters))


@st.cache_data(**CACHE)
def _ratio_table(path, version, role, period, scope, service, team) -> pd.DataFrame:
    from metrics import detail

    with db.open_cursor() as cur:
        df = detail.ratio_trend(cur, scope=scope, filters=_engine_filters(service, team), end=period)
    out = pd.DataFrame({
        "Month": [p.strftime("%b %Y") for p in df["period"]],
        "Employed FTE": df["employed_fte"].round(1),
        "Agency FTE": df["agency_fte"].round(1),
        "Permanent share (%)": ((1 - df["agency_rate"]) * 100).round(1),
        "Agency share (%)": (df["agency_rate"] * 100).round(1),
        "People": df["headcount"].astype(int),
    })
    if role in SUPPRESSED_ROLES:
        small = out["People"].between(1, 4)
        for col in ("Employed FTE", "Agency FTE", "Permanent share (%)", "Agency share (%)", "People"):
            out[col] = out[col].astype(object).where(~small, SUPPRESSED)
    return out.iloc[::-1].reset_index(drop=True)


# --- breakdowns --------------------------------------------------------------------------------


def breakdown(metric_id: str, filters: Filters, *, by: str) -> pd.DataFrame:
    """A measure at the month by service, team or role group: group, value, base_count, status.

    Team breakdowns are refused (PermissionError) for roles without team access; for scrutiny
    small groups show 'c' (with secondary suppression against the overall figure).
    """
    ctx = _ctx(filters=filters, by=by)
    return _breakdown(ctx.path, ctx.version, ctx.role, metric_id, by, *_fkey(filters))


@st.cache_data(**CACHE)
def _breakdown(path, version, role, metric_id, by, period, scope, service, team) -> pd.DataFrame:
    with db.open_cursor() as cur:
        flt = _engine_filters(service, team)
        groups = engine.evaluate(cur, period=period, scope=scope, by=by, metric_ids=[metric_id], filters=flt)
        overall = engine.evaluate(cur, period=period, scope=scope, metric_ids=[metric_id], filters=flt)
    frame = pd.concat([overall, groups], ignore_index=True)
    if role in SUPPRESSED_ROLES:
        frame = suppress_metric_frame(frame)
        frame.loc[frame["suppressed"], "status"] = "grey"
    frame = frame[frame["group"].notna()].sort_values("group").reset_index(drop=True)
    return frame[["group", "value", "base_count", "target", "status"]]


def breakdown_table(frame: pd.DataFrame, *, metric_id: str, by: str) -> pd.DataFrame:
    """`breakdown` as a readable table (rates as percentages; 'c' kept)."""
    m = metric(metric_id)
    label = BY_LABELS[by]
    value_col = f"{m.label} ({UNIT_WORDS.get(m.unit, '')})"
    return pd.DataFrame({
        label: frame["group"],
        value_col: [_shown(_clean(v), m.unit) for v in frame["value"]],
        "People": [_clean(v) for v in frame["base_count"]],
        "Status": [STATUS_WORDS.get(s, s) for s in frame["status"]],
    })


# --- detail frames -----------------------------------------------------------------------------


def _detail(name: str, filters: Filters, **kwargs) -> pd.DataFrame:
    ctx = _ctx(filters=filters)
    return _detail_cached(ctx.path, ctx.version, name, *_fkey(filters), tuple(sorted(kwargs.items())))


@st.cache_data(**CACHE)
def _detail_cached(path, version, name, period, scope, service, team, extra) -> pd.DataFrame:
    from metrics import detail

    fn = getattr(detail, name)
    kwargs = dict(extra)
    if name not in ("conversions_by_month",):
        kwargs["period"] = period
    with db.open_cursor() as cur:
        return fn(cur, scope=scope, filters=_engine_filters(service, team), **kwargs)


def _suppress_counts(frame: pd.DataFrame, count_cols: list[str]) -> pd.DataFrame:
    from metrics.suppression import suppress_counts

    if frame.empty:
        return frame
    return suppress_counts(frame, count_cols=count_cols)


def agency_cover(filters: Filters) -> pd.DataFrame:
    """Vacant FTE by service and the part agency workers cover (vacant posts, not people)."""
    df = _detail("agency_cover", filters)
    return pd.DataFrame({
        "Service": df["service"],
        "Vacant FTE": df["vacant_fte"].round(1),
        "Covered by agency FTE": df["covered_fte"].round(1),
        "Not covered FTE": df["uncovered_fte"].round(1),
        "Share covered (%)": (df["cover_rate"] * 100).round(1),
    })


def conversions(filters: Filters) -> pd.DataFrame:
    """Agency workers who became employees, per month, up to the chosen month ('c' for scrutiny)."""
    ctx = _ctx(filters=filters)
    df = _detail("conversions_by_month", filters)
    df = df[pd.to_datetime(df["period"]) <= pd.Timestamp(filters.period_date)]
    out = pd.DataFrame({"Month": pd.to_datetime(df["period"]).dt.strftime("%b %Y"),
                        "Conversions": df["conversions"].astype(int)}).iloc[::-1]
    if ctx.role in SUPPRESSED_ROLES:
        out["Conversions"] = out["Conversions"].astype(object).where(
            ~out["Conversions"].between(1, 4), SUPPRESSED)
    return out.reset_index(drop=True)


def caseload_values(filters: Filters, *, threshold: float) -> pd.DataFrame:
    """Each case holder's cases per FTE (values only). Not for scrutiny: individual-level data."""
    _ctx(*TEAM_ROLES, filters=filters)
    return _detail("caseload_distribution", filters, threshold=threshold)


def caseload_bands(filters: Filters, *, threshold: float) -> pd.DataFrame:
    """Case holders by caseload band (what scrutiny sees instead of individual values).

    Bands end at the threshold, so "over the threshold" is exactly the last two bands.
    """
    ctx = _ctx(filters=filters)
    df = _detail("caseload_distribution", filters, threshold=threshold)
    edges = sorted({0.0, 10.0, 15.0, float(threshold), float(threshold) + 5, float("inf")})
    labels = [f"Up to {edges[1]:g}"] + [
        f"Over {lo:g} to {hi:g}" for lo, hi in zip(edges[1:-2], edges[2:-1])
    ] + [f"Over {edges[-2]:g}"]
    bands = pd.cut(df["caseload_per_fte"], bins=edges, labels=labels, right=True)
    counts = bands.value_counts().reindex(labels, fill_value=0)
    out = pd.DataFrame({"Cases per FTE": labels, "Case holders": counts.astype(int).to_list()})
    if ctx.role in SUPPRESSED_ROLES:
        out = _suppress_counts(out, ["Case holders"])
    return out


def leavers_by_reason(filters: Filters) -> pd.DataFrame:
    """Employed leavers in the 12 months to the month, by reason ('c' for scrutiny where small)."""
    ctx = _ctx(filters=filters)
    df = _detail("leavers_by_reason", filters)
    out = pd.DataFrame({"Reason": df["reason"], "Leavers": df["leavers"].astype(int),
                        "FTE": df["fte"].round(1)})
    if ctx.role in SUPPRESSED_ROLES:
        out = _suppress_counts(out, ["Leavers"])
        out["FTE"] = out["FTE"].astype(object).where(out["Leavers"].ne(SUPPRESSED), SUPPRESSED)
    return out


def length_of_service(filters: Filters) -> pd.DataFrame:
    """Leavers in the 12 months to the month by length of service at leaving."""
    ctx = _ctx(filters=filters)
    df = _detail("length_of_service_at_leaving", filters)
    out = pd.DataFrame({"Length of service": df["band"], "Leavers": df["leavers"].astype(int)})
    if ctx.role in SUPPRESSED_ROLES:
        out = _suppress_counts(out, ["Leavers"])
    return out


PROFILE_LABELS = {"age_band": "Age", "gender": "Gender", "ethnicity": "Ethnic group",
                  "disability": "Disabled", "lives_in_county": "Lives in the county"}


def profile(filters: Filters, *, dimension: str, by_job: bool = False) -> pd.DataFrame:
    """Headcount and share by a profile dimension (whole scope, or by job type).

    Columns: [Job type,] <dimension label>, People, Share (%). Scrutiny: 'c' where small.
    """
    ctx = _ctx(filters=filters)
    return _profile(ctx.path, ctx.version, ctx.role, dimension, by_job, *_fkey(filters))


@st.cache_data(**CACHE)
def _profile(path, version, role, dimension, by_job, period, scope, service, team) -> pd.DataFrame:
    from ingest import contract
    from metrics import detail
    from metrics.suppression import suppress_table

    with db.open_cursor() as cur:
        df = detail.profile(cur, period=period, dimension=dimension, scope=scope,
                            filters=_engine_filters(service, team))
    label = PROFILE_LABELS[dimension]
    if by_job:
        frame = df.rename(columns={"role_group": "Job type", "category": label, "headcount": "People"})
        frame["Base"] = frame.groupby("Job type")["People"].transform("sum")
    else:
        frame = df.groupby("category", as_index=False)["headcount"].sum().rename(
            columns={"category": label, "headcount": "People"})
        frame["Base"] = frame["People"].sum()
    frame["Share (%)"] = (frame["People"] / frame["Base"] * 100).round(1)
    orders = {"age_band": detail.AGE_BANDS, "gender": contract.GENDERS,
              "ethnicity": contract.ETHNIC_GROUPS, "disability": ("Yes", "No", "Not known"),
              "lives_in_county": ("Yes", "No", "Not known")}
    order = {b: i for i, b in enumerate(orders[dimension])}
    frame = frame.sort_values((["Job type"] if by_job else []) + [label],
                              key=lambda s: s.map(lambda v: order.get(v, 99)) if s.name == label else s)
    frame = frame.reset_index(drop=True)
    if role in SUPPRESSED_ROLES and not frame.empty:
        frame = suppress_table(frame, count_cols=["People"], rate_cols={"Share (%)": "Base"})
    cols = (["Job type"] if by_job else []) + [label, "People", "Share (%)"]
    return frame[cols]


def county_ethnicity() -> pd.DataFrame:
    """County population by ethnic group (ONS Census 2021); raises LookupError when not imported."""
    ctx = _ctx()
    return _county_ethnicity(ctx.path, ctx.version)


@st.cache_data(**CACHE)
def _county_ethnicity(path, version) -> pd.DataFrame:
    import duckdb

    from metrics import benchmarks

    cur = db.cursor()
    try:
        frame = benchmarks.county_ethnicity(cur)
    except (benchmarks.BenchmarkError, duckdb.Error) as exc:
        raise LookupError(str(exc)) from None
    finally:
        cur.close()
    return pd.DataFrame({"Ethnic group": frame["group"], "People": frame["count"],
                         "Share (%)": (frame["share"] * 100).round(1)})


def themes(filters: Filters) -> dict[str, pd.DataFrame]:
    """Each strategy theme's success measures at the month (with a 12-month trend each)."""
    rows = at_period(filters)
    rows["spark"] = [list(trend(mid, filters, months=12)["value"]) for mid in rows["metric_id"]]
    from metrics.types import THEMES

    return {t: rows[rows["theme"] == t].reset_index(drop=True) for t in THEMES}


# --- text alternatives: one plain sentence under each chart ------------------------------------


def _fmt(value: object, unit: str) -> str:
    from ui.charts import format_value

    return format_value(_clean(value) if not isinstance(value, str) else value, unit)


def permanent_target() -> float | None:
    """The 80:20 target read as 'at least 80% permanent' (from the agency-share target)."""
    value = target_info("agency_rate_fte")["value"]
    return None if value is None else 1 - value


def trend_alt(metric_id: str, filters: Filters, *, label: str | None = None,
              series: pd.DataFrame | None = None) -> str:
    """'Agency share of FTE was 18.1% in October 2026 (target at most 20.0%); 23.0% a year earlier.'"""
    m = metric(metric_id)
    frame = series if series is not None else trend(metric_id, filters)
    name = label or m.label
    values = frame.dropna(subset=["value"])
    if values.empty:
        return f"{name}: no data for this selection yet."
    last = values.iloc[-1]
    text = f"{name} was {_fmt(last['value'], m.unit)} in {last['period']:%B %Y}"
    if len(values) > 12:
        text += f", against {_fmt(values.iloc[-13]['value'], m.unit)} twelve months earlier"
    tg = target_info(metric_id)["value"] if label is None else None
    if tg is not None:
        word = {"lower": "at most", "higher": "at least"}.get(m.direction or "", "")
        text += f"; the target is {word} {_fmt(tg, m.unit)}"
    return text + "."


def permanent_share_alt(filters: Filters, projection_message: str) -> str:
    share = permanent_share_trend(filters)
    text = trend_alt("agency_rate_fte", filters, label="The permanent share of FTE", series=share)
    return text[:-1] + "; the target is at least 80% permanent by 30 June 2026." 


def breakdown_alt(metric_id: str, frame: pd.DataFrame, *, by: str) -> str:
    m = metric(metric_id)
    nums = frame.assign(v=pd.to_numeric(frame["value"], errors="coerce")).dropna(subset=["v"])
    word = {"service": "service", "team": "team", "role_group": "job type"}[by]
    if nums.empty:
        return f"{m.label} by {word}: no figures to show."
    hi = nums.loc[nums["v"].idxmax()]
    lo = nums.loc[nums["v"].idxmin()]
    hidden = int((frame["value"] == SUPPRESSED).sum())
    text = (f"{m.label} by {word}: highest {hi['group']} ({_fmt(hi['v'], m.unit)}), "
            f"lowest {lo['group']} ({_fmt(lo['v'], m.unit)}).")
    if hidden:
        text += f" {hidden} {word}{'s' if hidden > 1 else ''} not shown (c: fewer than 5 people)."
    return text


def cover_alt(cover: pd.DataFrame) -> str:
    if cover.empty:
        return "No vacancies recorded for this selection."
    total_vacant = cover["Vacant FTE"].sum()
    total_cover = cover["Covered by agency FTE"].sum()
    share = total_cover / total_vacant * 100 if total_vacant else float("nan")
    return (f"{total_vacant:.1f} FTE vacant across {len(cover)} services, of which agency workers "
            f"cover {total_cover:.1f} FTE ({share:.0f}%).")


def conversions_alt(filters: Filters) -> str:
    row = at_period(filters, ["agency_conversions_12m"]).iloc[0]
    value = row["value"]
    shown = value if isinstance(value, str) else ("no data" if value is None else f"{value:.0f}")
    return (f"Agency workers who became employees in the 12 months to {state_period(filters)}: "
            f"{shown} people.")


def state_period(filters: Filters) -> str:
    from ui.state import period_label

    return period_label(filters.period) if filters.period else "no month"


def caseload_threshold() -> float:
    """Cases per FTE above which a caseload counts as high (the engine's default, 20)."""
    return float(engine.DEFAULT_CASELOAD_THRESHOLD)


def england_note(metric_id: str) -> str:
    """' England: 15.2 (30 September 2025).' or a note that the DfE figures are not imported."""
    eng = england(metric_id)
    if eng.empty:
        return (" England's published figures are not imported yet (Benchmarks page), so only the "
                "target line is shown.")
    last = eng.iloc[-1]
    return f" England: {_fmt(last['value'], metric(metric_id).unit)} at {last['period']:%-d %B %Y}."


def partial_note(metric_id: str, filters: Filters) -> str:
    """Say when a rolling 12-month figure covers fewer than 12 loaded months."""
    row = at_period(filters, [metric_id]).iloc[0]
    if row["partial"] and row["months_covered"]:
        return (f"{row['label']} for {state_period(filters)} covers only {row['months_covered']} "
                "of the 12 months (fewer months are loaded), so it is marked partial.")
    return "Rolling 12-month figures cover the 12 months to the chosen month end."


def over_threshold_alt(filters: Filters, threshold: float) -> str:
    row = at_period(filters, ["caseload_over_threshold_rate"]).iloc[0]
    value = row["value"]
    if value is None:
        return "No case holders in this selection."
    shown = _fmt(value, "rate")
    return (f"{shown} of case holders carried more than {threshold:g} cases per FTE at the end of "
            f"{state_period(filters)}; the bars show how many people sit at each level.")


def counts_alt(frame: pd.DataFrame, category: str, value: str, what: str) -> str:
    """'Of 147 people, the largest group is 35 to 44 (53).' with suppressed groups named."""
    if frame.empty:
        return f"No {what} for this selection."
    nums = pd.to_numeric(frame[value], errors="coerce")
    if nums.notna().sum() == 0:
        return f"All {what} figures are suppressed (c: fewer than 5 people)."
    top = frame.loc[nums.idxmax()]
    hidden = int((frame[value] == SUPPRESSED).sum())
    text = f"{what[0].upper()}{what[1:]}: {int(nums.sum())} in the groups shown; the largest group is {top[category]} ({int(nums.max())})."
    if hidden:
        text += f" {hidden} group{'s' if hidden > 1 else ''} suppressed (c: fewer than 5 people)."
    return text


def county_population() -> tuple[pd.DataFrame, str]:
    """(county shares by ethnic group in 'Ethnic group'/'Share (%)', a note saying where from)."""
    try:
        county = county_ethnicity()
    except LookupError:
        empty = pd.DataFrame(columns=["Ethnic group", "People", "Share (%)"])
        return empty, ("The county population by ethnic group (ONS Census 2021) is not imported, "
                       "so our staff are shown alone. Import it on the Benchmarks page.")
    return county, "County population: ONS Census 2021 (usual residents, all ages)."


def ethnicity_alt(filters: Filters, county: pd.DataFrame) -> str:
    row = at_period(filters, ["ethnic_minority_rate"]).iloc[0]
    text = f"{_fmt(row['value'], 'rate')} of staff of known ethnicity are from ethnic minorities (not White)"
    if not county.empty:
        white = county.loc[county["Ethnic group"] == "White", "Share (%)"]
        if len(white):
            text += f", against {100 - float(white.iloc[0]):.1f}% of the county population"
    return text + "."


def local_by_job(filters: Filters) -> pd.DataFrame:
    """Share of each job type living in the county, of those whose answer is recorded."""
    ctx = _ctx(filters=filters)
    return _local_by_job(ctx.path, ctx.version, ctx.role, *_fkey(filters))


@st.cache_data(**CACHE)
def _local_by_job(path, version, role, period, scope, service, team) -> pd.DataFrame:
    from metrics import detail
    from metrics.suppression import suppress_table

    with db.open_cursor() as cur:
        df = detail.profile(cur, period=period, dimension="lives_in_county", scope=scope,
                            filters=_engine_filters(service, team))
    known = df[df["category"].isin(["Yes", "No"])]
    wide = known.pivot_table(index="role_group", columns="category", values="headcount",
                             aggfunc="sum", fill_value=0)
    for col in ("Yes", "No"):
        if col not in wide.columns:
            wide[col] = 0
    frame = pd.DataFrame({
        "Job type": wide.index.astype(str),
        "Living in county": wide["Yes"].astype(int).to_numpy(),
        "People recorded": (wide["Yes"] + wide["No"]).astype(int).to_numpy(),
    })
    frame["Share living in county (%)"] = (frame["Living in county"] / frame["People recorded"] * 100).round(1)
    if role in SUPPRESSED_ROLES and not frame.empty:
        frame = suppress_table(frame, count_cols=["Living in county"],
                               rate_cols={"Share living in county (%)": "People recorded"})
    frame.attrs = {}
    return frame[["Job type", "Share living in county (%)", "Living in county", "People recorded"]]


def local_alt(frame: pd.DataFrame) -> str:
    nums = pd.to_numeric(frame["Share living in county (%)"], errors="coerce") if not frame.empty else None
    if nums is None or nums.notna().sum() == 0:
        return "No figures on where staff live for this selection."
    hi = frame.loc[nums.idxmax()]
    lo = frame.loc[nums.idxmin()]
    return (f"Share living in the county by job type: highest {hi['Job type']} ({nums.max():.0f}%), "
            f"lowest {lo['Job type']} ({nums.min():.0f}%).")


def slug(text: str) -> str:
    from ui.downloads import file_stem

    return file_stem(text)
