"""Did the recommendation move anything? The linked measure then (at the meeting) and now.

Why computed rather than stored: "the value when the recommendation was made" is the figure for
the month of the meeting as the data stand; a later corrected load should correct it too. When
that month is not loaded the page says "not loaded then" instead of borrowing another month.
The snapshot taken when a link is made is kept in rec_links for the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from metrics import engine
from metrics.catalogue import get as get_metric
from metrics.units import NOT_AVAILABLE, SUPPRESSED, format_number, is_hidden, is_not_available
from recommendations.model import TrackerError

NOT_LOADED_THEN = "not loaded then"
NO_DATA = "no data"

# How long after the meeting month an extract still counts as "when it was made":
# the meeting month itself (its month end is after the meeting) or the month after.
MONTHS_AFTER = 1


@dataclass(frozen=True)
class Value:
    period: date
    value: float | None
    base_count: int | None
    months_covered: int | None
    partial: bool | None
    hidden: bool = False      # the disclosure policy hides it from anything published
    unavailable: bool = False  # not published for its month ("x": disclosure.policy.YEAR_TO_SEPTEMBER)


def _to_date(value: Any) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "date") and not isinstance(value, date):
        return value.date()
    if isinstance(value, date) and hasattr(value, "hour"):
        return value.date()
    return value


def period_at_meeting(con: duckdb.DuckDBPyConnection, *, meeting_date: date) -> date | None:
    """The loaded month at/after the meeting (its month, else the next); None if not loaded then."""
    meeting = _to_date(meeting_date)
    first = meeting.replace(day=1)
    wanted = [first]
    y, m = first.year, first.month
    for _ in range(MONTHS_AFTER):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        wanted.append(date(y, m, 1))
    loaded = set(engine.periods(con))
    for p in wanted:
        if p in loaded:
            return p
    return None


def _values(con: duckdb.DuckDBPyConnection, *, metric_ids: list[str], scope: str, period: date) -> dict[str, Value]:
    """Whole-population values of several measures at one period (missing ones have value None),
    each marked `hidden` where the disclosure policy would not publish it."""
    from disclosure import MEASURES, disclose

    frame = engine.compute(con, period=period, scope=scope, metric_ids=list(dict.fromkeys(metric_ids)))
    overall = frame[frame["group"].isna()].reset_index(drop=True)
    hidden, unavailable = set(), set()
    if not overall.empty:
        pub = disclose(overall, MEASURES).published
        hidden = set(pub.loc[pub["suppressed"], "metric_id"])
        unavailable = set(pub.loc[pub["not_available"].astype(bool), "metric_id"])
    out = {}
    for mid in metric_ids:
        rows = frame[(frame["metric_id"] == mid) & frame["group"].isna()]
        if rows.empty:
            out[mid] = Value(period=period, value=None, base_count=None, months_covered=None, partial=None)
            continue
        row = rows.iloc[0]
        out[mid] = Value(
            period=period,
            value=None if pd.isna(row["value"]) else float(row["value"]),
            base_count=None if pd.isna(row["base_count"]) else int(row["base_count"]),
            months_covered=None if pd.isna(row["months_covered"]) else int(row["months_covered"]),
            partial=None if pd.isna(row["partial"]) else bool(row["partial"]),
            hidden=mid in hidden,
            unavailable=mid in unavailable,
        )
    return out


def _value(con: duckdb.DuckDBPyConnection, *, metric_id: str, scope: str, period: date) -> Value:
    return _values(con, metric_ids=[metric_id], scope=scope, period=period)[metric_id]


def value_at_meeting(con: duckdb.DuckDBPyConnection, *, metric_id: str, scope: str,
                     meeting_date: date) -> Value | None:
    """The measure for the month of the meeting, or None when that month is not loaded."""
    period = period_at_meeting(con, meeting_date=meeting_date)
    if period is None:
        return None
    return _value(con, metric_id=metric_id, scope=scope, period=period)


def value_now(con: duckdb.DuckDBPyConnection, *, metric_id: str, scope: str) -> Value | None:
    """The measure at the latest loaded month, or None when nothing is loaded."""
    pers = engine.periods(con)
    if not pers:
        return None
    return _value(con, metric_id=metric_id, scope=scope, period=pers[-1])


def format_value(value: float | None, unit: str) -> str:
    """12.3% / 15.2 / 7 — how a figure reads in a committee paper (short form, no unit words)."""
    return format_number(value, unit, short=True)


def link_values(con: duckdb.DuckDBPyConnection, *, rec_id: int, suppress: bool = True) -> pd.DataFrame:
    """One row per link: measure, value when made (or 'not loaded then'), value now, change.

    With `suppress` a figure the disclosure policy would not publish reads "c".
    """
    return _link_rows(*_linked_values(con, rec_id=rec_id), suppress=suppress)


def link_values_both(con: duckdb.DuckDBPyConnection, *, rec_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(`link_values` with suppress=False, with suppress=True) from one reading of the figures:
    a page showing the exact values offers the published ones as its download."""
    found = _linked_values(con, rec_id=rec_id)
    return _link_rows(*found, suppress=False), _link_rows(*found, suppress=True)


def _linked_values(con: duckdb.DuckDBPyConnection, *, rec_id: int) -> tuple:
    """(links, period then, period now, {(metric_id, scope, period): Value}) of a recommendation."""
    rec = con.execute("SELECT meeting_date FROM rec_recommendations WHERE rec_id = ?", [int(rec_id)]).fetchone()
    if rec is None:
        raise TrackerError(f"There is no recommendation with id {rec_id}.")
    meeting = _to_date(rec[0])
    links = con.execute("SELECT * FROM rec_links WHERE rec_id = ? ORDER BY link_id", [int(rec_id)]).df()
    period_then = period_at_meeting(con, meeting_date=meeting)
    pers = engine.periods(con)
    period_now = pers[-1] if pers else None
    # one engine call per (scope, period) for all the linked measures, not one per link
    values: dict[tuple[str, str, date], Value] = {}
    for scope, grp in links.groupby("scope"):
        for p in {period_then, period_now} - {None}:
            for mid, v in _values(con, metric_ids=list(grp["metric_id"]), scope=scope, period=p).items():
                values[(mid, scope, p)] = v
    return links, period_then, period_now, values


def _link_rows(links: pd.DataFrame, period_then: date | None, period_now: date | None, values: dict, *,
               suppress: bool) -> pd.DataFrame:
    rows = []
    for link in links.itertuples():
        metric = get_metric(link.metric_id)
        then = values.get((link.metric_id, link.scope, period_then)) if period_then else None
        now = values.get((link.metric_id, link.scope, period_now)) if period_now else None
        then_text = NOT_LOADED_THEN if then is None else _shown(then, metric, suppress)
        now_text = NO_DATA if now is None else _shown(now, metric, suppress)
        change = None
        if then is not None and now is not None and then.value is not None and now.value is not None \
                and not _withheld(then_text) and not _withheld(now_text):
            change = now.value - then.value
        rows.append({
            "link_id": int(link.link_id),
            "metric_id": link.metric_id,
            "measure": metric.label,
            "theme": metric.theme,
            "unit": metric.unit,
            "scope": link.scope,
            "breakdown": link.breakdown if isinstance(link.breakdown, str) else None,
            "answers": bool(link.answers),
            "period_then": then.period if then else None,
            "value_then": then.value if then and not _withheld(then_text) else None,
            "then": then_text,
            "period_now": now.period if now else None,
            "value_now": now.value if now and not _withheld(now_text) else None,
            "now": now_text,
            "change": change,
            "moved": _moved(change, metric.direction),
            "note": link.note if isinstance(link.note, str) else None,
        })
    return pd.DataFrame(rows, columns=[
        "link_id", "metric_id", "measure", "theme", "unit", "scope", "breakdown", "answers",
        "period_then", "value_then", "then", "period_now", "value_now", "now", "change", "moved", "note",
    ])


def _shown(v: Value, metric: Any, suppress: bool) -> str:
    if suppress and v.unavailable:  # "x" before "c": "c" would say its few people were few
        return NOT_AVAILABLE
    if suppress and v.hidden:
        return SUPPRESSED
    text = format_value(v.value, metric.unit)
    if v.partial:
        text += f" (partial: {v.months_covered} of 12 months)"
    return text


def _moved(change: float | None, direction: str | None) -> str:
    if change is None:
        return "—"
    if abs(change) < 1e-12:
        return "no change"
    if direction is None:
        return "up" if change > 0 else "down"
    better = (change < 0) if direction == "lower" else (change > 0)
    return ("better" if better else "worse") + (" (up)" if change > 0 else " (down)")


def link_history(con: duckdb.DuckDBPyConnection, *, metric_id: str, scope: str,
                 suppress: bool = True) -> pd.DataFrame:
    """The measure over every loaded month (for the before/after chart): period, value.

    With `suppress`, a month whose figure the disclosure policy would not publish is left blank.
    """
    from disclosure import MEASURES, disclose

    metric = get_metric(metric_id)
    if not engine.periods(con):
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype=float)})
    frame = engine.history(con, scope=scope, metric_ids=[metric_id])
    frame = frame[frame["metric_id"] == metric_id].reset_index(drop=True)
    if suppress and metric.counts_people and not frame.empty:
        frame = disclose(frame, MEASURES).published
    frame = frame[["period", "value", "base_count"]].copy()
    frame["period"] = pd.to_datetime(frame["period"])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    return frame.sort_values("period").reset_index(drop=True)


def answer(con: duckdb.DuckDBPyConnection, *, link_id: int, suppress: bool = True) -> pd.DataFrame:
    """The information a recommendation asked for, from the latest month, small numbers hidden.

    Rec 7 (agency staff who became permanent) and rec 8 (permanent staff living locally, by job
    type) were rejected for want of a reply; the data now answers them. A breakdown link gives
    one row per group plus the total; the result passes the disclosure policy so a small group
    (and any figure that would give it away, "17 of 18" included) reads "c".
    """
    row = con.execute("SELECT metric_id, scope, breakdown FROM rec_links WHERE link_id = ?", [int(link_id)]).fetchone()
    if row is None:
        raise TrackerError(f"There is no link with id {link_id}.")
    metric_id, scope, breakdown = row
    metric = get_metric(metric_id)
    pers = engine.periods(con)
    if not pers:
        raise TrackerError("No months are loaded yet, so the data cannot answer this; load an extract first.")
    period = pers[-1]
    total = engine.compute(con, period=period, scope=scope, metric_ids=[metric_id])
    frames = [total]
    if breakdown:
        frames.append(engine.compute(con, period=period, scope=scope, metric_ids=[metric_id], by=breakdown))
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(not f.empty for f in frames) else total
    frame = frame[frame["metric_id"] == metric_id].reset_index(drop=True)
    if suppress and not frame.empty:
        from disclosure import MEASURES, disclose

        frame = disclose(frame, MEASURES).published
    out = pd.DataFrame({
        "group": ["All" if (g is None or (isinstance(g, float) and pd.isna(g))) else g for g in frame["group"]],
        "period": frame["period"],
        "value": [v if _withheld(v) else format_value(None if pd.isna(v) else float(v), metric.unit) for v in frame["value"]],
        "numerator": [v if _withheld(v) else (None if pd.isna(v) else float(v)) for v in frame["numerator"]],
        "denominator": [v if _withheld(v) else (None if pd.isna(v) else float(v)) for v in frame["denominator"]],
        "people": [v if _withheld(v) else (None if pd.isna(v) else int(v)) for v in frame["base_count"]],
    })
    out.attrs["metric_id"] = metric_id
    out.attrs["period"] = period
    return out


ANSWER_GROUP_LABELS = {None: "Group", "service": "Service", "team": "Team", "role_group": "Job type"}


def _withheld(v: object) -> bool:
    """A figure the policy withholds: "c" (confidential) or "x" (not available)."""
    return is_hidden(v) or is_not_available(v)


def _whole(v):
    """A count as a whole number where it is one (FTE keeps its decimals); 'c', 'x' and blanks as they are."""
    if _withheld(v) or v is None or (isinstance(v, float) and pd.isna(v)):
        return v if _withheld(v) else "—"
    return int(v) if float(v).is_integer() else round(float(v), 1)


def answer_view(answer_frame: pd.DataFrame, *, breakdown: str | None = None) -> pd.DataFrame:
    """The answer in plain words: the group, the figure, what was counted, out of what, people."""
    metric = get_metric(answer_frame.attrs["metric_id"])
    out = pd.DataFrame({
        ANSWER_GROUP_LABELS.get(breakdown, "Group"): ["Everyone" if g == "All" else g for g in answer_frame["group"]],
        metric.label: answer_frame["value"].fillna("—"),
        "Counted": [_whole(v) for v in answer_frame["numerator"]],
    })
    if metric.denominator:
        out["Out of"] = [_whole(v) for v in answer_frame["denominator"]]
    out["People"] = [_whole(v) for v in answer_frame["people"]]
    out.attrs.update(answer_frame.attrs)
    return out


def answer_note(metric_id: str) -> str:
    """What 'Counted' and 'Out of' mean for this measure, for the caption under the answer."""
    metric = get_metric(metric_id)
    return f"Counted: {metric.numerator}." + (f" Out of: {metric.denominator}." if metric.denominator else "")


def link_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The links as members read them."""
    return pd.DataFrame({
        "Measure": frame["measure"],
        "Theme": frame["theme"],
        "Population": ["Qualified social workers" if s == "social_workers" else "All staff" for s in frame["scope"]],
        "When made": [t if p is None else f"{t} ({p:%b %Y})" for t, p in zip(frame["then"], frame["period_then"])],
        "Now": [t if p is None else f"{t} ({p:%b %Y})" for t, p in zip(frame["now"], frame["period_now"])],
        "Moved": frame["moved"],
    })
