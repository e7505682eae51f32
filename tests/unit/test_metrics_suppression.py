"""Small-number suppression against adversarial tables: nothing hidden may be worked back out."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from disclosure.cells import (
    SUPPRESSED,
    SuppressionError,
    suppress_counts,
    suppress_metric_frame,
    suppress_rates,
    suppress_table,
    suppressed_mask,
)


# --- independent checks an attacker could run ---------------------------------------------


def hidden(frame: pd.DataFrame, col: str) -> list[bool]:
    return [v == SUPPRESSED for v in frame[col]]


def one_way_recoverable(shown: pd.DataFrame, original: pd.DataFrame, *, body_rows, body_cols,
                        total_row=None, total_col=None) -> list[tuple[int, str]]:
    """Cells recoverable as 'total minus the visible cells' of their row or column."""
    found = []
    lines = []
    for c in list(body_cols) + ([total_col] if total_col else []):
        cells = [(r, c) for r in body_rows]
        lines.append((cells, (total_row, c) if total_row is not None else None))
    if total_col:
        for r in list(body_rows) + ([total_row] if total_row is not None else []):
            lines.append(([(r, c) for c in body_cols], (r, total_col)))
    for cells, total in lines:
        members = cells + ([total] if total else [])
        hid = [m for m in members if shown.at[m[0], m[1]] == SUPPRESSED]
        if len(hid) == 1:
            found.append(hid[0])
        if len(hid) >= 2 and total and shown.at[total] != SUPPRESSED:
            # the hidden cells add up to a small count: each of them is small
            rest = sum(original.at[m] for m in hid)
            if 0 < rest < 5:
                found.extend(hid)
    return found


def exactly_determined(shown: pd.DataFrame, *, body_rows, body_cols, total_row, total_col) -> list:
    """Hidden cells fixed by *some* combination of row and column equations (null-space test)."""
    cells = [(r, c) for r in list(body_rows) + [total_row] for c in list(body_cols) + [total_col]]
    unknown = [x for x in cells if shown.at[x] == SUPPRESSED]
    if not unknown:
        return []
    idx = {x: k for k, x in enumerate(unknown)}
    rows = []
    for c in list(body_cols) + [total_col]:
        row = np.zeros(len(unknown))
        for r in body_rows:
            if (r, c) in idx:
                row[idx[(r, c)]] += 1
        if (total_row, c) in idx:
            row[idx[(total_row, c)]] -= 1
        rows.append(row)
    for r in list(body_rows) + [total_row]:
        row = np.zeros(len(unknown))
        for c in body_cols:
            if (r, c) in idx:
                row[idx[(r, c)]] += 1
        if (r, total_col) in idx:
            row[idx[(r, total_col)]] -= 1
        rows.append(row)
    a = np.vstack(rows)
    _, sv, vt = np.linalg.svd(a)
    rank = int((sv > 1e-9).sum())
    null = vt[rank:]                                   # basis of the free directions
    if null.shape[0] == 0:
        return unknown
    return [x for x, k in idx.items() if np.all(np.abs(null[:, k]) < 1e-9)]


def with_totals(body: pd.DataFrame) -> pd.DataFrame:
    out = body.copy()
    out["Total"] = out.sum(axis=1)
    out.loc["Total"] = out.sum(axis=0)
    return out


# --- primary rule ---------------------------------------------------------------------------


def test_primary_rule_hides_1_to_4_and_shows_zero_and_five():
    t = pd.DataFrame({"n": [0, 1, 4, 5, 30]}, index=list("abcde"))
    out = suppress_counts(t, count_cols=["n"], column_totals_known=False)
    assert list(out["n"]) == [0, SUPPRESSED, SUPPRESSED, 5, 30]


def test_team_total_minus_other_teams_cannot_reveal_the_small_team():
    t = pd.DataFrame({"team": ["A", "B", "C", "Total"], "leavers": [3, 10, 12, 25]})
    out = suppress_counts(t, count_cols=["leavers"], total_row_label="Total", label_col="team")
    assert out.at[0, "leavers"] == SUPPRESSED
    assert out.at[1, "leavers"] == SUPPRESSED   # the next smallest goes too
    assert out.at[2, "leavers"] == 12 and out.at[3, "leavers"] == 25
    # 25 - 12 = 13 = A + B: neither can be split out
    assert hidden(out, "leavers") == [True, True, False, False]


def test_without_a_total_row_the_published_total_is_still_assumed_known():
    t = pd.DataFrame({"leavers": [3, 10, 12]}, index=["A", "B", "C"])
    out = suppress_counts(t, count_cols=["leavers"])
    assert list(out["leavers"]) == [SUPPRESSED, SUPPRESSED, 12]


def test_service_with_one_small_team_hides_the_service_too():
    # teams of the service Youth: only one team, so the team IS the service total
    t = pd.DataFrame({"team": ["Youth Justice", "Youth (service)"], "staff": [3, 3]})
    out = suppress_counts(t, count_cols=["staff"], total_row_label="Youth (service)", label_col="team")
    assert list(out["staff"]) == [SUPPRESSED, SUPPRESSED]


def test_service_total_hidden_when_its_only_small_team_equals_it_in_the_metric_frame():
    frame = pd.DataFrame({
        "metric_id": ["agency_rate_fte"] * 2,
        "group": [None, "Youth Justice"],
        "value": [0.25, 0.25], "numerator": [1.0, 1.0], "denominator": [4.0, 4.0],
        "base_count": [4, 4],
    })
    out = suppress_metric_frame(frame)
    assert list(out["value"]) == [SUPPRESSED, SUPPRESSED]
    assert list(out["numerator"]) == [SUPPRESSED, SUPPRESSED]


def test_metric_frame_hides_next_smallest_group_so_overall_minus_others_reveals_nothing():
    frame = pd.DataFrame({
        "metric_id": ["agency_rate_fte"] * 4,
        "period": pd.to_datetime(["2025-09-01"] * 4),
        "scope": ["social_workers"] * 4,
        "group": [None, "Small team", "Mid team", "Big team"],
        "value": [0.2, 0.5, 0.1, 0.2],
        "numerator": [6.0, 1.0, 1.0, 4.0],
        "denominator": [30.0, 2.0, 8.0, 20.0],
        "base_count": [31, 3, 8, 20],
    })
    out = suppress_metric_frame(frame)
    assert list(out["suppressed"]) == [False, True, True, False]
    assert list(out["suppression"])[1:3] == ["primary", "secondary"]
    for col in ("value", "numerator", "denominator", "base_count"):
        assert out.at[1, col] == SUPPRESSED and out.at[2, col] == SUPPRESSED
    assert out.at[0, "value"] == 0.2 and out.at[3, "base_count"] == 20
    mask = suppressed_mask(out)
    assert mask["value"].tolist() == [False, True, True, False]
    assert not mask["metric_id"].any()


def test_metric_frame_without_overall_row_assumes_the_overall_is_published():
    frame = pd.DataFrame({
        "metric_id": ["avg_caseload"] * 3, "group": ["A", "B", "C"],
        "value": [12.0, 15.0, 18.0], "numerator": [24, 150, 180], "denominator": [2, 10, 10],
        "base_count": [2, 10, 11],
    })
    out = suppress_metric_frame(frame)
    assert out["suppressed"].tolist() == [True, True, False]


def test_metric_frame_respects_the_catalogue():
    frame = pd.DataFrame({
        "metric_id": ["engagement_score", "agency_conversions_12m", "agency_conversions_12m"],
        "group": [None, None, "A"],
        "value": [71.0, 12.0, 2.0], "numerator": [71.0, 12.0, 2.0], "denominator": [None] * 3,
        "base_count": [3, 12, 9],
    })
    out = suppress_metric_frame(frame)
    # a score is not a count of people: shown; a count measure of 2 people is hidden, and the
    # overall (the only other member of its equation) goes too
    assert out.at[0, "value"] == 71.0
    assert out.at[2, "value"] == SUPPRESSED and out.at[1, "value"] == SUPPRESSED


def test_rows_and_columns_both_protected():
    body = pd.DataFrame(
        {"Female": [3, 12, 20], "Male": [9, 7, 15], "Other": [0, 6, 8]},
        index=["Team A", "Team B", "Team C"],
    )
    t = with_totals(body)
    out = suppress_counts(t, count_cols=list(body.columns), total_row_label="Total", total_col="Total")
    assert out.at["Team A", "Female"] == SUPPRESSED
    assert out.at["Team A", "Other"] == 0           # zero stays shown
    assert one_way_recoverable(out, t, body_rows=body.index, body_cols=body.columns,
                               total_row="Total", total_col="Total") == []
    assert exactly_determined(out, body_rows=body.index, body_cols=body.columns,
                              total_row="Total", total_col="Total") == []


def test_two_hidden_cells_whose_sum_is_small_are_not_enough():
    t = pd.DataFrame({"leavers": [1, 2, 10, 12]}, index=["A", "B", "C", "D"])
    t.loc["Total"] = t.sum()
    out = suppress_counts(t, count_cols=["leavers"], total_row_label="Total")
    # A + B = 25 - 22 = 3 would show both are tiny: C is hidden too
    assert hidden(out, "leavers") == [True, True, True, False, False]


def test_a_bridge_between_two_hidden_rectangles_is_caught_by_the_linear_algebra():
    # two 2x2 blocks of hidden cells joined by one hidden cell: each row and column has >= 2
    # hidden cells, yet the bridge cell is fixed by combining equations
    body = pd.DataFrame(
        [[4, 4, 50, 60], [4, 4, 3, 70], [40, 45, 4, 4], [55, 65, 4, 4]],
        index=["r0", "r1", "r2", "r3"], columns=["c0", "c1", "c2", "c3"],
    )
    t = with_totals(body)
    out = suppress_counts(t, count_cols=list(body.columns), total_row_label="Total", total_col="Total")
    assert exactly_determined(out, body_rows=body.index, body_cols=body.columns,
                              total_row="Total", total_col="Total") == []
    assert one_way_recoverable(out, t, body_rows=body.index, body_cols=body.columns,
                               total_row="Total", total_col="Total") == []
    # every primary cell is hidden
    for r, c in itertools.product(body.index, body.columns):
        if 0 < body.at[r, c] < 5:
            assert out.at[r, c] == SUPPRESSED


@pytest.mark.parametrize("seed", range(60))
def test_property_no_hidden_cell_is_recoverable_in_random_tables(seed):
    rng = np.random.default_rng(seed)
    n_rows, n_cols = rng.integers(2, 6), rng.integers(2, 5)
    values = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 11, 15, 23], size=(n_rows, n_cols),
                        p=[0.1, 0.12, 0.1, 0.08, 0.08, 0.1, 0.1, 0.1, 0.08, 0.07, 0.07])
    body = pd.DataFrame(values, index=[f"t{i}" for i in range(n_rows)],
                        columns=[f"k{j}" for j in range(n_cols)])
    t = with_totals(body)
    out = suppress_counts(t, count_cols=list(body.columns), total_row_label="Total", total_col="Total")
    assert one_way_recoverable(out, t, body_rows=body.index, body_cols=body.columns,
                               total_row="Total", total_col="Total") == []
    assert exactly_determined(out, body_rows=body.index, body_cols=body.columns,
                              total_row="Total", total_col="Total") == []
    for r, c in itertools.product(t.index, t.columns):
        v = t.at[r, c]
        if 0 < v < 5:
            assert out.at[r, c] == SUPPRESSED, (r, c)
        elif out.at[r, c] != SUPPRESSED:
            assert out.at[r, c] == v                   # what is shown is untouched
    mask = suppressed_mask(out)
    assert mask.to_numpy().sum() == sum(v == SUPPRESSED for v in out.to_numpy().ravel())


def test_rates_on_fewer_than_five_people_are_hidden_with_their_base():
    t = pd.DataFrame({"team": ["A", "B", "C", "D"], "rate": [0.5, 0.1, float("nan"), 0.25],
                      "people": [2, 10, 0, 4]})
    out = suppress_rates(t, rate_col="rate", base_col="people")
    assert out["rate"].tolist()[:2] == [SUPPRESSED, 0.1]
    assert pd.isna(out.at[2, "rate"])                 # no people: no data, not "c"
    assert out.at[3, "rate"] == SUPPRESSED
    assert out["people"].tolist() == [SUPPRESSED, 10, 0, SUPPRESSED]


def test_rate_whose_count_is_hidden_is_hidden():
    t = pd.DataFrame({"team": ["A", "B", "C", "Total"], "leavers": [3, 9, 12, 24],
                      "staff": [20, 30, 40, 90]})
    t["rate"] = t["leavers"] / t["staff"]
    out = suppress_table(t, count_cols=["leavers"], rate_cols=["rate"], base_col="staff",
                         total_row="Total", label_col="team")
    assert out["leavers"].tolist() == [SUPPRESSED, SUPPRESSED, 12, 24]
    assert out["rate"].tolist()[:2] == [SUPPRESSED, SUPPRESSED]
    assert out.at[2, "rate"] == pytest.approx(0.3)
    mask = suppressed_mask(out)
    assert mask["rate"].tolist() == [True, True, False, False]
    assert mask["leavers"].tolist() == [True, True, False, False]


def test_suppress_table_rate_on_small_base_gets_secondary_on_the_base():
    t = pd.DataFrame({"team": ["A", "B", "C", "All"], "staff": [3, 8, 20, 31],
                      "agency_rate": [0.33, 0.25, 0.1, 0.16]})
    out = suppress_table(t, rate_cols={"agency_rate": "staff"}, total_row="All", label_col="team")
    assert out["staff"].tolist() == [SUPPRESSED, SUPPRESSED, 20, 31]
    assert out["agency_rate"].tolist()[:2] == [SUPPRESSED, SUPPRESSED]


def test_clear_errors():
    t = pd.DataFrame({"n": [1, 2]})
    with pytest.raises(SuppressionError, match="'m'"):
        suppress_counts(t, count_cols=["m"])
    with pytest.raises(SuppressionError, match="total row"):
        suppress_counts(t, count_cols=["n"], total_row_label="Total")
    with pytest.raises(SuppressionError, match="not numbers"):
        suppress_counts(pd.DataFrame({"n": ["x", 3]}), count_cols=["n"])
    with pytest.raises(SuppressionError, match="base_col"):
        suppress_table(t, rate_cols=["n"])


def test_input_is_not_modified_and_empty_tables_pass_through():
    t = pd.DataFrame({"n": [1, 20]})
    suppress_counts(t, count_cols=["n"])
    assert t["n"].tolist() == [1, 20]
    empty = suppress_counts(pd.DataFrame({"n": pd.Series([], dtype=float)}), count_cols=["n"])
    assert empty.empty


def test_evaluated_frame_hides_the_change_and_the_colour_of_a_hidden_value():
    frame = pd.DataFrame({
        "metric_id": ["turnover_rate_fte_12m"] * 3,
        "group": [None, "A", "B"],
        "value": [0.12, 0.5, 0.08], "numerator": [3.0, 1.0, 2.0], "denominator": [25.0, 2.0, 23.0],
        "base_count": [26, 2, 24], "target": [0.118] * 3, "status": ["amber", "red", "green"],
        "year_ago_value": [0.1, 0.0, 0.1], "change_on_year": [0.02, 0.5, -0.02],
    })
    out = suppress_metric_frame(frame)
    assert out["change_on_year"].tolist() == [0.02, SUPPRESSED, SUPPRESSED]
    assert out["status"].tolist() == ["amber", "grey", "grey"]
    assert out["suppression"].tolist() == [None, "primary", "secondary"]


def test_the_determined_check_runs_blas_on_one_thread(monkeypatch):
    """disclosure.cells._determined's SVD runs numpy's BLAS on one thread (its default, a thread
    per core, made an Agency rules first render's SVDs ~20x slower on a shared 2-core server),
    and the process's setting is back as it was afterwards; the cells hidden are the same."""
    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:  # numpy's own BLAS (scipy may have loaded another)
        return [lib["num_threads"] for lib in threadpool_info()
                if lib["user_api"] == "blas" and "numpy" in lib["filepath"]]

    seen = []
    svd = np.linalg.svd

    def spy(a, *args, **kwargs):
        seen.append(blas_threads())
        return svd(a, *args, **kwargs)

    before = blas_threads()
    body = pd.DataFrame({"Female": [3, 12, 20], "Male": [9, 7, 15], "Other": [0, 6, 8]},
                        index=["Team A", "Team B", "Team C"])
    t = with_totals(body)
    expected = suppress_counts(t, count_cols=list(body.columns), total_row_label="Total", total_col="Total")
    monkeypatch.setattr(np.linalg, "svd", spy)
    out = suppress_counts(t, count_cols=list(body.columns), total_row_label="Total", total_col="Total")
    assert seen and all(threads and set(threads) == {1} for threads in seen)
    assert blas_threads() == before
    pd.testing.assert_frame_equal(out, expected)
