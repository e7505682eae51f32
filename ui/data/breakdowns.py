"""A measure at the month by service, team or job type (with the overall figure, so small groups
get secondary protection against it), and what changed on a year: worked out by
disclosure.breakdowns from this module's cached reads; the default view (by service, the
directorate, the latest month) as the last load kept it whole (disclosure.breakdowns.keep_frames)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from disclosure import MEASURES, Disclosed, disclose, exempt
from disclosure import breakdowns as drill
from disclosure.policy import published_rows
from store import periods
from ui import db, options
from ui.data.base import BY_LABELS, CACHE, _ctx, _fkey, metric
from metrics.narrative import SMALL_BASE
from ui.data.measures import UNIT_WORDS, _clean, _shown, evaluated_exact, public_rows, status_words
from ui.filters import Filters
from ui.state import current_role, is_suppressed


def breakdown(metric_id: str, filters: Filters, *, by: str) -> pd.DataFrame:
    """A measure at the month by service, team or role group: group, value, base_count, status.

    Team breakdowns are refused (PermissionError) for roles without team access; for scrutiny
    small groups show 'c' (with secondary suppression against the overall figure).
    """
    ctx = _ctx(filters=filters, by=by)
    return _breakdown(ctx.path, ctx.version, ctx.role, metric_id, by, *_fkey(filters))


@st.cache_data(**CACHE)
def _grouped(path, version, metric_id, by, period, scope, service, team) -> pd.DataFrame:
    """The measure by `by` at the month and a year earlier, exact (disclosure.breakdowns.grouped)."""
    with db.open_cursor() as cur:
        return drill.grouped(cur, metric_id, by, period, scope, service, team)


def _exact(path, version, metric_id, by, period, scope, service, team) -> pd.DataFrame:
    """The overall figure and the groups at the month, exact (never shown as it is)."""
    every = evaluated_exact(path, version, scope, service, team)  # the overall figure, computed once per view
    return drill.exact_rows(_grouped(path, version, metric_id, by, period, scope, service, team), every,
                            metric_id, period)


@db.shared_frame
def _kept_drill(path, version, period) -> drill.KeptDrill | None:
    """The drill's default views the last load kept whole at `period` (disclosure.breakdowns.kept:
    one query, each rebuilt only when asked for)."""
    with db.open_cursor() as cur:
        return drill.kept(cur, period)


def _kept_view(path, version, role, metric_id, by, period, scope, service, team) -> tuple | None:
    """(breakdown, what changed) of the default view (by service, the directorate) as the last
    load kept it for this role (disclosure.breakdowns.picked), or None (any other view; not kept)."""
    if by != "service" or service is not None or team is not None:
        return None
    if period not in options.loaded_periods(path, version)[-1:]:  # kept for the latest month only
        return None
    return drill.picked(_kept_drill(path, version, period), metric_id, scope, suppressed=is_suppressed(role))


@st.cache_data(**CACHE)
def _breakdown(path, version, role, metric_id, by, period, scope, service, team) -> pd.DataFrame:
    got = _kept_view(path, version, role, metric_id, by, period, scope, service, team)
    if got is not None:
        return got[0]
    when = pd.Timestamp(period + "-01")
    if team or by == "team":  # team figures: roles with exact figures only; files: the table alone
        exact = _exact(path, version, metric_id, by, period, scope, service, team)
        public = disclose(exact, MEASURES).published
        public["period"] = pd.to_datetime(public["period"])
    else:
        public = public_rows(path, version, scope, service, by, metric_id=metric_id, period=period)
        public = public[(public["metric_id"] == metric_id) & (public["period"] == when)]
        exact = _exact(path, version, metric_id, by, period, scope, service, None)
    fte = _fte_rows(path, version, metric_id, by, period, scope, service, team if team or by == "team" else None)
    return drill.breakdown(exact, public, suppressed=is_suppressed(role), metric_id=metric_id, period=period, fte=fte)


def _fte_rows(path, version, metric_id, by, period, scope, service, team) -> dict:
    """{(month, group): {measure: its exact row}} of the measure counting the people a rate's FTE
    numerator is of (disclosure.breakdowns.fte_rows; {} for any other measure)."""
    of = drill.fte_of(metric_id)
    return drill.fte_rows(metric_id, None if of is None else _grouped(path, version, of, by, period, scope, service,
                                                                      team))


def breakdown_table(frame: pd.DataFrame, *, metric_id: str, by: str) -> Disclosed:
    """`breakdown` as a readable table (rates as percentages; 'c' kept): the role's figures on
    screen, the published ones in files."""
    m = metric(metric_id)
    label = BY_LABELS[by]
    value_col = f"{m.label} ({UNIT_WORDS.get(m.unit, '')})"
    table = pd.DataFrame({
        label: frame["group"],
        value_col: [_shown(_clean(v), m.unit) for v in frame["value"]],
        "People": [_clean(v) for v in frame["base_count"]],
        "Small group": ["Yes" if isinstance(b, float) and b < SMALL_BASE else "—"
                        for b in (_clean(v) for v in frame["base_count"])],
        "Status": [status_words(s, value=_clean(v), target=_clean(t), partial=bool(p), months=mc)
                   for s, v, t, p, mc in zip(frame["status"], frame["value"], frame["target"],
                                             frame["partial"].fillna(False), frame["months_covered"])],
    })
    if not m.counts_people:
        return disclose(table, exempt(f"{m.label} does not count people (for example vacancies are posts)."),
                        role=current_role())
    return published_rows(table, hidden=frame["published_hidden"], reasons=frame["published_reason"],
                          columns=(value_col, "People", "Small group", "Status"),
                          sizes={value_col: list(frame["value_rests_on"]), "People": list(frame["people_rests_on"])},
                          # a hidden row's People (and the "Small group" read from it) published anyway
                          cells={c: list(frame["published_people_hidden"]) for c in ("People", "Small group")}
                          if "published_people_hidden" in frame else None,
                          exact=not is_suppressed(),  # suppressed roles: the policy wrote "x" already
                          not_available=None if is_suppressed() else frame.get("published_not_available"),
                          na_columns=(value_col, "Status"))


def what_changed(metric_id: str, filters: Filters, *, by: str, top: int = 5) -> pd.DataFrame:
    """The groups that moved the figure most since a year ago: value now and then, the change and
    the people each rests on, biggest people-weighted movement first, with `published_hidden` /
    `published_reason` (hidden now or a year ago, by the same policy as `breakdown`). For a role
    without exact figures a group hidden now or a year ago is left out (its change would give its
    figure away); how many were left out is in `.attrs["left_out"]`."""
    ctx = _ctx(filters=filters, by=by)
    return _what_changed(ctx.path, ctx.version, ctx.role, metric_id, by, top, *_fkey(filters))


@st.cache_data(**CACHE)
def _what_changed(path, version, role, metric_id, by, top, period, scope, service, team) -> pd.DataFrame:
    got = _kept_view(path, version, role, metric_id, by, period, scope, service, team) if top == drill.TOP else None
    if got is not None:
        return got[1]
    then_period = periods.year_ago(periods.parse_period(period)).strftime("%Y-%m")

    def fates_then(groups):
        if team or by == "team":  # decided for this view alone: the year-ago month's breakdown decides it
            f = _breakdown(path, version, role, metric_id, by, then_period, scope, service, team)
            return zip(f["group"], f["published_hidden"], f["published_reason"])
        # the published rows alone: the breakdown would query the engine again for that month's
        # exact figures, which `_grouped` has already read (~30 ms a first drill)
        public = public_rows(path, version, scope, service, by, metric_id=metric_id, period=then_period)
        when = pd.Timestamp(then_period + "-01")
        public = public[(public["metric_id"] == metric_id).to_numpy() & (public["period"] == when).to_numpy()]
        return drill.published_fate(public, groups, suppressed=is_suppressed(role))

    return drill.what_changed(
        _grouped(path, version, metric_id, by, period, scope, service, team), metric_id=metric_id, period=period,
        fte=_fte_rows(path, version, metric_id, by, period, scope, service, team), suppressed=is_suppressed(role),
        top=top, fate_now=lambda: _breakdown(path, version, role, metric_id, by, period, scope, service, team),
        fates_then=fates_then)


def what_changed_table(frame: pd.DataFrame, *, metric_id: str, by: str) -> Disclosed:
    """`what_changed` in words and numbers a reader can scan: the role's figures on screen, the
    published ones (a group hidden now or a year ago reads "c") in files."""
    from metrics.narrative import format_change as change_words

    m = metric(metric_id)
    now_col = f"Now ({UNIT_WORDS.get(m.unit, '')})"
    table = pd.DataFrame({
        BY_LABELS[by]: frame["group"],
        now_col: [_shown(_clean(v), m.unit) for v in frame["value"]],
        "A year ago": [_shown(_clean(v), m.unit) for v in frame["year_ago_value"]],
        "Change": [change_words(m, _clean(c)) + ("" if m.direction is None or not _clean(c) else
                   (" (better)" if (_clean(c) < 0) == (m.direction == "lower") else " (worse)"))
                   for c in frame["change_on_year"]],
        "People now": [_clean(v) for v in frame["base_count"]],
        "People a year ago": [_clean(v) for v in frame["base_then"]],
    })
    if not m.counts_people:
        return disclose(table, exempt(f"{m.label} does not count people (for example vacancies are posts)."),
                        role=current_role())
    now, then = list(frame["now_rests_on"]), list(frame["then_rests_on"])
    return published_rows(table, hidden=frame["published_hidden"], reasons=frame["published_reason"],
                          columns=(now_col, "A year ago", "Change", "People now", "People a year ago"),
                          exact=not is_suppressed(),
                          sizes={now_col: now, "A year ago": then, "Change": [(*a, *b) for a, b in zip(now, then)],
                                 "People now": [(b,) for b in frame["base_count"]],
                                 "People a year ago": [(b,) for b in frame["base_then"]]})
