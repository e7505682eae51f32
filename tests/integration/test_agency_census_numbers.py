"""The agency cool-off check matches people by the census registration number (HR-only table),
and the cost comparison uses the census pay items where they are given; values worked by hand.

Store: the agency fixture's three months (tests/integration/agency_fixtures.py) plus
- E999, an employed social worker in the 2024-11 Staff sheet with SWE registration SW999999 (the
  census item, kept in `staff_restricted`), gone by 2025-02;
- A009, an agency social worker from 10/02/2025 under a new reference whose assignment gives the
  same registration SW999999: E999's last employed month end is 30/11/2024, inside the 12-month
  West Midlands cool-off, so A009 is a breach found only through the registration number.
- A010, an agency social worker whose assignment gives SW101010, a number nobody employed held:
  no breach.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from agency.rules import load_rules
from ingest.loader import load_frames
from metrics import agency as A
from store import connect
from tests.integration.agency_fixtures import CIC, PERIODS, SG, month_frames, write_rules

MARCH = date(2025, 3, 1)
#: census pay items of the employed social workers of 2025-03 (E001, E003, E004; E002 is a team
#: manager): base salary, recruitment and retention, other payments
PAY = {"E001": (40000.0, 2000.0, 500.0), "E003": (38000.0, None, None),
       "E004": (20000.0, 1000.0, 0.0)}


def _frames(period: str) -> dict[str, pd.DataFrame]:
    frames = month_frames(period)
    staff = frames["Staff"].copy()
    staff["swe_number"] = None
    for col in ("base_salary", "rr_payments", "other_payments"):
        staff[col] = None
    if period == "2024-11":
        staff.loc[len(staff)] = {"employee_id": "E999", "team": "Children in Care 2", "service": CIC,
                                 "role_group": "Social worker", "qualified_social_worker": "Y",
                                 "worker_type": "Permanent", "fte": 1.0,
                                 "start_date": date(2019, 9, 1), "swe_number": "SW999999"}
    else:
        for ref in ("A009", "A010"):
            staff.loc[len(staff)] = {"employee_id": ref, "team": "Safeguarding 1", "service": SG,
                                     "role_group": "Social worker", "qualified_social_worker": "Y",
                                     "worker_type": "Agency", "fte": 1.0,
                                     "start_date": date(2025, 2, 10)}
        jobs = frames["Agency assignments"]
        for ref, number in (("A009", "SW999999"), ("A010", "SW101010")):
            jobs.loc[len(jobs)] = [ref, number, "Acme Social Care", "Social worker", 40.0, 140,
                                   date(2025, 2, 10), None, 4, date(2012, 9, 1), None, 2, "N",
                                   None, None]
    if period == "2025-03":
        for eid, (base, rr, other) in PAY.items():
            row = staff["employee_id"] == eid
            staff.loc[row, "base_salary"] = base
            staff.loc[row, "rr_payments"] = rr
            staff.loc[row, "other_payments"] = other
    frames["Staff"] = staff
    return frames


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agency_census") / "workforce.duckdb"
    con = connect(path)
    try:
        for period in PERIODS:
            load_frames(con=con, frames=_frames(period), period=period, loaded_by="test",
                        file_name=f"{period}.xlsx")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory):
    return load_rules(write_rules(tmp_path_factory.mktemp("rules") / "rules.toml"))


def test_registration_number_in_the_census_items_matches_a_new_reference(store, rules):
    con = connect(store, read_only=True)
    try:
        # the number sits only in the HR-only table, never in staff
        assert "swe_number" not in A._columns(con, "staff")
        assert con.execute("SELECT employee_id FROM staff_restricted").fetchall() == [("E999",)]
        checked = A.checked(con, rules=rules, start=MARCH, end=MARCH).set_index("employee_id")
    finally:
        con.close()
    a009 = checked.loc["A009"]
    assert a009.cool_off_breach and a009.cool_off_left_on == date(2024, 11, 30)
    assert not checked.loc["A010"].cool_off_breach
    # matching by the same reference still stands (E888 left on 20/11/2024, back 01/02/2025)
    assert checked.loc["E888"].cool_off_breach
    # the check's output never carries the employed person's number
    assert "SW999999" not in checked.drop(columns=["swe_registration"], errors="ignore").to_csv()


def test_employed_cost_from_the_census_pay_items(store, rules):
    """Social workers of 2025-03 with pay items: E001 1.0 FTE 40,000 + 2,000 + 500 = 42,500;
    E003 1.0 FTE 38,000 (no R&R or other payments given: 0); E004 0.5 FTE 20,000 + 1,000 + 0 =
    21,000. 101,500 / 2.5 FTE = £40,600 a year per FTE. The team manager (E002) has no pay items:
    the rules file's £66,000 stands.

    Agency social workers over the 12 months to March 2025 (charge x hours; FTE):
    2024-11 A004 38 x 80 = 3,040 (0.5);
    2025-02 A003 45 x 140 = 6,300 (1), A004 38 x 70 = 2,660 (0.5), E888 40 x 140 = 5,600 (1),
            A009 and A010 40 x 140 = 5,600 each (1 each);
    2025-03 A003 45 x 150 = 6,750, A004 38 x 80 = 3,040, E888 40 x 150 = 6,000, A009 and A010
            5,600 each. Spend 55,790 over 9.5 FTE-months: 12 x 55,790 / 9.5 = £70,471.58 a year
    per FTE; premium 70,471.58 - 40,600 = £29,871.58 per FTE; x 4.5 agency FTE now = £134,422.11.
    """
    con = connect(store, read_only=True)
    try:
        pay = A.employed_pay(con, period=MARCH)
        checked = A.checked(con, rules=rules)
        what = A.conversion_what_if(con, period=MARCH, rules=rules, converted=1)
        # the what-if's basis with the pay handed in (as the page reads it once for the cost
        # table and the what-if) is the basis that reads the pay itself
        basis = A.conversion_basis(con, period=MARCH, rules=rules)
        handed = A.conversion_basis(con, period=MARCH, rules=rules, pay=pay)
    finally:
        con.close()
    assert handed == basis and "census pay items" in basis["cost_source"]
    sw = pay.set_index("job_type").loc["Social worker"]
    assert (sw.pay, sw.fte, sw.people) == (101500.0, 2.5, 3)
    assert sw.cost_per_fte == pytest.approx(40600.0)
    assert list(pay["job_type"]) == ["Social worker"]  # no pay items for the team manager
    comp = A.cost_comparison(checked, period=MARCH, rules=rules, pay=pay).set_index("job_type")
    row = comp.loc["Social worker"]
    assert row.employed_cost_per_fte == pytest.approx(40600.0)
    assert row.employed_cost_source == A.PAY_SOURCE
    assert row.agency_cost_per_fte == pytest.approx(70471.58)
    assert row.premium_per_fte == pytest.approx(29871.58)
    assert row.premium_per_year == pytest.approx(134422.11, abs=0.01)
    tm = comp.loc["Team manager"]
    assert tm.employed_cost_per_fte == 66000 and tm.employed_cost_source == A.RULES_SOURCE
    # without the pay items the configured £50,000 stands
    plain = A.cost_comparison(checked, period=MARCH, rules=rules).set_index("job_type")
    assert plain.loc["Social worker"].employed_cost_per_fte == 50000
    assert plain.loc["Social worker"].employed_cost_source == A.RULES_SOURCE
    # the what-if says where the employed cost came from
    assert any("census pay items of 3 employed social workers in March 2025" in line
               for line in what.assumptions), what.assumptions
