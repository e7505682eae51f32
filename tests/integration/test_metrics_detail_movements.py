"""metrics.detail.unusual_movements against values worked out by hand on a small real store.

Store (services S1 = teams A, B; S2 = team C; everyone Permanent social workers unless noted):

month    team A                 team B            team C          leavers (A)  vacant FTE
2025-01  6 people x 1.0         2 people x 0.5    5 x 1.0         5            A 3.0 + 2.5
2025-02  8 people x 1.0         3 people x 0.5    6 x 1.0         2            A 6.0, C 1.0
2025-03  8 people x 1.0         renamed B2 (3)    renamed C new   0            A 3.0, C new 1.0
2025-04  not loaded
2025-05  2 people x 1.0         B2 (3)            C new (6)       0            -

Worked by hand (threshold 0.2, base at least 5; change_rate = (current - previous) / previous):
2025-02  S1 headcount 8 -> 11 (+3, 0.375); S1 FTE 7.0 -> 9.5 (+2.5, 0.357); S1 leavers 5 -> 2
         (-3, -0.6); A headcount and FTE 6 -> 8 (+2, 0.333); A leavers 5 -> 2 (-0.6).
         Not flagged: C and S2 5 -> 6 (exactly +0.2, not above); B 2 -> 3 (base under 5);
         vacant FTE 5.5 -> 6.0 (+0.09).
2025-03  S1 and A vacant FTE 6.0 -> 3.0 (-3.0, -0.5); team C headcount and FTE 6 -> 0 (-1:
         the team vanished from the extract). Not flagged: S1 headcount 11 -> 11 (B2 replaces
         B), S2 6 -> 6, C new 0 -> 6 (no base), B 3 -> 0 (base under 5), S1 leavers 2 -> 0.
2025-05  nothing: April is not loaded, so A's 8 -> 2 has no month-on-month comparison.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from store import connect
from metrics import detail
from metrics.types import MetricError
from tests.integration.test_metrics_engine import insert_leaver, insert_staff, insert_vacancy

COLUMNS = ["period", "level", "group", "measure", "previous", "current", "change", "change_rate"]


def _people(period: str, team: str, service: str, n: int, fte: float, prefix: str) -> list[tuple]:
    return [(period, f"{prefix}{k}", team, service, "Social worker", True, "Permanent", fte,
             "2020-01-01", None, None, None, None, None, None) for k in range(1, n + 1)]


def build_store(path) -> None:
    con = connect(path)
    rows = []
    rows += _people("2025-01-01", "A", "S1", 6, 1.0, "a")
    rows += _people("2025-01-01", "B", "S1", 2, 0.5, "b")
    rows += _people("2025-01-01", "C", "S2", 5, 1.0, "c")
    rows += _people("2025-02-01", "A", "S1", 8, 1.0, "a")
    rows += _people("2025-02-01", "B", "S1", 3, 0.5, "b")
    rows += _people("2025-02-01", "C", "S2", 6, 1.0, "c")
    rows += _people("2025-03-01", "A", "S1", 8, 1.0, "a")
    rows += _people("2025-03-01", "B2", "S1", 3, 0.5, "b")
    rows += _people("2025-03-01", "C new", "S2", 6, 1.0, "c")
    rows += _people("2025-05-01", "A", "S1", 2, 1.0, "a")
    rows += _people("2025-05-01", "B2", "S1", 3, 0.5, "b")
    rows += _people("2025-05-01", "C new", "S2", 6, 1.0, "c")
    insert_staff(con, rows)
    for k in range(5):
        insert_leaver(con, "2025-01-01", f"l{k}", "2025-01-15", "Resignation", "A", "S1",
                      "Social worker", True, "Permanent", 1.0, "2020-01-01")
    for k in range(2):
        insert_leaver(con, "2025-02-01", f"m{k}", "2025-02-15", "Resignation", "A", "S1",
                      "Social worker", True, "Permanent", 1.0, "2020-01-01")
    insert_vacancy(con, "2025-01-01", "A", "S1", "Social worker", True, 3.0, 1.0)
    insert_vacancy(con, "2025-01-01", "A", "S1", "Team manager", True, 2.5, 0.0)
    insert_vacancy(con, "2025-02-01", "A", "S1", "Social worker", True, 6.0, 1.0)
    insert_vacancy(con, "2025-02-01", "C", "S2", "Social worker", True, 1.0, 0.0)
    insert_vacancy(con, "2025-03-01", "A", "S1", "Social worker", True, 3.0, 0.0)
    insert_vacancy(con, "2025-03-01", "C new", "S2", "Social worker", True, 1.0, 0.0)
    con.close()


@pytest.fixture
def con(tmp_db):
    build_store(tmp_db)
    c = connect(tmp_db, read_only=True)
    yield c
    c.close()


MAR, FEB = date(2025, 3, 1), date(2025, 2, 1)
EXPECTED = [
    (MAR, "service", "S1", "vacant_fte", 6.0, 3.0, -3.0, -0.5),
    (MAR, "team", "A", "vacant_fte", 6.0, 3.0, -3.0, -0.5),
    (MAR, "team", "C", "headcount", 6.0, 0.0, -6.0, -1.0),
    (MAR, "team", "C", "fte", 6.0, 0.0, -6.0, -1.0),
    (FEB, "service", "S1", "headcount", 8.0, 11.0, 3.0, 0.375),
    (FEB, "service", "S1", "fte", 7.0, 9.5, 2.5, 2.5 / 7),
    (FEB, "service", "S1", "leavers", 5.0, 2.0, -3.0, -0.6),
    (FEB, "team", "A", "headcount", 6.0, 8.0, 2.0, 1 / 3),
    (FEB, "team", "A", "fte", 6.0, 8.0, 2.0, 1 / 3),
    (FEB, "team", "A", "leavers", 5.0, 2.0, -3.0, -0.6),
]


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame[COLUMNS].itertuples(index=False, name=None)]


def _assert_rows(frame: pd.DataFrame, expected: list[tuple]) -> None:
    got = _rows(frame)
    assert [g[:4] for g in got] == [e[:4] for e in expected]
    for g, e in zip(got, expected):
        assert g[4:] == pytest.approx(e[4:]), g[:4]


def test_flags_the_hand_worked_movements_newest_first(con):
    frame = detail.unusual_movements(con)
    assert list(frame.columns) == COLUMNS
    _assert_rows(frame, EXPECTED)
    assert all(isinstance(p, date) for p in frame["period"])
    assert date(2025, 5, 1) not in set(frame["period"])  # April is not loaded


def test_a_change_of_exactly_the_threshold_is_not_flagged_but_just_above_is(con):
    # team C and service S2 went 5 -> 6 in February: +0.2 exactly
    lower = detail.unusual_movements(con, threshold=0.19)
    feb_extra = {r[:4] for r in _rows(lower)} - {e[:4] for e in EXPECTED}
    assert feb_extra == {(FEB, "service", "S2", "headcount"), (FEB, "service", "S2", "fte"),
                         (FEB, "team", "C", "headcount"), (FEB, "team", "C", "fte")}
    c = lower[(lower["period"] == FEB) & (lower["group"] == "C")]
    assert c[["previous", "current", "change", "change_rate"]].to_numpy().ravel().tolist() == (
        pytest.approx([5.0, 6.0, 1.0, 0.2] * 2))


def test_min_base_lets_small_bases_in(con):
    small = detail.unusual_movements(con, min_base=2)
    extra = {r[:4]: r[4:] for r in _rows(small) if r[:4] not in {e[:4] for e in EXPECTED}}
    # team B: 2 -> 3 people (+0.5) in February and 3 -> 0 in March (its FTE, 1.0 and 1.5, stays
    # under the base of 2); S1's and A's leavers 2 -> 0 in March (-1)
    assert set(extra) == {(FEB, "team", "B", "headcount"), (MAR, "team", "B", "headcount"),
                          (MAR, "service", "S1", "leavers"), (MAR, "team", "A", "leavers")}
    assert extra[(FEB, "team", "B", "headcount")] == pytest.approx((2.0, 3.0, 1.0, 0.5))
    assert extra[(MAR, "team", "B", "headcount")] == pytest.approx((3.0, 0.0, -3.0, -1.0))
    assert extra[(MAR, "team", "A", "leavers")] == pytest.approx((2.0, 0.0, -2.0, -1.0))


def test_no_base_no_flag_and_an_empty_store_gives_the_columns(con, tmp_path):
    # with no minimum base a group appearing from nothing (C new: 0 -> 6) is still not a rate
    everything = detail.unusual_movements(con, min_base=0)
    assert not ((everything["group"] == "C new") & (everything["period"] == MAR)).any()
    empty_path = tmp_path / "empty.duckdb"
    connect(empty_path).close()
    empty = connect(empty_path, read_only=True)
    try:
        frame = detail.unusual_movements(empty)
    finally:
        empty.close()
    assert list(frame.columns) == COLUMNS and frame.empty


@pytest.mark.parametrize("kwargs", [{"threshold": -0.1}, {"threshold": "0.2"},
                                    {"min_base": -1}, {"min_base": None},
                                    {"threshold": float("nan")}, {"min_base": True}])
def test_bad_arguments_raise_a_named_error(con, kwargs):
    with pytest.raises(MetricError):
        detail.unusual_movements(con, **kwargs)


def test_the_threshold_is_bound_not_formatted(con):
    # bind parameters: a huge threshold flags nothing, zero flags every change on a base of 5+
    assert detail.unusual_movements(con, threshold=10.0).empty
    zero = detail.unusual_movements(con, threshold=0.0)
    assert (zero["change"] != 0).all() and len(zero) > len(EXPECTED)
