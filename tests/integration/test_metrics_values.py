"""The metric values kept per load (metrics.engine.refresh_values, store migrations 80, 81, 87):
every metric, every month, both scopes, overall and by each kept breakdown (service, team, job
type), no filter, written in the load's transaction,
read by the engine only while they answer for the declarations, the data and the agency rules,
and exactly the figures the engine computes.

Real DuckDB stores built through the real loader (the demo's 36 monthly workbooks).
"""

from __future__ import annotations

import pandas as pd
import pytest

from ingest import loader
from metrics import catalogue, engine
from store import connect

SCOPES = ("social_workers", "all_staff")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_exact=False, rtol=1e-9, atol=1e-12)


def test_every_load_keeps_the_values_current(demo_db):
    con = connect(demo_db, read_only=True)
    try:
        assert engine.values_fresh(con)
        months = len(engine.periods(con))
        rows = con.execute("SELECT count(*) FROM metric_values WHERE breakdown IS NULL").fetchone()[0]
        assert rows == len(catalogue.CATALOGUE) * months * len(SCOPES)
        for by in ("service", "team", "role_group"):
            kept = con.execute("SELECT count(DISTINCT group_name) FROM metric_values WHERE breakdown = ?",
                               [by]).fetchone()[0]
            assert kept == len({r[0] for r in con.execute(f"SELECT DISTINCT {by} FROM staff").fetchall()}), by
    finally:
        con.close()


@pytest.mark.parametrize("scope", SCOPES)
def test_stored_values_are_the_engines_own_figures(demo_db, scope):
    con = connect(demo_db, read_only=True)
    try:
        kept = engine.history(con, scope=scope)
        assert len(kept) > 0
        _same(kept, engine.history(con, scope=scope, use_values=False))
        _same(kept, engine.history(con, scope=scope, use_stored=False))
        for by in ("service", "team", "role_group"):
            broken_down = engine.history(con, scope=scope, by=by)
            assert broken_down["group"].nunique() >= 2, by
            _same(broken_down, engine.history(con, scope=scope, by=by, use_values=False))
            _same(broken_down, engine.history(con, scope=scope, by=by, use_stored=False))
        pers = engine.periods(con)
        ids = ["vacancy_rate_fte", "agency_rate_fte", "stability_index_12m"]  # not catalogue order
        _same(engine.history(con, scope=scope, metric_ids=ids, start=pers[3], end=pers[9]),
              engine.history(con, scope=scope, metric_ids=ids, start=pers[3], end=pers[9],
                             use_values=False))
        _same(engine.evaluate(con, period=pers[-1], scope=scope),
              engine.add_targets(engine.history(con, scope=scope, start=pers[-13], end=pers[-1],
                                                use_values=False)).query("period == @pers[-1]"))
    finally:
        con.close()


def test_the_engine_reads_the_kept_values(copy_demo_db):
    """A kept value is what a page is shown (so the table is really read, not recomputed)."""
    con = connect(copy_demo_db)
    try:
        last = engine.latest_period(con)
        con.execute("UPDATE metric_values SET value = 0.123 WHERE metric_id = 'agency_rate_fte' "
                    "AND scope = 'social_workers' AND period = ?", [last])
        got = engine.compute(con, period=last, metric_ids=["agency_rate_fte"])
        assert got["value"].iloc[0] == pytest.approx(0.123)
        # and by service
        service = engine.compute(con, period=last, metric_ids=["agency_rate_fte"], by="service")["group"].iloc[0]
        con.execute("UPDATE metric_values SET value = 0.456 WHERE metric_id = 'agency_rate_fte' "
                    "AND scope = 'social_workers' AND period = ? AND breakdown = 'service' AND group_name = ?",
                    [last, service])
        got = engine.compute(con, period=last, metric_ids=["agency_rate_fte"], by="service")
        assert got.set_index("group").loc[service, "value"] == pytest.approx(0.456)
        assert engine.compute(con, period=last, metric_ids=["agency_rate_fte"])["value"].iloc[0] == pytest.approx(0.123)
        # and by team and by job type, each from its own rows
        for by, mark in (("team", 0.789), ("role_group", 0.321)):
            group = engine.compute(con, period=last, metric_ids=["agency_rate_fte"], by=by)["group"].iloc[0]
            con.execute("UPDATE metric_values SET value = ? WHERE metric_id = 'agency_rate_fte' AND "
                        "scope = 'social_workers' AND period = ? AND breakdown = ? AND group_name = ?",
                        [mark, last, by, group])
            got = engine.compute(con, period=last, metric_ids=["agency_rate_fte"], by=by)
            assert got.set_index("group").loc[group, "value"] == pytest.approx(mark), by
        assert engine.compute(con, period=last, metric_ids=["agency_rate_fte"], by="service"
                              ).set_index("group").loc[service, "value"] == pytest.approx(0.456)
        # another breakdown or a filter is never read from them
        services = [r[0] for r in con.execute("SELECT DISTINCT service FROM staff").fetchall()]
        live = engine.compute(con, period=last, metric_ids=["agency_rate_fte"], filters={"service": services})
        assert 0 < live["value"].iloc[0] != pytest.approx(0.123)
    finally:
        con.close()


# A row written without a refresh: tests/integration/test_metrics_aggregates.py checks both kept
# copies (these values and the aggregates) at once.


def test_changed_agency_rules_are_never_read_from_the_values(copy_demo_db, tmp_path, monkeypatch):
    """The agency measures were checked against the rules file: a changed file computes live."""
    from agency.rules import rules_path

    rules = tmp_path / "rules.toml"
    text = rules_path().read_text("utf-8")
    assert "min_experience_years = 3" in text
    rules.write_text(text.replace("min_experience_years = 3", "min_experience_years = 30"), "utf-8")
    con = connect(copy_demo_db)
    try:
        last = engine.latest_period(con)
        kept = engine.compute(con, period=last, metric_ids=["agency_under_experience_rate"])
        monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(rules))
        assert not engine.values_fresh(con)
        live = engine.compute(con, period=last, metric_ids=["agency_under_experience_rate"])
        assert live["value"].iloc[0] > kept["value"].iloc[0]  # 30 years: nearly everyone is under
    finally:
        con.close()


def test_the_same_rules_read_from_another_folder_keep_the_values_current(demo_db, tmp_path, monkeypatch):
    """The kept values answer for the rules' content, not the path they were read from: a copy
    of the same file elsewhere (a moved install, a scratch copy) still reads the kept values."""
    from agency.rules import rules_path

    copy = tmp_path / "elsewhere" / "rules.toml"
    copy.parent.mkdir()
    copy.write_bytes(rules_path().read_bytes())
    con = connect(demo_db, read_only=True)
    try:
        assert engine.values_fresh(con)
        monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(copy))
        assert rules_path().resolve() == copy.resolve()
        assert engine.values_fresh(con)
    finally:
        con.close()


def _month(tmp_path):
    from demo import generate, write_workbook

    period, frames = generate(months=1)[-1]
    small = {k: v.head(50) for k, v in frames.items() if "assignment" not in k.lower()}
    return write_workbook(path=tmp_path / "m.xlsx", frames=small, period=period), period


def test_a_load_refreshes_the_values_in_its_transaction(copy_demo_db, tmp_path):
    path, period = _month(tmp_path)
    con = connect(copy_demo_db)
    try:
        loader.load_file(con=con, path=path, period=period, loaded_by="test")
        assert engine.values_fresh(con)
        for scope in SCOPES:
            _same(engine.history(con, scope=scope), engine.history(con, scope=scope, use_stored=False))
    finally:
        con.close()


def test_a_bad_rules_file_does_not_stop_a_load(copy_demo_db, tmp_path, monkeypatch):
    """The agency measures cannot be computed with a broken rules file: the load still goes in,
    nothing stale is kept, and whoever asks for an agency measure is told what to fix."""
    from metrics.types import MetricError

    bad = tmp_path / "rules.toml"
    bad.write_text("[rules]\nmin_experience_years = 'three'\n", "utf-8")
    monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(bad))
    path, period = _month(tmp_path)
    con = connect(copy_demo_db)
    try:
        result = loader.load_file(con=con, path=path, period=period, loaded_by="test")
        assert result.outcome in ("loaded", "replaced")
        assert not engine.values_fresh(con)
        assert con.execute("SELECT count(*) FROM metric_values").fetchone()[0] == 0
        with pytest.raises(MetricError, match="rules"):
            engine.history(con, metric_ids=["agency_within_cap_rate"])
    finally:
        con.close()


def _kept_values(con) -> pd.DataFrame:
    return con.execute("SELECT * FROM metric_values ORDER BY scope, breakdown NULLS FIRST, metric_id, period, group_name NULLS FIRST").df()


def test_a_load_computes_again_only_the_months_it_can_change(copy_demo_db):
    """Replacing a month computes its values again and those of the 12 months after it (a
    rolling or cohort figure reads up to 12 months back); every other month's kept rows are left
    as they were (the cost grows with the month, not with the history), and every kept row is
    what a computation from scratch gives."""
    from demo import generate

    con = connect(copy_demo_db)
    try:
        pers = engine.periods(con)
        month, far, earlier = pers[10], pers[30], pers[3]
        # a mark on rows a load must not touch, and on rows it must compute again
        con.execute("UPDATE metric_values SET base_count = -7 WHERE period IN (?, ?, ?)",
                    [earlier, far, pers[22]])
        # the demo's own month again, one permanent worker's FTE corrected
        frames = dict(generate(months=len(pers), end_period=f"{pers[-1]:%Y-%m}")[10][1])
        staff = frames["Staff"] = frames["Staff"].copy()
        at = staff.index[(staff["worker_type"] == "Permanent") & (staff["fte"] == 1.0)][0]
        staff.loc[at, "fte"] = 0.6
        result = loader.load_frames(con=con, frames=frames, period=month, loaded_by="test",
                                    file_name="again.xlsx")
        assert result.outcome == "replaced"
        assert engine.values_fresh(con)
        got = _kept_values(con)
        marked = (got["base_count"] == -7).fillna(False).to_numpy(dtype=bool)
        assert set(got.loc[marked, "period"].dt.date) == {earlier, far}  # untouched
        con.execute("BEGIN")
        engine.refresh_values(con, full=True)
        whole = _kept_values(con)
        con.execute("ROLLBACK")
        assert len(whole) == len(got)
        _same(got[~marked], whole[~marked])
        for scope in SCOPES:  # and the engine reads them as its own figures
            _same(engine.history(con, scope=scope, start=month, end=pers[22]),
                  engine.history(con, scope=scope, start=month, end=pers[22], use_stored=False))
    finally:
        con.close()


def test_a_store_from_before_migration_87_keeps_its_values_tagged_by_breakdown(tmp_path):
    """Migration 87: the rows kept overall and by service survive the upgrade, tagged with their
    breakdown (NULL overall, 'service'), the service in `group_name`; the engine reads the
    service rows as the service breakdown and none of them as a team or job type."""
    from datetime import date

    from store import migrations
    from tests.older_store import store_before

    db = tmp_path / "at86.duckdb"
    con = store_before(db, 87)
    con.execute("INSERT INTO metric_values (scope, metric_id, period, value, numerator, denominator, "
                "months_covered, partial, base_count, service) VALUES "
                "('social_workers', 'agency_rate_fte', DATE '2026-10-01', 0.25, 5, 20, 1, false, 20, NULL), "
                "('social_workers', 'agency_rate_fte', DATE '2026-10-01', 0.5, 3, 6, 1, false, 6, 'Youth')")
    con.close()
    con = connect(db)
    try:
        assert 87 in migrations.applied_ids(con)
        assert con.execute("SELECT breakdown, group_name, value FROM metric_values ORDER BY value").fetchall() == [
            (None, None, 0.25), ("service", "Youth", 0.5)]
        ask = dict(scope="social_workers", ids=["agency_rate_fte"], lo=date(2026, 10, 1), hi=date(2026, 10, 1))
        overall = engine._stored_values(con, **ask)
        assert overall["group"].tolist() == [None] and overall["value"].tolist() == [0.25]
        by_service = engine._stored_values(con, **ask, by="service")
        assert by_service["group"].tolist() == ["Youth"] and by_service["value"].tolist() == [0.5]
        assert engine._stored_values(con, **ask, by="team").empty
        assert engine._stored_values(con, **ask, both=True)["group"].tolist() == [None, "Youth"]
    finally:
        con.close()
