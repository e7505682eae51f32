"""Issue 10: the Agency rules compliance totals (disclosure.disclose_with_totals, as
disclosure.compliance decides them) hide no large group that a smaller one protects, and every
small one stays protected: the demo's October 2026 figures, copied here (HR's exact view of the
Agency rules page, by service)."""

from __future__ import annotations

import pandas as pd

from disclosure import SUPPRESSED, compliance, disclose_with_totals
from disclosure.audit import intervals

COUNTS = compliance.COUNT_COLUMNS
VIEWS = [None, "Children in Care", "SEND", "Safeguarding and Family Support", "Youth"]
#: Assignments, With a cap, Within cap, Cap breaches not signed off, Under 3 years, Notice below
#: minimum, References incomplete, Cool-off breaches, Over 12 months, Project team
OCTOBER_2026 = [
    [27, 27, 24, 3, 3, 3, 1, 4, 10, 3],
    [12, 12, 12, 0, 1, 0, 0, 2, 2, 0],
    [1, 1, 0, 1, 1, 1, 0, 0, 0, 0],
    [12, 12, 11, 1, 1, 2, 1, 2, 7, 3],
    [2, 2, 1, 1, 0, 0, 0, 0, 1, 0],
]


def _totals() -> pd.DataFrame:
    frame = pd.DataFrame(OCTOBER_2026, columns=COUNTS)
    frame.insert(0, "Service", ["All services", *VIEWS[1:]])
    frame.insert(4, "Within cap (%)", (frame["Within cap"] / frame["With a cap"] * 100).round(1))
    frame.insert(5, "£/h above cap", [1.67, None, 1.0, 2.0, 2.0])
    return frame


def _decide() -> tuple[pd.DataFrame, pd.DataFrame]:
    d = disclose_with_totals({}, _totals(), compliance.BY_GROUP, views=VIEWS, name="test",
                             unpublished=[compliance.NO_SERVICE], within=compliance.WITHIN)[1]
    return d.published, d.reasons


def _ranges(hidden: set, figures: list[list[int]]) -> dict:
    """Each hidden count's feasible range to a reader of the published table: the services add
    up to the directorate in each column, every count is at most its row's assignments and the
    assignments within the cap at most those with a cap (the rest, above the cap, a cell too)."""
    known, unknown, equations = {}, [], []
    for i, row in enumerate(figures):
        for j, c in enumerate(COUNTS):
            (unknown.append((i, c)) if (i, c) in hidden else known.__setitem__((i, c), float(row[j])))
        for c in COUNTS:
            if c in compliance.WITHIN:  # part + rest = whole
                whole = compliance.WITHIN[c]
                unknown.append((i, "rest", c))
                equations.append(([((i, c), 1.0), ((i, "rest", c), 1.0), ((i, whole), -1.0)], 0.0))
    for c in COUNTS:
        equations.append(([((i, c), 1.0) for i in range(1, len(figures))] + [((0, c), -1.0)], 0.0))
    return intervals(known=known, hidden=unknown, equations=equations)


def test_one_large_service_is_shown_where_hiding_another_protects_the_small_ones():
    """Assignments: SEND's 1 and Youth's 2 are fewer than 5 (primary); shown, the directorate's
    27 minus Children in Care's 12 and Safeguarding's 12 would give their sum, 3, so one of the
    two 12s is hidden too (secondary), not both. Safeguarding's row must be hidden in any case
    (its 11 of 12 within the cap gives the 1 above it away; its 1-3 counts are primary), so
    Children in Care's 12 assignments, 12 with a cap, 12 within it (100.0%) and its zeros are
    shown (before: its assignments and those with a cap were hidden as well). Every hidden count
    of 1-4 (and every rest above the cap of 1-4) keeps a feasible range at least 5 wide, and no
    secondary cell could be shown alone without narrowing one below 5 (the reader's linear
    programmes, disclosure.audit)."""
    pub, why = _decide()
    cic = pub.iloc[1]
    assert [str(cic[c]) for c in ("Assignments", "With a cap", "Within cap")] == ["12", "12", "12"]
    assert float(cic["Within cap (%)"]) == 100.0
    assert [str(cic[c]) for c in ("Cap breaches not signed off", "Notice below minimum", "References incomplete",
                                  "Project team")] == ["0", "0", "0", "0"]
    assert (pub.iloc[1][["Under 3 years", "Cool-off breaches", "Over 12 months"]] == SUPPRESSED).all()
    assert set(why.iloc[1][["Under 3 years", "Cool-off breaches", "Over 12 months"]]) == {"primary"}
    assert pub.iloc[3]["Assignments"] == SUPPRESSED and why.iloc[3]["Assignments"] == "secondary"
    assert str(pub.iloc[0]["Assignments"]) == "27" and str(pub.iloc[0]["Over 12 months"]) == "10"
    # each hidden count's true reason: fewer than 5 people only where it is 1-4
    for i, row in enumerate(OCTOBER_2026):
        for j, c in enumerate(COUNTS):
            if pub.iloc[i][c] == SUPPRESSED:
                assert why.iloc[i][c] == ("primary" if 0 < row[j] < 5 else "secondary"), (i, c)

    hidden = {(i, c) for i in range(len(VIEWS)) for c in COUNTS if pub.iloc[i][c] == SUPPRESSED}
    protected = [k for k in hidden if 0 < OCTOBER_2026[k[0]][COUNTS.index(k[1])] < 5] + \
        [(i, "rest", "Within cap") for i, row in enumerate(OCTOBER_2026) if 0 < row[1] - row[2] < 5]
    found = _ranges(hidden, OCTOBER_2026)
    assert {k: found[k] for k in protected if found[k][1] - found[k][0] < 5 - 1e-9} == {}
    # no secondary cell is hidden for nothing (but the count within the cap follows its share,
    # hidden where it rests on few: "0 of SEND's 1 within the cap" says the one is above it)
    with_share = {(i, "Within cap") for i, row in enumerate(OCTOBER_2026)
                  if 0 < row[1] < 5 or 0 < row[1] - row[2] < 5}
    for cell in hidden - set(protected) - with_share:
        got = _ranges(hidden - {cell}, OCTOBER_2026)
        assert any(got[k][1] - got[k][0] < 5 - 1e-9 for k in protected if k != cell), cell


def test_a_total_the_measure_history_shows_is_known_to_the_decision():
    """The October 2026 figures again, but the measure history shows Safeguarding's 12
    assignments (say its share running over 12 months, 7 of 12). Decided without knowing it,
    the totals hide Safeguarding's 12 and show Children in Care's 12 (the test above): a reader
    of both then has 27 - 12 - 12 = 3 for SEND and Youth together, so SEND's 1 and Youth's 2
    each lie in [0, 3]. Told the history's 12 (disclose_with_totals' `shown_totals`), the
    decision never hides it (it is known), hides Children in Care's 12 instead, and every hidden
    count of 1-4 keeps a range at least 5 wide with the history's figure known."""
    def decide(shown):
        d = disclose_with_totals({}, _totals(), compliance.BY_GROUP, views=VIEWS, name="test",
                                 unpublished=[compliance.NO_SERVICE], within=compliance.WITHIN,
                                 counted_rests=compliance.COUNTED_RESTS, shown_totals=shown)[1]
        return d.published

    def narrow(pub) -> dict:
        hidden = {(i, c) for i in range(len(VIEWS)) for c in COUNTS if pub.iloc[i][c] == SUPPRESSED}
        hidden.discard((3, "Assignments"))  # the history's 12: known to a reader of both
        protected = [k for k in hidden if 0 < OCTOBER_2026[k[0]][COUNTS.index(k[1])] < 5]
        found = _ranges(hidden, OCTOBER_2026)
        return {k: found[k] for k in protected if found[k][1] - found[k][0] < 5 - 1e-9}

    history = pd.DataFrame(float("nan"), index=range(len(VIEWS)), columns=COUNTS)
    history.loc[3, "Assignments"] = 12.0  # Safeguarding and Family Support
    blind = decide(None)
    assert blind.iloc[3]["Assignments"] == SUPPRESSED and str(blind.iloc[1]["Assignments"]) == "12"
    assert narrow(blind)[(2, "Assignments")] == (0.0, 3.0)  # SEND's 1, given away with the history's 12

    told = decide(history)
    assert str(told.iloc[3]["Assignments"]) == "12"
    assert told.iloc[1]["Assignments"] == SUPPRESSED
    assert narrow(told) == {}
    # a figure the history shows that is not the total (another population's count) is not known
    other = history.copy()
    other.loc[3, "Assignments"] = 11.0
    pd.testing.assert_frame_equal(decide(other), blind)


def test_a_history_that_cannot_be_read_is_known_to_show_nothing(monkeypatch):
    """Where the measure history cannot be decided (its figures or rules cannot be read: its own
    load step then keeps nothing), the compliance decision is told nothing from it and is still
    made: the load that calls it (disclosure.compliance.refresh) and the Agency rules page do
    not fail for the history's error."""
    import duckdb

    from disclosure import history
    from metrics.types import MetricError

    def broken(*a, **k):
        raise MetricError("the history cannot be read")

    monkeypatch.setattr(history, "published", broken)
    con = duckdb.connect(":memory:")  # no kept history: decided live, which fails
    try:
        assert compliance.history_shown(con) == {}
    finally:
        con.close()


#: a month of two services, by hand: A's 12 assignments all have a cap and 3 are within it (9
#: above it, which the measure history shows: agency_above_cap_per_hour's denominator); B's 18
#: all have a cap, 12 within it; every other count 5 or more
ABOVE_CAP_VIEWS = [None, "A", "B"]
ABOVE_CAP_MONTH = [
    [30, 30, 15, 11, 12, 11, 11, 11, 13, 11],
    [12, 12, 3, 5, 5, 5, 5, 5, 6, 5],
    [18, 18, 12, 6, 7, 6, 6, 6, 7, 6],
]


def test_the_assignments_above_the_cap_the_history_shows_are_known_to_the_decision():
    """The measure history publishes A's 9 assignments above the price cap (the denominator of
    the £ above it): with a cap less within it. Decided without knowing it, the totals hide
    A's 3 within the cap (primary) and B's 12 (so that the directorate's 15 less B's does not
    give A's back), but show A's 12 with a cap: a reader of both has 12 - 9 = 3 exactly. Told
    the history's 9 (`rests_shown`: compliance.RESTS_SHOWN, the history's figure read as
    compliance.ABOVE_CAP by `shown_frame`), the decision hides A's and B's assignments and those
    with a cap too (A's 12 assignments bound those with a cap, so those within it, to [0, 3]
    otherwise), and A's 3 keeps a range at least 5 wide with the 9 known: A's with a cap lies
    in [9, 23] (at least the 9 above the cap; B's assignments at least its 7 under 3 years), so
    A's within it in [0, 14]."""
    frame = pd.DataFrame(ABOVE_CAP_MONTH, columns=COUNTS)
    frame.insert(0, "Service", ["All services", "A", "B"])
    frame.insert(4, "Within cap (%)", (frame["Within cap"] / frame["With a cap"] * 100).round(1))
    frame.insert(5, "£/h above cap", [2.0, 2.0, 2.0])
    month = ["2026-10"] * len(ABOVE_CAP_VIEWS)
    shown = compliance.shown_frame(month, ABOVE_CAP_VIEWS, frame, {("2026-10", "A"): {compliance.ABOVE_CAP: {9.0}}})
    assert shown[compliance.ABOVE_CAP].tolist()[1] == 9.0 and shown[COUNTS].isna().all().all()

    def decide(rests: bool) -> pd.DataFrame:
        return disclose_with_totals({}, frame, compliance.BY_GROUP, views=ABOVE_CAP_VIEWS, name="test",
                                    unpublished=[compliance.NO_SERVICE], within=compliance.WITHIN,
                                    counted_rests=compliance.COUNTED_RESTS,
                                    shown_totals=shown if rests else shown[COUNTS],
                                    rests_shown=compliance.RESTS_SHOWN if rests else None)[1].published

    def ranges(pub: pd.DataFrame) -> dict:
        """As `_ranges`, with A's rest within the cap (its assignments above it) known: 9."""
        known, unknown, equations = {}, [], []
        for i, row in enumerate(ABOVE_CAP_MONTH):
            for j, c in enumerate(COUNTS):
                (unknown.append((i, c)) if pub.iloc[i][c] == SUPPRESSED else known.__setitem__((i, c), float(row[j])))
            for part, whole in compliance.WITHIN.items():
                rest = (i, "rest", part)
                (known.__setitem__(rest, 9.0) if (i, part) == (1, "Within cap") else unknown.append(rest))
                equations.append(([((i, part), 1.0), (rest, 1.0), ((i, whole), -1.0)], 0.0))
        for c in COUNTS:
            equations.append(([((1, c), 1.0), ((2, c), 1.0), ((0, c), -1.0)], 0.0))
        return intervals(known=known, hidden=unknown, equations=equations)

    blind = decide(False)
    assert [str(blind.iloc[1][c]) for c in ("Assignments", "With a cap", "Within cap")] == ["12", "12", SUPPRESSED]
    assert blind.iloc[2]["Within cap"] == SUPPRESSED
    assert ranges(blind)[(1, "Within cap")] == (3.0, 3.0)  # A's 3: the history's 9 gives it away

    told = decide(True)
    assert all(told.iloc[i][c] == SUPPRESSED for i in (1, 2) for c in ("Assignments", "With a cap", "Within cap"))
    assert str(told.iloc[0]["Within cap"]) == "15" and str(told.iloc[1]["Under 3 years"]) == "5"
    # A's with a cap: at least its 9 above the cap, at most the 30 less B's 7 under 3 years
    assert ranges(told)[(1, "With a cap")] == (9.0, 23.0)
    assert ranges(told)[(1, "Within cap")] == (0.0, 14.0)
    # a figure the history shows that is not the row's rest (another population's) is not known
    other = shown.copy()
    other.loc[1, compliance.ABOVE_CAP] = 8.0
    pd.testing.assert_frame_equal(
        disclose_with_totals({}, frame, compliance.BY_GROUP, views=ABOVE_CAP_VIEWS, name="test",
                             unpublished=[compliance.NO_SERVICE], within=compliance.WITHIN,
                             counted_rests=compliance.COUNTED_RESTS, shown_totals=other,
                             rests_shown=compliance.RESTS_SHOWN)[1].published, blind)


def _breaches(figures: list[int]) -> pd.DataFrame:
    """Cap breaches by service (the directorate, then A, B, C, D) as `disclose_with_totals` publishes them."""
    from disclosure.policy import people

    totals = pd.DataFrame({"Service": ["All services", "A", "B", "C", "D"], "Breaches": figures})
    return disclose_with_totals({}, totals, people(counts=["Breaches"]), views=[None, "A", "B", "C", "D"],
                                name="test")[1]


def test_each_count_captioned_fewer_than_5_keeps_its_captions_range():
    """Read per cell (captions23), each hidden count captioned "fewer than 5 people" is 1 to 4.
    Cap breaches: the directorate 10, A 4, B 3, C 3, D 0. A, B and C are primary. Before, D's 0 and
    the directorate's 10 were shown: A + B + C = 10, each at most 4, so each at least 10 - 8 = 2:
    2 to 4, narrower than its caption's 1 to 4 (each range at least 5 wide read without the
    captions; one column, no two equations crossing, so nothing was solved). Now D's 0 is hidden
    too (secondary; the directorate's own 10 is kept): A + B + C + D = 10, D at least 0, and each
    keeps 1 to 4. With 9 (A 4, B 3, C 2) each is at least 9 - 8 = 1 already: nothing more hidden.
    Directorate 3 = 1 + 1 + 1 (and 0): every count captioned, the captions alone tell the 3 is 3 or
    4 and each 1 is 1 or 2, whatever is hidden: D's 0 stays shown (hiding it teaches nothing less)."""
    c = SUPPRESSED
    d = _breaches([10, 4, 3, 3, 0])
    assert d.published["Breaches"].tolist() == [10, c, c, c, c]
    assert d.reasons["Breaches"].tolist() == [None, "primary", "primary", "primary", "secondary"]
    small = {k: (1.0, 4.0) for k in ("A", "B", "C")}
    found = intervals(known={"All": 10.0}, hidden=["A", "B", "C", "D"], bounds=small,
                      equations=[([("A", 1.0), ("B", 1.0), ("C", 1.0), ("D", 1.0), ("All", -1.0)], 0.0)])
    assert {k: found[k] for k in small} == small
    # as it was published: D's 0 shown, each 2 to 4
    found = intervals(known={"All": 10.0, "D": 0.0}, hidden=["A", "B", "C"], bounds=small,
                      equations=[([("A", 1.0), ("B", 1.0), ("C", 1.0), ("D", 1.0), ("All", -1.0)], 0.0)])
    assert found == {k: (2.0, 4.0) for k in small}
    d = _breaches([9, 4, 3, 2, 0])
    assert d.published["Breaches"].tolist() == [9, c, c, c, 0]
    d = _breaches([3, 1, 1, 1, 0])
    assert d.published["Breaches"].tolist() == [c, c, c, c, 0]
    assert d.reasons["Breaches"].tolist() == ["primary"] * 4 + [None]
