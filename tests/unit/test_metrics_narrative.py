"""Plain-English sentences: the issue's example word for word, and every caveat."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from metrics.catalogue import CATALOGUE
from metrics.narrative import format_change, format_value, paragraph, sentence
from metrics.projection import project
from metrics.types import Metric, Target


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+(?=[A-Z0-9])", text) if s]


def test_the_issue_example_exactly():
    text = sentence(metric="agency_rate_fte", value=0.183, target=0.20, status="green",
                    year_ago_value=0.339)
    assert text == (
        "Agency workers are 18.3% of social-worker FTE, within the 80:20 target; "
        "15.6 points lower than a year ago."
    )


def test_status_is_worked_out_when_not_given_and_metric_objects_work():
    m = CATALOGUE["agency_rate_fte"]
    assert sentence(metric=m, value=0.183, target=0.20, status=None, year_ago_value=0.339) == (
        "Agency workers are 18.3% of social-worker FTE, within the 80:20 target; "
        "15.6 points lower than a year ago."
    )


def test_red_with_projection_adds_the_projection_message():
    periods = [p.to_timestamp().date() for p in pd.period_range("2024-10", periods=12, freq="M")]
    proj = project(periods=periods, values=[0.37 - 0.01 * i for i in range(12)], target=0.20,
                   direction="lower", target_date=date(2026, 6, 30), target_label="the 80:20 target")
    text = sentence(metric="agency_rate_fte", value=0.26, target=0.20, status="red",
                    year_ago_value=0.38, projection=proj)
    assert text == (
        "Agency workers are 26.0% of social-worker FTE, above the 80:20 target; 12.0 points lower "
        "than a year ago. On the current trend the 80:20 target is reached in March 2026, before "
        "the June 2026 deadline."
    )


def test_green_does_not_repeat_the_projection():
    periods = ["2025-01", "2025-02", "2025-03"]
    proj = project(periods=periods, values=[0.25, 0.22, 0.19], target=0.2, direction="lower")
    text = sentence(metric="agency_rate_fte", value=0.19, target=0.2, status="green", projection=proj)
    assert text == "Agency workers are 19.0% of social-worker FTE, within the 80:20 target."


def test_amber_and_england_target_and_partial_window():
    tgt = Target(metric_id="turnover_rate_fte_12m", value=0.118, direction="lower", amber_band=0.03,
                 source="England 2025 (DfE): turnover rate 11.8%")
    text = sentence(metric="turnover_rate_fte_12m", value=0.14, target=tgt, status="amber",
                    year_ago_value=0.12, months_covered=7)
    assert text == (
        "Turnover in the last 12 months is 14.0% of social-worker FTE (covering only 7 of 12 months, "
        "too few to judge against a target); 2.0 points higher than a year ago."
    )


def test_full_window_has_no_caveat_and_non_window_metric_ignores_months():
    full = sentence(metric="turnover_rate_fte_12m", value=0.1, target=0.118, status="green",
                    months_covered=12)
    assert "covers" not in full
    assert "covers" not in sentence(metric="agency_rate_fte", value=0.1, target=0.2, months_covered=1)


def test_higher_is_better_wording():
    assert sentence(metric="permanent_team_manager_rate", value=0.75, target=0.8, status="red") == (
        "75.0% of team manager FTE is directly employed, below the target (80%)."
    )
    assert sentence(metric="permanent_team_manager_rate", value=0.85, target=0.8, status=None) == (
        "85.0% of team manager FTE is directly employed, meeting the target (80%)."
    )


def test_caseload_and_counts_and_scope_label():
    assert sentence(metric="avg_caseload", value=16.24, target=15.2, status="red",
                    year_ago_value=17.3, unit_scope_label="staff") == (
        "The average staff caseload is 16.2 cases per FTE, above the target (15.2 cases per FTE); "
        "1.1 cases per FTE lower than a year ago."
    )
    assert sentence(metric="agency_conversions_12m", value=1, target=None, status="grey",
                    year_ago_value=4) == (
        "1 agency worker became an employee in the last 12 months (no target set); 3 fewer than a year ago."
    )


def test_no_target_no_data_and_suppressed():
    assert sentence(metric="agency_cover_rate", value=0.469, target=None, status="grey") == (
        "Agency workers cover 46.9% of vacant social-worker FTE (no target set)."
    )
    assert sentence(metric="agency_rate_fte", value=None, target=0.2, status="grey") == (
        "Agency share of FTE: no data for this period."
    )
    assert sentence(metric="agency_rate_fte", value=float("nan"), target=0.2) == (
        "Agency share of FTE: no data for this period."
    )
    for kwargs in ({"value": 0.3, "suppressed": True}, {"value": "c"}):
        assert sentence(metric="agency_rate_fte", target=0.2, status="red", **kwargs) == (
            "Agency share of FTE is hidden to protect individuals (c)."
        )


def test_same_as_a_year_ago():
    assert sentence(metric="agency_rate_fte", value=0.2004, target=0.2, status="amber",
                    year_ago_value=0.2001).endswith("; the same as a year ago.")


def test_metric_constructed_in_the_test_uses_its_label():
    m = Metric(id="x_rate", label="Widget rate", description="", theme="Your wellbeing",
               numerator="", denominator="", unit="rate", direction="lower", window_months=None,
               definition="")
    assert sentence(metric=m, value=0.5, target=0.4, status="red") == (
        "Widget rate is 50.0%, above the target (40%)."
    )


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("agency_rate_fte", 0.183, "18.3%"),
        ("agency_rate_fte", 0.18349, "18.3%"),
        ("agency_rate_fte", 0.00049, "0.0%"),
        ("agency_rate_fte", 1, "100.0%"),
        ("avg_caseload", 13.65, "13.7 cases per FTE"),
        ("avg_caseload", 15, "15.0 cases per FTE"),
        ("training_completions_12m", 1234.4, "1,234"),
        ("agency_conversions_12m", 3, "3"),
        ("engagement_score", 71.6, "72 out of 100"),
        ("agency_rate_fte", "c", "c"),
        ("agency_rate_fte", None, "no data"),
        ("agency_rate_fte", pd.NA, "no data"),
    ],
)
def test_format_value(metric, value, expected):
    assert format_value(metric, value) == expected


def test_format_value_short_and_change():
    assert format_value("avg_caseload", 13.6, short=True) == "13.6"
    assert format_change("agency_rate_fte", -0.156) == "15.6 points lower"
    assert format_change("avg_caseload", 0.94) == "0.9 cases per FTE higher"
    assert format_change("training_completions_12m", -12) == "12 fewer"
    assert format_change("agency_rate_fte", None) == ""


def evaluated_frame() -> pd.DataFrame:
    rows = [
        ("agency_rate_fte", 0.26, 0.20, "red", 0.38, None),
        ("vacancy_rate_fte", 0.30, 0.142, "red", 0.28, None),
        ("turnover_rate_fte_12m", 0.13, 0.118, "amber", 0.15, 9),
        ("avg_caseload", 14.0, 15.2, "green", 15.0, None),
        ("absence_rate", 0.03, 0.035, "green", 0.04, None),
        ("permanent_team_manager_rate", 0.85, 0.8, "green", 0.7, None),
        ("agency_cover_rate", 0.5, None, "grey", 0.4, None),
    ]
    frame = pd.DataFrame(rows, columns=["metric_id", "value", "target", "status", "year_ago_value",
                                        "months_covered"])
    frame["group"] = None
    frame["scope"] = "social_workers"
    team = frame.iloc[[0]].assign(group="Team A", value=0.9)   # breakdown rows are ignored
    return pd.concat([frame, team], ignore_index=True)


def test_paragraph_leads_with_80_20_and_has_3_to_5_sentences():
    periods = [p.to_timestamp().date() for p in pd.period_range("2024-10", periods=12, freq="M")]
    proj = project(periods=periods, values=[0.37 - 0.01 * i for i in range(12)], target=0.20,
                   direction="lower", target_date=date(2026, 6, 30), target_label="the 80:20 target")
    text = paragraph(evaluated_frame(), projection=proj)
    parts = sentences(text)
    assert 3 <= len(parts) <= 5
    assert parts[0] == (
        "Agency workers are 26.0% of social-worker FTE, above the 80:20 target; 12.0 points lower "
        "than a year ago."
    )
    assert parts[1].startswith("On the current trend the 80:20 target is reached in March 2026")
    assert "Of the 6 measures with a target, 3 meet it, 1 is close and 2 are off target." in parts
    assert parts[3].startswith("Vacant posts are 30.0%")          # the red one before the amber
    assert "90.0%" not in text                                   # team rows not used


def test_paragraph_when_everything_is_green_and_when_empty():
    frame = evaluated_frame()
    frame["status"] = frame["status"].replace({"red": "green", "amber": "green"})
    text = paragraph(frame)
    assert "Of the 6 measures with a target, 6 meet it." in text
    assert 3 <= len(sentences(text)) <= 5
    assert paragraph(frame.iloc[0:0]) == (
        "There is no data for this period yet: upload a monthly workforce extract."
    )


def test_direction_of_travel_is_judged_against_the_measures_own_variation():
    from metrics.narrative import travel

    wobble = [0.30, 0.31, 0.29, 0.30, 0.31, 0.29, 0.30, 0.31, 0.29, 0.30, 0.31, 0.29, 0.31]
    assert travel(wobble, direction="higher") == "Steady"     # +1 point, monthly moves of 1-2 points
    rising = [0.20 + 0.01 * i for i in range(13)]           # +12 points, 1 a month: a real rise
    assert travel(rising, direction="higher") == "Better"
    assert travel(rising, direction="lower") == "Worse"
    assert travel(rising, direction=None) == "Rising"
    assert travel(rising[:6], direction="higher") == "Not enough data"
    flat = [5.0] * 13
    assert travel(flat, direction="lower") == "Steady"
    assert travel(["c"] * 13, direction="lower") == "Not enough data"


def test_gap_to_a_benchmark_in_words():
    from metrics.narrative import compare_words

    # the issue's case: agency 18.3% against a statistical-neighbour median of 8.7%
    assert compare_words(value=0.183, other=0.087, unit="rate", direction="lower",
                         name="the neighbours' median") == "9.6 points higher than the neighbours' median (8.7%): worse"
    assert compare_words(value=13.6, other=15.2, unit="caseload", direction="lower", name="England") == (
        "1.6 cases per FTE lower than England (15.2 cases per FTE): better")
    assert compare_words(value=0.1, other=None, unit="rate", direction="lower", name="England") is None
