"""The 12-month leavers tables (leavers by reason, by length of service) published for the year to
30 September only, and their "Under 1 year" row decided as one figure with the measure history's
early leavers (issue 10; disclosure.linked.published_month, CELL_MARGINS; disclosure.Margins).

Hand-worked: which month a table publishes for a store's loaded months, and a length-of-service
table whose "Under 1 year" leavers the measure history shows or hides.
"""

from __future__ import annotations

import pandas as pd

from disclosure import disclose_all, linked, people
from disclosure.audit import intervals, too_narrow
from metrics.detail import LOS_BANDS


def _months(first: str, last: str) -> tuple[str, ...]:
    return tuple(p.strftime("%Y-%m") for p in pd.period_range(first, last, freq="M"))


def _as_a_reader(frames, out):
    """What a reader knows of the published tables: every shown cell, each view's total, and the
    services adding up to the directorate, band by band (the linear system `intervals` solves)."""
    known, hidden, eqs = {}, [], []
    for view, d in out.items():
        for band, v in zip(d.published["Length of service"], d.published["Leavers"]):
            (hidden.append((view, band)) if v == "c" else known.__setitem__((view, band), float(v)))
        eqs.append(([((view, b), 1) for b in d.published["Length of service"]],
                    float(frames[view]["Leavers"].sum())))
    for band in frames[None]["Length of service"]:
        eqs.append(([(("A", band), 1), (("B", band), 1), ((None, band), -1)], 0))
    return known, hidden, eqs


def test_a_12_month_table_publishes_the_latest_whole_year_to_september():
    """The demo's 36 months (November 2023 to October 2026): September 2024 covers 11 months, so
    nothing is published before September 2025; September 2025's from then to August 2026, then
    September 2026's. Other tables publish the month asked."""
    loaded = _months("2023-11", "2026-10")
    at = {p: linked.published_month(loaded, "length_of_service", p) for p in loaded}
    assert {p for p, a in at.items() if a is None} == set(_months("2023-11", "2025-08"))
    assert {p for p, a in at.items() if a == "2025-09"} == set(_months("2025-09", "2026-08"))
    assert {p for p, a in at.items() if a == "2026-09"} == {"2026-09", "2026-10"}
    assert linked.published_month(loaded, "leavers_by_reason", "2026-03") == "2025-09"
    assert linked.published_month(loaded, "profile", "2026-03") == "2026-03"
    # a year with a month missing is not whole: the year before is published
    gap = tuple(p for p in _months("2023-10", "2026-10") if p != "2026-02")
    assert linked.published_month(gap, "length_of_service", "2026-10") == "2025-09"
    assert linked.published_month(gap, "length_of_service", "2024-09") == "2024-09"  # October 2023 on
    assert linked.published_month(gap, "length_of_service", "2024-08") is None
    # what the table says of itself
    assert linked.published_note("length_of_service", "2025-09").startswith(
        "Leavers in the year to 30 September 2025: published once a year, as DfE does")
    assert linked.published_note("leavers_by_reason", None).startswith("x: not available yet.")
    assert linked.published_note("profile", "2025-09") is None


def _tables(a: list[int], b: list[int]) -> dict:
    bands = list(LOS_BANDS[:3])
    assert bands[0] == "Under 1 year"  # the early leavers' band (metrics.detail)
    frame = lambda v: pd.DataFrame({"Length of service": bands, "Leavers": v})  # noqa: E731
    return {None: frame([x + y for x, y in zip(a, b)]), "A": frame(a), "B": frame(b)}


TABLE = people(counts=["Leavers"], rolling=True)
TOTALS = {None: {"Leavers": True}, "A": {"Leavers": True}, "B": {"Leavers": True}}
EARLY = ("Under 1 year", "Leavers")


def test_the_under_1_year_leavers_the_history_shows_are_shown_alike():
    """A: 6 under a year, 2 of 1 to 2 years (a small count), 30 of 2 to 5 years; B: 9, 8, 20; the
    history shows every total and A's 6 early leavers. Decided alone, the table hid A's 6, which the
    history shows (two decisions of one figure, the table's protection of the 2 resting on a cell
    every reader knows); with the history's word it shows 6, and the 2 stays wide among the cells
    it hides."""
    frames = _tables([6, 2, 30], [9, 8, 20])
    alone = disclose_all(frames, TABLE, margins=TOTALS)
    assert alone["A"].published["Leavers"].tolist()[0] == "c"
    out = disclose_all(frames, TABLE, margins={**TOTALS, "A": {"Leavers": True, EARLY: True}})
    a = out["A"].published["Leavers"].tolist()
    assert a[0] == 6 and a[1] == "c" and out["A"].reasons["Leavers"].tolist()[1] == "primary"
    known, hidden, eqs = _as_a_reader(frames, out)  # every published cell, the totals, A's 6, services adding up
    found = intervals(known=known, hidden=hidden, equations=eqs, cells=[("A", "1 to 2 years")])
    assert too_narrow(found, threshold=5, cells=[("A", "1 to 2 years")]) == {}


def test_the_under_1_year_leavers_the_history_hides_are_hidden_too():
    """Nothing small: A 6, 5, 30 and B 9, 5, 20 are all shown when decided alone. The history hides
    B's 9 early leavers (to protect a small group elsewhere): the table hides them too, as
    "secondary" (not "fewer than 5 people"), with enough beside them that 9 is not worked out."""
    frames = _tables([6, 5, 30], [9, 5, 20])
    alone = disclose_all(frames, TABLE, margins=TOTALS)
    assert "c" not in [v for d in alone.values() for v in d.published["Leavers"]]
    out = disclose_all(frames, TABLE, margins={**TOTALS, "B": {"Leavers": True, EARLY: False}})
    assert out["B"].published["Leavers"].tolist()[0] == "c"
    assert out["B"].reasons["Leavers"].tolist()[0] == "secondary"
    known, hidden, eqs = _as_a_reader(frames, out)
    lo, hi = intervals(known=known, hidden=hidden, equations=eqs, cells=[("B", "Under 1 year")])[("B", "Under 1 year")]
    assert hi - lo >= 5


def test_loads_keep_the_12_month_tables_at_their_septembers_only():
    """Nothing reads a 12-month table's decision between Septembers (every page and file publishes
    its year to 30 September's), so loads decide and keep them only there (`kept_at`): a load
    decides its month's other tables, and the 12-month tables of the September whose year holds it
    where that year is whole (its window), and of a September whose history figures the load moved.
    The demo's 36 months (November 2023 to October 2026)."""
    loaded = _months("2023-11", "2026-10")
    kept = [p for p in loaded if linked.kept_at(loaded, "length_of_service", p)]
    assert kept == ["2025-09", "2026-09"] and all(linked.kept_at(loaded, "profile", p) for p in loaded)
    src = linked.Source(raw=None, services=(), periods=loaded, history=None)
    others = tuple(n for n, _ in linked.KEPT if n not in linked.ROLLING)
    rolling = ("leavers_by_reason", "length_of_service")
    assert set(others) | set(rolling) == {n for n, _ in linked.KEPT} and others
    assert linked._months_changed(src, "2026-03") == {"2026-03": others, "2026-09": rolling}
    assert linked._months_changed(src, "2025-10") == {"2025-10": others, "2026-09": rolling}
    assert linked._months_changed(src, "2026-09") == {"2026-09": tuple(n for n, _ in linked.KEPT)}  # (all of them)
    assert linked._months_changed(src, "2026-10") == {"2026-10": others}  # (September 2027 is not loaded)
    assert linked._months_changed(src, "2024-05") == {"2024-05": others}  # (September 2024's year lacks October 2023)
    # the history moved September 2025's margins (and October's, which publishes no 12-month table)
    assert linked._months_changed(src, "2026-10", {"2025-09", "2025-10"}) == {"2025-09": rolling, "2026-10": others}
