"""Imported census returns appear on the trends as annual points, apart from the monthly line."""

from __future__ import annotations

import pandas as pd

from ui import charts


def _monthly() -> pd.DataFrame:
    return pd.DataFrame({"period": pd.date_range("2024-10-01", periods=12, freq="MS"),
                         "value": [0.2 + k / 100 for k in range(12)]})


def test_census_points_are_markers_of_their_own():
    census = pd.DataFrame({"period": pd.to_datetime(["2017-09-30", "2024-09-30"]),
                           "value": [0.11, 0.34]})
    fig = charts.trend_chart(_monthly(), x="period", y="value", name="Ours", unit="rate",
                             census=census)
    names = [t.name for t in fig.data]
    assert names == ["Ours", "Census return, 30 September"]
    point = fig.data[1]
    assert point.mode == "markers" and point.marker.symbol == "diamond"
    assert list(point.y) == [0.11, 0.34]
    assert pd.Timestamp(point.x[0]).year == 2017  # history before the first month is kept


def test_no_census_trace_without_returns():
    fig = charts.trend_chart(_monthly(), x="period", y="value", name="Ours", unit="rate",
                             census=pd.DataFrame({"period": [], "value": []}))
    assert [t.name for t in fig.data] == ["Ours"]


def test_census_page_defaults_to_the_year_being_collected():
    from datetime import date

    from ui.census import census_year, default_year, year_options

    assert census_year(date(2026, 9, 30)) == 2026 and census_year(date(2026, 10, 1)) == 2027
    assert default_year(date(2026, 11, 26)) == 2026  # collection season: last 30 September
    assert default_year(date(2027, 1, 15)) == 2026
    assert default_year(date(2027, 3, 1)) == 2027  # rehearsing the census under way
    assert year_options(date(2026, 11, 26))[:2] == [2027, 2026]
