"""The engine on the demo store (built through the real loader): every metric, scope and breakdown
answers, and the headline figures agree with an independent pandas computation from the raw rows."""

from __future__ import annotations

import pandas as pd
import pytest

from store import connect
from metrics import catalogue, engine


@pytest.fixture(scope="module")
def con(demo_db):
    c = connect(demo_db, read_only=True)
    yield c
    c.close()


def test_every_metric_scope_and_breakdown_answers(con):
    p = engine.latest_period(con)
    for scope in ("social_workers", "all_staff"):
        e = engine.evaluate(con, period=p, scope=scope)
        assert set(e["metric_id"]) == set(catalogue.CATALOGUE)
        for r in e.itertuples(index=False):
            if catalogue.get(r.metric_id).unit == "rate" and not pd.isna(r.value):
                assert 0 <= r.value <= 1, r.metric_id
        for h in catalogue.HEADLINE_IDS:
            assert not pd.isna(e.loc[e["metric_id"] == h, "value"].iloc[0]), h
        for by in ("service", "team", "role_group"):
            f = engine.compute(con, period=p, scope=scope, by=by)
            assert f["group"].notna().all() and len(f) > 0


def test_headlines_match_an_independent_computation(con):
    p = engine.latest_period(con)
    staff = con.execute("SELECT * FROM staff WHERE period = ? AND qualified_social_worker", [p]).df()
    vac = con.execute("SELECT * FROM vacancies WHERE period = ? AND qualified_social_worker", [p]).df()
    year_start = (pd.Timestamp(p) - pd.DateOffset(months=11)).date()
    leavers = con.execute("SELECT * FROM leavers WHERE period BETWEEN ? AND ? AND qualified_social_worker",
                          [year_start, p]).df()
    employed = staff[staff["worker_type"] != "Agency"]["fte"].sum()
    agency = staff[staff["worker_type"] == "Agency"]["fte"].sum()
    holders = staff[staff["cases"].fillna(0) >= 1]
    f = engine.compute(con, period=p, metric_ids=list(catalogue.HEADLINE_IDS))
    got = dict(zip(f["metric_id"], f["value"]))
    assert got["agency_rate_fte"] == pytest.approx(agency / (agency + employed))
    assert got["vacancy_rate_fte"] == pytest.approx(vac["vacant_fte"].sum() / (vac["vacant_fte"].sum() + employed))
    assert got["avg_caseload"] == pytest.approx(holders["cases"].sum() / holders["fte"].sum())
    assert got["turnover_rate_fte_12m"] == pytest.approx(
        leavers[leavers["worker_type"] != "Agency"]["fte"].sum() / employed)
    tm = staff[staff["role_group"] == "Team manager"]
    assert got["permanent_team_manager_rate"] == pytest.approx(
        tm[tm["worker_type"] != "Agency"]["fte"].sum() / tm["fte"].sum())


def test_breakdowns_add_up_to_the_total(con):
    p = engine.latest_period(con)
    total = engine.compute(con, period=p, metric_ids=["agency_rate_fte"]).iloc[0]
    for by in ("service", "team", "role_group"):
        parts = engine.compute(con, period=p, by=by, metric_ids=["agency_rate_fte"])
        assert parts["numerator"].sum() == pytest.approx(total["numerator"])
        assert parts["denominator"].sum() == pytest.approx(total["denominator"])
        assert parts["base_count"].sum() == total["base_count"]


def test_history_is_one_row_per_period(con):
    h = engine.history(con, metric_ids=list(catalogue.HEADLINE_IDS))
    pers = engine.periods(con)
    assert len(pers) == 36
    for mid in catalogue.HEADLINE_IDS:
        assert h[h["metric_id"] == mid]["period"].tolist() == pers
    t = h[h["metric_id"] == "turnover_rate_fte_12m"]
    assert t["months_covered"].tolist()[:12] == list(range(1, 13))
    assert (t["months_covered"].iloc[11:] == 12).all()
