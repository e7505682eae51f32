"""Measures: every metric for every month in a view, at a month, as a trend, as a table.

Why: the Overview cards, Strategy themes and every trend chart read the same evaluated frame
(cached once per view), so a figure reads the same wherever it appears.
"""

from __future__ import annotations

from types import EllipsisType

import numpy as np
import pandas as pd
import streamlit as st

from disclosure import MEASURES, Disclosed, disclose, history, linked
from disclosure import breakdowns as drill
from disclosure.breakdowns import is_none as _is_none
from disclosure.breakdowns import not_available as _not_available
from disclosure.breakdowns import with_published as _with_published
from disclosure.cells import number
from metrics import catalogue, detail, engine
from metrics.targets import STATUS_WORDS
from metrics.units import UNITS, round_half_up
from store import periods
from ui import db
from ui.data.base import CACHE, _ctx, _engine_filters, metric
from ui.filters import Filters
from ui.state import current_role, is_suppressed


@db.shared_frame
def _kept_history(path: str, version: str, scope: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(`raw_history`, `public_history`) as the last load built and kept them
    (disclosure.history.kept_history: read in a few ms, not built), or None when they are not kept
    under what they would be built from now (then each is built here)."""
    with db.open_cursor() as cur:
        return history.kept_history(cur, scope=scope)


@db.shared_frame
def raw_history(path: str, version: str, scope: str) -> pd.DataFrame:
    """Every measure, every month, exact, for the directorate (`service` None) and each service
    (disclosure.history.raw; as the load kept it, else built). Kept as it is, not copied
    (ui.db.shared_frame): read-only."""
    kept = _kept_history(path, version, scope)
    if kept is not None:
        return kept[0]
    with db.open_cursor() as cur:
        return history.raw(cur, scope=scope)


@db.shared_frame
def public_history(path: str, version: str, scope: str) -> pd.DataFrame:
    """Every measure, every month, as it may be published, for the directorate and each service:
    passed through the disclosure policy together, so no service's hidden figure can be worked
    out as the directorate minus the other services (trend charts, cards and tables all read it).
    The policy's decisions are kept per load in the store (disclosure.history): a first view
    after a load applies them instead of deciding ~940 protection grids again.

    Columns: the engine's, plus `service` (None = the directorate), `suppressed`, `suppression`.
    Kept as it is, not copied (ui.db.shared_frame): read-only. As the load kept it, when it did
    (disclosure.history.kept_history)."""
    kept = _kept_history(path, version, scope)
    if kept is not None:
        return kept[1]
    frame = raw_history(path, version, scope)
    with db.open_cursor() as cur:
        return history.published(cur, scope=scope, frame=frame)


def history_rows(path: str, version: str, scope: str, metric_id: str, *, period: str | None = None,
                 service: str | None | EllipsisType = ...) -> pd.DataFrame:
    """The published history's rows of one measure overall (no group): for the directorate
    (`service` None), one service, or every view (`...`, the default), every month or at `period`
    ("YYYY-MM"). `service` reads None for the directorate; `suppressed` says what the history
    hides. Tables and lines of the same people read it to hide what it hides (one decision)."""
    return _history_rows(path, version, scope, metric_id, period, _EVERY if service is ... else service)


_EVERY = "\x00every view"


@st.cache_data(**CACHE)
def _history_rows(path: str, version: str, scope: str, metric_id: str, period: str | None,
                  service: str | None) -> pd.DataFrame:
    """`history_rows`, cached: the linked tables of a page read the same few rows several times,
    and each read of the whole history from the cache copies ~10,000 rows."""
    return linked.history_rows(public_history(path, version, scope), metric_id, period=period,
                               service=... if service == _EVERY else service)


@st.cache_data(**CACHE)
def _by_job_exact(path: str, version: str, scope: str, metric_id: str, service: str | None) -> pd.DataFrame:
    """One measure by job type in one view (None: the directorate), every loaded month, with
    target, status and change on a year ago, exact: one query for every month (a query for one
    month costs about the same), read by `public_by_job` for each month asked."""
    with db.open_cursor() as cur:
        return engine.evaluate_history(cur, scope=scope, by="role_group", metric_ids=[metric_id],
                                       filters=_engine_filters(service, None))


@st.cache_data(**CACHE)
def public_by_job(path: str, version: str, scope: str, metric_id: str, period: str) -> pd.DataFrame:
    """One measure at one month by job type, for the directorate and each service, as it may be
    published: one two-way table (service by job type) with its margins; the margins keep what
    `public_history` decided for them (hidden there: hidden here, its People known where the
    history shows them anyway; published there: known, so the cells inside are protected as if a
    reader had them). The margins are the history's own rows."""
    when = periods.parse_period(period)
    with db.open_cursor() as cur:
        services = sorted({s for s, _ in detail.dimension_pairs(cur)})
    parts = {}
    for service in [None, *services]:
        f = _by_job_exact(path, version, scope, metric_id, service)
        parts[service] = f[f["period"] == when].reset_index(drop=True)
    table = _table_by_job(path, version, scope, metric_id, period) if metric_id in linked.BY_JOB else None

    def blank(service: str | None) -> pd.DataFrame:  # no figure in the history: the engine's empty row
        with db.open_cursor() as cur:
            return engine.evaluate(cur, period=period, scope=scope, metric_ids=[metric_id],
                                   filters=_engine_filters(service, None))

    # one decision with `python -m metrics --suppress --by role_group` (disclosure.history.by_job_at)
    return history.by_job_at(parts, raw_history(path, version, scope), public_history(path, version, scope),
                             metric_id=metric_id, month=when, blank=blank, table=table)


@st.cache_data(**CACHE)
def _table_by_job(path: str, version: str, scope: str, metric_id: str, period: str) -> dict:
    """What the page table whose rows are `metric_id`'s rows by job type (disclosure.linked.BY_JOB:
    Living in the county by job type) shows of each row at `period`, every view: the one decision
    the Workforce profile reads (kept by the load, else decided now), so that the drill publishes
    those rows as the table does (`linked.by_job_rows`)."""
    with db.open_cursor() as cur:
        src = linked.cursor_source(cur)
        decided, _ = linked.decision(db.open_cursor, src, linked.BY_JOB[metric_id][0], period, scope, {})
    return linked.by_job_rows(metric_id, decided)


def public_rows(path: str, version: str, scope: str, service: str | None, by: str | None,
                metric_id: str | None = None, period: str | None = None) -> pd.DataFrame:
    """The published rows of one view: a service (None = directorate) overall (every month), or
    one measure at one month by service or by job type (with the overall row, group None; only
    that measure and month are read, not the whole history)."""
    if by == "role_group":
        grid = public_by_job(path, version, scope, metric_id, period)
    else:
        grid = public_history(path, version, scope)
        if by is not None and metric_id is not None and period is not None:  # one measure at one month
            grid = grid[(grid["metric_id"] == metric_id).to_numpy()
                        & (grid["period"] == pd.Timestamp(period + "-01")).to_numpy()]
    return drill.view_rows(grid, service, by)


@db.shared_frame
def evaluated_exact(path: str, version: str, scope: str, service: str | None,
                    team: str | None) -> pd.DataFrame:
    """Every measure, every loaded month, with target/status/change, exactly as the engine gives
    them (not suppressed: for the cached readers to build on, never shown as it is). One query
    per data version and view, shared by every page and role; the directorate's is the part of
    `raw_history` the page has read already (the same evaluation). Kept as it is, not copied
    (ui.db.shared_frame): read-only."""
    if service is None and team is None:
        raw = raw_history(path, version, scope)
        return raw[_is_none(raw["service"])].drop(columns="service").reset_index(drop=True)
    with db.open_cursor() as cur:
        return engine.evaluate_history(cur, scope=scope, filters=_engine_filters(service, team))


@st.cache_data(**CACHE)
def _evaluated(path: str, version: str, role: str, scope: str, service: str | None,
               team: str | None) -> pd.DataFrame:
    """Every measure, every loaded month, with target/status/change: exact for the roles that see
    exact figures on screen, else the published version; `published_hidden` either way."""
    if team:  # team views are for roles with exact figures; their downloads: the table alone
        exact = evaluated_exact(path, version, scope, service, team).copy()
        public = disclose(exact, MEASURES).published
    else:
        public = public_rows(path, version, scope, service, None)
        exact = evaluated_exact(path, version, scope, service, None).copy() if not is_suppressed(role) else None
    public["period"] = pd.to_datetime(public["period"])
    if not is_suppressed(role) and exact is not None:
        exact["period"] = pd.to_datetime(exact["period"])
        return _with_published(exact, public)
    out = public.copy()
    out["published_hidden"] = out["suppressed"]
    out["published_reason"] = out["suppression"]
    out["published_not_available"] = _not_available(out)
    return out


def evaluated(filters: Filters) -> pd.DataFrame:
    """All measures for all months in this view (target, status, change on a year ago)."""
    ctx = _ctx(filters=filters)
    key = (ctx.path, ctx.version, ctx.role, filters.scope, filters.service, filters.team)
    # a page reads it for every card and trend: copied from the cache once
    return db.view_once(("evaluated", *key), lambda: _evaluated(*key))


def rests(filters: Filters) -> dict[tuple[str, pd.Timestamp], dict]:
    """{(measure, month): its exact value, numerator, denominator and base_count} in this view,
    every month: what a measure row's caption reads for its true reason (disclosure.policy.
    rests_on; a figure hidden as "primary" because its rate rests on 3 above the cap has a People
    of 27 that is not few). Never shown; worked out once per page view."""
    ctx = _ctx(filters=filters)
    def read() -> dict[tuple[str, pd.Timestamp], dict]:
        exact = evaluated_exact(ctx.path, ctx.version, filters.scope, filters.service, filters.team)
        cols = ["value", "numerator", "denominator", "base_count"]
        return {(m, pd.Timestamp(p)): row for m, p, row in
                zip(exact["metric_id"], exact["period"], exact[cols].to_dict("records"))}

    return db.view_once(("rests", ctx.path, ctx.version, filters.scope, filters.service, filters.team), read)


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
            "published_hidden": False if r is None else bool(r["published_hidden"]),
            "published_reason": None if r is None else r["published_reason"],
            "published_not_available": False if r is None else bool(r.get("published_not_available", False)),
        })
    out = pd.DataFrame(out)
    if out["published_hidden"].any():  # the true reasons of the hidden ones (`rests`)
        from disclosure.policy import fte_people, rests_on

        found = rests(filters)
        month = {m: row for (m, p), row in found.items() if p == when}
        rows = [found.get((mid, when)) for mid in out["metric_id"]]
        out["value_rests_on"] = [() if r is None else rests_on(mid, **r, people=fte_people(mid, month))
                                 for mid, r in zip(out["metric_id"], rows)]
        out["people_rests_on"] = [() if r is None else (number(r["base_count"]),) for r in rows]
    return out


def _clean(value: object) -> object:
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return None
    return float(value)


def trend(metric_id: str, filters: Filters, *, months: int | None = None) -> pd.DataFrame:
    """`period`, `value` (fraction for rates; 'c' when suppressed) for one measure up to the month.
    Worked out once per page view (a chart and its text alternative read the same; read-only)."""
    ctx = _ctx(filters=filters)
    key = ("trend", ctx.path, ctx.version, ctx.role, filters.period, filters.scope, filters.service,
           filters.team, metric_id, months)
    return db.view_once(key, lambda: _trend(metric_id, filters, months))


def _trend(metric_id: str, filters: Filters, months: int | None) -> pd.DataFrame:
    frame = evaluated(filters)
    when = pd.Timestamp(filters.period_date) if filters.period else None
    part = frame[(frame["metric_id"] == metric_id) & (frame["period"] <= when)]
    part = part[["period", "value", "target", "months_covered", "partial"]].sort_values("period")
    if months:
        part = part.tail(months)
    return part.reset_index(drop=True)


def trend_values(filters: Filters, metric_ids, *, months: int) -> dict[str, list]:
    """The last `months` values up to the month of each measure (what `trend(...)["value"]`
    gives), all from one pass over the evaluated frame."""
    frame = evaluated(filters)
    when = pd.Timestamp(filters.period_date) if filters.period else None
    part = frame[(frame["period"] <= when) & frame["metric_id"].isin(list(metric_ids))]
    part = part[["metric_id", "period", "value"]].sort_values("period", kind="stable")
    found = {mid: list(g["value"].tail(months)) for mid, g in part.groupby("metric_id", sort=False)}
    return {mid: found.get(mid, []) for mid in metric_ids}


def headline(filters: Filters) -> pd.DataFrame:
    """The Overview cards: headline measures at the month, each with a 12-month sparkline."""
    rows = at_period(filters, catalogue.HEADLINE_IDS)
    sparks = trend_values(filters, list(rows["metric_id"]), months=12)
    rows["spark"] = [sparks[mid] for mid in rows["metric_id"]]
    rows["target_date"] = [target_info(mid)["date"] for mid in rows["metric_id"]]
    add_benchmarks(rows)
    return rows


def published(metric_id: str) -> dict | None:
    """The latest published DfE figures for a measure in our units: year, England, the
    statistical-neighbour median (None when the model is not imported); None if not imported."""
    ctx = _ctx()
    return _published(ctx.path, ctx.version, metric_id)


def published_years(metric_id: str) -> tuple[pd.DataFrame, int] | None:
    """The DfE years published for the indicator `metric_id` is compared with (rows with an
    England figure) and the divisor that puts them in our units (100 for percentages); None when
    the metric has no DfE indicator or nothing is imported. Called inside the cached readers."""
    from metrics import benchmarks

    indicator = benchmarks.OUR_TO_DFE.get(metric_id)
    if indicator is None:
        return None
    key = (db.db_path(), db.data_version())
    # one copy out of the cache per view, not one per measure (read-only)
    every = db.view_once(("published_all", *key), lambda: _published_all(*key))
    if every is None:
        return None
    frame = every[every["indicator"] == indicator].dropna(subset=["england_value"])
    if frame.empty:
        return None
    return frame.reset_index(drop=True), 100 if benchmarks.INDICATOR_UNITS.get(indicator) == "percent" else 1


@st.cache_data(**CACHE)
def _published_all(path: str, version: str) -> pd.DataFrame | None:
    """Every imported DfE indicator's years (one query for all measures); None if unreadable."""
    import duckdb

    from metrics import benchmarks

    try:
        with db.open_cursor() as cur:
            return benchmarks.comparison(cur, include_ours=False)
    except (benchmarks.BenchmarkError, duckdb.Error):
        return None


@st.cache_data(**CACHE)
def _published(path: str, version: str, metric_id: str) -> dict | None:
    found = published_years(metric_id)
    if found is None:
        return None
    frame, scale = found
    row = frame.sort_values("year").iloc[-1]
    sn = row.get("sn_median")
    return {"year": int(row["year"]), "england": float(row["england_value"]) / scale,
            "sn_median": None if sn is None or pd.isna(sn) else float(sn) / scale}


def add_benchmarks(rows: pd.DataFrame) -> pd.DataFrame:
    """England and the statistical-neighbour median beside each measure (latest DfE year, 30
    September), with the gap to the neighbours (else England) in words; None where not published."""
    from metrics.narrative import compare_words

    pubs = [published(mid) for mid in rows["metric_id"]]
    rows["bench_year"] = [p["year"] if p else None for p in pubs]
    rows["england"] = [p["england"] if p else None for p in pubs]
    rows["sn_median"] = [p["sn_median"] if p else None for p in pubs]
    gaps = []
    for r, p in zip(rows.to_dict("records"), pubs):
        if not p or isinstance(r["value"], str):
            gaps.append(None)
            continue
        other, name = ((p["sn_median"], "the statistical-neighbour median") if p["sn_median"] is not None
                       else (p["england"], "England"))
        gaps.append(compare_words(value=r["value"], other=other, unit=r["unit"], direction=r["direction"],
                                  name=f"{name} (Sept {p['year']})"))
    rows["gap"] = gaps
    return rows


def target_info(metric_id: str) -> dict:
    """Target value, date and where it comes from (targets config), for drawing on charts. The
    targets file is read once per page view (a page asks for a dozen targets; each read parsed it)."""
    from metrics.targets import load_targets

    tg = db.view_once("targets", load_targets).get(metric_id)
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




UNIT_WORDS = {u.id: u.words for u in UNITS.values() if u.id != "percent"}


def _shown(value: object, unit: str) -> object:
    """Rates as percentages (numbers stay numbers for the downloads), to one decimal half away
    from zero as the cards print them (5 of 16: 31.3%, where Python's round gives 31.2); 'c' and
    blanks kept."""
    if isinstance(value, str) or value is None or pd.isna(value):
        return value
    return round_half_up(value * 100 if unit == "rate" else value, 1)


def status_words(status: str, *, value: object, target: object, partial: bool, months: object) -> str:
    """The status in words for a table row: never a verdict on a part-year figure or on no figure."""
    if partial and months is not None and not pd.isna(months):
        return f"Not enough months loaded (covers {int(months)} of 12)"
    if (value is None or isinstance(value, str)) and target is not None:
        return "No figure"
    return STATUS_WORDS.get(status, status)


def measures_table(rows: pd.DataFrame) -> Disclosed:
    """A readable, downloadable table of measures at one month (from `at_period`/`headline`):
    value as a number with its unit beside it, the target in words ("at most 11.8%"), the status
    (none on a part-year figure), the change on a year ago and the people the figure rests on."""
    from metrics.narrative import SMALL_BASE, target_words
    from metrics.units import format_change

    windows = [metric(mid).window_months for mid in rows["metric_id"]]
    base = [_clean(b) for b in rows["base_count"]] if "base_count" in rows else [None] * len(rows)
    out = pd.DataFrame({
        "Measure": rows["label"],
        "Value": [("No data yet" if v is None else _shown(v, u)) for v, u in zip(rows["value"], rows["unit"])],
        "Unit": [UNIT_WORDS.get(u, "") for u in rows["unit"]],
        "Target": [target_words(t, u, d) for t, u, d in zip(rows["target"], rows["unit"], rows["direction"])],
        "Status": [status_words(s, value=v, target=t, partial=bool(p), months=m) for s, v, t, p, m in
                   zip(rows["status"], rows["value"], rows["target"], rows["partial"], rows["months_covered"])],
        "Change on a year ago": [format_change(v, u, signed=True) for v, u in zip(rows["change_on_year"], rows["unit"])],
        "People": ["—" if b is None else b for b in base],
        "Small group": ["Yes" if isinstance(b, float) and b < SMALL_BASE else "—" for b in base],
        "Period covered": [  # after the base size: a partial figure says so in Status already
            "Month end" if not w else (f"{m} of {w} months (partial)" if p else f"{w} months")
            for w, m, p in zip(windows, rows["months_covered"], rows["partial"])
        ],
    })
    if "england" in rows and rows["england"].notna().any():
        out["England"] = ["—" if pd.isna(v) else _shown(float(v), u) for v, u in zip(rows["england"], rows["unit"])]
        out["Statistical-neighbour median"] = ["—" if pd.isna(v) else _shown(float(v), u)
                                               for v, u in zip(rows["sn_median"], rows["unit"])]
        out["Compared with neighbours"] = [g if isinstance(g, str) else "—" for g in rows["gap"]]
    if "travel" in rows:
        out.insert(5, "Over 12 months", [t if v == "No target" else "—"
                                         for t, v in zip(rows["travel"], (verdict(r) for r in rows.to_dict("records")))])
    out["Change on a year ago"] = out["Change on a year ago"].astype(object)
    from disclosure.policy import published_rows

    hidden_cols = ("Value", "Change on a year ago", "Status", "People", "Small group", "Over 12 months",
                   "Compared with neighbours")
    sizes = None
    if "value_rests_on" in rows:  # each hidden cell's true reason: the value and change rest on the
        # measure's people, People on its base (at_period: `rests`), the others on nobody
        figure = list(rows["value_rests_on"])
        sizes = {"Value": figure, "Change on a year ago": figure, "People": list(rows["people_rests_on"])}
    return published_rows(out, hidden=rows["published_hidden"], reasons=rows["published_reason"],
                          columns=tuple(c for c in hidden_cols if c in out.columns), sizes=sizes,
                          exact=not is_suppressed(),  # suppressed roles: the policy wrote "x" already
                          not_available=None if is_suppressed() else rows.get("published_not_available"),
                          na_columns=("Value", "Change on a year ago", "Status"))


#: the early-leaver rate's published years (scrutiny's Turnover page, under the trend)
EARLY_LEAVERS = "early_leaver_rate_12m"


def early_leavers_by_september(filters: Filters) -> Disclosed:
    """Each published year to 30 September of the early-leaver rate (published for that year
    only: disclosure.policy.YEAR_TO_SEPTEMBER) up to the chosen month, newest first: the rate (%),
    the early leavers and all leavers of the 12 months. Only Septembers whose 12 months are all
    loaded (the ones the policy publishes; a first part year is not one), for every role; the
    figures are the history's (`evaluated`: exact for roles that see exact figures, else as
    published), hidden where the history hides them: the decision the chart and cards follow."""
    from disclosure.policy import CENSUS_MONTH, published_rows, rests_on

    frame = evaluated(filters)
    when = pd.Timestamp(filters.period_date) if filters.period else None
    part = frame[(frame["metric_id"] == EARLY_LEAVERS) & (frame["period"] <= when)]
    part = part[(pd.to_datetime(part["period"]).dt.month == CENSUS_MONTH).to_numpy()
                & ~part["published_not_available"].fillna(True).astype(bool).to_numpy()]
    part = part.sort_values("period", ascending=False).reset_index(drop=True)
    out = pd.DataFrame({
        "Year to 30 September": [f"{pd.Timestamp(p):%Y}" for p in part["period"]],
        "Early-leaver rate (%)": [_shown(v, "rate") for v in map(_clean, part["value"])],
        "Early leavers": [_count(v) for v in part["numerator"]],
        "Leavers": [_count(v) for v in part["denominator"]],
    }, columns=["Year to 30 September", "Early-leaver rate (%)", "Early leavers", "Leavers"])
    found = rests(filters) if part["published_hidden"].any() else {}
    exact = [found.get((EARLY_LEAVERS, pd.Timestamp(p)), {}) for p in part["period"]]
    # the rate rests on its people (leavers, early leavers, the rest); each count on itself
    return published_rows(out, hidden=part["published_hidden"], reasons=part["published_reason"],
                          columns=("Early-leaver rate (%)", "Early leavers", "Leavers"), exact=not is_suppressed(),
                          sizes={"Early-leaver rate (%)": [rests_on(EARLY_LEAVERS, **r) if r else () for r in exact],
                                 "Early leavers": [(number(r.get("numerator")),) for r in exact],
                                 "Leavers": [(number(r.get("denominator")),) for r in exact]})


def _count(value: object) -> object:
    v = _clean(value)
    return v if v is None or isinstance(v, str) else int(round(v))


def headline_table(filters: Filters) -> Disclosed:
    """The Overview cards as a table (change for rates in percentage points)."""
    return measures_table(add_benchmarks(at_period(filters, catalogue.HEADLINE_IDS)))


def themes(filters: Filters) -> dict[str, pd.DataFrame]:
    """Each strategy theme's success measures at the month (with a 12-month trend each, and the
    direction of travel over 12 months for judging a measure that has no target)."""
    from metrics.narrative import travel

    rows = at_period(filters)
    thirteen = trend_values(filters, list(rows["metric_id"]), months=13)
    rows["spark"] = [thirteen[mid][-12:] for mid in rows["metric_id"]]
    rows["travel"] = [travel(thirteen[mid], direction=d) for mid, d in zip(rows["metric_id"], rows["direction"])]
    from metrics.types import THEMES

    return {t: rows[rows["theme"] == t].reset_index(drop=True) for t in THEMES}


#: the theme summary's columns, worst first
VERDICTS = ("Off", "Close", "On", "Not enough data", "No target")


def verdict(row) -> str:
    """One measure's place in the theme summary: On / Close / Off, Not enough data, No target."""
    value = row["value"]
    if row.get("partial") or value is None or isinstance(value, str):
        return "Not enough data"
    if row["target"] is None or (isinstance(row["target"], float) and pd.isna(row["target"])):
        return "No target"
    return {"green": "On", "amber": "Close", "red": "Off"}.get(row["status"], "Not enough data")


def theme_summary(by_theme: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per theme: its measures counted On / Close / Off / Not enough data / No target
    (with the direction of travel of those without a target), worst theme first."""
    out = []
    for theme, rows in by_theme.items():
        kinds = [verdict(r) for r in rows.to_dict("records")]
        counts = {v: kinds.count(v) for v in VERDICTS}
        moving = [t for k, t in zip(kinds, rows.get("travel", [])) if k == "No target"]
        travel_words = ", ".join(f"{moving.count(w)} {w.lower()}" for w in
                                 ("Worse", "Better", "Steady", "Rising", "Falling", "Not enough data")
                                 if moving.count(w))
        out.append({"Theme": theme, **counts, "Measures": len(kinds),
                    "Without a target, over 12 months": travel_words or "—"})
    frame = pd.DataFrame(out)
    if frame.empty:
        return frame
    return frame.sort_values(["Off", "Close", "Not enough data", "No target"], ascending=False,
                             kind="stable").reset_index(drop=True)


def agency_target_words() -> dict:
    """The agency-share target in words, from the targets file (metrics.targets): 'agency'
    ('20%'), 'permanent' ('80%'), 'ratio' ('80:20'), 'date' ('30 June 2026'); None when unset."""
    from metrics.units import format_target
    tg = target_info("agency_rate_fte")
    value, when, unit = tg["value"], tg["date"], metric("agency_rate_fte").unit
    return {
        "agency": None if value is None else format_target(value, unit),
        "permanent": None if value is None else format_target(1 - value, unit),
        "ratio": None if value is None else f"{round((1 - value) * 100):g}:{round(value * 100):g}",
        "date": None if when is None else f"{when.day} {when:%B %Y}",
    }


def permanent_target() -> float | None:
    """The 80:20 target read as 'at least 80% permanent' (from the agency-share target)."""
    value = target_info("agency_rate_fte")["value"]
    return None if value is None else 1 - value


def caseload_threshold() -> float:
    """Cases per FTE above which a caseload counts as high (the engine's default, 20)."""
    return float(engine.DEFAULT_CASELOAD_THRESHOLD)
