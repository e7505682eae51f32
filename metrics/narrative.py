"""Plain-English sentences about the figures, for cards, the Overview and committee packs.

Why generated: a councillor reads "Agency workers are 18.3% of social-worker FTE, within the 80:20
target; 15.6 points lower than a year ago." faster than a chart, and generating it from the same
figures (with the caveats: partial window, suppressed, no target, no data) means the words can
never disagree with the numbers. `format_value` is the one place numbers become text, so the
pages format the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from metrics import units
from metrics.types import Metric, MetricError, Target, as_float
from metrics.units import NO_DATA, format_number, format_target, is_hidden, is_not_available, round_half_up as _round

__all__ = ["NO_DATA", "format_change", "format_number", "format_value",
           "paragraph", "sentence"]

SCOPE_LABELS: dict[str, str] = {"social_workers": "social-worker", "all_staff": "staff"}


class NarrativeError(MetricError):
    """A sentence cannot be built (unknown metric)."""


def _metric(metric: Metric | str) -> Metric:
    if isinstance(metric, Metric):
        return metric
    from metrics.catalogue import get

    return get(str(metric))




def format_value(metric: Metric | str, value: Any, *, short: bool = False) -> str:
    """Rates as % with 1 decimal, caseload with 1 decimal "cases per FTE", counts as integers.

    "c" stays "c"; missing becomes "no data". `short` drops the caseload unit (for cards).
    """
    return format_number(value, _metric(metric).unit, short=short)


def format_change(metric: Metric | str, change: Any) -> str:
    """'15.6 points lower' / '0.9 cases per FTE higher' / '3 more' / 'the same'."""
    return units.format_change(change, _metric(metric).unit)


def _target_value(target: Any) -> tuple[float | None, Target | None]:
    if isinstance(target, Target):
        return target.value, target
    return as_float(target), None


def _target_name(m: Metric, target_value: float, target_obj: Target | None) -> str:
    if m.target_name:
        return m.target_name
    england = target_obj is not None and target_obj.source.lower().startswith("england")
    return f"the target ({'England ' if england else ''}{format_target(target_value, m.unit)})"


def _status(value: float, target: float, direction: str | None) -> str:
    if direction == "higher":
        return "green" if value >= target - 1e-12 else "red"
    return "green" if value <= target + 1e-12 else "red"


def _subject(m: Metric, value: Any, scope_label: str) -> str:
    v = format_value(m, value)
    phrase = m.phrase
    if phrase is None:
        return f"{m.label} is {v}"
    n = as_float(value)
    one = n is not None and _round(n, 0) == 1
    # "{n:worker|workers}" picks the singular when the value reads as 1
    text = re.sub(r"\{n:([^|}]*)\|([^}]*)\}", lambda g: g.group(1 if one else 2), phrase)
    text = text.format(v=v, s=scope_label)
    text = text.replace("  ", " ")
    return text[:1].upper() + text[1:]


def sentence(
    *,
    metric: Metric | str,
    value: Any,
    target: float | Target | None = None,
    status: str | None = None,
    year_ago_value: Any = None,
    projection: Any = None,
    suppressed: bool = False,
    months_covered: int | None = None,
    unit_scope_label: str = "social-worker",
) -> str:
    """One plain-English sentence (sometimes two) about a figure, with its caveats.

    `target` is the target value in the metric's unit (or a `Target`); `status` the RAG status
    (computed from target and direction when not given); `projection` a
    `metrics.projection.Projection` whose message is added when the target is not yet met.
    """
    m = _metric(metric)
    if is_not_available(value):  # disclosure.policy.YEAR_TO_SEPTEMBER
        return f"{m.label} is published for the 12 months to 30 September only (x: not available for this month)."
    if suppressed or is_hidden(value):
        return f"{m.label} is hidden to protect individuals (c)."
    v = as_float(value)
    if v is None:
        return f"{m.label}: no data for this period."
    subject = _subject(m, v, unit_scope_label)
    tval, tobj = _target_value(target)
    window = m.window_months
    short = bool(window and months_covered is not None and int(months_covered) < window)
    if short:  # no verdict: a part-year figure is not the measure the target is for
        tval = None
    if tval is not None and (status is None or status == "grey"):
        status = _status(v, tval, (tobj.direction if tobj else m.direction))
    direction = tobj.direction if tobj else m.direction
    if short:
        clause = f" (covering only {int(months_covered)} of {window} months, too few to judge against a target)"
    elif tval is None:
        clause = " (no target set)"
    else:
        name = _target_name(m, tval, tobj)
        if status == "green":
            clause = f", {'meeting' if direction == 'higher' else 'within'} {name}"
        elif status == "amber":
            clause = f", just {'below' if direction == 'higher' else 'above'} {name}"
        else:
            clause = f", {'below' if direction == 'higher' else 'above'} {name}"
    text = subject + clause
    change = None
    ya = as_float(year_ago_value)
    if ya is not None:
        change = format_change(m, v - ya)
    if change:
        text += f"; {change} than a year ago" if change != "the same" else "; the same as a year ago"
    text += "."
    if projection is not None and tval is not None and status != "green":
        msg = getattr(projection, "message", "")
        if msg:
            text += " " + msg
    return text


def _scope_label(frame: pd.DataFrame) -> str:
    if "scope" in frame.columns and len(frame):
        return SCOPE_LABELS.get(str(frame["scope"].iloc[0]), "social-worker")
    return "social-worker"


def _row_sentence(row: Mapping[str, Any], scope_label: str, projection: Any = None) -> str:
    return sentence(
        metric=row["metric_id"],
        value=row.get("value"),
        target=row.get("target"),
        status=row.get("status"),
        year_ago_value=row.get("year_ago_value"),
        projection=projection,
        suppressed=_truthy(row.get("suppressed")),
        months_covered=_months(row.get("months_covered")),
        unit_scope_label=scope_label,
    )


def _truthy(value: Any) -> bool:
    try:
        return bool(value) and not pd.isna(value)
    except (TypeError, ValueError):
        return False


def _months(value: Any) -> int | None:
    n = as_float(value)
    return None if n is None else int(n)


MAX_SENTENCES = 5


def _count_sentences(text: str) -> int:
    return len([p for p in re.split(r"(?<=\.)\s+(?=[A-Z0-9])", text) if p])


def paragraph(evaluated: pd.DataFrame, *, projection: Any = None) -> str:
    """The Overview paragraph: 3-5 sentences, leading with the 80:20 story.

    `evaluated` is `metrics.engine.evaluate(...)` (overall rows are used: group empty).
    """
    from metrics.catalogue import CATALOGUE, HEADLINE_IDS

    if evaluated is None or evaluated.empty:
        return "There is no data for this period yet: upload a monthly workforce extract."
    frame = evaluated
    if "group" in frame.columns:
        frame = frame[frame["group"].isna()]
    frame = frame[frame["metric_id"].isin(list(CATALOGUE))]
    scope_label = _scope_label(frame)
    rows = {r["metric_id"]: r for r in frame.to_dict("records")}
    out: list[str] = []
    if "agency_rate_fte" in rows:
        out.append(_row_sentence(rows["agency_rate_fte"], scope_label, projection))

    rated = [r for r in rows.values() if r.get("status") in ("green", "amber", "red")]
    if rated:
        g = sum(r["status"] == "green" for r in rated)
        a = sum(r["status"] == "amber" for r in rated)
        red = sum(r["status"] == "red" for r in rated)
        parts = [f"{g} meet{'s' if g == 1 else ''} it"]
        if a:
            parts.append(f"{a} {'is' if a == 1 else 'are'} close")
        if red:
            parts.append(f"{red} {'is' if red == 1 else 'are'} off target")
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        n = len(rated)
        out.append(f"Of the {n} measure{'s' if n != 1 else ''} with a target, {listed}.")

    order = {mid: k for k, mid in enumerate(HEADLINE_IDS)}
    concern = sorted(
        (r for r in rows.values() if r["metric_id"] != "agency_rate_fte" and r.get("status") in ("red", "amber")),
        key=lambda r: (0 if r["status"] == "red" else 1, order.get(r["metric_id"], 99), r["metric_id"]),
    )
    if not concern:
        concern = [
            rows[mid] for mid in HEADLINE_IDS
            if mid != "agency_rate_fte" and mid in rows and as_float(rows[mid].get("value")) is not None
        ]
    added = 0
    for r in concern:
        text = _row_sentence(r, scope_label)
        if added == 2 or _count_sentences(" ".join(out + [text])) > MAX_SENTENCES:
            break
        out.append(text)
        added += 1
    if not out:
        return "There is no data for this period yet: upload a monthly workforce extract."
    return " ".join(out)


UK = "Europe/London"


def format_when(moment: Any, *, seconds: bool = False) -> str:
    """A stored UTC timestamp as UK local time in words: '25 Nov 2026, 11:30pm' (BST/GMT followed).

    Why one function: audit trails, packs and download header blocks all print times for people in
    England; stores keep naive UTC.
    """
    if moment is None or (not isinstance(moment, str) and pd.isna(moment)):
        return "—"
    ts = pd.Timestamp(moment)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    local = ts.tz_convert(UK)
    clock = local.strftime("%-I:%M:%S%p" if seconds else "%-I:%M%p").lower()
    return f"{local:%-d %b %Y}, {clock}"


#: below this many people a figure is shown but flagged: one person moves a rate by 5 points or more
SMALL_BASE = 20


def base_words(count: Any) -> str | None:
    """'Based on 6 people (a small group: one person moves the figure a lot).' or None if unknown."""
    if is_hidden(count):
        return "The number of people it rests on is hidden to protect individuals (c)."
    n = as_float(count)
    if n is None:
        return None
    n_int = int(round(n))
    text = f"Based on {n_int:,} {'person' if n_int == 1 else 'people'}"
    return text + (" (a small group: one person moves the figure a lot)." if n_int < SMALL_BASE else ".")


def target_words(target: Any, unit: str, direction: str | None) -> str:
    """'at most 20%' / 'at least 80%' / 'at most 11.8%' (the way a target is read aloud); '—' when
    none is set."""
    v = as_float(target)
    if v is None:
        return "—"
    word = {"lower": "at most ", "higher": "at least "}.get(direction or "", "")
    return word + format_target(v, unit)


def travel(values: list[Any], *, direction: str | None, months: int = 12) -> str:
    """Direction of travel over `months` for a measure with no target: 'Better', 'Worse' or
    'Steady' (or 'Rising'/'Falling' when neither way is better); 'Not enough data' under a year.

    Judged against the measure's own variation, not any wobble: the change on `months` ago counts
    only when it is larger than twice the typical month-to-month movement over that year (and
    larger than a hair's breadth, so a flat series is Steady).
    """
    points = [as_float(v) for v in values]
    points = [p for p in points if p is not None]
    if len(points) < months + 1:
        return "Not enough data"
    window = points[-(months + 1):]
    change = window[-1] - window[0]
    steps = [abs(b - a) for a, b in zip(window, window[1:])]
    typical = sorted(steps)[len(steps) // 2]  # the median monthly movement
    scale = max(abs(p) for p in window) or 1.0
    if abs(change) <= max(2 * typical, 0.01 * scale):
        return "Steady"
    if direction not in ("lower", "higher"):
        return "Rising" if change > 0 else "Falling"
    return "Better" if (change < 0) == (direction == "lower") else "Worse"


def compare_words(*, value: Any, other: Any, unit: str, direction: str | None, name: str) -> str | None:
    """'9.6 points higher than the statistical-neighbour median (8.7%): worse' — the gap in words.

    Rates compare in percentage points; `other` in the same unit as `value` (rates as fractions).
    """
    v, o = as_float(value), as_float(other)
    if v is None or o is None:
        return None
    diff = v - o
    size = abs(diff) * 100 if unit == "rate" else abs(diff)
    shown = f"{_round(size, 1):.1f}"
    if shown == "0.0":
        return f"the same as {name} ({format_number(o, unit)})"
    words = {"rate": "points", "caseload": "cases per FTE", "count": "", "score": "points"}.get(unit, "")
    way = "higher" if diff > 0 else "lower"
    verdict = ""
    if direction in ("lower", "higher"):
        verdict = ": better" if (diff < 0) == (direction == "lower") else ": worse"
    return f"{shown}{' ' + words if words else ''} {way} than {name} ({format_number(o, unit)}){verdict}"
