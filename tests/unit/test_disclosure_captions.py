"""Issue 10: "a caption that gives the true reason", on tables whose rows the policy decided
(disclosure.policy.published_rows: the drill's tables by job type and by service, "what changed").

Each hidden cell is captioned by what it rests on, not by its row's reason: worked by hand below.
"""

from __future__ import annotations

import pandas as pd

from disclosure import SUPPRESSED, rules
from disclosure.policy import published_rows, rests_on

T = rules().threshold


def _drill(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Job type", "Rate (%)", "People", "Small group", "Status"])


def test_each_hidden_cell_of_a_decided_row_is_captioned_by_what_it_rests_on():
    """Four rows hidden by the policy's decision on their measure (threshold 5):
    - A: 1 leaver (FTE) among 8 people, hidden as "secondary" with its service: the rate rests on
      1 leaver, so it is "fewer than 5 people"; its People 8 and its Status are not.
    - B: 13 of 15 stayed, hidden as "primary" (the rest, 2 who left, is few): the rate is primary;
      its People 15 is not few: secondary (the error was "fewer than 5 people" on all four).
    - C: 2 people: rate and People primary; Status counts nobody: secondary.
    - D: 0 of 9 from an ethnic minority, hidden as "class": every cell says so.
    - E: shown.
    Primary: A's rate, B's rate, C's rate and People = 4. Class: D's rate, People, Small group,
    Status = 4. Secondary: A's People, Small group, Status; B's People, Small group, Status; C's
    Small group, Status = 8. 16 hidden cells in all (4 rows x 4 columns)."""
    table = _drill([("A", 12.5, 8, "Yes", "No target"), ("B", 86.7, 15, "—", "No target"),
                    ("C", 100.0, 2, "Yes", "No target"), ("D", 0.0, 9, "Yes", "No target"),
                    ("E", 40.0, 60, "—", "On target")])
    sizes = {"Rate (%)": [(8.0, 1.0), (15.0, 13.0, 2.0), (2.0, 2.0, 0.0), (9.0, 0.0, 9.0), (60.0, 24.0, 36.0)],
             "People": [(8.0,), (15.0,), (2.0,), (9.0,), (60.0,)]}
    cols = ("Rate (%)", "People", "Small group", "Status")
    out = published_rows(table, hidden=[True, True, True, True, False],
                         reasons=["secondary", "primary", "primary", "class", None],
                         columns=cols, exact=False, sizes=sizes)
    why = out.reasons
    assert why["Rate (%)"].tolist() == ["primary", "primary", "primary", "class", None]
    assert why["People"].tolist() == ["secondary", "secondary", "primary", "class", None]
    assert why["Small group"].tolist() == ["secondary", "secondary", "secondary", "class", None]
    assert why["Status"].tolist() == ["secondary", "secondary", "secondary", "class", None]
    assert out.published.iloc[:4][list(cols)].eq(SUPPRESSED).all().all()
    assert out.published.iloc[4].tolist() == ["E", 40.0, 60, "—", "On target"]
    assert out.caption(published=True) == (
        "c: 4 figures fewer than 5 people; 4 figures everyone in a small group gave the same answer; "
        "8 figures hidden so that a small group cannot be worked out from the other figures.")
    # without sizes, the row's reason on every cell (what the drill's tables said before)
    before = published_rows(table, hidden=[True, True, True, True, False],
                            reasons=["secondary", "primary", "primary", "class", None], columns=cols, exact=False)
    assert before.hidden_count() == {"secondary": 4, "primary": 8, "class": 4}


def test_the_people_a_measure_rests_on():
    """Turnover (FTE): its base and its leavers' FTE (2.7 FTE of 8 people); stability (a headcount
    rate): base, stayers and the rest (13 of 15: 2 left); average caseload: its case holders only
    (its numerator is cases); a count measure: its value too."""
    assert rests_on("turnover_rate_fte_12m", value=33.8, numerator=2.7, denominator=8.0, base_count=8) == (8.0, 2.7)
    assert rests_on("stability_index_12m", value=86.7, numerator=13, denominator=15, base_count=15) == (15.0, 13.0, 2.0)
    assert rests_on("avg_caseload", value=17.5, numerator=350, denominator=20, base_count=20) == (20.0,)
    assert rests_on("stability_index_12m", value=SUPPRESSED, numerator=SUPPRESSED, denominator=SUPPRESSED,
                    base_count=SUPPRESSED) == ()
