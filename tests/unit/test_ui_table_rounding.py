"""The page tables print a rate to one decimal half away from zero, as the cards do.

5 early leavers of 16 is 31.25%: the cards print 31.3% (metrics.units.format_number); Python's
round would give 31.2 in the tables beside them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from metrics.units import format_number
from ui.data import breakdowns, measures

FIVE_OF_SIXTEEN = 5 / 16


@pytest.fixture(autouse=True)
def _exact_role(monkeypatch):
    """A role that sees exact figures (leadership), without a signed-in session."""
    for mod in (measures, breakdowns):
        monkeypatch.setattr(mod, "is_suppressed", lambda *a, **k: False)
    monkeypatch.setattr(breakdowns, "current_role", lambda: "leadership")


def _published(n: int) -> dict:
    return {"published_hidden": [False] * n, "published_reason": [None] * n,
            "published_not_available": [False] * n}


def test_the_measures_table_prints_5_of_16_as_the_card_does():
    rows = pd.DataFrame({
        "metric_id": ["early_leaver_rate_12m", "agency_rate_fte"], "label": ["Early leavers", "Agency share"],
        "value": [FIVE_OF_SIXTEEN, 0.0125], "unit": ["rate", "rate"], "target": [None, None],
        "direction": ["lower_is_better"] * 2, "status": ["no_target"] * 2, "partial": [False, False],
        "months_covered": [12, 1], "change_on_year": [None, None], "base_count": [16.0, 80.0], **_published(2)})
    shown = measures.measures_table(rows).shown
    assert shown["Value"].tolist() == [31.3, 1.3]
    assert format_number(FIVE_OF_SIXTEEN, "rate") == "31.3%"  # the card beside it


def test_the_breakdown_table_prints_5_of_16_as_the_card_does():
    frame = pd.DataFrame({
        "group": ["Safeguarding", "Youth"], "value": [FIVE_OF_SIXTEEN, 0.0625], "base_count": [16.0, 16.0],
        "target": [None, None], "status": ["no_target"] * 2, "partial": [False, False],
        "months_covered": [12, 12], **_published(2),
        # the people each figure rests on (ui.data.breakdowns._breakdown; for the captions only)
        "value_rests_on": [(16.0, 5.0, 11.0), (16.0, 1.0, 15.0)], "people_rests_on": [(16.0,), (16.0,)]})
    shown = breakdowns.breakdown_table(frame, metric_id="early_leaver_rate_12m", by="service").shown
    assert shown.iloc[:, 1].tolist() == [31.3, 6.3]
