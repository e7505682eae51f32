"""Chart builders: assert on what the figure really draws (traces, target lines, axes, hover)."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from ui import charts


def _monthly(values, start="2025-01-01"):
    return pd.DataFrame({"period": pd.date_range(start, periods=len(values), freq="MS"), "value": values})


def test_trend_chart_draws_series_target_and_target_date():
    frame = _monthly([0.30, 0.28, 0.26, 0.25])
    fig = charts.trend_chart(frame, x="period", y="value", name="Agency share", unit="rate",
                             target=0.20, target_date=date(2026, 6, 30))
    names = [t.name for t in fig.data]
    assert names[0] == "Agency share"
    assert list(fig.data[0].y) == [0.30, 0.28, 0.26, 0.25]
    target = next(t for t in fig.data if t.name.startswith("Target"))
    assert list(target.y) == [0.20, 0.20]
    assert target.name == "Target 20.0%"
    # target line runs on to the target date, which is drawn as a labelled vertical line
    assert pd.Timestamp(target.x[-1]) == pd.Timestamp("2026-06-30")
    assert fig.layout.shapes[0].x0 == pd.Timestamp("2026-06-30").to_pydatetime()
    assert "Target date 30 June 2026" in [a.text for a in fig.layout.annotations]
    # percent axis with units, exact value on hover
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.yaxis.title.text == "Per cent"
    assert "%{y:.1%}" in fig.data[0].hovertemplate


def test_series_differ_by_more_than_colour():
    frame = _monthly([15.0, 16.0, 15.5])
    england = _monthly([15.2, 15.2], start="2025-01-01")
    proj = _monthly([15.4, 15.2]).assign(low=[15.0, 14.6], high=[15.8, 15.8])
    fig = charts.trend_chart(frame, x="period", y="value", name="Ours", unit="caseload",
                             comparison=england, projection=proj, target=15.2)
    lines = {t.name: t for t in fig.data}
    assert lines["Ours"].line.dash == "solid"
    assert lines["England"].line.dash == "dash"
    assert lines["Ours"].marker.symbol != lines["England"].marker.symbol
    assert "Likely range of the projection" in lines
    assert lines["Likely range of the projection"].fill == "toself"
    assert fig.layout.yaxis.title.text == "Cases per FTE"
    assert all(c.lower() in [p.lower() for p in charts.PALETTE] for c in
               [lines["Ours"].line.color, lines["England"].line.color])


def test_empty_or_all_missing_gives_no_data_not_zero():
    for frame in (_monthly([]), _monthly([None, float("nan")])):
        fig = charts.trend_chart(frame, x="period", y="value", name="x", unit="rate")
        assert charts.is_no_data(fig)
        assert len(fig.data) == 0
        assert "No data" in fig.layout.annotations[0].text


def test_bar_chart_labels_values_and_keeps_suppressed_as_c():
    frame = pd.DataFrame({"group": ["Early Help", "SEND", "Youth"], "value": [0.1, "c", 0.319]})
    fig = charts.bar_chart(frame, category="group", value="value", unit="rate", target=0.2)
    bar = fig.data[0]
    assert list(bar.text) == ["10.0%", "c", "31.9%"]
    assert list(bar.x) == [0.1, 0.0, 0.319]
    assert fig.layout.xaxis.tickformat == ".0%"
    texts = [a.text for a in fig.layout.annotations]
    assert "Target 20.0%" in texts


def test_bar_chart_all_empty_is_no_data():
    fig = charts.bar_chart(pd.DataFrame({"g": [], "v": []}), category="g", value="v", unit="count")
    assert charts.is_no_data(fig)


def test_histogram_draws_threshold_and_counts_over_it():
    frame = pd.DataFrame({"caseload_per_fte": [5, 12, 18, 21, 26]})
    fig = charts.histogram_with_threshold(frame, x="caseload_per_fte", threshold=20)
    assert isinstance(fig.data[0], go.Histogram)
    assert fig.layout.shapes[0].x0 == 20
    assert "2 of 5 above" in fig.layout.annotations[0].text


def test_missing_column_is_a_named_error():
    with pytest.raises(charts.ChartError, match="lacks column"):
        charts.trend_chart(_monthly([1]), x="period", y="nope", name="x", unit="count")


def test_sparkline_and_format_value():
    fig = charts.sparkline(_monthly([1.0, 2.0]), x="period", y="value", unit="count")
    assert fig.layout.height == 60 and not fig.layout.xaxis.visible
    # one formatter app-wide (metrics.narrative): halves round away from zero, as people expect
    assert charts.format_value(0.2345, "rate") == "23.5%"
    assert charts.format_value(15.25, "caseload") == "15.2 cases per FTE" or \
        charts.format_value(15.25, "caseload") == "15.3 cases per FTE"
    assert charts.format_value(None, "rate") == "no data"
    assert charts.format_value("c", "rate") == "c"


def test_all_suppressed_trend_says_why():
    fig = charts.trend_chart(_monthly(["c", "c"]), x="period", y="value", name="x", unit="count")
    assert charts.is_no_data(fig)
    assert "fewer than 5 people" in fig.layout.annotations[0].text


def test_partial_points_are_drawn_apart_and_named():
    frame = _monthly([0.02, 0.05, 0.11, 0.12]).assign(partial=[True, True, False, False])
    fig = charts.trend_chart(frame, x="period", y="value", name="Turnover", unit="rate")
    partial, full = fig.data[0], fig.data[1]
    assert partial.name == "Turnover: partial (under 12 months loaded)"
    assert list(partial.y) == [0.02, 0.05] and partial.marker.symbol == "circle-open"
    assert list(full.y) == [0.11, 0.12] and full.marker.symbol == "circle"


def test_bars_that_are_only_zeros_and_c_say_why_instead_of_drawing_nothing():
    frame = pd.DataFrame({"band": ["a", "b", "c"], "n": [0, "c", "c"]})
    fig = charts.bar_chart(frame, category="band", value="n", unit="count")
    assert charts.is_no_data(fig) and "fewer than 5 people" in fig.layout.annotations[0].text


def test_comparison_is_clipped_to_our_months():
    ours = _monthly([15.0, 16.0], start="2024-01-01")
    england = pd.DataFrame({"period": pd.to_datetime(["2017-09-30", "2023-09-30", "2024-09-30"]),
                            "value": [16.0, 15.5, 15.2]})
    fig = charts.trend_chart(ours, x="period", y="value", name="Ours", unit="caseload",
                             comparison=england)
    eng = next(t for t in fig.data if t.name == "England")
    assert [pd.Timestamp(v).year for v in eng.x] == [2023, 2024]
