"""Months defined once (store.periods): worked out by hand, including the year ends and leap years."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from store import periods as P


@pytest.mark.parametrize("value, first", [
    ("2025-03", date(2025, 3, 1)), (" 2025-3 ", date(2025, 3, 1)), ("2025-03-31", date(2025, 3, 1)),
    (date(2024, 2, 29), date(2024, 2, 1)), (datetime(2026, 12, 31, 23, 59), date(2026, 12, 1)),
    (pd.Timestamp("2026-10-15"), date(2026, 10, 1)),
])
def test_parse_period(value, first):
    assert P.parse_period(value) == first


@pytest.mark.parametrize("value", ["2025-13", "2025-00", "March 2025", "1899-12", "", None, 202503])
def test_parse_period_refuses_what_is_not_a_month(value):
    with pytest.raises(P.PeriodError, match="YYYY-MM"):
        P.parse_period(value)


def test_strict_is_exactly_what_a_person_types():
    assert P.parse_period("2025-03", strict=True) == date(2025, 3, 1)
    for text in ("2025-3", "2025-03-01"):
        with pytest.raises(P.PeriodError):
            P.parse_period(text, strict=True)


def test_month_end_previous_next_and_the_12_month_window():
    assert P.month_end("2024-02") == date(2024, 2, 29) and P.month_end("2025-02") == date(2025, 2, 28)
    assert P.month_end("2025-12") == date(2025, 12, 31)
    assert P.next_period("2025-12") == date(2026, 1, 1)
    assert P.previous_period("2026-01") == date(2025, 12, 1)
    assert P.add_months("2026-03", -14) == date(2025, 1, 1)
    assert P.year_ago(date(2026, 2, 1)) == date(2025, 2, 1)
    assert P.window_start("2026-03") == date(2025, 4, 1)  # the 12 months to 31 March 2026
    assert P.window_start("2026-03", months=3) == date(2026, 1, 1)
    assert P.in_window(date(2025, 4, 1), "2026-03") and P.in_window(date(2026, 3, 31), "2026-03")
    assert not P.in_window(date(2025, 3, 31), "2026-03") and not P.in_window(date(2026, 4, 1), "2026-03")
    assert P.months_between("2025-11", "2026-02") == 3 and P.months_between("2026-02", "2025-11") == -3
    assert P.period_key(date(2026, 1, 9)) == "2026-01" and P.period_label("2026-10") == "October 2026"
