"""Issue 10: "a caption that gives the true reason", on tables whose rows the policy decided
(disclosure.policy.published_rows: the drill's tables by job type and by service, "what changed").

Each hidden cell is captioned by what it rests on, not by its row's reason: worked by hand below.
"""

from __future__ import annotations

import pandas as pd

from disclosure import SUPPRESSED, rules
from disclosure.policy import disclose, disclose_all, fte_people, people, published_rows, rests_on

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
    """Turnover (FTE): its base and the leavers its FTE is of where known (2.7 FTE of 3 leavers,
    8 people), never the FTE itself (2.7 FTE may be 3 people or 9: "FTE is not people"); the
    agency rate (agency FTE of all FTE): its base only (no measure counts the agency workers);
    stability (a headcount rate): base, stayers and the rest (13 of 15: 2 left); average caseload:
    its case holders only (its numerator is cases); a count measure: its value too."""
    assert rests_on("turnover_rate_fte_12m", value=33.8, numerator=2.7, denominator=8.0, base_count=8) == (8.0,)
    assert rests_on("turnover_rate_fte_12m", value=33.8, numerator=2.7, denominator=8.0, base_count=8,
                    people=3) == (8.0, 3.0)
    assert rests_on("agency_rate_fte", value=0.05, numerator=2.0, denominator=40.0, base_count=42) == (42.0,)
    # the leavers turnover's FTE is of: the early-leaver rate's denominator in the same view and month
    assert fte_people("turnover_rate_fte_12m", {"early_leaver_rate_12m": {"numerator": 1, "denominator": 3}}) == 3
    assert fte_people("turnover_rate_fte_12m", {}) is None
    assert fte_people("agency_rate_fte", {"early_leaver_rate_12m": {"denominator": 3}}) is None
    assert rests_on("stability_index_12m", value=86.7, numerator=13, denominator=15, base_count=15) == (15.0, 13.0, 2.0)
    assert rests_on("avg_caseload", value=17.5, numerator=350, denominator=20, base_count=20) == (20.0,)
    assert rests_on("stability_index_12m", value=SUPPRESSED, numerator=SUPPRESSED, denominator=SUPPRESSED,
                    base_count=SUPPRESSED) == ()


def test_an_fte_below_the_threshold_is_not_captioned_fewer_than_5_people():
    """A turnover rate of 2.7 FTE of leavers among 40 people, hidden "secondary" with its service:
    2.7 FTE is not "fewer than 5 people" (it may be 9 people working part time), so with nothing
    else few it is captioned secondary; where the leavers it is of are known to be 3, primary.
    (It read "fewer than 5 people" from the FTE before: rests_on read the FTE as people.)"""
    table = _drill([("A", 6.8, 40, "—", "No target")])
    cols = ("Rate (%)", "People", "Small group", "Status")
    fte_only = rests_on("turnover_rate_fte_12m", value=6.8, numerator=2.7, denominator=39.5, base_count=40)
    out = published_rows(table, hidden=[True], reasons=["secondary"], columns=cols, exact=False,
                         sizes={"Rate (%)": [fte_only], "People": [(40.0,)]})
    assert out.reasons.iloc[0][list(cols)].tolist() == ["secondary"] * 4
    leavers = rests_on("turnover_rate_fte_12m", value=6.8, numerator=2.7, denominator=39.5, base_count=40, people=3)
    out = published_rows(table, hidden=[True], reasons=["secondary"], columns=cols, exact=False,
                         sizes={"Rate (%)": [leavers], "People": [(40.0,)]})
    assert out.reasons.iloc[0][list(cols)].tolist() == ["primary", "secondary", "secondary", "secondary"]


def _disabled(no: int, yes: int, not_known: int):
    t = people(counts=["People"], shares={"Share (%)": "People"}, category="Disabled", dimension="disability")
    total = no + yes + not_known
    f = pd.DataFrame({"Disabled": ["No", "Yes", "Not known"], "People": [no, yes, not_known],
                      "Share (%)": [round(100 * x / total, 1) for x in (no, yes, not_known)]})
    return disclose(f, t)


def test_a_small_not_known_hidden_to_protect_another_is_captioned_fewer_than_5_people():
    """Disabled No 40, Yes 3, Not known 1 (the total 44 known). Yes 3 is hidden (primary); alone it
    is the total less the rest, so the smallest other, Not known 1, is hidden too (a "Not known" is
    never hidden for being small: rules.shown_whatever_size); the two add up to 4, under 5, so No
    40 as well. Not known's 1 is "fewer than 5 people" (its true reason), not "hidden so that a
    small group cannot be worked out" (which says 0 or at least 5: the caption it had, as the
    demo's social workers' "Not known" 1s and 2s of Safeguarding and Youth had in October 2026).
    Its share follows it. Primary: Yes and Not known, People and share = 4; secondary: No's 2."""
    d = _disabled(40, 3, 1)
    assert d.published["People"].tolist() == [SUPPRESSED] * 3
    assert d.reasons["People"].tolist() == ["secondary", "primary", "primary"]
    assert d.reasons["Share (%)"].tolist() == ["secondary", "primary", "primary"]
    assert d.caption(published=True) == (
        "c: 4 figures fewer than 5 people; 2 figures hidden so that a small group cannot be worked out "
        "from the other figures.")


def test_the_protection_reads_a_small_not_knowns_caption():
    """Disabled No 40, Yes 3, Not known 3 (total 46 known). Yes 3 and Not known 3 hidden add up to 6,
    at least 5, which was enough while Not known read "secondary". Both now read "fewer than 5
    people": a reader knows each is 1 to 4 and they add up to 6, so each is 2 to 4, narrower than
    its caption's 1 to 4 (disclosure.cells._captions_narrow: k + T - 2 = 5 <= 6 but 6 > 1 + (k-1)(T-1)
    = 5). No 40 is hidden too (secondary), and then Yes may be 1 to 4 (No at least 46 - 8)."""
    d = _disabled(40, 3, 3)
    assert d.published["People"].tolist() == [SUPPRESSED] * 3
    assert d.reasons["People"].tolist() == ["secondary", "primary", "primary"]
    # two small figures adding up to 5 keep each 1 to 4: nothing more is hidden
    d = _disabled(40, 3, 2)
    assert d.published["People"].tolist() == [40, SUPPRESSED, SUPPRESSED]
    assert d.reasons["People"].tolist() == [None, "primary", "primary"]


def test_the_agency_summarys_rows_rest_on_their_assignments():
    """The agency rules summary's rows (ui.data.agency.summary), each captioned by what it rests on:
    27 assignments with a cap, 24 within it: the share within the cap rests on 27, 24 and the 3
    above it (primary even where the row was hidden "secondary"); the £ above the cap on the 3;
    a count on itself (2 cap breaches: primary; 9 under 3 years hidden to protect them: secondary);
    spend on the 30 assignments."""
    from ui.data.agency import _rests_on

    exact = pd.Series({"assignments": 30, "with_cap": 27, "within_cap": 24, "agency_within_cap_share": 0.889,
                       "agency_above_cap_per_hour": 4.5, "agency_cap_breaches_unsigned": 2,
                       "agency_under_experience": 9, "spend": 51_000.0})
    assert _rests_on(exact, "agency_within_cap_share") == (27.0, 24.0, 3.0)
    assert _rests_on(exact, "agency_above_cap_per_hour") == (3.0,)
    assert _rests_on(exact, "agency_cap_breaches_unsigned") == (2.0,)
    assert _rests_on(exact, "spend") == (30.0,)
    rows = ["agency_within_cap_share", "agency_above_cap_per_hour", "agency_cap_breaches_unsigned",
            "agency_under_experience", "spend"]
    out = published_rows(pd.DataFrame({"Measure": rows, "Value": ["88.9%", "£4.50", "2", "9", "£51,000"]}),
                         hidden=[True, True, True, True, False], reasons=["secondary"] * 4 + [None],
                         columns=("Value",), exact=False, sizes={"Value": [_rests_on(exact, c) for c in rows]})
    assert out.reasons["Value"].tolist() == ["primary", "primary", "primary", "secondary", None]


def test_a_primary_cell_keeps_its_captions_range_beside_secondary_cells_in_its_table():
    """Read per cell (captions22), each cell a caption calls "fewer than 5 people" is 1 to 4 even
    where the same caption also counts cells hidden to protect it. Three services (S1, S2, S3) and
    the directorate, people by answer A/B/C/D: S1 9/6/15/0 (30), S2 15/0/4/9 (28), S3 2/2/25/3 (32);
    the directorate 26/8/44/12 shown, every view's total known.
    Before, S2 showed A 15 and B 0 and hid C 4 (primary) and D 9 (secondary); S3 hid A, B, D (all
    primary); S1 everything. Read per cell: S2's C is 1 to 4 and C + D = 28 - 15 - 0 = 13, so D is
    9 to 12; S1's D + S3's D = 12 - S2's D is at most 3, so S3's D (3, "fewer than 5") lies in
    [1, 3] and S2's C in [2, 4]: each narrower than its caption's 1 to 4. The policy read a
    caption's bounds only where all its hidden cells were primary (S3's, not S2's).
    Now S2's A 15 is hidden too (secondary): S2's C + D is 13 to 28 less A, and both keep 1 to 4."""
    t = people(counts=["People"], category="Answer")
    cats = ["A", "B", "C", "D"]
    views = {"S1": [9, 6, 15, 0], "S2": [15, 0, 4, 9], "S3": [2, 2, 25, 3]}
    frames = {k: pd.DataFrame({"Answer": cats, "People": v}) for k, v in views.items()}
    frames[None] = pd.DataFrame({"Answer": cats, "People": [sum(x) for x in zip(*views.values())]})
    d = disclose_all(frames, t)
    c = SUPPRESSED
    assert d[None].published["People"].tolist() == [26, 8, 44, 12]
    assert d["S1"].published["People"].tolist() == [c, c, c, c]
    assert d["S2"].published["People"].tolist() == [c, 0, c, c]
    assert d["S2"].reasons["People"].tolist() == ["secondary", None, "primary", "secondary"]
    assert d["S3"].published["People"].tolist() == [c, c, 25, c]
    assert d["S3"].reasons["People"].tolist() == ["primary", "primary", None, "primary"]
    # solved as the audit reads each caption per cell, S2's C and S3's D keep the whole 1 to 4
    from disclosure.audit import intervals

    known = {(k, i): float(v) for k, f in d.items() for i, v in enumerate(f.published["People"]) if v != c}
    hidden = [(k, i) for k, f in d.items() for i, v in enumerate(f.published["People"]) if v == c]
    totals = {k: float(sum(v)) for k, v in views.items()}
    eqs = [([((k, i), 1.0) for i in range(4)], totals[k]) for k in views]
    eqs += [([((k, i), 1.0) for k in views] + [((None, i), -1.0)], 0.0) for i in range(4)]
    small = {(k, i): (1.0, 4.0) for k, f in d.items() for i, w in enumerate(f.reasons["People"]) if w == "primary"}
    found = intervals(known=known, hidden=hidden, equations=eqs, cells=[("S2", 2), ("S3", 3)], bounds=small)
    assert found == {("S2", 2): (1.0, 4.0), ("S3", 3): (1.0, 4.0)}


def test_the_linked_tables_hold_a_cell_to_what_its_captions_alone_leave_it():
    """The linked tables' protection asks each cell captioned "fewer than 5 people" for what the
    captions alone leave it, not the whole 1 to 4 (captions23 did it for the agency compliance
    tables; docs/DECISIONS.md, "The linked tables read the captions alone"). Three services and
    the directorate, people by answer A/B/C: S1 1/10/10 (21), S2 1/12/15 (28), S3 1/9/20 (30), the
    directorate 3/31/45 (79), every view's total known. Each A is hidden "fewer than 5 people".
    Read per cell, the services' three A's are each 1 to 4 and add up to the directorate's, itself
    1 to 4: so each service's A is 1 or 2 and the directorate's 3 or 4, whatever else is hidden.
    Each A is alone in its column, so the smallest other, B, is hidden too. Before, the policy
    asked each A for the whole 1 to 4, which no hiding gives: it hid every C (10, 15, 20, 45) for
    nothing. Now the C's are shown, each A keeps what its captions alone leave it, and solved
    without the captions each A still moves by at least the threshold."""
    t = people(counts=["People"], category="Answer")
    cats = ["A", "B", "C"]
    views = {"S1": [1, 10, 10], "S2": [1, 12, 15], "S3": [1, 9, 20]}
    frames = {k: pd.DataFrame({"Answer": cats, "People": v}) for k, v in views.items()}
    frames[None] = pd.DataFrame({"Answer": cats, "People": [sum(x) for x in zip(*views.values())]})
    d = disclose_all(frames, t)
    c = SUPPRESSED
    assert {k: x.published["People"].tolist() for k, x in d.items()} == {
        "S1": [c, c, 10], "S2": [c, c, 15], "S3": [c, c, 20], None: [c, c, 45]}
    assert all(x.reasons["People"].tolist() == ["primary", "secondary", None] for x in d.values())
    from disclosure.audit import intervals

    totals = {k: float(sum(v)) for k, v in {**views, None: [3, 31, 45]}.items()}
    known = {(k, i): float(v) for k, x in d.items() for i, v in enumerate(x.published["People"]) if v != c}
    hidden = [(k, i) for k, x in d.items() for i, v in enumerate(x.published["People"]) if v == c]
    eqs = [([((k, i), 1.0) for i in range(3)], totals[k]) for k in totals]
    eqs += [([((k, i), 1.0) for k in views] + [((None, i), -1.0)], 0.0) for i in range(3)]
    a_cells = [(k, 0) for k in [*views, None]]
    captioned = {cell: (1.0, float(T - 1)) for cell in a_cells}
    told = intervals(known=known, hidden=hidden, equations=eqs, cells=a_cells, bounds=captioned)
    alone = intervals(known={}, hidden=[*hidden, *known], equations=eqs, cells=a_cells, bounds=captioned)
    assert told == alone == {("S1", 0): (1.0, 2.0), ("S2", 0): (1.0, 2.0), ("S3", 0): (1.0, 2.0), (None, 0): (3.0, 4.0)}
    blind = intervals(known=known, hidden=hidden, equations=eqs, cells=a_cells)
    assert all(hi - lo >= T for lo, hi in blind.values())


def test_a_small_groups_one_answer_and_its_zeros_are_captioned_as_its_class():
    """S2's 3 people all answered y (x 0, y 3: a group of 1 to class_group_under-1 in one answer).
    People by answer x/y: the directorate 5/17 (22, shown in the history), S1 5/9 (14, hidden
    there), S2 0/3 (3, hidden there), S3 0/5 (5, shown; a class: all 5 answered y).

    Until now S2's y was captioned "fewer than 5 people" and its x (hidden by the protection)
    "hidden so that a small group cannot be worked out": read cell by cell, y is at least 1 and x
    is 0 or at least 5, so x, in a group of 3, is 0: every one of S2's people answered y (class
    disclosure by the captions; demo, all staff, October 2026: each service's one senior manager,
    living in the county or not). Both are now captioned as the class they hide (disclosure.system
    `System.told_class`, `System.lone`), so no caption bounds them; then S1's y 9 need not be
    hidden (e5cce9a hid it to keep y's caption range 1 to 4), and S2's y, solved, lies in
    17 - 9 - S3's y (0 to 5) = 3 to 8 and its x in 5 - S1's x - S3's x = 0 to 5: at least the
    threshold wide. Not covered (docs/DECISIONS.md, lead30, "Left"): a reader of the class caption
    knows one of S2's two cells is its group's answer and the other 0, so y's 3 or more says all of
    S2 answered y. It said so before too (y "fewer than 5 people", at least 1); nothing yet keeps
    0 in a class answer's range."""
    from disclosure.audit import intervals

    t = people(counts=["People"])
    views = {None: [5, 17], "S1": [5, 9], "S2": [0, 3], "S3": [0, 5]}
    frames = {k: pd.DataFrame({"Other answer": ["x", "y"], "People": v}) for k, v in views.items()}
    margins = {None: {"People": True}, "S1": {"People": False}, "S2": {"People": False}, "S3": {"People": True}}
    d = disclose_all(frames, t, margins=margins)
    c = SUPPRESSED
    assert {k: x.published["People"].tolist() for k, x in d.items()} == {
        None: [5, 17], "S1": [c, 9], "S2": [c, c], "S3": [c, c]}
    assert d["S2"].reasons["People"].tolist() == ["class", "class"]
    assert "fewer than" not in d["S2"].caption(published=True)
    assert d["S3"].reasons["People"].tolist()[1] == "class"
    known = {(k, i): float(v) for k, x in d.items() for i, v in enumerate(x.published["People"]) if v != c}
    known.update({(None, "total"): 22.0, ("S3", "total"): 5.0})
    hidden = [(k, i) for k, x in d.items() for i, v in enumerate(x.published["People"]) if v == c]
    hidden += [("S1", "total"), ("S2", "total")]
    eqs = [([((k, 0), 1.0), ((k, 1), 1.0), ((k, "total"), -1.0)], 0.0) for k in views]
    eqs += [([((k, i), 1.0) for k in ("S1", "S2", "S3")] + [((None, i), -1.0)], 0.0) for i in range(2)]
    assert intervals(known=known, hidden=hidden, equations=eqs, cells=[("S2", 0), ("S2", 1)]) == {
        ("S2", 0): (0.0, 5.0), ("S2", 1): (3.0, 8.0)}
