"""Tables of people and posts: leavers, length of service, caseload bands, conversions, agency
cover, the workforce profile, where staff live, the month-by-month 80:20 table.

Why built through one routine (`_linked`): every table of people reaches a page as a
`disclosure.Disclosed`. The published version of a view is protected together with the same
table for the directorate and every other service, so a hidden figure in one service cannot be
worked out as the directorate minus the other services; categories are merged the same way in all
of them. HR and leadership see the exact table on screen; files carry the published one. The
12-month leavers tables publish the latest year to 30 September's decision at any month
(disclosure.linked.published_month: overlapping 12-month tables differ by a month's leavers).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from disclosure import Disclosed, Table, disclose, exempt, linked, sees_exact
from disclosure.linked import MARGINS, PROFILE_LABELS, RATIO_FIGURES, ROLLING  # noqa: F401
from ui import db, options
from ui.data.base import CACHE, _ctx, _fkey
from ui.filters import Filters


def _detail(name: str, filters: Filters, **kwargs) -> pd.DataFrame:
    ctx = _ctx(filters=filters)
    return _detail_cached(ctx.path, ctx.version, name, *_fkey(filters), tuple(sorted(kwargs.items())))


@st.cache_data(**CACHE)
def _detail_cached(path, version, name, period, scope, service, team, extra) -> pd.DataFrame:
    with db.open_cursor() as cur:
        return linked.detail_frame(cur, name, period, scope, service, team, dict(extra))


def _services(path, version) -> tuple[str, ...]:
    """The services (sorted): the filter options' list, read once per data version for the sidebar."""
    return options.services(path, version)


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
    with db.open_cursor() as cur:
        return linked.detail_by_service(cur, name, period, scope, _services(path, version), dict(extra))


def _source(path, version) -> linked.Source:
    """What the linked tables are built from here: the detail frames and the published history
    cached per data version (disclosure.linked builds and decides them)."""
    from ui.data.measures import history_rows

    def raw(name, period, scope, service, team, **extra):
        return _raw(path, version, name, period, scope, service, team, **extra)

    def history(scope, metric_id, period):
        return history_rows(path, version, scope, metric_id, period=period)

    def windows(name, period, scope):
        return _windows(path, version, name, period, scope)

    return linked.Source(raw=raw, services=_services(path, version),
                         periods=options.loaded_periods(path, version), history=history, windows=windows)


@st.cache_data(**CACHE)
def _windows(path, version, name, period, scope) -> dict:
    """A 12-month leavers table's detail frames, every view, this month's, last month's and this
    month's own, from one query (metrics.detail.leavers_windows)."""
    from metrics import detail

    with db.open_cursor() as cur:
        return detail.leavers_windows(cur, name, period=period, services=_services(path, version), scope=scope)


def _table_for(name: str, extra: dict) -> tuple[Callable[..., pd.DataFrame], Table]:
    """(builder (path, version, period, scope, service, team, **extra) -> the exact table, what
    its cells count)."""
    def build(path, version, period, scope, service, team, **kw) -> pd.DataFrame:
        return linked.build(_source(path, version), name, period, scope, service, team, **kw)

    return build, linked.table_for(name, extra)


def _linked(name: str, filters: Filters, **extra) -> Disclosed:
    ctx = _ctx(filters=filters)
    return _linked_cached(ctx.path, ctx.version, ctx.role, name, *_fkey(filters), tuple(sorted(extra.items())))


@st.cache_data(**CACHE)
def _linked_cached(path, version, role, name, period, scope, service, team, extra) -> Disclosed:
    build, table = _table_for(name, dict(extra))
    kw = dict(extra)
    exact = sees_exact(role)
    # the month whose figures are published: a 12-month leavers table's year to 30 September
    # (disclosure.linked.published_month); roles with exact figures see the month asked on screen
    at = linked.published_month(options.loaded_periods(path, version), name, period)
    note = linked.published_note(name, at)
    mine = _exact_table(path, version, name, period, scope, service, team, extra) if exact or at is None else None
    if at is None:  # nothing published yet: an empty table that says why
        pub = mine.iloc[0:0].copy()
        pub.attrs = {}
        shown = mine.copy() if exact else pub
        shown.attrs = {}
        return Disclosed(shown=shown, published=pub, reasons=pub.astype(object), table=table, exact=exact,
                         note=note)
    if team:  # team views: roles with exact figures; files: the team's table protected alone,
        # listing the directorate's answers (a missing one as 0) so the class rule sees them
        pub, why = _alone(disclose(build(path, version, at, scope, service, team, **kw), table, name=name,
                                   like=build(path, version, at, scope, None, None, **kw)))
    else:
        decided = _decided(path, version, name, at, scope, extra)
        if service in decided:  # copied: the kept decision is shared (ui.db.shared_frame)
            pub, why = (f.copy() for f in decided[service])
        else:  # a service not in the store's list (no staff that month)
            pub, why = _alone(disclose(build(path, version, at, scope, service, None, **kw), table, name=name))
    shown = mine.copy() if exact else pub
    shown.attrs = {}
    return Disclosed(shown=shown, published=pub, reasons=why, table=table, exact=exact,
                     period=at if at != period else None, note=note)


def _alone(d: Disclosed) -> tuple[pd.DataFrame, pd.DataFrame]:
    return d.published, d.reasons


def _exact_table(path, version, name, period, scope, service, team, extra) -> pd.DataFrame:
    """Table `name` of one view, exact: the directorate's at the latest month as the last load kept
    it (disclosure.linked.kept_exact: no detail frame read), else built."""
    if service is None and team is None and (name, extra) in _KEPT:
        got = linked.kept_exact(_kept_frames(path, version), name, period, scope, dict(extra))
        if got is not None:
            return got
    return _table_for(name, dict(extra))[0](path, version, period, scope, service, team, **dict(extra))


@db.shared_frame
def _kept_frames(path, version) -> linked.KeptFrames | None:
    """The linked tables' frames the last load kept whole (disclosure.linked.kept_frames: one query,
    each rebuilt only when a table asks for it)."""
    with db.open_cursor() as cur:
        return linked.kept_frames(cur)


@db.shared_frame
def _decided(path, version, name, period, scope, extra) -> dict:
    """{view: (published, reasons)}: the directorate's table and every service's, protected
    together once (every service's page, every role, reads its own view of the one decision):
    the decision a load kept when it answers for these figures (the latest month's pages': kept
    whole, disclosure.linked.kept_decision), else decided now (disclosure.linked.decision). Kept
    as it is, not copied (ui.db.shared_frame): read-only (pickling the five a Workforce profile
    view reads cost its first view ~3-8 ms)."""
    if (name, extra) not in _KEPT:  # no load keeps this table (caseload bands at another threshold): no
        # kept row to look for, nor the fingerprint of its inputs to work out (what `linked.decision` does next)
        return linked.decide(_source(path, version), name, period, scope, dict(extra))
    whole = linked.kept_decision(_kept_frames(path, version), name, period, scope, dict(extra))
    if whole is not None:  # the latest month's pages: kept whole, as `linked.decision` reads it confirmed
        return whole
    out, _ = linked.decision(db.open_cursor, _source(path, version), name, period, scope, dict(extra))
    return out


#: the (name, sorted options) of every table a load keeps decided (disclosure.linked.KEPT)
_KEPT = frozenset((name, tuple(sorted(dict(extra).items()))) for name, extra in linked.KEPT)


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


def leavers_period(filters: Filters) -> str:
    """What the 12-month leavers tables (by reason, by length of service) show this role at the
    month, in words for the heading above them: "last 12 months" where the role sees the month's
    exact tables on screen; else the year to 30 September they are published for
    (disclosure.linked.published_month, as `_linked_cached` publishes them), or that none is yet."""
    ctx = _ctx(filters=filters)
    if sees_exact(ctx.role):
        return "last 12 months"
    return year_words(linked.published_month(options.loaded_periods(ctx.path, ctx.version), ROLLING[0],
                                             filters.period))


def year_words(month: str | None) -> str:
    """A 12-month leavers table's published year in words, from its month ("YYYY-MM", a
    September: `Disclosed.period`): 'year to 30 September 2025'; None: none published yet."""
    if month is None:
        return "year to 30 September: none published yet"
    return f"year to 30 September {month[:4]}"


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

    frame = _table_for("ratio_table", {})[0](path, version, period, scope, service, team)
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
    # each hidden cell's true reason (disclosure.policy.true_reason): every figure of a month's row
    # rests on its People, the FTE and the shares too (an FTE is not a count of people: an agency
    # FTE of 2.0 is never "fewer than 5 people" by itself)
    people = [(float(n),) for n in frame["People"]]
    return published_rows(frame, hidden=hidden, reasons=reasons, columns=["People", *RATIO_FIGURES],
                          exact=sees_exact(role), sizes={c: people for c in ("People", *RATIO_FIGURES)})


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
