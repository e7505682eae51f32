"""Reporting periods, defined once: a period is a calendar month, kept as the DATE of its first day.

Why here (the bottom layer): the loader, the metrics, the tracker and the pages all turn 'YYYY-MM'
into a month, step a month back or forward, find a month's last day and the 12-month window a
rolling figure covers; each used to do it its own way. SQL keeps the same convention: `period` is
the first day, `last_day(period)` the month end (store/connection.py).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

#: A rolling figure (turnover, starters, sickness days ...) covers this many months to month end.
WINDOW_MONTHS = 12

_TEXT = re.compile(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*")
_STRICT = re.compile(r"\s*(\d{4})-(\d{2})\s*")


class PeriodError(ValueError):
    """Not a month this dashboard can use (the message says how to write one)."""


def as_date(value: object) -> date:
    """A date from a date, a datetime (pandas Timestamps included) or ISO text 'YYYY-MM-DD';
    ValueError otherwise (callers say what to fix in their own words)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def parse_period(value: object, *, strict: bool = False) -> date:
    """A month -> the DATE of its first day.

    Accepts a date/datetime/pandas Timestamp, or text 'YYYY-MM' (also 'YYYY-M' and 'YYYY-MM-DD'
    unless `strict`, which is for what a person types: exactly 'YYYY-MM'). Years before 1900 are
    refused. Raises PeriodError.
    """
    if isinstance(value, datetime):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    if isinstance(value, str):
        m = (_STRICT if strict else _TEXT).fullmatch(value)
        if m and 1 <= int(m.group(2)) <= 12 and int(m.group(1)) >= 1900:
            return date(int(m.group(1)), int(m.group(2)), 1)
    raise PeriodError(f"The period must be a month written YYYY-MM (e.g. 2025-03), not {value!r}.")


def period_key(value: object) -> str:
    """'YYYY-MM' of a month (the form used in links, file names and the command line)."""
    first = parse_period(value)
    return f"{first.year:04d}-{first.month:02d}"


def period_label(value: object) -> str:
    """'October 2026': a month as people write it."""
    return parse_period(value).strftime("%B %Y")


def month_end(value: object) -> date:
    """The last day of the month (the day a month's staff figures describe)."""
    first = parse_period(value)
    return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


def add_months(value: object, months: int) -> date:
    """The first day of the month `months` after (negative: before) the given month."""
    first = parse_period(value)
    index = first.year * 12 + first.month - 1 + int(months)
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: object, end: object) -> int:
    """How many months from `start` to `end` (0 for the same month, negative when end is earlier)."""
    a, b = parse_period(start), parse_period(end)
    return (b.year - a.year) * 12 + (b.month - a.month)


def next_period(value: object) -> date:
    """The month after."""
    return add_months(value, 1)


def previous_period(value: object) -> date:
    """The month before."""
    return add_months(value, -1)


def year_ago(value: object) -> date:
    """The same month a year earlier (for change-on-a-year)."""
    return add_months(value, -12)


def window_start(value: object, months: int = WINDOW_MONTHS) -> date:
    """The first month of the `months`-month window that ends with the given month (inclusive):
    the 12 months to 31 March 2026 run from April 2025 (window_start('2026-03') == 2025-04-01)."""
    return add_months(value, 1 - int(months))


def in_window(when: date, value: object, months: int = WINDOW_MONTHS) -> bool:
    """True when the day `when` falls in the `months` months to the given month's end."""
    return month_end(previous_period(window_start(value, months))) < when <= month_end(value)
