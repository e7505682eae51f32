"""Chart builders: assert on what the figure really draws (traces, target lines, axes, hover)."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from tests.sparks import read_spark
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
    assert target.name == "Target 20%"
    # target line runs on to the target date, which is drawn as a labelled vertical line
    assert pd.Timestamp(target.x[-1]) == pd.Timestamp("2026-06-30")
    assert fig.layout.shapes[0].x0 == pd.Timestamp("2026-06-30").to_pydatetime()
    # both are named in the legend, never written over the plot where they would hit a point
    assert "Target date 30 June 2026 (dotted upright)" in names
    assert not fig.layout.annotations
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
    # ranked largest first, the hidden group last
    assert list(bar.text) == ["31.9%", "10.0%", "c"]
    assert list(bar.y) == ["Youth", "Early Help", "SEND"]
    assert list(bar.x) == [0.319, 0.1, 0.0]
    assert fig.layout.xaxis.tickformat == ".0%"
    # the values are a column in the right margin (outside the plot, so never on the target line)
    assert bar.textposition == "none"
    assert [(a.text, a.xref, a.x, a.xanchor) for a in fig.layout.annotations] == [
        ("31.9%", "paper", 1, "left"), ("10.0%", "paper", 1, "left"), ("c", "paper", 1, "left")]
    # the target: a line across the bars, named in the legend only
    assert fig.layout.shapes[0].x0 == 0.2
    assert [t.name for t in fig.data if t.type == "scatter"] == ["Target 20%"]


def _published(frame: pd.DataFrame):
    """A table as it comes from ui.data: through the disclosure policy (here: already prepared)."""
    from disclosure import disclose, prepared

    return disclose(frame, prepared(frame, by="this test"))


def test_bar_chart_all_empty_is_no_data():
    fig = charts.bar_chart(_published(pd.DataFrame({"g": [], "v": []})), category="g", value="v", unit="count")
    assert charts.is_no_data(fig)


def test_a_bar_chart_of_people_refuses_a_raw_frame():
    """Enforced by construction: counts and shares of people reach a chart only as a Disclosed."""
    raw = pd.DataFrame({"g": ["Male", "Female"], "v": [3, 40]})
    for unit in ("count", "percent"):
        with pytest.raises(TypeError, match="disclosure.Disclosed"):
            charts.bar_chart(raw, category="g", value="v", unit=unit)
    assert sorted(charts.bar_chart(_published(raw), category="g", value="v", unit="count").data[0].text) == ["3", "40"]


def test_histogram_draws_threshold_and_counts_over_it():
    frame = pd.DataFrame({"caseload_per_fte": [5, 12, 18, 21, 26]})
    fig = charts.histogram_with_threshold(frame, x="caseload_per_fte", threshold=20)
    assert isinstance(fig.data[0], go.Histogram)
    assert fig.layout.shapes[0].x0 == 20
    assert any("2 of 5 above" in t.name for t in fig.data[1:])
    assert not fig.layout.annotations  # the label is in the legend, not over the bars


def test_missing_column_is_a_named_error():
    with pytest.raises(charts.ChartError, match="lacks column"):
        charts.trend_chart(_monthly([1]), x="period", y="nope", name="x", unit="count")


def test_format_value():
    # one formatter app-wide (metrics.narrative): halves round away from zero, as people expect
    assert charts.format_value(0.2345, "rate") == "23.5%"
    assert charts.format_value(15.25, "caseload") == "15.2 cases per FTE" or \
        charts.format_value(15.25, "caseload") == "15.3 cases per FTE"
    assert charts.format_value(None, "rate") == "no data"
    assert charts.format_value("c", "rate") == "c"


def test_all_suppressed_trend_says_why():
    fig = charts.trend_chart(_monthly(["c", "c"]), x="period", y="value", name="x", unit="count")
    assert charts.is_no_data(fig)
    note = fig.layout.annotations[0].text
    assert "rests on fewer than 5 people or would let a smaller group" in note.replace("<br>", " ")
    assert all(len(line) <= charts.NOTE_WRAP for line in note.split("<br>")) and note.count("<br>") == 3


def test_partial_points_are_drawn_apart_and_named():
    frame = _monthly([0.02, 0.05, 0.11, 0.12]).assign(partial=[True, True, False, False])
    fig = charts.trend_chart(frame, x="period", y="value", name="Turnover", unit="rate")
    partial, full = fig.data[0], fig.data[1]
    assert partial.name == "Turnover: partial (under 12 months<br>loaded)"  # wrapped for a phone
    assert list(partial.y) == [0.02, 0.05] and partial.marker.symbol == "circle-open"
    assert list(full.y) == [0.11, 0.12] and full.marker.symbol == "circle"


def test_bars_that_are_only_zeros_and_c_say_why_instead_of_drawing_nothing():
    frame = pd.DataFrame({"band": ["a", "b", "c"], "n": [0, "c", "c"]})
    fig = charts.bar_chart(_published(frame), category="band", value="n", unit="count")
    assert charts.is_no_data(fig) and "rests on fewer than 5 people or would" in \
        fig.layout.annotations[0].text.replace("<br>", " ")


def test_comparison_is_clipped_to_our_months():
    ours = _monthly([15.0, 16.0], start="2024-01-01")
    england = pd.DataFrame({"period": pd.to_datetime(["2017-09-30", "2023-09-30", "2024-09-30"]),
                            "value": [16.0, 15.5, 15.2]})
    fig = charts.trend_chart(ours, x="period", y="value", name="Ours", unit="caseload",
                             comparison=england)
    eng = next(t for t in fig.data if t.name == "England")
    assert [pd.Timestamp(v).year for v in eng.x] == [2023, 2024]


def test_our_england_neighbour_and_target_lines_differ_in_colour_and_dash():
    ours = _monthly([0.14, 0.15, 0.144])
    england = pd.DataFrame({"period": pd.to_datetime(["2024-09-30"]), "value": [0.155]})
    neighbours = pd.DataFrame({"period": pd.to_datetime(["2024-09-30"]), "value": [0.12]})
    fig = charts.trend_chart(ours, x="period", y="value", name="Ours", unit="rate", target=0.15,
                             comparison=england, neighbours=neighbours)
    lines = {t.name.replace("<br>", " "): t for t in fig.data}  # long names wrap for a phone
    kinds = [lines["Ours"], lines["England"], lines["Statistical-neighbour median (30 September)"], lines["Target 15%"]]
    assert len({t.line.color.lower() for t in kinds}) == 4
    assert len({t.line.dash for t in kinds}) == 4
    # England was orange and the target vermillion: now the target is black
    assert lines["Target 15%"].line.color == charts.OKABE_ITO["black"]
    assert lines["England"].line.color == charts.OKABE_ITO["orange"]


def test_hidden_and_unloaded_months_are_labelled_grey_bands_and_break_the_line():
    frame = pd.DataFrame({
        "period": pd.to_datetime(["2025-01-31", "2025-02-28", "2025-03-31", "2025-05-31", "2025-06-30"]),
        "value": [0.10, "c", 0.12, 0.13, 0.14],
    })
    fig = charts.trend_chart(frame, x="period", y="value", name="Ours", unit="rate")
    assert fig.layout.meta["gaps"] == [{"kind": "hidden", "from": "2025-02", "to": "2025-02"},
                                       {"kind": "not_loaded", "from": "2025-04", "to": "2025-04"}]
    ours = next(t for t in fig.data if t.name == "Ours")
    ys = list(ours.y)
    assert len(ys) == 6 and pd.isna(ys[1]) and pd.isna(ys[3])  # the line breaks at both months
    assert ours.connectgaps is False
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(bands) == 2
    assert pd.Timestamp(bands[1].x0) < pd.Timestamp("2025-04-30") < pd.Timestamp(bands[1].x1)
    texts = sorted(a.text for a in fig.layout.annotations)
    assert texts == ["Hidden to protect individuals", "Not loaded"]
    legend = [t.name for t in fig.data]
    assert "Grey band: hidden to protect individuals" in legend and "Grey band: not loaded" in legend


def test_the_grey_band_legend_keeps_the_capitals_of_30_september():
    """The early-leaver rate reads "x" outside the year to 30 September (scrutiny's Turnover page):
    its months are a grey band, named once in the legend. The legend lower-cased the whole band
    words ("... for the year to 30 september"); only their first letter is lower-cased after
    "Grey band: ", so the month keeps its capital (and the other bands read as before)."""
    frame = pd.DataFrame({"period": pd.to_datetime(["2025-08-31", "2025-09-30", "2025-10-31", "2025-11-30"]),
                          "value": ["x", 0.25, "x", "c"]})
    fig = charts.trend_chart(frame, x="period", y="value", name="Ours", unit="rate")
    legend = [str(t.name).replace("<br>", " ") for t in fig.data]
    assert "Grey band: x: published for the year to 30 September" in legend, legend
    assert "Grey band: hidden to protect individuals" in legend
    assert not any("september" in n for n in legend)
    assert "x: published for the year to 30 September" in [a.text for a in fig.layout.annotations]


def test_names_from_data_cannot_inject_html_into_a_chart():
    frame = pd.DataFrame({"group": ["<b>Bold</b> & <a href='x'>link</a>", "%{y} team"], "value": [3, 2]})
    fig = charts.bar_chart(_published(frame), category="group", value="value", unit="count")
    # wrapped for a phone (at a space of the raw name), each line escaped
    assert list(fig.data[0].y) == ["&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;a<br>href='x'&gt;link&lt;/a&gt;",
                                   "%&#123;y} team"]
    assert "<b>" not in " ".join(a.text for a in fig.layout.annotations)
    assert charts.safe_text("A & B") == "A &amp; B"


def test_grouped_and_vertical_bars_leave_room_for_their_labels():
    frame = pd.DataFrame({"who": ["Staff", "Staff", "County", "County"], "g": ["A", "B", "A", "B"],
                          "v": [100.0, 40.0, 90.0, 60.0]})
    fig = charts.bar_chart(_published(frame), category="g", value="v", unit="percent", series="who")
    assert fig.layout.xaxis.range[1] >= 100.0 * 1.18  # "100.0%" outside its bar is not cut off
    assert list(fig.data[0].y) == ["A", "B"] and fig.data[0].textposition == "outside"
    vertical = charts.bar_chart(_published(pd.DataFrame({"b": ["0-5", "5-10"], "n": [7, 30]})), category="b",
                                value="n", unit="count", horizontal=False, sort=False)
    assert list(vertical.data[0].x) == ["0-5", "5-10"]  # an ordered scale keeps its order
    assert vertical.layout.yaxis.range[1] >= 30 * 1.18


def test_sparkline_has_a_fixed_scale_from_zero_and_the_target_band():
    """Worked by hand: 70 px tall, 2 px above and below, so a value v on the scale [0, top] is
    drawn at y = 2 + (top - v) / top * 66; the 300 units across are shared by the months."""
    flat = read_spark(charts.spark_svg([14.4, 14.5, 14.4], unit="percent", target=15.0, direction="lower"))
    assert flat["range"] == [0.0, 20.0]  # not 14.4-14.5: a wobble stays flat (15 x 1.25 -> 20)
    assert flat["viewBox"] == "0 0 300 70"
    assert flat["line"] == [(0, 20.48), (150, 20.15), (300, 20.48)]  # 14.4: 2 + 5.6 / 20 * 66; 14.5: 2 + 5.5 / 20 * 66
    assert flat["target"] == 18.5  # 15: 2 + 5 / 20 * 66
    assert flat["band"] == (18.5, 68.0)  # shaded from the target down to 0, where "at most 15%" is met
    higher = read_spark(charts.spark_svg([14.4, 14.5], unit="percent", target=10.0, direction="higher"))
    assert higher["band"] == (2.0, 35.0)  # from the top of the scale down to the target (10: 2 + 0.5 * 66)
    assert higher["line"] == [(0, 20.48), (300, 20.15)]
    none = read_spark(charts.spark_svg([1.0, 2.0], unit="count"))
    assert none["range"] == [0.0, 3.0] and "band" not in none and "target" not in none
    assert none["line"] == [(0, 46.0), (300, 24.0)]  # 2 + 2/3 * 66, 2 + 1/3 * 66
    assert "line" not in read_spark(charts.spark_svg([5.0], unit="count"))  # one point: no line
    # a month with no figure is left out: 5 and 6 on [0, 8] (6 x 1.25 -> 8), 2 + 3/8 * 66 and 2 + 2/8 * 66
    assert read_spark(charts.spark_svg([5.0, float("nan"), 6.0], unit="count"))["line"] == [(0, 26.75), (300, 18.5)]
    assert charts.spark_range([70, 72], "score") == [0.0, 100.0]
    assert charts.spark_range([15.1, 15.3], "caseload", 16) == [0.0, 20.0]


def test_long_titles_wrap_instead_of_running_off_a_phone():
    fig = charts.trend_chart(_monthly([1.0, 2.0]), x="period", y="value", name="x", unit="count",
                             title="Stability index: share of staff employed a year ago still here")
    assert "<br>" in fig.layout.title.text
    assert all(len(line) <= charts.TITLE_WRAP for line in fig.layout.title.text.split("<br>"))


def test_a_rolling_measure_before_a_year_is_loaded_says_so():
    frame = _monthly([None, None, 0.8, 0.82])
    fig = charts.trend_chart(frame, x="period", y="value", name="Stability", unit="rate")
    assert fig.layout.meta["gaps"] == [{"kind": "too_early", "from": "2025-01", "to": "2025-02"}]
    assert [a.text for a in fig.layout.annotations] == ["Not enough months loaded"]


def _every_builder() -> dict[str, go.Figure]:
    """One figure of each builder, with each of their parts drawn (target, target date,
    comparisons, projection, partial months, hidden and unloaded months, titles, bars grouped
    and vertical, hidden bars, a histogram, shares beside a reference, benchmarks)."""
    gaps = pd.DataFrame({"period": pd.to_datetime(["2025-01-31", "2025-02-28", "2025-03-31", "2025-05-31"]),
                         "value": [0.10, "c", 0.12, 0.13]})
    proj = _monthly([15.4, 15.2], start="2025-04-01").assign(low=[15.0, 14.6], high=[15.8, 15.8])
    point = pd.DataFrame({"period": pd.to_datetime(["2024-09-30"]), "value": [0.155]})
    shares = pd.DataFrame({"who": ["Our staff"] * 3, "band": ["White", "Mixed", "Not known"], "share": [80.0, "c", 5.0]})
    bench = pd.DataFrame({"indicator": ["agency_rate_fte"] * 2, "year": [2024, 2025], "la_value": [33.9, 18.3],
                          "region_value": [15.0, 14.0], "england_value": [14.9, 13.0], "sn_median": [20.0, None]})
    return {
        "trend": charts.trend_chart(_monthly([0.30, 0.28, 0.26]), x="period", y="value", name="Agency share",
                                    unit="rate", target=0.20, target_date=date(2026, 6, 30), comparison=point,
                                    neighbours=point, title="A long title that wraps for a phone, and then some"),
        "projection": charts.trend_chart(_monthly([15.0, 16.0, 15.5]), x="period", y="value", name="Ours",
                                         unit="caseload", projection=proj),
        "partial": charts.trend_chart(_monthly([0.02, 0.05, 0.11]).assign(partial=[True, True, False]),
                                      x="period", y="value", name="Turnover", unit="rate"),
        "gaps": charts.trend_chart(gaps, x="period", y="value", name="Ours", unit="rate"),
        "too early": charts.trend_chart(_monthly([None, None, 0.8]), x="period", y="value", name="x", unit="rate"),
        "bars": charts.bar_chart(pd.DataFrame({"group": ["A", "B", "C"], "value": [0.1, "c", 0.3]}),
                                 category="group", value="value", unit="rate", target=0.2),
        "grouped": charts.bar_chart(_published(pd.DataFrame({"who": ["Staff", "Staff", "County", "County"],
                                                             "g": ["A", "B", "A", "B"], "v": [100.0, 40.0, 90.0, 60.0]})),
                                    category="g", value="v", unit="percent", series="who"),
        "vertical": charts.bar_chart(_published(pd.DataFrame({"b": ["0-5", "5-10"], "n": [7, 30]})), category="b",
                                     value="n", unit="count", horizontal=False, sort=False),
        "histogram": charts.histogram_with_threshold(pd.DataFrame({"c": [5, 12, 21, 26]}), x="c", threshold=20),
        "shares": charts.stacked_share_chart(_published(shares), category="who", part="band", share="share",
                                             reference=pd.DataFrame({"band": ["White", "Mixed"], "share": [90.0, 10.0]})),
        "benchmarks": charts.benchmark_figure(bench, indicator="agency_rate_fte", unit="percent", la_name="Here",
                                              region_name="West Midlands",
                                              ours=pd.DataFrame({"indicator": ["agency_rate_fte"], "year": [2025],
                                                                 "published_value": [18.0]})),
        "no data": charts.no_data(),
    }


@pytest.mark.parametrize("kind", list(_every_builder()))
def test_every_builder_gives_the_figure_plotly_checks(kind):
    """The builders hand Plotly their figure unchecked (ui.charts._Spec.figure, for speed): it
    must be exactly the figure Plotly's checked construction makes of it (which refuses an
    unknown or invalid property, drops unset ones and coerces arrays), JSON for JSON."""
    import json

    import plotly.io as pio

    fig = _every_builder()[kind]
    checked = go.Figure(fig.to_dict())  # raises on an invalid property
    assert json.loads(pio.to_json(fig, validate=False)) == json.loads(pio.to_json(checked, validate=False))


