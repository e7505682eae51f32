"""The two metrics added through declarations alone (issue 9): starters_fte_12m and
long_running_agency_rate, against values worked out by hand on a small real DuckDB store.

September 2025: d = 30 Sep 2025; "the 12 months to d" is after 30 Sep 2024, up to 30 Sep 2025.
Y = qualified social worker.

id  team qsw type       fte  start        starter?                      long-running agency?
e1  A    Y   Permanent  1.0  2024-10-01   yes (after 30 Sep 2024)
e2  A    Y   Permanent  0.6  2024-09-30   no (the month end a year ago)
e3  B    Y   Fixed-term 0.5  2025-09-30   yes (on d itself)
e4  B    Y   Casual     0.4  2020-01-01   no
n1  C    N   Permanent  1.0  2025-03-01   yes (all staff only)
g1  A    Y   Agency     1.0  2024-09-29                                  yes (29 Sep 2025 < 30 Sep)
g2  A    Y   Agency     0.8  2024-09-30                                  no (exactly 12 months)
g3  B    Y   Agency     0.5  2025-06-01                                  no
g5  B    Y   Agency     0.2  2024-10-01   no (agency is not a starter)   no
g4  C    N   Agency     1.0  2023-01-01                                  yes (all staff only)

August 2025 holds e1 alone (no agency at all): long-running agency share has no data (NULL).
"""

from __future__ import annotations

import pandas as pd
import pytest

from store import connect
from metrics import engine, narrative
from metrics.catalogue import get
from tests.integration.test_metrics_engine import insert_staff, row, value

SEP, AUG = "2025-09-01", "2025-08-01"


def _person(period, eid, team, qsw, kind, fte, start):
    return (period, eid, team, "S", "Social worker", qsw, kind, fte, start, None, None, None, None, None, None)


@pytest.fixture
def store(tmp_db):
    con = connect(tmp_db)
    insert_staff(con, [
        _person(SEP, "e1", "A", True, "Permanent", 1.0, "2024-10-01"),
        _person(SEP, "e2", "A", True, "Permanent", 0.6, "2024-09-30"),
        _person(SEP, "e3", "B", True, "Fixed-term", 0.5, "2025-09-30"),
        _person(SEP, "e4", "B", True, "Casual", 0.4, "2020-01-01"),
        _person(SEP, "n1", "C", False, "Permanent", 1.0, "2025-03-01"),
        _person(SEP, "g1", "A", True, "Agency", 1.0, "2024-09-29"),
        _person(SEP, "g2", "A", True, "Agency", 0.8, "2024-09-30"),
        _person(SEP, "g3", "B", True, "Agency", 0.5, "2025-06-01"),
        _person(SEP, "g5", "B", True, "Agency", 0.2, "2024-10-01"),
        _person(SEP, "g4", "C", False, "Agency", 1.0, "2023-01-01"),
        _person(AUG, "e1", "A", True, "Permanent", 1.0, "2024-10-01"),
    ])
    yield con
    con.close()


def test_starters_fte_12m(store):
    f = engine.compute(store, period="2025-09", metric_ids=["starters_fte_12m"])
    r = row(f, "starters_fte_12m")
    # starters e1 1.0 + e3 0.5 = 1.5 FTE; employed e1 1.0 + e2 0.6 + e3 0.5 + e4 0.4 = 2.5 FTE
    assert r["numerator"] == pytest.approx(1.5) and r["denominator"] == pytest.approx(2.5)
    assert r["value"] == pytest.approx(0.6)
    assert r["base_count"] == 4  # four employed social workers
    assert not r["partial"] and pd.isna(r["months_covered"])  # one month's extract: never partial
    everyone = engine.compute(store, period="2025-09", scope="all_staff", metric_ids=["starters_fte_12m"])
    # + n1 (1.0, started March 2025): 2.5 / 3.5
    assert value(everyone, "starters_fte_12m") == pytest.approx(2.5 / 3.5)
    by_team = engine.compute(store, period="2025-09", by="team", metric_ids=["starters_fte_12m"])
    assert value(by_team, "starters_fte_12m", group="A") == pytest.approx(1.0 / 1.6)  # e1 of e1+e2
    assert value(by_team, "starters_fte_12m", group="B") == pytest.approx(0.5 / 0.9)  # e3 of e3+e4
    assert set(by_team["group"]) == {"A", "B"}
    # August: e1 started 1 Oct 2024, after 31 Aug 2024
    assert value(engine.compute(store, period="2025-08", metric_ids=["starters_fte_12m"]),
                 "starters_fte_12m") == pytest.approx(1.0)


def test_long_running_agency_rate(store):
    f = engine.compute(store, period="2025-09", metric_ids=["long_running_agency_rate"])
    r = row(f, "long_running_agency_rate")
    # agency FTE g1 1.0 + g2 0.8 + g3 0.5 + g5 0.2 = 2.5; over 12 months: g1 only
    assert r["numerator"] == pytest.approx(1.0) and r["denominator"] == pytest.approx(2.5)
    assert r["value"] == pytest.approx(0.4)
    assert r["base_count"] == 4
    everyone = engine.compute(store, period="2025-09", scope="all_staff", metric_ids=["long_running_agency_rate"])
    assert value(everyone, "long_running_agency_rate") == pytest.approx(2.0 / 3.5)  # + g4
    by_team = engine.compute(store, period="2025-09", by="team", metric_ids=["long_running_agency_rate"])
    assert value(by_team, "long_running_agency_rate", group="A") == pytest.approx(1.0 / 1.8)
    assert value(by_team, "long_running_agency_rate", group="B") == 0.0
    # August has no agency workers: no data, not 0
    aug = engine.compute(store, period="2025-08", metric_ids=["long_running_agency_rate"])
    assert value(aug, "long_running_agency_rate") is None


def test_declared_words_reach_the_sentence_and_the_dfe_mapping():
    assert narrative.sentence(metric="starters_fte_12m", value=0.6) == (
        "Staff who started in the last 12 months are 60.0% of social-worker employed FTE (no target set).")
    assert narrative.sentence(metric="long_running_agency_rate", value=0.4) == (
        "40.0% of social-worker agency FTE has been on assignment for more than a year (no target set).")
    starters = get("starters_fte_12m")
    assert (starters.dfe_indicator, starters.dfe_compare, starters.dfe_unit) == ("starters_fte", "numerator", "fte")
    assert get("long_running_agency_rate").dfe_indicator is None
