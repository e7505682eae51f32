"""store.kept (migration 83): decisions kept per load, read back only under the same signature
and inputs; frames carried through its JSON exactly; a store from before migration 83 upgrades.

Real DuckDB files through store.connect (the migrations), no mocks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import store
from store import kept, migrations
from tests.older_store import store_before

MONTH = date(2026, 10, 1)


def _row(**over) -> kept.Kept:
    base = dict(kind="people", period=MONTH, scope="social_workers", key="leavers_by_reason|()",
                signature="sig-1", inputs="in-1", decision='{"a": 1}')
    return kept.Kept(**{**base, **over})


def test_a_kept_decision_is_read_only_under_its_signature_and_inputs(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "s.duckdb")
    try:
        ask = dict(kind="people", period=MONTH, scope="social_workers", key="leavers_by_reason|()")
        assert kept.read(con, **ask, signature="sig-1", inputs="in-1") is None  # nothing kept
        assert kept.write(con, [_row(), _row(scope="all_staff", decision='{"b": 2}')]) == 2
        assert kept.read(con, **ask, signature="sig-1", inputs="in-1") == '{"a": 1}'
        assert kept.read(con, **ask, signature="sig-2", inputs="in-1") is None  # other code or rules
        assert kept.read(con, **ask, signature="sig-1", inputs="in-2") is None  # other figures
        assert kept.read(con, **{**ask, "period": date(2026, 9, 1)}, signature="sig-1", inputs="in-1") is None
        # writing again replaces (one row per kind, period, scope, key)
        kept.write(con, [_row(inputs="in-2", decision='{"a": 3}')])
        assert kept.read(con, **ask, signature="sig-1", inputs="in-1") is None
        assert kept.read(con, **ask, signature="sig-1", inputs="in-2") == '{"a": 3}'
        assert len(kept.read_all(con, kind="people")) == 2
        assert [k.scope for k in kept.read_all(con, kind="people", period=MONTH)
                if k.key == ask["key"]].count("social_workers") == 1
        kept.write(con, [_row(kind="agency", key="x")])
        kept.forget(con, kind="people", period=MONTH)
        assert kept.read_all(con, kind="people") == [] and len(kept.read_all(con, kind="agency")) == 1
        kept.forget(con, kind="agency")
        assert kept.read_all(con, kind="agency") == []
    finally:
        con.close()


def test_frames_come_back_exactly_as_kept() -> None:
    f = pd.DataFrame({
        "Reason": pd.Series(["Resigned", "Retired", None], dtype="str"),
        "Leavers": pd.Series([12, "c", 7], dtype=object),
        "FTE": pd.Series([10.5, np.nan, 6.0]),
        "Share (%)": pd.Series([1.5, "c", "z"], dtype=object),
        "n": pd.Series([1, 2, 3], dtype="int64"),
        "flag": [True, False, True],
        "mixed": pd.Series([None, float("nan"), 2.5], dtype=object),
        "words": pd.Series(["a", "b", "c"], dtype=object),  # only text, yet object (not str)
    })
    f.attrs = {"note": "x"}
    why = pd.DataFrame({"Leavers": [None, "primary", None]}, dtype=object, index=[3, 4, 5])
    back = kept.decode_frames(json.loads(json.dumps(kept.encode_frames({"pub": f, "why": why}))))
    pd.testing.assert_frame_equal(back["pub"], f, check_exact=True)
    pd.testing.assert_frame_equal(back["why"], why, check_exact=True)
    assert back["pub"].attrs == {"note": "x"}
    for col in f.columns:  # value types too (an int stays an int beside a "c")
        assert [type(v) for v in back["pub"][col]] == [type(v) for v in f[col]], col
    empty = pd.DataFrame({"Leavers": pd.Series([], dtype="int64")})
    pd.testing.assert_frame_equal(kept.decode_frames(kept.encode_frames({"e": empty}))["e"], empty)
    empty = pd.DataFrame({"Why": pd.Series([], dtype=object), "FTE": pd.Series([], dtype="float64")})
    pd.testing.assert_frame_equal(kept.decode_frames(kept.encode_frames({"e": empty}))["e"], empty, check_exact=True)


def test_the_fingerprint_changes_with_any_input() -> None:
    a = pd.DataFrame({"reason": ["A", "B"], "leavers": [3, 4]})
    base = kept.fingerprint(a, {"x": True}, [1, 2])
    assert base == kept.fingerprint(a.copy(), {"x": True}, [1, 2])
    assert base != kept.fingerprint(a.assign(leavers=[3, 5]), {"x": True}, [1, 2])
    assert base != kept.fingerprint(a.iloc[::-1].reset_index(drop=True), {"x": True}, [1, 2])  # row order
    assert base != kept.fingerprint(a.rename(columns={"leavers": "n"}), {"x": True}, [1, 2])
    assert base != kept.fingerprint(a, {"x": False}, [1, 2])
    assert base != kept.fingerprint(a, {"x": True}, [1, 2, 3])


def test_a_store_from_before_migration_83_upgrades_and_keeps_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "at82.duckdb"
    con = store_before(db, 83)
    con.execute("INSERT INTO published_history (scope, metric_id, period, service, value, numerator, denominator, "
                "base_count, suppressed, suppression) VALUES ('social_workers', 'headcount', DATE '2026-10-01', "
                "NULL, 10, NULL, NULL, 10, false, NULL)")  # named: migration 62 adds a column before 83
    assert kept.read(con, kind="people", period=MONTH, scope="social_workers", key="k",
                     signature="s", inputs="i") is None  # no table yet: readers decide live
    assert kept.read_all(con, kind="people") == []
    con.close()
    con = store.connect(db)
    try:
        assert 83 in migrations.applied_ids(con) and store.schema_version(con) >= 83
        assert con.execute("SELECT count(*) FROM published_history").fetchone()[0] == 1
        assert kept.read_all(con, kind="people") == []
        kept.write(con, [_row()])
        assert kept.read(con, kind="people", period=MONTH, scope="social_workers", key="leavers_by_reason|()",
                         signature="sig-1", inputs="in-1") == '{"a": 1}'
    finally:
        con.close()


def test_a_kept_decision_confirmed_under_a_ledger_is_read_only_under_it(tmp_path: Path) -> None:
    """Migration 85: `confirmed` answers a reader with one read; `confirm` sets it only on a row
    still kept under the same signature and inputs."""
    con = store.connect(tmp_path / "s.duckdb")
    try:
        ask = dict(kind="people", period=MONTH, scope="social_workers", key="leavers_by_reason|()")
        kept.write(con, [_row(confirmed="ledger-1"), _row(scope="all_staff")])
        assert kept.read(con, **ask, signature="sig-1", confirmed="ledger-1") == '{"a": 1}'
        assert kept.read(con, **ask, signature="sig-1", confirmed="ledger-2") is None  # a later load
        assert kept.read(con, **ask, signature="sig-2", confirmed="ledger-1") is None  # other code/rules
        assert kept.read(con, **{**ask, "scope": "all_staff"}, signature="sig-1", confirmed="ledger-1") \
            is None  # never confirmed
        assert kept.confirm(con, [_row(confirmed="ledger-2", inputs="in-other")]) == 0  # its figures moved
        assert kept.read(con, **ask, signature="sig-1", confirmed="ledger-2") is None
        assert kept.confirm(con, [_row(confirmed="ledger-2", decision="ignored")]) == 1
        assert kept.read(con, **ask, signature="sig-1", confirmed="ledger-2") == '{"a": 1}'
        assert kept.read(con, **ask, signature="sig-1", confirmed="ledger-1") is None
        assert {k.scope: k.confirmed for k in kept.read_all(con, kind="people")} == \
            {"social_workers": "ledger-2", "all_staff": None}
    finally:
        con.close()


def test_a_store_from_before_migration_85_upgrades_its_kept_rows_unconfirmed(tmp_path: Path) -> None:
    db = tmp_path / "at84.duckdb"
    con = store_before(db, 85)
    con.execute("INSERT INTO kept_decisions VALUES ('people', DATE '2026-10-01', 'social_workers', 'k', 's', 'i', "
                "'{}')")
    assert kept.read(con, kind="people", period=MONTH, scope="social_workers", key="k", signature="s",
                               confirmed="x") is None  # no column yet: readers check the inputs
    assert [r.inputs for r in kept.read_all(con, kind="people")] == ["i"]
    con.close()
    con = store.connect(db)
    try:
        assert 85 in migrations.applied_ids(con)
        assert kept.read_all(con, kind="people") == [
            kept.Kept("people", MONTH, "social_workers", "k", "s", "i", "{}", None)]
        assert kept.read(con, kind="people", period=MONTH, scope="social_workers", key="k", signature="s",
                         inputs="i") == "{}"
    finally:
        con.close()


def test_the_kept_history_reads_only_the_rows_and_columns_asked_for(tmp_path: Path) -> None:
    """store.published.read: some measures, only the rows not hidden, some columns, of one scope
    or all; a column that is not kept is refused (a reader asking for it has a bug)."""
    from store import published

    rows = pd.DataFrame({
        "scope": ["social_workers", "social_workers", "social_workers", "all_staff"],
        "metric_id": ["a", "a", "b", "a"],
        "period": [MONTH] * 4,
        "service": [None, "Youth", None, None],
        "value": [0.5, None, 0.25, 0.4],
        "numerator": [5.0, 2.0, 1.0, 8.0],
        "denominator": [10.0, 4.0, 4.0, 20.0],
        "base_count": [10.0, 4.0, 4.0, 20.0],
        "people_in_view": [np.nan] * 4,
        "suppressed": [False, True, False, False],
        "suppression": [None, "primary", None, None],
    })
    con = store.connect(tmp_path / "s.duckdb")
    try:
        published.write(con, rows, key="k")
        assert len(published.read(con)) == 4
        assert list(published.read(con).columns) == list(published.COLUMNS)
        got = published.read(con, metric_ids=["a"], shown_only=True, columns=("scope", "numerator"))
        assert list(got.columns) == ["scope", "numerator"]
        assert sorted(zip(got["scope"], got["numerator"])) == [("all_staff", 8.0), ("social_workers", 5.0)]
        got = published.read(con, scope="social_workers", columns=("metric_id", "service", "suppressed"))
        assert sorted(zip(got["metric_id"], got["service"].fillna("-"), got["suppressed"])) == \
            [("a", "-", False), ("a", "Youth", True), ("b", "-", False)]
        assert published.read(con, metric_ids=[]).empty
        assert len(published.read(con, shown_only=True)) == 3
        with pytest.raises(ValueError, match="secret"):
            published.read(con, columns=("metric_id", "secret"))
    finally:
        con.close()
