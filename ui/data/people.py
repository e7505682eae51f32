"""Tables of people and posts: leavers, length of service, caseload bands, conversions, agency
cover, the workforce profile, where staff live, the month-by-month 80:20 table.

Why built through one routine (`_linked`): every table of people reaches a page as a
`disclosure.Disclosed`. The published version of a view is protected together with the same
table for the directorate and every other service, so a hidden figure in one service cannot be
worked out as the directorate minus the other services; categories are merged the same way in all
of them. HR and leadership see the exact table on screen; files carry the published one.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from disclosure import Disclosed, LastMonth, Table, disclose, disclose_all, exempt, people
from store.periods import previous_period, year_ago
from ui import db, options
from ui.data.base import CACHE, _ctx, _engine_filters, _fkey
from ui.filters import Filters


def _detail(name: str, filters: Filters, **kwargs) -> pd.DataFrame:
    ctx = _ctx(filters=filters)
    return _detail_cached(ctx.path, ctx.version, name, *_fkey(filters), tuple(sorted(kwargs.items())))


@st.cache_data(**CACHE)
def _detail_cached(path, version, name, period, scope, service, team, extra) -> pd.DataFrame:
    from metrics import detail

    fn = getattr(detail, name)
    with db.open_cursor() as cur:
        return fn(cur, scope=scope, filters=_engine_filters(service, team), **_at(name, period, extra))


def _at(name: str, period: str, extra: tuple) -> dict:
    """A detail frame's keyword arguments at the chosen month (monthly series end there)."""
    kwargs = dict(extra)
    if name not in ("conversions_by_month", "ratio_trend"):
        kwargs["period"] = period
    if name == "ratio_trend":
        kwargs["end"] = period
    return kwargs


@st.cache_data(**CACHE)
def _services(path, version) -> tuple[str, ...]:
    from metrics import detail

    with db.open_cursor() as cur:
        return tuple(sorted({s for s, _ in detail.dimension_pairs(cur)}))


# --- builders: (path, version, period, scope, service, team, **extra) -> the exact table ------


def _raw(path, version, name, period, scope, service, team, **extra) -> pd.DataFrame:
    key = tuple(sorted(extra.items()))
    if service is not None and team is None:  # a service's table: its part of one query for all
        every = _by_service(path, version, name, period, scope, key)
        if service in every:
            return every[service]
    return _detail_cached(path, version, name, period, scope, service, team, key)


@st.cache_data(**CACHE)
def _by_service(path, version, name, period, scope, extra) -> dict[str, pd.DataFrame]:
    """Every service's detail frame `name` from one query (metrics.detail.by_service), each what
    `_detail_cached` gives for that service: the tables protected for the directorate and every
    service together read them."""
    from metrics import detail

    with db.open_cursor() as cur:
        return detail.by_service(cur, name, services=_services(path, version), scope=scope,
                                 **_at(name, period, extra))


def _conversions(path, version, period, scope, service, team) -> pd.DataFrame:
    df = _raw(path, version, "conversions_by_month", period, scope, service, team)
    df = df[pd.to_datetime(df["period"]) <= pd.Timestamp(period + "-01")]
    return pd.DataFrame({"Month": pd.to_datetime(df["period"]).dt.strftime("%b %Y"),
                         "Conversions": df["conversions"].astype(int)}).iloc[::-1].reset_index(drop=True)


def _bands(path, version, period, scope, service, team, *, threshold: float) -> pd.DataFrame:
    df = _raw(path, version, "caseload_distribution", period, scope, service, team, threshold=threshold)
    edges = sorted({0.0, 10.0, 15.0, float(threshold), float(threshold) + 5, float("inf")})
    labels = [f"Up to {edges[1]:g}"] + [
        f"Over {lo:g} to {hi:g}" for lo, hi in zip(edges[1:-2], edges[2:-1])
    ] + [f"Over {edges[-2]:g}"]
    bands = pd.cut(df["caseload_per_fte"], bins=edges, labels=labels, right=True)
    counts = bands.value_counts().reindex(labels, fill_value=0)
    return pd.DataFrame({"Cases per FTE": labels, "Case holders": counts.astype(int).to_list()})


def _window(months: int) -> dict:
    """The leavers' tables' window as a detail keyword (none for the usual 12 months: one cache key)."""
    return {} if months == 12 else {"months": months}


def _reasons(path, version, period, scope, service, team, *, months: int = 12) -> pd.DataFrame:
    df = _raw(path, version, "leavers_by_reason", period, scope, service, team, **_window(months))
    return pd.DataFrame({"Reason": df["reason"], "Leavers": df["leavers"].astype(int), "FTE": df["fte"].round(1)})


def _service_length(path, version, period, scope, service, team, *, months: int = 12) -> pd.DataFrame:
    df = _raw(path, version, "length_of_service_at_leaving", period, scope, service, team, **_window(months))
    return pd.DataFrame({"Length of service": df["band"], "Leavers": df["leavers"].astype(int)})


PROFILE_LABELS = {"age_band": "Age", "gender": "Gender", "ethnicity": "Ethnic group",
                  "disability": "Disabled", "lives_in_county": "Lives in the county"}
#: the merge rules (data/disclosure.toml) of each profile dimension
PROFILE_DIMENSIONS = {"age_band": "age", "gender": "gender", "ethnicity": "ethnicity",
                      "disability": "disability", "lives_in_county": "lives_in_county"}


def _profile(path, version, period, scope, service, team, *, dimension: str, by_job: bool) -> pd.DataFrame:
    from ingest import contract
    from metrics import detail

    df = _raw(path, version, "profile", period, scope, service, team, dimension=dimension)
    label = PROFILE_LABELS[dimension]
    if by_job:
        frame = df.rename(columns={"role_group": "Job type", "category": label, "headcount": "People"})
        frame = frame[["Job type", label, "People"]].copy()
        base = frame.groupby("Job type")["People"].transform("sum")
    else:
        frame = df.groupby("category", as_index=False)["headcount"].sum().rename(
            columns={"category": label, "headcount": "People"})
        base = frame["People"].sum()
    frame["Share (%)"] = (frame["People"] / base * 100).round(1)
    orders = {"age_band": detail.AGE_BANDS, "gender": contract.GENDERS,
              "ethnicity": contract.ETHNIC_GROUPS, "disability": ("Yes", "No", "Not known"),
              "lives_in_county": ("Yes", "No", "Not known")}
    order = {b: i for i, b in enumerate(orders[dimension])}
    frame = frame.sort_values((["Job type"] if by_job else []) + [label],
                              key=lambda s: s.map(lambda v: order.get(v, 99)) if s.name == label else s)
    frame["People"] = frame["People"].astype(int)
    return frame.reset_index(drop=True)


def _local(path, version, period, scope, service, team) -> pd.DataFrame:
    df = _raw(path, version, "profile", period, scope, service, team, dimension="lives_in_county")
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
    return frame[["Job type", "Share living in county (%)", "Living in county", "People recorded"]]


def _ratio(path, version, period, scope, service, team) -> pd.DataFrame:
    df = _raw(path, version, "ratio_trend", period, scope, service, team)
    out = pd.DataFrame({
        "Month": [p.strftime("%b %Y") for p in df["period"]],
        "Employed FTE": df["employed_fte"].round(1),
        "Agency FTE": df["agency_fte"].round(1),
        "Permanent share (%)": ((1 - df["agency_rate"]) * 100).round(1),
        "Agency share (%)": (df["agency_rate"] * 100).round(1),
        "People": df["headcount"].astype(int),
    })
    return out.iloc[::-1].reset_index(drop=True)


RATIO_FIGURES = ("Employed FTE", "Agency FTE", "Permanent share (%)", "Agency share (%)")

#: name -> (builder, what its cells count)
TABLES: dict[str, tuple[Callable[..., pd.DataFrame], Table]] = {
    "conversions": (_conversions, people(counts=["Conversions"], additive=False)),
    "caseload_bands": (_bands, people(counts=["Case holders"])),
    "leavers_by_reason": (_reasons, people(counts=["Leavers"], follow={"FTE": "Leavers"},
                                           category="Reason", dimension="reason", rolling=True)),
    "length_of_service": (_service_length, people(counts=["Leavers"], rolling=True)),
    "local_by_job": (_local, people(counts=["Living in county"], row_total="People recorded",
                                    rates={"Share living in county (%)": "People recorded"},
                                    follow={"Share living in county (%)": "Living in county"})),
    "ratio_table": (_ratio, people(counts=["People"], additive=False,
                                   follow={c: "People" for c in RATIO_FIGURES})),
}


#: where the measure history (cards, themes, trends, by-service tables) publishes a linked table's
#: column totals for the directorate and each service: the measure counting the same people and
#: the history's column for each of the table's count columns
MARGINS: dict[str, tuple[str, dict[str, str]]] = {
    "profile": ("agency_rate_fte", {"People": "base_count"}),  # everyone in post
    "caseload_bands": ("avg_caseload", {"Case holders": "base_count"}),
    "leavers_by_reason": ("early_leaver_rate_12m", {"Leavers": "denominator"}),
    "length_of_service": ("early_leaver_rate_12m", {"Leavers": "denominator"}),
    "local_by_job": ("local_residence_rate", {"People recorded": "denominator", "Living in county": "numerator"}),
}


def _margins(path, version, name, period, scope, frames: dict) -> dict | None:
    """{view: {column: True (the history shows its total), False (the history hides it)}} for the
    policy (disclosure.Margins): a total the history shows is known to any reader; one it hides
    (a small service's, and the second service hidden with it) must not follow from the tables
    either. A total the history shows as another figure counts other people: no word on it."""
    if name not in MARGINS:
        return None
    from ui.data.measures import history_rows

    metric_id, columns = MARGINS[name]
    out: dict = {}
    for row in history_rows(path, version, scope, metric_id, period=period).to_dict("records"):
        key = row["service"]
        if key not in frames:
            continue
        said = {}
        for col, source in columns.items():
            if bool(row["suppressed"]):
                said[col] = False
            elif col in frames[key] and pd.to_numeric(row[source], errors="coerce") == \
                    float(pd.to_numeric(frames[key][col]).sum()):
                said[col] = True
        out[key] = said
    return out


def _table_for(name: str, extra: dict) -> tuple[Callable[..., pd.DataFrame], Table]:
    if name != "profile":
        return TABLES[name]
    dimension, by_job = extra["dimension"], extra["by_job"]
    label = PROFILE_LABELS[dimension]
    return _profile, people(counts=["People"], shares={"Share (%)": "People"},
                            within="Job type" if by_job else None, category=label,
                            dimension=PROFILE_DIMENSIONS[dimension])


def _linked(name: str, filters: Filters, **extra) -> Disclosed:
    ctx = _ctx(filters=filters)
    return _linked_cached(ctx.path, ctx.version, ctx.role, name, *_fkey(filters), tuple(sorted(extra.items())))


@st.cache_data(**CACHE)
def _linked_cached(path, version, role, name, period, scope, service, team, extra) -> Disclosed:
    if team:  # team views: roles with exact figures; files: the team's table protected alone,
        # listing the directorate's answers (a missing one as 0) so the class rule sees them
        build, table = _table_for(name, dict(extra))
        kw = dict(extra)
        return disclose(build(path, version, period, scope, service, team, **kw), table, role=role, name=name,
                        like=build(path, version, period, scope, None, None, **kw))
    views = _linked_views(path, version, role, name, period, scope, extra)
    if service not in views:  # a service not in the store's list (no staff that month)
        build, table = _table_for(name, dict(extra))
        return disclose(build(path, version, period, scope, service, None, **dict(extra)), table, role=role, name=name)
    return views[service]


@st.cache_data(**CACHE)
def _linked_views(path, version, role, name, period, scope, extra) -> dict:
    """The directorate's table and every service's, protected together once (every service's
    page reads its own view of the one decision)."""
    build, table = _table_for(name, dict(extra))
    frames = _frames(path, version, name, period, scope, extra)
    return disclose_all(frames, table, role=role, name=name,
                        margins=_margins(path, version, name, period, scope, frames),
                        before=_last_month(path, version, name, period, scope, extra))


def _frames(path, version, name, period, scope, extra, **more) -> dict:
    """The directorate's table and every service's as built (exact), at `period`."""
    build, _ = _table_for(name, dict(extra))
    kw = {**dict(extra), **more}
    frames = {None: build(path, version, period, scope, None, None, **kw)}
    for s in _services(path, version):
        frames[s] = build(path, version, period, scope, s, None, **kw)
    return frames


#: tables over the 12 months to the month, published every month: each month's is protected
#: beside last month's too (this month's minus last month's is the month's leavers minus those of
#: 12 months before: disclosure.LastMonth)
ROLLING = ("leavers_by_reason", "length_of_service")


def _last_month(path, version, name, period, scope, extra) -> LastMonth | None:
    if name not in ROLLING:
        return None
    before = previous_period(period).strftime("%Y-%m")
    if before not in options.loaded_periods(path, version):
        return None
    frames = _frames(path, version, name, before, scope, extra)
    first = options.loaded_periods(path, version)[0]
    return LastMonth(frames=frames, margins=_margins(path, version, name, before, scope, frames),
                     arrived=_frames(path, version, name, period, scope, extra, months=1),
                     first_year=year_ago(period).strftime("%Y-%m") < first)


# --- the tables pages draw -------------------------------------------------------------------


def agency_cover(filters: Filters) -> Disclosed:
    """Vacant FTE by service and the part agency workers cover (vacant posts, not people)."""
    ctx = _ctx(filters=filters)
    df = _detail("agency_cover", filters)
    frame = pd.DataFrame({
        "Service": df["service"],
        "Vacant FTE": df["vacant_fte"].round(1),
        "Covered by agency FTE": df["covered_fte"].round(1),
        "Not covered FTE": df["uncovered_fte"].round(1),
        "Share covered (%)": (df["cover_rate"] * 100).round(1),
    })
    return disclose(frame, exempt("vacancies are posts (FTE), not people."), role=ctx.role)


def conversions(filters: Filters) -> Disclosed:
    """Agency workers who became employees, per month, up to the chosen month."""
    return _linked("conversions", filters)


def caseload_values(filters: Filters, *, threshold: float) -> pd.DataFrame:
    """Each case holder's cases per FTE (values only). Not for scrutiny: individual-level data."""
    _ctx("teams", filters=filters)
    return _detail("caseload_distribution", filters, threshold=threshold)


def caseload_bands(filters: Filters, *, threshold: float) -> Disclosed:
    """Case holders by caseload band (what scrutiny sees instead of individual values).

    Bands end at the threshold, so "over the threshold" is exactly the last two bands.
    """
    return _linked("caseload_bands", filters, threshold=threshold)


def leavers_by_reason(filters: Filters) -> Disclosed:
    """Employed leavers in the 12 months to the month, by reason (small reasons merged)."""
    return _linked("leavers_by_reason", filters)


def length_of_service(filters: Filters) -> Disclosed:
    """Leavers in the 12 months to the month by length of service at leaving."""
    return _linked("length_of_service", filters)


def profile(filters: Filters, *, dimension: str, by_job: bool = False) -> Disclosed:
    """Headcount and share by a profile dimension (whole scope, or by job type).

    Columns: [Job type,] <dimension label>, People, Share (%)."""
    return _linked("profile", filters, dimension=dimension, by_job=by_job)


def local_by_job(filters: Filters) -> Disclosed:
    """Share of each job type living in the county, of those whose answer is recorded."""
    return _linked("local_by_job", filters)


def ratio_table(filters: Filters) -> Disclosed:
    """Month by month: employed FTE, agency FTE and the permanent:agency split (downloadable).

    A month's row is hidden where the measure history hides everyone in post (IN_POST) for the
    view, with the history's reason: the People column is the history's base, so the table and
    the cards, trends and by-service tables make one decision (a small service's month, and the
    second service hidden with it, cannot be worked out from the directorate's row minus the
    others'). A team's table (roles with exact figures; its files) is protected alone."""
    if filters.team:
        return _linked("ratio_table", filters)
    ctx = _ctx(filters=filters)
    return _ratio_table(ctx.path, ctx.version, ctx.role, *_fkey(filters))


#: the measure whose base is everyone in post (the 80:20 table's People; the profile's total)
IN_POST = MARGINS["profile"][0]


@st.cache_data(**CACHE)
def _ratio_table(path, version, role, period, scope, service, team) -> Disclosed:
    from disclosure import published_rows, rules, sees_exact
    from ui.data.measures import history_rows

    frame = _ratio(path, version, period, scope, service, team)
    rows = history_rows(path, version, scope, IN_POST, service=service)
    said = {pd.Timestamp(p).strftime("%b %Y"): (bool(h), w if isinstance(w, str) else None)
            for p, h, w in zip(rows["period"], rows["suppressed"], rows["suppression"])}
    t = rules().threshold
    hidden, reasons = [], []
    for month, n in zip(frame["Month"], frame["People"]):
        h, why = said.get(month, (True, "secondary"))  # no word from the history: not published
        if 0 < n < t:  # the history hides these too; never shown whatever it says
            h, why = True, "primary"
        hidden.append(h)
        reasons.append((why or "secondary") if h else None)
    return published_rows(frame, hidden=hidden, reasons=reasons, columns=["People", *RATIO_FIGURES],
                          exact=sees_exact(role))


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
