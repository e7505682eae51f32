"""The 12-month leavers tables through the data layer on the demo store (36 months to October
2026): at a month that is not September, a scrutiny member (and every file) gets the year to 30
September's table, hand-worked here from the leavers' own rows; HR sees the month's 12 months on
screen, as before (disclosure.linked.published_month; issue 10).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.detail import LOS_BANDS
from store import connect
from store.connection import AGENCY_WORKER_TYPE


def _years_on(start: date, years: int) -> date:
    """The start date's anniversary (29 February: 28 February in a year that has none)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _band(start: date, leave: date) -> str:
    for i, years in enumerate((1, 2, 5, 10)):
        if leave < _years_on(start, years):
            return LOS_BANDS[i]
    return LOS_BANDS[4]


def _by_hand(path, first: str, last: str) -> dict[str, int]:
    """Employed leavers (not agency workers) of the months `first` to `last`, all staff, by length
    of service at leaving."""
    with connect(path, read_only=True) as con:
        rows = con.execute("SELECT period, start_date, leave_date, worker_type FROM leavers").fetchall()
    out = dict.fromkeys(LOS_BANDS, 0)
    lo, hi = pd.Timestamp(first + "-01").date(), pd.Timestamp(last + "-01").date()
    for period, start, leave, worker in rows:
        if lo <= period <= hi and worker != AGENCY_WORKER_TYPE:
            out[_band(start, leave)] += 1
    return out


@pytest.mark.parametrize("role", ["scrutiny", "hr"])
def test_august_publishes_the_year_to_september_before(copy_demo_db, monkeypatch, role):
    import streamlit as st

    from ui import data
    from ui import db as ui_db
    from ui.data.measures import history_rows
    from ui.filters import Filters

    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    monkeypatch.setenv("WORKFORCE_ROLE", role)
    ui_db.clear_caches()
    st.cache_data.clear()
    try:
        year = _by_hand(copy_demo_db, "2024-10", "2025-09")  # the year to 30 September 2025
        august = _by_hand(copy_demo_db, "2025-09", "2026-08")  # the 12 months to August 2026
        assert year != august and year["Under 1 year"] != august["Under 1 year"]
        d = data.length_of_service(Filters(period="2026-08", scope="all_staff", service=None))
        assert d.period == "2025-09"
        assert d.note.startswith("Leavers in the year to 30 September 2025: published once a year")
        pub = dict(zip(d.published["Length of service"], d.published["Leavers"]))
        assert list(pub) == list(LOS_BANDS)
        shown = {b: v for b, v in pub.items() if v != "c"}
        assert shown and shown == {b: year[b] for b in shown}, (pub, year)
        # its "Under 1 year" is the measure history's early leavers of September 2025: one decision
        h = history_rows(ui_db.db_path(), ui_db.data_version(), "all_staff", "early_leaver_rate_12m",
                         period="2025-09", service=None)
        assert len(h) == 1 and not bool(h["suppressed"].iloc[0])
        assert pub["Under 1 year"] == year["Under 1 year"] == h["numerator"].iloc[0]
        if role == "hr":  # exact on screen: the month's own 12 months, as before
            assert d.exact and dict(zip(d.shown["Length of service"], d.shown["Leavers"])) == august
            assert "year to 30 September" not in d.caption()  # (the screen's is the month's table)
            assert "year to 30 September 2025" in " ".join(d.notes())  # (its file's is September's)
        else:
            assert not d.exact
            pd.testing.assert_frame_equal(d.shown, d.published)
            assert d.caption().startswith("Leavers in the year to 30 September 2025")
        # before the first whole year (September 2024 covers 11 months): nothing published, and why
        early = data.leavers_by_reason(Filters(period="2025-08", scope="all_staff", service=None))
        assert early.published.empty and early.period is None and early.note.startswith("x: not available")
        assert early.shown.empty != (role == "hr")
    finally:
        st.cache_data.clear()
        ui_db.clear_caches()
