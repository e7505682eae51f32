"""Tables of people and posts: leavers, length of service, caseload bands, conversions, agency
cover, the workforce profile and where staff live (metrics.detail frames, made readable)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.suppression import SUPPRESSED
from ui import db
from ui.data.base import CACHE, _ctx, _engine_filters, _fkey
from ui.filters import Filters
from ui.state import is_suppressed


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
    if is_suppressed(ctx.role):
        out["Conversions"] = out["Conversions"].astype(object).where(
            ~out["Conversions"].between(1, 4), SUPPRESSED)
    return out.reset_index(drop=True)


def caseload_values(filters: Filters, *, threshold: float) -> pd.DataFrame:
    """Each case holder's cases per FTE (values only). Not for scrutiny: individual-level data."""
    _ctx("teams", filters=filters)
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
    if is_suppressed(ctx.role):
        out = _suppress_counts(out, ["Case holders"])
    return out


def leavers_by_reason(filters: Filters) -> pd.DataFrame:
    """Employed leavers in the 12 months to the month, by reason ('c' for scrutiny where small)."""
    ctx = _ctx(filters=filters)
    df = _detail("leavers_by_reason", filters)
    out = pd.DataFrame({"Reason": df["reason"], "Leavers": df["leavers"].astype(int),
                        "FTE": df["fte"].round(1)})
    if is_suppressed(ctx.role):
        out = _suppress_counts(out, ["Leavers"])
        out["FTE"] = out["FTE"].astype(object).where(out["Leavers"].ne(SUPPRESSED), SUPPRESSED)
    return out


def length_of_service(filters: Filters) -> pd.DataFrame:
    """Leavers in the 12 months to the month by length of service at leaving."""
    ctx = _ctx(filters=filters)
    df = _detail("length_of_service_at_leaving", filters)
    out = pd.DataFrame({"Length of service": df["band"], "Leavers": df["leavers"].astype(int)})
    if is_suppressed(ctx.role):
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
    if is_suppressed(role) and not frame.empty:
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

    try:
        with db.open_cursor() as cur:
            frame = benchmarks.county_ethnicity(cur)
    except (benchmarks.BenchmarkError, duckdb.Error) as exc:
        raise LookupError(str(exc)) from None
    return pd.DataFrame({"Ethnic group": frame["group"], "People": frame["count"],
                         "Share (%)": (frame["share"] * 100).round(1)})


def county_population() -> tuple[pd.DataFrame, str]:
    """(county shares by ethnic group in 'Ethnic group'/'Share (%)', a note saying where from)."""
    try:
        county = county_ethnicity()
    except LookupError:
        empty = pd.DataFrame(columns=["Ethnic group", "People", "Share (%)"])
        return empty, ("The county population by ethnic group (ONS Census 2021) is not imported, "
                       "so our staff are shown alone. Import it on the Benchmarks page.")
    return county, "County population: ONS Census 2021 (usual residents, all ages)."


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
    if is_suppressed(role) and not frame.empty:
        frame = suppress_table(frame, count_cols=["Living in county"],
                               rate_cols={"Share living in county (%)": "People recorded"})
    frame.attrs = {}
    return frame[["Job type", "Share living in county (%)", "Living in county", "People recorded"]]
