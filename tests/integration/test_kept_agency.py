"""The checked agency assignments kept per load (metrics.agency.keep_checked, migration 84).

Kept == the live check (agency.checks.check_assignments on the rows read now) in every demo month,
read through `checked` with the live check made to fail, so the kept rows are what answered. A
kept row is never read under other rules, other code or other data. A later load that names an
earlier leave date moves an earlier month's cool-off answer: the load re-checks that month
(hand-worked on the agency fixture store).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from agency.checks import check_assignments
from agency.rules import load_rules
from ingest.loader import load_frames
from metrics import agency as A
from metrics import engine  # noqa: F401  (registers the per-load refreshes, as the commands do)
from store import connect
from tests.integration.agency_fixtures import RULES_TOML, month_frames, write_rules


def _live(con, rules, **kw) -> pd.DataFrame:
    return check_assignments(A.read_assignments(con, **kw), rules=rules, employed=A.read_employment(con))


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want)
    for col in want.columns:
        if want[col].dtype == object:
            assert [type(v) for v in got[col]] == [type(v) for v in want[col]], col


def _no_live_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*a, **k):
        raise AssertionError("checked live")
    monkeypatch.setattr(A, "check_assignments", fail)


def test_every_demo_month_is_kept_as_the_live_check(demo_db: Path, monkeypatch) -> None:
    rules = load_rules()
    con = connect(demo_db, read_only=True)
    try:
        assert A.kept_fresh(con)
        months = A.assignment_periods(con)
        assert len(months) >= 24
        want = {m: _live(con, rules, start=m, end=m) for m in months}
        want_all = _live(con, rules)
        service = want_all["service"].dropna().iloc[0]
        want_service = _live(con, rules, filters={"service": [service], "job_type": ["Social worker"]})
        _no_live_check(monkeypatch)
        for m in months:
            _same(A.checked(con, rules=rules, start=m, end=m), want[m])
        _same(A.checked(con, rules=rules), want_all)
        _same(A.checked(con, rules=rules, filters={"service": [service], "job_type": ["Social worker"]}),
              want_service)
        assert want_all["cool_off_breach"].any() and want_all["long_assignment"].any()
    finally:
        con.close()


def test_kept_rows_are_not_read_under_other_rules_code_or_data(copy_demo_db: Path, tmp_path: Path,
                                                               monkeypatch) -> None:
    rules = load_rules()
    con = connect(copy_demo_db)
    try:
        last = A.assignment_periods(con)[-1]
        assert A.kept_fresh(con)
        # other rules (notice of at least 52 weeks: every assignment is below it)
        import dataclasses
        other = dataclasses.replace(rules, min_notice_weeks=52.0)
        assert not A._kept_fresh(con, other)
        assert A.checked(con, rules=other, start=last, end=last)["notice_below"].all()
        # other code: the signature of the checking modules differs
        monkeypatch.setattr(A, "_code", lambda: "another version")
        assert not A.kept_fresh(con)
        monkeypatch.undo()
        assert A.kept_fresh(con)
        # rows written without a load's refresh
        con.execute("INSERT INTO agency_assignments SELECT * FROM agency_assignments "
                    "WHERE period = ? LIMIT 1", [last])
        assert not A.kept_fresh(con)
        _same(A.checked(con, rules=rules, start=last, end=last), _live(con, rules, start=last, end=last))
        # a refresh keeps them again, and re-checks only the month that changed
        assert A.keep_checked(con) == [last]
        assert A.kept_fresh(con)
        # an assignment edited in place (no load): not read either
        con.execute("UPDATE agency_assignments SET notice_weeks = notice_weeks + 1 WHERE period = ? "
                    "AND employee_id = (SELECT min(employee_id) FROM agency_assignments WHERE period = ?)",
                    [last, last])
        assert not A.kept_fresh(con)
        _same(A.checked(con, rules=rules, start=last, end=last), _live(con, rules, start=last, end=last))
        assert A.keep_checked(con) == [last] and A.kept_fresh(con)
        # the rules file in force changed (a stricter notice): kept rows are not read
        path = write_rules(tmp_path / "rules.toml", Path("data/agency_rules.toml").read_text()
                           .replace("min_notice_weeks = 4", "min_notice_weeks = 52"))
        assert "min_notice_weeks = 52" in path.read_text()
        monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(path))
        assert not A.kept_fresh(con)
        # and a refresh under them checks every month again
        assert A.keep_checked(con) == A.assignment_periods(con)
        assert A.checked(con, rules=load_rules(), start=last, end=last)["notice_below"].all()
    finally:
        con.close()


def test_a_later_load_naming_an_earlier_leave_date_rechecks_earlier_months(tmp_path: Path,
                                                                          monkeypatch) -> None:
    """2025-02 and 2025-03 are loaded first: E888 is on assignment from 01/02/2025 and nothing
    says they were employed here, so no cool-off breach. Then 2024-11 is loaded: its Leavers sheet
    has E888 leaving an employed social-work post on 20/11/2024, within the 12-month cool-off of
    01/02/2025. That load must re-check February and March (their own rows did not change)."""
    monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(write_rules(tmp_path / "rules.toml", RULES_TOML)))
    rules = load_rules()
    path = tmp_path / "workforce.duckdb"
    con = connect(path)
    try:
        for period in ("2025-02", "2025-03", "2024-11"):
            if period == "2024-11":
                feb = A.checked(con, rules=rules, start=date(2025, 2, 1), end=date(2025, 2, 1))
                assert not feb.set_index("employee_id").loc["E888", "cool_off_breach"]
            load_frames(con=con, frames=month_frames(period), period=period, loaded_by="test",
                        file_name=f"{period}.xlsx")
        assert A.kept_fresh(con)
        with monkeypatch.context() as m:
            _no_live_check(m)
            for month in (date(2025, 2, 1), date(2025, 3, 1)):
                e888 = A.checked(con, rules=rules, start=month, end=month).set_index("employee_id").loc["E888"]
                assert e888["cool_off_breach"] and e888["cool_off_left_on"] == date(2024, 11, 20)
        for month in (date(2025, 2, 1), date(2025, 3, 1)):
            _same(A.checked(con, rules=rules, start=month, end=month), _live(con, rules, start=month, end=month))
        assert A.keep_checked(con) == []  # nothing moved since
    finally:
        con.close()


def test_the_engine_reads_the_agency_measures_from_the_aggregates(copy_demo_db: Path, tmp_path: Path,
                                                                  monkeypatch) -> None:
    """Every agency measure by team and by role group comes from the measure cube (kept per load
    from the kept checked rows) and equals the figures from the checked rows; under another rules
    file the cube's agency rows are not read (the engine checks live)."""
    from metrics import aggregates

    ids = sorted(engine._AGENCY_METRICS)
    assert len(ids) >= 9
    con = connect(copy_demo_db)
    try:
        assert aggregates.is_fresh(con) and A.kept_fresh(con)
        raw = {(s, by): engine.history(con, scope=s, by=by, metric_ids=ids, use_stored=False)
               for s in ("social_workers", "all_staff") for by in ("team", "role_group", None)}
        assert raw[("social_workers", "team")]["value"].notna().sum() > 100
        with monkeypatch.context() as m:
            m.setattr(A, "checks_frame", lambda *a, **k: (_ for _ in ()).throw(AssertionError("live")))
            for (s, by), want in raw.items():
                pd.testing.assert_frame_equal(
                    engine.history(con, scope=s, by=by, metric_ids=ids, use_values=False), want)
        # another rules file: the kept rows and the cube's agency rows answer for the old one
        path = write_rules(tmp_path / "rules.toml", Path("data/agency_rules.toml").read_text()
                           .replace("min_notice_weeks = 4", "min_notice_weeks = 52"))
        monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(path))
        assert aggregates.is_fresh(con) and not A.kept_fresh(con)
        short = engine.history(con, by="team", metric_ids=["agency_short_notice_rate"], use_values=False)
        assert (short["value"].dropna() == 1.0).all() and short["value"].notna().any()
    finally:
        con.close()
