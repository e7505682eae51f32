"""Every sentence about a hidden figure ("c") says so in words, with the threshold in force and
without claiming a reason the page does not know (issue 10: "a caption that gives the true
reason"; a figure hidden to protect another is not "fewer than 5 people")."""

from datetime import date

import pandas as pd
import pytest

from tests.integration.test_published_history import stricter_rules


def test_a_hidden_card_names_both_reasons_with_the_threshold_in_force(tmp_path, monkeypatch):
    from ui import cards

    shipped = cards.card_model(label="Conversions", value="c", unit="count")
    assert shipped.note == ("Hidden to protect individuals (c): the figure rests on fewer than 5 people "
                            "or would let a smaller group be worked out.")
    stricter_rules(tmp_path, monkeypatch)
    stricter = cards.card_model(label="Conversions", value="c", unit="count")
    assert "fewer than 10 people" in stricter.note and "fewer than 5" not in stricter.note


@pytest.mark.parametrize("threshold", [5, 10])
def test_a_chart_with_nothing_left_to_draw_says_why_with_the_threshold(threshold, tmp_path, monkeypatch):
    from ui import charts

    if threshold == 10:
        stricter_rules(tmp_path, monkeypatch)
    months = pd.DataFrame({"period": pd.to_datetime(["2026-09-30", "2026-10-31"]), "value": ["c", "c"]})
    trend = charts.trend_chart(months, x="period", y="value", name="x", unit="count")
    note = trend.layout.annotations[0].text
    assert note.replace("<br>", " ") == (
        f"Not shown (c): each month's figure rests on fewer than {threshold} people or would let a "
        "smaller group be worked out.")
    # broken at word boundaries for a phone (390 px): a Plotly annotation never wraps
    assert note.split("<br>") == ["Not shown (c): each month's figure", f"rests on fewer than {threshold} people or",
                                  "would let a smaller group be", "worked out."]


def _series(values: list) -> pd.DataFrame:
    periods = pd.date_range("2025-10-31", periods=len(values), freq="ME")
    return pd.DataFrame({"period": [p.date() for p in periods], "value": values})


def test_a_chart_sentence_says_hidden_in_words_never_a_bare_c():
    from ui.data.alt import headcount_alt, trend_alt

    hidden_now = _series([0.45] + [0.5] * 11 + ["c"])
    assert trend_alt("early_leaver_rate_12m", None, label="Early leavers", series=hidden_now) == (
        "Early leavers was hidden to protect individuals (c) in October 2026, against 45.0% twelve "
        "months earlier.")
    hidden_then = _series(["c"] + [0.5] * 11 + [0.3])
    assert trend_alt("early_leaver_rate_12m", None, label="Early leavers", series=hidden_then) == (
        "Early leavers was 30.0% in October 2026, against a hidden figure (c) twelve months earlier.")
    assert headcount_alt(_series([143] + [150] * 11 + ["c"])) == (
        "Directly employed people in post: hidden to protect individuals (c) at the end of October "
        "2026, against 143 twelve months earlier.")
    assert date(2026, 10, 31) == hidden_now["period"].iloc[-1]
