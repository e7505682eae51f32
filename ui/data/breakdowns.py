"""A measure at the month by service, team or job type (with the overall figure, so small groups
get secondary protection against it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from disclosure import MEASURES, Disclosed, disclose, exempt
from disclosure.cells import FTE_OF_PEOPLE
from disclosure.policy import fte_people, published_rows, rests_on
from metrics import engine
from store import periods
from ui import db
from ui.data.base import BY_LABELS, CACHE, _ctx, _engine_filters, _fkey, metric
from metrics.narrative import SMALL_BASE
from metrics.units import is_hidden
from ui.data.measures import (UNIT_WORDS, _clean, _not_available, _shown, _with_published, evaluated_exact,
                              public_rows, status_words)
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
    """The measure by `by` at the month and the same month a year earlier, with target, status
    and change on the year (one query, exact): what the breakdown and "what changed" both read."""
    p = periods.parse_period(period)
    with db.open_cursor() as cur:
        frame = engine.history(cur, scope=scope, by=by, metric_ids=[metric_id],
                               filters=_engine_filters(service, team), start=periods.year_ago(p), end=p)
    return engine.add_targets(frame)


def _exact(path, version, metric_id, by, period, scope, service, team) -> pd.DataFrame:
    """The overall figure and the groups at the month, exact (never shown as it is)."""
    p = periods.parse_period(period)
    both = _grouped(path, version, metric_id, by, period, scope, service, team)
    groups = both[both["period"] == p]
    every = evaluated_exact(path, version, scope, service, team)  # the overall figure, computed once per view
    overall = every[(every["metric_id"] == metric_id) & (every["period"] == p)]
    out = pd.concat([overall, groups], ignore_index=True)
    out["period"] = pd.to_datetime(out["period"])
    return out


@st.cache_data(**CACHE)
def _breakdown(path, version, role, metric_id, by, period, scope, service, team) -> pd.DataFrame:
    when = pd.Timestamp(period + "-01")
    if team or by == "team":  # team figures: roles with exact figures only; files: the table alone
        exact = _exact(path, version, metric_id, by, period, scope, service, team)
        public = disclose(exact, MEASURES).published
        public["period"] = pd.to_datetime(public["period"])
    else:
        public = public_rows(path, version, scope, service, by, metric_id=metric_id, period=period)
        public = public[(public["metric_id"] == metric_id) & (public["period"] == when)]
        exact = _exact(path, version, metric_id, by, period, scope, service, None)
    if not is_suppressed(role):
        frame = _with_published(exact, public)
    else:
        frame = public.copy()
        frame["published_hidden"] = frame["suppressed"]
        frame["published_reason"] = frame["suppression"]
        frame["published_not_available"] = _not_available(frame)
        frame["published_people_hidden"] = [is_hidden(b) for b in frame["base_count"]]
    frame = frame[frame["group"].notna()]
    # the people each group's figure and People rest on (exact, for the captions' true reasons
    # only: disclosure.policy.published_rows `sizes`; never shown)
    fte = _fte_rows(path, version, metric_id, by, period, scope, service, team if team or by == "team" else None)
    rest = {g: (rests_on(metric_id, **row, people=fte_people(metric_id, fte.get((when, g), {}))), (row["base_count"],))
            for g, row in zip(exact["group"], exact[list(_PARTS)].to_dict("records")) if g is not None}
    frame = frame.assign(value_rests_on=[rest.get(g, ((), ()))[0] for g in frame["group"]],
                         people_rests_on=[rest.get(g, ((), ()))[1] for g in frame["group"]])
    # largest first (hidden "c" groups last), so the chart and table read as a ranking
    order = pd.to_numeric(frame["value"], errors="coerce")
    frame = frame.assign(_v=order.fillna(float("-inf"))).sort_values(["_v", "group"], ascending=[False, True])
    frame = frame.drop(columns="_v").reset_index(drop=True)
    return frame[["group", "value", "base_count", "target", "status", "partial", "months_covered",
                  "published_hidden", "published_reason", "published_not_available", "published_people_hidden",
                  "value_rests_on", "people_rests_on"]]


#: the columns of an engine frame row that `rests_on` reads
_PARTS = ("value", "numerator", "denominator", "base_count")


def _fte_rows(path, version, metric_id, by, period, scope, service, team) -> dict:
    """{(month, group): {measure: its exact row}} of the measure counting the people a rate's FTE
    numerator is of (disclosure.cells.FTE_OF_PEOPLE: turnover's leavers), at the month and a year
    earlier, for `rests_on`'s `people` (disclosure.policy.fte_people); {} for any other measure."""
    if metric_id not in FTE_OF_PEOPLE:
        return {}
    of = FTE_OF_PEOPLE[metric_id][0]
    both = _grouped(path, version, of, by, period, scope, service, team)
    return {(pd.Timestamp(p), g): {of: row} for p, g, row in zip(both["period"], both["group"], both.to_dict("records"))}


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
    cols = ["group", "value", "year_ago_value", "change_on_year", "base_count", "base_then",
            "published_hidden", "published_reason", "now_rests_on", "then_rests_on"]
    p = periods.parse_period(period)
    then_period = periods.year_ago(p).strftime("%Y-%m")
    both = _grouped(path, version, metric_id, by, period, scope, service, team)
    both = both[both["group"].notna()]
    then = both[both["period"] == periods.year_ago(p)]
    if then.empty:  # the same month a year earlier is not loaded: nothing to compare with
        return pd.DataFrame(columns=cols)
    now = both[both["period"] == p]
    fte = _fte_rows(path, version, metric_id, by, period, scope, service, team)
    year_ago = pd.Timestamp(periods.year_ago(p))
    ago = {g: rests_on(metric_id, **row, people=fte_people(metric_id, fte.get((year_ago, g), {})))
           for g, row in zip(then["group"], then[list(_PARTS)].to_dict("records"))}
    frame = now.merge(then[["group", "base_count"]].rename(columns={"base_count": "base_then"}),
                      on="group", how="left")
    frame = frame.dropna(subset=["change_on_year"])
    # the people each figure rests on, now and a year ago (exact, for the captions' true reasons)
    frame["now_rests_on"] = [rests_on(metric_id, **row, people=fte_people(metric_id, fte.get((pd.Timestamp(p), g), {})))
                             for g, row in zip(frame["group"], frame[list(_PARTS)].to_dict("records"))]
    frame["then_rests_on"] = [ago.get(g, ()) for g in frame["group"]]
    # each group's published fate now and a year ago (the breakdown's, so both read the same)
    fate_now = _breakdown(path, version, role, metric_id, by, period, scope, service, team)
    now_fates = zip(fate_now["group"], fate_now["published_hidden"], fate_now["published_reason"])
    if team or by == "team":  # decided for this view alone: the year-ago month's breakdown decides it
        fate_then = _breakdown(path, version, role, metric_id, by, then_period, scope, service, team)
        then_fates = zip(fate_then["group"], fate_then["published_hidden"], fate_then["published_reason"])
    else:
        then_fates = _published_fate(path, version, role, metric_id, by, then_period, scope, service,
                                     then["group"])
    hidden: dict[object, str] = {}
    for fates in (now_fates, then_fates):
        for g, h, r in fates:
            if bool(h) and g not in hidden:
                hidden[g] = r if isinstance(r, str) else "secondary"
    frame["published_hidden"] = np.array([g in hidden for g in frame["group"]], dtype=bool)
    frame["published_reason"] = [hidden.get(g) for g in frame["group"]]
    left_out = 0
    if is_suppressed(role):
        left_out = int(frame["published_hidden"].sum())
        frame = frame.loc[~frame["published_hidden"].to_numpy(dtype=bool)]
    weight = frame["change_on_year"].abs() * frame["base_count"].astype(float)
    frame = frame.assign(_w=weight).sort_values("_w", ascending=False).head(top)
    out = frame[cols].reset_index(drop=True)
    out.attrs["left_out"] = left_out  # groups with a year-ago figure left out as hidden (c)
    return out


def _published_fate(path, version, role, metric_id, by, period, scope, service,
                    groups: pd.Series) -> list[tuple[object, bool, object]]:
    """(group, published_hidden, published_reason) of each group at `period` by service or job
    type, as `_breakdown` gives them, from the published rows alone: a role with exact figures
    gets one for each of its exact `groups` (a group the published rows lack is hidden,
    "secondary", as `_with_published` says), any other role one for each published group. What
    `_what_changed` asks of the year-ago month: the breakdown itself would query the engine again
    for that month's exact figures, which `_grouped` has already read (~30 ms a first drill)."""
    when = pd.Timestamp(period + "-01")
    public = public_rows(path, version, scope, service, by, metric_id=metric_id, period=period)
    public = public[(public["metric_id"] == metric_id).to_numpy() & (public["period"] == when).to_numpy()]
    public = public[public["group"].notna()]
    if is_suppressed(role):
        return list(zip(public["group"], public["suppressed"], public["suppression"]))
    fate = {g: (bool(h), r) for g, h, r in zip(public["group"], public["suppressed"], public["suppression"])}
    return [(g, *fate.get(g, (True, "secondary"))) for g in groups]


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
