"""Detail frames for the pages, on the hand-worked stores of test_metrics_engine."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from metrics import detail, engine
from store import connect
from metrics.types import MetricError
from tests.integration.test_metrics_engine import build_store_a, build_store_b


@pytest.fixture
def con_a(tmp_db):
    build_store_a(tmp_db)
    con = connect(tmp_db)
    yield con
    con.close()


@pytest.fixture
def con_b(tmp_db):
    build_store_b(tmp_db)
    con = connect(tmp_db)
    yield con
    con.close()


def test_leavers_by_reason_and_length_of_service(con_b):
    r = detail.leavers_by_reason(con_b, period="2025-03")
    assert dict(zip(r["reason"], r["leavers"])) == {
        "Retirement": 1, "Resignation": 1, "End of fixed-term contract": 1}
    # p5 2022-01-01 -> 2024-04-10 (2y3m), p3 2023-02-01 -> 2024-09-15 (1y7m), p4 under a year
    los = detail.length_of_service_at_leaving(con_b, period="2025-03")
    assert los["band"].tolist() == ["Under 1 year", "1 to 2 years", "2 to 5 years",
                                    "5 to 10 years", "10 years or more"]
    assert los["leavers"].tolist() == [1, 1, 1, 0, 0]
    # 12 months to 2024-06: only p5
    assert detail.length_of_service_at_leaving(con_b, period="2024-06")["leavers"].tolist() == [0, 0, 1, 0, 0]


def _figure(v) -> float:
    """A measure's count (no leavers in the window: none, read as 0)."""
    return 0.0 if v is None or v != v else float(v)


def test_under_1_year_at_leaving_is_the_early_leavers_numerator(con_b):
    """The length-of-service table's "Under 1 year" leavers are exactly the early-leaver rate's
    numerator (the same employed leavers of the same 12 months, leave date before the first
    anniversary of the start date): one figure by two routes, so the disclosure policy must decide
    them as one (issue 10). Every loaded month, both populations, the directorate and each service."""
    checked = 0
    for p in engine.periods(con_b):
        for scope in ("social_workers", "all_staff"):
            f = engine.compute(con_b, period=p, scope=scope, metric_ids=["early_leaver_rate_12m"])
            whole = f[f["metric_id"] == "early_leaver_rate_12m"].iloc[0]
            los = detail.length_of_service_at_leaving(con_b, period=p, scope=scope)
            assert los["band"].iloc[0] == "Under 1 year"
            assert float(los["leavers"].iloc[0]) == _figure(whole["numerator"]), (p, scope)
            assert float(los["leavers"].sum()) == _figure(whole["denominator"]), (p, scope)
            checked += float(los["leavers"].iloc[0]) > 0
    assert checked >= 2  # (p4, under a year at leaving, is in the window of several months)


def test_ratio_trend_and_conversions(con_b):
    t = detail.ratio_trend(con_b)
    oct_ = t[t["period"] == date(2024, 10, 1)].iloc[0]
    # employed p1 1.0 p2 0.5 p4 1.0 x3 1.0; agency x1 1.0 x4 0.6
    assert oct_["employed_fte"] == pytest.approx(3.5) and oct_["agency_fte"] == pytest.approx(1.6)
    assert oct_["agency_rate"] == pytest.approx(1.6 / 5.1)
    assert oct_["employed_headcount"] == 4 and oct_["headcount"] == 6  # p1 p2 p4 x3; x1 x4 agency
    c = detail.conversions_by_month(con_b)
    got = dict(zip(c["period"], c["conversions"]))
    # x1 converts 2024-11 (agency before), x2 2024-12 (flag); x3's flagged start (2023-01) is before the data
    assert got[date(2024, 11, 1)] == 1 and got[date(2024, 12, 1)] == 1
    assert sum(got.values()) == 2 and len(got) == 13


def test_training_by_category(con_b):
    t = detail.training_by_category(con_b, period="2025-03")
    # in periods 2024-04..2025-03 for social workers: p1 Recording, x4 Recording (Mandatory), p2 Leadership
    assert dict(zip(t["category"], t["completions"])) == {"Mandatory": 2, "Leadership": 1}


def test_caseload_distribution_returns_values_only(con_a):
    d = detail.caseload_distribution(con_a, period="2025-03")
    assert list(d.columns) == ["caseload_per_fte", "over_threshold"]  # no employee ids
    # e1 18/1.0, g1 22/1.0, e4 9/0.4, e2 12/0.5
    assert d["caseload_per_fte"].tolist() == pytest.approx([18.0, 22.0, 22.5, 24.0])
    assert d["over_threshold"].tolist() == [False, True, True, True]


def test_profile_by_role_group(con_a):
    p = detail.profile(con_a, period="2025-03", dimension="age_band")
    sw = p[p["role_group"] == "Social worker"].set_index("category")["headcount"].to_dict()
    assert sw == {"25 to 34": 2, "55 to 64": 1, "Not known": 1}  # e1 30, e4 25, e2 56, g1 blank
    tm = p[p["role_group"] == "Team manager"].set_index("category")["headcount"].to_dict()
    assert tm == {"35 to 44": 1, "55 to 64": 1}
    assert p[p["role_group"] == "Social worker"]["share"].sum() == pytest.approx(1.0)
    e = detail.profile(con_a, period="2025-03", dimension="ethnicity", scope="all_staff")
    assert e[e["role_group"] == "Business support"]["category"].tolist() == ["Mixed"]
    with pytest.raises(MetricError, match="dimension"):
        detail.profile(con_a, period="2025-03", dimension="religion")


def test_agency_cover_by_service(con_a):
    c = detail.agency_cover(con_a, period="2025-03").set_index("service")
    assert c.loc["S1", "vacant_fte"] == pytest.approx(1.5) and c.loc["S1", "covered_fte"] == pytest.approx(1.0)
    assert c.loc["S1", "uncovered_fte"] == pytest.approx(0.5)
    assert c.loc["S1", "cover_rate"] == pytest.approx(1.0 / 1.5)
    assert c.loc["S2", "vacant_fte"] == pytest.approx(0.5) and c.loc["S2", "cover_rate"] == 0


def test_completeness_and_load_touch(con_a):
    c = detail.completeness(con_a)
    share = dict(zip(c["column"], c["share"]))
    assert share["ethnicity"] == pytest.approx(6 / 7)  # g2 blank ('Not known' is an answer)
    assert share["cases"] == pytest.approx(4 / 7)
    assert share["converted_from_agency"] == 0
    for load_id, active, name in ((1, False, "march-v1.xlsx"), (2, True, "march-v2.xlsx")):
        con_a.execute("INSERT INTO loads (load_id, period, file_name, sha256, rows_staff, rows_leavers, rows_vacancies, "
                      "rows_training, rows_survey, loaded_by, loaded_at, outcome, warnings, active) VALUES (?, DATE '2025-03-01', ?, 'abc', 7, 0, 3, 0, 0, 'hr1', ?, "
                      "'loaded', NULL, ?)", [load_id, name, datetime(2025, 4, load_id), active])
    t = detail.load_touch(con_a).iloc[0]
    assert t["times_loaded"] == 2 and t["file_name"] == "march-v2.xlsx" and t["load_id"] == 2


def test_load_ledger_lists_every_load(con_a):
    for load_id, active, name in ((1, False, "march-v1.xlsx"), (2, True, "march-v2.xlsx")):
        con_a.execute("INSERT INTO loads (load_id, period, file_name, sha256, rows_staff, rows_leavers, rows_vacancies, "
                      "rows_training, rows_survey, loaded_by, loaded_at, outcome, warnings, active) VALUES (?, DATE '2025-03-01', ?, 'abc', 7, 0, 3, 0, 0, 'hr1', ?, "
                      "'loaded', NULL, ?)", [load_id, name, datetime(2025, 4, load_id), active])
    led = detail.load_ledger(con_a)
    assert led["file_name"].tolist() == ["march-v2.xlsx", "march-v1.xlsx"]  # newest first
    assert led["active"].tolist() == [True, False]
    assert led["period"].tolist() == [date(2025, 3, 1)] * 2
