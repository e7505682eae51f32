"""Narrow reads of the checked assignments (issue 9, fast at 100x): a page or a load reads only
the columns and months it uses (metrics.agency.checked's `columns`, start and end), and a load
re-reads only the months whose checked rows changed (metrics.agency.checked_prints; disclosure.
compliance.refresh). Real DuckDB stores built through the real loader (the demo's 36 months).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from agency.rules import load_rules, rules_path
from disclosure import compliance
from ingest import loader
from metrics import agency as figures
from store import connect
from tests.integration.agency_fixtures import spy
from tests.integration.test_kept_compliance import _assert_kept_is_live, _next_month


def _rules():
    return load_rules(rules_path())


def _narrow_is_the_whole_reads_columns(con) -> None:
    whole = figures.checked(con, rules=_rules())
    month = max(figures.assignment_periods(con))
    for cols in (figures.SUMMARY_COLUMNS, figures.COST_COLUMNS, ("period",)):
        narrow = figures.checked(con, rules=_rules(), columns=cols)
        assert list(narrow.columns) == [c for c in whole.columns if c in cols]
        pd.testing.assert_frame_equal(narrow, whole[list(narrow.columns)], check_exact=True)
        one = figures.checked(con, rules=_rules(), start=month, end=month, columns=cols)
        part = whole[whole["period"] == month][list(one.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(one, part, check_exact=True)
        for c in one.columns:  # value types too (dates, None beside floats)
            assert [type(x) for x in one[c]] == [type(x) for x in part[c]], c


def test_a_narrow_read_is_the_whole_reads_columns_kept_and_live(copy_demo_db):
    con = connect(copy_demo_db)
    try:
        assert figures._kept_fresh(con, _rules())
        _narrow_is_the_whole_reads_columns(con)  # the rows the last load kept
        con.execute(f"DELETE FROM {figures.KEPT_STATE}")
        assert not figures._kept_fresh(con, _rules())
        _narrow_is_the_whole_reads_columns(con)  # checked now
    finally:
        con.close()


def test_each_months_rows_fingerprint_is_kept_and_moves_with_its_rows(copy_demo_db):
    con = connect(copy_demo_db)
    try:
        prints = figures.checked_prints(con, rules=_rules())
        months = [f"{p:%Y-%m}" for p in figures.assignment_periods(con)]
        assert prints is not None and sorted(prints) == months and len(set(prints.values())) == len(months)
        latest = max(figures.assignment_periods(con))
        con.execute("UPDATE agency_assignments SET references_received = 0 WHERE period = ? AND employee_id = "
                    "(SELECT min(employee_id) FROM agency_assignments WHERE period = ? AND references_received > 0)",
                    [latest, latest])
        assert figures.checked_prints(con, rules=_rules()) is None  # edited in place: not answered for
        con.execute("BEGIN")
        assert figures.keep_checked(con) == [latest]
        con.execute("COMMIT")
        after = figures.checked_prints(con, rules=_rules())
        assert after[months[-1]] != prints[months[-1]]
        assert {m: after[m] for m in months[:-1]} == {m: prints[m] for m in months[:-1]}
    finally:
        con.close()


def test_a_loads_compliance_refresh_reads_only_the_new_month(copy_demo_db, monkeypatch):
    path, period = _next_month(copy_demo_db)
    con = connect(copy_demo_db)
    try:
        reads = spy(monkeypatch, figures, "checked", lambda args, kw, out: (
            kw.get("start"), kw.get("end"), sorted({f"{p:%Y-%m}" for p in out["period"]})))
        assert loader.load_file(con=con, path=path, period=period, loaded_by="test").outcome == "loaded"
        when = date.fromisoformat(period + "-01")
        # the cost panel's figures (metrics.agency.keep_cost) read the 12 months to the new one, a
        # window as long whatever the history; the compliance refresh only the new month; the 24
        # months before the window are not read again
        window = [f"{figures._months_back(when, n):%Y-%m}" for n in range(11, -1, -1)]
        assert reads == [(figures._months_back(when, 11), when, window), (when, when, [period])]
        monkeypatch.undo()
        _assert_kept_is_live(con)
        assert {m: e["rows"] for m, e in compliance.kept(con).items()} == figures.checked_prints(con, rules=_rules())
    finally:
        con.close()
