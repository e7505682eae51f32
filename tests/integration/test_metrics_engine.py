"""Every metric against values worked out by hand on small stores (real DuckDB files).

Expected values are literal numbers derived in the comments from the rows inserted here, never from
the engine's SQL. Two stores:

Store A, one month (March 2025, 21 working days: 31 days starting on a Saturday, no bank holiday).
Store B, thirteen consecutive months 2024-03 .. 2025-03, for the rolling 12-month measures.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from store import connect
from metrics import engine
from metrics.types import MetricError

STAFF_COLS = ("period", "employee_id", "team", "service", "role_group", "qualified_social_worker",
              "worker_type", "fte", "start_date", "cases", "absence_days", "ethnicity", "age",
              "lives_in_county", "converted_from_agency")


def insert_staff(con, rows) -> None:
    """rows: tuples in STAFF_COLS order (load_id 1)."""
    df = pd.DataFrame(rows, columns=list(STAFF_COLS))
    df["load_id"] = 1
    for col in ("period", "start_date"):
        df[col] = pd.to_datetime(df[col]).dt.date
    con.register("_staff_in", df)
    con.execute("INSERT INTO staff BY NAME SELECT * FROM _staff_in")
    con.unregister("_staff_in")


def insert_leaver(con, period, employee_id, leave_date, reason, team, service, role, qsw,
                  worker_type, fte, start_date) -> None:
    con.execute(
        "INSERT INTO leavers (period, load_id, employee_id, leave_date, reason, team, service, "
        "role_group, qualified_social_worker, worker_type, fte, start_date) "
        "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [period, employee_id, leave_date, reason, team, service, role, qsw, worker_type, fte,
         start_date],
    )


def insert_vacancy(con, period, team, service, role, qsw, vacant, covered) -> None:
    con.execute("INSERT INTO vacancies VALUES (?, 1, ?, ?, ?, ?, ?, ?)",
                [period, team, service, role, qsw, vacant, covered])


def value(frame: pd.DataFrame, metric_id: str, *, group=None, period=None):
    rows = frame[frame["metric_id"] == metric_id]
    if group is not None:
        rows = rows[rows["group"] == group]
    if period is not None:
        rows = rows[rows["period"] == period]
    assert len(rows) == 1, f"{metric_id} {group} {period}: {len(rows)} rows"
    v = rows.iloc[0]["value"]
    return None if pd.isna(v) else float(v)


def row(frame: pd.DataFrame, metric_id: str, *, group=None, period=None) -> dict:
    rows = frame[frame["metric_id"] == metric_id]
    if group is not None:
        rows = rows[rows["group"] == group]
    if period is not None:
        rows = rows[rows["period"] == period]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


MAR = "2025-03-01"


def build_store_a(path) -> None:
    """One month. People (Y = qualified social worker):

    id  team svc role             qsw type       fte  start       cases absence eth        age  lives
    e1  A    S1  Social worker    Y   Permanent  1.0  2020-01-01  18    2       White      30   Y
    e2  A    S1  Social worker    Y   Fixed-term 0.5  2024-09-01  12    0       Asian      56   N
    e3  A    S1  Team manager     Y   Permanent  1.0  2015-01-01  -     1       Not known  55   -
    g1  B    S2  Social worker    Y   Agency     1.0  2025-01-01  22    -       Black      -    Y
    g2  B    S2  Team manager     Y   Agency     0.8  2024-12-01  -     -       -          40   Y
    e4  B    S2  Social worker    Y   Casual     0.4  2023-01-01  9     0.5     White      25   N
    n1  B    S2  Business support N   Permanent  1.0  2010-01-01  -     3       Mixed      60   Y
    """
    con = connect(path)
    insert_staff(con, [
        (MAR, "e1", "A", "S1", "Social worker", True, "Permanent", 1.0, "2020-01-01", 18, 2.0, "White", 30, True, None),
        (MAR, "e2", "A", "S1", "Social worker", True, "Fixed-term", 0.5, "2024-09-01", 12, 0.0, "Asian", 56, False, None),
        (MAR, "e3", "A", "S1", "Team manager", True, "Permanent", 1.0, "2015-01-01", None, 1.0, "Not known", 55, None, None),
        (MAR, "g1", "B", "S2", "Social worker", True, "Agency", 1.0, "2025-01-01", 22, None, "Black", None, True, None),
        (MAR, "g2", "B", "S2", "Team manager", True, "Agency", 0.8, "2024-12-01", None, None, None, 40, True, None),
        (MAR, "e4", "B", "S2", "Social worker", True, "Casual", 0.4, "2023-01-01", 9, 0.5, "White", 25, False, None),
        (MAR, "n1", "B", "S2", "Business support", False, "Permanent", 1.0, "2010-01-01", None, 3.0, "Mixed", 60, True, None),
    ])
    insert_vacancy(con, MAR, "A", "S1", "Social worker", True, 1.5, 1.0)
    insert_vacancy(con, MAR, "B", "S2", "Social worker", True, 0.5, 0.0)
    insert_vacancy(con, MAR, "B", "S2", "Business support", False, 1.0, 0.0)
    con.close()


@pytest.fixture
def store_a(tmp_db):
    build_store_a(tmp_db)
    con = connect(tmp_db)
    yield con
    con.close()


# --------------------------------------------------------------------------- store A

def test_point_in_time_measures_social_workers(store_a):
    f = engine.compute(store_a, period="2025-03")
    # employed FTE e1 1.0 + e2 0.5 + e3 1.0 + e4 0.4 = 2.9; agency g1 1.0 + g2 0.8 = 1.8
    assert value(f, "agency_rate_fte") == pytest.approx(1.8 / 4.7)
    r = row(f, "agency_rate_fte")
    assert r["numerator"] == pytest.approx(1.8) and r["denominator"] == pytest.approx(4.7)
    assert r["base_count"] == 6  # six qualified people in post
    assert not r["partial"] and pd.isna(r["months_covered"])
    # vacant (qualified) 1.5 + 0.5 = 2.0 -> 2.0 / (2.0 + 2.9)
    assert value(f, "vacancy_rate_fte") == pytest.approx(2.0 / 4.9)
    # covered 1.0 of vacant 2.0
    assert value(f, "agency_cover_rate") == pytest.approx(0.5)
    # case holders e1 18/1.0, e2 12/0.5, g1 22/1.0, e4 9/0.4: 61 cases / 2.9 FTE
    assert value(f, "avg_caseload") == pytest.approx(61 / 2.9)
    # per FTE: 18, 24, 22, 22.5 -> three of four above 20
    assert value(f, "caseload_over_threshold_rate") == pytest.approx(0.75)
    # absence (employed) 2 + 0 + 1 + 0.5 = 3.5 days / (2.9 FTE x 21 days = 60.9)
    assert value(f, "absence_rate") == pytest.approx(3.5 / 60.9)
    # team managers: e3 1.0 employed, g2 0.8 agency
    assert value(f, "permanent_team_manager_rate") == pytest.approx(1.0 / 1.8)
    # known ethnicity e1 W, e2 Asian, g1 Black, e4 W -> 2 of 4 (e3 'Not known' and g2 blank excluded)
    assert value(f, "ethnic_minority_rate") == pytest.approx(0.5)
    # known age 30, 56, 55, 40, 25 -> 56 and 55 are 55+: 2 of 5
    assert value(f, "aged_55_plus_rate") == pytest.approx(0.4)
    # lives in county known: Y N Y Y N -> 3 of 5
    assert value(f, "local_residence_rate") == pytest.approx(0.6)


def test_all_staff_scope_adds_unqualified(store_a):
    f = engine.compute(store_a, period="2025-03", scope="all_staff")
    # n1 adds 1.0 employed FTE: 1.8 / (3.9 + 1.8)
    assert value(f, "agency_rate_fte") == pytest.approx(1.8 / 5.7)
    # vacancies 3.0 / (3.0 + 3.9); cover 1.0 / 3.0
    assert value(f, "vacancy_rate_fte") == pytest.approx(3.0 / 6.9)
    assert value(f, "agency_cover_rate") == pytest.approx(1 / 3)
    # absence 3.5 + 3 = 6.5 / (3.9 x 21 = 81.9)
    assert value(f, "absence_rate") == pytest.approx(6.5 / 81.9)
    # ethnicity adds Mixed: 3 of 5
    assert value(f, "ethnic_minority_rate") == pytest.approx(0.6)
    assert f["scope"].unique().tolist() == ["all_staff"]


def test_breakdown_by_team_and_role_group(store_a):
    f = engine.compute(store_a, period="2025-03", by="team")
    # team A: no agency, 2.5 employed; team B: 1.8 agency / (1.8 + 0.4)
    assert value(f, "agency_rate_fte", group="A") == pytest.approx(0.0)
    assert value(f, "agency_rate_fte", group="B") == pytest.approx(1.8 / 2.2)
    # vacancy A 1.5 / (1.5 + 2.5); B 0.5 / (0.5 + 0.4)
    assert value(f, "vacancy_rate_fte", group="A") == pytest.approx(0.375)
    assert value(f, "vacancy_rate_fte", group="B") == pytest.approx(0.5 / 0.9)
    # team managers: A e3 employed 1.0/1.0; B g2 agency 0/0.8
    assert value(f, "permanent_team_manager_rate", group="A") == pytest.approx(1.0)
    assert value(f, "permanent_team_manager_rate", group="B") == pytest.approx(0.0)
    rg = engine.compute(store_a, period="2025-03", by="role_group", metric_ids=["local_residence_rate"])
    # social workers e1 Y e2 N g1 Y e4 N -> 0.5; team managers g2 Y (e3 unknown) -> 1.0
    assert value(rg, "local_residence_rate", group="Social worker") == pytest.approx(0.5)
    assert value(rg, "local_residence_rate", group="Team manager") == pytest.approx(1.0)
    assert set(rg["group"]) == {"Social worker", "Team manager"}


def test_filters_and_zero_denominators(store_a):
    f = engine.compute(store_a, period="2025-03", filters={"service": ["S1"]})
    assert value(f, "agency_rate_fte") == pytest.approx(0.0)  # S1 has no agency: 0 of 2.5
    assert value(f, "vacancy_rate_fte") == pytest.approx(1.5 / 4.0)
    t = engine.compute(store_a, period="2025-03", filters={"team": ["B"], "role_group": ["Social worker"]})
    # g1 1.0 agency, e4 0.4 casual
    assert value(t, "agency_rate_fte") == pytest.approx(1.0 / 1.4)
    # no team managers in this filter: zero denominator -> no data, not 0
    assert value(t, "permanent_team_manager_rate") is None
    none = engine.compute(store_a, period="2025-03", filters={"team": ["No such team"]})
    for mid in ("agency_rate_fte", "vacancy_rate_fte", "avg_caseload", "absence_rate",
                "ethnic_minority_rate"):
        assert value(none, mid) is None, mid
    biz = engine.compute(store_a, period="2025-03", scope="all_staff",
                         filters={"role_group": ["Business support"]})
    assert value(biz, "avg_caseload") is None  # n1 holds no cases
    assert value(biz, "agency_cover_rate") == pytest.approx(0.0)  # 0 of 1.0 covered


def test_caseload_threshold_is_configurable(store_a):
    f = engine.compute(store_a, period="2025-03", metric_ids=["caseload_over_threshold_rate"],
                       caseload_threshold=23)
    # 18, 24, 22, 22.5 -> only 24 is above 23
    assert value(f, "caseload_over_threshold_rate") == pytest.approx(0.25)


def test_working_days_use_england_bank_holidays():
    assert engine.working_days(date(2025, 3, 1)) == 21   # no bank holiday
    assert engine.working_days(date(2025, 4, 1)) == 20   # 22 weekdays less Good Friday, Easter Monday
    assert engine.working_days(date(2024, 12, 1)) == 20  # 22 weekdays less Christmas, Boxing Day


def test_bad_requests_raise_named_errors(store_a):
    with pytest.raises(MetricError, match="Loaded periods: 2025-03"):
        engine.compute(store_a, period="2024-01")
    with pytest.raises(MetricError, match="scope"):
        engine.compute(store_a, period="2025-03", scope="everyone")
    with pytest.raises(MetricError, match="break down"):
        engine.compute(store_a, period="2025-03", by="gender")
    with pytest.raises(MetricError, match="Unknown metric"):
        engine.compute(store_a, period="2025-03", metric_ids=["nope"])
    with pytest.raises(MetricError, match="filter"):
        engine.compute(store_a, period="2025-03", filters={"name": ["x"]})
    with pytest.raises(MetricError, match="YYYY-MM"):
        engine.compute(store_a, period="March")


def test_filter_values_are_bound_not_formatted(store_a):
    hostile = "A'); DROP TABLE staff; --"
    f = engine.compute(store_a, period="2025-03", filters={"team": [hostile]})
    assert value(f, "agency_rate_fte") is None
    assert store_a.execute("SELECT count(*) FROM staff").fetchone()[0] == 7


# --------------------------------------------------------------------------- store B

MONTHS = [d.date() for d in pd.date_range("2024-03-01", "2025-03-01", freq="MS")]


def build_store_b(path) -> None:
    """Thirteen months 2024-03 .. 2025-03, all qualified social workers, team A unless noted.

    p1 Permanent 1.0 all months.           p2 Permanent 0.5 all months.
    p3 Permanent 1.0 2024-03..2024-08, leaves 2024-09-15 (started 2023-02-01).
    p5 Permanent 1.0 2024-03 only, leaves 2024-04-10 (started 2022-01-01).
    p4 Fixed-term 1.0 team B 2024-06..2024-11, leaves 2024-12-20 (started 2024-06-01: under a year).
    x1 Agency 1.0 2024-03..2024-10, then Permanent from 2024-11 (start 2024-11-01, no flag).
    x2 Permanent 1.0 2024-12..2025-03, start 2024-12-01, converted_from_agency = Y.
    x3 Permanent 1.0 all months, converted_from_agency = Y but started 2023-01-01.
    x4 Agency 0.6 all months.
    """
    con = connect(path)
    rows = []

    def add(p, eid, wt, fte, start, team="A", conv=None):
        rows.append((p, eid, team, "S1", "Social worker", True, wt, fte, start, None, None,
                     None, None, None, conv))

    for p in MONTHS:
        add(p, "p1", "Permanent", 1.0, "2018-01-01")
        add(p, "p2", "Permanent", 0.5, "2019-05-01")
        if p <= date(2024, 8, 1):
            add(p, "p3", "Permanent", 1.0, "2023-02-01")
        if p == date(2024, 3, 1):
            add(p, "p5", "Permanent", 1.0, "2022-01-01")
        if date(2024, 6, 1) <= p <= date(2024, 11, 1):
            add(p, "p4", "Fixed-term", 1.0, "2024-06-01", team="B")
        if p <= date(2024, 10, 1):
            add(p, "x1", "Agency", 1.0, "2024-03-01")
        else:
            add(p, "x1", "Permanent", 1.0, "2024-11-01")
        if p >= date(2024, 12, 1):
            add(p, "x2", "Permanent", 1.0, "2024-12-01", conv=True)
        add(p, "x3", "Permanent", 1.0, "2023-01-01", conv=True)
        add(p, "x4", "Agency", 0.6, "2023-06-01")
    insert_staff(con, rows)
    insert_leaver(con, "2024-04-01", "p5", "2024-04-10", "Retirement", "A", "S1", "Social worker", True, "Permanent", 1.0, "2022-01-01")
    insert_leaver(con, "2024-09-01", "p3", "2024-09-15", "Resignation", "A", "S1", "Social worker", True, "Permanent", 1.0, "2023-02-01")
    insert_leaver(con, "2024-12-01", "p4", "2024-12-20", "End of fixed-term contract", "B", "S1", "Social worker", True, "Fixed-term", 1.0, "2024-06-01")
    # training: (period, id, course, category, completed)
    for t in [("2024-03-01", "p1", "Safeguarding", "Mandatory", "2024-03-10"),
              ("2024-06-01", "p1", "Recording", "Mandatory", "2024-06-11"),
              ("2025-01-01", "p2", "Supervising", "Leadership", "2025-01-05"),
              ("2025-01-01", "x4", "Recording", "Mandatory", "2025-01-07"),
              ("2025-02-01", "ghost", "Recording", "Mandatory", "2025-02-03")]:
        con.execute("INSERT INTO training VALUES (?, 1, ?, ?, ?, ?)", list(t))
    # survey: (period, team, measure, score, respondents)
    for s in [("2024-06-01", "All", "Overall engagement", 62.0, 40),
              ("2024-06-01", "A", "Overall engagement", 70.0, 10),
              ("2024-12-01", "A", "Overall engagement", 60.0, 30),
              ("2024-12-01", "B", "Overall engagement", 80.0, 10),
              ("2024-12-01", "All", "Wellbeing", 50.0, 40)]:
        con.execute("INSERT INTO survey VALUES (?, 1, ?, ?, ?, ?)", list(s))
    con.close()


@pytest.fixture
def store_b(tmp_db):
    build_store_b(tmp_db)
    con = connect(tmp_db)
    yield con
    con.close()


def test_twelve_month_measures_full_window(store_b):
    f = engine.compute(store_b, period="2025-03")
    # employed at 2025-03-31: p1 1.0, p2 0.5, x1 1.0, x2 1.0, x3 1.0 = 4.5 (headcount 5)
    # leavers in periods 2024-04..2025-03: p5 1.0, p3 1.0, p4 1.0 = 3.0
    r = row(f, "turnover_rate_fte_12m")
    assert r["value"] == pytest.approx(3.0 / 4.5)
    assert r["numerator"] == pytest.approx(3.0) and r["denominator"] == pytest.approx(4.5)
    assert r["months_covered"] == 12 and not r["partial"] and r["base_count"] == 5
    # early leavers: only p4 (2024-06-01 -> 2024-12-20) of 3
    assert value(f, "early_leaver_rate_12m") == pytest.approx(1 / 3)
    # employed at 2024-03: p1 p2 p3 p5 x3 (5); still employed 2025-03: p1 p2 x3 (3)
    assert value(f, "stability_index_12m") == pytest.approx(0.6)
    # conversions: x1 (agency 2024-03..10, employed now) and x2 (flag, started 2024-12-01);
    # x3's flag is old (2023). Each once.
    assert value(f, "agency_conversions_12m") == 2.0
    # training in periods 2024-04..2025-03 of people in scope: p1 (2024-06), p2, x4 (2025-01);
    # 'ghost' is not on the staff list so it is not a social worker; p1's 2024-03 course is outside.
    assert value(f, "training_completions_12m") == 3.0
    assert row(f, "training_completions_12m")["base_count"] == 3
    # latest survey on or before 2025-03 is 2024-12: no 'All' row for the measure ->
    # respondent-weighted team mean (60 x 30 + 80 x 10) / 40 = 65
    assert value(f, "engagement_score") == pytest.approx(65.0)


def test_twelve_month_measures_partial_windows(store_b):
    h = engine.history(store_b, metric_ids=["turnover_rate_fte_12m", "stability_index_12m"])
    t = h[h["metric_id"] == "turnover_rate_fte_12m"]
    assert t["period"].tolist() == MONTHS
    assert t["months_covered"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12]
    assert t["partial"].tolist() == [True] * 11 + [False] * 2
    # 2024-03: no leavers loaded yet, employed 4.5 -> 0.0 over one month
    assert value(h, "turnover_rate_fte_12m", period=date(2024, 3, 1)) == pytest.approx(0.0)
    # 2024-09 (7 months): leavers p5 + p3 = 2.0; employed p1 1.0, p2 0.5, p4 1.0, x3 1.0 = 3.5
    assert value(h, "turnover_rate_fte_12m", period=date(2024, 9, 1)) == pytest.approx(2.0 / 3.5)
    # stability needs the month a year earlier: only 2025-03 has it
    s = h[h["metric_id"] == "stability_index_12m"]
    assert s["value"].isna().tolist() == [True] * 12 + [False]
    # no verdict without enough data: a part-year turnover of 0.0% is not "on target" (target 11.8%)
    ev = engine.evaluate_history(store_b, metric_ids=["turnover_rate_fte_12m"])
    ev = ev[ev["group"].isna()]
    assert ev["status"].tolist()[:11] == ["grey"] * 11 and ev["status"].iloc[-1] != "grey"
    assert ev["target"].iloc[0] == pytest.approx(0.118)


def test_conversions_and_engagement_history(store_b):
    h = engine.history(store_b, metric_ids=["agency_conversions_12m", "engagement_score"])
    # x1 becomes employed in 2024-11 (agency in earlier months); x2 arrives 2024-12 flagged
    assert value(h, "agency_conversions_12m", period=date(2024, 10, 1)) == 0.0
    assert value(h, "agency_conversions_12m", period=date(2024, 11, 1)) == 1.0
    assert value(h, "agency_conversions_12m", period=date(2024, 12, 1)) == 2.0
    assert value(h, "engagement_score", period=date(2024, 5, 1)) is None  # no survey yet
    assert value(h, "engagement_score", period=date(2024, 8, 1)) == pytest.approx(62.0)  # 'All' row
    by_team = engine.compute(store_b, period="2024-08", by="team", metric_ids=["engagement_score"])
    assert value(by_team, "engagement_score", group="A") == pytest.approx(70.0)
    # team filter: team rows only (B's 80 with 10 respondents, survey of 2024-12)
    assert value(engine.compute(store_b, period="2025-03", metric_ids=["engagement_score"],
                                filters={"team": ["B"]}), "engagement_score") == pytest.approx(80.0)
    # the survey is by team, not by service: a service filter gives no data, still one row
    svc = engine.compute(store_b, period="2025-03", metric_ids=["engagement_score"],
                         filters={"service": ["S1"]})
    assert value(svc, "engagement_score") is None


def test_leaver_breakdown_uses_leavers_team(store_b):
    f = engine.compute(store_b, period="2025-03", by="team", metric_ids=["turnover_rate_fte_12m"])
    # team A: leavers p5 + p3 = 2.0 over employed 4.5 (everyone in post is team A now)
    assert value(f, "turnover_rate_fte_12m", group="A") == pytest.approx(2.0 / 4.5)
    # team B: p4 left, nobody employed in B at 2025-03 -> no data (never 0, never an error)
    b = row(f, "turnover_rate_fte_12m", group="B")
    assert pd.isna(b["value"]) and b["numerator"] == pytest.approx(1.0)


def test_history_respects_start_and_end(store_b):
    h = engine.history(store_b, metric_ids=["agency_rate_fte"], start="2024-10", end="2024-12")
    assert h["period"].tolist() == [date(2024, 10, 1), date(2024, 11, 1), date(2024, 12, 1)]
    # 2024-10: agency x1 1.0 + x4 0.6 = 1.6; employed p1 1.0 p2 0.5 p4 1.0 x3 1.0 = 3.5
    assert value(h, "agency_rate_fte", period=date(2024, 10, 1)) == pytest.approx(1.6 / 5.1)
    assert engine.periods(store_b) == MONTHS
    assert engine.latest_period(store_b) == date(2025, 3, 1)


def test_evaluate_adds_target_status_and_year_on_year(store_b):
    e = engine.evaluate(store_b, period="2025-03", metric_ids=["agency_rate_fte", "stability_index_12m"])
    r = row(e, "agency_rate_fte")
    # now: agency x4 0.6 of 0.6 + 4.5 = 5.1; a year ago (2024-03): x1 1.0 + x4 0.6 = 1.6 of
    # 1.6 + 4.5 (p1 1.0 p2 0.5 p3 1.0 p5 1.0 x3 1.0) = 6.1
    assert r["value"] == pytest.approx(0.6 / 5.1)
    assert r["year_ago_value"] == pytest.approx(1.6 / 6.1)
    assert r["change_on_year"] == pytest.approx(0.6 / 5.1 - 1.6 / 6.1)
    assert r["target"] == pytest.approx(0.20) and r["status"] == "green"
    s = row(e, "stability_index_12m")
    assert s["status"] == "grey" and pd.isna(s["year_ago_value"])


def test_empty_store_has_no_latest_period(tmp_db):
    con = connect(tmp_db)
    assert engine.periods(con) == []
    with pytest.raises(MetricError, match="No months are loaded"):
        engine.latest_period(con)
    con.close()
