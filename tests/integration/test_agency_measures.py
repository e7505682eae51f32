"""Agency compliance, spend, cost per FTE and the what-if on a real store, against hand-worked values.

The store holds three months loaded through the real loader (tests/integration/agency_fixtures.py):
2024-11 (E777 and E888 leave employed posts; A004 on assignment), 2025-02 and 2025-03 (A003, A004,
A005 and E888 on assignment). Month end of 2025-03 is 31/03/2025.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agency.rules import load_rules
from metrics import agency as A
from store import connect
from tests.integration.agency_fixtures import RULES_TOML, build_store, write_rules

MARCH = date(2025, 3, 1)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("agency") / "workforce.duckdb")


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory):
    return load_rules(write_rules(tmp_path_factory.mktemp("rules") / "rules.toml"))


def _row(frame, **where):
    sel = frame
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, (where, frame)
    return sel.iloc[0]


def test_each_assignment_is_checked_against_each_rule(store: Path, rules) -> None:
    con = connect(store, read_only=True)
    try:
        checked = A.checked(con, rules=rules, start=MARCH, end=MARCH).set_index("employee_id")
    finally:
        con.close()
    # A003: £45 against the £40 social worker cap, no sign-off; left as E777 (same SWE number) on
    # 15/11/2024 and started 13/01/2025, inside the 12-month West Midlands cool-off
    a003 = checked.loc["A003"]
    assert (a003.cap, a003.excess_per_hour, a003.spend) == (40.0, 5.0, 45.0 * 150)
    assert a003.cap_unsigned and not a003.cap_signed
    assert a003.cool_off_breach and a003.cool_off_left_on == date(2024, 11, 15)
    assert a003.experience_years == pytest.approx((date(2025, 3, 31) - date(2015, 6, 1)).days / 365.25, abs=0.01)
    assert not (a003.under_experience or a003.notice_below or a003.references_incomplete)
    # A004: within the cap; 2 years' PQE; 2 weeks' notice; 1 reference; started 01/12/2023 so
    # more than 12 months by 31/03/2025 (15 whole months)
    a004 = checked.loc["A004"]
    assert not a004.above_cap and a004.excess_per_hour == 0.0
    assert a004.under_experience and a004.notice_below and a004.references_incomplete
    assert a004.long_assignment and a004.months_running == 15
    assert not a004.cool_off_breach
    # A005: £55 against the £50 team manager cap, signed off by the DCS and chief executive;
    # project team
    a005 = checked.loc["A005"]
    assert a005.above_cap and a005.cap_signed and not a005.cap_unsigned
    assert a005.project_team and a005.spend == 55.0 * 160
    # E888: exactly at the cap is within it; left an employed post on 20/11/2024 (Leavers sheet of
    # 2024-11, same reference), back through an agency from 01/02/2025: cool-off breach
    e888 = checked.loc["E888"]
    assert not e888.above_cap
    assert e888.cool_off_breach and e888.cool_off_left_on == date(2024, 11, 20)


def test_compliance_measures_overall_and_by_job_type_and_service(store: Path, rules) -> None:
    con = connect(store, read_only=True)
    try:
        overall = A.compliance(con, period=MARCH, rules=rules)
        by_job = A.compliance(con, period=MARCH, rules=rules, by="job_type")
        by_service = A.compliance(con, period=MARCH, rules=rules, by="service")
        by_team = A.compliance(con, period=MARCH, rules=rules, by="team")
    finally:
        con.close()
    o = overall.iloc[0]
    assert o.assignments == 4 and o.with_cap == 4 and o.within_cap == 2  # A004, E888
    assert o.agency_within_cap_share == pytest.approx(0.5)
    assert o.agency_above_cap_per_hour == pytest.approx(5.0)  # (5 + 5) / 2
    assert (o.agency_cap_breaches_unsigned, o.agency_under_experience,
            o.agency_notice_below_minimum, o.agency_references_incomplete,
            o.agency_cool_off_breaches, o.agency_long_assignments,
            o.agency_project_team_workers) == (1, 1, 1, 1, 2, 1, 1)
    assert o.spend == pytest.approx(6750 + 3040 + 8800 + 6000)
    sw = _row(by_job, group="Social worker")
    assert (sw.assignments, sw.within_cap) == (3, 2)
    assert sw.agency_within_cap_share == pytest.approx(2 / 3)
    assert (sw.agency_cap_breaches_unsigned, sw.agency_cool_off_breaches) == (1, 2)
    tm = _row(by_job, group="Team manager")
    assert (tm.assignments, tm.agency_within_cap_share, tm.agency_project_team_workers) == (1, 0.0, 1)
    cic = _row(by_service, group="Children in Care")
    assert (cic.assignments, cic.agency_cap_breaches_unsigned, cic.agency_cool_off_breaches) == (1, 1, 1)
    assert _row(by_service, group="Safeguarding and Family Support").assignments == 3
    assert _row(by_team, group="Safeguarding 1").agency_long_assignments == 1


def test_a_shorter_cool_off_finds_no_breach(store: Path, tmp_path: Path) -> None:
    """Cool-off of one month elsewhere: 15/11/2024 + 1 month < 13/01/2025, 20/11 + 1 < 01/02."""
    text = RULES_TOML.replace('region = "West Midlands"\n\n[rules]',
                              'region = "North West"\n\n[rules]').replace(
        "default_months = 3", "default_months = 1")
    rules = load_rules(write_rules(tmp_path / "nw.toml", text))
    con = connect(store, read_only=True)
    try:
        o = A.compliance(con, period=MARCH, rules=rules).iloc[0]
    finally:
        con.close()
    assert o.agency_cool_off_breaches == 0
    # and the North West's own £35 social worker cap applies: only A003, A004 and E888 are
    # assessed (no North West team manager cap), and none is within £35
    assert (o.with_cap, o.within_cap) == (3, 0)


def test_breach_list_names_references_and_says_what_to_do(store: Path, rules) -> None:
    from agency.checks import breach_list

    con = connect(store, read_only=True)
    try:
        breaches = breach_list(A.checked(con, rules=rules, start=MARCH, end=MARCH), rules=rules)
    finally:
        con.close()
    pairs = sorted(zip(breaches["Agency reference"], breaches["Breach"]))
    assert pairs == sorted([
        ("A003", "Above the price cap without full sign-off"), ("A003", "Cool-off breach"),
        ("A004", "Under the minimum experience"), ("A004", "Notice below the minimum"),
        ("A004", "References incomplete"), ("A004", "Assignment over the maximum length"),
        ("A005", "Above the price cap, signed off"), ("A005", "Project team"),
        ("E888", "Cool-off breach"),
    ])
    cap = _row(breaches, **{"Agency reference": "A003", "Breach": "Above the price cap without full sign-off"})
    assert "£45.00/h is £5.00/h above the £40.00/h cap" in cap["Detail"]
    assert "chief executive" in cap["What to do"]
    cool = _row(breaches, **{"Agency reference": "E888", "Breach": "Cool-off breach"})
    assert "20/11/2024" in cool["Detail"] and "12-month cool-off" in cool["Detail"]


def test_spend_per_month_and_rolling_twelve_months(store: Path, rules) -> None:
    con = connect(store, read_only=True)
    try:
        spend = A.spend_by_month(A.checked(con, rules=rules)).set_index("period")
    finally:
        con.close()
    assert spend.loc[date(2024, 11, 1), "spend"] == pytest.approx(38 * 80)
    feb = 45 * 140 + 38 * 70 + 55 * 150 + 40 * 140
    mar = 45 * 150 + 38 * 80 + 55 * 160 + 40 * 150
    assert (feb, mar) == (22810, 24590)
    assert spend.loc[date(2025, 2, 1), "spend"] == pytest.approx(feb)
    assert spend.loc[MARCH, "spend_12m"] == pytest.approx(3040 + feb + mar)
    assert spend.loc[MARCH, "months_covered"] == 3


def test_cost_per_fte_premium_and_the_what_if(store: Path, rules) -> None:
    con = connect(store, read_only=True)
    try:
        cost = A.cost_comparison(A.checked(con, rules=rules), period=MARCH, rules=rules)
        whatif = A.conversion_what_if(con, period=MARCH, rules=rules, converted=2)
        too_many = A.conversion_what_if(con, period=MARCH, rules=rules, converted=9)
    finally:
        con.close()
    sw = _row(cost, job_type="Social worker")
    # spend 3,040 + 14,560 + 15,790 = 33,390 over 0.5 + 2.5 + 2.5 = 5.5 FTE-months
    assert sw.spend_12m == pytest.approx(33390) and sw.fte_months == pytest.approx(5.5)
    assert sw.agency_cost_per_fte == pytest.approx(12 * 33390 / 5.5, abs=0.01)  # 72,850.91
    assert sw.premium_per_fte == pytest.approx(72850.91 - 50000, abs=0.01)
    assert sw.premium_per_year == pytest.approx(22850.91 * 2.5, abs=0.05)
    tm = _row(cost, job_type="Team manager")
    assert tm.agency_cost_per_fte == pytest.approx(12 * 17050 / 2)  # 102,300
    assert tm.premium_share == pytest.approx(36300 / 66000, abs=1e-4)
    total = _row(cost, job_type="All job types")
    assert total.agency_cost_per_fte == pytest.approx(12 * 50440 / 7.5)  # 80,704
    assert total.employed_cost_per_fte == pytest.approx((50000 * 5.5 + 66000 * 2) / 7.5)
    # what-if: 4 agency social workers hold 3.5 FTE (0.875 each); 2 converted = 1.75 FTE;
    # saving 1.75 x (80,704 - 54,266.67) = 46,265.33; share (3.5 + 1.75) / 7 = 75% from 50%
    assert whatif.converted == 2 and whatif.fte_converted == pytest.approx(1.75)
    assert whatif.saving_per_year == pytest.approx(1.75 * (80704 - 407000 / 7.5), abs=0.05)
    assert (whatif.permanent_share_now, whatif.permanent_share_after) == (0.5, 0.75)
    assert whatif.sentence() == ("Converting 2 agency social workers to employed posts saves "
                                 "about £46,000 a year and moves the permanent share from 50% "
                                 "to 75%.")
    assert any("One-off recruitment costs" in a for a in whatif.assumptions)
    assert too_many.converted == 4 and any("at most 4" in a for a in too_many.assumptions)


def test_the_catalogue_declares_the_compliance_measures_and_the_engine_computes_them(
        store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same hand-worked figures through metrics.engine (declared in metrics/catalogue.py)."""
    from metrics import catalogue, engine

    monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(write_rules(tmp_path / "rules.toml")))
    con = connect(store, read_only=True)
    try:
        frame = engine.compute(con, period=MARCH, scope="all_staff",
                               metric_ids=catalogue.AGENCY_IDS).set_index("metric_id")
        by_service = engine.compute(con, period=MARCH, scope="all_staff", by="service",
                                    metric_ids=["agency_cool_off_breach_rate"])
        empty_month = engine.compute(con, period="2024-11", scope="all_staff",
                                     metric_ids=["agency_cool_off_breach_rate"])
    finally:
        con.close()
    assert frame.loc["agency_within_cap_rate", "value"] == pytest.approx(2 / 4)
    assert frame.loc["agency_within_cap_rate", "base_count"] == 4
    assert frame.loc["agency_above_cap_per_hour", "value"] == pytest.approx(5.0)  # (5 + 5) / 2
    assert frame.loc["agency_cool_off_breach_rate", "numerator"] == 2  # A003 and E888
    for mid in ("agency_unsigned_cap_breach_rate", "agency_under_experience_rate",
                "agency_short_notice_rate", "agency_references_incomplete_rate",
                "agency_long_assignment_rate", "agency_project_team_rate"):
        assert (frame.loc[mid, "numerator"], frame.loc[mid, "value"]) == (1, 0.25), mid
    cool = by_service.set_index("group")["numerator"].to_dict()
    assert cool == {"Children in Care": 1, "Safeguarding and Family Support": 1}
    assert empty_month["value"].iloc[0] == 0.0  # A004 alone in 2024-11, no breach


def test_a_bad_rules_file_is_a_named_metric_error(store: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from metrics import engine
    from metrics.types import MetricError

    monkeypatch.setenv("WORKFORCE_AGENCY_RULES",
                       str(write_rules(tmp_path / "bad.toml", RULES_TOML.replace(
                           "references_required = 2", "references_required = two"))))
    con = connect(store, read_only=True)
    try:
        with pytest.raises(MetricError, match="agency measures need a valid rules file"):
            engine.compute(con, period=MARCH, metric_ids=["agency_within_cap_rate"])
    finally:
        con.close()


def test_the_what_if_from_the_whole_checked_history_is_the_same(demo_db: Path) -> None:
    """The pages pass the checked assignments of every month they have read already: each row is
    checked on its own, so the what-if is exactly what its own 12-month read gives."""
    from agency.rules import load_rules

    rules = load_rules()
    con = connect(demo_db, read_only=True)
    try:
        period = A.assignment_periods(con)[-1]
        whole = A.checked(con, rules=rules)
        assert whole["period"].nunique() > 12
        for n in (1, 4):
            alone = A.conversion_what_if(con, period=period, rules=rules, converted=n)
            assert alone.available > 0 and alone.saving_per_year
            assert A.conversion_what_if(con, period=period, rules=rules, converted=n,
                                        checked_frame=whole) == alone
    finally:
        con.close()
