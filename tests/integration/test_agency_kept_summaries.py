"""The Agency pages' compliance and spend figures kept per load (issue 9, the Agency pages under
1 s at 100x): each load keeps every month's summaries (metrics.agency.keep_summaries, migration
86, written by disclosure.compliance.refresh for the months whose checked rows changed) and a
page reads them instead of summarising every month's checked assignments. The frames read back
must be exactly the ones worked out from the checked rows (rows, order, values, dtypes), for every
month, view and breakdown, and the spend by month exactly spend_by_month's for every view; they
must not answer once the rows, code or rules they came from moved. Real DuckDB stores built
through the real loader (the demo's 36 months).
"""

from __future__ import annotations

import pandas as pd

from agency.rules import load_rules, rules_path
from disclosure import compliance
from ingest import loader
from metrics import agency as figures
from store import connect
from tests.integration.agency_fixtures import spy
from tests.integration.test_kept_compliance import _next_month


def _rules():
    return load_rules(rules_path())


def _assert_kept_is_live(con) -> None:
    got = compliance.kept_summaries(con, _rules())
    assert got is not None, "the kept summaries do not answer for these checked rows"
    sums, spend = got
    whole = figures.checked(con, rules=_rules(), columns=figures.SUMMARY_COLUMNS)
    live = compliance.summaries(whole)
    assert set(sums) == set(live)
    for key, frame in live.items():
        pd.testing.assert_frame_equal(sums[key], frame, check_exact=True, obj=str(key))
    services = sorted(whole["service"].dropna().unique())
    assert len(services) >= 3 and set(spend) == {None, *services}
    for view in (None, *services):
        rows = figures.checked(con, rules=_rules(), columns=figures.COST_COLUMNS,
                               filters=None if view is None else {"service": [view]})
        pd.testing.assert_frame_equal(spend[view], figures.monthly_spend(rows), check_exact=True, obj=str(view))
        assert [type(x) for x in spend[view]["spend"]] == [type(x) for x in figures.monthly_spend(rows)["spend"]]
        pd.testing.assert_frame_equal(figures.rolling_spend(spend[view]), figures.spend_by_month(rows),
                                      check_exact=True, obj=str(view))
        # one view's spend read alone (Agency & 80:20) is that view's of the whole read
        alone = _kept_spend(con, view)
        pd.testing.assert_frame_equal(alone, spend[view], check_exact=True, obj=f"{view} alone")
        assert [type(x) for x in alone["spend"]] == [type(x) for x in spend[view]["spend"]]
        assert [type(x) for x in alone["period"]] == [type(x) for x in spend[view]["period"]]
    assert _kept_spend(con, "No such service") is None  # (worked out from its rows: none)


def _kept_spend(con, view):
    """metrics.agency.kept_spend of `view`, as ui.data.agency asks for it."""
    rules = _rules()
    return figures.kept_spend(con, prints=figures.checked_prints(con, rules=rules),
                              signature=compliance.summaries_signature(rules), view=view)


def _neither_answers(con) -> None:
    assert compliance.kept_summaries(con, _rules()) is None
    assert all(_kept_spend(con, view) is None for view in (None, "Safeguarding and Family Support"))


def test_every_load_keeps_every_months_summaries_and_they_are_the_live_ones(copy_demo_db):
    con = connect(copy_demo_db)
    try:
        months = sorted(f"{p:%Y-%m}" for p in figures.assignment_periods(con))
        assert len(months) == 36
        kept = con.execute(f"SELECT DISTINCT strftime(period, '%Y-%m') FROM {figures.SUMMARIES}").fetchall()
        assert sorted(m for (m,) in kept) == months
        _assert_kept_is_live(con)
    finally:
        con.close()


def test_a_load_keeps_the_new_months_summaries_and_only_them(copy_demo_db, monkeypatch):
    path, period = _next_month(copy_demo_db)
    con = connect(copy_demo_db)
    try:
        written = spy(monkeypatch, figures, "keep_summaries", lambda args, kw, out: sorted(kw["months"]))
        assert loader.load_file(con=con, path=path, period=period, loaded_by="test").outcome == "loaded"
        assert written == [[period]]  # the 36 months before: their rows did not change
        monkeypatch.undo()
        _assert_kept_is_live(con)
    finally:
        con.close()


def test_kept_summaries_do_not_answer_once_their_rows_code_or_rules_moved(copy_demo_db):
    con = connect(copy_demo_db)
    try:
        assert compliance.kept_summaries(con, _rules()) is not None
        # a month's kept rows worked out from other checked rows
        con.execute(f"UPDATE {figures.SUMMARIES} SET rows_print = 'other' WHERE period = "
                    f"(SELECT max(period) FROM {figures.SUMMARIES})")
        _neither_answers(con)
        con.execute("BEGIN")
        compliance.refresh(con)  # the next load keeps that month again
        con.execute("COMMIT")
        _assert_kept_is_live(con)
        # under other code or rules
        con.execute(f"UPDATE {figures.SUMMARIES} SET signature = 'other'")
        _neither_answers(con)
        con.execute("BEGIN")
        compliance.refresh(con)
        con.execute("COMMIT")
        _assert_kept_is_live(con)
        # a month missing
        con.execute(f"DELETE FROM {figures.SUMMARIES} WHERE period = (SELECT min(period) FROM {figures.SUMMARIES})")
        _neither_answers(con)
        # an assignment edited in place (no load): the checked rows no longer answer, nor do these
        con.execute("BEGIN")
        compliance.refresh(con)
        con.execute("COMMIT")
        assert compliance.kept_summaries(con, _rules()) is not None
        latest = max(figures.assignment_periods(con))
        con.execute("UPDATE agency_assignments SET references_received = 0 WHERE period = ? AND employee_id = "
                    "(SELECT min(employee_id) FROM agency_assignments WHERE period = ? AND references_received > 0)",
                    [latest, latest])
        _neither_answers(con)
    finally:
        con.close()
