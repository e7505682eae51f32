"""The Agency rules compliance decisions kept per load (disclosure.compliance, store.kept): every
month's totals of every view (the summary, the trend's month rows, the directorate's table by
service) as one decision per month, decided again in each load's transaction for the months
whose figures changed, and applied by readers only while they answer for the figures, the rules
and the disclosure code.

Kept == live: what the kept path publishes must be exactly what deciding now publishes (every
cell, dtype, value type and reason). Real DuckDB stores built through the real loader (the demo's
36 monthly workbooks with their Agency assignments sheets), real workbooks loaded into them.
"""

from __future__ import annotations

import pandas as pd

from agency.rules import load_rules, rules_path
from disclosure import compliance
from ingest import loader
from metrics import agency as figures
from store import connect
from tests.integration.test_published_history import stricter_rules

ROLES = ("scrutiny", "hr")


def _sums(con) -> dict:
    return compliance.summaries(figures.checked(con, rules=load_rules(rules_path())))


def _same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True, obj=what)
    for c in a.columns:  # "c" beside Python ints, not numpy ints: value types too
        assert [type(x) for x in a[c].tolist()] == [type(x) for x in b[c].tolist()], (what, c)


def _same_decision(x, y, what: str) -> None:
    for part in ("shown", "published", "reasons"):
        _same(getattr(x, part), getattr(y, part), f"{what} {part}")
    assert x.exact == y.exact and x.table is y.table, what


def _kept_answers(con, sums: dict) -> bool:
    entries = compliance.kept(con)
    got = compliance._all_totals(sums)
    return bool(entries) and got is not None and compliance._kept_totals(
        entries, got[0], got[2], "scrutiny",
        compliance.shown_frame(got[0], got[1], got[2], compliance.history_shown(con))) is not None


def _assert_kept_is_live(con) -> None:
    sums = _sums(con)
    assert _kept_answers(con, sums), "the kept decisions do not answer for these figures"
    entries, shown = compliance.kept(con), compliance.history_shown(con)
    for role in ROLES:
        keys, live = compliance.every_month(sums, role, shown=shown)
        keys_kept, kept = compliance.every_month(sums, role, entries=entries, shown=shown)
        assert keys_kept == keys
        _same_decision(kept, live, f"{role}: every month's totals")


def test_every_load_keeps_every_months_decision_and_it_is_the_live_one(demo_db):
    con = connect(demo_db, read_only=True)
    try:
        sums = _sums(con)
        months = sorted({f"{p:%Y-%m}" for p in figures.assignment_periods(con)})
        assert len(months) == 36 and sorted(compliance.kept(con)) == months
        _assert_kept_is_live(con)
        shown = compliance.history_shown(con)
        assert shown  # the measure history shows some of the totals
        # and the assignments above the cap (the denominator of the £ above it) of some views
        assert any(compliance.ABOVE_CAP in there for there in shown.values())
        # real decisions: hidden counts of every kind, in many months and views
        keys, kept = compliance.every_month(sums, "scrutiny", entries=compliance.kept(con), shown=shown)
        reasons = set(kept.reasons.stack().dropna())
        assert {"primary", "secondary"} <= reasons
        hidden_months = {keys[i][0] for i in range(len(keys)) if (kept.published.iloc[i] == "c").any()}
        assert len(hidden_months) >= 30
        # the tables by job type are decided around the kept totals: the same as around live ones
        live_keys, live = compliance.every_month(sums, "scrutiny", shown=shown)
        for period in (months[0], months[len(months) // 2], months[-1]):
            around_kept = compliance.jobs_decided(sums, "scrutiny", period,
                                                  compliance.totals_rows(keys, kept, period)[1], shown=shown)
            around_live = compliance.jobs_decided(sums, "scrutiny", period,
                                                  compliance.totals_rows(live_keys, live, period)[1], shown=shown)
            assert list(around_kept) == list(around_live)
            for view in around_live:
                _same_decision(around_kept[view], around_live[view], f"{period} {view} by job type")
    finally:
        con.close()


def _assert_jobs_kept_are_live(con, months: list[str], roles=ROLES) -> None:
    """Each month's tables by job type read from the kept decisions are exactly the live ones
    (every view), around the month's live totals."""
    sums, entries, shown = _sums(con), compliance.kept(con), compliance.history_shown(con)
    for role in roles:
        keys, live = compliance.every_month(sums, role, shown=shown)
        for period in months:
            totals = compliance.totals_rows(keys, live, period)[1]
            views, month = compliance.month_totals(sums, period)
            kept = compliance._kept_jobs(entries, period, views, month, compliance.month_jobs(sums, period, views),
                                         role, compliance.shown_frame([period] * len(views), views, month, shown))
            assert kept is not None, f"{period}: the kept tables by job type do not answer"
            now = compliance.jobs_decided(sums, role, period, totals, shown=shown)
            assert list(kept) == list(now) == views
            for view in now:
                _same_decision(kept[view], now[view], f"{role} {period} {view} by job type")


def test_every_months_tables_by_job_type_are_kept_and_are_the_live_decision(demo_db):
    """Every month's tables by job type, kept by its load, are the live decision (scrutiny: all
    36 months, ~20 s of linear programming live; hr, whose exact figures are shown beside the same
    decision: the latest month and one that needs linear programming)."""
    con = connect(demo_db, read_only=True)
    try:
        months = sorted(compliance.kept(con))
        assert len(months) == 36 and all(compliance.kept(con)[m]["jobs"] for m in months)
        _assert_jobs_kept_are_live(con, months, roles=("scrutiny",))
        _assert_jobs_kept_are_live(con, [months[-1], "2024-10"], roles=("hr",))
        hidden = sum(bool(c["cols"]) for m in months for c in compliance.kept(con)[m]["jobs"]["changes"])
        assert hidden >= 36  # real decisions: cells hidden in many months' tables
    finally:
        con.close()


def _decided_count(monkeypatch) -> list:
    calls = []
    decide = compliance._decide_totals

    def counting(months, *a, **k):
        calls.append(sorted(set(months)))
        return decide(months, *a, **k)

    monkeypatch.setattr(compliance, "_decide_totals", counting)
    return calls


def _next_month(db) -> tuple[str, str]:
    """A real workbook of the month after the store's latest, with its Agency assignments sheet."""
    from tests.e2e.workbooks import latest_loaded, month_frames, next_month, workbook_bytes

    period = next_month(latest_loaded(db))
    frames = month_frames(period=period)
    assert len(frames["Agency assignments"]) > 0
    path = db.parent / f"extract-{period}.xlsx"
    path.write_bytes(workbook_bytes(frames))
    return str(path), period


def test_a_new_month_is_decided_in_its_load_and_only_it(copy_demo_db, monkeypatch):
    path, period = _next_month(copy_demo_db)
    calls = _decided_count(monkeypatch)
    con = connect(copy_demo_db)
    try:
        before = compliance.kept(con)
        assert loader.load_file(con=con, path=path, period=period, loaded_by="test").outcome == "loaded"
        after = compliance.kept(con)
        assert sorted(after) == sorted([*before, period])
        assert calls == [[period]]  # the other 36 months' figures did not change: kept as they were
        assert all(after[m] == before[m] for m in before)
        _assert_kept_is_live(con)
        assert after[period]["jobs"] is not None  # its tables by job type kept by the same load
        _assert_jobs_kept_are_live(con, [period])
    finally:
        con.close()


def test_changed_figures_are_never_read_stale(copy_demo_db):
    """A month whose figures changed without its load deciding again (here: an assignment's
    references edited in place): the kept months no longer answer, every reader decides live,
    and the next refresh decides that month alone again."""
    con = connect(copy_demo_db)
    try:
        sums = _sums(con)
        latest = max(figures.assignment_periods(con))
        con.execute("UPDATE agency_assignments SET references_received = 0 WHERE period = ? AND employee_id = "
                    "(SELECT min(employee_id) FROM agency_assignments WHERE period = ? AND references_received > 0)",
                    [latest, latest])
        changed = _sums(con)
        assert not changed[(None, None)].equals(sums[(None, None)])  # a figure really moved
        assert not _kept_answers(con, changed)
        entries = compliance.kept(con)
        month = f"{latest:%Y-%m}"
        views, totals = compliance.month_totals(changed, month)
        shown = compliance.history_shown(con)
        assert compliance._kept_jobs(entries, month, views, totals, compliance.month_jobs(changed, month, views),
                                     "scrutiny", compliance.shown_frame([month] * len(views), views, totals, shown)
                                     ) is None  # the tables by job type are not read stale either
        for role in ROLES:  # live: the new figures' own decision
            _, live = compliance.every_month(changed, role, shown=shown)
            _same_decision(compliance.every_month(changed, role, entries=entries, shown=shown)[1], live, role)
        con.execute("BEGIN")
        compliance.refresh(con)
        con.execute("COMMIT")
        _assert_kept_is_live(con)
        _assert_jobs_kept_are_live(con, [month])
    finally:
        con.close()


def test_changed_rules_or_disclosure_code_decide_live(copy_demo_db, tmp_path, monkeypatch, changed_disclosure):
    con = connect(copy_demo_db)
    try:
        sums = _sums(con)
        assert _kept_answers(con, sums)
        changed_disclosure("audit.py")  # a disclosure module no kind used to sign by name
        assert compliance.kept(con) is None and not _kept_answers(con, sums)
        monkeypatch.undo()
        stricter_rules(tmp_path, monkeypatch)
        assert compliance.kept(con) is None
        strict = compliance.every_month(sums, "scrutiny", entries=compliance.kept(con))[1]
        monkeypatch.delenv("WORKFORCE_DISCLOSURE")
        usual = compliance.every_month(sums, "scrutiny", entries=compliance.kept(con))[1]
        assert (strict.published == "c").sum().sum() > (usual.published == "c").sum().sum()
    finally:
        con.close()
