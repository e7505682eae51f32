"""When is a target reached on the current trend? A least-squares line with a prediction interval.

Why a straight line over the last 12 months, and why an interval: leadership asks "when do we reach
80:20?" and a councillor asks "how sure are you?". A linear fit is what an analyst can defend in
front of a committee; the prediction interval for a *new monthly value* (t distribution, 80% by
default) says how much month-to-month noise could move the answer, so the month is given as a
central estimate with an earliest and a latest month.

Months are counted on the calendar (a missing month is a gap, not a shift). The window is the
`window` calendar months ending at the latest month that has a value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from scipy import stats

from metrics.types import MetricError

DEFAULT_LEVEL = 0.80          # two-sided prediction interval for a new month's value
MAX_HORIZON_MONTHS = 120      # beyond ten years a straight-line extrapolation means nothing
MIN_POINTS = 3                # two points give a line but no estimate of the noise


class ProjectionError(MetricError):
    """The inputs to a projection cannot be read (mismatched lengths, bad periods, bad direction)."""


@dataclass(frozen=True, kw_only=True)
class Projection:
    """The answer for one series. Periods are `date`s on the first day of the month.

    `reach_period` is the first month the fitted line meets the target (the latest month itself
    when it is already met). `earliest_period`/`latest_period` are the first months at which the
    optimistic / pessimistic bound of the prediction interval meets it (None = not within ten
    years). `interval_low`/`interval_high` bound the value expected at the target date (or at the
    latest month when there is no target date).
    """

    target: float | None
    direction: str
    target_date: date | None
    level: float
    n_points: int
    slope_per_month: float | None
    intercept: float | None          # fitted value at the latest month
    latest_period: date | None       # first month the pessimistic bound meets the target
    last_period: date | None         # the latest month with a value (the end of the fit)
    last_value: float | None
    reach_period: date | None
    earliest_period: date | None
    reached_already: bool
    met_by_target_date: bool | None
    value_at_target_date: float | None
    interval_low: float | None
    interval_high: float | None
    trend: str                       # "improving" | "worsening" | "flat" | "unknown"
    message: str
    interval_message: str = ""
    fitted: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["period", "fitted", "low", "high"]))

    @property
    def reachable(self) -> bool:
        """True when the target is met already or the fitted line meets it within ten years."""
        return self.reached_already or self.reach_period is not None


# ------------------------------------------------------------------------------------------
# months as integers


def _to_month(value: object) -> int:
    """A month index (year*12 + month-1) from a date, Timestamp, datetime or 'YYYY-MM[-DD]'."""
    if isinstance(value, (date, datetime, pd.Timestamp, np.datetime64)):
        ts = pd.Timestamp(value)
    elif isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value.strip()):
            raise ProjectionError(f"Period {value!r} is not a month (use YYYY-MM).")
        value = value.strip()
        try:
            ts = pd.Timestamp(value if len(value) > 7 else value + "-01")
        except (ValueError, TypeError) as exc:
            raise ProjectionError(f"Period {value!r} is not a month (use YYYY-MM).") from exc
    else:
        raise ProjectionError(f"Period {value!r} is not a date or YYYY-MM text.")
    if pd.isna(ts):
        raise ProjectionError("A period is missing; every value needs its month.")
    return ts.year * 12 + ts.month - 1


def _from_month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_name(value: date | None) -> str:
    """'March 2026' — how the pages and narrative name a month."""
    return "" if value is None else value.strftime("%B %Y")


def _meets(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "lower" else value >= target


# ------------------------------------------------------------------------------------------


def project(
    *,
    periods: Sequence[object],
    values: Sequence[object],
    target: float | None,
    direction: str,
    target_date: date | str | None = None,
    window: int = 12,
    level: float = DEFAULT_LEVEL,
    target_label: str = "the target",
    horizon_months: int = MAX_HORIZON_MONTHS,
) -> Projection:
    """Fit a line to the last `window` months and say when it meets `target`.

    `direction` is "lower" (value <= target meets, e.g. the agency rate) or "higher". Missing
    values (None/NaN) are left out of the fit. Fewer than 3 usable months, a flat line or a trend
    going the wrong way give `reach_period=None` and a message saying so plainly.
    """
    if direction not in ("lower", "higher"):
        raise ProjectionError(f"direction must be 'lower' or 'higher', not {direction!r}.")
    if len(periods) != len(values):
        raise ProjectionError(
            f"periods ({len(periods)}) and values ({len(values)}) must be the same length."
        )
    if not 0 < level < 1:
        raise ProjectionError(f"level must be between 0 and 1 (e.g. 0.8), not {level!r}.")
    if window < 2:
        raise ProjectionError(f"window must be at least 2 months, not {window!r}.")
    tgt_month = _to_month(target_date) if target_date is not None else None
    tdate = _from_month(tgt_month) if tgt_month is not None else None
    if target is not None and (isinstance(target, float) and math.isnan(target)):
        target = None

    months = np.array([_to_month(p) for p in periods], dtype=np.int64)
    vals = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    if len(set(months.tolist())) != len(months):
        raise ProjectionError("Each month may appear only once in a series.")
    ok = ~np.isnan(vals)
    months, vals = months[ok], vals[ok]
    order = np.argsort(months)
    months, vals = months[order], vals[order]

    pct = f"{level:.0%}"
    empty = dict(
        target=target, direction=direction, target_date=tdate, level=level,
        slope_per_month=None, intercept=None, latest_period=None, reach_period=None,
        earliest_period=None, value_at_target_date=None, interval_low=None, interval_high=None,
    )
    if len(months) == 0:
        return Projection(
            **empty, n_points=0, last_period=None, last_value=None, reached_already=False,
            met_by_target_date=None, trend="unknown",
            message="There is no data to show a trend.",
        )

    last_m = int(months[-1])
    last_v = float(vals[-1])
    in_window = months > last_m - window
    x_m, y = months[in_window], vals[in_window]
    n = len(x_m)
    already = target is not None and _meets(last_v, target, direction)
    met_by = None
    if already and tgt_month is not None:
        met_by = last_m <= tgt_month

    if n < MIN_POINTS:
        msg = (
            f"Only {n} month{'s' if n != 1 else ''} of data in the last {window}; at least "
            f"{MIN_POINTS} are needed to show a trend."
        )
        if already:
            msg = f"{_cap(target_label)} is met already. " + msg
        return Projection(
            **empty, n_points=n, last_period=_from_month(last_m), last_value=last_v,
            reached_already=already, met_by_target_date=met_by, trend="unknown", message=msg,
        )

    # x measured in months from the latest month: intercept = fitted value now
    x = (x_m - last_m).astype(float)
    fit = stats.linregress(x, y)
    slope, intercept = float(fit.slope), float(fit.intercept)
    resid = y - (intercept + slope * x)
    dof = n - 2
    s = math.sqrt(float(np.sum(resid**2)) / dof) if dof > 0 else 0.0
    xbar = float(x.mean())
    sxx = float(np.sum((x - xbar) ** 2))
    tcrit = float(stats.t.ppf(0.5 + level / 2, dof))

    def band(k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        yhat = intercept + slope * k
        half = tcrit * s * np.sqrt(1 + 1 / n + (k - xbar) ** 2 / sxx)
        return yhat, yhat - half, yhat + half

    scale = max(float(np.max(np.abs(y))), abs(target or 0.0), 1e-12)
    flat = abs(slope) <= 1e-9 * scale
    good_way = (slope < 0) if direction == "lower" else (slope > 0)
    trend = "flat" if flat else ("improving" if good_way else "worsening")

    reach = earliest = latest = None
    if target is not None:
        ks = np.arange(0, horizon_months + 1, dtype=float)   # k=0 is the latest month
        yhat, low, high = band(ks)
        tol = 1e-9 * scale   # an exact line must not miss its month by a rounding error
        if direction == "lower":
            hit_fit, hit_opt, hit_pes = yhat <= target + tol, low <= target + tol, high <= target + tol
        else:
            hit_fit, hit_opt, hit_pes = yhat >= target - tol, high >= target - tol, low >= target - tol
        future = ks >= 1

        def first(hits: np.ndarray) -> date | None:
            idx = np.flatnonzero(hits)
            return _from_month(last_m + int(ks[idx[0]])) if idx.size else None

        if already:
            reach = _from_month(last_m)
            earliest = _from_month(last_m)
            latest = first(hit_pes)
        else:
            # not met now: the answer is a future month (the line may already sit past the target
            # while the last observed month did not meet it: then it is next month)
            if not flat and good_way:
                reach = first(hit_fit & future)
            earliest = first(hit_opt & future)
            latest = first(hit_pes & future)
        if not already and tgt_month is not None:
            met_by = reach is not None and _to_month(reach) <= tgt_month

    # value expected at the target date (or now)
    k_at = float((tgt_month - last_m) if tgt_month is not None and tgt_month > last_m else 0)
    yv, lo_v, hi_v = (float(a[0]) for a in band(np.array([k_at])))

    # the fitted frame for charts: from the first month of the window to the furthest month of
    # interest (target date, reach month, latest bound month), capped at the horizon
    end = last_m
    for extra in (tgt_month, _m(reach), _m(latest)):
        if extra is not None:
            end = max(end, extra)
    end = min(end, last_m + horizon_months)
    kk = np.arange(int(x_m[0]) - last_m, end - last_m + 1, dtype=float)
    fy, fl, fh = band(kk)
    fitted = pd.DataFrame(
        {
            "period": pd.to_datetime([_from_month(last_m + int(k)) for k in kk]),
            "fitted": fy,
            "low": fl,
            "high": fh,
        }
    )

    message, interval_message = _messages(
        target=target, target_label=target_label, already=already, reach=reach,
        earliest=earliest, latest=latest, tdate=tdate, trend=trend, level=pct,
        horizon=horizon_months,
    )
    return Projection(
        target=target, direction=direction, target_date=tdate, level=level, n_points=n,
        slope_per_month=slope, intercept=intercept, latest_period=latest,
        last_period=_from_month(last_m), last_value=last_v, reach_period=reach,
        earliest_period=earliest, reached_already=already, met_by_target_date=met_by,
        value_at_target_date=yv, interval_low=lo_v, interval_high=hi_v, trend=trend,
        message=message, interval_message=interval_message, fitted=fitted,
    )


def _m(value: date | None) -> int | None:
    return None if value is None else _to_month(value)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _messages(
    *, target, target_label, already, reach, earliest, latest, tdate, trend, level, horizon
) -> tuple[str, str]:
    if target is None:
        return (f"No target is set; the trend is {trend}.", "")
    if already:
        msg = f"{_cap(target_label)} is met already"
        if trend == "worsening":
            msg += ", but the trend is moving away from it"
        return msg + ".", ""
    if reach is None:
        why = {
            "flat": "the trend is flat",
            "worsening": "the trend is moving away from it",
            "improving": f"not within {horizon // 12} years",
        }.get(trend, "")
        msg = f"On the current trend {target_label} is not reached"
        if why:
            msg += f" ({why})"
        return msg + ".", ""
    msg = f"On the current trend {target_label} is reached in {month_name(reach)}"
    if tdate is not None:
        when = "before" if reach < tdate else ("by" if reach == tdate else "after")
        msg += f", {when} the {month_name(tdate)} deadline"
    msg += "."
    if earliest is not None and latest is not None:
        rng = f"Allowing for month-to-month variation ({level} prediction interval): between {month_name(earliest)} and {month_name(latest)}."
    elif earliest is not None:
        rng = f"Allowing for month-to-month variation ({level} prediction interval): from {month_name(earliest)}, but it may not be reached within {horizon // 12} years."
    else:
        rng = ""
    return msg, rng
