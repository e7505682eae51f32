"""The per-load aggregates (metrics.aggregates): written in the load's transaction, read by the
engine only when current, and giving exactly the figures computed from the raw rows.

Real DuckDB stores built through the real loader (the demo's 36 monthly workbooks).
"""

from __future__ import annotations

import pandas as pd
import pytest

from ingest import loader
from metrics import aggregates, engine
from store import connect

SCOPES = ("social_workers", "all_staff")
BYS = (None, "service", "team", "role_group")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_exact=False, rtol=1e-9, atol=1e-12)


def test_every_load_keeps_the_aggregates_current(demo_db):
    con = connect(demo_db, read_only=True)
    try:
        assert aggregates.is_fresh(con)
        assert con.execute("SELECT count(*) FROM measure_cube").fetchone()[0] > 0
    finally:
        con.close()


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("by", BYS)
def test_aggregates_give_the_raw_rows_figures(demo_db, scope, by):
    con = connect(demo_db, read_only=True)
    try:
        service = con.execute("SELECT min(service) FROM staff").fetchone()[0]
        for filters in (None, {"service": [service]}, {"role_group": ["Social worker", "Team manager"]}):
            fast = engine.history(con, scope=scope, by=by, filters=filters)
            raw = engine.history(con, scope=scope, by=by, filters=filters, use_stored=False)
            assert len(fast) > 0
            _same(fast, raw)
    finally:
        con.close()


def test_a_load_recomputes_only_the_months_it_touches(copy_demo_db, tmp_path):
    """Replacing the latest month recomputes that month alone; an older month, it and the twelve
    after it. Either way the result equals a full recomputation and the raw rows."""
    con = connect(copy_demo_db)
    try:
        pers = engine.periods(con)
        last, old = pers[-1], pers[-20]
        for p in (last, old):
            cur = con.cursor()
            cur.execute("BEGIN")
            cur.execute("DELETE FROM staff WHERE period = ? AND employee_id IN "
                        "(SELECT employee_id FROM staff WHERE period = ? ORDER BY employee_id LIMIT 7)", [p, p])
            done = aggregates.refresh(cur)
            cur.execute("COMMIT")
            assert done["periods"] == [p]
            assert aggregates.is_fresh(con)
        incremental = con.execute("SELECT * FROM measure_cube ORDER BY ALL").df()
        cur = con.cursor()
        cur.execute("BEGIN")
        aggregates.refresh(cur, full=True)
        cur.execute("COMMIT")
        _same(incremental, con.execute("SELECT * FROM measure_cube ORDER BY ALL").df())
        for by in BYS:
            _same(engine.history(con, scope="all_staff", by=by),
                  engine.history(con, scope="all_staff", by=by, use_stored=False))
    finally:
        con.close()


@pytest.mark.parametrize("by", [None, "service"])
def test_rows_written_without_a_refresh_are_never_read_from_either_kept_copy(copy_demo_db, by):
    """A row written behind the loader's back (no refresh) leaves both kept copies stale: the
    per-load aggregates (every breakdown) and the stored metric values (whole directorate). The
    engine must then count the row: by hand, one more person and the row's FTE more agency FTE,
    in the whole directorate and in the row's service; and the same as from the raw rows."""
    con = connect(copy_demo_db)
    try:
        last = engine.latest_period(con)
        before = engine.compute(con, period=last, by=by, metric_ids=["agency_rate_fte"])
        emp, fte, service = con.execute(
            "SELECT employee_id, fte, service FROM staff WHERE period = ? AND qualified_social_worker "
            "ORDER BY employee_id LIMIT 1", [last]).fetchone()
        con.execute("INSERT INTO staff SELECT * REPLACE ('zz-new' AS employee_id, 'Agency' AS worker_type) "
                    "FROM staff WHERE period = ? AND employee_id = ?", [last, emp])
        assert not aggregates.is_fresh(con) and not engine.values_fresh(con)
        after = engine.compute(con, period=last, by=by, metric_ids=["agency_rate_fte"])
        raw = engine.history(con, by=by, metric_ids=["agency_rate_fte"], start=last, end=last, use_stored=False)
    finally:
        con.close()
    _same(after, raw)
    pick = (lambda f: f.iloc[0]) if by is None else (lambda f: f[f["group"] == service].iloc[0])
    b, a = pick(before), pick(after)
    assert a["base_count"] == b["base_count"] + 1
    assert a["numerator"] == pytest.approx(b["numerator"] + fte)
    assert a["denominator"] == pytest.approx(b["denominator"] + fte)


def test_a_failing_refresh_rolls_the_load_back(copy_demo_db, tmp_path, monkeypatch):
    from demo import generate, write_workbook
    from ingest.problems import ExtractRejected

    period, frames = generate(months=1)[-1]
    small = {k: v.head(50) for k, v in frames.items() if "assignment" not in k.lower()}  # optional sheet
    path = write_workbook(path=tmp_path / "m.xlsx", frames=small,
                          period=period)
    con = connect(copy_demo_db)
    try:
        loads = con.execute("SELECT count(*) FROM loads").fetchone()[0]

        def broken(cur):
            raise RuntimeError("disk full")

        monkeypatch.setattr(loader, "AFTER_WRITE", [broken])
        with pytest.raises(ExtractRejected, match="nothing was changed"):
            loader.load_file(con=con, path=path, period=period, loaded_by="test")
        assert con.execute("SELECT count(*) FROM loads").fetchone()[0] == loads
        assert aggregates.is_fresh(con)
    finally:
        con.close()


def test_refresh_command_rebuilds_stale_aggregates(copy_demo_db, capsys):
    from metrics.__main__ import main

    con = connect(copy_demo_db)
    con.execute("DELETE FROM measure_cube_state")
    assert not aggregates.is_fresh(con)
    con.close()
    assert main(["--refresh", "--db", str(copy_demo_db)]) == 0
    assert "36 month(s)" in capsys.readouterr().out
    con = connect(copy_demo_db, read_only=True)
    try:
        assert aggregates.is_fresh(con)
    finally:
        con.close()
