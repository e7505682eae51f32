"""A measure at the month by service, team or job type (with the overall figure, so small groups
get secondary protection against it)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import engine
from metrics.suppression import suppress_metric_frame
from store import periods
from ui import db
from ui.data.base import BY_LABELS, CACHE, _ctx, _engine_filters, _fkey, metric
from metrics.narrative import SMALL_BASE
from ui.data.measures import UNIT_WORDS, _clean, _shown, evaluated_exact, status_words
from ui.filters import Filters
from ui.state import is_suppressed


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


@st.cache_data(**CACHE)
def _breakdown(path, version, role, metric_id, by, period, scope, service, team) -> pd.DataFrame:
    p = periods.parse_period(period)
    both = _grouped(path, version, metric_id, by, period, scope, service, team)
    groups = both[both["period"] == p]
    every = evaluated_exact(path, version, scope, service, team)  # the overall figure, computed once per view
    overall = every[(every["metric_id"] == metric_id) & (every["period"] == p)]
    frame = pd.concat([overall, groups], ignore_index=True)
    if is_suppressed(role):
        frame = suppress_metric_frame(frame)
        frame.loc[frame["suppressed"], "status"] = "grey"
    frame = frame[frame["group"].notna()]
    # largest first (hidden "c" groups last), so the chart and table read as a ranking
    order = pd.to_numeric(frame["value"], errors="coerce")
    frame = frame.assign(_v=order.fillna(float("-inf"))).sort_values(["_v", "group"], ascending=[False, True])
    frame = frame.drop(columns="_v").reset_index(drop=True)
    return frame[["group", "value", "base_count", "target", "status", "partial", "months_covered"]]


def breakdown_table(frame: pd.DataFrame, *, metric_id: str, by: str) -> pd.DataFrame:
    """`breakdown` as a readable table (rates as percentages; 'c' kept)."""
    m = metric(metric_id)
    label = BY_LABELS[by]
    value_col = f"{m.label} ({UNIT_WORDS.get(m.unit, '')})"
    return pd.DataFrame({
        label: frame["group"],
        value_col: [_shown(_clean(v), m.unit) for v in frame["value"]],
        "People": [_clean(v) for v in frame["base_count"]],
        "Small group": ["Yes" if isinstance(b, float) and b < SMALL_BASE else "—"
                        for b in (_clean(v) for v in frame["base_count"])],
        "Status": [status_words(s, value=_clean(v), target=_clean(t), partial=bool(p), months=mc)
                   for s, v, t, p, mc in zip(frame["status"], frame["value"], frame["target"],
                                             frame["partial"].fillna(False), frame["months_covered"])],
    })


def what_changed(metric_id: str, filters: Filters, *, by: str, top: int = 5) -> pd.DataFrame:
    """The groups that moved the figure most since a year ago: value now and then, the change and
    the people each rests on, biggest people-weighted movement first. For scrutiny a group resting
    on fewer than 5 people now or a year ago is left out (its change would give its figure away)."""
    ctx = _ctx(filters=filters, by=by)
    return _what_changed(ctx.path, ctx.version, ctx.role, metric_id, by, top, *_fkey(filters))


@st.cache_data(**CACHE)
def _what_changed(path, version, role, metric_id, by, top, period, scope, service, team) -> pd.DataFrame:
    from metrics.suppression import MIN_COUNT

    cols = ["group", "value", "year_ago_value", "change_on_year", "base_count", "base_then"]
    p = periods.parse_period(period)
    both = _grouped(path, version, metric_id, by, period, scope, service, team)
    both = both[both["group"].notna()]
    then = both[both["period"] == periods.year_ago(p)]
    if then.empty:  # the same month a year earlier is not loaded: nothing to compare with
        return pd.DataFrame(columns=cols)
    now = both[both["period"] == p]
    frame = now.merge(then[["group", "base_count"]].rename(columns={"base_count": "base_then"}),
                      on="group", how="left")
    frame = frame.dropna(subset=["change_on_year"])
    if is_suppressed(role):
        frame = frame[(frame["base_count"] >= MIN_COUNT) & (frame["base_then"].fillna(0) >= MIN_COUNT)]
    weight = frame["change_on_year"].abs() * frame["base_count"].astype(float)
    frame = frame.assign(_w=weight).sort_values("_w", ascending=False).head(top)
    return frame[cols].reset_index(drop=True)


def what_changed_table(frame: pd.DataFrame, *, metric_id: str, by: str) -> pd.DataFrame:
    """`what_changed` in words and numbers a reader can scan."""
    from metrics.narrative import format_change as change_words

    m = metric(metric_id)
    return pd.DataFrame({
        BY_LABELS[by]: frame["group"],
        f"Now ({UNIT_WORDS.get(m.unit, '')})": [_shown(_clean(v), m.unit) for v in frame["value"]],
        "A year ago": [_shown(_clean(v), m.unit) for v in frame["year_ago_value"]],
        "Change": [change_words(m, _clean(c)) + ("" if m.direction is None or not _clean(c) else
                   (" (better)" if (_clean(c) < 0) == (m.direction == "lower") else " (worse)"))
                   for c in frame["change_on_year"]],
        "People now": [_clean(v) for v in frame["base_count"]],
        "People a year ago": [_clean(v) for v in frame["base_then"]],
    })
