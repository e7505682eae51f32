"""Projection to target on constructed series whose answers are known in advance."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from metrics.projection import Projection, ProjectionError, month_name, project


def months(start: str, n: int) -> list[date]:
    return [p.to_timestamp().date() for p in pd.period_range(start, periods=n, freq="M")]


def test_exact_line_reaches_target_in_the_known_month_with_the_example_message():
    # 0.37 in Oct 2024 falling 1 point a month: Sep 2025 = 0.26, 0.20 six months later (Mar 2026)
    periods = months("2024-10", 12)
    values = [0.37 - 0.01 * i for i in range(12)]
    p = project(periods=periods, values=values, target=0.20, direction="lower",
                target_date=date(2026, 6, 30), target_label="the 80:20 target")
    assert isinstance(p, Projection)
    assert p.slope_per_month == pytest.approx(-0.01)
    assert p.intercept == pytest.approx(0.26)
    assert p.reach_period == date(2026, 3, 1)
    # no noise: the interval collapses onto the line
    assert p.earliest_period == p.latest_period == date(2026, 3, 1)
    assert p.reached_already is False
    assert p.met_by_target_date is True
    assert p.trend == "improving"
    assert p.message == (
        "On the current trend the 80:20 target is reached in March 2026, before the June 2026 deadline."
    )
    assert p.value_at_target_date == pytest.approx(0.17)


def test_crossing_between_months_gives_the_first_month_at_or_past_the_target():
    # last value 0.25, falling 2 points a month: 0.20 after 2.5 months -> third month
    periods = months("2025-01", 6)
    values = [0.35 - 0.02 * i for i in range(6)]   # Jan 0.35 ... Jun 0.25
    p = project(periods=periods, values=values, target=0.20, direction="lower",
                target_date="2025-08-31")
    assert p.reach_period == date(2025, 9, 1)
    assert p.met_by_target_date is False
    assert "after the August 2025 deadline" in p.message


def test_higher_is_better_series_reaches_target_going_up():
    periods = months("2025-01", 12)
    values = [0.50 + 0.02 * i for i in range(12)]   # Dec 2025 = 0.72; 0.80 four months on
    p = project(periods=periods, values=values, target=0.80, direction="higher")
    assert p.reach_period == date(2026, 4, 1)
    assert p.met_by_target_date is None       # no deadline given
    assert p.message == "On the current trend the target is reached in April 2026."


def test_wrong_way_trend_is_not_reached():
    periods = months("2025-01", 12)
    values = [0.25 + 0.005 * i for i in range(12)]
    p = project(periods=periods, values=values, target=0.20, direction="lower",
                target_date="2026-06-30", target_label="the 80:20 target")
    assert p.reach_period is None
    assert p.trend == "worsening"
    assert p.met_by_target_date is False
    assert p.message == (
        "On the current trend the 80:20 target is not reached (the trend is moving away from it)."
    )
    assert not p.reachable


def test_flat_trend_is_not_reached():
    p = project(periods=months("2025-01", 12), values=[0.3] * 12, target=0.2, direction="lower")
    assert p.slope_per_month == pytest.approx(0.0)
    assert p.trend == "flat"
    assert p.reach_period is None
    assert "not reached (the trend is flat)" in p.message


def test_too_few_points_says_so_and_does_not_guess():
    p = project(periods=months("2025-01", 2), values=[0.3, 0.28], target=0.2, direction="lower")
    assert p.n_points == 2
    assert p.reach_period is None and p.slope_per_month is None
    assert "at least 3" in p.message
    none = project(periods=[], values=[], target=0.2, direction="lower")
    assert none.n_points == 0 and none.message == "There is no data to show a trend."


def test_missing_values_are_left_out_not_treated_as_zero():
    periods = months("2024-10", 12)
    values: list[float | None] = [0.37 - 0.01 * i for i in range(12)]
    values[3] = None
    values[7] = float("nan")
    p = project(periods=periods, values=values, target=0.20, direction="lower")
    assert p.n_points == 10
    assert p.slope_per_month == pytest.approx(-0.01)
    assert p.reach_period == date(2026, 3, 1)


def test_only_the_last_window_months_are_fitted():
    # rising for a year, then falling exactly for the last 12 months
    periods = months("2023-10", 24)
    values = [0.20 + 0.01 * i for i in range(12)] + [0.37 - 0.01 * i for i in range(12)]
    p = project(periods=periods, values=values, target=0.20, direction="lower")
    assert p.slope_per_month == pytest.approx(-0.01)
    assert p.reach_period == date(2026, 3, 1)
    assert p.fitted["period"].iloc[0] == pd.Timestamp("2024-10-01")


def test_unsorted_text_periods_are_read_as_months():
    periods = ["2025-03", "2025-01", "2025-02", "2025-04"]
    values = [0.30, 0.32, 0.31, 0.29]
    p = project(periods=periods, values=values, target=0.25, direction="lower")
    assert p.slope_per_month == pytest.approx(-0.01)
    assert p.reach_period == date(2025, 8, 1)


def test_already_met():
    p = project(periods=months("2025-01", 6), values=[0.3, 0.27, 0.25, 0.22, 0.2, 0.18],
                target=0.20, direction="lower", target_date="2026-06-30",
                target_label="the 80:20 target")
    assert p.reached_already is True
    assert p.reach_period == date(2025, 6, 1)
    assert p.met_by_target_date is True
    assert p.message == "The 80:20 target is met already."


def test_noisy_series_interval_matches_textbook_formula_and_contains_the_truth():
    rng = np.random.default_rng(7)
    periods = months("2024-10", 12)
    true = np.array([0.37 - 0.01 * i for i in range(12)])
    values = true + rng.normal(0, 0.01, 12)
    p = project(periods=periods, values=values, target=0.20, direction="lower",
                target_date="2026-06-30")
    # independent computation of the 80% prediction interval at the target date (June 2026)
    x = np.arange(-11, 1, dtype=float)
    b, a = np.polyfit(x, values, 1)
    s = math.sqrt(np.sum((values - (a + b * x)) ** 2) / 10)
    k = 9.0
    half = stats.t.ppf(0.9, 10) * s * math.sqrt(1 + 1 / 12 + (k - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    assert p.value_at_target_date == pytest.approx(a + b * k)
    assert p.interval_low == pytest.approx(a + b * k - half)
    assert p.interval_high == pytest.approx(a + b * k + half)
    # the true crossing month (March 2026) lies between the earliest and latest months
    assert p.earliest_period <= date(2026, 3, 1) <= p.latest_period
    assert p.earliest_period < p.latest_period
    assert "prediction interval" in p.interval_message


def test_prediction_interval_covers_new_observations_at_its_stated_level():
    rng = np.random.default_rng(2024)
    periods = months("2024-10", 12)
    true = np.array([0.37 - 0.01 * i for i in range(12)])
    hits = 0
    trials = 1500
    for _ in range(trials):
        values = true + rng.normal(0, 0.02, 12)
        p = project(periods=periods, values=values, target=0.20, direction="lower",
                    target_date="2026-06-30")
        new = 0.37 - 0.01 * 20 + rng.normal(0, 0.02)    # June 2026, a new observation
        hits += p.interval_low <= new <= p.interval_high
    assert 0.77 <= hits / trials <= 0.83


def test_true_crossing_month_is_inside_the_range_most_of_the_time():
    rng = np.random.default_rng(11)
    periods = months("2024-10", 12)
    true = np.array([0.37 - 0.01 * i for i in range(12)])
    inside = 0
    for _ in range(400):
        p = project(periods=periods, values=true + rng.normal(0, 0.01, 12), target=0.20,
                    direction="lower")
        if p.earliest_period and p.latest_period and p.earliest_period <= date(2026, 3, 1) <= p.latest_period:
            inside += 1
    assert inside / 400 >= 0.8


def test_fitted_frame_runs_from_window_start_to_the_deadline_for_charts():
    periods = months("2024-10", 12)
    values = [0.37 - 0.01 * i for i in range(12)]
    p = project(periods=periods, values=values, target=0.20, direction="lower",
                target_date="2026-06-30")
    f = p.fitted
    assert list(f.columns) == ["period", "fitted", "low", "high"]
    assert f["period"].iloc[0] == pd.Timestamp("2024-10-01")
    assert f["period"].iloc[-1] == pd.Timestamp("2026-06-01")
    assert len(f) == 21
    assert (f["low"] <= f["fitted"] + 1e-12).all() and (f["fitted"] <= f["high"] + 1e-12).all()
    assert f.loc[f["period"] == pd.Timestamp("2026-03-01"), "fitted"].iloc[0] == pytest.approx(0.20)


def test_bad_inputs_raise_named_errors():
    with pytest.raises(ProjectionError, match="same length"):
        project(periods=months("2025-01", 3), values=[1, 2], target=0, direction="lower")
    with pytest.raises(ProjectionError, match="direction"):
        project(periods=months("2025-01", 3), values=[1, 2, 3], target=0, direction="down")
    with pytest.raises(ProjectionError, match="only once"):
        project(periods=["2025-01", "2025-01", "2025-02"], values=[1, 2, 3], target=0, direction="lower")
    with pytest.raises(ProjectionError, match="not a month"):
        project(periods=["January", "2025-01", "2025-02"], values=[1, 2, 3], target=0, direction="lower")


def test_no_target_still_describes_the_trend():
    p = project(periods=months("2025-01", 6), values=[1, 2, 3, 4, 5, 6], target=None, direction="higher")
    assert p.slope_per_month == pytest.approx(1.0)
    assert p.reach_period is None
    assert p.message == "No target is set; the trend is improving."


def test_month_name():
    assert month_name(date(2026, 3, 1)) == "March 2026"
    assert month_name(None) == ""


def test_engine_style_nullable_series_are_accepted():
    values = pd.array([0.30, None, 0.28, 0.27, 0.26], dtype="Float64")
    periods = pd.Series(pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01"]))
    p = project(periods=periods, values=values, target=0.2, direction="lower")
    assert p.n_points == 4
    assert p.slope_per_month == pytest.approx(-0.01)
    assert p.reach_period == date(2025, 11, 1)
