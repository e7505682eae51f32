"""The agency rules page and the cost beside the 80:20 ratio: compliance, breaches, spend, what-if.

Why here: every figure is read through metrics.agency (SQL) with the rules of
data/agency_rules.toml, cached on (store, data version, role, rules file version), role-checked
on the server, and for scrutiny members passed through the small-number policy: they see
aggregates only, never the breach list (which names assignments by reference).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from agency.rules import AgencyRules, load_rules, rules_path
from disclosure import (
    NOT_APPLICABLE,
    SUPPRESSED,
    Disclosed,
    disclose,
    fewest_given_away,
    is_hidden,
    people,
    prepared,
    published_rows,
    resting_on,
    sees_exact,
)
from disclosure import compliance
from disclosure import rules as disclosure_rules
from disclosure.rules import RulesError
from disclosure.compliance import BY_GROUP, COUNT_COLUMNS, NO_SERVICE, WITHIN  # noqa: F401  (the page's table)
from metrics.agency import COST_COLUMNS, SUMMARY_COLUMNS
from metrics.units import format_number
from store import periods
from ui import db
from ui.auth import audited
from ui.data.base import CACHE, _ctx
from ui.filters import Filters
from ui.state import is_suppressed

AGENCY_BY_LABELS = {"job_type": "Job type", "service": "Service", "team": "Team"}


def _rules_version() -> str:
    path = rules_path()
    try:
        return f"{path}:{path.stat().st_mtime_ns}:{path.stat().st_size}"
    except OSError:
        return "missing"


def rules() -> AgencyRules:
    """The rules in force (AgencyRulesError, with the line to fix, when the file is wrong)."""
    _ctx()
    return _rules_cached(_rules_version())


@st.cache_data(**CACHE)
def _rules_cached(version: str) -> AgencyRules:
    return load_rules(rules_path())


def _filters(filters: Filters) -> dict[str, list[str]] | None:
    out = {}
    if filters.service:
        out["service"] = [filters.service]
    if filters.team:
        out["team"] = [filters.team]
    return out or None


def _key(filters: Filters) -> tuple:
    return (filters.period, filters.service, filters.team)


@st.cache_data(**CACHE)
def _checked(path: str, version: str, rules_version: str, service, team, *, period: str | None = None,
             months: int = 1, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The view's checked assignments (metrics.agency.checked), read narrowly: of every month, or
    of `period` ('YYYY-MM') and the `months` - 1 before it; only `columns` (every one when None).
    Each row is checked on its own, so a month's rows are the same whatever else is read (at 100x
    the demo every month's 38 columns took ~1.4 s to read, and as long again to cache)."""
    from metrics import agency as figures

    start = end = None
    if period is not None:
        end = periods.parse_period(period)
        start = periods.add_months(end, 1 - months)
    with db.open_cursor() as cur:
        return figures.checked(cur, rules=_rules_cached(rules_version), start=start, end=end,
                               filters=_filters(Filters(period=None, service=service, team=team)),
                               columns=columns)


def _whole(path: str, version: str, rules_version: str, service, team) -> pd.DataFrame:
    """Every month's checked assignments of the view, the columns of the compliance figures
    (`SUMMARY_COLUMNS`, which hold the cost figures' too): one read serves the summaries, spend,
    cost and what-if, copied out of st.cache_data once per page view. Read-only."""
    return db.view_once(("agency-checked", path, version, rules_version, service, team),
                        lambda: _checked(path, version, rules_version, service, team, columns=SUMMARY_COLUMNS))


def _window(frame: pd.DataFrame, period: str | None, months: int, columns) -> pd.DataFrame:
    """The rows of `frame` at `period` ('YYYY-MM') and the `months` - 1 before it (none without a
    period), only `columns`, as a read of those months alone gives them."""
    cols = [c for c in frame.columns if c in set(columns)]
    if period is None:
        return frame[cols].iloc[0:0]
    end = periods.parse_period(period)
    start = periods.add_months(end, 1 - months)
    when = frame["period"]
    return frame.loc[(when >= start) & (when <= end), cols].reset_index(drop=True)


def _recent(path: str, version: str, rules_version: str, service, team, period: str, months: int,
            columns: tuple[str, ...]) -> pd.DataFrame:
    """The view's checked assignments of `period` and the `months` - 1 before it, only `columns`
    (`_checked`), copied out of st.cache_data once per page view. Read-only."""
    return db.view_once(("agency-recent", path, version, rules_version, service, team, period, months, columns),
                        lambda: _checked(path, version, rules_version, service, team, period=period,
                                         months=months, columns=columns))


def _read(filters: Filters, *, month: bool = False, months: int = 1,
          columns: tuple[str, ...] = SUMMARY_COLUMNS) -> pd.DataFrame:
    """The filters' view's checked assignments (`columns`, among `SUMMARY_COLUMNS`): every month
    (from `_whole`), or (`month`) the chosen month and the `months` - 1 before it, read alone (no
    rows without a chosen month). The cost figures' columns of a window of up to 12 months come
    from one read of the 12 months (`COST_COLUMNS`): the cost table, the what-if and its limit
    share it."""
    ctx = _ctx(filters=filters)
    if not month or filters.period is None:
        whole = _whole(ctx.path, ctx.version, _rules_version(), filters.service, filters.team)
        return whole[[c for c in whole.columns if c in set(columns)]] if not month \
            else _window(whole, filters.period, months, columns)
    if set(columns) <= set(COST_COLUMNS) and months <= 12:
        frame = _recent(ctx.path, ctx.version, _rules_version(), filters.service, filters.team, filters.period,
                        12, COST_COLUMNS)
        return frame[[c for c in frame.columns if c in set(columns)]] if months == 12 \
            else _window(frame, filters.period, months, columns)
    frame = _recent(ctx.path, ctx.version, _rules_version(), filters.service, filters.team, filters.period,
                    months, SUMMARY_COLUMNS)
    return frame[[c for c in frame.columns if c in set(columns)]]


def _any(filters: Filters) -> bool:
    """True when the filters' view has assignments in any month."""
    return not _read(filters, columns=("period",)).empty


def loaded_months() -> list[str]:
    """'YYYY-MM' of the months with an Agency assignments sheet loaded."""
    ctx = _ctx()
    return _months(ctx.path, ctx.version)


@st.cache_data(**CACHE)
def _months(path: str, version: str) -> list[str]:
    from metrics import agency as figures

    with db.open_cursor() as cur:
        if not figures.has_assignments(cur):
            return []
        return [f"{p:%Y-%m}" for p in figures.assignment_periods(cur)]


def _small(value: object) -> bool:
    """A count of 1 to threshold-1 people (data/disclosure.toml)."""
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_)) and disclosure_rules().small(float(value)))


# ------------------------------------------------------------------------------------ summary

SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("Agency assignments", "assignments", "count"),
    ("Within the price cap", "agency_within_cap_share", "rate"),
    ("Average above the cap", "agency_above_cap_per_hour", "money_per_hour"),
    ("Cap breaches without full sign-off", "agency_cap_breaches_unsigned", "count"),
    ("Under 3 years' post-qualifying experience", "agency_under_experience", "count"),
    ("Notice below the minimum", "agency_notice_below_minimum", "count"),
    ("References incomplete", "agency_references_incomplete", "count"),
    ("Cool-off breaches", "agency_cool_off_breaches", "count"),
    ("Assignments running more than 12 months", "agency_long_assignments", "count"),
    ("Project-team workers", "agency_project_team_workers", "count"),
    ("Agency spend in the month", "spend", "money"),
)


def summary(filters: Filters) -> Disclosed:
    """One row per compliance measure at the chosen month: Measure, Value (text), through the
    disclosure policy: the counts are the view's totals in the month's one decision for every
    view (`_every_month`); the cap share and the £ above the cap follow the share's rule (hidden where
    its part, base or rest is small or hidden); spend is hidden where the assignments are few."""
    ctx = _ctx(filters=filters)
    if filters.team:
        return _summary_alone(filters)
    totals = _view_totals(ctx.path, ctx.version, _rules_version(), ctx.role, filters.period, filters.service)
    if totals is None:
        return _summary_alone(filters)  # no assignments in the view this month: nothing to protect
    exact, pub, why = _exact_totals(ctx, filters).iloc[0], totals.published.iloc[0], totals.reasons.iloc[0]
    out, hidden, reasons, sizes = [], [], [], []
    for label, col, unit in SUMMARY_ROWS:
        value = _none(exact[col])
        cell = SUMMARY_CELLS.get(col)
        out.append({"Measure": label, "Value": format_number(value, unit)})
        sizes.append(_rests_on(exact, col))
        if cell is None:  # spend: hidden where the assignments it is spent on are few
            small = _small(exact["assignments"])
            hidden.append(small)
            reasons.append("primary" if small else None)
        else:
            hidden.append(is_hidden(pub[cell]))
            reasons.append(why[cell])
    return published_rows(pd.DataFrame(out), hidden=hidden, reasons=reasons, columns=("Value",),
                          exact=totals.exact, sizes={"Value": sizes})


def _rests_on(exact: pd.Series, col: str) -> tuple[float, ...]:
    """The counts of assignments (agency workers) a summary row's figure rests on, for its
    caption's true reason (disclosure.policy.true_reason): a count itself; the share within the cap
    those with a cap, those within it and the rest above it; the £ above the cap those above it;
    spend the assignments."""
    with_cap, within = float(exact["with_cap"]), float(exact["within_cap"])
    if col == "agency_within_cap_share":
        return (with_cap, within, with_cap - within)
    if col == "agency_above_cap_per_hour":
        return (with_cap - within,)
    value = _none(exact["assignments" if col == "spend" else col])
    return () if value is None else (float(value),)


#: the summary's rows read from the by-group columns (the share is "Within cap (%)"; spend is
#: not a column of the tables)
SUMMARY_CELLS = {"assignments": "Assignments", "agency_within_cap_share": "Within cap (%)",
                 "agency_above_cap_per_hour": "£/h above cap",
                 "agency_cap_breaches_unsigned": "Cap breaches not signed off",
                 "agency_under_experience": "Under 3 years", "agency_notice_below_minimum": "Notice below minimum",
                 "agency_references_incomplete": "References incomplete",
                 "agency_cool_off_breaches": "Cool-off breaches", "agency_long_assignments": "Over 12 months",
                 "agency_project_team_workers": "Project team"}


def _none(value: object) -> object:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _exact_totals(ctx, filters: Filters) -> pd.DataFrame:
    """The view's exact totals at the month (for a role that sees only the published ones, the
    figures shown beside the published decision are still built from these)."""
    return compliance.in_month(_summaries(ctx.path, ctx.version, _rules_version())[(filters.service, None)],
                               filters.period_date)


def _summary_alone(filters: Filters) -> Disclosed:
    """The summary protected alone (a team's, for the roles that see teams; or a view with no
    assignments in the month)."""
    from metrics.agency import summarise

    ctx = _ctx(filters=filters)
    month = _read(filters, month=True, columns=SUMMARY_COLUMNS)
    row = summarise(month).iloc[0] if len(month) else None
    out, bases = [], []
    for label, col, unit in SUMMARY_ROWS:
        value = None if row is None else _none(row[col])
        base = None
        if row is not None:
            base = {"agency_within_cap_share": fewest_given_away(row["with_cap"], row["within_cap"]),
                    "agency_above_cap_per_hour": row["with_cap"] - row["within_cap"],
                    "spend": row["assignments"]}.get(col, value)
        out.append({"Measure": label, "Value": format_number(value, unit)})
        bases.append(None if base is None else float(base))
    return disclose(pd.DataFrame(out), resting_on(bases, columns=("Value",)), role=ctx.role,
                    name="Agency rules compliance")


_as_table = compliance.as_table


def by_group(filters: Filters, *, by: str) -> Disclosed:
    """The compliance measures by job type, service or team (teams for HR and leadership only):
    by job type and by service, the month's one decision for every view (`_every_month`)."""
    ctx = _ctx(filters=filters, by=by)
    label = AGENCY_BY_LABELS[by]
    done = None if filters.team or by == "team" else \
        _totals_decided(ctx.path, ctx.version, _rules_version(), ctx.role, filters.period)
    if done is None or filters.service not in done[0]:
        from metrics.agency import summarise

        month = _read(filters, month=True, columns=SUMMARY_COLUMNS)
        return disclose(_as_table(summarise(month, by=by), label), BY_GROUP, role=ctx.role,
                        name=f"Agency compliance by {label.lower()}")
    if by == "job_type":
        view = _view_once(ctx.path, ctx.version, _rules_version())
        if view is not None and view.period == filters.period:  # the latest month, as its load kept it
            return view.jobs_decided(ctx.role)[filters.service]
        return _jobs_decided(ctx.path, ctx.version, _rules_version(), ctx.role, filters.period)[filters.service]
    views, totals = done
    rows = [i for i, v in enumerate(views) if v is not None] if filters.service is None \
        else [views.index(filters.service)]
    return _rows(totals, rows)


def _summaries(path: str, version: str, rules_version: str) -> dict:
    """disclosure.compliance.summaries of the checked assignments of every month (one read serves
    every view and month): as the last load kept them, else worked out from every month's rows."""
    return _sums_once(path, version, rules_version)[0]


def _sums_once(path: str, version: str, rules_version: str) -> tuple[dict, dict | None]:
    """`_kept_sums`, copied out of st.cache_data once per page view (Agency rules asks four
    times: each copy unpickled every view's frames, ~1.8 ms). Read-only."""
    def read() -> tuple[dict, dict | None]:
        view = _view_once(path, version, rules_version)
        return (view.sums, view.spend) if view is not None else _kept_sums(path, version, rules_version)

    return db.view_once(_sums_key(path, version, rules_version), read)


def _view_once(path: str, version: str, rules_version: str) -> compliance.KeptView | None:
    """`_kept_view`, copied out of st.cache_data once per page view. Read-only."""
    return db.view_once(("agency-kept-view", path, version, rules_version),
                        lambda: _kept_view(path, version, rules_version))


@st.cache_data(**CACHE)
def _kept_view(path: str, version: str, rules_version: str) -> compliance.KeptView | None:
    """What the page's first view reads of the compliance decisions (every view's summaries,
    every month's decided totals, the latest month's tables by job type) as the last load worked
    it out and kept it whole (disclosure.compliance.kept_view: one read, where working it out from
    the kept rows and decisions cost the page's first view ~150 ms); None when it does not answer
    (the page works each part out as before)."""
    with db.open_cursor() as cur:
        return compliance.kept_view(cur, _rules_cached(rules_version))


def _sums_key(path: str, version: str, rules_version: str) -> tuple:
    """The page view's memo key of its copy of every view's kept summaries (`_sums_once`), which
    `_view_spend` looks for too."""
    return ("agency-sums", path, version, rules_version)


@st.cache_data(**CACHE)
def _kept_sums(path: str, version: str, rules_version: str) -> tuple[dict, dict | None]:
    """(`_summaries`, {view: metrics.agency.monthly_spend of its rows} or None) as the last load
    kept them (disclosure.compliance.kept_summaries: a few hundred rows a month); when they do
    not answer, the summaries worked out from every month's checked rows (`_whole`: at 100x the
    demo ~1 s of a first view) and no spend sums."""
    with db.open_cursor() as cur:
        got = compliance.kept_summaries(cur, _rules_cached(rules_version))
    if got is not None:
        return got
    return compliance.summaries(_whole(path, version, rules_version, None, None)), None


def _view_spend(path: str, version: str, rules_version: str, view: str | None) -> pd.DataFrame | None:
    """The view's kept monthly spend sums: from the view's copy of every view's kept summaries
    when the page has read them (Agency rules), else read alone (`_kept_spend`); the same frame."""
    key = _sums_key(path, version, rules_version)
    memo = db.view_memo()
    if key in memo:
        sums = memo[key][1]
        return None if sums is None or view not in sums else sums[view]
    return _kept_spend(path, version, rules_version, view)


@st.cache_data(**CACHE)
def _kept_spend(path: str, version: str, rules_version: str, view: str | None) -> pd.DataFrame | None:
    """The view's monthly spend sums as the last load kept them (`_kept_sums`' second part, the
    view's alone: metrics.agency.kept_spend, under the signature disclosure.compliance.kept_summaries
    checks), or None when they do not answer (spend is then worked out from the view's checked
    rows). Agency & 80:20 shows only the view's spend: decoding every view's summaries cost it ~15 ms."""
    from metrics import agency as figures

    agency_rules = _rules_cached(rules_version)
    try:
        key = compliance.summaries_signature(agency_rules)
    except RulesError:
        return None
    with db.open_cursor() as cur:
        return figures.kept_spend(cur, prints=figures.checked_prints(cur, rules=agency_rules), signature=key,
                                  view=view)


@st.cache_data(**CACHE)
def _kept(path: str, version: str) -> dict | None:
    """The compliance decisions the last load kept in the store (disclosure.compliance.kept)."""
    with db.open_cursor() as cur:
        return compliance.kept(cur)


@st.cache_data(**CACHE)
def _history_shown(path: str, version: str, rules_version: str) -> dict:
    """The compliance totals the published measure history shows (disclosure.compliance.
    history_shown): known to the compliance decision (by the agency rules too: they move the
    history's agency figures)."""
    with db.open_cursor() as cur:
        return compliance.history_shown(cur)


def _totals_decided(path: str, version: str, rules_version: str, role: str, period: str | None):
    """(views, Disclosed totals: one row per view) at `period` (see `_every_month`); None
    without assignments then."""
    keys, decided = _every_once(path, version, rules_version, role)
    return compliance.totals_rows(keys, decided, period)


def _every_once(path: str, version: str, rules_version: str, role: str):
    """`_every_month`, copied out of st.cache_data once per page view (Agency rules asks five
    times: the summary, each table by job type and service, the trend; ~1 ms a copy). Read-only."""
    def read():
        view = _view_once(path, version, rules_version)
        return view.every_month(role) if view is not None else _every_month(path, version, rules_version, role)

    return db.view_once(("agency-every-month", path, version, rules_version, role), read)


@st.cache_data(**CACHE)
def _every_month(path: str, version: str, rules_version: str, role: str):
    """([(month 'YYYY-MM', view)], Disclosed totals: one row per month and view): each month's
    one decision for every view (disclosure.compliance.every_month), as the last load kept it
    when it answers for these figures, else decided now."""
    return compliance.every_month(_summaries(path, version, rules_version), role,
                                  entries=_kept(path, version), shown=_history_shown(path, version, rules_version))


@st.cache_data(**CACHE)
def _jobs_decided(path: str, version: str, rules_version: str, role: str, period: str):
    """{view: Disclosed table by job type} at `period`, around its decided totals
    (disclosure.compliance.jobs_decided)."""
    return compliance.jobs_decided(_summaries(path, version, rules_version), role, period,
                                   _totals_decided(path, version, rules_version, role, period)[1],
                                   entries=_kept(path, version), shown=_history_shown(path, version, rules_version))


def _view_totals(path: str, version: str, rules_version: str, role: str, period: str | None,
                 view: str | None) -> Disclosed | None:
    """The view's row of the month's decided totals (None: no assignments in the view then)."""
    done = _totals_decided(path, version, rules_version, role, period)
    if done is None or view not in done[0]:
        return None
    return _rows(done[1], [done[0].index(view)])


_rows = compliance.rows


def breaches(filters: Filters) -> pd.DataFrame:
    """Every breach at the chosen month with what to do (HR and leadership only: row level)."""
    from agency.checks import breach_list

    ctx = _ctx("exact_figures", filters=filters)
    if not filters.period:
        return breach_list(_read(filters, month=True), rules=rules())
    month = _checked(ctx.path, ctx.version, _rules_version(), filters.service, filters.team,
                     period=filters.period)  # the month alone, every column
    return breach_list(month, rules=rules())


TREND_COUNTS = ["Assignments", "With a cap", "Within cap", "Cap breaches not signed off", "Cool-off breaches",
                "Under 3 years", "Notice below minimum", "References incomplete"]
#: the by-month table protected alone (a team's)
TREND = people(counts=TREND_COUNTS, additive=False, rates={"Within cap (%)": "With a cap"},
               numerators={"Within cap (%)": "Within cap"}, follow={"within_cap": "Within cap (%)"})


def trend(filters: Filters) -> Disclosed:
    """Per month: share within cap and the count of each breach kind, through the disclosure
    policy: each month's row is the view's totals as that month's one decision publishes them
    (`_every_month`: the same cells as its summary and the directorate's table by service), and
    `within_cap`, the share as a fraction for the chart, is hidden with the share. A team's
    (roles that see teams) is protected alone."""
    from metrics.agency import summarise

    ctx = _ctx(filters=filters)
    sums = None if filters.team else _summaries(ctx.path, ctx.version, _rules_version())
    if sums is None or (filters.service, None) not in sums:
        return disclose(_trend_frame(summarise(_read(filters, columns=SUMMARY_COLUMNS))), TREND, role=ctx.role,
                        name="Agency rules by month")
    frame = sums[(filters.service, None)]
    out = _trend_frame(frame)
    keys, decided = _every_once(ctx.path, ctx.version, _rules_version(), ctx.role)
    at = {p: i for i, (p, v) in enumerate(keys) if v == filters.service}
    rows = [at[f"{when:%Y-%m}"] for when in frame["period"]]
    cells = [*TREND_COUNTS, "Within cap (%)"]
    pub = out.copy()
    why = pd.DataFrame({c: pd.Series([None] * len(out), dtype=object) for c in out.columns})
    for c in cells:  # each month's row: the view's totals in that month's decision
        pub[c] = decided.published[c].iloc[rows].to_numpy(dtype=object)
        why[c] = decided.reasons[c].iloc[rows].to_numpy(dtype=object)
    share_hidden = np.array([is_hidden(v) for v in pub["Within cap (%)"]], dtype=bool)
    pub["within_cap"] = pub["within_cap"].astype(object).where(~share_hidden, SUPPRESSED)
    why["within_cap"] = why["Within cap (%)"].where(share_hidden, None)
    exact = sees_exact(ctx.role)
    return Disclosed(shown=out if exact else pub, published=pub, reasons=why, table=TREND, exact=exact)


def _trend_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "period": pd.to_datetime(frame["period"]),
        "Month": pd.to_datetime(frame["period"]).dt.strftime("%b %Y"),
        "Assignments": frame["assignments"],
        "With a cap": frame["with_cap"],
        "Within cap": frame["within_cap"],
        "Within cap (%)": (frame["agency_within_cap_share"].astype(float) * 100).round(1),
        "Cap breaches not signed off": frame["agency_cap_breaches_unsigned"],
        "Cool-off breaches": frame["agency_cool_off_breaches"],
        "Under 3 years": frame["agency_under_experience"],
        "Notice below minimum": frame["agency_notice_below_minimum"],
        "References incomplete": frame["agency_references_incomplete"],
    })
    # the share as a fraction for the chart; "z" (not applicable) in a month with no cap to be
    # within, so the chart says so instead of "not enough months loaded"
    out["within_cap"] = frame["agency_within_cap_share"].astype(float).astype(object).where(
        frame["with_cap"] > 0, NOT_APPLICABLE)
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------ cost


def spend(filters: Filters) -> pd.DataFrame:
    """Agency spend per month and over the rolling 12 months (£)."""
    from metrics.agency import rolling_spend, spend_by_month

    ctx = _ctx(filters=filters)
    kept = None if filters.team else _view_spend(ctx.path, ctx.version, _rules_version(), filters.service)
    if kept is not None:  # the view's monthly sums, as the load kept them
        frame = rolling_spend(kept)
    else:
        frame = spend_by_month(_read(filters, columns=COST_COLUMNS))
    return pd.DataFrame({
        "period": pd.to_datetime(frame["period"]),
        "Month": pd.to_datetime(frame["period"]).dt.strftime("%b %Y"),
        "Spend in month (£)": frame["spend"].astype(float).round(0),
        "Rolling 12 months (£)": frame["spend_12m"].astype(float).round(0),
        "Months in the 12 loaded": frame["months_covered"],
        "partial": frame["months_covered"] < 12,
    })


def cost(filters: Filters) -> pd.DataFrame:
    """Agency cost per FTE beside employed cost per FTE and the premium, by job type.

    Scrutiny members see the 'All job types' row only when any job type has fewer agency workers
    than the disclosure threshold (a job type's cost could otherwise give away one person's charge rate).
    """
    ctx = _ctx(filters=filters)
    return _cost(filters, published=is_suppressed(ctx.role))


def cost_table(filters: Filters) -> Disclosed:
    """`cost` as a table: exact on screen for the roles that see exact figures, and in every file
    the published version (the rule above), whoever downloads it: a job type's cost per FTE over
    1 to 4 workers gives away a charge rate."""
    ctx = _ctx(filters=filters)
    published = _cost(filters, published=True)
    shown = published if is_suppressed(ctx.role) else _cost(filters, published=False)
    return disclose(shown, prepared(published, by="the agency cost rule: job types are shown only when "
                                    f"each has at least {disclosure_rules().threshold} agency workers"),
                    role=ctx.role, name="Agency and employed cost per FTE")


def _comparison(filters: Filters) -> pd.DataFrame | None:
    """metrics.agency.cost_table at the month (the agency workers of each job type beside the cost
    comparison): as the last load kept it for the month and view (`_cost_once`), else worked out
    from the 12 months' checked rows; once per page view (the exact and the published table both
    read it)."""
    from metrics.agency import cost_table

    ctx = _ctx(filters=filters)

    def read() -> pd.DataFrame | None:
        kept = _kept_at(ctx, filters.period) if filters.team is None else None
        if kept is not None and filters.service in kept.tables:
            return kept.tables[filters.service]
        # the 12 months to the chosen one (cost_comparison's window), when any month has rows
        checked = _read(filters, month=True, months=12, columns=COST_COLUMNS)
        if filters.period_date is None or (checked.empty and not _any(filters)):
            return None
        return cost_table(checked, period=filters.period_date, rules=rules(),
                          pay=_pay(ctx.path, ctx.version, filters.period))

    frame = db.view_once(("agency-cost", ctx.path, ctx.version, _rules_version(), filters.period,
                          filters.service, filters.team), read)
    return None if frame is None else frame.copy()


def _cost_once(path: str, version: str, rules_version: str):
    """`_kept_cost`, copied out of st.cache_data once per page view. Read-only."""
    return db.view_once(("agency-kept-cost", path, version, rules_version),
                        lambda: _kept_cost(path, version, rules_version))


@st.cache_data(**CACHE)
def _kept_cost(path: str, version: str, rules_version: str):
    """The cost panel's figures at the latest month as the last load kept them (metrics.agency.
    kept_cost: one read, where working them out read 12 months of checked rows, the census pay
    items and the 80:20 ratio, ~35 ms of a first view); None when they do not answer."""
    from metrics.agency import kept_cost

    with db.open_cursor() as cur:
        return kept_cost(cur, _rules_cached(rules_version))


def _cost(filters: Filters, *, published: bool) -> pd.DataFrame:
    frame = _comparison(filters)
    if frame is None:
        return pd.DataFrame()
    if published:
        small = frame["workers"].map(lambda n: disclosure_rules().small(float(n)))
        if small.any():
            frame = frame[frame["job_type"] == "All job types"]
        if frame["workers"].map(lambda n: disclosure_rules().small(float(n))).any():
            return pd.DataFrame()
    return pd.DataFrame({
        "Job type": frame["job_type"],
        "Agency FTE now": frame["agency_fte_now"].astype(float).round(1),
        "Agency cost per FTE a year (£)": frame["agency_cost_per_fte"].astype(float).round(0),
        "Employed cost per FTE a year (£)": frame["employed_cost_per_fte"].astype(float).round(0),
        "Employed cost from": frame["employed_cost_source"].fillna("—"),
        "Premium per FTE (£)": frame["premium_per_fte"].astype(float).round(0),
        "Premium (%)": (frame["premium_share"].astype(float) * 100).round(1),
        "Premium a year at today's FTE (£)": frame["premium_per_year"].astype(float).round(0),
        "Months of spend used": frame["months_covered"],
    })


@st.cache_data(**CACHE)
def _pay(path: str, version: str, period: str) -> pd.DataFrame:
    """Employed cost per FTE from the census pay items (metrics.agency.employed_pay)."""
    from metrics.agency import employed_pay

    with db.open_cursor() as cur:
        return employed_pay(cur, period=date.fromisoformat(period + "-01"))


def what_if(filters: Filters, *, converted: int):
    """The what-if for converting `converted` agency social workers (agency.costs.WhatIf); None
    for scrutiny members when it would rest on fewer agency social workers than the disclosure
    threshold."""
    ctx = _ctx(filters=filters)
    from agency.costs import what_if as answer

    kept = _kept_at(ctx, filters.period)
    basis = kept.basis if kept is not None else \
        _what_if_basis(ctx.path, ctx.version, _rules_version(), filters.period)
    result = answer(converted=int(converted), **basis)
    if is_suppressed(ctx.role) and disclosure_rules().small(float(result.available)):
        return None  # an average over 1-4 workers could give away a charge rate
    return result


def _kept_at(ctx, period: str | None):
    """The kept cost panel's figures (`_cost_once`) when they are of `period`, else None."""
    kept = _cost_once(ctx.path, ctx.version, _rules_version())
    return kept if kept is not None and f"{kept.period:%Y-%m}" == period else None


@st.cache_data(**CACHE)
def _what_if_basis(path: str, version: str, rules_version: str, period: str) -> dict:
    """What every what-if at the month rests on (read once: the page asks about two numbers),
    from the checked assignments of the 12 months to it (what the what-if uses; the cost table
    reads the same months)."""
    from metrics import agency as figures

    whole = _recent(path, version, rules_version, None, None, period, 12, COST_COLUMNS)
    pay = _pay(path, version, period)  # employed_pay at the month, as the cost table read it
    with db.open_cursor() as cur:
        return figures.conversion_basis(cur, period=date.fromisoformat(period + "-01"),
                                        rules=_rules_cached(rules_version), checked_frame=whole, pay=pay)


def agency_social_workers(filters: Filters) -> int:
    """How many agency social workers have an assignment at the chosen month (the what-if's max):
    as the last load kept it for the month, else counted from the month's checked rows."""
    from metrics.agency import social_workers

    kept = _kept_at(_ctx(filters=filters), filters.period)
    if kept is not None:
        return kept.social_workers
    month = _read(Filters(period=filters.period), month=True, columns=("period", "employee_id", "job_type"))
    return social_workers(month, period=filters.period_date) if filters.period_date else 0


def quarterly_download(quarter: str) -> tuple[Callable[[], bytes], str]:
    """(build, file name) of the quarterly summary workbook for `quarter` (HR and leadership:
    exact figures): the role is checked now, the workbook built (and the export audited) only
    when the button is clicked (building it cost ~0.1 s on every view of the page)."""
    ctx = _ctx("exact_figures")
    version = _rules_version()
    build = audited(lambda: _quarterly(ctx.path, ctx.version, version, quarter)[0],
                    what=f"agency quarterly summary {quarter}", fmt="xlsx")
    return build, f"agency_summary_{quarter}.xlsx"


@st.cache_data(**CACHE)
def _quarterly(path: str, version: str, rules_version: str, quarter: str) -> tuple[bytes, str]:
    from agency.quarterly import build

    with db.open_cursor() as cur:
        summary = build(cur, quarter=quarter, rules=_rules_cached(rules_version))
    return summary.to_xlsx_bytes(), f"agency_summary_{summary.quarter}.xlsx"


def quarters() -> list[str]:
    """Quarters with any month of assignments loaded, newest first ('2026-Q3')."""
    months = loaded_months()
    out = sorted({f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" for m in months}, reverse=True)
    return out
