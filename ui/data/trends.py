"""Comparisons and projections: England's published figure, the straight-line projection to the
target, and the 80:20 (permanent share) line with its month-by-month table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import db
from ui.data.base import CACHE, _ctx, _engine_filters, _fkey, metric
from ui.data.measures import agency_target_words, published_years, target_info, trend
from ui.filters import Filters


def england(metric_id: str) -> pd.DataFrame:
    """England's published figure (DfE, 30 September each year) in our units; empty if not imported."""
    ctx = _ctx()
    return _published_line(ctx.path, ctx.version, metric_id, "england_value")


def neighbours(metric_id: str) -> pd.DataFrame:
    """The median of our statistical neighbours' published figures (DfE, 30 September each
    year) in our units; empty when the figures or the neighbour model are not imported."""
    ctx = _ctx()
    return _published_line(ctx.path, ctx.version, metric_id, "sn_median")


@st.cache_data(**CACHE)
def _published_line(path: str, version: str, metric_id: str, column: str) -> pd.DataFrame:
    found = published_years(metric_id)
    if found is None or column not in found[0].columns:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype=float)})
    frame, scale = found
    frame = frame.dropna(subset=[column])
    return pd.DataFrame({
        "period": pd.to_datetime([f"{int(y)}-09-30" for y in frame["year"]]),
        "value": frame[column].astype(float) / scale,
    }).reset_index(drop=True)


#: the legend entry of the annual census points on every trend
CENSUS_NAME = "Census return, 30 September"
#: census figures counted in people: the people each one rests on (`base`) is the figure itself
CENSUS_COUNTS = ("inpost_headcount", "leavers_headcount", "agency_headcount")


def census_points(key: str, filters: Filters, *, as_share_employed: bool = False) -> pd.DataFrame:
    """The CSWW census figure `key` at 30 September of each year, in our units: `period`,
    `value`, `source` (which return it comes from). `key` is a dashboard metric id
    ("vacancy_rate_fte") or a census measure (census.figures.MEASURES, e.g. "inpost_headcount").

    Empty unless the view is the whole authority's social workers: a return has no teams, no
    services and no other staff. `as_share_employed` gives 1 - agency rate (the 80:20 chart).
    Roles without exact figures see the disclosure policy's version: a headcount of 1 to 4, and
    any figure resting on 1 to 4 people (a rate's denominator in people, else the return's
    in-post headcount), is "c".
    """
    if filters.scope != "social_workers" or filters.service or filters.team:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"),
                             "value": pd.Series(dtype=float), "source": pd.Series(dtype=str)})
    ctx = _ctx()
    frame = _census(ctx.path, ctx.version, ctx.role, key)
    if as_share_employed:
        frame = frame.assign(value=[v if isinstance(v, str) else 1 - v for v in frame["value"]])
    return frame


@st.cache_data(**CACHE)
def _census_all(path: str, version: str) -> pd.DataFrame:
    """Every census figure (store.census.census_figures), read once per data version: a page
    draws two or three measures' census points, and each read was a query of its own."""
    import duckdb

    from store.census import census_figures

    try:
        with db.open_cursor() as cur:
            return census_figures(cur)
    except duckdb.Error:
        return pd.DataFrame(columns=["year", "reference_date", "measure", "metric_id", "value",
                                     "numerator", "denominator", "source"])


@st.cache_data(**CACHE)
def _census(path: str, version: str, role: str, key: str) -> pd.DataFrame:
    from disclosure import disclose, people

    every = _census_all(path, version)
    if "source" not in every.columns:
        every["source"] = "imported return"
    rows = every[(every["measure"] == key) | (every["metric_id"] == key)].dropna(subset=["value"])
    heads = every[every["measure"] == "inpost_headcount"].set_index("year")["value"]
    if key in CENSUS_COUNTS:
        base = rows["value"]
    elif key in ("ethnic_minority_rate",):  # a share of the people whose ethnicity is known
        base = rows["denominator"]
    else:  # a rate of the return's workforce
        base = rows["year"].map(heads)
    frame = pd.DataFrame({"period": pd.to_datetime(rows["reference_date"]).to_numpy(),
                          "value": rows["value"].astype(float).to_numpy(),
                          "base": pd.to_numeric(base, errors="coerce").to_numpy(),
                          "source": rows["source"].astype(str).to_numpy()})
    if frame.empty:  # no return holds the measure (most stores): nothing to decide (3-4 ms a key)
        return frame.drop(columns="base")
    table = people(counts=["value"], additive=False) if key in CENSUS_COUNTS else \
        people(counts=["base"], follow={"value": "base"}, additive=False)
    shown = disclose(frame, table, role=role, name="census points").shown
    return shown.drop(columns="base").reset_index(drop=True)


def headcount_trend(filters: Filters) -> pd.DataFrame:
    """Directly employed people in post at each month end (DfE's in-post headcount, monthly):
    `period`, `value`; "c" where a month's figure is 1 to 4 people for roles without exact figures."""
    ctx = _ctx(filters=filters)
    return _headcount_trend(ctx.path, ctx.version, ctx.role, *_fkey(filters))


#: the measure whose people (its base) are the employed headcount: the measure history decides
#: which services' monthly headcounts may be published (the headcount line follows it)
EMPLOYED_HEADCOUNT = "vacancy_rate_fte"


@st.cache_data(**CACHE)
def _headcount_trend(path, version, role, period, scope, service, team) -> pd.DataFrame:
    from disclosure import SUPPRESSED, disclose, people, sees_exact
    from metrics import detail
    from ui.data.measures import history_rows

    with db.open_cursor() as cur:
        df = detail.ratio_trend(cur, scope=scope, filters=_engine_filters(service, team), end=period)
    frame = pd.DataFrame({"period": pd.to_datetime(df["period"]),
                          "value": df["employed_headcount"].astype(float)})
    shown = disclose(frame, people(counts=["value"], additive=False), role=role,
                     name="headcount by month").shown.reset_index(drop=True)
    if team or sees_exact(role):
        return shown
    # a month the measure history hides for this view (a small service, or the second service
    # hidden with it) is hidden on the line too: else the directorate's line minus the other
    # services' gives a small service's headcount
    rows = history_rows(path, version, scope, EMPLOYED_HEADCOUNT, service=service)
    hidden = set(pd.to_datetime(rows.loc[rows["suppressed"].astype(bool), "period"]).dt.to_period("M"))
    mask = shown["period"].dt.to_period("M").isin(hidden).to_numpy()
    if mask.any():
        shown["value"] = shown["value"].astype(object).where(~mask, SUPPRESSED)
    return shown


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
    label = (metric(metric_id).target_name or "the target") if as_share_employed else "the target"
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
    from metrics.projection import month_name
    from metrics.units import format_number

    unit = metric(metric_id).unit
    fmt = (lambda v: format_number(v, unit))
    text = f"{label[:1].upper()}{label[1:]} is met already ({fmt(proj.last_value)}"
    text += f" permanent in {month_name(proj.last_period)})." if as_share_employed else \
        f" in {month_name(proj.last_period)})."
    if fitted.empty or proj.interval_low is None:
        return text
    end = fitted.iloc[-1]
    agency_target = agency_target_words()["agency"]
    holds = f"stays at or below {agency_target}" if as_share_employed else "stays within the target"
    lost = f"rises above {agency_target}" if as_share_employed else "misses the target"
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
                 f"above {agency_target}." if as_share_employed else
                 " The trend keeps it met, but month-to-month variation could take it past the target.")
    return text


def permanent_share_trend(filters: Filters) -> pd.DataFrame:
    """Employed (permanent, fixed-term, casual) share of FTE each month: the 80:20 line."""
    series = trend("agency_rate_fte", filters)
    values = pd.to_numeric(series["value"], errors="coerce")
    out = series[["period"]].copy()
    out["value"] = [v if isinstance(v, str) else 1 - n for v, n in zip(series["value"], values)]
    return out

