"""Benchmarks glue: councils named as people say them; the chart keeps one series per comparison."""

from __future__ import annotations

import pandas as pd

from ui import charts
from ui.benchmarks import display_name


def test_dfe_names_read_as_people_say_them():
    assert display_name("Herefordshire, County of") == "Herefordshire"
    assert display_name("Bristol, City of") == "City of Bristol"
    assert display_name("Kingston upon Hull, City of") == "City of Kingston upon Hull"
    assert display_name("Shropshire") == "Shropshire"
    assert display_name("City of London") == "City of London"
    assert display_name("  Telford and Wrekin ") == "Telford and Wrekin"


def test_benchmark_figure_draws_each_comparison_and_our_star():
    frame = pd.DataFrame({"indicator": ["agency_rate_fte"] * 2, "year": [2024, 2025],
                          "la_value": [33.9, 18.3], "region_value": [15.0, 14.0],
                          "england_value": [14.9, 13.0], "sn_median": [20.0, None]})
    ours = pd.DataFrame({"indicator": ["agency_rate_fte"], "year": [2025], "published_value": [18.0]})
    fig = charts.benchmark_figure(frame, indicator="agency_rate_fte", unit="percent",
                                  la_name="Herefordshire", region_name="West Midlands", ours=ours)
    names = [t.name for t in fig.data]
    assert names == ["Herefordshire", "West Midlands", "England", "Statistical neighbours (median)",
                     "Our own figure at 30 September"]
    assert list(fig.data[2].y) == [14.9, 13.0]
    assert len({t.marker.symbol for t in fig.data}) == 5  # never colour alone
    # the x-axis title is below the plot, so the legend goes above it (below, the two overlapped)
    assert fig.layout.xaxis.title.text == "Year (figures at 30 September)"
    assert (fig.layout.legend.yanchor, fig.layout.legend.y) == ("bottom", 1.02)
    empty = charts.benchmark_figure(frame, indicator="caseload_fte", unit="cases per FTE",
                                    la_name="Herefordshire", region_name=None)
    assert charts.is_no_data(empty)
