"""ui.charts.trend_chart: a projection interval on a percent axis is visible (axis fits the data)."""

from __future__ import annotations

import pandas as pd
import pytest

from ui import charts


def _share(values):
    return pd.DataFrame({"period": pd.date_range("2025-11-30", periods=len(values), freq="ME"),
                         "value": values})


def _projection():
    periods = pd.date_range("2026-10-31", periods=9, freq="ME")
    return pd.DataFrame({"period": periods, "value": [0.82 + 0.002 * i for i in range(9)],
                         "low": [0.81 - 0.004 * i for i in range(9)],
                         "high": [0.83 + 0.004 * i for i in range(9)]})


def test_percent_axis_with_an_interval_is_tightened_around_line_interval_and_target():
    fig = charts.trend_chart(_share([0.77, 0.78, 0.79, 0.80, 0.81, 0.80, 0.81, 0.82, 0.81, 0.82, 0.82]),
                             x="period", y="value", name="Permanent share", unit="rate", target=0.8,
                             projection=_projection())
    lo, hi = fig.layout.yaxis.range
    assert fig.layout.yaxis.autorange is False
    # data span 0.77 (line) .. 0.862 (interval top); target 0.8 inside; padded, not 0..1
    assert 0.70 < lo < 0.77 and 0.862 < hi <= 0.95
    band = next(t for t in fig.data if t.name == "Likely range of the projection")
    assert min(band.y) >= lo and max(band.y) <= hi
    # the band is now a visible share of the axis (it was about 5% of a 0-100% axis)
    assert (max(band.y) - min(band.y)) / (hi - lo) > 0.3


def test_percent_axis_keeps_within_0_and_100_percent():
    proj = _projection().assign(high=lambda f: f["high"] + 0.2)  # 1.03 at the top
    fig = charts.trend_chart(_share([0.95, 0.97]), x="period", y="value", name="x", unit="rate",
                             projection=proj)
    lo, hi = fig.layout.yaxis.range
    assert hi == pytest.approx(1.0) or hi > 1.03
    assert lo >= 0


def test_counts_and_charts_without_an_interval_keep_a_zero_based_axis():
    counts = charts.trend_chart(_share([40, 42, 45]), x="period", y="value", name="People", unit="count",
                                projection=_projection().assign(value=46, low=44, high=48))
    assert counts.layout.yaxis.range is None and counts.layout.yaxis.rangemode == "tozero"
    plain = charts.trend_chart(_share([0.8, 0.81]), x="period", y="value", name="x", unit="rate", target=0.8)
    assert plain.layout.yaxis.range is None
